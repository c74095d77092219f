"""What a registered worker can do: duty toggles, claim, reply, resolve, list."""

from __future__ import annotations

from county import directory, routing, tickets
from county.models import (
    DutyOverride,
    EventKind,
    Grid,
    Party,
    Resident,
    Ticket,
    TicketStatus,
    Worker,
)
from county.roster import end_of_local_day, is_on_duty
from county.tickets import ClaimOutcome, resident_of
from handlers import appointments, buttons, texts
from handlers.dispatch import Table, ignore_argument
from handlers.rating import rating_keyboard
from handlers.resident import UNSUPPORTED
from handlers.ticketing import (
    card_buttons,
    card_text,
    dispatch_queued_for,
    role_name,
    send_card,
)
from handlers.turn import Turn
from messaging.inbound import photo_of
from messaging.models import InboundKind
from messaging.outbox import ticket_of_delivered_message


async def on_duty_toggle(turn: Turn, worker: Worker, on: bool) -> None:
    worker.duty_override = DutyOverride.ON if on else DutyOverride.OFF
    worker.duty_override_until = end_of_local_day(turn.now)
    turn.outbox.to_worker(worker, texts.ON_DUTY if on else texts.OFF_DUTY)
    if on:
        await turn.session.flush()
        handed = await dispatch_queued_for(turn.session, worker, turn.now)
        if handed:
            turn.outbox.to_worker(worker, texts.QUEUE_HANDED_OVER.format(count=handed))


async def on_status(turn: Turn, worker: Worker) -> None:
    state = texts.DUTY_STATE_ON if is_on_duty(worker, turn.now) else texts.DUTY_STATE_OFF
    open_tickets = await tickets.open_tickets_of_worker(turn.session, worker.id)
    lines = [texts.WORKER_DUTY_LINE.format(state=state)]
    if not open_tickets:
        lines.append(texts.WORKER_STATUS_NONE)
    else:
        lines.append(texts.WORKER_STATUS_HEADER.format(count=len(open_tickets)))
        for ticket in open_tickets:
            summary = ticket.summary if len(ticket.summary) <= 30 else ticket.summary[:30] + "…"
            lines.append(
                f"{ticket.number}｜{texts.CATEGORY_NAMES[ticket.category]}｜"
                f"{texts.STATUS_NAMES[ticket.status]}\n  {summary}"
            )
    turn.outbox.to_worker(worker, "\n".join(lines))


async def claim(turn: Turn, worker: Worker, ticket: Ticket) -> ClaimOutcome:
    result = await tickets.claim(turn.session, ticket, worker, turn.now)
    if result.outcome == ClaimOutcome.CLAIMED:
        resident = await resident_of(turn.session, ticket)
        turn.outbox.to_resident(
            resident,
            texts.CLAIMED_NOTICE_RESIDENT.format(
                role=role_name(worker), name=worker.name, number=ticket.number
            ),
            ticket_id=ticket.id,
        )
    return result.outcome


def refusal(outcome: ClaimOutcome, ticket: Ticket) -> str:
    if outcome == ClaimOutcome.ALREADY_YOURS:
        return texts.ALREADY_YOURS
    if outcome == ClaimOutcome.TAKEN:
        name = ticket.assignee.name if ticket.assignee else texts.SOMEONE_WORKER
        return texts.TAKEN_BY.format(name=name)
    if outcome == ClaimOutcome.NOT_ALLOWED:
        return texts.TICKET_NOT_YOURS
    return texts.TICKET_CLOSED.format(status=texts.STATUS_NAMES[ticket.status])


async def pressed_card(turn: Turn, ticket_id: int) -> tuple[Ticket, Resident] | None:
    """The ticket of a pressed card and its resident; None (and the presser told) if gone."""
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return None
    return ticket, await resident_of(turn.session, ticket)


async def on_claim_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (card := await pressed_card(turn, ticket_id)) is None:
        return
    ticket, resident = card
    outcome = await claim(turn, worker, ticket)
    if outcome == ClaimOutcome.CLAIMED:
        turn.answer(texts.CLAIMED_TOAST)
    else:
        turn.answer(refusal(outcome, ticket))
    if outcome in (ClaimOutcome.CLAIMED, ClaimOutcome.ALREADY_YOURS):
        turn.edit(
            card_text(ticket, resident) + texts.CARD_CLAIMED_SUFFIX.format(name=worker.name),
            card_buttons(ticket),
        )


async def on_resolve_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (card := await pressed_card(turn, ticket_id)) is None:
        return
    ticket, resident = card
    await resolve(turn, worker, ticket)
    if ticket.status == TicketStatus.RESOLVED:
        turn.edit(card_text(ticket, resident) + texts.CARD_RESOLVED_SUFFIX)


