from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSONB
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "A notification's subject and body in every UI language, so an inbox shows each "
    "message in its reader's language; rows from before have none and show their stored text"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Notification",
        tablename="cases_notification",
        column_name="texts",
        db_column_name="texts",
        column_class_name="JSONB",
        column_class=JSONB,
        params={
            "default": "{}",
            "null": False,
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
