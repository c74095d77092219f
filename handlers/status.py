"""The resident's view of their tickets: /status with each ticket's history, and /cancel."""

from __future__ import annotations

from county import appointments as booking
from county import tickets
from county.models import Resident, Ticket
from handlers import buttons, dialogue, history, texts
from handlers.ticketing import refresh_cards
from handlers.turn import Turn
from messaging.keyboard import Button, Keyboard

PAGE_SIZE = 5


async def on_status(turn: Turn, resident: Resident) -> None:
    text, keyboard = await status_page(turn, resident, 0)
    turn.outbox.to_resident(resident, text, keyboard)


async def on_status_page(turn: Turn, resident: Resident, page: int) -> None:
    turn.edit(*await status_page(turn, resident, page))


async def status_page(turn: Turn, resident: Resident, page: int) -> tuple[str, Keyboard]:
    """One page of the resident's tickets, open ones first; a button per ticket for its
    history, and paging when there are more."""
    found = await tickets.tickets_of_resident(turn.session, resident.id)
    if not found:
        return texts.STATUS_NONE, []
    shown = found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    lines = [texts.STATUS_HEADER]
    for ticket in shown:
        handler = texts.STATUS_HANDLER.format(name=ticket.assignee.name) if ticket.assignee else ""
        lines.append(
            texts.STATUS_LINE.format(
                number=ticket.number,
                category=texts.CATEGORY_NAMES[ticket.category],
                status=texts.STATUS_NAMES[ticket.status],
                handler=handler,
                summary=texts.shorten(ticket.summary, 40),
            )
        )
        # Only a booked visit is an appointment; a time the resident merely wished for is not.
        booked = ticket.is_open and await booking.booked_for_ticket(turn.session, ticket.id)
        if booked:
            when = texts.time_range(booked.starts_at, booked.ends_at)
            lines.append(texts.STATUS_APPOINTMENT.format(when=when))
    remaining = len(found) - (page + 1) * PAGE_SIZE
    if remaining > 0:
        lines.append(texts.STATUS_MORE.format(count=remaining))
    history_buttons = [
        Button(texts.STATUS_TICKET_BUTTON.format(number=t.number), buttons.STATUS_TICKET.data(t.id))
        for t in shown
    ]
    keyboard = [history_buttons[i : i + 2] for i in range(0, len(history_buttons), 2)]
    keyboard += paging(buttons.STATUS_PAGE, page, remaining > 0)
    return "\n".join(lines), keyboard


def paging(action: buttons.Action, page: int, more: bool) -> Keyboard:
    row = []
    if page > 0:
        row.append(Button(texts.PAGE_PREV, action.data(page - 1)))
    if more:
        row.append(Button(texts.PAGE_NEXT, action.data(page + 1)))
    return [row] if row else []


async def on_status_ticket(turn: Turn, resident: Resident, ticket_id: int) -> None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    turn.outbox.to_resident(resident, await history.for_resident(turn.session, ticket),
                            ticket_id=ticket.id)  # fmt: skip


async def on_cancel(turn: Turn, resident: Resident) -> None:
    if await turn.state.get(dialogue.PENDING_REQUEST) is not None:
        await turn.state.clear(dialogue.PENDING_REQUEST)
        turn.outbox.to_resident(resident, texts.CANCELLED_STEP)
        return
    page = await cancel_page(turn, resident, 0)
    if page is None:
        turn.outbox.to_resident(resident, texts.CANCEL_NOTHING)
        return
    turn.outbox.to_resident(resident, *page)


async def on_cancel_page(turn: Turn, resident: Resident, page: int) -> None:
    found = await cancel_page(turn, resident, page)
    if found is None:
        turn.edit(texts.CANCEL_NOTHING)
        return
    turn.edit(*found)


async def cancel_page(turn: Turn, resident: Resident, page: int) -> tuple[str, Keyboard] | None:
    """One page of the resident's open tickets, each with its summary, to pick one to withdraw."""
    open_tickets = await tickets.open_tickets_of_resident(turn.session, resident.id)
    if not open_tickets:
        return None
    shown = open_tickets[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    keyboard: Keyboard = [
        [Button(texts.CANCEL_CHOICE.format(number=t.number, summary=texts.shorten(t.summary, 12)),
                buttons.CANCEL_TICKET.data(t.id))]
        for t in shown
    ]  # fmt: skip
    more = len(open_tickets) > (page + 1) * PAGE_SIZE
    keyboard += paging(buttons.CANCEL_PAGE, page, more)
    return texts.CANCEL_WHICH.format(count=len(open_tickets)), keyboard


async def own_ticket(turn: Turn, resident: Resident, ticket_id: int) -> Ticket | None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return None
    return ticket


async def on_cancel_button(turn: Turn, resident: Resident, ticket_id: int) -> None:
    """A ticket picked to withdraw: asked once more, with its words, before anything happens."""
    if (ticket := await own_ticket(turn, resident, ticket_id)) is None:
        return
    if not ticket.is_open:
        turn.answer(not_cancellable(ticket))
        return
    words = texts.shorten(ticket.summary, 60)
    turn.edit(
        texts.CANCEL_CONFIRM.format(number=ticket.number, summary=words),
        [[Button(texts.CANCEL_CONFIRM_BUTTON, buttons.CANCEL_CONFIRM.data(ticket.id)),
          Button(texts.CANCEL_KEEP_BUTTON, buttons.CANCEL_KEEP.data(ticket.id))]],
    )  # fmt: skip


def not_cancellable(ticket: Ticket) -> str:
    return texts.TICKET_NOT_CANCELLABLE.format(
        number=ticket.number, status=texts.STATUS_NAMES[ticket.status]
    )


async def on_cancel_keep(turn: Turn, resident: Resident, ticket_id: int) -> None:
    if (ticket := await own_ticket(turn, resident, ticket_id)) is None:
        return
    turn.edit(texts.CANCEL_KEPT.format(number=ticket.number))


async def on_cancel_confirm(turn: Turn, resident: Resident, ticket_id: int) -> None:
    if (ticket := await own_ticket(turn, resident, ticket_id)) is None:
        return
    if not await tickets.cancel(turn.session, ticket, resident, turn.now):
        turn.answer(not_cancellable(ticket))
        return
    appointment = await booking.booked_for_ticket(turn.session, ticket.id)
    if appointment is not None:
        await booking.cancel(turn.session, appointment, turn.now)
    await refresh_cards(turn.session, ticket, turn.now)
    notice = texts.TICKET_CANCELLED.format(number=ticket.number)
    turn.edit(notice)
    turn.answer(notice)
    if ticket.assignee is not None:
        turn.outbox.to_worker(
            ticket.assignee,
            texts.TICKET_CANCELLED_FOR_WORKER.format(number=ticket.number),
            ticket_id=ticket.id,
        )


async def on_share_identity(turn: Turn, resident: Resident, ticket_id: int) -> None:
    """The resident agrees that this ticket's workers see their name and number."""
    if (ticket := await own_ticket(turn, resident, ticket_id)) is None:
        return
    if ticket.identity_shared:
        turn.answer(texts.IDENTITY_ALREADY_SHARED)
        return
    ticket.identity_shared = True
    await refresh_cards(turn.session, ticket, turn.now)
    turn.answer(texts.IDENTITY_SHARED_TOAST)
    turn.outbox.to_resident(
        resident, texts.IDENTITY_SHARED.format(number=ticket.number), ticket_id=ticket.id
    )
