"""Which worker gets a ticket: the grid's on-duty worker, then backup, community, town."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from county import directory
from county.models import Grid, GridPosition, Worker, WorkerRole
from county.roster import is_on_duty, next_on_duty


class RouteLevel(enum.StrEnum):
    GRID = "grid"
    BACKUP = "backup"
    COMMUNITY = "community"
    TOWN = "town"
    QUEUE = "queue"


@dataclass(frozen=True)
class RoutingDecision:
    level: RouteLevel
    worker: Worker | None
    # For a queued ticket: the earliest moment someone reachable in the chain is on duty.
    expected_at: datetime | None = None


async def escalation_chain(
    session: AsyncSession, grid: Grid
) -> list[tuple[RouteLevel, Sequence[Worker]]]:
    return [
        (RouteLevel.GRID, await directory.grid_assignees(session, grid.id, GridPosition.PRIMARY)),
        (RouteLevel.BACKUP, await directory.grid_assignees(session, grid.id, GridPosition.BACKUP)),
        (
            RouteLevel.COMMUNITY,
            await directory.officers(
                session, WorkerRole.COMMUNITY_OFFICER, community_id=grid.community_id
            ),
        ),
        (
            RouteLevel.TOWN,
            await directory.officers(
                session, WorkerRole.TOWN_OFFICER, town_id=grid.community.town_id
            ),
        ),
    ]


async def choose_assignee(session: AsyncSession, grid: Grid, moment: datetime) -> RoutingDecision:
    chain = await escalation_chain(session, grid)
    for level, workers in chain:
        # A worker who has not opened the bot cannot be told; skip to someone who can.
        candidates = [w for w in workers if w.is_reachable and is_on_duty(w, moment)]
        if not candidates:
            continue
        load = await directory.open_ticket_counts(session, [w.id for w in candidates])
        chosen = min(candidates, key=lambda w: (load[w.id], w.id))
        return RoutingDecision(level=level, worker=chosen)
    upcoming = [
        when
        for _, workers in chain
        for worker in workers
        if worker.is_reachable and (when := next_on_duty(worker, moment)) is not None
    ]
    return RoutingDecision(RouteLevel.QUEUE, None, min(upcoming) if upcoming else None)


async def may_handle(session: AsyncSession, worker: Worker, grid: Grid) -> bool:
    """Whether the worker is anywhere in this grid's chain (so may claim its tickets)."""
    return any(worker.id == w.id for _, ws in await escalation_chain(session, grid) for w in ws)
