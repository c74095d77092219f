from datetime import time, timedelta

from bot.runtime.container import Gridline
from county import routing, tickets
from county.models import DutyOverride, Grid, GridPosition, WorkerRole
from county.roster import end_of_local_day
from county.routing import RouteLevel, choose_assignee
from tests import factories
from tests.conftest import FRIDAY_10AM


async def test_on_duty_primary_gets_the_ticket(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        primary = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        await factories.worker(
            session, "李强", FRIDAY_10AM, grid=grid, position=GridPosition.BACKUP
        )
        decision = await choose_assignee(session, grid, FRIDAY_10AM)
        assert decision.level == RouteLevel.GRID
        assert decision.worker is not None and decision.worker.id == primary.id


async def test_chain_backup_then_community_then_town(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        primary = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        backup = await factories.worker(
            session, "李强", FRIDAY_10AM, grid=grid, position=GridPosition.BACKUP
        )
        officer = await factories.worker(
            session,
            "周婷",
            FRIDAY_10AM,
            role=WorkerRole.COMMUNITY_OFFICER,
            community_id=grid.community_id,
        )
        town = await factories.worker(
            session,
            "赵磊",
            FRIDAY_10AM,
            role=WorkerRole.TOWN_OFFICER,
            town_id=grid.community.town_id,
        )
        expected = [
            (RouteLevel.BACKUP, backup),
            (RouteLevel.COMMUNITY, officer),
            (RouteLevel.TOWN, town),
        ]
        for person, (level, next_in_line) in zip([primary, backup, officer], expected, strict=True):
            person.duty_override = DutyOverride.OFF
            person.duty_override_until = end_of_local_day(FRIDAY_10AM)
            decision = await choose_assignee(session, grid, FRIDAY_10AM)
            assert decision.level == level
            assert decision.worker is not None and decision.worker.id == next_in_line.id


async def test_unreachable_worker_is_skipped(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid, reachable=False)
        backup = await factories.worker(
            session, "李强", FRIDAY_10AM, grid=grid, position=GridPosition.BACKUP
        )
        decision = await choose_assignee(session, grid, FRIDAY_10AM)
        assert decision.worker is not None and decision.worker.id == backup.id


async def test_nobody_on_duty_queues_with_honest_expectation(gridline: Gridline) -> None:
    saturday = FRIDAY_10AM + timedelta(days=1)
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        await factories.worker(
            session,
            "周婷",
            FRIDAY_10AM,
            role=WorkerRole.COMMUNITY_OFFICER,
            community_id=grid.community_id,
            shifts=[(5, time(18, 0), time(21, 0))],
        )
        decision = await choose_assignee(session, grid, saturday)
        assert decision.level == RouteLevel.QUEUE and decision.worker is None
        # Saturday 18:00 evening shift comes before Monday's day shift.
        assert decision.expected_at == saturday.replace(hour=18)


async def test_queue_without_anyone_reachable_has_no_expected_time(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid, reachable=False)
        decision = await choose_assignee(session, grid, FRIDAY_10AM)
        assert decision.level == RouteLevel.QUEUE and decision.expected_at is None


async def test_fewest_open_tickets_wins_among_several_on_duty(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        first = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        second = await factories.worker(session, "李强", FRIDAY_10AM, grid=grid)
        resident = await factories.resident(session, grid, FRIDAY_10AM)
        chosen = []
        for _ in range(4):
            ticket = await factories.ticket(session, grid, resident, FRIDAY_10AM)
            decision = await tickets.route(session, ticket, FRIDAY_10AM)
            await session.flush()
            assert decision.worker is not None
            chosen.append(decision.worker.id)
        assert chosen == [first.id, second.id, first.id, second.id]


async def test_any_worker_of_the_community_may_take_an_emergency(gridline: Gridline) -> None:
    now = gridline.clock.now()
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        other = Grid(community_id=grid.community_id, code="T-C-02", name="第二网格")
        session.add(other)
        await session.flush()
        await session.refresh(other, ["community"])
        neighbour = await factories.worker(session, "邻格员", now, grid=other)
        assert not await routing.may_handle(session, neighbour, grid)
        # Everyone on duty in the community gets an emergency's card: all of them may take it.
        assert await routing.may_handle(session, neighbour, grid, emergency=True)
