from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-12-07T14:06:10:287142"
VERSION = "1.38.0"
DESCRIPTION = "Index the filer and the resident of a case: the workbench and resident pages"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Case",
        tablename="cases_case",
        column_name="resident",
        db_column_name="resident",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Case",
        tablename="cases_case",
        column_name="filed_by",
        db_column_name="filed_by",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
