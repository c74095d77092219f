"""Booking off-hours appointments (错时服务) in the conversation: offer, confirm, change.

An appointment request becomes a ticket at once (status `awaiting_slot`), so nothing is
lost if the resident never presses a button: after `OFFER_PATIENCE` the sweeper routes it
like any other ticket and the worker calls to arrange a time.

The buttons (booking, no slot, reschedule, move, cancel, calendar file) are defined in
`handlers.buttons`; a slot travels as (window id, start as a Unix epoch).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import LOCAL_TZ
from county import appointments as booking
from county import tickets
from county.appointments import ReminderKind, Slot
from county.models import (
    Appointment,
    AppointmentStatus,
    Category,
    EventKind,
    Grid,
    Party,
    Priority,
    Resident,
    Ticket,
    TicketStatus,
    Worker,
)
from county.routing import RouteLevel, RoutingDecision
from handlers import dialogue, texts
from handlers.buttons import (
    BOOK_SLOT,
    CALENDAR_FILE,
    CANCEL_APPOINTMENT,
    CANCEL_TICKET,
    MOVE_SLOT,
    NO_SLOT,
    NOT_NEEDED,
    RESCHEDULE,
    Action,
)
from handlers.messages import Document
from handlers.ticketing import open_request, role_name, route_and_announce, send_card
from handlers.turn import Turn
from messaging.keyboard import Button, Keyboard
from messaging.models import InboundMessage
from messaging.outbox import Outbox

OFFERED = 3
# How long an unanswered slot offer holds a request back before a worker gets it anyway.
OFFER_PATIENCE = timedelta(hours=2)


def slot_label(slot: Slot) -> str:
    return texts.time_range(slot.starts_at, slot.ends_at)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def slot_buttons(action: Action, owner_id: int, slots: list[Slot]) -> Keyboard:
    """One button per slot; `owner_id` is the ticket to book for, or the appointment to move."""
    return [[Button(slot_label(s), action.data(owner_id, s.window_id, _epoch(s.starts_at)))]
            for s in slots]  # fmt: skip


def wanted_time(entities: list[dict[str, Any]]) -> datetime | None:
    found = next((e for e in entities if e["entity"] == "time"), None)
    return datetime.fromisoformat(found["value"]) if found else None


async def offer(
    turn: Turn,
    resident: Resident,
    grid: Grid,
    message: InboundMessage,
    confidence: float | None,
    entities: list[dict[str, Any]],
) -> bool:
    """Open the ticket and offer slots; False when the community has none to offer (then
    the caller files a plain ticket and the worker arranges the time)."""
    community_id = grid.community_id
    if not await booking.windows_of(turn.session, community_id):
        return False
    wanted = wanted_time(entities)
    slot = await booking.find_slot(turn.session, community_id, wanted, turn.now) if wanted else None
    exact = slot is not None and slot.free > 0
    slots = [] if exact else await booking.nearest_free_slots(
        turn.session, community_id, wanted or turn.now, turn.now, OFFERED)  # fmt: skip
    if not exact and not slots:
        return False
    ticket = await open_request(turn, resident, grid, Category.APPOINTMENT, message, confidence,
                                entities)  # fmt: skip
    ticket.status = TicketStatus.AWAITING_SLOT
    none = [Button(texts.APPOINTMENT_NONE_BUTTON, NO_SLOT.data(ticket.id))]
    if exact:
        assert slot is not None
        booking_data = BOOK_SLOT.data(ticket.id, slot.window_id, _epoch(slot.starts_at))
        confirm = Button(texts.APPOINTMENT_CONFIRM_BUTTON, booking_data)
        text = texts.APPOINTMENT_CONFIRM.format(number=ticket.number, when=slot_label(slot))
        turn.outbox.to_resident(resident, text, [[confirm], none], ticket_id=ticket.id)
        return True
    if wanted is not None:
        text = texts.APPOINTMENT_TAKEN.format(number=ticket.number,
                                              when=texts.time_range(wanted, None))  # fmt: skip
    else:
        text = texts.APPOINTMENT_CHOOSE.format(number=ticket.number)
    turn.outbox.to_resident(
        resident, text, [*slot_buttons(BOOK_SLOT, ticket.id, slots), none], ticket_id=ticket.id
    )
    return True


async def offer_for_queued_ticket(turn: Turn, resident: Resident, ticket: Ticket) -> None:
    """Off hours, nobody on duty: a visit in the next service window may suit the resident.

    Offered once a day at most, and never for a red ticket — that needs someone now, not
    an appointment."""
    if ticket.priority == Priority.RED or await turn.state.get(dialogue.OFF_HOURS_OFFERED):
        return
    slots = await booking.nearest_free_slots(
        turn.session, ticket.grid.community_id, turn.now, turn.now, OFFERED
    )
    if not slots:
        return
    await turn.state.put(dialogue.OFF_HOURS_OFFERED, ticket.id)
    turn.outbox.to_resident(
        resident,
        texts.APPOINTMENT_OFF_HOURS,
        [*slot_buttons(BOOK_SLOT, ticket.id, slots),
         [Button(texts.APPOINTMENT_NOT_NEEDED_BUTTON, NOT_NEEDED.data(ticket.id))]],
        ticket_id=ticket.id,
    )  # fmt: skip


async def on_not_needed_button(turn: Turn, resident: Resident, ticket_id: int) -> None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    turn.edit(texts.APPOINTMENT_NOT_NEEDED.format(number=ticket.number))


def confirmation(appointment: Appointment, worker: Worker, ticket: Ticket) -> tuple[str, Keyboard]:
    text = texts.APPOINTMENT_BOOKED.format(
        when=texts.time_range(appointment.starts_at, appointment.ends_at),
        role=role_name(worker), name=worker.name, number=ticket.number,
    )  # fmt: skip
    return text, [[Button(texts.APPOINTMENT_RESCHEDULE, RESCHEDULE.data(appointment.id)),
                   Button(texts.APPOINTMENT_CANCEL, CANCEL_APPOINTMENT.data(appointment.id))],
                  [Button(texts.APPOINTMENT_ICS, CALENDAR_FILE.data(appointment.id))]]  # fmt: skip


async def on_book_button(
    turn: Turn, resident: Resident, ticket_id: int, window_id: int, epoch: int
) -> None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id or not ticket.is_open:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if await booking.booked_for_ticket(turn.session, ticket.id) is not None:
        turn.answer(texts.APPOINTMENT_ALREADY_BOOKED)
        return
    if ticket.status == TicketStatus.CLAIMED:
        turn.answer(texts.APPOINTMENT_ALREADY_CLAIMED)
        return
    start = _moment(epoch)
    community_id = ticket.grid.community_id
    appointment = await booking.book(
        turn.session, resident=resident, community_id=community_id, slot_start=start,
        window_id=window_id, now=turn.now, ticket_id=ticket.id, note=ticket.summary,
    )  # fmt: skip
    if appointment is None:
        turn.answer(texts.APPOINTMENT_SLOT_GONE)
        slots = await booking.nearest_free_slots(turn.session, community_id, start, turn.now,
                                                 OFFERED)  # fmt: skip
        rows = slot_buttons(BOOK_SLOT, ticket.id, slots)
        if ticket.status == TicketStatus.AWAITING_SLOT:
            rows.append([Button(texts.APPOINTMENT_NONE_BUTTON, NO_SLOT.data(ticket.id))])
        turn.edit(texts.APPOINTMENT_SLOT_GONE_CHOOSE if slots else texts.APPOINTMENT_FULL, rows)
        return
    worker = await turn.session.get(Worker, appointment.worker_id)
    assert worker is not None
    # The serving worker holds the appointment, so the ticket is theirs.
    tickets.assign(turn.session, ticket, RoutingDecision(RouteLevel.GRID, worker), turn.now,
                   data={"appointment": appointment.id})  # fmt: skip
    ticket.appointment_at, ticket.appointment_until = appointment.starts_at, appointment.ends_at
    when = texts.time_range(appointment.starts_at, appointment.ends_at)
    send_card(turn.outbox, ticket, resident, worker,
              texts.APPOINTMENT_CARD_HEADING.format(when=when))  # fmt: skip
    text, buttons = confirmation(appointment, worker, ticket)
    turn.edit(text, buttons)
    turn.answer(texts.APPOINTMENT_BOOKED_TOAST)


async def on_none_button(turn: Turn, resident: Resident, ticket_id: int) -> None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if ticket.status != TicketStatus.AWAITING_SLOT:
        turn.answer(texts.ALREADY_SUBMITTED.format(number=ticket.number))
        return
    turn.edit(texts.APPOINTMENT_WORKER_WILL_CALL)
    await route_and_announce(turn.session, ticket, resident, turn.now)


async def release_unanswered_offers(session: AsyncSession, now: datetime) -> int:
    """The sweeper's pass: requests whose slot offer went unanswered go to a worker."""
    released = 0
    for ticket in await tickets.awaiting_slot_since(session, now - OFFER_PATIENCE):
        resident = await tickets.resident_of(session, ticket)
        await route_and_announce(session, ticket, resident, now)
        released += 1
    return released


