"""What a registered worker can do: the day's tickets in one or two taps.

Commands and card buttons are in `TABLE`. A worker's free text reaches a resident only
when it is clearly meant for one: a Telegram reply to a message of that ticket, or the
answer to 回复; anything else is kept and the worker is asked whose ticket it is for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

from county import directory, roster, tickets
from county.models import DutyOverride, Grid, Party, Resident, Ticket, TicketStatus, Worker
from county.roster import is_on_duty
from county.tickets import ClaimOutcome, resident_of
from handlers import appointments, buttons, dialogue, texts
from handlers import worker_actions as act
from handlers.dispatch import Table, ignore_argument
from handlers.history import history_text
from handlers.resident import UNSUPPORTED
from handlers.ticketing import (
    card_for,
    dispatch_queued_for,
    refresh_cards,
    resident_label,
    resident_words,
    role_name,
    send_card,
)
from handlers.turn import Turn
from messaging.keyboard import Button, Keyboard
from messaging.models import InboundKind, InboundMessage, OutboxMessage
from messaging.outbox import CARD, delivered_message, ticket_of_delivered_message, views_of

PAGE_SIZE = 5
# The queue list is a view of its own: pressing 接单 on it re-renders it in place.
QUEUE_VIEW = "queue"
# 接单 0012 / 办结 0012 已修好 / 办结, typed as plain text, are the commands.
_TYPED = re.compile(r"^(接单|办结)\s*((?:GL-)?\d[\d-]*)?(?:\s+(.+))?$", re.IGNORECASE | re.DOTALL)
TYPED_COMMANDS = {"接单": "/claim", "办结": "/resolve"}


def typed_command(text: str) -> tuple[str, str] | None:
    """('/claim', '0012') for '接单 0012'; None for anything that is not a typed command."""
    found = _TYPED.match(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        return None
    verb, number, rest = found.groups()
    if rest and not number:
        return None  # 办结 已修好 without a number: words for someone, not the command
    return TYPED_COMMANDS[verb], " ".join(p for p in (number, rest) if p)


# ---- duty -------------------------------------------------------------------------------


def duty_until(worker: Worker, turn: Turn) -> str | None:
    """When the worker's current duty state next changes, as the worker reads it."""
    override = worker.duty_override_until
    if worker.duty_override and override is not None and turn.now < override:
        return texts.short_when(override, turn.now)
    boundary = roster.next_boundary(worker, turn.now)
    return texts.short_when(boundary, turn.now) if boundary else None


async def on_duty_toggle(turn: Turn, worker: Worker, on: bool) -> None:
    """Until the roster's next boundary (end of this shift, or start of the next), not
    midnight: /offduty at 03:00 must not cancel the day's shift."""
    until = roster.override_until(worker, turn.now, on)
    worker.duty_override = DutyOverride.ON if on else DutyOverride.OFF
    worker.duty_override_until = until
    when = texts.short_when(until, turn.now)
    turn.outbox.to_worker(worker, (texts.ON_DUTY if on else texts.OFF_DUTY).format(until=when))
    if on:
        await turn.session.flush()
        handed = await dispatch_queued_for(turn.session, worker, turn.now)
        if handed:
            turn.outbox.to_worker(worker, texts.QUEUE_HANDED_OVER.format(count=handed))


async def on_status(turn: Turn, worker: Worker) -> None:
    state = texts.DUTY_STATE_ON if is_on_duty(worker, turn.now) else texts.DUTY_STATE_OFF
    until = duty_until(worker, turn)
    if until:
        state = texts.DUTY_UNTIL.format(state=state, until=until)
    open_tickets = await tickets.open_tickets_of_worker(turn.session, worker.id)
    lines = [texts.WORKER_DUTY_LINE.format(state=state)]
    if not open_tickets:
        lines.append(texts.WORKER_STATUS_NONE)
    else:
        lines.append(texts.WORKER_STATUS_HEADER.format(count=len(open_tickets)))
        for ticket in open_tickets:
            summary = resident_words(ticket, 30)
            lines.append(
                f"{ticket.number}｜{texts.CATEGORY_NAMES[ticket.category]}｜"
                f"{texts.STATUS_NAMES[ticket.status]}\n  {summary}"
            )
    waiting = await tickets.waiting_in_grids(turn.session, await served_grid_ids(turn, worker))
    lines.append(texts.WORKER_QUEUE_LINE.format(count=len(waiting)))
    turn.outbox.to_worker(worker, "\n".join(lines))


# ---- finding the ticket a worker means -----------------------------------------------------


async def served_grid_ids(turn: Turn, worker: Worker) -> list[int]:
    return [g.id for g in await directory.grids_served_by(turn.session, worker)]


