import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.runtime.container import Gridline
from county import tickets
from county.models import (
    Category,
    EventKind,
    GridPosition,
    Priority,
    Ticket,
    TicketEvent,
    TicketStatus,
    Worker,
)
from county.tickets import ClaimOutcome, initial_priority
from tests import factories
from tests.conftest import FRIDAY_10AM


async def test_ticket_numbers_count_per_local_day(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        first = await tickets.next_ticket_number(session, FRIDAY_10AM)
        second = await tickets.next_ticket_number(session, FRIDAY_10AM)
        # 23:30 local on Friday is still Friday; 00:10 Saturday starts again at 0001.
        late = await tickets.next_ticket_number(session, FRIDAY_10AM.replace(hour=23, minute=30))
        saturday = await tickets.next_ticket_number(session, FRIDAY_10AM + timedelta(hours=14))
    assert (first, second, late) == ("GL-20261127-0001", "GL-20261127-0002", "GL-20261127-0003")
    assert saturday == "GL-20261128-0001"


async def test_concurrent_numbering_never_repeats(gridline: Gridline) -> None:
    async def one() -> str:
        async with gridline.sessions() as session:
            number = await tickets.next_ticket_number(session, FRIDAY_10AM)
            await session.commit()
            return number

    numbers = await asyncio.gather(*(one() for _ in range(20)))
    assert len(set(numbers)) == 20


def test_priority_colours() -> None:
    assert initial_priority(Category.HAZARD, "闻到一股煤气味") == Priority.RED
    assert initial_priority(Category.HAZARD, "井盖没了") == Priority.YELLOW
    assert initial_priority(Category.DISPUTE, "楼上太吵") == Priority.YELLOW
    assert initial_priority(Category.WELFARE, "低保怎么申请") == Priority.GREEN


async def test_lifecycle_is_logged_from_open_to_rating(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        worker = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        resident = await factories.resident(session, grid, FRIDAY_10AM)
        ticket = await factories.ticket(
            session, grid, resident, FRIDAY_10AM, "井盖没了", Category.HAZARD
        )
        assert ticket.status == TicketStatus.QUEUED
        await tickets.route(session, ticket, FRIDAY_10AM)
        assert (ticket.status, ticket.assignee_id) == (TicketStatus.ASSIGNED, worker.id)
        result = await tickets.claim(session, ticket, worker, FRIDAY_10AM)
        assert result.outcome == ClaimOutcome.CLAIMED and ticket.status == TicketStatus.CLAIMED
        again = await tickets.claim(session, ticket, worker, FRIDAY_10AM)
        assert again.outcome == ClaimOutcome.ALREADY_YOURS
        assert await tickets.resolve(session, ticket, worker, FRIDAY_10AM)
        assert ticket.status == TicketStatus.RESOLVED and ticket.resolved_at is not None
        assert not await tickets.resolve(session, ticket, worker, FRIDAY_10AM)
        assert (await tickets.claim(session, ticket, worker, FRIDAY_10AM)).outcome == (
            ClaimOutcome.CLOSED
        )
        assert await tickets.rate(session, ticket, resident, 3, FRIDAY_10AM)
        assert not await tickets.rate(session, ticket, resident, 1, FRIDAY_10AM)
        await session.commit()
        kinds = [e.kind for e in await tickets.events_of(session, ticket.id)]
    assert kinds == [
        EventKind.CREATED,
        EventKind.ROUTED,
        EventKind.CLAIMED,
        EventKind.RESOLVED,
        EventKind.RATED,
    ]


async def test_claim_taken_by_another_and_outsider_refused(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        first = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        second = await factories.worker(
            session, "李强", FRIDAY_10AM, grid=grid, position=GridPosition.BACKUP
        )
        outsider = await factories.worker(session, "外人", FRIDAY_10AM)
        resident = await factories.resident(session, grid, FRIDAY_10AM)
        ticket = await factories.ticket(
            session, grid, resident, FRIDAY_10AM, "楼上太吵", Category.DISPUTE
        )
        await tickets.route(session, ticket, FRIDAY_10AM)
        assert (await tickets.claim(session, ticket, outsider, FRIDAY_10AM)).outcome == (
            ClaimOutcome.NOT_ALLOWED
        )
        assert (await tickets.claim(session, ticket, second, FRIDAY_10AM)).outcome == (
            ClaimOutcome.CLAIMED
        )
        assert (await tickets.claim(session, ticket, first, FRIDAY_10AM)).outcome == (
            ClaimOutcome.TAKEN
        )


async def test_simultaneous_claims_have_exactly_one_winner(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        workers = [
            await factories.worker(session, f"网格员{i}", FRIDAY_10AM, grid=grid) for i in range(4)
        ]
        resident = await factories.resident(session, grid, FRIDAY_10AM)
        ticket = await factories.ticket(
            session, grid, resident, FRIDAY_10AM, "电线垂下来了", Category.HAZARD
        )
        await tickets.route(session, ticket, FRIDAY_10AM)
        await session.commit()
        ticket_id, worker_ids = ticket.id, [w.id for w in workers]

    async def attempt(worker_id: int) -> ClaimOutcome:
        async with gridline.sessions() as session:
            own_ticket = await session.get(Ticket, ticket_id)
            person = await session.get(Worker, worker_id)
            assert own_ticket is not None and person is not None
            outcome = (await tickets.claim(session, own_ticket, person, FRIDAY_10AM)).outcome
            await session.commit()
            return outcome

    outcomes = await asyncio.gather(*(attempt(w) for w in worker_ids))
    assert outcomes.count(ClaimOutcome.CLAIMED) == 1
    assert all(o == ClaimOutcome.TAKEN for o in outcomes if o != ClaimOutcome.CLAIMED)
    async with gridline.sessions() as session:
        claims = (
            await session.scalars(
                select(TicketEvent).where(
                    TicketEvent.ticket_id == ticket_id, TicketEvent.kind == EventKind.CLAIMED
                )
            )
        ).all()
        assert len(claims) == 1


async def test_cancel_only_open_tickets(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        resident = await factories.resident(session, grid, FRIDAY_10AM)
        ticket = await factories.ticket(
            session, grid, resident, FRIDAY_10AM, "低保怎么申请", Category.WELFARE
        )
        assert await tickets.cancel(session, ticket, resident, FRIDAY_10AM)
        assert ticket.status == TicketStatus.CANCELLED
        assert not await tickets.cancel(session, ticket, resident, FRIDAY_10AM)
