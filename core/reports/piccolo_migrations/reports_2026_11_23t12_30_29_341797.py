from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean

ID = "2026-11-23T12:30:29:341797"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="reports", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="ReportCursor",
        tablename="reports_cursor",
        column_name="red",
        db_column_name="red",
        params={"index": True},
        old_params={"index": False},
        column_class=Boolean,
        old_column_class=Boolean,
        schema=None,
    )

    return manager
