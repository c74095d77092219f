"""Creating workers and linking them to the chat account they use.

The CLI and (later) the admin console create workers through these functions, so a new
worker always starts with the same roster and the same kind of grid assignment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from county.models import Grid, GridAssignment, GridPosition, Shift, Worker, WorkerRole

# The standard shift a new worker starts on, Monday to Friday; the roster changes it later.
WORKING_WEEKDAYS = range(5)
DAY_SHIFT = (time(8, 30), time(17, 30))


def weekly_shifts(
    starts_ends: tuple[time, time], weekdays: Iterable[int] = WORKING_WEEKDAYS
) -> list[Shift]:
    starts, ends = starts_ends
    return [Shift(weekday=day, starts=starts, ends=ends) for day in weekdays]


def assign_grid(session: AsyncSession, worker: Worker, grid: Grid, position: GridPosition) -> None:
    session.add(GridAssignment(worker_id=worker.id, grid_id=grid.id, position=position))


async def grid_worker_named(session: AsyncSession, name: str, grid: Grid) -> Worker | None:
    """The worker of this name assigned to this grid, if there is one."""
    return await session.scalar(
        select(Worker)
        .join(GridAssignment, GridAssignment.worker_id == Worker.id)
        .where(Worker.name == name, GridAssignment.grid_id == grid.id)
    )


async def create_grid_worker(
    session: AsyncSession,
    *,
    name: str,
    phone: str | None,
    grid: Grid,
    position: GridPosition,
    now: datetime,
) -> Worker:
    """A grid worker on the standard weekday day shift, assigned to `grid`."""
    worker = Worker(
        name=name,
        phone=phone,
        role=WorkerRole.GRID_WORKER,
        created_at=now,
        shifts=weekly_shifts(DAY_SHIFT),
    )
    session.add(worker)
    await session.flush()
    assign_grid(session, worker, grid, position)
    return worker


def link_account(worker: Worker, *, channel: str, external_id: str, chat_id: str) -> None:
    """From now on the worker's cards and notices go to this account, and only to it."""
    worker.channel = channel
    worker.external_id = external_id
    worker.chat_id = chat_id
