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


LEVEL_ORDER = (RouteLevel.GRID, RouteLevel.BACKUP, RouteLevel.COMMUNITY, RouteLevel.TOWN)


async def choose_assignee(
    session: AsyncSession,
    grid: Grid,
    moment: datetime,
    *,
    after: RouteLevel | None = None,
    exclude: frozenset[int] = frozenset(),
) -> RoutingDecision:
    """The first level of the chain with someone reachable on duty.

    `after` starts the search at the level above it (escalation); `exclude` skips
    workers who already had the ticket.
    """
    chain = await escalation_chain(session, grid)
    if after is not None and after in LEVEL_ORDER:
        chain = chain[LEVEL_ORDER.index(after) + 1 :]
    for level, workers in chain:
        # A worker who has not opened the bot cannot be told; skip to someone who can.
        candidates = [
            w for w in workers if w.id not in exclude and w.is_reachable and is_on_duty(w, moment)
        ]
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


async def on_duty_in_community(
    session: AsyncSession, community_id: int, moment: datetime
) -> list[Worker]:
    """Everyone reachable and on duty for any grid of the community, its officers included
    (the town's officers are not: they are reached by escalation)."""
    grids = await directory.grids_of(session, community_id)
    seen: dict[int, Worker] = {}
    for grid in grids:
        for level, workers in await escalation_chain(session, grid):
            if level == RouteLevel.TOWN:
                continue
            for worker in workers:
                if worker.is_reachable and worker.id not in seen and is_on_duty(worker, moment):
                    seen[worker.id] = worker
    return list(seen.values())
