"""The ticket lifecycle: open, route, claim, converse, resolve, rate — all logged."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import local
from county import routing, sla, urgency
from county.models import (
    OPEN_STATUSES,
    Category,
    EventKind,
    Grid,
    Party,
    Priority,
    Resident,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketStatus,
    Worker,
)
from county.routing import RouteLevel, RoutingDecision


@dataclass(frozen=True)
class TicketDetails:
    """What the request itself says beyond its text: when, where, how to call back."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    wanted_at: datetime | None = None
    wanted_until: datetime | None = None
    phone: str | None = None
    address: str | None = None
    photo: dict[str, Any] | None = None


def initial_priority(category: Category, text: str) -> Priority:
    if category == Category.HAZARD:
        return Priority.RED if urgency.is_urgent_hazard(text) else Priority.YELLOW
    if category == Category.DISPUTE:
        return Priority.YELLOW
    return Priority.GREEN


async def next_ticket_number(session: AsyncSession, moment: datetime) -> str:
    """GL-YYYYMMDD-NNNN, counted per local day; one atomic upsert, safe under concurrency."""
    day = f"{local(moment):%Y%m%d}"
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(TicketCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": TicketCounter.last + 1})
        .returning(TicketCounter.last)
    )
    sequence = (await session.execute(statement)).scalar_one()
    return f"GL-{day}-{sequence:04d}"


