from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.reviews.tables import CallBack, Rectification, Review, ReviewAction

APP_CONFIG = AppConfig(
    app_name="reviews",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Review, Rectification, CallBack, ReviewAction],
    migration_dependencies=["core.tenancy.piccolo_app", "core.cases.piccolo_app"],
    commands=[],
)
