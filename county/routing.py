"""Which worker gets a ticket: the grid's on-duty worker, then backup, community, town."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from county import directory
from county.models import Grid, GridAssignment, GridPosition, Worker, WorkerRole
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


LEVEL_ORDER = (RouteLevel.GRID, RouteLevel.BACKUP, RouteLevel.COMMUNITY, RouteLevel.TOWN)


async def escalation_chain(
    session: AsyncSession, grid: Grid
) -> list[tuple[RouteLevel, Sequence[Worker]]]:
    """Everyone who may take this grid's tickets, level by level, in one query.

    Routing runs on every ticket, so the chain is read with a single UNION (each branch
    on an index) instead of a query per level.
    """
    members = union_all(
        select(GridAssignment.worker_id.label("worker_id"),
               GridAssignment.position.label("level"))
        .where(GridAssignment.grid_id == grid.id),
        select(Worker.id, literal(RouteLevel.COMMUNITY.value))
        .where(Worker.role == WorkerRole.COMMUNITY_OFFICER,
               Worker.community_id == grid.community_id),
        select(Worker.id, literal(RouteLevel.TOWN.value))
        .where(Worker.role == WorkerRole.TOWN_OFFICER,
               Worker.town_id == grid.community.town_id),
    ).subquery()  # fmt: skip
    rows = await session.execute(
        select(Worker, members.c.level)
        .join(members, members.c.worker_id == Worker.id)
        # The roster comes in the same round trip: one query per decision, not three.
        .options(joinedload(Worker.shifts), joinedload(Worker.overrides))
        .order_by(Worker.id)
    )
    by_level: dict[RouteLevel, list[Worker]] = {level: [] for level in LEVEL_ORDER}
    for worker, level in rows.unique().all():
        by_level[_LEVEL_OF.get(level, RouteLevel.TOWN)].append(worker)
    return [(level, by_level[level]) for level in LEVEL_ORDER]


_LEVEL_OF = {
    GridPosition.PRIMARY.value: RouteLevel.GRID,
    GridPosition.BACKUP.value: RouteLevel.BACKUP,
    RouteLevel.COMMUNITY.value: RouteLevel.COMMUNITY,
    RouteLevel.TOWN.value: RouteLevel.TOWN,
}


async def choose_assignee(
    session: AsyncSession,
    grid: Grid,
    moment: datetime,
    *,
    after: RouteLevel | None = None,
    exclude: frozenset[int] = frozenset(),
    ignore_duty: bool = False,
) -> RoutingDecision:
    """The first level of the chain with someone reachable on duty.

    `after` starts the search at the level above it (escalation); `exclude` skips
    workers who already had the ticket; `ignore_duty` (emergencies) takes whoever is
    reachable, on duty or not.
    """
    chain = await escalation_chain(session, grid)
    if after is not None and after in LEVEL_ORDER:
        chain = chain[LEVEL_ORDER.index(after) + 1 :]
    for level, workers in chain:
        # A worker who has not opened the bot cannot be told; skip to someone who can.
        candidates = [
            w
            for w in workers
            if w.id not in exclude and w.is_reachable and (ignore_duty or is_on_duty(w, moment))
        ]
        if not candidates:
            continue
        if len(candidates) == 1:
            return RoutingDecision(level=level, worker=candidates[0])
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


async def may_handle(
    session: AsyncSession, worker: Worker, grid: Grid, *, emergency: bool = False
) -> bool:
    """Whether the worker is anywhere in this grid's chain (so may claim its tickets).

    An emergency alerts the whole community, so anyone serving a grid of it may take one.
    """
    if any(worker.id == w.id for _, ws in await escalation_chain(session, grid) for w in ws):
        return True
    if not emergency:
        return False
    served = await directory.grids_served_by(session, worker)
    return any(g.community_id == grid.community_id for g in served)


@dataclass(frozen=True)
class EmergencyRecipients:
    workers: list[Worker]
    # False: nobody was on duty, so these were reached off duty.
    on_duty: bool


async def emergency_recipients(
    session: AsyncSession, grid: Grid, moment: datetime
) -> EmergencyRecipients:
    """Who an emergency in `grid` alerts at once: everyone on duty in the community and the
    town's duty officers; when nobody is, the grid's own workers and the community's
    officers anyway — an emergency does not wait for a shift to start."""
    on_duty = await on_duty_in_community(session, grid.community_id, moment)
    chain = await escalation_chain(session, grid)
    seen = {w.id for w in on_duty}
    for level, workers in chain:
        if level == RouteLevel.TOWN:
            on_duty += [w for w in workers if w.is_reachable and w.id not in seen
                        and is_on_duty(w, moment)]  # fmt: skip
    if on_duty:
        return EmergencyRecipients(on_duty, on_duty=True)
    anyway: dict[int, Worker] = {}
    for level, workers in chain:
        if level != RouteLevel.TOWN:
            anyway.update((w.id, w) for w in workers if w.is_reachable)
    return EmergencyRecipients(list(anyway.values()), on_duty=False)


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
