"""A case whose clock has stopped for good shows no time-limit light: clear the light
that cases decided, withdrawn or not yet accepted kept from before (core.cases.events)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-08T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "no light on a case whose clock has stopped"

# core.cases.states.CLOCK_STATES when this was written (a migration keeps its own copy).
CLOCK_STATES = ("accepted", "in_review", "review_supplement", "suspended")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="cases", description=DESCRIPTION)

    async def clear_stopped_lights():
        states = ", ".join(f"'{s}'" for s in CLOCK_STATES)
        await engine_finder().run_ddl(
            "UPDATE cases_case SET light = '', light_changes_at = NULL "
            f"WHERE light <> '' AND state NOT IN ({states})"
        )

    manager.add_raw(clear_stopped_lights)
    return manager
