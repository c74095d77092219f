"""Opening tickets and telling everyone concerned: the resident, the assignee."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from county import directory, privacy, routing, tickets
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
from handlers.buttons import CLAIM, ESCALATE, MERGE, REPLY, RESOLVE, SHARE_IDENTITY, TRANSFER
from handlers.turn import Turn
from messaging.inbound import photo_of
from messaging.keyboard import Button, Keyboard
from messaging.models import InboundMessage
from messaging.outbox import CARD, Outbox, stale_views, views_of
from nlu import cues

# How far back the sweeper looks for tickets whose cards were left unedited, and how many
# it edits per pass.
STALE_CARD_WINDOW = timedelta(days=2)
BATCH = 200


@dataclass(frozen=True)
class CardView:
    """Who a card is shown to, and so what it says and which buttons it offers."""

    # The worker looking at it; None: whoever the ticket is assigned to.
    viewer_id: int | None = None
    # False once the ticket left the viewer's reach (transferred to another grid).
    may_act: bool = True
    # A merged ticket's card names the ticket it was merged into.
    merged_into: str | None = None


def card_buttons(ticket: Ticket, view: CardView | None = None) -> Keyboard:
    """接单 · 回复 · 转派 · 升级 · 并单 · 办结, as far as they make sense right now."""
    view = view or CardView()
    if not ticket.is_open or not view.may_act:
        return []
    viewer = view.viewer_id if view.viewer_id is not None else ticket.assignee_id
    claim, reply = (
        Button(texts.CLAIM_BUTTON, CLAIM.data(ticket.id)),
        Button(texts.REPLY_BUTTON, REPLY.data(ticket.id)),
    )
    transfer = Button(texts.TRANSFER_BUTTON, TRANSFER.data(ticket.id))
    merge = Button(texts.MERGE_BUTTON, MERGE.data(ticket.id))
    resolve = Button(texts.RESOLVE_BUTTON, RESOLVE.data(ticket.id))
    if ticket.status == TicketStatus.CLAIMED:
        if ticket.assignee_id != viewer:
            return []  # someone else's now: nothing here for this viewer to press
        escalate = Button(texts.ESCALATE_BUTTON, ESCALATE.data(ticket.id))
        return [[reply, transfer, escalate], [merge, resolve]]
    return [[claim, reply], [transfer, merge, resolve]]


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


def resident_label(resident: Resident, ticket: Ticket) -> str:
    """王女士 / 王先生 / 王先生/女士 / 居民 — or the chat name, with the resident's consent."""
    if ticket.identity_shared:
        return resident.display_name or texts.SOMEONE_RESIDENT
    title = privacy.title_of(resident.display_name)
    return texts.TITLE_NAMES[title].format(surname=privacy.surname_of(resident.display_name))


def resident_words(ticket: Ticket, limit: int | None = texts.CARD_WORDS_LIMIT) -> str:
    """The resident's own words, numbers masked unless they agreed to share them."""
    words = ticket.summary if ticket.identity_shared else privacy.mask_numbers(ticket.summary)
    return texts.shorten(words, limit)


def _state_line(ticket: Ticket, view: CardView) -> str:
    viewer = view.viewer_id if view.viewer_id is not None else ticket.assignee_id
    assignee = ticket.assignee.name if ticket.assignee else texts.SOMEONE_WORKER
    if ticket.status == TicketStatus.MERGED:
        return texts.CARD_STATE_MERGED.format(number=view.merged_into or "")
    if ticket.status == TicketStatus.RESOLVED:
        return texts.CARD_STATE_RESOLVED_BY.format(name=assignee)
    if ticket.status == TicketStatus.CANCELLED:
        return texts.CARD_STATE_CANCELLED
    mine = ticket.assignee_id is not None and ticket.assignee_id == viewer
    if ticket.status == TicketStatus.CLAIMED:
        return (
            texts.CARD_STATE_CLAIMED_YOU
            if mine
            else texts.CARD_STATE_CLAIMED_OTHER.format(name=assignee)
        )
    if not view.may_act:
        # Transferred away from the viewer's grid, or an emergency card of a neighbour grid.
        return texts.CARD_STATE_ELSEWHERE.format(grid=ticket.grid.full_name)
    if ticket.status == TicketStatus.QUEUED:
        return texts.CARD_STATE_QUEUED
    return (
        texts.CARD_STATE_ASSIGNED_YOU
        if mine
        else texts.CARD_STATE_ASSIGNED_OTHER.format(name=assignee)
    )


