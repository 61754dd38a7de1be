from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.deadlines.tables import CalendarChange, CalendarOverride

APP_CONFIG = AppConfig(
    app_name="deadlines",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[CalendarOverride, CalendarChange],
    migration_dependencies=["core.tenancy.piccolo_app"],
    commands=[],
)