async def _own_appointment(
    turn: Turn, resident: Resident, appointment_id: int
) -> Appointment | None:
    appointment = await turn.session.get(Appointment, appointment_id)
    if appointment is None or appointment.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return None
    return appointment


async def _own_booked(turn: Turn, resident: Resident, appointment_id: int) -> Appointment | None:
    appointment = await _own_appointment(turn, resident, appointment_id)
    if appointment is not None and appointment.status != AppointmentStatus.BOOKED:
        turn.answer(texts.APPOINTMENT_NOT_ACTIVE)
        return None
    return appointment


async def other_slots(turn: Turn, appointment: Appointment, around: datetime) -> list[Slot]:
    found = await booking.nearest_free_slots(
        turn.session, appointment.community_id, around, turn.now, OFFERED + 1
    )
    return [s for s in found if s.starts_at != appointment.starts_at][:OFFERED]


async def on_reschedule_button(turn: Turn, resident: Resident, appointment_id: int) -> None:
    appointment = await _own_booked(turn, resident, appointment_id)
    if appointment is None:
        return
    slots = await other_slots(turn, appointment, appointment.starts_at)
    if not slots:
        turn.answer(texts.APPOINTMENT_FULL)
        return
    turn.outbox.to_resident(
        resident, texts.APPOINTMENT_CHOOSE_NEW, slot_buttons(MOVE_SLOT, appointment.id, slots)
    )


