from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.residents.tables import Resident

APP_CONFIG = AppConfig(
    app_name="residents",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Resident],
    migration_dependencies=[],
    commands=[],
)
