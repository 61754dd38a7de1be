"""The embedded default records which in-memory broker holds an outbox message."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-24T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox held_by"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="jobs", description=DESCRIPTION)

    manager.add_column(
        table_class_name="OutboxMessage",
        tablename="jobs_outbox",
        column_name="held_by",
        db_column_name="held_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 32,
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
