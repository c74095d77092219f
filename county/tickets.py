"""The ticket lifecycle: open, route, claim, converse, resolve, rate — all logged."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
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


async def open_tickets_of_worker(session: AsyncSession, worker_id: int) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.assignee_id == worker_id, Ticket.status.in_(OPEN_STATUSES))
        .order_by(Ticket.created_at, Ticket.id)
    )
    return list((await session.scalars(query)).all())


async def queued_tickets(session: AsyncSession, grid_ids: list[int] | None = None) -> list[Ticket]:
    query = (
        select(Ticket)
        .where(Ticket.status == TicketStatus.QUEUED)
        .order_by(Ticket.created_at, Ticket.id)
    )
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


# ---- the worker's day: numbers, notes, escalation, transfer, merge ------------------------

# At most this many tickets are offered when a shortened number fits several.
MAX_MATCHES = 6
_FULL_NUMBER = re.compile(r"GL-\d{8}-\d{4,}")
_SEQUENCE_TAIL = re.compile(r"\d{1,4}")
_DAY_TAIL = re.compile(r"(\d{8}|\d{4})-(\d{1,4})")


def number_tail(text: str) -> str | None:
    """What a typed number must end with: '12' and '0012' → '-0012'; '20261127-12' →
    '-20261127-0012'; '1127-0012' (how lists show another day's ticket) → '1127-0012'; a
    full number → itself. None when it is no ticket number at all."""
    plain = unicodedata.normalize("NFKC", text).strip().upper()
    if _FULL_NUMBER.fullmatch(plain):
        return plain
    if _SEQUENCE_TAIL.fullmatch(plain):
        return f"-{int(plain):04d}"
    day = _DAY_TAIL.fullmatch(plain)
    if day:
        # Eight digits are the whole date (so the tail starts at its dash); four are its end.
        start = "-" if len(day.group(1)) == 8 else ""
        return f"{start}{day.group(1)}-{int(day.group(2)):04d}"
    return None


async def find_by_number(
    session: AsyncSession, text: str, *, grid_ids: Sequence[int], worker_id: int
) -> list[Ticket]:
    """The tickets a worker may mean by a number or its tail (0012, 20261127-0012).

    A full number is looked up anywhere (permission is the caller's question). A tail
    only matches tickets of the worker's grids or assigned to them, newest first; when
    several match and exactly one is still open, that one is meant. More than one
    result means: ask (at most `MAX_MATCHES`).
    """
    tail = number_tail(text)
    if tail is None:
        return []
    if tail.startswith("GL-"):
        found = await ticket_by_number(session, tail)
        return [found] if found is not None else []
    query = (
        select(Ticket)
        .where(
            Ticket.number.endswith(tail, autoescape=True),
            or_(Ticket.grid_id.in_(grid_ids), Ticket.assignee_id == worker_id),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(MAX_MATCHES)
    )
    found_all = list((await session.scalars(query)).unique().all())
    still_open = [t for t in found_all if t.is_open]
    return still_open if len(found_all) > 1 and len(still_open) == 1 else found_all


def add_note(
    session: AsyncSession, ticket: Ticket, worker: Worker, text: str, moment: datetime
) -> TicketEvent:
    """An internal note (内部备注): on the ticket's record, never sent to the resident.
    The ticket itself is unchanged (`updated_at` too: its cards need no edit)."""
    return log_event(session, ticket, EventKind.NOTE, moment, actor=Party.WORKER,
                     actor_id=worker.id, body=text)  # fmt: skip


async def escalate_manually(
    session: AsyncSession, ticket: Ticket, worker: Worker, reason: str, moment: datetime
) -> RoutingDecision:
    """升级: hand the ticket one level up the chain, with the reason on record.

    A grid-level ticket goes to the community: a backup is the grid worker's peer, not
    the one to escalate to. The decision names nobody (and nothing changes) when the
    ticket is at the top already or nobody above is on duty; `expected_at` then says when
    someone above will be.
    """
    level = RouteLevel(ticket.escalation_level) if ticket.escalation_level else RouteLevel.GRID
    after = RouteLevel.BACKUP if level in (RouteLevel.GRID, RouteLevel.BACKUP) else level
    if after == RouteLevel.TOWN:
        return RoutingDecision(RouteLevel.QUEUE, None)
    decision = await routing.choose_assignee(
        session, ticket.grid, moment, after=after, exclude=frozenset({worker.id})
    )
    if decision.worker is None:
        return decision
    previous = ticket.assignee_id
    assign(session, ticket, decision, moment, EventKind.ESCALATED,
           {"manual": True, "reason": reason, "by": worker.id, "from": previous,
            "from_level": level})  # fmt: skip
    return decision


async def transfer_to_grid(
    session: AsyncSession,
    ticket: Ticket,
    target: Grid,
    worker: Worker,
    reason: str,
    moment: datetime,
) -> RoutingDecision:
    """转派 to another grid: the ticket is routed there afresh, the reason on record."""
    source = ticket.grid
    ticket.grid_id, ticket.grid = target.id, target
    decision = await routing.choose_assignee(session, target, moment)
    assign(session, ticket, decision, moment, EventKind.TRANSFERRED,
           {"from_grid": source.code, "to_grid": target.code, "reason": reason,
            "by": worker.id})  # fmt: skip
    return decision


async def transfer_to_worker(
    session: AsyncSession,
    ticket: Ticket,
    colleague: Worker,
    worker: Worker,
    reason: str,
    moment: datetime,
) -> bool:
    """转派 to a colleague of the same grid, who has to 接单 like any assignee; False when
    the colleague is not in the grid's chain."""
    chain = await routing.escalation_chain(session, ticket.grid)
    level = next((lv for lv, ws in chain if any(w.id == colleague.id for w in ws)), None)
    if level is None:
        return False
    assign(session, ticket, RoutingDecision(level, colleague), moment, EventKind.TRANSFERRED,
           {"to_worker": colleague.id, "reason": reason, "by": worker.id})  # fmt: skip
    return True


class MergeOutcome(enum.StrEnum):
    MERGED = "merged"
    SAME = "same"  # a ticket cannot be merged into itself
    CLOSED = "closed"  # one of the two is closed already (a double press, say)
    UNRELATED = "unrelated"  # neither the same grid nor the same resident


async def merge(
    session: AsyncSession, duplicate: Ticket, kept: Ticket, worker: Worker, moment: datetime
) -> MergeOutcome:
    """并单: close `duplicate` as merged into `kept`, which carries on.

    Only tickets of the same grid or the same resident merge. The status test in the
    UPDATE makes a double press (or two workers at once) merge once. Moving the messages'
    thread is messaging's part (`messaging.inbound.move_to_ticket`, `messaging.outbox`).
    """
    if duplicate.id == kept.id:
        return MergeOutcome.SAME
    if not duplicate.is_open or not kept.is_open:
        return MergeOutcome.CLOSED
    if duplicate.grid_id != kept.grid_id and duplicate.resident_id != kept.resident_id:
        return MergeOutcome.UNRELATED
    result = await session.execute(
        update(Ticket)
        .where(Ticket.id == duplicate.id, Ticket.status.in_(OPEN_STATUSES))
        .values(
            status=TicketStatus.MERGED,
            merged_into_id=kept.id,
            updated_at=moment,
            ack_due_at=None,
            overdue_notice_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    await session.refresh(duplicate)
    if result.rowcount != 1:
        return MergeOutcome.CLOSED
    kept.updated_at = moment
    log_event(session, duplicate, EventKind.MERGED, moment, actor=Party.WORKER,
              actor_id=worker.id, data={"into": kept.id, "into_number": kept.number})  # fmt: skip
    log_event(session, kept, EventKind.MERGE_RECEIVED, moment, actor=Party.WORKER,
              actor_id=worker.id, body=duplicate.summary,
              data={"from": duplicate.id, "from_number": duplicate.number})  # fmt: skip
    return MergeOutcome.MERGED


async def merge_candidates(session: AsyncSession, ticket: Ticket, limit: int = 8) -> list[Ticket]:
    """Open tickets `ticket` could be a duplicate of: same grid or same resident, newest
    first."""
    query = (
        select(Ticket)
        .where(
            Ticket.id != ticket.id,
            Ticket.status.in_(OPEN_STATUSES),
            or_(Ticket.grid_id == ticket.grid_id, Ticket.resident_id == ticket.resident_id),
        )
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).unique().all())


async def merged_into(session: AsyncSession, kept_id: int) -> list[Ticket]:
    """The duplicates merged into a ticket, oldest first."""
    query = select(Ticket).where(Ticket.merged_into_id == kept_id).order_by(Ticket.id)
    return list((await session.scalars(query)).unique().all())


PRIORITY_ORDER = (Priority.RED, Priority.YELLOW, Priority.GREEN)


async def waiting_in_grids(
    session: AsyncSession, grid_ids: Sequence[int], limit: int = 50
) -> list[Ticket]:
    """The grids' queue as a worker sees it: queued, or assigned and not yet claimed; the
    most urgent first, then the oldest."""
    query = (
        select(Ticket)
        .where(
            Ticket.grid_id.in_(grid_ids),
            Ticket.status.in_([TicketStatus.QUEUED, TicketStatus.ASSIGNED]),
        )
        .order_by(Ticket.created_at, Ticket.id)
        .limit(limit)
    )
    found = list((await session.scalars(query)).unique().all())
    return sorted(found, key=lambda t: PRIORITY_ORDER.index(Priority(t.priority)))


async def resolution_notices_due(
    session: AsyncSession, now: datetime, limit: int
) -> list[tuple[Ticket, bool]]:
    """Open, routed tickets past their resolution target with a notice due now, each with
    whether it was flagged already (then the due notice is one held for its off-duty
    assignee; otherwise nobody has been told yet)."""
    flagged = select(TicketEvent.ticket_id).where(TicketEvent.kind == EventKind.RESOLUTION_OVERDUE)
    query = (
        select(Ticket, Ticket.id.in_(flagged))
        .where(
            Ticket.status.in_([TicketStatus.ASSIGNED, TicketStatus.CLAIMED]),
            Ticket.resolve_due_at <= now,
            or_(
                Ticket.overdue_notice_at <= now,
                Ticket.overdue_notice_at.is_(None) & Ticket.id.not_in(flagged),
            ),
        )
        .order_by(Ticket.resolve_due_at)
        .limit(limit)
    )
    return [(ticket, bool(was)) for ticket, was in (await session.execute(query)).unique().all()]


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
