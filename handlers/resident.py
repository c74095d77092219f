"""What a resident can do: bind to a grid, report, follow up, check, withdraw, rate."""

from __future__ import annotations

import logging
from typing import Any

from county import directory, tickets
from county.categories import category_of
from county.geo import nearest_grid
from county.models import (
    Category,
    Community,
    EventKind,
    Grid,
    Party,
    Resident,
    Ticket,
    TicketStatus,
)
from handlers import appointments, buttons, dialogue, texts
from handlers.dispatch import Table, ignore_argument
from handlers.ticketing import open_request, role_name, route_and_announce
from handlers.turn import Turn
from messaging.inbound import photo_of
from messaging.keyboard import Button, Keyboard
from messaging.models import InboundKind, InboundMessage
from messaging.outbox import ticket_of_delivered_message
from nlu import inbox, intents
from nlu.parse import NluUnavailable, ParseResult

log = logging.getLogger(__name__)

PAGE_SIZE = 8

# ---- binding ---------------------------------------------------------------------------


async def binding_keyboard(turn: Turn, page: int = 0) -> Keyboard:
    communities = await directory.communities(turn.session)
    start = page * PAGE_SIZE
    shown = communities[start : start + PAGE_SIZE]
    rows: Keyboard = [
        [Button(c.name, buttons.BIND_COMMUNITY.data(c.id)) for c in shown[i : i + 2]]
        for i in range(0, len(shown), 2)
    ]
    paging: list[Button] = []
    if page > 0:
        paging.append(Button(texts.PREV_PAGE, buttons.BIND_PAGE.data(page - 1)))
    if start + PAGE_SIZE < len(communities):
        paging.append(Button(texts.NEXT_PAGE, buttons.BIND_PAGE.data(page + 1)))
    if paging:
        rows.append(paging)
    return rows


async def ask_to_bind(turn: Turn, resident: Resident, prompt: str = texts.ASK_BIND) -> None:
    keyboard = await binding_keyboard(turn)
    turn.outbox.to_resident(resident, prompt if keyboard else texts.NO_GRIDS, keyboard)


async def bind(turn: Turn, resident: Resident, grid: Grid, notice: str | None) -> None:
    """Bind, tell the resident (unless `notice` is None), then handle any waiting request."""
    resident.grid_id = grid.id
    resident.bound_at = turn.now
    if notice is not None:
        turn.outbox.to_resident(resident, notice)
    pending_id = await turn.state.get(dialogue.PENDING_REQUEST)
    if pending_id is None:
        return
    await turn.state.clear(dialogue.PENDING_REQUEST)
    pending = await turn.session.get(InboundMessage, int(pending_id))
    if pending is not None and pending.text and pending.ticket_id is None:
        turn.outbox.to_resident(resident, texts.PENDING_REQUEST_PROCESSED)
        await understand_request(turn, resident, pending)


async def on_bind_page(turn: Turn, resident: Resident, page: int) -> None:
    turn.edit(texts.ASK_BIND, await binding_keyboard(turn, page))


async def on_bind_community(turn: Turn, resident: Resident, community_id: int) -> None:
    community = await turn.session.get(Community, community_id)
    if community is None:
        turn.answer(texts.UNKNOWN_PLACE)
        return
    grids = await directory.grids_of(turn.session, community.id)
    if len(grids) == 1:
        await on_grid_chosen(turn, resident, grids[0])
        return
    turn.edit(
        texts.ASK_GRID.format(community=community.name),
        [[Button(g.name, buttons.BIND_GRID.data(g.id))] for g in grids],
    )


async def on_bind_grid(turn: Turn, resident: Resident, grid_id: int) -> None:
    grid = await turn.session.get(Grid, grid_id)
    if grid is None:
        turn.answer(texts.UNKNOWN_PLACE)
        return
    await on_grid_chosen(turn, resident, grid)


