"""Booking off-hours appointments (错时服务) in the conversation: offer, confirm, change.

Button data (≤ 64 bytes): `ap:book:<message>:<window>:<epoch>` books a slot for a request
message; `ap:tk:<ticket>:<window>:<epoch>` books one for an existing (queued) ticket;
`ap:none:<message>` files the request without a slot; `ap:re:<appointment>` offers other
slots, `ap:mv:<appointment>:<window>:<epoch>` moves to one; `ap:cancel:<appointment>`;
`ap:ics:<appointment>` sends a calendar file.
"""

from __future__ import annotations

from datetime import UTC, datetime
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
    InboundMessage,
    Party,
    Resident,
    Ticket,
    Worker,
)
from county.routing import RouteLevel, RoutingDecision
from handlers import texts
from handlers.messages import Button, Document, Keyboard
from handlers.ticketing import details_from, open_and_route, send_card
from handlers.turn import Turn, queue_message

OFFERED = 3


def slot_label(slot: Slot) -> str:
    return texts.time_range(slot.starts_at, slot.ends_at)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _moment(raw: str) -> datetime:
    return datetime.fromtimestamp(int(raw), UTC)


def slot_buttons(prefix: str, slots: list[Slot]) -> Keyboard:
    return [[Button(slot_label(s), f"{prefix}:{s.window_id}:{_epoch(s.starts_at)}")]
            for s in slots]  # fmt: skip


def wanted_time(entities: list[dict[str, Any]]) -> datetime | None:
    found = next((e for e in entities if e["entity"] == "time"), None)
    return datetime.fromisoformat(found["value"]) if found else None


async def offer(
    turn: Turn,
    resident: Resident,
    grid: Grid,
    message: InboundMessage,
    entities: list[dict[str, Any]],
) -> bool:
    """Offer slots for an appointment request; False when the community has none to offer
    (then the request is filed as a plain ticket and the worker arranges the time)."""
    community_id = grid.community_id
    if not await booking.windows_of(turn.session, community_id):
        return False
    wanted = wanted_time(entities)
    prefix = f"ap:book:{message.id}"
    if wanted is not None:
        slot = await booking.find_slot(turn.session, community_id, wanted, turn.now)
        if slot is not None and slot.free > 0:
            turn.to_resident(resident, texts.APPOINTMENT_CONFIRM.format(when=slot_label(slot)), [
                [Button(texts.APPOINTMENT_CONFIRM_BUTTON, f"{prefix}:{slot.window_id}:"
                                                          f"{_epoch(slot.starts_at)}")],
                [Button(texts.APPOINTMENT_NONE_BUTTON, f"ap:none:{message.id}")],
            ])  # fmt: skip
            return True
    around = wanted or turn.now
    slots = await booking.nearest_free_slots(turn.session, community_id, around, turn.now,
                                             OFFERED)  # fmt: skip
    if not slots:
        return False
    if wanted is not None:
        prompt = texts.APPOINTMENT_TAKEN.format(when=texts.time_range(wanted, None))
    else:
        prompt = texts.APPOINTMENT_CHOOSE
    rows = slot_buttons(prefix, slots)
    rows.append([Button(texts.APPOINTMENT_NONE_BUTTON, f"ap:none:{message.id}")])
    turn.to_resident(resident, prompt, rows)
    return True


async def offer_for_queued_ticket(turn: Turn, resident: Resident, ticket: Ticket) -> None:
    """Off hours, nobody on duty: a visit in the next service window may suit the resident."""
    slots = await booking.nearest_free_slots(
        turn.session, ticket.grid.community_id, turn.now, turn.now, OFFERED
    )
    if slots:
        turn.to_resident(
            resident,
            texts.APPOINTMENT_OFF_HOURS,
            slot_buttons(f"ap:tk:{ticket.id}", slots),
            ticket_id=ticket.id,
        )


