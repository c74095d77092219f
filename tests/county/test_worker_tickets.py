"""The worker's domain operations: numbers by their tail, notes, 升级, 转派, 并单, the queue."""

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from bot.runtime.container import Gridline
from county import tickets
from county.models import (
    Category,
    EventKind,
    Grid,
    GridPosition,
    Party,
    Priority,
    Ticket,
    TicketEvent,
    TicketStatus,
    Worker,
    WorkerRole,
)
from county.routing import RouteLevel, RoutingDecision
from county.tickets import MergeOutcome, number_tail
from tests import factories
from tests.conftest import FRIDAY_10AM

EVENING = [(d, time(17, 30), time(21, 0)) for d in range(5)]


@pytest.mark.parametrize(
    ("typed", "tail"),
    [
        ("12", "-0012"),
        ("0012", "-0012"),
        ("００１２", "-0012"),  # full-width digits from a Chinese keyboard
        ("20261127-12", "-20261127-0012"),
        ("1127-0012", "1127-0012"),  # how a list shows another day's ticket
        ("gl-20261127-0012", "GL-20261127-0012"),
        ("GL-2026", None),
        ("12345", None),
        ("办结", None),
        ("", None),
    ],
)
def test_number_tails(typed: str, tail: str | None) -> None:
    assert number_tail(typed) == tail


async def scene(gridline: Gridline) -> tuple[int, int, int, int]:
    """A grid with 王芳 (primary), 李强 (backup) and an evening community officer: ids."""
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        wang = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        li = await factories.worker(session, "李强", FRIDAY_10AM, grid=grid,
                                    position=GridPosition.BACKUP)  # fmt: skip
        officer = await factories.worker(session, "周婷", FRIDAY_10AM, shifts=EVENING,
                                         role=WorkerRole.COMMUNITY_OFFICER,
                                         community_id=grid.community_id)  # fmt: skip
        await session.commit()
        return grid.id, wang.id, li.id, officer.id


async def test_a_tail_finds_the_one_open_ticket_and_asks_when_several_are(
    gridline: Gridline,
) -> None:
    grid_id, wang_id, _, _ = await scene(gridline)
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        assert grid is not None
        resident = await factories.resident(session, grid, FRIDAY_10AM)
        yesterday = await factories.ticket(session, grid, resident, FRIDAY_10AM - timedelta(days=1))
        today = await factories.ticket(session, grid, resident, FRIDAY_10AM)
        assert (yesterday.number, today.number) == ("GL-20261126-0001", "GL-20261127-0001")
        scope = {"grid_ids": [grid.id], "worker_id": wang_id}
        both = await tickets.find_by_number(session, "1", **scope)
        assert [t.number for t in both] == [today.number, yesterday.number]  # newest first
        assert await tickets.find_by_number(session, "1126-1", **scope) == [yesterday]
        # Once one is closed, "0001" means the open one.
        await tickets.resolve(session, yesterday, await session.get(Worker, wang_id),
                              FRIDAY_10AM)  # fmt: skip
        assert await tickets.find_by_number(session, "0001", **scope) == [today]
        # A tail only searches the worker's own grids; a full number searches everywhere.
        assert await tickets.find_by_number(session, "0001", grid_ids=[], worker_id=0) == []
        found = await tickets.find_by_number(session, yesterday.number, grid_ids=[], worker_id=0)
        assert found == [yesterday]
        assert await tickets.find_by_number(session, "9999", **scope) == []
        assert await tickets.find_by_number(session, "路灯", **scope) == []


async def test_a_note_is_on_record_and_changes_nothing_else(gridline: Gridline) -> None:
    grid_id, wang_id, _, _ = await scene(gridline)
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        wang = await session.get(Worker, wang_id)
        assert grid is not None and wang is not None
        ticket = await factories.ticket(session, grid, await factories.resident(session, grid,
                                        FRIDAY_10AM), FRIDAY_10AM)  # fmt: skip
        before = ticket.updated_at
        tickets.add_note(session, ticket, wang, "居民白天不在家", FRIDAY_10AM + timedelta(hours=1))
        await session.commit()
        (note,) = (await session.scalars(
            select(TicketEvent).where(TicketEvent.kind == EventKind.NOTE))).all()  # fmt: skip
    assert (note.body, note.actor_id) == ("居民白天不在家", wang_id)
    assert ticket.updated_at == before  # so no card is re-rendered for it