def log_event(
    session: AsyncSession,
    ticket: Ticket,
    kind: EventKind,
    moment: datetime,
    *,
    actor: Party,
    actor_id: int | None = None,
    body: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    event = TicketEvent(
        ticket_id=ticket.id,
        at=moment,
        kind=kind,
        actor=actor,
        actor_id=actor_id,
        body=body,
        data=data,
    )
    session.add(event)
    return event


async def open_ticket(
    session: AsyncSession,
    *,
    resident: Resident,
    grid: Grid,
    category: Category,
    text: str,
    channel: str,
    moment: datetime,
    confidence: float | None = None,
    details: TicketDetails | None = None,
    emergency: bool = False,
) -> Ticket:
    details = details or TicketDetails()
    priority = Priority.RED if emergency else initial_priority(category, text)
    ticket = Ticket(
        number=await next_ticket_number(session, moment),
        category=category,
        priority=priority,
        status=TicketStatus.QUEUED,
        grid_id=grid.id,
        resident_id=resident.id,
        source_channel=channel,
        summary=text,
        nlu_confidence=confidence,
        entities=details.entities or None,
        appointment_at=details.wanted_at,
        appointment_until=details.wanted_until,
        contact_phone=details.phone,
        address=details.address,
        photo=details.photo,
        created_at=moment,
        updated_at=moment,
        resolve_due_at=sla.resolve_due(priority, moment),
        emergency=emergency,
    )
    session.add(ticket)
    await session.flush()
    await session.refresh(ticket, ["grid"])
    log_event(
        session,
        ticket,
        EventKind.CREATED,
        moment,
        actor=Party.RESIDENT,
        actor_id=resident.id,
        body=text,
        data={"category": category, "priority": ticket.priority, "confidence": confidence},
    )
    return ticket


def first_level_above(ticket: Ticket) -> RouteLevel | None:
    """Where routing starts for this ticket: above `route_above` when it is set."""
    return RouteLevel(ticket.route_above) if ticket.route_above else None


async def decide(session: AsyncSession, ticket: Ticket, moment: datetime) -> RoutingDecision:
    """Who should have the ticket now (not applied)."""
    return await routing.choose_assignee(
        session, ticket.grid, moment, after=first_level_above(ticket)
    )


async def route(session: AsyncSession, ticket: Ticket, moment: datetime) -> RoutingDecision:
    decision = await decide(session, ticket, moment)
    assign(session, ticket, decision, moment)
    return decision


def assign(
    session: AsyncSession,
    ticket: Ticket,
    decision: RoutingDecision,
    moment: datetime,
    kind: EventKind = EventKind.ROUTED,
    data: dict[str, Any] | None = None,
) -> None:
    """Apply a routing decision: a worker with an acknowledgement timer, or the queue."""
    ticket.updated_at = moment
    if decision.worker is None:
        ticket.status = TicketStatus.QUEUED
        ticket.assignee_id = None
        ticket.ack_due_at = None
        ticket.escalation_level = None
        expected = decision.expected_at.isoformat() if decision.expected_at else None
        log_event(session, ticket, EventKind.QUEUED, moment, actor=Party.SYSTEM,
                  data={"expected_at": expected, **(data or {})})  # fmt: skip
        return
    ticket.status = TicketStatus.ASSIGNED
    ticket.assignee_id = decision.worker.id
    ticket.assignee = decision.worker
    ticket.escalation_level = decision.level
    ticket.ack_due_at = sla.ack_due(ticket.category, ticket.priority, moment, ticket.emergency)
    log_event(session, ticket, kind, moment, actor=Party.SYSTEM, actor_id=decision.worker.id,
              data={"level": decision.level, **(data or {})})  # fmt: skip


class ClaimOutcome(enum.StrEnum):
    CLAIMED = "claimed"
    ALREADY_YOURS = "already_yours"
    TAKEN = "taken"
    CLOSED = "closed"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class ClaimResult:
    outcome: ClaimOutcome
    ticket: Ticket


async def claim(
    session: AsyncSession, ticket: Ticket, worker: Worker, moment: datetime
) -> ClaimResult:
    if ticket.status == TicketStatus.CLAIMED and ticket.assignee_id == worker.id:
        return ClaimResult(ClaimOutcome.ALREADY_YOURS, ticket)
    if not ticket.is_open:
        return ClaimResult(ClaimOutcome.CLOSED, ticket)
    if ticket.assignee_id != worker.id and not await routing.may_handle(
        session, worker, ticket.grid, emergency=ticket.emergency
    ):
        return ClaimResult(ClaimOutcome.NOT_ALLOWED, ticket)
    # The status test in the WHERE clause makes two simultaneous claims safe:
    # exactly one UPDATE matches, the other sees rowcount 0.
    result = await session.execute(
        update(Ticket)
        .where(
            Ticket.id == ticket.id, Ticket.status.in_([TicketStatus.QUEUED, TicketStatus.ASSIGNED])
        )
        .values(
            status=TicketStatus.CLAIMED,
            assignee_id=worker.id,
            claimed_at=moment,
            updated_at=moment,
            ack_due_at=None,  # acknowledged: the escalation timer stops
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(ticket)
    if result.rowcount != 1:
        if ticket.status == TicketStatus.CLAIMED and ticket.assignee_id == worker.id:
            return ClaimResult(ClaimOutcome.ALREADY_YOURS, ticket)
        return ClaimResult(
            ClaimOutcome.TAKEN if ticket.status == TicketStatus.CLAIMED else ClaimOutcome.CLOSED,
            ticket,
        )
    log_event(session, ticket, EventKind.CLAIMED, moment, actor=Party.WORKER, actor_id=worker.id)
    return ClaimResult(ClaimOutcome.CLAIMED, ticket)


async def resolve(
    session: AsyncSession, ticket: Ticket, worker: Worker, moment: datetime, note: str | None = None
) -> bool:
    result = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status.in_(OPEN_STATUSES))
        .values(
            status=TicketStatus.RESOLVED,
            resolved_at=moment,
            updated_at=moment,
            assignee_id=ticket.assignee_id or worker.id,
            ack_due_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(ticket)
    if result.rowcount != 1:
        return False
    log_event(
        session,
        ticket,
        EventKind.RESOLVED,
        moment,
        actor=Party.WORKER,
        actor_id=worker.id,
        body=note,
    )
    return True


async def cancel(
    session: AsyncSession, ticket: Ticket, resident: Resident, moment: datetime
) -> bool:
    result = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket.id, Ticket.status.in_(OPEN_STATUSES))
        .values(status=TicketStatus.CANCELLED, updated_at=moment, ack_due_at=None)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(ticket)
    if result.rowcount != 1:
        return False
    log_event(
        session, ticket, EventKind.CANCELLED, moment, actor=Party.RESIDENT, actor_id=resident.id
    )
    return True


# The lowest rating (不满意) reopens the ticket for supervision (督办) instead of closing it.
DISSATISFIED = 1


async def rate(
    session: AsyncSession, ticket: Ticket, resident: Resident, score: int, moment: datetime
) -> bool:
    """Record the resident's rating of a resolved ticket; a satisfied one is closed."""
    if ticket.status != TicketStatus.RESOLVED or ticket.rating is not None:
        return False
    ticket.rating = score
    ticket.updated_at = moment
    if score > DISSATISFIED:
        ticket.status = TicketStatus.CLOSED
    log_event(
        session,
        ticket,
        EventKind.RATED,
        moment,
        actor=Party.RESIDENT,
        actor_id=resident.id,
        data={"rating": score},
    )
    return True


async def ticket_by_number(session: AsyncSession, number: str) -> Ticket | None:
    return await session.scalar(select(Ticket).where(Ticket.number == number.upper()))


async def open_tickets_of_resident(session: AsyncSession, resident_id: int) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.resident_id == resident_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
    )
    return list((await session.scalars(query)).all())


async def recent_tickets_of_resident(
    session: AsyncSession, resident_id: int, limit: int = 5
) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.resident_id == resident_id)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def open_tickets_of_worker(session: AsyncSession, worker_id: int) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.assignee_id == worker_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.created_at)
    )
    return list((await session.scalars(query)).all())