def confirmation(appointment: Appointment, worker: Worker, ticket: Ticket) -> tuple[str, Keyboard]:
    text = texts.APPOINTMENT_BOOKED.format(
        when=texts.time_range(appointment.starts_at, appointment.ends_at),
        name=worker.name, number=ticket.number,
    )  # fmt: skip
    return text, [[Button(texts.APPOINTMENT_RESCHEDULE, f"ap:re:{appointment.id}"),
                   Button(texts.APPOINTMENT_CANCEL, f"ap:cancel:{appointment.id}")],
                  [Button(texts.APPOINTMENT_ICS, f"ap:ics:{appointment.id}")]]  # fmt: skip


async def on_book_button(turn: Turn, resident: Resident, data: str) -> None:
    parts = data.split(":")
    if len(parts) != 5 or not all(p.isdigit() for p in parts[2:]):
        turn.answer(texts.CHOICE_EXPIRED)
        return
    _, kind, raw_ref, raw_window, raw_start = parts
    ticket: Ticket | None = None
    message: InboundMessage | None = None
    if kind == "book":
        message = await turn.session.get(InboundMessage, int(raw_ref))
        if message is None or message.external_user_id != turn.inbound.user_id:
            turn.answer(texts.CHOICE_EXPIRED)
            return
        if message.ticket_id is not None:
            existing = await turn.session.get(Ticket, message.ticket_id)
            turn.answer(texts.ALREADY_SUBMITTED.format(number=existing.number if existing else ""))
            return
    else:
        ticket = await turn.session.get(Ticket, int(raw_ref))
        if ticket is None or ticket.resident_id != resident.id or not ticket.is_open:
            turn.answer(texts.CHOICE_EXPIRED)
            return
    grid = ticket.grid if ticket else await turn.session.get(Grid, resident.grid_id)
    assert grid is not None
    start = _moment(raw_start)
    note = message.text if message else ticket.summary if ticket else None
    appointment = await booking.book(
        turn.session, resident=resident, community_id=grid.community_id, slot_start=start,
        window_id=int(raw_window), now=turn.now, ticket_id=ticket.id if ticket else None,
        note=note,
    )  # fmt: skip
    if appointment is None:
        turn.answer(texts.APPOINTMENT_SLOT_GONE)
        slots = await booking.nearest_free_slots(turn.session, grid.community_id, start,
                                                 turn.now, OFFERED)  # fmt: skip
        prefix = f"ap:{kind}:{raw_ref}"
        turn.edit(texts.APPOINTMENT_SLOT_GONE_CHOOSE if slots else texts.APPOINTMENT_FULL,
                  slot_buttons(prefix, slots))  # fmt: skip
        return
    worker = await turn.session.get(Worker, appointment.worker_id)
    assert worker is not None
    if ticket is None:
        assert message is not None
        # Phone and address still come from what the resident wrote; the time is the slot's.
        parsed = await turn.services.parser.parse(message.text or "", message.received_at)
        ticket = await tickets.open_ticket(
            turn.session, resident=resident, grid=grid, category=Category.APPOINTMENT,
            text=message.text or "", channel=turn.inbound.channel, moment=turn.now,
            details=details_from(parsed.entities),
        )  # fmt: skip
        message.ticket_id = ticket.id
        appointment.ticket_id = ticket.id
    # The serving worker holds the appointment, so the ticket is theirs from the start.
    tickets.assign(turn.session, ticket, RoutingDecision(RouteLevel.GRID, worker), turn.now,
                   data={"appointment": appointment.id})  # fmt: skip
    ticket.appointment_at, ticket.appointment_until = appointment.starts_at, appointment.ends_at
    send_card(
        turn.session,
        ticket,
        resident,
        worker,
        turn.now,
        texts.APPOINTMENT_CARD_HEADING.format(
            when=texts.time_range(appointment.starts_at, appointment.ends_at)
        ),
    )
    text, buttons = confirmation(appointment, worker, ticket)
    turn.edit(text, buttons)
    turn.answer(texts.APPOINTMENT_BOOKED_TOAST)


