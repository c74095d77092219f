"""Database engine and sessions (async SQLAlchemy on aiosqlite or asyncpg)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.config import Settings
from core.migrate import upgrade_to_head


def _prepare_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets `gridline chat` and `gridline serve` share the file; busy_timeout makes
    # a writer wait for the other instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url)
        event.listen(engine.sync_engine, "connect", _prepare_sqlite)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def engine_from_settings(settings: Settings) -> AsyncEngine:
    return create_engine(settings.sqlalchemy_url)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after commit without lazy I/O,
    # which async sessions cannot do implicitly.
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def migrated_database(
    settings: Settings,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the migrated database, for one command; the engine is closed after."""
    engine, sessions = await open_database(settings)
    try:
        yield sessions
    finally:
        await engine.dispose()


async def open_database(settings: Settings) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    """An engine on the configured database, migrated to the newest schema."""
    engine = engine_from_settings(settings)
    await upgrade_to_head(engine)
    return engine, session_factory(engine)


async def database_status(sessions: async_sessionmaker[AsyncSession]) -> str:
    """'ok', or 'error: <kind>' — for a health check, which reports and never raises."""
    try:
        async with sessions() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:
        return f"error: {type(exc).__name__}"
    return "ok"
