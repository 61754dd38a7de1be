"""Create or drop a scratch PostgreSQL database: python .ci/pgdb.py create|drop NAME"""

import asyncio
import sys

import asyncpg

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


async def main(action: str, name: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        if action == "create":
            await connection.execute(f'CREATE DATABASE "{name}"')
        else:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
