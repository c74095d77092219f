"""Emergencies come first: the resident is told the number to call at once, then everyone
who can help is alerted, and the resident is told exactly who was.

The check runs on every resident message before threads, pending choices or anything
else (`handlers/resident.py`); this module files the red ticket and raises the alarm.
"""

from __future__ import annotations

from county import routing, tickets
from county.categories import category_of_emergency
from county.models import EventKind, Grid, Party, Resident, Ticket, Worker
from handlers import texts
from handlers.ticketing import consent_keyboard, open_request, role_name, send_card
from handlers.turn import Turn
from messaging.models import InboundMessage
from nlu.emergency import Emergency
from nlu.parse import NluUnavailable


def numbers_text(emergency: Emergency) -> str:
    return " / ".join(emergency.numbers)


def tell_numbers(turn: Turn, resident: Resident, emergency: Emergency) -> None:
    """First of all, the number to call: before a ticket, before anyone is found."""
    turn.outbox.to_resident(
        resident, texts.EMERGENCY_CALL_NOW.format(numbers=numbers_text(emergency))
    )


def names(workers: list[Worker]) -> str:
    return texts.LIST_SEPARATOR.join(f"{role_name(w)}{w.name}" for w in workers)


async def file_emergency(
    turn: Turn, resident: Resident, grid: Grid, message: InboundMessage, emergency: Emergency
) -> Ticket:
    """A red ticket, routed to the first reachable person of the chain (on duty or not),
    its card sent to everyone `routing.emergency_recipients` names."""
    try:
        entities = (await turn.services.parser.parse(message.text or "", turn.now)).entities
    except NluUnavailable:
        entities = []
    category = category_of_emergency(emergency.kind)
    ticket = await open_request(
        turn, resident, grid, category, message, None, entities, emergency=True
    )
    recipients = await routing.emergency_recipients(turn.session, grid, turn.now)
    decision = await routing.choose_assignee(turn.session, grid, turn.now)
    if decision.worker is None:
        decision = await routing.choose_assignee(turn.session, grid, turn.now, ignore_duty=True)
    tickets.assign(turn.session, ticket, decision, turn.now)
    alerted = list(recipients.workers)
    if decision.worker is not None and all(w.id != decision.worker.id for w in alerted):
        alerted.insert(0, decision.worker)
    heading = texts.EMERGENCY_CARD_HEADING.format(numbers=numbers_text(emergency))
    for worker in alerted:
        send_card(turn.outbox, ticket, resident, worker, heading)
    tickets.log_event(
        turn.session, ticket, EventKind.EMERGENCY_ALERT, turn.now, actor=Party.SYSTEM,
        data={"kind": emergency.kind, "trigger": emergency.trigger,
              "alerted": [w.id for w in alerted], "on_duty": recipients.on_duty},
    )  # fmt: skip
    # Only what really happened: who was sent the card, and whether they are on duty.
    if not alerted:
        notice = texts.EMERGENCY_NOBODY
    elif recipients.on_duty:
        notice = texts.EMERGENCY_NOTIFIED
    else:
        notice = texts.EMERGENCY_NOTIFIED_OFF_DUTY
    turn.outbox.to_resident(
        resident,
        notice.format(number=ticket.number, grid=grid.full_name, names=names(alerted),
                      numbers=numbers_text(emergency)),
        consent_keyboard(ticket, resident),
        ticket_id=ticket.id,
    )  # fmt: skip
    return ticket