async def on_none_button(turn: Turn, resident: Resident, data: str) -> None:
    raw_id = data.rpartition(":")[2]
    message = await turn.session.get(InboundMessage, int(raw_id)) if raw_id.isdigit() else None
    if message is None or message.external_user_id != turn.inbound.user_id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if message.ticket_id is not None:
        existing = await turn.session.get(Ticket, message.ticket_id)
        turn.answer(texts.ALREADY_SUBMITTED.format(number=existing.number if existing else ""))
        return
    grid = await turn.session.get(Grid, resident.grid_id)
    assert grid is not None
    turn.edit(texts.APPOINTMENT_WORKER_WILL_CALL)
    parsed = await turn.services.parser.parse(message.text or "", message.received_at)
    ticket = await open_and_route(turn, resident, grid, Category.APPOINTMENT, message.text or "",
                                  None, parsed.entities)  # fmt: skip
    message.ticket_id = ticket.id


async def _own_appointment(turn: Turn, resident: Resident, raw_id: str) -> Appointment | None:
    appointment = await turn.session.get(Appointment, int(raw_id)) if raw_id.isdigit() else None
    if appointment is None or appointment.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return None
    return appointment


async def on_reschedule_button(turn: Turn, resident: Resident, data: str) -> None:
    appointment = await _own_appointment(turn, resident, data.rpartition(":")[2])
    if appointment is None:
        return
    if appointment.status != AppointmentStatus.BOOKED:
        turn.answer(texts.APPOINTMENT_NOT_ACTIVE)
        return
    slots = [s for s in await booking.nearest_free_slots(
        turn.session, appointment.community_id, appointment.starts_at, turn.now, OFFERED + 1)
        if s.starts_at != appointment.starts_at][:OFFERED]  # fmt: skip
    if not slots:
        turn.answer(texts.APPOINTMENT_FULL)
        return
    turn.to_resident(
        resident, texts.APPOINTMENT_CHOOSE_NEW, slot_buttons(f"ap:mv:{appointment.id}", slots)
    )


async def on_move_button(turn: Turn, resident: Resident, data: str) -> None:
    parts = data.split(":")
    if len(parts) != 5 or not all(p.isdigit() for p in parts[2:]):
        turn.answer(texts.CHOICE_EXPIRED)
        return
    appointment = await _own_appointment(turn, resident, parts[2])
    if appointment is None:
        return
    if appointment.status != AppointmentStatus.BOOKED:
        turn.answer(texts.APPOINTMENT_NOT_ACTIVE)
        return
    old_worker_id, old_start = appointment.worker_id, appointment.starts_at
    moved = await booking.reschedule(turn.session, appointment, _moment(parts[4]),
                                     int(parts[3]), turn.now)  # fmt: skip
    if moved is None:
        turn.answer(texts.APPOINTMENT_SLOT_GONE)
        return
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
            tickets.assign(
                turn.session,
                ticket,
                RoutingDecision(RouteLevel.GRID, worker),
                turn.now,
                data={"appointment": moved.id},
            )
            send_card(
                turn.session,
                ticket,
                resident,
                worker,
                turn.now,
                texts.APPOINTMENT_CARD_HEADING.format(when=when),
            )
        else:
            turn.to_worker(
                worker,
                texts.APPOINTMENT_MOVED_WORKER.format(number=ticket.number, when=when),
                ticket_id=ticket.id,
            )
        if worker.id != old_worker_id:
            queue_message(turn.session, Party.WORKER, old_worker_id,
                          texts.APPOINTMENT_MOVED_AWAY.format(number=ticket.number), None,
                          ticket_id=ticket.id, now=turn.now)  # fmt: skip
    text, buttons = confirmation(moved, worker, ticket) if ticket else (when, [])
    turn.edit(text, buttons)
    turn.answer(texts.APPOINTMENT_BOOKED_TOAST)