async def resolve(turn: Turn, worker: Worker, ticket: Ticket) -> None:
    if not ticket.is_open:
        turn.answer(texts.TICKET_CLOSED.format(status=texts.STATUS_NAMES[ticket.status]))
        return
    if ticket.assignee_id not in (None, worker.id) and ticket.status == TicketStatus.CLAIMED:
        assignee = ticket.assignee.name if ticket.assignee else texts.SOMEONE_WORKER
        turn.answer(texts.TAKEN_BY.format(name=assignee))
        return
    if ticket.assignee_id != worker.id:
        outcome = await claim(turn, worker, ticket)
        if outcome not in (ClaimOutcome.CLAIMED, ClaimOutcome.ALREADY_YOURS):
            turn.answer(refusal(outcome, ticket))
            return
    await tickets.resolve(turn.session, ticket, worker, turn.now)
    resident = await resident_of(turn.session, ticket)
    turn.outbox.to_resident(
        resident,
        texts.RESOLVED_NOTICE_RESIDENT.format(number=ticket.number),
        rating_keyboard(ticket),
        ticket_id=ticket.id,
    )
    turn.answer(texts.RESOLVED_TOAST)


async def relay_to_resident(turn: Turn, worker: Worker, ticket: Ticket, text: str) -> None:
    if not ticket.is_open:
        turn.outbox.to_worker(
            worker, texts.TICKET_CLOSED.format(status=texts.STATUS_NAMES[ticket.status])
        )
        return
    if ticket.assignee_id != worker.id or ticket.status != TicketStatus.CLAIMED:
        # Writing to the resident is acknowledging the ticket; claim it on the way.
        outcome = await claim(turn, worker, ticket)
        if outcome not in (ClaimOutcome.CLAIMED, ClaimOutcome.ALREADY_YOURS):
            turn.outbox.to_worker(worker, refusal(outcome, ticket))
            return
    turn.stored.ticket_id = ticket.id
    tickets.log_event(
        turn.session,
        ticket,
        EventKind.WORKER_MESSAGE,
        turn.now,
        actor=Party.WORKER,
        actor_id=worker.id,
        body=text,
    )
    resident = await resident_of(turn.session, ticket)
    turn.outbox.to_resident(
        resident,
        photo=photo_of(turn.stored),
        text=texts.WORKER_SAYS.format(
            role=role_name(worker), name=worker.name, number=ticket.number, text=text
        ),
        ticket_id=ticket.id,
    )
    turn.outbox.to_worker(
        worker, texts.RELAYED_TO_RESIDENT.format(number=ticket.number), ticket_id=ticket.id
    )


async def on_text(turn: Turn, worker: Worker) -> None:
    text = (turn.inbound.text or "").strip()
    if not text:
        turn.outbox.to_worker(worker, texts.EMPTY_TEXT)
        return
    if len(text) > turn.settings.max_message_chars:
        turn.outbox.to_worker(
            worker, texts.TOO_LONG.format(length=len(text), limit=turn.settings.max_message_chars)
        )
        return
    replied = turn.inbound.reply_to_message_id
    if replied is not None:
        ticket_id = await ticket_of_delivered_message(
            turn.session, turn.inbound.channel, turn.inbound.chat_id, replied
        )
        ticket = await turn.session.get(Ticket, ticket_id) if ticket_id else None
        if ticket is not None:
            await relay_to_resident(turn, worker, ticket, text)
            return
    claimed = [
        t
        for t in await tickets.open_tickets_of_worker(turn.session, worker.id)
        if t.status == TicketStatus.CLAIMED
    ]
    if len(claimed) == 1:
        await relay_to_resident(turn, worker, claimed[0], text)
        return
    turn.outbox.to_worker(worker, texts.REPLY_HOW if claimed else texts.WORKER_TEXT_HINT)


async def ticket_numbered(turn: Turn, worker: Worker, number: str) -> Ticket | None:
    """The ticket a command names by number; None (and the worker told) if there is none."""
    ticket = await tickets.ticket_by_number(turn.session, number)
    if ticket is None:
        turn.outbox.to_worker(worker, texts.TICKET_NOT_FOUND.format(number=number))
    return ticket


async def on_reply_command(turn: Turn, worker: Worker, argument: str) -> None:
    number, _, text = argument.strip().partition(" ")
    if not number or not text.strip():
        turn.outbox.to_worker(worker, texts.REPLY_USAGE)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is None:
        return
    await relay_to_resident(turn, worker, ticket, text.strip())


