"""Opening tickets and telling everyone concerned: the resident, the assignee."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from county import directory, tickets
from county.models import (
    Category,
    Grid,
    Priority,
    Resident,
    Ticket,
    TicketStatus,
    Worker,
)
from county.routing import RoutingDecision
from county.tickets import TicketDetails
from handlers import texts
from handlers.buttons import CLAIM, RESOLVE
from handlers.turn import Turn
from messaging.inbound import photo_of
from messaging.keyboard import Button, Keyboard
from messaging.models import InboundMessage
from messaging.outbox import Outbox
from nlu import cues


def card_buttons(ticket: Ticket) -> Keyboard:
    if ticket.status in (TicketStatus.QUEUED, TicketStatus.ASSIGNED):
        return [
            [
                Button(texts.CLAIM_BUTTON, CLAIM.data(ticket.id)),
                Button(texts.RESOLVE_BUTTON, RESOLVE.data(ticket.id)),
            ]
        ]
    if ticket.status == TicketStatus.CLAIMED:
        return [[Button(texts.RESOLVE_BUTTON, RESOLVE.data(ticket.id))]]
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
    outbox: Outbox,
    ticket: Ticket,
    resident: Resident,
    worker: Worker,
    heading: str | None = None,
) -> None:
    text = card_text(ticket, resident)
    if ticket.photo:
        # The photo goes just before the card, so the card stays an editable text message.
        outbox.to_worker(worker, texts.CARD_PHOTO_CAPTION.format(number=ticket.number),
                         ticket_id=ticket.id, photo=ticket.photo)  # fmt: skip
    outbox.to_worker(
        worker, f"{heading}\n{text}" if heading else text, card_buttons(ticket), ticket_id=ticket.id
    )


def acceptance_text(ticket: Ticket, decision: RoutingDecision, now: datetime) -> str:
    lines = [
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
    if ticket.priority == Priority.RED:
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
    *,
    emergency: bool = False,
) -> Ticket:
    """The ticket for a request message, not yet routed."""
    text = message.text or ""
    details = replace(details_from(entities), photo=photo_of(message))
    if category != Category.APPOINTMENT and not cues.asks_for_a_time(text):
        # A time in a complaint says when the problem happens ("天天半夜蹦迪"), not when
        # the resident wants a visit: no 期望时间 on the card.
        details = replace(details, wanted_at=None, wanted_until=None)
    ticket = await tickets.open_ticket(
        turn.session,
        resident=resident,
        grid=grid,
        category=category,
        text=text,
        channel=turn.inbound.channel,
        moment=turn.now,
        confidence=confidence,
        details=details,
        emergency=emergency,
    )
    message.ticket_id = ticket.id
    return ticket


async def route_and_announce(
    session: AsyncSession, ticket: Ticket, resident: Resident, now: datetime
) -> RoutingDecision:
    """Route an open ticket, send the card, and tell the resident who has it and when."""
    outbox = Outbox(session, now)
    decision = await tickets.route(session, ticket, now)
    if decision.worker is not None:
        send_card(outbox, ticket, resident, decision.worker)
    outbox.to_resident(resident, acceptance_text(ticket, decision, now), ticket_id=ticket.id)
    return decision


async def dispatch_queued(
    session: AsyncSession, now: datetime, grid_ids: list[int] | None = None
) -> int:
    """Give queued tickets to whoever is now on duty; returns how many found someone.

    Each ticket is routed once: the decision that finds a worker is the one applied, so
    the card and the assignment always name the same person.
    """
    outbox = Outbox(session, now)
    handed = 0
    for ticket in await tickets.queued_tickets(session, grid_ids):
        decision = await tickets.decide(session, ticket, now)
        if decision.worker is None:
            continue
        tickets.assign(session, ticket, decision, now)
        resident = await tickets.resident_of(session, ticket)
        send_card(outbox, ticket, resident, decision.worker)
        outbox.to_resident(
            resident,
            texts.NOW_HANDLED_BY.format(
                number=ticket.number, role=role_name(decision.worker), name=decision.worker.name
            ),
            ticket_id=ticket.id,
        )
        handed += 1
    return handed


async def dispatch_queued_for(session: AsyncSession, worker: Worker, now: datetime) -> int:
    grids = await directory.grids_served_by(session, worker)
    return await dispatch_queued(session, now, [g.id for g in grids]) if grids else 0