async def on_cancel_button(turn: Turn, resident: Resident, data: str) -> None:
    appointment = await _own_appointment(turn, resident, data.rpartition(":")[2])
    if appointment is None:
        return
    if not await booking.cancel(turn.session, appointment, turn.now):
        turn.answer(texts.APPOINTMENT_NOT_ACTIVE)
        return
    turn.edit(texts.APPOINTMENT_CANCELLED)
    turn.answer(texts.APPOINTMENT_CANCELLED)
    ticket = (
        await turn.session.get(Ticket, appointment.ticket_id) if appointment.ticket_id else None
    )
    if ticket is not None and ticket.is_open:
        await tickets.cancel(turn.session, ticket, resident, turn.now)
        queue_message(turn.session, Party.WORKER, appointment.worker_id,
                      texts.APPOINTMENT_CANCELLED_WORKER.format(
                          number=ticket.number,
                          when=texts.time_range(appointment.starts_at, appointment.ends_at)),
                      None, ticket_id=ticket.id, now=turn.now)  # fmt: skip


async def on_ics_button(turn: Turn, resident: Resident, data: str) -> None:
    appointment = await _own_appointment(turn, resident, data.rpartition(":")[2])
    if appointment is None:
        return
    worker = await turn.session.get(Worker, appointment.worker_id)
    grid = await turn.session.get(Grid, resident.grid_id) if resident.grid_id else None
    content = booking.ics(
        appointment,
        summary=texts.ICS_SUMMARY.format(name=worker.name if worker else ""),
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


BUTTONS = {
    "ap:book": on_book_button,
    "ap:tk": on_book_button,
    "ap:none": on_none_button,
    "ap:re": on_reschedule_button,
    "ap:mv": on_move_button,
    "ap:cancel": on_cancel_button,
    "ap:ics": on_ics_button,
}


async def on_button(turn: Turn, resident: Resident, data: str) -> None:
    handler = BUTTONS.get(":".join(data.split(":")[:2]))
    if handler is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    await handler(turn, resident, data)


async def send_reminders(session: AsyncSession, now: datetime) -> int:
    """The sweeper's reminder pass: day before and an hour before, to resident and worker."""
    day_before, hour_before = await booking.due_reminders(session, now)
    sent = 0
    for kind, due in ((ReminderKind.DAY_BEFORE, day_before), (ReminderKind.HOUR_BEFORE,
                                                              hour_before)):  # fmt: skip
        for appointment in due:
            when = texts.time_range(appointment.starts_at, appointment.ends_at)
            template = (texts.REMINDER_TOMORROW if kind == ReminderKind.DAY_BEFORE
                        else texts.REMINDER_SOON)  # fmt: skip
            worker = await session.get(Worker, appointment.worker_id)
            resident = await session.get(Resident, appointment.resident_id)
            queue_message(session, Party.RESIDENT, appointment.resident_id,
                          template.format(when=when, name=worker.name if worker else ""),
                          None, ticket_id=appointment.ticket_id, now=now)  # fmt: skip
            queue_message(session, Party.WORKER, appointment.worker_id,
                          texts.REMINDER_WORKER.format(
                              when=when, resident=resident.display_name if resident else "居民",
                              note=appointment.note or ""),
                          None, ticket_id=appointment.ticket_id, now=now)  # fmt: skip
            booking.mark_reminded(appointment, kind, now)
            sent += 1
    return sent


async def today_for_worker(turn: Turn, worker: Worker) -> None:
    local_day = turn.now.astimezone(LOCAL_TZ).date()
    found = await booking.appointments_of_worker_on(turn.session, worker.id, local_day)
    if not found:
        turn.to_worker(worker, texts.TODAY_NONE)
        return
    lines = [texts.TODAY_HEADER.format(count=len(found))]
    for appointment in found:
        resident = await turn.session.get(Resident, appointment.resident_id)
        ticket = (await turn.session.get(Ticket, appointment.ticket_id)
                  if appointment.ticket_id else None)  # fmt: skip
        lines.append(
            texts.TODAY_LINE.format(
                when=f"{appointment.starts_at.astimezone(LOCAL_TZ):%H:%M}",
                resident=resident.display_name if resident else "居民",
                number=ticket.number if ticket else "-",
                note=(appointment.note or "")[:30],
            )
        )
    turn.to_worker(worker, "\n".join(lines))