async def on_transfer_command(turn: Turn, worker: Worker, argument: str) -> None:
    """转派: move a ticket to another grid, with the reason on record."""
    number, _, rest = argument.strip().partition(" ")
    code, _, reason = rest.strip().partition(" ")
    if not number or not code or not reason.strip():
        turn.outbox.to_worker(worker, texts.TRANSFER_USAGE)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is None:
        return
    if not ticket.is_open:
        turn.outbox.to_worker(
            worker, texts.TICKET_CLOSED.format(status=texts.STATUS_NAMES[ticket.status])
        )
        return
    if ticket.assignee_id != worker.id and not await routing.may_handle(
        turn.session, worker, ticket.grid
    ):
        turn.outbox.to_worker(worker, texts.TICKET_NOT_YOURS)
        return
    target = await directory.grid_by_code(turn.session, code.upper())
    if target is None:
        turn.outbox.to_worker(worker, texts.GRID_NOT_FOUND.format(code=code))
        return
    if target.id == ticket.grid_id:
        turn.outbox.to_worker(
            worker, texts.TRANSFER_SAME_GRID.format(number=ticket.number, grid=target.full_name)
        )
        return
    await transfer(turn, worker, ticket, target, reason.strip())


async def transfer(turn: Turn, worker: Worker, ticket: Ticket, target: Grid, reason: str) -> None:
    source = ticket.grid
    ticket.grid_id, ticket.grid = target.id, target
    decision = await routing.choose_assignee(turn.session, target, turn.now)
    tickets.assign(turn.session, ticket, decision, turn.now, EventKind.TRANSFERRED,
                   {"from_grid": source.code, "to_grid": target.code, "reason": reason,
                    "by": worker.id})  # fmt: skip
    resident = await resident_of(turn.session, ticket)
    if decision.worker is not None:
        send_card(
            turn.outbox,
            ticket,
            resident,
            decision.worker,
            texts.TRANSFERRED_HEADING.format(grid=source.full_name, reason=reason),
        )
    turn.outbox.to_worker(worker, texts.TRANSFERRED_AWAY.format(number=ticket.number,
                                                         grid=target.full_name, reason=reason),
                   ticket_id=ticket.id)  # fmt: skip
    turn.outbox.to_resident(
        resident,
        texts.TRANSFERRED_RESIDENT.format(
            number=ticket.number, grid=target.full_name, reason=reason
        ),
        ticket_id=ticket.id,
    )


async def on_start(turn: Turn, worker: Worker, argument: str) -> None:
    # `/start CODE` (registration) is handled before the worker is known; plain /start:
    turn.outbox.to_worker(worker, texts.WORKER_WELCOME_BACK.format(name=worker.name))


async def on_help(turn: Turn, worker: Worker, argument: str) -> None:
    turn.outbox.to_worker(worker, texts.HELP_WORKER)


async def on_duty_command(turn: Turn, worker: Worker, argument: str) -> None:
    await on_duty_toggle(turn, worker, True)


async def off_duty_command(turn: Turn, worker: Worker, argument: str) -> None:
    await on_duty_toggle(turn, worker, False)


async def on_resident_only_command(turn: Turn, worker: Worker, argument: str) -> None:
    turn.outbox.to_worker(worker, texts.WORKER_CANCEL)


TABLE: Table[Worker] = Table(
    commands={
        "/start": on_start,
        "/help": on_help,
        "/status": ignore_argument(on_status),
        "/onduty": on_duty_command,
        "/offduty": off_duty_command,
        "/reply": on_reply_command,
        "/transfer": on_transfer_command,
        "/today": ignore_argument(appointments.today_for_worker),
        "/cancel": on_resident_only_command,
        "/new": on_resident_only_command,
    },
    buttons={buttons.CLAIM: on_claim_button, buttons.RESOLVE: on_resolve_button},
    unknown_command=texts.UNKNOWN_COMMAND_WORKER,
)


async def handle(turn: Turn, worker: Worker) -> None:
    inbound = turn.inbound
    if await TABLE.dispatch(turn, worker, lambda text: turn.outbox.to_worker(worker, text)):
        return
    if inbound.kind == InboundKind.TEXT or (
        inbound.kind == InboundKind.PHOTO and (inbound.text or "").strip()
    ):
        await on_text(turn, worker)
    elif inbound.kind in UNSUPPORTED or inbound.kind == InboundKind.PHOTO:
        turn.outbox.to_worker(
            worker, texts.UNSUPPORTED_KIND.get(inbound.kind, texts.UNSUPPORTED_KIND["other"])
        )
    else:
        turn.outbox.to_worker(worker, texts.WORKER_TEXT_HINT)


async def served_area(turn: Turn, worker: Worker) -> str:
    grids = await directory.grids_served_by(turn.session, worker)
    return "、".join(g.full_name for g in grids) or texts.NO_GRID_ASSIGNED
