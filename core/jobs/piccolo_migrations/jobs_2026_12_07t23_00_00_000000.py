"""The outbox rows given up (``last_error`` set, not redone): a partial index, so that
``/metrics`` counts them without reading the whole outbox (core.jobs.dead.given_up)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox given-up index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="jobs", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            "CREATE INDEX IF NOT EXISTS jobs_outbox_given_up ON jobs_outbox (id) "
            "WHERE last_error <> ''"
        )

    async def drop_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS jobs_outbox_given_up")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
