"""Sweeper passes for acknowledgement and resolution limits.

A ticket nobody acknowledged in time moves up the chain (grid → backup → community →
town); one past its resolution target is flagged once, to whoever is on duty in the chain.
Reminders follow the duty chain: nobody off duty is woken at 03:00 except for an
emergency; their notice waits for their shift. Timers live on the ticket rows
(`ack_due_at`, `resolve_due_at`, `overdue_notice_at`), so a restart loses none.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from county import routing, sla, tickets
from county.models import EventKind, Party, Resident, Ticket
from county.roster import is_on_duty, next_on_duty
from county.routing import RouteLevel
from handlers import texts
from handlers.ticketing import refresh_cards, role_name, send_card
from messaging.outbox import Outbox

BATCH = 500


def limit_text(ticket: Ticket) -> str:
    limit = sla.ack_limit(ticket.category, ticket.priority, ticket.emergency)
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
    outbox = Outbox(session, now)
    previous = ticket.assignee
    level = RouteLevel(ticket.escalation_level) if ticket.escalation_level else None
    # An emergency goes up the chain whether or not the next person is on duty.
    decision = await routing.choose_assignee(
        session, ticket.grid, now, after=level, exclude=had, ignore_duty=ticket.emergency
    )
    if decision.worker is None:
        if previous is not None and not ticket.emergency and not is_on_duty(previous, now):
            # Nobody on duty in the chain to tell, and an off-duty worker is not woken at
            # 03:00 for a reminder: try again when someone in the chain (he included)
            # comes on duty. Emergencies are not held.
            upcoming = [t for t in (decision.expected_at, next_on_duty(previous, now)) if t]
            held = min(upcoming) if upcoming else None
            ticket.ack_due_at = held or sla.ack_due(ticket.category, ticket.priority, now)
            tickets.log_event(session, ticket, EventKind.ESCALATION_EXHAUSTED, now,
                              actor=Party.SYSTEM,
                              data={"level": ticket.escalation_level,
                                    "held_until": held.isoformat() if held else None})  # fmt: skip
            return False
        # Nobody higher is on duty: remind the current assignee and try again after
        # another acknowledgement period, rather than dropping the ticket in a queue.
        ticket.ack_due_at = sla.ack_due(ticket.category, ticket.priority, now, ticket.emergency)
        tickets.log_event(
            session,
            ticket,
            EventKind.ESCALATION_EXHAUSTED,
            now,
            actor=Party.SYSTEM,
            data={"level": ticket.escalation_level},
        )
        if previous is not None:
            outbox.to_worker(
                previous, texts.ACK_REMINDER.format(number=ticket.number), ticket_id=ticket.id
            )
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
    await refresh_cards(session, ticket, now)
    previous_name = f"{role_name(previous)}{previous.name}" if previous else texts.PREVIOUS_ASSIGNEE
    send_card(outbox, ticket, resident, new, texts.ESCALATED_HEADING.format(previous=previous_name))
    if previous is not None:
        outbox.to_worker(
            previous,
            texts.ESCALATED_AWAY.format(number=ticket.number, limit=limit_text(ticket),
                                        role=role_name(new), name=new.name),
            ticket_id=ticket.id,
        )  # fmt: skip
    outbox.to_resident(
        resident,
        texts.ESCALATED_RESIDENT.format(number=ticket.number, role=role_name(new), name=new.name),
        ticket_id=ticket.id,
    )
    return True


async def escalate_overdue(session: AsyncSession, now: datetime) -> int:
    """One pass over overdue tickets; returns how many moved up. The caller commits."""
    overdue = await tickets.overdue_for_ack(session, now, BATCH)
    if not overdue:
        return 0
    # Everything a pass needs is read in bulk; only routing runs per ticket.
    residents = await tickets.residents_of(session, overdue)
    had = await tickets.previous_assignees(session, [t.id for t in overdue])
    moved = 0
    for ticket in overdue:
        if await escalate(session, ticket, residents[ticket.resident_id], had[ticket.id], now):
            moved += 1
    return moved


async def flag_overdue_resolution(session: AsyncSession, now: datetime) -> int:
    """Past the resolution target (2 h / 24 h / 72 h for red / yellow / green): tell whoever
    is on duty in the chain now, once; returns how many notices went out.

    The assignee, when on duty (or for an emergency); else the first one on duty in the
    chain, to 督办, and the assignee's own notice waits for his shift; with nobody on duty
    at all, the whole thing waits until someone is. Nobody off duty is woken at 03:00.
    """
    outbox = Outbox(session, now)
    told = 0
    for ticket, flagged in await tickets.resolution_notices_due(session, now, BATCH):
        assignee = ticket.assignee
        hours = int(sla.RESOLUTION_TARGETS[ticket.priority].total_seconds() // 3600)
        values = {"number": ticket.number, "priority": texts.PRIORITY_NAMES[ticket.priority],
                  "hours": hours}  # fmt: skip
        ticket.overdue_notice_at = None
        if flagged or assignee is None or ticket.emergency or is_on_duty(assignee, now):
            if not flagged:
                tickets.log_event(session, ticket, EventKind.RESOLUTION_OVERDUE, now,
                                  actor=Party.SYSTEM)  # fmt: skip
            if assignee is not None:
                outbox.to_worker(assignee, texts.RESOLUTION_OVERDUE.format(**values),
                                 ticket_id=ticket.id)  # fmt: skip
                told += 1
            continue
        back = next_on_duty(assignee, now)
        cover = await routing.choose_assignee(
            session, ticket.grid, now, exclude=frozenset({assignee.id})
        )
        if cover.worker is None and cover.expected_at is not None:
            ticket.overdue_notice_at = cover.expected_at  # held: decided again then
            continue
        tickets.log_event(session, ticket, EventKind.RESOLUTION_OVERDUE, now, actor=Party.SYSTEM,
                          data={"told": cover.worker.id if cover.worker else None,
                                "held_until": back.isoformat() if back else None})  # fmt: skip
        if cover.worker is not None:
            outbox.to_worker(
                cover.worker,
                texts.RESOLUTION_OVERDUE_COVER.format(**values, name=assignee.name),
                ticket_id=ticket.id,
            )
            ticket.overdue_notice_at = back  # his own notice, at the start of his shift
        else:
            # Nobody will be on duty to hold it for: better told off duty than never.
            outbox.to_worker(assignee, texts.RESOLUTION_OVERDUE.format(**values),
                             ticket_id=ticket.id)  # fmt: skip
        told += 1
    return told


async def close_unrated(session: AsyncSession, now: datetime) -> int:
    """回访 ends: a resolved ticket nobody rated within the follow-up period is closed as
    已回访-未评价 (its rating buttons then say the follow-up is over)."""
    due = await tickets.resolved_unrated_since(session, now - sla.FOLLOWUP_PERIOD)
    for ticket in due:
        tickets.close_unrated(session, ticket, now)
    return len(due)
