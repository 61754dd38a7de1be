from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.tenancy.tables import AdminEvent, ApiToken, LevelRow, Membership, Staff, Unit

APP_CONFIG = AppConfig(
    app_name="tenancy",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[LevelRow, Membership, Staff, Unit, ApiToken, AdminEvent],
    migration_dependencies=[],
    commands=[],
)
