"""Builders for appointment tests: a community with staff, and a crowd of residents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from county.models import Community, Grid, Resident, Worker
from tests import factories

STAFF_NAMES = ("王芳", "李强", "赵敏", "陈刚", "刘洋")


@dataclass(frozen=True)
class Place:
    grid: Grid
    community: Community
    workers: list[Worker]


async def staffed_place(session: AsyncSession, now: datetime, staff: int = 3) -> Place:
    """One town, community and grid, with `staff` grid workers (ids in name order)."""
    grid = await factories.place(session)
    workers = [
        await factories.worker(session, name, now, grid=grid) for name in STAFF_NAMES[:staff]
    ]
    return Place(grid=grid, community=grid.community, workers=workers)


async def residents(session: AsyncSession, grid: Grid, now: datetime, count: int) -> list[Resident]:
    return [await factories.resident(session, grid, now, f"r{n}") for n in range(1, count + 1)]
