from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.materials.tables import Upload

APP_CONFIG = AppConfig(
    app_name="materials",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Upload],
    migration_dependencies=[],
    commands=[],
)
