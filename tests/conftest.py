"""Shared fixtures. The suite runs on SQLite by default, and on PostgreSQL + Redis when
GRIDLINE_TEST_DATABASE_URL and GRIDLINE_TEST_REDIS_URL are set (as `make test` does)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runtime.container import Gridline, build
from bot.runtime.schema import metadata
from core.clock import LOCAL_TZ, FixedClock
from core.config import Settings
from core.db import create_engine
from core.kv import KeyValueStore, MemoryStore, RedisStore
from core.migrate import upgrade_to_head
from nlu import intent_model, training
from nlu.parse import EmbeddedParser
from nlu.training_data import TEST_DIR, TRAIN_DIR, load_dir

DATABASE_URL = os.environ.get("GRIDLINE_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("GRIDLINE_TEST_REDIS_URL")
# Friday 27 November 2026, 10:00 in the county: inside the weekday day shift.
FRIDAY_10AM = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)


def pytest_report_header() -> str:
    backend = "PostgreSQL" if DATABASE_URL else "SQLite"
    return f"gridline backend: {backend} + {'Redis' if REDIS_URL else 'in-process state'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if DATABASE_URL:
        url = Settings(database_url=DATABASE_URL).sqlalchemy_url
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'gridline.db'}"

    async def prepare() -> None:
        engine = create_engine(url)
        if DATABASE_URL:
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
        await upgrade_to_head(engine)
        await engine.dispose()

    asyncio.run(prepare())
    return url


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory: pytest.TempPathFactory) -> intent_model.IntentModel:
    # Thresholds come from settings in tests; tuning them is nlu/tuning.py's own test.
    model, _ = training.train(
        load_dir(TRAIN_DIR),
        tmp_path_factory.mktemp("models"),
        FRIDAY_10AM,
        load_dir(TEST_DIR),
        tune_thresholds=False,
    )
    return model


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FRIDAY_10AM)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        redis_url=REDIS_URL,
        data_dir=tmp_path / "data",
        telegram_bot_token=None,
        outbox_poll_seconds=0.2,
        telegram_poll_timeout=1,
    )


async def _empty_tables(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(t.name for t in metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(table.delete())
    await engine.dispose()


@pytest.fixture
async def kv() -> AsyncIterator[KeyValueStore]:
    if REDIS_URL:
        store = RedisStore(REDIS_URL, namespace=f"test-{uuid.uuid4().hex[:8]}:")
        yield store
        await store.clear_namespace()
        await store.close()
    else:
        yield MemoryStore()


@pytest.fixture
async def gridline(
    settings: Settings,
    clock: FixedClock,
    trained_model: intent_model.IntentModel,
    kv: KeyValueStore,
) -> AsyncIterator[Gridline]:
    await _empty_tables(settings.sqlalchemy_url)
    app = await build(
        settings, clock=clock, parser=EmbeddedParser(trained_model), kv=kv, migrate=False
    )
    yield app
    await app.engine.dispose()