async def queued_tickets(session: AsyncSession, grid_ids: list[int] | None = None) -> list[Ticket]:
    query = select(Ticket).where(Ticket.status == TicketStatus.QUEUED).order_by(Ticket.created_at)
    if grid_ids is not None:
        query = query.where(Ticket.grid_id.in_(grid_ids))
    return list((await session.scalars(query)).all())


async def events_of(session: AsyncSession, ticket_id: int) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    return list((await session.scalars(query)).all())


async def resident_of(session: AsyncSession, ticket: Ticket) -> Resident:
    resident = await session.get(Resident, ticket.resident_id)
    assert resident is not None
    return resident


async def residents_of(session: AsyncSession, found: Sequence[Ticket]) -> dict[int, Resident]:
    """The residents of several tickets in one query, by id."""
    ids = {t.resident_id for t in found}
    query = select(Resident).where(Resident.id.in_(ids))
    return {r.id: r for r in await session.scalars(query)}


async def thread_continued(
    session: AsyncSession, resident_id: int, fresh_after: int | None
) -> Ticket | None:
    """The newest claimed ticket of the resident's on which a worker has written — the
    conversation a plain message continues. `fresh_after` (an event id, set by /new)
    ignores worker messages up to it."""
    query = (
        select(Ticket)
        .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(
            Ticket.resident_id == resident_id,
            Ticket.status == TicketStatus.CLAIMED,
            TicketEvent.kind == EventKind.WORKER_MESSAGE,
        )
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    if fresh_after is not None:
        query = query.where(TicketEvent.id > fresh_after)
    return await session.scalar(query)


async def last_event_id(session: AsyncSession) -> int:
    return await session.scalar(select(func.max(TicketEvent.id))) or 0


async def awaiting_slot_since(session: AsyncSession, cutoff: datetime) -> list[Ticket]:
    """Appointment requests whose slot offer has gone unanswered since before `cutoff`."""
    query = select(Ticket).where(
        Ticket.status == TicketStatus.AWAITING_SLOT, Ticket.created_at <= cutoff
    )
    return list((await session.scalars(query)).unique().all())


async def overdue_for_ack(session: AsyncSession, now: datetime, limit: int) -> list[Ticket]:
    """Assigned tickets nobody acknowledged in time, most overdue first.

    On PostgreSQL the rows are locked with SKIP LOCKED, so several `gridline serve`
    processes can sweep at once without handling a ticket twice; SQLite runs one process.
    """
    ids = (
        select(Ticket.id)
        .where(Ticket.status == TicketStatus.ASSIGNED, Ticket.ack_due_at <= now)
        .order_by(Ticket.ack_due_at)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    locked = list((await session.scalars(ids)).all())
    if not locked:
        return []
    found = (await session.scalars(select(Ticket).where(Ticket.id.in_(locked)))).unique().all()
    return sorted(found, key=lambda t: (t.ack_due_at or now, t.id))


async def previous_assignees(
    session: AsyncSession, ticket_ids: Sequence[int]
) -> dict[int, frozenset[int]]:
    """Per ticket, every worker it was ever routed, escalated or transferred to."""
    query = select(TicketEvent.ticket_id, TicketEvent.actor_id).where(
        TicketEvent.ticket_id.in_(ticket_ids),
        TicketEvent.kind.in_([EventKind.ROUTED, EventKind.ESCALATED, EventKind.TRANSFERRED]),
        TicketEvent.actor_id.is_not(None),
    )
    found: dict[int, set[int]] = {ticket_id: set() for ticket_id in ticket_ids}
    for ticket_id, actor_id in (await session.execute(query)).all():
        found[ticket_id].add(int(actor_id))
    return {ticket_id: frozenset(ids) for ticket_id, ids in found.items()}


async def past_resolution_target(session: AsyncSession, now: datetime, limit: int) -> list[Ticket]:
    """Open, routed tickets past their resolution target that were not flagged yet."""
    flagged = select(TicketEvent.ticket_id).where(TicketEvent.kind == EventKind.RESOLUTION_OVERDUE)
    query = (
        select(Ticket)
        .where(
            Ticket.status.in_([TicketStatus.ASSIGNED, TicketStatus.CLAIMED]),
            Ticket.resolve_due_at <= now,
            Ticket.id.not_in(flagged),
        )
        .order_by(Ticket.resolve_due_at)
        .limit(limit)
    )
    return list((await session.scalars(query)).unique().all())


async def recently_active_open_ticket(
    session: AsyncSession, resident_id: int, since: datetime
) -> Ticket | None:
    """The resident's newest open ticket that they opened or wrote on since `since` — the
    one a message sent now most likely adds to."""
    wrote = (
        select(TicketEvent.ticket_id)
        .where(TicketEvent.kind == EventKind.RESIDENT_MESSAGE, TicketEvent.at >= since)
        .scalar_subquery()
    )
    query = (
        select(Ticket)
        .where(
            Ticket.resident_id == resident_id,
            Ticket.status.in_(OPEN_STATUSES),
            (Ticket.created_at >= since) | Ticket.id.in_(wrote),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


def pin(ticket: Ticket, latitude: float, longitude: float) -> None:
    """Where the problem is; shown on the ticket card."""
    ticket.latitude, ticket.longitude = latitude, longitude


# 督办 goes at least to the community officer: the backup is the grid worker's peer.
SUPERVISION_ABOVE = RouteLevel.BACKUP


async def reopen_for_supervision(
    session: AsyncSession, ticket: Ticket, resident: Resident, moment: datetime
) -> RoutingDecision:
    """督办: a dissatisfied resident's ticket goes back to work one level up the chain,
    and stays above the level that resolved it however it is routed from now on."""
    previous = ticket.assignee
    level = RouteLevel(ticket.escalation_level) if ticket.escalation_level else RouteLevel.GRID
    # At least the community officer; at most the town, the top of the chain.
    order = routing.LEVEL_ORDER.index
    above = min(max(level, SUPERVISION_ABOVE, key=order), RouteLevel.COMMUNITY, key=order)
    ticket.route_above = above
    ticket.resolved_at = None
    ticket.rating = None  # the next 办结 is rated afresh
    ticket.resolve_due_at = sla.resolve_due(ticket.priority, moment)
    log_event(session, ticket, EventKind.REOPENED, moment, actor=Party.RESIDENT,
              actor_id=resident.id, data={"previous": previous.id if previous else None,
                                          "above": above})  # fmt: skip
    exclude = frozenset({previous.id}) if previous else frozenset()
    decision = await routing.choose_assignee(
        session, ticket.grid, moment, after=above, exclude=exclude
    )
    assign(session, ticket, decision, moment)
    return decision


async def resolved_unrated_since(session: AsyncSession, cutoff: datetime) -> list[Ticket]:
    """Resolved tickets nobody rated, resolved at or before `cutoff`."""
    query = select(Ticket).where(
        Ticket.status == TicketStatus.RESOLVED,
        Ticket.rating.is_(None),
        Ticket.resolved_at <= cutoff,
    )
    return list((await session.scalars(query)).unique().all())


def close_unrated(session: AsyncSession, ticket: Ticket, moment: datetime) -> None:
    """已回访-未评价: the follow-up period passed without a rating."""
    ticket.status = TicketStatus.CLOSED
    ticket.updated_at = moment
    log_event(session, ticket, EventKind.FOLLOWUP_EXPIRED, moment, actor=Party.SYSTEM)


async def tickets_of_resident(session: AsyncSession, resident_id: int) -> list[Ticket]:
    """All of a resident's tickets: open ones first, each group newest first."""
    query = select(Ticket).where(Ticket.resident_id == resident_id)
    found = list((await session.scalars(query)).all())
    return sorted(found, key=lambda t: (not t.is_open, -t.created_at.timestamp(), -t.id))