async def reschedule_by_text(
    turn: Turn, resident: Resident, entities: list[dict[str, Any]]
) -> bool:
    """'改约', '改到周六上午': move the resident's next booked appointment; False if they
    have none. A free slot at the time they name is taken at once; otherwise the nearest
    free slots are offered."""
    upcoming = await booking.upcoming_of_resident(turn.session, resident.id, turn.now)
    if not upcoming:
        return False
    appointment = upcoming[0]
    wanted = wanted_time(entities)
    if wanted is not None:
        slot = await booking.find_slot(turn.session, appointment.community_id, wanted, turn.now)
        if slot is not None and slot.free > 0 and slot.starts_at != appointment.starts_at:
            moved = await move(turn, resident, appointment, slot.starts_at, slot.window_id)
            if moved is not None:
                turn.outbox.to_resident(resident, *moved)
                return True
    slots = await other_slots(turn, appointment, wanted or appointment.starts_at)
    if not slots:
        turn.outbox.to_resident(resident, texts.APPOINTMENT_FULL)
        return True
    turn.outbox.to_resident(
        resident, texts.APPOINTMENT_CHOOSE_NEW, slot_buttons(MOVE_SLOT, appointment.id, slots)
    )
    return True


async def on_move_button(
    turn: Turn, resident: Resident, appointment_id: int, window_id: int, epoch: int
) -> None:
    appointment = await _own_booked(turn, resident, appointment_id)
    if appointment is None:
        return
    moved = await move(turn, resident, appointment, _moment(epoch), window_id)
    if moved is None:
        turn.answer(texts.APPOINTMENT_SLOT_GONE)
        return
    turn.edit(*moved)
    turn.answer(texts.APPOINTMENT_BOOKED_TOAST)


async def move(
    turn: Turn, resident: Resident, appointment: Appointment, start: datetime, window_id: int
) -> tuple[str, Keyboard] | None:
    """Move a booked appointment; the confirmation to show, or None if the slot is gone."""
    old_worker_id, old_start = appointment.worker_id, appointment.starts_at
    moved = await booking.reschedule(turn.session, appointment, start, window_id, turn.now)
    if moved is None:
        return None
    worker = await turn.session.get(Worker, moved.worker_id)
    ticket = await turn.session.get(Ticket, moved.ticket_id) if moved.ticket_id else None
    assert worker is not None
    when = texts.time_range(moved.starts_at, moved.ends_at)
    if ticket is not None:
        ticket.appointment_at, ticket.appointment_until = moved.starts_at, moved.ends_at
        tickets.log_event(turn.session, ticket, EventKind.RESCHEDULED, turn.now,
                          actor=Party.RESIDENT, actor_id=resident.id,
                          data={"from": old_start.isoformat(), "to": moved.starts_at.isoformat(),
                                "appointment": moved.id})  # fmt: skip
        if worker.id != old_worker_id:
            # Another serving worker has the new slot: the ticket moves with it.
            tickets.assign(turn.session, ticket, RoutingDecision(RouteLevel.GRID, worker),
                           turn.now, data={"appointment": moved.id})  # fmt: skip
            send_card(turn.outbox, ticket, resident, worker,
                      texts.APPOINTMENT_CARD_HEADING.format(when=when))  # fmt: skip
            turn.outbox.to_worker(old_worker_id,
                                  texts.APPOINTMENT_MOVED_AWAY.format(number=ticket.number),
                                  ticket_id=ticket.id)  # fmt: skip
        else:
            turn.outbox.to_worker(
                worker,
                texts.APPOINTMENT_MOVED_WORKER.format(number=ticket.number, when=when),
                ticket_id=ticket.id,
            )
    return confirmation(moved, worker, ticket) if ticket else (when, [])