async def test_manual_escalation_skips_the_backup_and_needs_someone_on_duty(
    gridline: Gridline,
) -> None:
    grid_id, wang_id, _, officer_id = await scene(gridline)
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        wang = await session.get(Worker, wang_id)
        assert grid is not None and wang is not None
        ticket = await factories.ticket(session, grid, await factories.resident(session, grid,
                                        FRIDAY_10AM), FRIDAY_10AM)  # fmt: skip
        tickets.assign(session, ticket, RoutingDecision(RouteLevel.GRID, wang), FRIDAY_10AM)
        await tickets.claim(session, ticket, wang, FRIDAY_10AM)
        # 10:00: the community officer works evenings only; the backup is no supervisor.
        nobody = await tickets.escalate_manually(session, ticket, wang, "需要社区协调", FRIDAY_10AM)
        assert nobody.worker is None
        assert nobody.expected_at == FRIDAY_10AM.replace(hour=17, minute=30)
        assert ticket.status == TicketStatus.CLAIMED and ticket.assignee_id == wang_id
        evening = FRIDAY_10AM.replace(hour=18)
        up = await tickets.escalate_manually(session, ticket, wang, "需要社区协调", evening)
        assert up.worker is not None and up.worker.id == officer_id
        assert up.level == RouteLevel.COMMUNITY
        assert ticket.status == TicketStatus.ASSIGNED and ticket.assignee_id == officer_id
        assert ticket.ack_due_at is not None and ticket.ack_due_at > evening
        event = (await tickets.events_of(session, ticket.id))[-1]
        assert event.kind == EventKind.ESCALATED
        assert event.data == {"level": "community", "manual": True, "reason": "需要社区协调",
                              "by": wang_id, "from": wang_id, "from_level": "grid"}  # fmt: skip
        # The town has no officer in this county: at the community level there is no one.
        top = await tickets.escalate_manually(session, ticket, wang, "再升", evening)
        assert top.worker is None and top.expected_at is None


async def test_merge_closes_the_duplicate_once_and_only_into_a_related_ticket(
    gridline: Gridline,
) -> None:
    grid_id, wang_id, _, _ = await scene(gridline)
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        wang = await session.get(Worker, wang_id)
        assert grid is not None and wang is not None
        other_grid = Grid(community_id=grid.community_id, code="T-C-02", name="第二网格")
        session.add(other_grid)
        await session.flush()
        zhang = await factories.resident(session, grid, FRIDAY_10AM, "r1")
        chen = await factories.resident(session, other_grid, FRIDAY_10AM, "r2")
        kept = await factories.ticket(session, grid, zhang, FRIDAY_10AM, "3栋路灯坏了")
        duplicate = await factories.ticket(session, grid, zhang, FRIDAY_10AM, "3栋门口路灯不亮")
        elsewhere = await factories.ticket(session, other_grid, chen, FRIDAY_10AM, "8栋电线")
        closed = await factories.ticket(session, grid, zhang, FRIDAY_10AM, "早办完了")
        await tickets.resolve(session, closed, wang, FRIDAY_10AM)

        candidates = await tickets.merge_candidates(session, duplicate)
        assert [t.id for t in candidates] == [kept.id]  # open, related, not itself
        assert await tickets.merge(session, duplicate, duplicate, wang, FRIDAY_10AM) == (
            MergeOutcome.SAME
        )
        assert await tickets.merge(session, elsewhere, kept, wang, FRIDAY_10AM) == (
            MergeOutcome.UNRELATED
        )
        assert await tickets.merge(session, duplicate, closed, wang, FRIDAY_10AM) == (
            MergeOutcome.CLOSED
        )
        assert await tickets.merge(session, duplicate, kept, wang, FRIDAY_10AM) == (
            MergeOutcome.MERGED
        )
        assert duplicate.status == TicketStatus.MERGED and duplicate.merged_into_id == kept.id
        assert not duplicate.is_open and kept.is_open
        # A double press: the duplicate is no longer open.
        assert await tickets.merge(session, duplicate, kept, wang, FRIDAY_10AM) == (
            MergeOutcome.CLOSED
        )
        assert await tickets.merged_into(session, kept.id) == [duplicate]
        kinds = {e.kind: e for e in await tickets.events_of(session, kept.id)}
        received = kinds[EventKind.MERGE_RECEIVED].data
        assert received == {"from": duplicate.id, "from_number": duplicate.number}
        events = await tickets.events_of(session, duplicate.id)
        assert [e.kind for e in events].count(EventKind.MERGED) == 1