async def on_grid_chosen(turn: Turn, resident: Resident, grid: Grid) -> None:
    # The pressed prompt turns into the confirmation; no separate message needed.
    turn.edit(texts.BOUND.format(grid=grid.full_name))
    turn.answer(texts.BOUND_TOAST)
    if resident.grid_id == grid.id:
        return  # a second press of the same button: already bound, nothing more to say
    await bind(turn, resident, grid, None)


async def on_location(turn: Turn, resident: Resident) -> None:
    assert turn.inbound.latitude is not None and turn.inbound.longitude is not None
    found = nearest_grid(
        await directory.all_grids(turn.session), turn.inbound.latitude, turn.inbound.longitude
    )
    if found is None:
        await ask_to_bind(turn, resident, texts.NO_GRID_COORDINATES)
        return
    grid, distance = found
    await bind(
        turn, resident, grid, texts.BOUND_BY_LOCATION.format(grid=grid.full_name, distance=distance)
    )


# ---- requests --------------------------------------------------------------------------


async def on_start(turn: Turn, resident: Resident) -> None:
    if resident.grid_id is None:
        turn.outbox.to_resident(resident, texts.WELCOME)
        await ask_to_bind(turn, resident)
        return
    grid = await turn.session.get(Grid, resident.grid_id)
    assert grid is not None
    turn.outbox.to_resident(
        resident,
        texts.WELCOME + "\n" + texts.CURRENT_GRID.format(grid=grid.full_name),
        [[Button(texts.CHANGE_GRID, buttons.BIND_PAGE.data(0))]],
    )


async def on_text(turn: Turn, resident: Resident) -> None:
    text = (turn.inbound.text or "").strip()
    if not text:
        turn.outbox.to_resident(resident, texts.EMPTY_TEXT)
        return
    if len(text) > turn.settings.max_message_chars:
        turn.outbox.to_resident(
            resident,
            texts.TOO_LONG.format(length=len(text), limit=turn.settings.max_message_chars),
        )
        return
    if resident.grid_id is None:
        await turn.state.put(dialogue.PENDING_REQUEST, turn.stored.id)
        await ask_to_bind(turn, resident, texts.ASK_BIND_BEFORE_REQUEST)
        return
    thread = await conversation_thread(turn, resident)
    if thread is not None:
        await forward_to_thread(turn, resident, thread, text)
        return
    await understand_request(turn, resident, turn.stored)


async def understand_request(turn: Turn, resident: Resident, message: InboundMessage) -> None:
    text = (message.text or "").strip()
    services = turn.services
    try:
        parsed = await services.parser.parse(text, turn.now)
    except NluUnavailable:
        log.warning("NLU unavailable; asking resident to choose for message %s", message.id)
        await ask_category(turn, resident, message, list(intents.TICKET_INTENTS), None)
        return
    runner_up = parsed.ranking[1][1] if len(parsed.ranking) > 1 else 0.0
    confident = (
        parsed.confidence >= services.threshold and parsed.confidence - runner_up >= services.margin
    )
    category = category_of(parsed.intent)
    if category is not None and confident:
        await file_request(turn, resident, message, category, parsed.confidence, parsed.entities)
        return
    if confident and parsed.intent != intents.OUT_OF_SCOPE:
        await small_talk(turn, resident, parsed.intent)
        return
    ranked = [name for name, _ in parsed.ranking if name in intents.TICKET_INTENTS]
    await ask_category(turn, resident, message, ranked, parsed)


async def file_request(
    turn: Turn,
    resident: Resident,
    message: InboundMessage,
    category: Category,
    confidence: float | None,
    entities: list[dict[str, Any]],
) -> None:
    """Turn a request into a ticket — or, for an appointment, into a booking offer first."""
    grid = await turn.session.get(Grid, resident.grid_id)
    assert grid is not None
    if category == Category.APPOINTMENT and await appointments.offer(
        turn, resident, grid, message, confidence, entities
    ):
        return  # routed once the resident picks a slot, or none, or after a while
    ticket = await open_request(turn, resident, grid, category, message, confidence, entities)
    await route_and_announce(turn.session, ticket, resident, turn.now)
    if ticket.status == TicketStatus.QUEUED and not ticket.emergency:
        await appointments.offer_for_queued_ticket(turn, resident, ticket)


