"""Composite keys of the aggregate tables (Piccolo declares single-column ones only).

The unique keys are what ``INSERT … ON CONFLICT`` upserts against; the
``parent`` indexes make a unit's breakdown by child unit one range scan.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T11:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "aggregate keys"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS reports_day_key ON reports_day (scope, day, item_code)",
    "CREATE INDEX IF NOT EXISTS reports_day_parent ON reports_day (parent, day)",
    "CREATE INDEX IF NOT EXISTS reports_day_day ON reports_day (day)",
    "CREATE UNIQUE INDEX IF NOT EXISTS reports_handling_key "
    "ON reports_handling (scope, day, item_code, days)",
    "CREATE INDEX IF NOT EXISTS reports_handling_parent ON reports_handling (parent, day)",
    "CREATE INDEX IF NOT EXISTS reports_handling_day ON reports_handling (day)",
    "CREATE UNIQUE INDEX IF NOT EXISTS reports_now_key ON reports_now (scope, item_code)",
    "CREATE INDEX IF NOT EXISTS reports_now_parent ON reports_now (parent)",
)
INDEXES = (
    "reports_day_key",
    "reports_day_parent",
    "reports_day_day",
    "reports_handling_key",
    "reports_handling_parent",
    "reports_handling_day",
    "reports_now_key",
    "reports_now_parent",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for sql in STATEMENTS:
            await engine.run_ddl(sql)

    async def drop_indexes():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