async def test_the_queue_lists_queued_and_unclaimed_most_urgent_first(gridline: Gridline) -> None:
    grid_id, wang_id, li_id, _ = await scene(gridline)
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        wang = await session.get(Worker, wang_id)
        li = await session.get(Worker, li_id)
        assert grid is not None and wang is not None and li is not None
        resident = await factories.resident(session, grid, FRIDAY_10AM)
        green = await factories.ticket(session, grid, resident, FRIDAY_10AM, "低保怎么申请",
                                       Category.WELFARE)  # fmt: skip
        red = await factories.ticket(session, grid, resident, FRIDAY_10AM + timedelta(minutes=1),
                                     "闻到一股煤气味")  # fmt: skip
        assigned = await factories.ticket(session, grid, resident, FRIDAY_10AM, "井盖没了")
        tickets.assign(session, assigned, RoutingDecision(RouteLevel.BACKUP, li), FRIDAY_10AM)
        claimed = await factories.ticket(session, grid, resident, FRIDAY_10AM, "树倒了")
        tickets.assign(session, claimed, RoutingDecision(RouteLevel.GRID, wang), FRIDAY_10AM)
        await tickets.claim(session, claimed, wang, FRIDAY_10AM)
        assert red.priority == Priority.RED
        waiting = await tickets.waiting_in_grids(session, [grid.id])
        assert [t.id for t in waiting] == [red.id, assigned.id, green.id]
        assert await tickets.waiting_in_grids(session, []) == []


async def test_a_colleague_outside_the_grid_cannot_be_handed_a_ticket(gridline: Gridline) -> None:
    grid_id, wang_id, li_id, _ = await scene(gridline)
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        wang = await session.get(Worker, wang_id)
        li = await session.get(Worker, li_id)
        assert grid is not None and wang is not None and li is not None
        stranger = await factories.worker(session, "外人", FRIDAY_10AM)
        ticket = await factories.ticket(session, grid, await factories.resident(session, grid,
                                        FRIDAY_10AM), FRIDAY_10AM)  # fmt: skip
        assert not await tickets.transfer_to_worker(session, ticket, stranger, wang, "试试",
                                                    FRIDAY_10AM)  # fmt: skip
        assert ticket.status == TicketStatus.QUEUED
        assert await tickets.transfer_to_worker(session, ticket, li, wang, "协助", FRIDAY_10AM)
        assert ticket.status == TicketStatus.ASSIGNED and ticket.assignee_id == li_id
        assert ticket.escalation_level == RouteLevel.BACKUP
        had = await tickets.previous_assignees(session, [ticket.id])
        assert had[ticket.id] == frozenset({li_id})


async def test_resolution_notices_due_tells_held_from_unflagged(gridline: Gridline) -> None:
    grid_id, wang_id, _, _ = await scene(gridline)
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        wang = await session.get(Worker, wang_id)
        assert grid is not None and wang is not None
        ticket = await factories.ticket(session, grid, await factories.resident(session, grid,
                                        FRIDAY_10AM), FRIDAY_10AM)  # fmt: skip
        tickets.assign(session, ticket, RoutingDecision(RouteLevel.GRID, wang), FRIDAY_10AM)
        late = FRIDAY_10AM + timedelta(days=2)
        assert await tickets.resolution_notices_due(session, late, 10) == [(ticket, False)]
        ticket.overdue_notice_at = late + timedelta(hours=1)  # held, not flagged yet
        assert await tickets.resolution_notices_due(session, late, 10) == []
        tickets.log_event(session, ticket, EventKind.RESOLUTION_OVERDUE, late,
                          actor=Party.SYSTEM)  # fmt: skip
        later = late + timedelta(hours=1)
        assert await tickets.resolution_notices_due(session, later, 10) == [(ticket, True)]
        ticket.overdue_notice_at = None  # told: never again
        assert await tickets.resolution_notices_due(session, later, 10) == []
        assert (await session.get(Ticket, ticket.id)) is ticket
