"""One ticket per problem: which open ticket a resident's message belongs to.

A Telegram reply to a message about a ticket continues it; so does a message on a
ticket the worker is answering (until /new). A message soon after the resident's open
ticket last moved adds to it when it plainly is a detail or the same problem again, and
the resident is asked with two buttons when it is not plain. Photos and location pins
after a report attach to it. Nothing here opens a ticket: that is `handlers/resident.py`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from county import directory, tickets
from county.models import Category, EventKind, Grid, Party, Resident, Ticket
from county.tickets import TicketDetails
from handlers import buttons, dialogue, texts
from handlers.ticketing import role_name, route_and_announce
from handlers.turn import Turn
from messaging import inbound
from messaging.inbound import photo_of
from messaging.keyboard import Button
from messaging.models import InboundAwaiting, InboundMessage
from messaging.outbox import Outbox, ticket_of_delivered_message
from nlu import cues

SUMMARY_SHOWN = 24


def add_to_ticket(
    session: AsyncSession,
    outbox: Outbox,
    now: datetime,
    ticket: Ticket,
    resident: Resident,
    message: InboundMessage,
    *,
    location: tuple[float, float] | None = None,
) -> None:
    """Put the message on the ticket's record and pass it to whoever has the ticket."""
    message.ticket_id = ticket.id
    inbound.choice_made(message)
    photo = photo_of(message)
    if photo is not None and ticket.photo is None:
        ticket.photo = photo
    if location is not None:
        tickets.pin(ticket, *location)
    text = message.text or ""
    tickets.log_event(
        session, ticket, EventKind.RESIDENT_MESSAGE, now, actor=Party.RESIDENT,
        actor_id=resident.id, body=text or None,
        data={"location": list(location)} if location else None,
    )  # fmt: skip
    if ticket.assignee is None:
        outbox.to_resident(
            resident, texts.THREAD_WAITING.format(number=ticket.number), ticket_id=ticket.id
        )
        return
    if location is not None:
        said = texts.PIN_SAYS.format(latitude=location[0], longitude=location[1])
    elif text:
        said = text
    else:
        said = texts.PHOTO_SAYS
    outbox.to_worker(
        ticket.assignee,
        texts.RESIDENT_SAYS.format(
            number=ticket.number, name=resident.display_name or texts.SOMEONE_RESIDENT, text=said
        ),
        ticket_id=ticket.id,
        photo=photo,
    )
    outbox.to_resident(
        resident,
        texts.THREAD_FORWARDED.format(
            name=role_name(ticket.assignee) + ticket.assignee.name, number=ticket.number
        ),
        ticket_id=ticket.id,
    )


def add_in_turn(
    turn: Turn,
    resident: Resident,
    ticket: Ticket,
    *,
    location: tuple[float, float] | None = None,
) -> None:
    """This turn's message goes on `ticket`."""
    add_to_ticket(
        turn.session, turn.outbox, turn.now, ticket, resident, turn.stored, location=location
    )


async def conversation_thread(turn: Turn, resident: Resident) -> Ticket | None:
    """The open ticket this message plainly continues, if any: a Telegram reply to a message
    about it, or the newest claimed ticket on which the worker has written (until /new)."""
    replied = turn.inbound.reply_to_message_id
    if replied is not None:
        ticket_id = await ticket_of_delivered_message(
            turn.session, turn.inbound.channel, turn.inbound.chat_id, replied
        )
        ticket = await turn.session.get(Ticket, ticket_id) if ticket_id else None
        if ticket is not None and ticket.resident_id == resident.id and ticket.is_open:
            return ticket
    fresh_after = await turn.state.get(dialogue.FRESH_AFTER)
    return await tickets.thread_continued(
        turn.session, resident.id, int(fresh_after) if fresh_after is not None else None
    )


async def recent_ticket(turn: Turn, resident: Resident) -> Ticket | None:
    """The open ticket a message sent now would most likely add to."""
    since = turn.now - timedelta(minutes=turn.settings.followup_window_minutes)
    return await tickets.recently_active_open_ticket(turn.session, resident.id, since)


