"""Wiring: settings → database, state store, NLU model, conversation core."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import Clock, SystemClock
from core.config import Settings
from core.db import engine_from_settings, open_database, session_factory
from core.kv import KeyValueStore, store_from_url
from handlers.conversation import Conversation
from handlers.turn import Services
from nlu.parse import EmbeddedParser, IntentParser
from nlu.registry import load_active_or_train


@dataclass
class Gridline:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    kv: KeyValueStore
    clock: Clock
    parser: IntentParser
    conversation: Conversation

    async def close(self) -> None:
        await self.kv.close()
        await self.engine.dispose()


async def build(
    settings: Settings,
    *,
    clock: Clock | None = None,
    parser: IntentParser | None = None,
    kv: KeyValueStore | None = None,
    migrate: bool = True,
) -> Gridline:
    clock = clock or SystemClock()
    if migrate:
        engine, sessions = await open_database(settings)
    else:
        engine = engine_from_settings(settings)
        sessions = session_factory(engine)
    if parser is None:
        async with sessions() as session:
            model = await load_active_or_train(session, settings.model_dir, clock.now())
            await session.commit()
        parser = EmbeddedParser(model)
    kv = kv or store_from_url(settings.redis_url)
    services = Services(settings=settings, kv=kv, parser=parser)
    conversation = Conversation(services, sessions, clock)
    return Gridline(settings, engine, sessions, kv, clock, parser, conversation)
