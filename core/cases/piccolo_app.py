from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.cases.tables import (
    Bundle,
    Case,
    CaseEvent,
    CasePause,
    Escalation,
    Notification,
    Task,
    TrackingSequence,
)

APP_CONFIG = AppConfig(
    app_name="cases",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        Bundle,
        Case,
        CaseEvent,
        Task,
        CasePause,
        Escalation,
        Notification,
        TrackingSequence,
    ],
    migration_dependencies=[
        "core.tenancy.piccolo_app",
        "core.catalog.piccolo_app",
        "core.residents.piccolo_app",
    ],
    commands=[],
)
