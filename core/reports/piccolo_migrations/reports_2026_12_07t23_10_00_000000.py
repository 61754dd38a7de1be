"""A nightly reconciliation run taken over by another records which one took it over."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T23:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "reconciliation superseded_by"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    manager.add_column(
        table_class_name="ReconciliationRun",
        tablename="reports_reconciliation",
        column_name="superseded_by",
        db_column_name="superseded_by",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
