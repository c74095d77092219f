"""Wiring: settings → database, state store, NLU, conversation core, outbox, sweeper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from core.clock import Clock, SystemClock
from core.config import Settings
from core.db import database_status, engine_from_settings, open_database, session_factory
from core.kv import KeyValueStore, store_from_url
from county.calendar import calendar_gaps
from handlers.conversation import Conversation
from handlers.sweeper import Sweeper, passes
from handlers.turn import Services
from messaging.delivery import OutboxDispatcher
from nlu.entities import default_extractors
from nlu.parse import EmbeddedClassifier, IntentClassifier, IntentParser, NluPipeline
from nlu.registry import load_active_or_train

# Used when neither the settings nor the model say otherwise; Rasa's own defaults for a
# Rasa server (FallbackClassifier threshold and ambiguity_threshold).
EMBEDDED_DEFAULTS = (0.45, 0.10)
RASA_DEFAULTS = (0.30, 0.10)


@dataclass
class Gridline:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    kv: KeyValueStore
    clock: Clock
    parser: IntentParser
    conversation: Conversation
    dispatcher: OutboxDispatcher
    sweeper: Sweeper

    async def health(self) -> dict[str, Any]:
        return {
            "database": await database_status(self.sessions),
            # Years whose public holidays are unknown: shifts there follow weekday rules.
            "calendar_gaps": sorted(calendar_gaps()),
        }

    async def close(self) -> None:
        await self.kv.close()
        await self.engine.dispose()


async def build_parser(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> tuple[IntentParser, tuple[float, float]]:
    """The configured NLU and the (threshold, margin) that goes with it."""
    classifier: IntentClassifier
    if settings.nlu_backend == "rasa":
        from nlu.rasa_backend import RasaClassifier

        assert settings.rasa_url is not None
        token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
        classifier = RasaClassifier(
            settings.rasa_url, timeout=settings.rasa_timeout_seconds, token=token
        )
        tuned = RASA_DEFAULTS
    else:
        async with sessions() as session:
            model = await load_active_or_train(session, settings.model_dir, clock.now())
            await session.commit()
        classifier = EmbeddedClassifier(model)
        tuned = model.thresholds or EMBEDDED_DEFAULTS
    return NluPipeline(classifier, default_extractors(), clock), tuned


def resolve_thresholds(settings: Settings, tuned: tuple[float, float]) -> tuple[float, float]:
    threshold = settings.nlu_confidence_threshold
    margin = settings.nlu_ambiguity_margin
    return (tuned[0] if threshold is None else threshold, tuned[1] if margin is None else margin)


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
    tuned = EMBEDDED_DEFAULTS
    if parser is None:
        parser, tuned = await build_parser(settings, sessions, clock)
    threshold, margin = resolve_thresholds(settings, tuned)
    kv = kv or store_from_url(settings.redis_url)
    services = Services(settings=settings, kv=kv, parser=parser, threshold=threshold, margin=margin)
    return Gridline(
        settings=settings,
        engine=engine,
        sessions=sessions,
        kv=kv,
        clock=clock,
        parser=parser,
        conversation=Conversation(services, sessions, clock),
        dispatcher=OutboxDispatcher(sessions, clock),
        sweeper=Sweeper(sessions, kv, clock, passes(settings)),
    )
