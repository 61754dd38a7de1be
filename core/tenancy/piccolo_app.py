from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.tenancy.tables import LevelRow, Membership, Staff, Unit

APP_CONFIG = AppConfig(
    app_name="tenancy",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[LevelRow, Membership, Staff, Unit],
    migration_dependencies=[],
    commands=[],
)
