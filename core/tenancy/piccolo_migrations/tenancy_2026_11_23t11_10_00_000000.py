"""Indexes that make a subtree one indexed prefix query on both engines.

PostgreSQL: ``LIKE 'prefix%'`` can use a b-tree index only under the C
collation, so the path gets a ``varchar_pattern_ops`` index as well.
SQLite: LIKE is case-insensitive for ASCII, so its prefix optimisation needs
an index with ``COLLATE NOCASE`` (unit codes are unique regardless of case).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-23T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "subtree prefix indexes"

INDEX = "tenancy_unit_path_prefix"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tenancy", description=DESCRIPTION)

    async def create_index():
        engine = engine_finder()
        if isinstance(engine, PostgresEngine):
            sql = f"CREATE INDEX IF NOT EXISTS {INDEX} ON tenancy_unit (path varchar_pattern_ops)"
        else:
            sql = f"CREATE INDEX IF NOT EXISTS {INDEX} ON tenancy_unit (path COLLATE NOCASE)"
        await engine.run_ddl(sql)

    async def drop_index():
        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
