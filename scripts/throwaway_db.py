"""Create or drop a throw-away PostgreSQL database for one test run.

python scripts/throwaway_db.py create postgresql://postgres@127.0.0.1:5432  -> prints its URL
python scripts/throwaway_db.py drop postgresql://postgres@127.0.0.1:5432/gridline_test_x
"""

from __future__ import annotations

import asyncio
import sys
import uuid

import asyncpg
from sqlalchemy.engine import make_url


async def _admin(url: str) -> asyncpg.Connection:
    parsed = make_url(url)
    return await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database="postgres",
        timeout=5,
    )


async def create(server_url: str) -> str:
    name = f"gridline_test_{uuid.uuid4().hex[:10]}"
    connection = await _admin(server_url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return (
        make_url(server_url)
        .set(drivername="postgresql", database=name)
        .render_as_string(hide_password=False)
    )


async def drop(database_url: str) -> None:
    name = make_url(database_url).database
    if not name or not name.startswith("gridline_test_"):
        raise SystemExit(f"refusing to drop {name!r}: not a throw-away test database")
    connection = await _admin(database_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("create", "drop"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "create":
        print(asyncio.run(create(sys.argv[2])))
    else:
        asyncio.run(drop(sys.argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