async def same_problem_open(turn: Turn, resident: Resident, text: str) -> Ticket | None:
    """An open ticket of the resident's that this message reports again, however old."""
    for ticket in await tickets.open_tickets_of_resident(turn.session, resident.id):
        if cues.same_problem(text, ticket.summary):
            return ticket
    return None


async def place_text(turn: Turn, resident: Resident, text: str) -> bool:
    """Add the message to the ticket it belongs to, or ask; False when it is a new request."""
    thread = await conversation_thread(turn, resident)
    if thread is not None:
        add_in_turn(turn, resident, thread)
        return True
    recent = await recent_ticket(turn, resident)
    if recent is not None:
        if cues.adds_detail(text) or cues.same_problem(text, recent.summary):
            add_in_turn(turn, resident, recent)
        else:
            ask_followup(turn, resident, recent)
        return True
    again = await same_problem_open(turn, resident, text)
    if again is not None:
        add_in_turn(turn, resident, again)
        return True
    return False


def ask_followup(turn: Turn, resident: Resident, ticket: Ticket) -> None:
    message = turn.stored
    inbound.await_choice(message, InboundAwaiting.FOLLOWUP, ticket.id)
    summary = texts.shorten(ticket.summary, SUMMARY_SHOWN)
    turn.outbox.to_resident(
        resident,
        texts.FOLLOWUP_QUESTION.format(number=ticket.number, summary=summary),
        [[Button(texts.FOLLOWUP_ADD_BUTTON.format(number=ticket.number),
                 buttons.FOLLOWUP_ADD.data(message.id)),
          Button(texts.FOLLOWUP_NEW_BUTTON, buttons.FOLLOWUP_NEW.data(message.id))]],
        ticket_id=ticket.id,
    )  # fmt: skip


async def awaiting_message(
    turn: Turn, message_id: int, awaiting: InboundAwaiting
) -> InboundMessage | None:
    """The presser's own message still waiting for this choice; None (and told) otherwise."""
    message = await turn.session.get(InboundMessage, message_id)
    if message is None or message.external_user_id != turn.inbound.user_id:
        turn.answer(texts.CHOICE_EXPIRED)
        return None
    if message.awaiting != awaiting:
        turn.answer(texts.CHOICE_ALREADY_MADE)
        return None
    return message


async def decide_unanswered(session: AsyncSession, now: datetime, patience: timedelta) -> int:
    """The sweeper's pass for questions nobody answered: a possible follow-up joins its
    ticket; a request whose category was never picked goes to the grid as 其他. Either
    way the resident is told, and nothing is left unfiled."""
    outbox = Outbox(session, now)
    decided = 0
    for message in await inbound.awaiting_since(session, now - patience):
        resident = await directory.resident_by_account(
            session, message.channel, message.external_user_id
        )
        if resident is None or resident.grid_id is None:
            # Not bound yet: the pending request is filed when they choose a grid.
            inbound.choice_made(message)
            continue
        ticket = (
            await session.get(Ticket, message.awaiting_ticket_id)
            if message.awaiting == InboundAwaiting.FOLLOWUP and message.awaiting_ticket_id
            else None
        )
        if ticket is not None and ticket.is_open:
            add_to_ticket(session, outbox, now, ticket, resident, message)
            outbox.to_resident(resident, texts.FOLLOWUP_DECIDED.format(number=ticket.number))
        else:
            await file_as_other(session, outbox, now, resident, message)
        decided += 1
    return decided


async def file_as_other(
    session: AsyncSession,
    outbox: Outbox,
    now: datetime,
    resident: Resident,
    message: InboundMessage,
) -> Ticket:
    inbound.choice_made(message)
    grid = await session.get(Grid, resident.grid_id)
    assert grid is not None
    ticket = await tickets.open_ticket(
        session, resident=resident, grid=grid, category=Category.OTHER, text=message.text or "",
        channel=message.channel, moment=now, details=TicketDetails(photo=photo_of(message)),
    )  # fmt: skip
    message.ticket_id = ticket.id
    outbox.to_resident(resident, texts.CATEGORY_DECIDED, ticket_id=ticket.id)
    await route_and_announce(session, ticket, resident, now)
    return ticket
