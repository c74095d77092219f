"""Small, explicit builders for test counties."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from county import tickets
from county.models import (
    Category,
    Community,
    Grid,
    GridAssignment,
    GridPosition,
    Resident,
    Shift,
    Ticket,
    Town,
    Worker,
    WorkerRole,
)
from county.seed import seed_demo

WEEKDAY_DAY_SHIFT = [(d, time(8, 30), time(17, 30)) for d in range(5)]


async def place(session: AsyncSession) -> Grid:
    """One town, one community, one grid."""
    town = Town(code="T", name="测试镇")
    session.add(town)
    await session.flush()
    community = Community(town_id=town.id, code="T-C", name="测试社区")
    session.add(community)
    await session.flush()
    grid = Grid(
        community_id=community.id, code="T-C-01", name="第一网格", latitude=30.0, longitude=114.0
    )
    session.add(grid)
    await session.flush()
    await session.refresh(grid, ["community"])
    return grid


async def worker(
    session: AsyncSession,
    name: str,
    now: datetime,
    *,
    grid: Grid | None = None,
    position: GridPosition = GridPosition.PRIMARY,
    role: WorkerRole = WorkerRole.GRID_WORKER,
    shifts: list[tuple[int, time, time]] | None = None,
    reachable: bool = True,
    community_id: int | None = None,
    town_id: int | None = None,
) -> Worker:
    shift_rows = WEEKDAY_DAY_SHIFT if shifts is None else shifts
    person = Worker(
        name=name,
        role=role,
        created_at=now,
        community_id=community_id,
        town_id=town_id,
        shifts=[Shift(weekday=d, starts=s, ends=e) for d, s, e in shift_rows],
    )
    session.add(person)
    await session.flush()
    if reachable:
        person.channel, person.external_id, person.chat_id = (
            "test",
            f"w{person.id}",
            f"w{person.id}",
        )
    if grid is not None:
        session.add(GridAssignment(worker_id=person.id, grid_id=grid.id, position=position))
    await session.flush()
    return person


async def resident(
    session: AsyncSession, grid: Grid | None, now: datetime, external_id: str = "r1"
) -> Resident:
    person = Resident(
        channel="test",
        external_id=external_id,
        chat_id=external_id,
        display_name="张阿姨",
        grid_id=grid.id if grid else None,
        created_at=now,
    )
    session.add(person)
    await session.flush()
    return person


async def demo_county(session: AsyncSession, now: datetime) -> None:
    await seed_demo(session, now)
    await session.commit()


async def demo_worker(session: AsyncSession, name: str) -> Worker:
    found = await session.scalar(select(Worker).where(Worker.name == name))
    assert found is not None
    return found


async def ticket(
    session: AsyncSession,
    grid: Grid,
    person: Resident,
    now: datetime,
    text: str = "井盖没了",
    category: Category = Category.HAZARD,
) -> Ticket:
    return await tickets.open_ticket(
        session,
        resident=person,
        grid=grid,
        category=category,
        text=text,
        channel="test",
        moment=now,
    )