async def ask_category(
    turn: Turn,
    resident: Resident,
    message: InboundMessage,
    ranked: list[str],
    parsed: ParseResult | None,
) -> None:
    """Let the resident pick the category; the pick becomes a labelled training example."""
    out_of_scope = parsed is not None and parsed.intent == intents.OUT_OF_SCOPE
    prompt = texts.CHOOSE_CATEGORY_AFTER_OUT_OF_SCOPE if out_of_scope else texts.CHOOSE_CATEGORY
    choices = [
        Button(texts.CATEGORY_NAMES[category_of(n)], buttons.CATEGORY.data(message.id, n))
        for n in ranked
    ]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    rows.append(
        [Button(texts.NONE_OF_THESE, buttons.CATEGORY.data(message.id, buttons.NO_CATEGORY))]
    )
    if parsed is not None:
        await turn.state.put(
            dialogue.category_choice(message.id),
            {"intent": parsed.intent, "confidence": parsed.confidence},
        )
    turn.outbox.to_resident(resident, prompt, rows)


async def small_talk(turn: Turn, resident: Resident, intent: str) -> None:
    if intent == intents.TICKET_STATUS:
        await on_status(turn, resident)
    elif intent == intents.GREET:
        turn.outbox.to_resident(resident, texts.GREETING)
    elif intent == intents.THANKS:
        turn.outbox.to_resident(resident, texts.THANKS_REPLY)
    elif intent == intents.GOODBYE:
        turn.outbox.to_resident(resident, texts.GOODBYE_REPLY)
    elif intent == intents.CANCEL:
        await on_cancel(turn, resident)
    else:
        turn.outbox.to_resident(resident, texts.FALLBACK_CHAT)


async def on_category_button(turn: Turn, resident: Resident, message_id: int, choice: str) -> None:
    message = await turn.session.get(InboundMessage, message_id)
    if message is None or message.external_user_id != turn.inbound.user_id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if message.ticket_id is not None:
        ticket = await turn.session.get(Ticket, message.ticket_id)
        assert ticket is not None
        turn.answer(texts.ALREADY_SUBMITTED.format(number=ticket.number))
        return
    slot = dialogue.category_choice(message.id)
    prediction = await turn.state.get(slot) or {}
    await turn.state.clear(slot)
    confidence = prediction.get("confidence")
    await inbox.record(
        turn.session,
        text=message.text or "",
        intent=intents.OUT_OF_SCOPE if choice == buttons.NO_CATEGORY else choice,
        inbound_id=message.id,
        predicted_intent=str(prediction["intent"]) if prediction.get("intent") else None,
        predicted_confidence=float(confidence) if isinstance(confidence, float) else None,
        now=turn.now,
    )
    category = category_of(choice)
    if category is None:
        turn.edit(texts.NONE_CHOSEN)
        return
    turn.edit(texts.CATEGORY_CHOSEN.format(category=texts.CATEGORY_NAMES[category]))
    if resident.grid_id is None:
        await ask_to_bind(turn, resident)
        return
    # Entities are read against the time the resident wrote, not the time of the press.
    try:
        parsed = await turn.services.parser.parse(message.text or "", message.received_at)
        entities = parsed.entities
    except NluUnavailable:
        entities = []
    await file_request(turn, resident, message, category, None, entities)


# ---- threads with the worker ----------------------------------------------------------


async def conversation_thread(turn: Turn, resident: Resident) -> Ticket | None:
    """The open ticket this message continues, if any.

    A Telegram reply to a message about a ticket always continues it. Otherwise the
    newest claimed ticket on which the worker has written continues, until /new.
    """
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


