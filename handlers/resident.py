"""What a resident can do: bind to a grid, report, follow up, check, withdraw, rate."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from county import directory, tickets
from county.geo import nearest_grid
from county.models import (
    Category,
    Community,
    EventKind,
    Grid,
    InboundMessage,
    LabelledExample,
    Party,
    Resident,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from handlers import appointments, texts
from handlers.messages import Button, InboundKind, Keyboard
from handlers.ticketing import open_and_route, role_name
from handlers.turn import Turn, photo_of, ticket_of_delivered_message
from nlu import intents
from nlu.parse import NluUnavailable, ParseResult

log = logging.getLogger(__name__)

PAGE_SIZE = 8
PENDING_REQUEST_TTL = 24 * 3600
FRESH_REQUEST_TTL = 6 * 3600


# ---- binding ---------------------------------------------------------------------------


async def binding_keyboard(turn: Turn, page: int = 0) -> Keyboard:
    communities = await directory.communities(turn.session)
    start = page * PAGE_SIZE
    shown = communities[start : start + PAGE_SIZE]
    rows: Keyboard = [
        [Button(c.name, f"bind:c:{c.id}") for c in shown[i : i + 2]]
        for i in range(0, len(shown), 2)
    ]
    paging: list[Button] = []
    if page > 0:
        paging.append(Button(texts.PREV_PAGE, f"bind:p:{page - 1}"))
    if start + PAGE_SIZE < len(communities):
        paging.append(Button(texts.NEXT_PAGE, f"bind:p:{page + 1}"))
    if paging:
        rows.append(paging)
    return rows


async def ask_to_bind(turn: Turn, resident: Resident, prompt: str = texts.ASK_BIND) -> None:
    keyboard = await binding_keyboard(turn)
    turn.to_resident(resident, prompt if keyboard else texts.NO_GRIDS, keyboard)


async def bind(turn: Turn, resident: Resident, grid: Grid, notice: str | None) -> None:
    """Bind, tell the resident (unless `notice` is None), then handle any waiting request."""
    resident.grid_id = grid.id
    resident.bound_at = turn.now
    if notice is not None:
        turn.to_resident(resident, notice)
    pending_id = await turn.kv.get_json(turn.state_key("pending_request"))
    if pending_id is None:
        return
    await turn.kv.delete(turn.state_key("pending_request"))
    pending = await turn.session.get(InboundMessage, int(pending_id))
    if pending is not None and pending.text and pending.ticket_id is None:
        turn.to_resident(resident, texts.PENDING_REQUEST_PROCESSED)
        await understand_request(turn, resident, pending)


async def on_bind_button(turn: Turn, resident: Resident, data: str) -> None:
    _, kind, raw_id = [*data.split(":"), "", ""][:3]
    if kind == "p":
        turn.edit(texts.ASK_BIND, await binding_keyboard(turn, int(raw_id or 0)))
        return
    if kind == "c":
        community = await turn.session.get(Community, int(raw_id))
        if community is None:
            turn.answer(texts.UNKNOWN_PLACE)
            return
        grids = await directory.grids_of(turn.session, community.id)
        if len(grids) == 1:
            await on_grid_chosen(turn, resident, grids[0])
            return
        turn.edit(
            texts.ASK_GRID.format(community=community.name),
            [[Button(g.name, f"bind:g:{g.id}")] for g in grids],
        )
        return
    grid = await turn.session.get(Grid, int(raw_id)) if kind == "g" and raw_id.isdigit() else None
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
        turn.to_resident(resident, texts.WELCOME)
        await ask_to_bind(turn, resident)
        return
    grid = await turn.session.get(Grid, resident.grid_id)
    assert grid is not None
    turn.to_resident(
        resident,
        texts.WELCOME + "\n" + texts.CURRENT_GRID.format(grid=grid.full_name),
        [[Button(texts.CHANGE_GRID, "bind:p:0")]],
    )


async def on_text(turn: Turn, resident: Resident) -> None:
    text = (turn.inbound.text or "").strip()
    if not text:
        turn.to_resident(resident, texts.EMPTY_TEXT)
        return
    if len(text) > turn.settings.max_message_chars:
        turn.to_resident(
            resident,
            texts.TOO_LONG.format(length=len(text), limit=turn.settings.max_message_chars),
        )
        return
    if resident.grid_id is None:
        await turn.kv.set_json(
            turn.state_key("pending_request"), turn.stored.id, PENDING_REQUEST_TTL
        )
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
    if parsed.intent in intents.TICKET_INTENTS and confident:
        await file_request(turn, resident, message, Category(parsed.intent), parsed.confidence,
                           parsed.entities)  # fmt: skip
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
    ticket = await open_and_route(turn, resident, grid, category, message, confidence, entities)
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
    choices = [Button(texts.CATEGORY_NAMES[n], f"cat:{message.id}:{n}") for n in ranked]
    rows = [choices[i : i + 2] for i in range(0, len(choices), 2)]
    rows.append([Button(texts.NONE_OF_THESE, f"cat:{message.id}:none")])
    if parsed is not None:
        await turn.kv.set_json(
            f"choice:{message.id}",
            {"intent": parsed.intent, "confidence": parsed.confidence},
            PENDING_REQUEST_TTL,
        )
    turn.to_resident(resident, prompt, rows)


async def small_talk(turn: Turn, resident: Resident, intent: str) -> None:
    if intent == intents.TICKET_STATUS:
        await on_status(turn, resident)
    elif intent == intents.GREET:
        turn.to_resident(resident, texts.GREETING)
    elif intent == intents.THANKS:
        turn.to_resident(resident, texts.THANKS_REPLY)
    elif intent == intents.GOODBYE:
        turn.to_resident(resident, texts.GOODBYE_REPLY)
    elif intent == intents.CANCEL:
        await on_cancel(turn, resident)
    else:
        turn.to_resident(resident, texts.FALLBACK_CHAT)


async def on_category_button(turn: Turn, resident: Resident, data: str) -> None:
    _, raw_id, choice = [*data.split(":"), "", ""][:3]
    message = await turn.session.get(InboundMessage, int(raw_id)) if raw_id.isdigit() else None
    if message is None or message.external_user_id != turn.inbound.user_id:
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if message.ticket_id is not None:
        ticket = await turn.session.get(Ticket, message.ticket_id)
        assert ticket is not None
        turn.answer(texts.ALREADY_SUBMITTED.format(number=ticket.number))
        return
    if choice not in intents.TICKET_INTENTS and choice != "none":
        turn.answer(texts.CHOICE_EXPIRED)
        return
    prediction = await turn.kv.get_json(f"choice:{message.id}") or {}
    await record_label(
        turn, message, choice if choice != "none" else intents.OUT_OF_SCOPE, prediction
    )
    if choice == "none":
        turn.edit(texts.NONE_CHOSEN)
        await turn.kv.delete(f"choice:{message.id}")
        return
    turn.edit(texts.CATEGORY_CHOSEN.format(category=texts.CATEGORY_NAMES[choice]))
    await turn.kv.delete(f"choice:{message.id}")
    if resident.grid_id is None:
        await ask_to_bind(turn, resident)
        return
    # Entities are read against the time the resident wrote, not the time of the press.
    try:
        parsed = await turn.services.parser.parse(message.text or "", message.received_at)
        entities = parsed.entities
    except NluUnavailable:
        entities = []
    await file_request(turn, resident, message, Category(choice), None, entities)


async def record_label(
    turn: Turn, message: InboundMessage, intent: str, prediction: dict[str, object]
) -> None:
    existing = await turn.session.scalar(
        select(LabelledExample.id).where(LabelledExample.inbound_id == message.id)
    )
    if existing is not None:
        return
    confidence = prediction.get("confidence")
    turn.session.add(
        LabelledExample(
            text=message.text or "",
            intent=intent,
            source="resident_choice",
            predicted_intent=str(prediction["intent"]) if prediction.get("intent") else None,
            predicted_confidence=float(confidence) if isinstance(confidence, float) else None,
            inbound_id=message.id,
            created_at=turn.now,
        )
    )


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
    fresh_after = await turn.kv.get_json(turn.state_key("fresh_after"))
    query = (
        select(Ticket)
        .join(TicketEvent, TicketEvent.ticket_id == Ticket.id)
        .where(
            Ticket.resident_id == resident.id,
            Ticket.status == TicketStatus.CLAIMED,
            TicketEvent.kind == EventKind.WORKER_MESSAGE,
        )
        .order_by(TicketEvent.id.desc())
        .limit(1)
    )
    if fresh_after is not None:
        query = query.where(TicketEvent.id > int(fresh_after))
    return await turn.session.scalar(query)


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
        turn.to_resident(
            resident, texts.THREAD_WAITING.format(number=ticket.number), ticket_id=ticket.id
        )
        return
    turn.to_worker(
        ticket.assignee,
        photo=photo_of(turn.stored),
        text=texts.RESIDENT_SAYS.format(
            number=ticket.number, name=resident.display_name or texts.SOMEONE_RESIDENT, text=text
        ),
        ticket_id=ticket.id,
    )
    turn.to_resident(
        resident,
        texts.THREAD_FORWARDED.format(
            name=role_name(ticket.assignee) + ticket.assignee.name, number=ticket.number
        ),
        ticket_id=ticket.id,
    )


async def on_new(turn: Turn, resident: Resident) -> None:
    last_event = await turn.session.scalar(select(TicketEvent.id).order_by(TicketEvent.id.desc()))
    await turn.kv.set_json(turn.state_key("fresh_after"), last_event or 0, FRESH_REQUEST_TTL)
    turn.to_resident(resident, texts.NEW_THREAD)


# ---- status, cancel, rating -------------------------------------------------------------


async def on_status(turn: Turn, resident: Resident) -> None:
    recent = await tickets.recent_tickets_of_resident(turn.session, resident.id)
    if not recent:
        turn.to_resident(resident, texts.STATUS_NONE)
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
    turn.to_resident(resident, "\n".join(lines))


async def on_cancel(turn: Turn, resident: Resident) -> None:
    if await turn.kv.get_json(turn.state_key("pending_request")) is not None:
        await turn.kv.delete(turn.state_key("pending_request"))
        turn.to_resident(resident, texts.CANCELLED_STEP)
        return
    open_tickets = await tickets.open_tickets_of_resident(turn.session, resident.id)
    if not open_tickets:
        turn.to_resident(resident, texts.CANCEL_NOTHING)
        return
    turn.to_resident(
        resident,
        texts.CANCEL_WHICH,
        [
            [Button(texts.CANCEL_BUTTON.format(number=t.number), f"cancel:{t.id}")]
            for t in open_tickets[:5]
        ],
    )


async def on_cancel_button(turn: Turn, resident: Resident, data: str) -> None:
    raw_id = data.partition(":")[2]
    ticket = await turn.session.get(Ticket, int(raw_id)) if raw_id.isdigit() else None
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
        turn.to_worker(
            ticket.assignee,
            texts.TICKET_CANCELLED_FOR_WORKER.format(number=ticket.number),
            ticket_id=ticket.id,
        )


async def on_rate_button(turn: Turn, resident: Resident, data: str) -> None:
    _, raw_id, raw_score = [*data.split(":"), "", ""][:3]
    ticket = await turn.session.get(Ticket, int(raw_id)) if raw_id.isdigit() else None
    if ticket is None or ticket.resident_id != resident.id or raw_score not in ("1", "2", "3"):
        turn.answer(texts.CHOICE_EXPIRED)
        return
    if not await tickets.rate(turn.session, ticket, resident, int(raw_score), turn.now):
        turn.answer(texts.ALREADY_RATED)
        return
    turn.answer(texts.RATED)
    turn.edit(
        texts.RESOLVED_NOTICE_RESIDENT.format(number=ticket.number).split("。")[0]
        + "。"
        + texts.RATING_LABELS[int(raw_score)]
        + "，"
        + texts.RATED
    )


def rating_keyboard(ticket: Ticket) -> Keyboard:
    return [
        [Button(label, f"rate:{ticket.id}:{score}") for score, label in texts.RATING_LABELS.items()]
    ]


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
    if inbound.kind == InboundKind.COMMAND:
        command, _ = inbound.command
        if command == "/start":
            await on_start(turn, resident)
        elif command == "/help":
            turn.to_resident(resident, texts.HELP_RESIDENT)
        elif command == "/status":
            await on_status(turn, resident)
        elif command == "/cancel":
            await on_cancel(turn, resident)
        elif command == "/new":
            await on_new(turn, resident)
        elif command in ("/onduty", "/offduty", "/reply", "/transfer", "/today"):
            turn.to_resident(resident, texts.NOT_A_WORKER)
        else:
            turn.to_resident(resident, texts.UNKNOWN_COMMAND.format(command=command))
    elif inbound.kind == InboundKind.BUTTON:
        data = inbound.button_data or ""
        if data.startswith("bind:"):
            await on_bind_button(turn, resident, data)
        elif data.startswith("cat:"):
            await on_category_button(turn, resident, data)
        elif data.startswith("cancel:"):
            await on_cancel_button(turn, resident, data)
        elif data.startswith("rate:"):
            await on_rate_button(turn, resident, data)
        elif data.startswith("ap:"):
            await appointments.on_button(turn, resident, data)
        elif data.startswith("tk:"):
            turn.answer(texts.NOT_A_WORKER)
        else:
            turn.answer(texts.CHOICE_EXPIRED)
    elif inbound.kind == InboundKind.LOCATION:
        await on_location(turn, resident)
    elif inbound.kind == InboundKind.PHOTO and not (inbound.text or "").strip():
        turn.to_resident(resident, texts.PHOTO_WITHOUT_CAPTION)
    elif inbound.kind in (InboundKind.TEXT, InboundKind.PHOTO):
        await on_text(turn, resident)
    else:
        turn.to_resident(
            resident, texts.UNSUPPORTED_KIND.get(inbound.kind, texts.UNSUPPORTED_KIND["other"])
        )
