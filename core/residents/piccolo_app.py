from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.residents.tables import Resident, ResidentAccess

APP_CONFIG = AppConfig(
    app_name="residents",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Resident, ResidentAccess],
    migration_dependencies=[],
    commands=[],
)