async def forward_to_thread(turn: Turn, resident: Resident, ticket: Ticket, text: str) -> None:
    turn.stored.ticket_id = ticket.id
    tickets.log_event(
        turn.session,
        ticket,
        EventKind.RESIDENT_MESSAGE,
        turn.now,
        actor=Party.RESIDENT,
        actor_id=resident.id,
        body=text,
    )
    if ticket.assignee is None:
        turn.outbox.to_resident(
            resident, texts.THREAD_WAITING.format(number=ticket.number), ticket_id=ticket.id
        )
        return
    turn.outbox.to_worker(
        ticket.assignee,
        photo=photo_of(turn.stored),
        text=texts.RESIDENT_SAYS.format(
            number=ticket.number, name=resident.display_name or texts.SOMEONE_RESIDENT, text=text
        ),
        ticket_id=ticket.id,
    )
    turn.outbox.to_resident(
        resident,
        texts.THREAD_FORWARDED.format(
            name=role_name(ticket.assignee) + ticket.assignee.name, number=ticket.number
        ),
        ticket_id=ticket.id,
    )


async def on_new(turn: Turn, resident: Resident) -> None:
    await turn.state.put(dialogue.FRESH_AFTER, await tickets.last_event_id(turn.session))
    turn.outbox.to_resident(resident, texts.NEW_THREAD)


# ---- status, cancel, rating -------------------------------------------------------------


async def on_status(turn: Turn, resident: Resident) -> None:
    recent = await tickets.recent_tickets_of_resident(turn.session, resident.id)
    if not recent:
        turn.outbox.to_resident(resident, texts.STATUS_NONE)
        return
    lines = [texts.STATUS_HEADER]
    for ticket in recent:
        handler = texts.STATUS_HANDLER.format(name=ticket.assignee.name) if ticket.assignee else ""
        summary = ticket.summary if len(ticket.summary) <= 40 else ticket.summary[:40] + "…"
        lines.append(
            texts.STATUS_LINE.format(
                number=ticket.number,
                category=texts.CATEGORY_NAMES[ticket.category],
                status=texts.STATUS_NAMES[ticket.status],
                handler=handler,
                summary=summary,
            )
        )
        if ticket.appointment_at is not None and ticket.is_open:
            when = texts.time_range(ticket.appointment_at, ticket.appointment_until)
            lines.append(texts.STATUS_APPOINTMENT.format(when=when))
    turn.outbox.to_resident(resident, "\n".join(lines))


async def on_cancel(turn: Turn, resident: Resident) -> None:
    if await turn.state.get(dialogue.PENDING_REQUEST) is not None:
        await turn.state.clear(dialogue.PENDING_REQUEST)
        turn.outbox.to_resident(resident, texts.CANCELLED_STEP)
        return
    open_tickets = await tickets.open_tickets_of_resident(turn.session, resident.id)
    if not open_tickets:
        turn.outbox.to_resident(resident, texts.CANCEL_NOTHING)
        return
    turn.outbox.to_resident(
        resident,
        texts.CANCEL_WHICH,
        [
            [Button(texts.CANCEL_BUTTON.format(number=t.number), buttons.CANCEL_TICKET.data(t.id))]
            for t in open_tickets[:5]
        ],
    )


async def on_cancel_button(turn: Turn, resident: Resident, ticket_id: int) -> None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if not await tickets.cancel(turn.session, ticket, resident, turn.now):
        turn.answer(
            texts.TICKET_NOT_CANCELLABLE.format(
                number=ticket.number, status=texts.STATUS_NAMES[ticket.status]
            )
        )
        return
    notice = texts.TICKET_CANCELLED.format(number=ticket.number)
    turn.edit(notice)
    turn.answer(notice)
    if ticket.assignee is not None:
        turn.outbox.to_worker(
            ticket.assignee,
            texts.TICKET_CANCELLED_FOR_WORKER.format(number=ticket.number),
            ticket_id=ticket.id,
        )