def ticket_buttons(
    found: list[Ticket],
    residents: dict[int, Resident],
    data: Callable[[Ticket], str],
    now: datetime,
    label: str = texts.WHICH_TICKET_BUTTON,
) -> Keyboard:
    """One button a row per ticket, named so a worker on a phone knows which is which."""
    return [
        [
            Button(
                label.format(
                    number=t.number,
                    tail=texts.short_number(t.number, now),
                    who=resident_label(residents[t.resident_id], t),
                    words=resident_words(t, texts.LIST_WORDS_LIMIT // 3),
                ),
                data(t),
            )
        ]
        for t in found
    ]


async def ticket_numbered(turn: Turn, worker: Worker, query: str) -> Ticket | None:
    """The ticket a command names by its number or a unique tail. None when there is none
    (the worker told) or several fit (the worker asked, with buttons that run the same
    command again on the one he picks)."""
    if tickets.number_tail(query) is None:
        turn.outbox.to_worker(worker, texts.NUMBER_INVALID.format(query=query))
        return None
    found = await tickets.find_by_number(
        turn.session, query, grid_ids=await served_grid_ids(turn, worker), worker_id=worker.id
    )
    if not found:
        turn.outbox.to_worker(worker, texts.TICKET_NOT_FOUND.format(number=query))
        return None
    if len(found) == 1:
        return found[0]
    residents = await act.residents_by_id(turn, found)
    stored = turn.stored.id
    rows = ticket_buttons(
        found, residents, lambda t: buttons.PICK_TICKET.data(stored, t.id), turn.now
    )
    turn.outbox.to_worker(worker, texts.WHICH_TICKET.format(query=query), rows)
    return None


def split_number(argument: str) -> tuple[str, str]:
    number, _, rest = argument.strip().partition(" ")
    return number, rest.strip()


async def on_pick_ticket(turn: Turn, worker: Worker, message_id: int, ticket_id: int) -> None:
    """The answer to 'which 0012?': run the command he typed on the ticket he picked."""
    message = await own_message(turn, message_id)
    ticket = await turn.session.get(Ticket, ticket_id)
    if message is None or ticket is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if message.ticket_id is not None:
        turn.answer(texts.ALREADY_DONE)
        return
    line = (message.text or "").strip()
    command, argument = typed_command(line) or (line.partition(" ")[0].split("@")[0].lower(),
                                                line.partition(" ")[2])  # fmt: skip
    handler = TABLE.commands.get(command)
    if handler is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    message.ticket_id = ticket.id  # done once, however often the button is pressed
    _, rest = split_number(argument)
    turn.edit(texts.PICKED.format(number=ticket.number))
    await handler(turn, worker, f"{ticket.number} {rest}".strip())


async def own_message(turn: Turn, message_id: int) -> InboundMessage | None:
    """An inbound message of this very sender (a kept text, a command), or None."""
    message = await turn.session.get(InboundMessage, message_id)
    if (
        message is None
        or message.channel != turn.inbound.channel
        or message.external_user_id != turn.inbound.user_id
    ):
        return None
    return message


async def pressed_ticket(turn: Turn, ticket_id: int) -> Ticket | None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None:
        turn.answer(texts.CHOICE_EXPIRED)
    return ticket


async def refused(turn: Turn, worker: Worker, ticket: Ticket) -> bool:
    """Tell the worker why not, if he may not work on it; a pressed stale card is
    re-rendered on the way."""
    why = await act.refusal(turn, worker, ticket)
    if why is None:
        return False
    act.tell(turn, worker, why)
    await refresh_cards(turn.session, ticket, turn.now)
    return True


def receipt(
    turn: Turn,
    worker: Worker,
    text: str | None,
    *,
    edit: bool = False,
    ticket: Ticket | None = None,
) -> None:
    """An action's receipt: the pressed prompt or picker becomes it, or a message (one a
    reply to which goes on with the ticket)."""
    if text is None:
        return
    if edit and turn.inbound.kind == InboundKind.BUTTON:
        turn.edit(text)
    else:
        turn.outbox.to_worker(worker, text, ticket_id=ticket.id if ticket else None)


async def ask(
    turn: Turn,
    worker: Worker,
    ticket: Ticket,
    what: str,
    text: str,
    quick: Keyboard,
    *,
    extra: dict[str, Any] | None = None,
    in_place: bool = False,
) -> None:
    """Ask for the words an action needs (a result, a reason, a reply): the next text
    answers, or one of the quick buttons. `in_place`: the pressed picker becomes the
    question. The slot remembers the question, so answering takes its buttons away."""
    value: dict[str, Any] = {"do": what, "ticket": ticket.id, "text": text, **(extra or {})}
    if in_place and turn.inbound.kind == InboundKind.BUTTON:
        turn.edit(text, quick)
        pressed = await pressed_row(turn)
        if pressed is not None:
            value["message"] = pressed.id
    else:
        question = turn.outbox.to_worker(worker, text, quick, ticket_id=ticket.id)
        await turn.session.flush()
        value["message"] = question.id
    await turn.state.put(dialogue.WORKER_PROMPT, value)


async def settle_question(turn: Turn, prompt: dict[str, Any]) -> None:
    """The question was answered by text: its quick buttons must not invite a second answer."""
    question = await turn.session.get(OutboxMessage, int(prompt.get("message") or 0))
    if question is not None and question.buttons:
        turn.outbox.edit(question, str(prompt.get("text") or question.text))


# ---- 接单 ---------------------------------------------------------------------------------


async def claim_and_show(turn: Turn, worker: Worker, ticket: Ticket) -> None:
    """接单 from a command, a typed 接单, the queue list or a picker: then he has the card
    to work from (his own copy is edited if he has one; a second would only be noise)."""
    outcome = await act.claim(turn, worker, ticket)
    if outcome != ClaimOutcome.CLAIMED:
        act.tell(turn, worker, act.refused_claim(outcome, ticket))
        return
    cards = await views_of(turn.session, ticket.id, CARD)
    has_card = any(c.recipient == Party.WORKER and c.recipient_id == worker.id for c in cards)
    if not has_card:
        send_card(turn.outbox, ticket, await resident_of(turn.session, ticket), worker)
    done = (texts.CLAIMED_RECEIPT_CARD_UPDATED if has_card else texts.CLAIMED_RECEIPT).format(
        number=ticket.number
    )
    if turn.inbound.kind != InboundKind.BUTTON:
        turn.outbox.to_worker(worker, done, ticket_id=ticket.id)
        return
    turn.answer(texts.CLAIMED_TOAST)
    pressed = await pressed_row(turn)
    if pressed is not None and pressed.view == QUEUE_VIEW:
        turn.edit(*await queue_view(turn, worker))  # the list, without the one he took
    else:
        turn.edit(done)


async def on_claim_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is None:
        return
    pressed = await pressed_row(turn)
    if pressed is None or pressed.view != CARD or pressed.ticket_id != ticket.id:
        await claim_and_show(turn, worker, ticket)
        return
    # The card itself is edited with every other card of the ticket.
    outcome = await act.claim(turn, worker, ticket)
    if outcome == ClaimOutcome.CLAIMED:
        turn.answer(texts.CLAIMED_TOAST)
    else:
        turn.answer(act.refused_claim(outcome, ticket))
        await refresh_cards(turn.session, ticket, turn.now)


async def pressed_row(turn: Turn) -> OutboxMessage | None:
    """The outbox row of the message whose button was pressed, if the bot sent it."""
    if turn.inbound.kind != InboundKind.BUTTON or not turn.inbound.message_id:
        return None
    return await delivered_message(
        turn.session, turn.inbound.channel, turn.inbound.chat_id, turn.inbound.message_id
    )


async def on_claim_command(turn: Turn, worker: Worker, argument: str) -> None:
    number, _ = split_number(argument)
    if not number:
        waiting = await claimable(turn, worker)
        if not waiting:
            turn.outbox.to_worker(worker, texts.NOTHING_TO_CLAIM)
            return
        residents = await act.residents_by_id(turn, waiting)
        rows = ticket_buttons(waiting, residents, lambda t: buttons.CLAIM.data(t.id), turn.now)
        turn.outbox.to_worker(worker, texts.CLAIM_WHICH, rows)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is not None:
        turn.stored.ticket_id = ticket.id
        await claim_and_show(turn, worker, ticket)


async def claimable(turn: Turn, worker: Worker) -> list[Ticket]:
    mine = [
        t
        for t in await tickets.open_tickets_of_worker(turn.session, worker.id)
        if t.status == TicketStatus.ASSIGNED
    ]
    queue = await tickets.waiting_in_grids(turn.session, await served_grid_ids(turn, worker))
    seen = {t.id for t in mine}
    return (mine + [t for t in queue if t.id not in seen])[: tickets.MAX_MATCHES]


# ---- 回复 and free text ---------------------------------------------------------------------


async def on_reply_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is None or await refused(
        turn, worker, ticket
    ):
        return
    resident = await resident_of(turn.session, ticket)
    question = texts.REPLY_PROMPT.format(who=resident_label(resident, ticket), number=ticket.number)
    await ask(turn, worker, ticket, dialogue.PROMPT_REPLY, question, [])
    turn.answer(texts.REPLY_PROMPT_TOAST)


async def on_reply_command(turn: Turn, worker: Worker, argument: str) -> None:
    number, text = split_number(argument)
    if not number or not text:
        turn.outbox.to_worker(worker, texts.REPLY_USAGE)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is None:
        return
    receipt(turn, worker, await act.relay(turn, worker, ticket, text, turn.stored), ticket=ticket)


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
            sent = await act.relay(turn, worker, ticket, text, turn.stored)
            receipt(turn, worker, sent, ticket=ticket)
            return
    typed = typed_command(text)
    if typed is not None:
        await TABLE.commands[typed[0]](turn, worker, typed[1])
        return
    prompt = await turn.state.get(dialogue.WORKER_PROMPT)
    if prompt is not None:
        await turn.state.clear(dialogue.WORKER_PROMPT)
        await answer_prompt(turn, worker, prompt, text)
        return
    await ask_whose(turn, worker)


async def answer_prompt(turn: Turn, worker: Worker, prompt: dict[str, Any], text: str) -> None:
    ticket = await turn.session.get(Ticket, int(prompt.get("ticket") or 0))
    if ticket is None:
        await ask_whose(turn, worker)
        return
    what = prompt.get("do")
    if what == dialogue.PROMPT_REPLY:
        done = await act.relay(turn, worker, ticket, text, turn.stored)
    elif what == dialogue.PROMPT_RESOLVE:
        done = await act.resolve(turn, worker, ticket, text)
    elif what == dialogue.PROMPT_ESCALATE:
        done = await act.escalate(turn, worker, ticket, text)
    elif what == dialogue.PROMPT_TRANSFER:
        done = await transfer_to_target(turn, worker, ticket, prompt, text)
    else:
        await ask_whose(turn, worker)
        return
    if done is not None:
        await settle_question(turn, prompt)
    receipt(turn, worker, done, ticket=ticket)


async def ask_whose(turn: Turn, worker: Worker) -> None:
    """Text with no ticket named: keep it, and ask whose ticket it is for."""
    mine = [
        t
        for t in reversed(await tickets.open_tickets_of_worker(turn.session, worker.id))
        if t.status in (TicketStatus.ASSIGNED, TicketStatus.CLAIMED)
    ][: tickets.MAX_MATCHES]
    if not mine:
        turn.outbox.to_worker(worker, texts.WORKER_TEXT_HINT)
        return
    residents = await act.residents_by_id(turn, mine)
    kept = turn.stored.id
    rows = ticket_buttons(mine, residents, lambda t: buttons.SEND_KEPT.data(kept, t.id),
                          turn.now, texts.SEND_TO_BUTTON)  # fmt: skip
    rows.append([Button(texts.DONT_SEND_BUTTON, buttons.DROP_KEPT.data(kept))])
    turn.outbox.to_worker(worker, texts.ASK_WHICH_RESIDENT, rows)


async def on_send_kept(turn: Turn, worker: Worker, message_id: int, ticket_id: int) -> None:
    message = await own_message(turn, message_id)
    ticket = await turn.session.get(Ticket, ticket_id)
    if message is None or ticket is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if message.ticket_id is not None:
        turn.answer(texts.ALREADY_SENT)
        return
    receipt(turn, worker, await act.relay(turn, worker, ticket, message.text or "", message),
            edit=True)  # fmt: skip


async def on_drop_kept(turn: Turn, worker: Worker, message_id: int) -> None:
    message = await own_message(turn, message_id)
    if message is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    turn.edit(texts.ALREADY_SENT if message.ticket_id is not None else texts.NOT_SENT)


# ---- 办结 ---------------------------------------------------------------------------------


async def ask_with_answers(
    turn: Turn,
    worker: Worker,
    ticket: Ticket,
    prompt: dialogue.Slot,
    question: str,
    toast: str,
    answers: tuple[str, ...],
    action: buttons.Action,
) -> None:
    """A prompt the worker answers in his own words, or with one of the usual answers."""
    if await refused(turn, worker, ticket):
        return
    quick = [[Button(answer, action.data(ticket.id, i))] for i, answer in enumerate(answers)]
    await ask(turn, worker, ticket, prompt, question.format(number=ticket.number), quick)
    if turn.inbound.kind == InboundKind.BUTTON:
        turn.answer(toast)


async def usual_answer(
    turn: Turn, ticket_id: int, index: int, answers: tuple[str, ...]
) -> tuple[Ticket, str] | None:
    """The ticket and the usual answer a worker tapped; None (and told) if either is gone."""
    if (ticket := await pressed_ticket(turn, ticket_id)) is None:
        return None
    if index >= len(answers):
        turn.answer(texts.CHOICE_EXPIRED)
        return None
    await clear_prompt_for(turn, ticket)
    return ticket, answers[index]


async def ask_result(turn: Turn, worker: Worker, ticket: Ticket) -> None:
    await ask_with_answers(turn, worker, ticket, dialogue.PROMPT_RESOLVE, texts.RESOLVE_PROMPT,
                           texts.RESOLVE_PROMPT_TOAST, texts.RESOLVE_RESULTS,
                           buttons.RESOLVE_RESULT)  # fmt: skip


async def on_resolve_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is not None:
        await ask_result(turn, worker, ticket)


async def on_resolve_result(turn: Turn, worker: Worker, ticket_id: int, index: int) -> None:
    if (tapped := await usual_answer(turn, ticket_id, index, texts.RESOLVE_RESULTS)) is None:
        return
    ticket, result = tapped
    receipt(turn, worker, await act.resolve(turn, worker, ticket, result), edit=True)


async def on_resolve_command(turn: Turn, worker: Worker, argument: str) -> None:
    number, result = split_number(argument)
    if not number:
        claimed = [
            t
            for t in await tickets.open_tickets_of_worker(turn.session, worker.id)
            if t.status == TicketStatus.CLAIMED
        ][: tickets.MAX_MATCHES]
        if not claimed:
            turn.outbox.to_worker(worker, texts.NOTHING_TO_RESOLVE)
            return
        residents = await act.residents_by_id(turn, claimed)
        rows = ticket_buttons(claimed, residents, lambda t: buttons.RESOLVE.data(t.id), turn.now)
        turn.outbox.to_worker(worker, texts.RESOLVE_WHICH, rows)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is None:
        return
    turn.stored.ticket_id = ticket.id
    if not result:
        await ask_result(turn, worker, ticket)
        return
    receipt(turn, worker, await act.resolve(turn, worker, ticket, result))


async def clear_prompt_for(turn: Turn, ticket: Ticket) -> None:
    """A button answered the prompt: the next text is no longer its answer."""
    prompt = await turn.state.get(dialogue.WORKER_PROMPT)
    if prompt is not None and prompt.get("ticket") == ticket.id:
        await turn.state.clear(dialogue.WORKER_PROMPT)


# ---- /note, /ticket, /mytickets, /queue -----------------------------------------------------


async def on_note_command(turn: Turn, worker: Worker, argument: str) -> None:
    number, text = split_number(argument)
    if not number or not text:
        turn.outbox.to_worker(worker, texts.NOTE_USAGE)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is None:
        return
    turn.stored.ticket_id = ticket.id
    receipt(turn, worker, await act.note(turn, worker, ticket, text))


async def show_ticket(turn: Turn, worker: Worker, ticket: Ticket) -> None:
    """The full history, then the card (closest to the thumb) as he should see it now."""
    if not await act.may_view(turn, worker, ticket):
        act.tell(turn, worker, texts.TICKET_NOT_VISIBLE)
        return
    turn.outbox.to_worker(worker, await history_text(turn.session, ticket), ticket_id=ticket.id)
    text, keyboard = await card_for(turn.session, ticket, worker, turn.now)
    turn.outbox.to_worker(worker, text, keyboard, ticket_id=ticket.id, view=CARD)


async def on_ticket_command(turn: Turn, worker: Worker, argument: str) -> None:
    number, _ = split_number(argument)
    if not number:
        turn.outbox.to_worker(worker, texts.TICKET_USAGE)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is not None:
        turn.stored.ticket_id = ticket.id
        await show_ticket(turn, worker, ticket)


async def on_open_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is not None:
        await show_ticket(turn, worker, ticket)


def list_line(ticket: Ticket, residents: dict[int, Resident], turn: Turn, state: str = "") -> str:
    who = resident_label(residents[ticket.resident_id], ticket)
    return texts.LIST_LINE.format(
        emoji=texts.PRIORITY_EMOJI[ticket.priority], number=ticket.number,
        category=texts.CATEGORY_NAMES[ticket.category], who=state or who,
        ago=texts.ago(ticket.created_at, turn.now),
        words=resident_words(ticket, texts.LIST_WORDS_LIMIT),
    )  # fmt: skip


async def my_tickets_view(turn: Turn, worker: Worker, page: int) -> tuple[str, Keyboard]:
    found = await tickets.open_tickets_of_worker(turn.session, worker.id)
    if not found:
        return texts.MY_EMPTY, []
    order = list(texts.MY_SECTIONS)
    found.sort(key=lambda t: (order.index(TicketStatus(t.status)), t.created_at))
    pages = (len(found) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    shown = found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    residents = await act.residents_by_id(turn, shown)
    lines = [texts.MY_HEADER.format(count=len(found), page=page + 1, pages=pages)]
    section = None
    for ticket in shown:
        if ticket.status != section:
            section = ticket.status
            lines.append(texts.MY_SECTIONS[TicketStatus(section)])
        lines.append(list_line(ticket, residents, turn))
    opens = [
        Button(texts.OPEN_BUTTON.format(tail=texts.short_number(t.number, turn.now)),
               buttons.OPEN_TICKET.data(t.id))
        for t in shown
    ]  # fmt: skip
    rows: Keyboard = [opens[i : i + 3] for i in range(0, len(opens), 3)]
    paging = []
    if page > 0:
        paging.append(Button(texts.PREV_PAGE, buttons.MY_PAGE.data(page - 1)))
    if page + 1 < pages:
        paging.append(Button(texts.NEXT_PAGE, buttons.MY_PAGE.data(page + 1)))
    if paging:
        rows.append(paging)
    return "\n".join(lines), rows


async def on_my_tickets(turn: Turn, worker: Worker, argument: str) -> None:
    page = int(argument) - 1 if argument.strip().isdigit() else 0
    text, rows = await my_tickets_view(turn, worker, page)
    turn.outbox.to_worker(worker, text, rows)


async def on_my_page(turn: Turn, worker: Worker, page: int) -> None:
    turn.edit(*await my_tickets_view(turn, worker, page))


async def queue_view(turn: Turn, worker: Worker) -> tuple[str, Keyboard]:
    waiting = await tickets.waiting_in_grids(turn.session, await served_grid_ids(turn, worker))
    if not waiting:
        return texts.QUEUE_EMPTY, []
    shown = waiting[: texts.QUEUE_SHOWN]
    residents = await act.residents_by_id(turn, shown)
    lines = [texts.QUEUE_HEADER.format(count=len(waiting))]
    if not is_on_duty(worker, turn.now):
        lines.append(texts.QUEUE_OFF_DUTY)
    for ticket in shown:
        state = (
            texts.QUEUE_STATE_ASSIGNED.format(name=ticket.assignee.name)
            if ticket.assignee is not None
            else texts.QUEUE_STATE_QUEUED
        )
        who = resident_label(residents[ticket.resident_id], ticket)
        lines.append(list_line(ticket, residents, turn, f"{who}｜{state}"))
    if len(waiting) > len(shown):
        lines.append(texts.QUEUE_MORE.format(count=len(waiting) - len(shown)))
    claims = [
        Button(texts.QUEUE_CLAIM_BUTTON.format(tail=texts.short_number(t.number, turn.now)),
               buttons.CLAIM.data(t.id))
        for t in shown
    ]  # fmt: skip
    return "\n".join(lines), [claims[i : i + 2] for i in range(0, len(claims), 2)]


async def on_queue(turn: Turn, worker: Worker) -> None:
    text, rows = await queue_view(turn, worker)
    turn.outbox.to_worker(worker, text, rows, view=QUEUE_VIEW if rows else None)


# ---- 升级 ---------------------------------------------------------------------------------


async def ask_escalation_reason(turn: Turn, worker: Worker, ticket: Ticket) -> None:
    await ask_with_answers(turn, worker, ticket, dialogue.PROMPT_ESCALATE, texts.ESCALATE_PROMPT,
                           texts.ESCALATE_PROMPT_TOAST, texts.ESCALATE_REASONS,
                           buttons.ESCALATE_REASON)  # fmt: skip


async def on_escalate_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is not None:
        await ask_escalation_reason(turn, worker, ticket)


async def on_escalate_reason(turn: Turn, worker: Worker, ticket_id: int, index: int) -> None:
    if (tapped := await usual_answer(turn, ticket_id, index, texts.ESCALATE_REASONS)) is None:
        return
    ticket, reason = tapped
    receipt(turn, worker, await act.escalate(turn, worker, ticket, reason), edit=True)


async def on_escalate_command(turn: Turn, worker: Worker, argument: str) -> None:
    number, reason = split_number(argument)
    if not number:
        turn.outbox.to_worker(worker, texts.ESCALATE_USAGE)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is None:
        return
    turn.stored.ticket_id = ticket.id
    if not reason:
        await ask_escalation_reason(turn, worker, ticket)
        return
    receipt(turn, worker, await act.escalate(turn, worker, ticket, reason))


# ---- 转派 ---------------------------------------------------------------------------------


async def show_transfer_picker(turn: Turn, worker: Worker, ticket: Ticket) -> None:
    if await refused(turn, worker, ticket):
        return
    grids = await act.transfer_grids(turn, ticket)
    colleagues = await act.colleagues_for(turn, worker, ticket)
    rows: Keyboard = [
        [Button(texts.TRANSFER_GRID_BUTTON.format(grid=g.name),
                buttons.TRANSFER_GRID.data(ticket.id, g.id))]
        for g in grids
    ]  # fmt: skip
    rows += [
        [Button(texts.TRANSFER_WORKER_BUTTON.format(role=role_name(w), name=w.name),
                buttons.TRANSFER_WORKER.data(ticket.id, w.id))]
        for w in colleagues
    ]  # fmt: skip
    if not rows:
        act.tell(turn, worker, texts.TRANSFER_NO_TARGETS)
        return
    turn.outbox.to_worker(worker, texts.TRANSFER_PICK.format(number=ticket.number), rows,
                          ticket_id=ticket.id)  # fmt: skip


async def on_transfer_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is not None:
        await show_transfer_picker(turn, worker, ticket)


async def ask_transfer_reason(
    turn: Turn, worker: Worker, ticket: Ticket, kind: str, target_id: int, target: str
) -> None:
    if await refused(turn, worker, ticket):
        return
    key = "grid" if kind == buttons.GRID_TARGET else "worker"
    quick = [
        [Button(reason, buttons.TRANSFER_REASON.data(ticket.id, kind, target_id, i))]
        for i, reason in enumerate(texts.TRANSFER_REASONS)
    ]
    question = texts.TRANSFER_REASON_PROMPT.format(number=ticket.number, target=target)
    await ask(turn, worker, ticket, dialogue.PROMPT_TRANSFER, question, quick,
              extra={key: target_id}, in_place=True)  # fmt: skip


async def on_transfer_grid(turn: Turn, worker: Worker, ticket_id: int, grid_id: int) -> None:
    ticket = await pressed_ticket(turn, ticket_id)
    grid = await turn.session.get(Grid, grid_id)
    if ticket is None or grid is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    await ask_transfer_reason(turn, worker, ticket, buttons.GRID_TARGET, grid.id, grid.full_name)


async def on_transfer_worker(turn: Turn, worker: Worker, ticket_id: int, worker_id: int) -> None:
    ticket = await pressed_ticket(turn, ticket_id)
    colleague = await turn.session.get(Worker, worker_id)
    if ticket is None or colleague is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    target = f"{role_name(colleague)}{colleague.name}"
    await ask_transfer_reason(turn, worker, ticket, buttons.WORKER_TARGET, colleague.id, target)


async def on_transfer_reason(
    turn: Turn, worker: Worker, ticket_id: int, kind: str, target_id: int, index: int
) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is None:
        return
    if index >= len(texts.TRANSFER_REASONS):
        turn.answer(texts.CHOICE_EXPIRED)
        return
    await clear_prompt_for(turn, ticket)
    key = "grid" if kind == buttons.GRID_TARGET else "worker"
    done = await transfer_to_target(turn, worker, ticket, {key: target_id},
                                    texts.TRANSFER_REASONS[index])  # fmt: skip
    receipt(turn, worker, done, edit=True)


async def transfer_to_target(
    turn: Turn, worker: Worker, ticket: Ticket, target: dict[str, Any], reason: str
) -> str | None:
    if target.get("grid") is not None:
        grid = await turn.session.get(Grid, int(target["grid"]))
        if grid is not None:
            return await act.transfer_to_grid(turn, worker, ticket, grid, reason)
    elif target.get("worker") is not None:
        colleague = await turn.session.get(Worker, int(target["worker"]))
        if colleague is not None:
            return await act.transfer_to_worker(turn, worker, ticket, colleague, reason)
    act.tell(turn, worker, texts.CHOICE_EXPIRED)
    return None


async def on_transfer_command(turn: Turn, worker: Worker, argument: str) -> None:
    """转派: /transfer 0012 (pick where), or /transfer 0012 CG-XF-02 原因 in one line."""
    number, rest = split_number(argument)
    code, _, reason = rest.partition(" ")
    if not number:
        mine = [
            t
            for t in await tickets.open_tickets_of_worker(turn.session, worker.id)
            if t.status in (TicketStatus.ASSIGNED, TicketStatus.CLAIMED)
        ][: tickets.MAX_MATCHES]
        if not mine:
            turn.outbox.to_worker(worker, texts.TRANSFER_USAGE)
            return
        residents = await act.residents_by_id(turn, mine)
        rows = ticket_buttons(mine, residents, lambda t: buttons.TRANSFER.data(t.id), turn.now)
        turn.outbox.to_worker(worker, texts.TRANSFER_WHICH, rows)
        return
    if (ticket := await ticket_numbered(turn, worker, number)) is None:
        return
    turn.stored.ticket_id = ticket.id
    if not code:
        await show_transfer_picker(turn, worker, ticket)
        return
    if await refused(turn, worker, ticket):
        return
    target = await directory.grid_by_code(turn.session, code.upper())
    if target is None:
        turn.outbox.to_worker(worker, texts.GRID_NOT_FOUND.format(code=code))
        return
    if not reason.strip():
        await ask_transfer_reason(turn, worker, ticket, buttons.GRID_TARGET, target.id,
                                  target.full_name)  # fmt: skip
        return
    receipt(turn, worker, await act.transfer_to_grid(turn, worker, ticket, target, reason.strip()))


# ---- 并单 ---------------------------------------------------------------------------------


async def on_merge_button(turn: Turn, worker: Worker, ticket_id: int) -> None:
    if (ticket := await pressed_ticket(turn, ticket_id)) is None or await refused(
        turn, worker, ticket
    ):
        return
    candidates = await tickets.merge_candidates(turn.session, ticket)
    if not candidates:
        turn.answer(texts.MERGE_NO_CANDIDATES)
        return
    residents = await act.residents_by_id(turn, candidates)
    rows = ticket_buttons(candidates, residents,
                          lambda t: buttons.MERGE_INTO.data(ticket.id, t.id),
                          turn.now, texts.MERGE_TARGET_BUTTON)  # fmt: skip
    turn.outbox.to_worker(worker, texts.MERGE_PICK.format(number=ticket.number), rows,
                          ticket_id=ticket.id)  # fmt: skip


async def on_merge_into(turn: Turn, worker: Worker, duplicate_id: int, kept_id: int) -> None:
    duplicate = await turn.session.get(Ticket, duplicate_id)
    kept = await turn.session.get(Ticket, kept_id)
    if duplicate is None or kept is None:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    done = await act.merge(turn, worker, duplicate, kept)
    if done is not None:
        turn.answer(texts.MERGED_TOAST)
    receipt(turn, worker, done, edit=True)


# ---- the worker's table --------------------------------------------------------------------


async def on_start(turn: Turn, worker: Worker, argument: str) -> None:
    # `/start CODE` (registration) is handled before the worker is known; plain /start:
    turn.outbox.to_worker(worker, texts.WORKER_WELCOME_BACK.format(name=worker.name))
    turn.outcome.commands = texts.BOT_MENU_WORKER


async def on_help(turn: Turn, worker: Worker, argument: str) -> None:
    turn.outbox.to_worker(worker, texts.HELP_WORKER)
    turn.outcome.commands = texts.BOT_MENU_WORKER


async def on_duty_command(turn: Turn, worker: Worker, argument: str) -> None:
    await on_duty_toggle(turn, worker, True)


async def off_duty_command(turn: Turn, worker: Worker, argument: str) -> None:
    await on_duty_toggle(turn, worker, False)


async def on_cancel(turn: Turn, worker: Worker, argument: str) -> None:
    if await turn.state.get(dialogue.WORKER_PROMPT) is not None:
        await turn.state.clear(dialogue.WORKER_PROMPT)
        turn.outbox.to_worker(worker, texts.PROMPT_CANCELLED)
        return
    turn.outbox.to_worker(worker, texts.WORKER_CANCEL)


async def on_resident_only_command(turn: Turn, worker: Worker, argument: str) -> None:
    turn.outbox.to_worker(worker, texts.WORKER_CANCEL)


TABLE: Table[Worker] = Table(
    commands={
        "/start": on_start,
        "/help": on_help,
        "/status": ignore_argument(on_status),
        "/mytickets": on_my_tickets,
        "/queue": ignore_argument(on_queue),
        "/ticket": on_ticket_command,
        "/claim": on_claim_command,
        "/resolve": on_resolve_command,
        "/reply": on_reply_command,
        "/note": on_note_command,
        "/escalate": on_escalate_command,
        "/transfer": on_transfer_command,
        "/onduty": on_duty_command,
        "/offduty": off_duty_command,
        "/today": ignore_argument(appointments.today_for_worker),
        "/cancel": on_cancel,
        "/new": on_resident_only_command,
    },
    buttons={
        buttons.CLAIM: on_claim_button,
        buttons.RESOLVE: on_resolve_button,
        buttons.REPLY: on_reply_button,
        buttons.TRANSFER: on_transfer_button,
        buttons.TRANSFER_GRID: on_transfer_grid,
        buttons.TRANSFER_WORKER: on_transfer_worker,
        buttons.TRANSFER_REASON: on_transfer_reason,
        buttons.ESCALATE: on_escalate_button,
        buttons.ESCALATE_REASON: on_escalate_reason,
        buttons.MERGE: on_merge_button,
        buttons.MERGE_INTO: on_merge_into,
        buttons.RESOLVE_RESULT: on_resolve_result,
        buttons.SEND_KEPT: on_send_kept,
        buttons.DROP_KEPT: on_drop_kept,
        buttons.PICK_TICKET: on_pick_ticket,
        buttons.MY_PAGE: on_my_page,
        buttons.OPEN_TICKET: on_open_button,
    },
    unknown_command=texts.UNKNOWN_COMMAND_WORKER,
)


async def handle(turn: Turn, worker: Worker) -> None:
    inbound = turn.inbound
    if inbound.kind == InboundKind.COMMAND and inbound.command[0] != "/cancel":
        # A new command starts over: a pending 回复/办结 prompt must not catch later text.
        await turn.state.clear(dialogue.WORKER_PROMPT)
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