def _deadline_line(ticket: Ticket, now: datetime) -> str | None:
    """Acknowledge-by while nobody has claimed it, resolve-by after."""
    if not ticket.is_open:
        return None
    if ticket.status != TicketStatus.CLAIMED and ticket.ack_due_at is not None:
        due, on_time, late = ticket.ack_due_at, texts.CARD_ACK_DUE, texts.CARD_ACK_OVERDUE
    elif ticket.resolve_due_at is not None:
        due = ticket.resolve_due_at
        on_time, late = texts.CARD_RESOLVE_DUE, texts.CARD_RESOLVE_OVERDUE
    else:
        return None
    when = texts.short_when(due, now)
    if due > now:
        return on_time.format(when=when, left=texts.duration(due - now))
    return late.format(when=when, late=texts.duration(now - due))


def card_text(
    ticket: Ticket,
    resident: Resident,
    now: datetime | None = None,
    view: CardView | None = None,
) -> str:
    """The ticket as a worker's card: what, who, where, how old, by when, and its state."""
    view = view or CardView()
    now = now or ticket.updated_at
    lines = [
        texts.CARD_TITLE.format(
            emoji=texts.PRIORITY_EMOJI[ticket.priority], number=ticket.number,
            category=texts.CATEGORY_NAMES[ticket.category],
            priority=texts.PRIORITY_NAMES[ticket.priority],
        )
    ]  # fmt: skip
    if ticket.emergency:
        lines.append(texts.CARD_EMERGENCY)
    lines.append(texts.CARD_WORDS.format(words=resident_words(ticket)))
    who = resident_label(resident, ticket)
    phone = ticket.contact_phone
    if phone:
        shown = phone if ticket.identity_shared else privacy.mask_phone(phone)
        lines.append(texts.CARD_RESIDENT_PHONE.format(name=who, phone=shown))
    else:
        lines.append(texts.CARD_RESIDENT.format(name=who))
    if ticket.appointment_at is not None:
        when = texts.time_range(ticket.appointment_at, ticket.appointment_until)
        lines.append(texts.DETAIL_WANTED_AT.format(when=when))
    if ticket.address:
        lines.append(texts.DETAIL_ADDRESS.format(address=ticket.address))
    if ticket.photo:
        lines.append(texts.CARD_PHOTO_NOTE)
    latitude, longitude = getattr(ticket, "latitude", None), getattr(ticket, "longitude", None)
    if latitude is not None and longitude is not None:
        lines.append(texts.CARD_LOCATION.format(latitude=latitude, longitude=longitude))
    lines.append(texts.CARD_GRID.format(grid=ticket.grid.full_name))
    lines.append(
        texts.CARD_AGE.format(time=texts.local_time(ticket.created_at),
                              ago=texts.ago(ticket.created_at, now))
    )  # fmt: skip
    deadline = _deadline_line(ticket, now)
    if deadline:
        lines.append(deadline)
    lines.append(_state_line(ticket, view))
    if card_buttons(ticket, view):
        lines.append(texts.CARD_REPLY_HINT)
    return "\n".join(lines)


async def card_for(
    session: AsyncSession, ticket: Ticket, worker: Worker, now: datetime
) -> tuple[str, Keyboard]:
    """The card as this worker should see it now (text and buttons)."""
    view = await _view_for(session, ticket, worker.id)
    resident = await tickets.resident_of(session, ticket)
    return card_text(ticket, resident, now, view), card_buttons(ticket, view)


async def _view_for(
    session: AsyncSession, ticket: Ticket, viewer_id: int, chain: set[int] | None = None
) -> CardView:
    if chain is None:
        chain = {w.id for _, ws in await routing.escalation_chain(session, ticket.grid) for w in ws}
    merged = await session.get(Ticket, ticket.merged_into_id) if ticket.merged_into_id else None
    may_act = viewer_id in chain or viewer_id == ticket.assignee_id
    return CardView(viewer_id, may_act, merged.number if merged else None)


async def refresh_cards(
    session: AsyncSession, ticket: Ticket, now: datetime, *, skip_id: int | None = None
) -> None:
    """Edit every card of the ticket already sent (or waiting to be sent), each as its
    worker should see it now, so a stale card never invites a wrong tap. `skip_id`: the
    pressed card, which the channel edits itself (`Turn.edit`)."""
    rows = [r for r in await views_of(session, ticket.id, CARD) if r.id != skip_id]
    if not rows:
        return
    resident = await tickets.resident_of(session, ticket)
    chain = {w.id for _, ws in await routing.escalation_chain(session, ticket.grid) for w in ws}
    outbox = Outbox(session, now)
    for row in rows:
        view = await _view_for(session, ticket, row.recipient_id, chain)
        outbox.edit(row, card_text(ticket, resident, now, view), card_buttons(ticket, view))