async def on_rate_button(turn: Turn, resident: Resident, ticket_id: int, score: int) -> None:
    ticket = await turn.session.get(Ticket, ticket_id)
    if ticket is None or ticket.resident_id != resident.id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if not await tickets.rate(turn.session, ticket, resident, score, turn.now):
        turn.answer(texts.ALREADY_RATED)
        return
    turn.answer(texts.RATED)
    turn.edit(
        texts.RESOLVED_NOTICE_RESIDENT.format(number=ticket.number).split("。")[0]
        + "。"
        + texts.RATING_LABELS[score]
        + "，"
        + texts.RATED
    )


def rating_keyboard(ticket: Ticket) -> Keyboard:
    return [
        [
            Button(label, buttons.RATE.data(ticket.id, score))
            for score, label in texts.RATING_LABELS.items()
        ]
    ]


# ---- the resident's table ---------------------------------------------------------------


async def on_help(turn: Turn, resident: Resident) -> None:
    turn.outbox.to_resident(resident, texts.HELP_RESIDENT)


async def not_a_worker(turn: Turn, resident: Resident, *_: object) -> None:
    turn.outbox.to_resident(resident, texts.NOT_A_WORKER)


async def not_a_worker_button(turn: Turn, resident: Resident, *_: object) -> None:
    turn.answer(texts.NOT_A_WORKER)


TABLE: Table[Resident] = Table(
    commands={
        "/start": ignore_argument(on_start),
        "/help": ignore_argument(on_help),
        "/status": ignore_argument(on_status),
        "/cancel": ignore_argument(on_cancel),
        "/new": ignore_argument(on_new),
        # Workers' commands, so a resident who tries one learns it is not for them.
        **dict.fromkeys(
            (
                "/onduty",
                "/offduty",
                "/reply",
                "/transfer",
                "/today",
                "/mytickets",
                "/ticket",
                "/queue",
                "/claim",
                "/resolve",
                "/note",
                "/escalate",
            ),
            not_a_worker,
        ),
    },
    buttons={
        buttons.BIND_PAGE: on_bind_page,
        buttons.BIND_COMMUNITY: on_bind_community,
        buttons.BIND_GRID: on_bind_grid,
        buttons.CATEGORY: on_category_button,
        buttons.CANCEL_TICKET: on_cancel_button,
        buttons.RATE: on_rate_button,
        buttons.BOOK_SLOT: appointments.on_book_button,
        buttons.NO_SLOT: appointments.on_none_button,
        buttons.RESCHEDULE: appointments.on_reschedule_button,
        buttons.MOVE_SLOT: appointments.on_move_button,
        buttons.CANCEL_APPOINTMENT: appointments.on_cancel_button,
        buttons.CALENDAR_FILE: appointments.on_ics_button,
        buttons.CLAIM: not_a_worker_button,
        buttons.RESOLVE: not_a_worker_button,
    },
    unknown_command=texts.UNKNOWN_COMMAND,
)

UNSUPPORTED = {
    InboundKind.STICKER,
    InboundKind.VOICE,
    InboundKind.AUDIO,
    InboundKind.VIDEO,
    InboundKind.DOCUMENT,
    InboundKind.CONTACT,
    InboundKind.OTHER,
}


async def handle(turn: Turn, resident: Resident) -> None:
    inbound = turn.inbound
    if await TABLE.dispatch(turn, resident, lambda text: turn.outbox.to_resident(resident, text)):
        return
    if inbound.kind == InboundKind.LOCATION:
        await on_location(turn, resident)
    elif inbound.kind == InboundKind.PHOTO and not (inbound.text or "").strip():
        turn.outbox.to_resident(resident, texts.PHOTO_WITHOUT_CAPTION)
    elif inbound.kind in (InboundKind.TEXT, InboundKind.PHOTO):
        await on_text(turn, resident)
    else:
        turn.outbox.to_resident(
            resident, texts.UNSUPPORTED_KIND.get(inbound.kind, texts.UNSUPPORTED_KIND["other"])
        )
