from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.jobs.tables import OutboxMessage, ProcessedMessage

APP_CONFIG = AppConfig(
    app_name="jobs",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[OutboxMessage, ProcessedMessage],
    migration_dependencies=[],
    commands=[],
)