async def refresh_stale_cards(session: AsyncSession, now: datetime) -> int:
    """Sweeper pass: cards of tickets that changed without their cards being edited (a
    resident's withdrawal, a booking) are edited now; returns how many tickets."""
    ticket_ids = await stale_views(session, CARD, now - STALE_CARD_WINDOW, BATCH)
    for ticket_id in ticket_ids:
        ticket = await session.get(Ticket, ticket_id)
        if ticket is not None:
            await refresh_cards(session, ticket, now)
    return len(ticket_ids)


def role_name(worker: Worker) -> str:
    return texts.ROLE_NAMES.get(worker.role, texts.SOMEONE_STAFF)


def send_card(
    outbox: Outbox,
    ticket: Ticket,
    resident: Resident,
    worker: Worker,
    heading: str | None = None,
) -> None:
    view = CardView(worker.id)
    text = card_text(ticket, resident, outbox.now, view)
    if ticket.photo:
        # The photo goes just before the card, so the card stays an editable text message.
        outbox.to_worker(worker, texts.CARD_PHOTO_CAPTION.format(number=ticket.number),
                         ticket_id=ticket.id, photo=ticket.photo)  # fmt: skip
    outbox.to_worker(
        worker,
        f"{heading}\n{text}" if heading else text,
        card_buttons(ticket, view),
        ticket_id=ticket.id,
        view=CARD,
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
    outbox.to_resident(
        resident,
        acceptance_text(ticket, decision, now),
        consent_keyboard(ticket, resident),
        ticket_id=ticket.id,
    )
    return decision


def consent_keyboard(ticket: Ticket, resident: Resident) -> Keyboard:
    """Workers see 王女士 and 138****5678 until the resident agrees, for this ticket, to show
    their name and number; offered only when there is something to show."""
    if ticket.identity_shared or not (ticket.contact_phone or resident.display_name):
        return []
    return [[Button(texts.SHARE_IDENTITY_BUTTON, SHARE_IDENTITY.data(ticket.id))]]


async def dispatch_queued(
    session: AsyncSession, now: datetime, grid_ids: list[int] | None = None
) -> int:
    """Give queued tickets to whoever is now on duty; returns how many found someone.

    Each ticket is routed once: the decision that finds a worker is the one applied, so
    the card and the assignment always name the same person. Each resident hears once
    per handover, however many of their tickets moved: 已派给, since nobody has claimed
    them yet.
    """
    outbox = Outbox(session, now)
    handed: dict[int, tuple[Resident, list[tuple[Ticket, Worker]]]] = {}
    for ticket in await tickets.queued_tickets(session, grid_ids):
        decision = await tickets.decide(session, ticket, now)
        if decision.worker is None:
            continue
        tickets.assign(session, ticket, decision, now)
        resident = await tickets.resident_of(session, ticket)
        await refresh_cards(session, ticket, now)
        send_card(outbox, ticket, resident, decision.worker)
        handed.setdefault(resident.id, (resident, []))[1].append((ticket, decision.worker))
    for resident, moved in handed.values():
        outbox.to_resident(
            resident,
            handover_text(moved),
            ticket_id=moved[0][0].id if len(moved) == 1 else None,
        )
    return sum(len(moved) for _, moved in handed.values())


def handover_text(moved: list[tuple[Ticket, Worker]]) -> str:
    workers = {worker.id for _, worker in moved}
    if len(workers) == 1:
        worker = moved[0][1]
        numbers = texts.LIST_SEPARATOR.join(ticket.number for ticket, _ in moved)
        return texts.HANDED_OVER_RESIDENT.format(
            numbers=numbers, role=role_name(worker), name=worker.name
        )
    lines = [
        texts.HANDED_OVER_LINE.format(number=t.number, role=role_name(w), name=w.name)
        for t, w in moved
    ]
    return texts.HANDED_OVER_RESIDENT_MANY.format(lines="\n".join(lines))


async def dispatch_queued_for(session: AsyncSession, worker: Worker, now: datetime) -> int:
    grids = await directory.grids_served_by(session, worker)
    return await dispatch_queued(session, now, [g.id for g in grids]) if grids else 0
