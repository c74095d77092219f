"""The sweeper: every periodic job, as one ordered list of passes.

`gridline serve` runs the sweeper every SWEEP_SECONDS. Each pass runs in its own
transaction, so one that fails (and is logged) never rolls back what the others did; the
next sweep tries it again. Every timer a pass acts on is a column, so a restart loses
none. To add a periodic job, write `async def job(session, now) -> int` (how many things
it did; the caller commits) and put it in `passes()`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from core.config import Settings
from core.kv import KeyValueStore
from handlers.appointments import release_unanswered_offers, send_reminders
from handlers.escalation import close_unrated, escalate_overdue, flag_overdue_resolution
from handlers.threads import decide_unanswered
from handlers.ticketing import dispatch_queued, refresh_stale_cards

log = logging.getLogger(__name__)

Job = Callable[[AsyncSession, datetime], Awaitable[int]]


@dataclass(frozen=True)
class Pass:
    name: str
    job: Job


def passes(settings: Settings) -> tuple[Pass, ...]:
    """In order: questions and slot offers nobody answered become tickets before queued
    tickets are handed out, so all of them reach whoever is on duty in the same sweep."""
    patience = timedelta(minutes=settings.choice_patience_minutes)

    async def decide(session: AsyncSession, now: datetime) -> int:
        return await decide_unanswered(session, now, patience)

    return (
        Pass("decided", decide),  # unanswered follow-up / category questions → filed
        Pass("released", release_unanswered_offers),  # unanswered slot offers → a worker
        Pass("handed", dispatch_queued),  # queued tickets → whoever came on duty
        Pass("escalated", escalate_overdue),  # unacknowledged tickets → up the chain
        Pass("overdue", flag_overdue_resolution),  # past the resolution target → told once
        Pass("reminded", send_reminders),  # appointments tomorrow / within the hour
        Pass("closed", close_unrated),  # resolved, unrated after the follow-up period
        # Last, so the cards show what the passes before did.
        Pass("cards", refresh_stale_cards),  # cards of tickets changed elsewhere → edited
    )


class Sweeper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        kv: KeyValueStore,
        clock: Clock,
        passes: tuple[Pass, ...],
    ) -> None:
        self.sessions = sessions
        self.kv = kv
        self.clock = clock
        self.passes = passes

    async def sweep(self) -> dict[str, int | None]:
        """One sweep; per pass, how many things it did (None: it failed and was rolled back)."""
        now = self.clock.now()
        done: dict[str, int | None] = {}
        # One sweep at a time per process; across PostgreSQL processes the row locks
        # (SKIP LOCKED) keep passes apart.
        async with self.kv.lock("sweeper", timeout_seconds=120):
            for sweep_pass in self.passes:
                done[sweep_pass.name] = await self._run(sweep_pass, now)
        return done

    async def _run(self, sweep_pass: Pass, now: datetime) -> int | None:
        async with self.sessions() as session:
            try:
                count = await sweep_pass.job(session, now)
                await session.commit()
            except Exception:
                await session.rollback()
                log.exception("sweeper pass %s failed; the next sweep retries it", sweep_pass.name)
                return None
        return count
