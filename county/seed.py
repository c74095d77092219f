"""A small demo county, so a newcomer can talk to the bot within a minute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from county.appointments import add_window
from county.models import (
    Community,
    CommunityKind,
    Grid,
    GridPosition,
    Town,
    Worker,
    WorkerRole,
)
from county.workers import DAY_SHIFT, WORKING_WEEKDAYS, assign_grid, weekly_shifts

EVENING_SHIFT = (time(17, 30), time(21, 0))


@dataclass(frozen=True)
class DemoGrid:
    code: str
    name: str
    latitude: float
    longitude: float
    description: str


@dataclass(frozen=True)
class DemoCommunity:
    code: str
    name: str
    kind: CommunityKind
    grids: tuple[DemoGrid, ...]


DEMO_TOWN = ("CG", "城关镇")
DEMO_COMMUNITIES = (
    DemoCommunity("CG-XF", "幸福社区", CommunityKind.COMMUNITY, (
        DemoGrid("CG-XF-01", "第一网格", 30.9262, 113.9151, "幸福小区1–6栋、幸福路东段、农贸市场"),
        DemoGrid("CG-XF-02", "第二网格", 30.9301, 113.9203, "幸福小区7–12栋、实验小学、文化广场"),
    )),
    DemoCommunity("CG-DF", "东风社区", CommunityKind.COMMUNITY, (
        DemoGrid("CG-DF-01", "第一网格", 30.9185, 113.9087, "东风路、东风市场、纺织厂宿舍"),
        DemoGrid("CG-DF-02", "第二网格", 30.9149, 113.9022, "东风新村、汽车站、卫生院"),
    )),
    DemoCommunity("CG-XY", "向阳村", CommunityKind.VILLAGE, (
        DemoGrid("CG-XY-01", "第一网格", 30.8957, 113.8764, "向阳村一至五组、村委会、石桥"),
    )),
)  # fmt: skip
# (name, phone, primary grid, backup grids)
DEMO_GRID_WORKERS = (
    ("王芳", "13971000001", "CG-XF-01", ("CG-XF-02",)),
    ("李强", "13971000002", "CG-XF-02", ("CG-XF-01",)),
    ("张敏", "13971000003", "CG-DF-01", ("CG-DF-02",)),
    ("刘洋", "13971000004", "CG-DF-02", ("CG-DF-01",)),
    ("陈刚", "13971000005", "CG-XY-01", ()),
)
# 幸福社区's duty officer works weekday evenings (错时服务), after the grid workers.
DEMO_EVENING_OFFICER = ("周婷", "13971000006")


# Off-hours appointment windows (错时服务): (community, weekdays, hours, serving workers).
DEMO_SERVICE_WINDOWS = (
    ("CG-XF", tuple(WORKING_WEEKDAYS), (time(18, 0), time(21, 0)), ("周婷",)),
    ("CG-XF", (5,), (time(9, 0), time(12, 0)), ("王芳", "李强")),
    ("CG-DF", (5,), (time(9, 0), time(12, 0)), ("张敏", "刘洋")),
    ("CG-XY", (6,), (time(14, 0), time(17, 0)), ("陈刚",)),
)


async def county_is_empty(session: AsyncSession) -> bool:
    return not await session.scalar(select(func.count()).select_from(Town))


async def seed_demo(session: AsyncSession, moment: datetime) -> bool:
    """Create the demo county; returns False (and changes nothing) if places exist already."""
    if not await county_is_empty(session):
        return False
    town = Town(code=DEMO_TOWN[0], name=DEMO_TOWN[1])
    session.add(town)
    await session.flush()
    grids: dict[str, Grid] = {}
    communities: dict[str, Community] = {}
    for spec in DEMO_COMMUNITIES:
        community = Community(town_id=town.id, code=spec.code, name=spec.name, kind=spec.kind)
        session.add(community)
        await session.flush()
        communities[spec.code] = community
        for grid_spec in spec.grids:
            grid = Grid(
                community_id=community.id,
                code=grid_spec.code,
                name=grid_spec.name,
                latitude=grid_spec.latitude,
                longitude=grid_spec.longitude,
                description=grid_spec.description,
            )
            session.add(grid)
            grids[grid_spec.code] = grid
    await session.flush()
    workers: dict[str, Worker] = {}
    for name, phone, primary, backups in DEMO_GRID_WORKERS:
        worker = Worker(
            name=name, phone=phone, role=WorkerRole.GRID_WORKER, created_at=moment,
            shifts=weekly_shifts(DAY_SHIFT),
        )  # fmt: skip
        session.add(worker)
        await session.flush()
        workers[name] = worker
        assign_grid(session, worker, grids[primary], GridPosition.PRIMARY)
        for backup in backups:
            assign_grid(session, worker, grids[backup], GridPosition.BACKUP)
    officer_name, officer_phone = DEMO_EVENING_OFFICER
    officer = Worker(
        name=officer_name, phone=officer_phone, role=WorkerRole.COMMUNITY_OFFICER,
        community_id=communities["CG-XF"].id, created_at=moment,
        shifts=weekly_shifts(EVENING_SHIFT),
    )  # fmt: skip
    session.add(officer)
    await session.flush()
    workers[officer_name] = officer
    for code, weekdays, (starts, ends), names in DEMO_SERVICE_WINDOWS:
        for weekday in weekdays:
            await add_window(
                session, communities[code], weekday=weekday, starts=starts, ends=ends,
                slot_minutes=30, label="错时服务", workers=[workers[n] for n in names],
            )  # fmt: skip
    return True
