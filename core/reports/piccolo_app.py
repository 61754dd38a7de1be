from pathlib import Path

from piccolo.conf.apps import AppConfig

from core.reports.tables import (
    MonthlyReport,
    ReconciliationRun,
    ReportCursor,
    ReportDay,
    ReportHandling,
    ReportNow,
)

APP_CONFIG = AppConfig(
    app_name="reports",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[
        ReportDay,
        ReportHandling,
        ReportNow,
        ReportCursor,
        ReconciliationRun,
        MonthlyReport,
    ],
    migration_dependencies=["core.tenancy.piccolo_app", "core.cases.piccolo_app"],
    commands=[],
)
