from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.signing.tables import (
    Authorisation,
    Certificate,
    Checkpoint,
    CheckpointHead,
    Crl,
    Document,
)

APP_CONFIG = AppConfig(
    app_name="signing",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Certificate, Crl, Document, Authorisation, Checkpoint, CheckpointHead],
    migration_dependencies=["core.tenancy.piccolo_app", "core.cases.piccolo_app"],
    commands=[],
)