async def on_cancel_button(turn: Turn, resident: Resident, appointment_id: int) -> None:
    appointment = await _own_appointment(turn, resident, appointment_id)
    if appointment is None:
        return
    if not await booking.cancel(turn.session, appointment, turn.now):
        turn.answer(texts.APPOINTMENT_NOT_ACTIVE)
        return
    turn.answer(texts.APPOINTMENT_CANCELLED)
    ticket = (
        await turn.session.get(Ticket, appointment.ticket_id) if appointment.ticket_id else None
    )
    if ticket is None or not ticket.is_open:
        turn.edit(texts.APPOINTMENT_CANCELLED)
        return
    # The visit is off; the problem is not solved by that. The request stays open unless
    # the resident withdraws it too.
    ticket.appointment_at = ticket.appointment_until = None
    turn.edit(
        texts.APPOINTMENT_CANCELLED_REQUEST_KEPT.format(number=ticket.number),
        [[Button(texts.CANCEL_BUTTON.format(number=ticket.number),
                 CANCEL_TICKET.data(ticket.id))]],
    )  # fmt: skip
    when = texts.time_range(appointment.starts_at, appointment.ends_at)
    turn.outbox.to_worker(
        appointment.worker_id,
        texts.APPOINTMENT_CANCELLED_WORKER.format(number=ticket.number, when=when),
        ticket_id=ticket.id,
    )


async def on_ics_button(turn: Turn, resident: Resident, appointment_id: int) -> None:
    appointment = await _own_appointment(turn, resident, appointment_id)
    if appointment is None:
        return
    worker = await turn.session.get(Worker, appointment.worker_id)
    grid = await turn.session.get(Grid, resident.grid_id) if resident.grid_id else None
    content = booking.ics(
        appointment,
        summary=texts.ICS_SUMMARY.format(
            role=role_name(worker) if worker else "", name=worker.name if worker else ""
        ),
        location=grid.full_name if grid else "",
        description=appointment.note or "",
    )
    turn.outcome.document = Document(
        f"gridline-appointment-{appointment.id}.ics",
        content.encode(),
        "text/calendar",
        texts.ICS_CAPTION,
    )
    turn.answer(texts.ICS_CAPTION)


async def send_reminders(session: AsyncSession, now: datetime) -> int:
    """The sweeper's reminder pass: day before and an hour before, to resident and worker."""
    day_before, hour_before = await booking.due_reminders(session, now)
    outbox = Outbox(session, now)
    sent = 0
    for kind, due in ((ReminderKind.DAY_BEFORE, day_before), (ReminderKind.HOUR_BEFORE,
                                                              hour_before)):  # fmt: skip
        for appointment in due:
            when = texts.time_range(appointment.starts_at, appointment.ends_at)
            template = (texts.REMINDER_TOMORROW if kind == ReminderKind.DAY_BEFORE
                        else texts.REMINDER_SOON)  # fmt: skip
            worker = await session.get(Worker, appointment.worker_id)
            resident = await session.get(Resident, appointment.resident_id)
            outbox.to_resident(appointment.resident_id,
                               template.format(when=when,
                                               role=role_name(worker) if worker else "",
                                               name=worker.name if worker else ""),
                               ticket_id=appointment.ticket_id)  # fmt: skip
            who = resident.display_name if resident else None
            outbox.to_worker(
                appointment.worker_id,
                texts.REMINDER_WORKER.format(
                    when=when, resident=who or texts.SOMEONE_RESIDENT, note=appointment.note or ""
                ),
                ticket_id=appointment.ticket_id,
            )
            booking.mark_reminded(appointment, kind, now)
            sent += 1
    return sent


async def today_for_worker(turn: Turn, worker: Worker) -> None:
    local_day = turn.now.astimezone(LOCAL_TZ).date()
    found = await booking.appointments_of_worker_on(turn.session, worker.id, local_day)
    if not found:
        turn.outbox.to_worker(worker, texts.TODAY_NONE)
        return
    lines = [texts.TODAY_HEADER.format(count=len(found))]
    for appointment in found:
        resident = await turn.session.get(Resident, appointment.resident_id)
        ticket = (await turn.session.get(Ticket, appointment.ticket_id)
                  if appointment.ticket_id else None)  # fmt: skip
        lines.append(
            texts.TODAY_LINE.format(
                when=f"{appointment.starts_at.astimezone(LOCAL_TZ):%H:%M}",
                resident=resident.display_name if resident else texts.SOMEONE_RESIDENT,
                number=ticket.number if ticket else "-",
                note=(appointment.note or "")[:30],
            )
        )
    turn.outbox.to_worker(worker, "\n".join(lines))
