"""The sweeper's escalation pass: a ticket nobody acknowledged in time moves up the chain.

Timers live on the ticket rows (`ack_due_at`), so a restart loses none. On PostgreSQL the
overdue rows are taken with FOR UPDATE SKIP LOCKED, so several `gridline serve` processes
can sweep at once without handling a ticket twice; SQLite deployments run one process.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from county import routing, sla, tickets
from county.models import EventKind, Party, Resident, Ticket, TicketEvent, TicketStatus
from county.routing import RouteLevel
from handlers import texts
from handlers.ticketing import role_name, send_card
from handlers.turn import queue_message

BATCH = 500


async def overdue_ticket_ids(session: AsyncSession, now: datetime, limit: int = BATCH) -> list[int]:
    query = (
        select(Ticket.id)
        .where(Ticket.status == TicketStatus.ASSIGNED, Ticket.ack_due_at <= now)
        .order_by(Ticket.ack_due_at)
        .limit(limit)
    )
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return list((await session.scalars(query)).all())


async def previous_assignees(
    session: AsyncSession, ticket_ids: list[int]
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


def limit_text(ticket: Ticket) -> str:
    if ticket.priority == "red":
        return texts.MINUTES.format(n=15)
    limit = sla.ACK_LIMITS.get(ticket.category)
    if limit is None:
        return texts.ONE_WORKING_DAY
    minutes = int(limit.total_seconds() // 60)
    if minutes < 60:
        return texts.MINUTES.format(n=minutes)
    return texts.HOURS.format(n=minutes // 60)


async def escalate(
    session: AsyncSession,
    ticket: Ticket,
    resident: Resident,
    had: frozenset[int],
    now: datetime,
) -> bool:
    """Move one overdue ticket up; returns False when nobody above can take it.

    `had`: the workers who already had the ticket, who are not asked again.
    """
    previous = ticket.assignee
    level = RouteLevel(ticket.escalation_level) if ticket.escalation_level else None
    decision = await routing.choose_assignee(session, ticket.grid, now, after=level, exclude=had)
    if decision.worker is None:
        # Nobody higher is on duty: remind the current assignee and try again after
        # another acknowledgement period, rather than dropping the ticket in a queue.
        ticket.ack_due_at = sla.ack_due(ticket.category, ticket.priority, now)
        tickets.log_event(
            session,
            ticket,
            EventKind.ESCALATION_EXHAUSTED,
            now,
            actor=Party.SYSTEM,
            data={"level": ticket.escalation_level},
        )
        if previous is not None:
            queue_message(session, Party.WORKER, previous.id,
                          texts.ACK_REMINDER.format(number=ticket.number), None,
                          ticket_id=ticket.id, now=now)  # fmt: skip
        return False
    new = decision.worker
    tickets.assign(
        session,
        ticket,
        decision,
        now,
        EventKind.ESCALATED,
        {"from": previous.id if previous else None, "from_level": level},
    )
    previous_name = f"{role_name(previous)}{previous.name}" if previous else texts.PREVIOUS_ASSIGNEE
    send_card(
        session, ticket, resident, new, now, texts.ESCALATED_HEADING.format(previous=previous_name)
    )
    if previous is not None:
        queue_message(
            session, Party.WORKER, previous.id,
            texts.ESCALATED_AWAY.format(number=ticket.number, limit=limit_text(ticket),
                                        role=role_name(new), name=new.name),
            None, ticket_id=ticket.id, now=now,
        )  # fmt: skip
    queue_message(
        session, Party.RESIDENT, resident.id,
        texts.ESCALATED_RESIDENT.format(number=ticket.number, role=role_name(new), name=new.name),
        None, ticket_id=ticket.id, now=now,
    )  # fmt: skip
    return True


async def escalate_overdue(session: AsyncSession, now: datetime) -> int:
    """One pass over overdue tickets; returns how many moved up. The caller commits."""
    ids = await overdue_ticket_ids(session, now)
    if not ids:
        return 0
    # Everything a pass needs is read in bulk; only routing runs per ticket.
    overdue = (await session.scalars(select(Ticket).where(Ticket.id.in_(ids)))).unique().all()
    residents = {
        r.id: r
        for r in await session.scalars(
            select(Resident).where(Resident.id.in_({t.resident_id for t in overdue}))
        )
    }
    had = await previous_assignees(session, ids)
    moved = 0
    for ticket in sorted(overdue, key=lambda t: (t.ack_due_at, t.id)):
        if await escalate(session, ticket, residents[ticket.resident_id], had[ticket.id], now):
            moved += 1
    return moved


async def flag_overdue_resolution(session: AsyncSession, now: datetime) -> int:
    """Tell the assignee, once, that a ticket passed its resolution target (2 h / 24 h / 72 h
    for red / yellow / green)."""
    already = select(TicketEvent.ticket_id).where(TicketEvent.kind == EventKind.RESOLUTION_OVERDUE)
    query = (
        select(Ticket)
        .where(
            Ticket.status.in_([TicketStatus.ASSIGNED, TicketStatus.CLAIMED]),
            Ticket.resolve_due_at <= now,
            Ticket.id.not_in(already),
        )
        .order_by(Ticket.resolve_due_at)
        .limit(BATCH)
    )
    flagged = 0
    for ticket in (await session.scalars(query)).unique().all():
        tickets.log_event(session, ticket, EventKind.RESOLUTION_OVERDUE, now, actor=Party.SYSTEM)
        if ticket.assignee_id is not None:
            target = sla.RESOLUTION_TARGETS[ticket.priority]
            queue_message(
                session, Party.WORKER, ticket.assignee_id,
                texts.RESOLUTION_OVERDUE.format(
                    number=ticket.number, priority=texts.PRIORITY_NAMES[ticket.priority],
                    hours=int(target.total_seconds() // 3600)),
                None, ticket_id=ticket.id, now=now,
            )  # fmt: skip
        flagged += 1
    return flagged
