"""The closed loop (回访): the resident rates a resolved ticket; 不满意 reopens it for
supervision (督办) one level up, and the resident's reason goes on it."""

from __future__ import annotations

from county import tickets
from county.models import Resident, Ticket, TicketStatus
from handlers import buttons, dialogue, texts, threads
from handlers.ticketing import role_name, send_card
from handlers.turn import Turn
from messaging.keyboard import Button, Keyboard


async def on_rate_button(turn: Turn, resident: Resident, ticket_id: int, score: int) -> None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if not await tickets.rate(turn.session, ticket, resident, score, turn.now):
        closed = ticket.status == TicketStatus.CLOSED and ticket.rating is None
        turn.answer(texts.RATING_CLOSED if closed else texts.ALREADY_RATED)
        return
    turn.answer(texts.RATED)
    turn.edit(texts.RATED_NOTICE.format(number=ticket.number, rating=texts.RATING_LABELS[score]))
    if score == tickets.DISSATISFIED:
        await supervise(turn, resident, ticket)


async def supervise(turn: Turn, resident: Resident, ticket: Ticket) -> None:
    """不满意: reopen one level up (督办), tell the new handler and the previous one, and
    ask the resident why — their answer goes on the reopened ticket."""
    previous = ticket.assignee
    decision = await tickets.reopen_for_supervision(turn.session, ticket, resident, turn.now)
    if decision.worker is not None:
        heading = texts.SUPERVISION_HEADING.format(
            previous=f"{role_name(previous)}{previous.name}" if previous else texts.SOMEONE_STAFF
        )
        send_card(turn.outbox, ticket, resident, decision.worker, heading)
        who = texts.SUPERVISION_BY.format(
            role=role_name(decision.worker), name=decision.worker.name
        )
    else:
        who = texts.SUPERVISION_QUEUED
    if previous is not None:
        turn.outbox.to_worker(
            previous,
            texts.SUPERVISION_PREVIOUS.format(number=ticket.number, who=who),
            ticket_id=ticket.id,
        )
    await turn.state.put(dialogue.DISSATISFIED_WITH, ticket.id)
    turn.outbox.to_resident(
        resident, texts.SUPERVISION_ASK_WHY.format(number=ticket.number, who=who),
        ticket_id=ticket.id,
    )  # fmt: skip


async def on_dissatisfaction_reason(turn: Turn, resident: Resident) -> bool:
    """The message after 不满意 says why; it goes on the reopened ticket."""
    ticket_id = await turn.state.get(dialogue.DISSATISFIED_WITH)
    if ticket_id is None:
        return False
    await turn.state.clear(dialogue.DISSATISFIED_WITH)
    ticket = await turn.session.get(Ticket, int(ticket_id))
    if ticket is None or not ticket.is_open or ticket.resident_id != resident.id:
        return False
    threads.add_in_turn(turn, resident, ticket)
    return True


def rating_keyboard(ticket: Ticket) -> Keyboard:
    return [
        [
            Button(label, buttons.RATE.data(ticket.id, score))
            for score, label in texts.RATING_LABELS.items()
        ]
    ]
