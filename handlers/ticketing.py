"""Opening tickets and telling everyone concerned: the resident, the assignee."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from county import directory, routing, tickets
from county.emergency import Emergency
from county.emergency import detect as detect_emergency
from county.models import (
    Category,
    EventKind,
    Grid,
    InboundMessage,
    Party,
    Resident,
    Ticket,
    Worker,
)
from county.routing import RoutingDecision
from county.tickets import TicketDetails
from handlers import texts
from handlers.messages import Button, Keyboard
from handlers.turn import Turn, photo_of, queue_message

CLAIM = "tk:claim"
RESOLVE = "tk:done"


def card_buttons(ticket: Ticket) -> Keyboard:
    if ticket.status in ("queued", "assigned"):
        return [
            [
                Button(texts.CLAIM_BUTTON, f"{CLAIM}:{ticket.id}"),
                Button(texts.RESOLVE_BUTTON, f"{RESOLVE}:{ticket.id}"),
            ]
        ]
    if ticket.status == "claimed":
        return [[Button(texts.RESOLVE_BUTTON, f"{RESOLVE}:{ticket.id}")]]
    return []


def details_from(entities: list[dict[str, Any]]) -> TicketDetails:
    def first(name: str) -> dict[str, Any] | None:
        return next((e for e in entities if e["entity"] == name), None)

    when, phone, address = first("time"), first("phone"), first("address")
    until = (when.get("additional_info") or {}).get("end") if when else None
    return TicketDetails(
        entities=entities,
        wanted_at=datetime.fromisoformat(when["value"]) if when else None,
        wanted_until=datetime.fromisoformat(until) if until else None,
        phone=str(phone["value"]) if phone else None,
        address=str(address["value"]) if address else None,
    )


def detail_lines(ticket: Ticket) -> list[str]:
    lines = []
    if ticket.appointment_at is not None:
        lines.append(
            texts.DETAIL_WANTED_AT.format(
                when=texts.time_range(ticket.appointment_at, ticket.appointment_until)
            )
        )
    if ticket.address:
        lines.append(texts.DETAIL_ADDRESS.format(address=ticket.address))
    if ticket.contact_phone:
        lines.append(texts.DETAIL_PHONE.format(phone=ticket.contact_phone))
    return lines


def card_text(ticket: Ticket, resident: Resident) -> str:
    text = texts.TICKET_CARD.format(
        number=ticket.number,
        category=texts.CATEGORY_NAMES[ticket.category],
        priority=texts.PRIORITY_NAMES[ticket.priority],
        grid=ticket.grid.full_name,
        resident=resident.display_name or texts.SOMEONE_RESIDENT,
        time=texts.local_time(ticket.created_at),
        summary=ticket.summary,
    )
    details = detail_lines(ticket)
    return text.replace("\n\n", "\n" + "\n".join(details) + "\n\n", 1) if details else text


def role_name(worker: Worker) -> str:
    return texts.ROLE_NAMES.get(worker.role, texts.SOMEONE_STAFF)


def send_card(
    session: AsyncSession,
    ticket: Ticket,
    resident: Resident,
    worker: Worker,
    now: datetime,
    heading: str | None = None,
) -> None:
    text = card_text(ticket, resident)
    if ticket.photo:
        # The photo goes just before the card, so the card stays an editable text message.
        queue_message(session, Party.WORKER, worker.id,
                      texts.CARD_PHOTO_CAPTION.format(number=ticket.number), None,
                      ticket_id=ticket.id, now=now, photo=ticket.photo)  # fmt: skip
    queue_message(
        session,
        Party.WORKER,
        worker.id,
        f"{heading}\n{text}" if heading else text,
        card_buttons(ticket),
        ticket_id=ticket.id,
        now=now,
    )


def acceptance_text(
    ticket: Ticket, decision: RoutingDecision, now: datetime, emergency: Emergency | None = None
) -> str:
    lines = (
        [texts.EMERGENCY_CALL.format(numbers=" / ".join(emergency.numbers))] if emergency else []
    )
    lines += [
        texts.TICKET_ACCEPTED.format(
            number=ticket.number,
            category=texts.CATEGORY_NAMES[ticket.category],
            priority=texts.PRIORITY_NAMES[ticket.priority],
            grid=ticket.grid.full_name,
        ),
        *detail_lines(ticket),
    ]
    if decision.worker is not None:
        lines.append(
            texts.HANDLED_BY.format(role=role_name(decision.worker), name=decision.worker.name)
        )
    elif decision.expected_at is not None:
        lines.append(texts.QUEUED_UNTIL.format(when=texts.when_phrase(decision.expected_at, now)))
    else:
        lines.append(texts.QUEUED_UNKNOWN)
    if ticket.priority == "red" and emergency is None:
        lines.append(texts.EMERGENCY_HINT)
    lines.append(texts.ACK_HINT)
    return "\n".join(lines)


async def open_request(
    turn: Turn,
    resident: Resident,
    grid: Grid,
    category: Category,
    message: InboundMessage,
    confidence: float | None,
    entities: list[dict[str, Any]],
) -> Ticket:
    """The ticket for a request message, not yet routed."""
    text = message.text or ""
    ticket = await tickets.open_ticket(
        turn.session,
        resident=resident,
        grid=grid,
        category=category,
        text=text,
        channel=turn.inbound.channel,
        moment=turn.now,
        confidence=confidence,
        details=replace(details_from(entities), photo=photo_of(message)),
        emergency=detect_emergency(text) is not None,
    )
    message.ticket_id = ticket.id
    return ticket


async def route_and_announce(
    session: AsyncSession, ticket: Ticket, resident: Resident, now: datetime
) -> RoutingDecision:
    """Route an open ticket, send the card(s), and tell the resident who has it and when."""
    emergency = detect_emergency(ticket.summary) if ticket.emergency else None
    decision = await tickets.route(session, ticket, now)
    if emergency is not None:
        await alert_community(session, ticket, resident, emergency, now)
    elif decision.worker is not None:
        send_card(session, ticket, resident, decision.worker, now)
    queue_message(session, Party.RESIDENT, resident.id,
                  acceptance_text(ticket, decision, now, emergency), None,
                  ticket_id=ticket.id, now=now)  # fmt: skip
    return decision


async def open_and_route(
    turn: Turn,
    resident: Resident,
    grid: Grid,
    category: Category,
    message: InboundMessage,
    confidence: float | None,
    entities: list[dict[str, Any]],
) -> Ticket:
    ticket = await open_request(turn, resident, grid, category, message, confidence, entities)
    await route_and_announce(turn.session, ticket, resident, turn.now)
    return ticket


async def alert_community(
    session: AsyncSession,
    ticket: Ticket,
    resident: Resident,
    emergency: Emergency,
    now: datetime,
) -> list[Worker]:
    """An emergency goes to every on-duty worker of the community at once, not one by one."""
    alerted = await routing.on_duty_in_community(session, ticket.grid.community_id, now)
    if ticket.assignee is not None and all(w.id != ticket.assignee.id for w in alerted):
        alerted.append(ticket.assignee)
    heading = texts.EMERGENCY_CARD_HEADING.format(numbers=" / ".join(emergency.numbers))
    for worker in alerted:
        send_card(session, ticket, resident, worker, now, heading)
    tickets.log_event(
        session,
        ticket,
        EventKind.EMERGENCY_ALERT,
        now,
        actor=Party.SYSTEM,
        data={
            "kind": emergency.kind,
            "trigger": emergency.trigger,
            "alerted": [w.id for w in alerted],
        },
    )
    return alerted


async def dispatch_queued(
    session: AsyncSession, now: datetime, grid_ids: list[int] | None = None
) -> int:
    """Give queued tickets to whoever is now on duty; returns how many found someone."""
    handed = 0
    for ticket in await tickets.queued_tickets(session, grid_ids):
        decision = await routing.choose_assignee(session, ticket.grid, now)
        if decision.worker is None:
            continue
        await tickets.route(session, ticket, now)
        resident = await session.get(Resident, ticket.resident_id)
        assert resident is not None
        send_card(session, ticket, resident, decision.worker, now)
        queue_message(
            session,
            Party.RESIDENT,
            resident.id,
            texts.NOW_HANDLED_BY.format(
                number=ticket.number, role=role_name(decision.worker), name=decision.worker.name
            ),
            None,
            ticket_id=ticket.id,
            now=now,
        )
        handed += 1
    return handed


async def dispatch_queued_for(session: AsyncSession, worker: Worker, now: datetime) -> int:
    grids = await directory.grids_served_by(session, worker)
    return await dispatch_queued(session, now, [g.id for g in grids]) if grids else 0


async def resident_of(session: AsyncSession, ticket: Ticket) -> Resident:
    resident = await session.scalar(select(Resident).where(Resident.id == ticket.resident_id))
    assert resident is not None
    return resident
