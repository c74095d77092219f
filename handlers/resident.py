"""What a resident can do: bind to a grid, report, follow up, check, withdraw, rate."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from county import directory, tickets
from county.categories import category_of
from county.geo import nearest_grid
from county.models import (
    Category,
    Community,
    Grid,
    Resident,
    Ticket,
    TicketStatus,
)
from county.routing import RouteLevel
from handlers import appointments, buttons, dialogue, emergency, rating, status, texts, threads
from handlers.dispatch import Table, ignore_argument
from handlers.ticketing import open_request, route_and_announce
from handlers.turn import Turn
from messaging import inbound
from messaging.keyboard import Button, Keyboard
from messaging.models import InboundAwaiting, InboundKind, InboundMessage
from nlu import cues, inbox, intents
from nlu.emergency import Emergency
from nlu.emergency import detect as detect_emergency
from nlu.parse import NluUnavailable, ParseResult

log = logging.getLogger(__name__)

PAGE_SIZE = 8
# How much of a grid's description fits on its button beside the name.
GRID_LABEL_PLACES = 16

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


async def ask_to_bind(
    turn: Turn, resident: Resident, prompt: str = texts.ASK_BIND, matches: Sequence[Grid] = ()
) -> None:
    """The community list; grids the resident's own words named come first."""
    keyboard = await binding_keyboard(turn)
    if not keyboard:
        turn.outbox.to_resident(resident, texts.NO_GRIDS)
        return
    if matches:
        prompt = prompt + "\n" + texts.GRIDS_NAMED
        keyboard = [[grid_button(g, full=True)] for g in matches] + keyboard
    turn.outbox.to_resident(resident, prompt, keyboard)


def grid_button(grid: Grid, *, full: bool = False) -> Button:
    """A grid as residents know it: its name and the streets or buildings it covers."""
    name = grid.community.name + grid.name if full else grid.name
    label = f"{name}（{grid.description[:GRID_LABEL_PLACES]}）" if grid.description else name
    return Button(label, buttons.BIND_GRID.data(grid.id))


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
    if pending is None or not pending.text or pending.ticket_id is not None:
        return
    found = detect_emergency(pending.text)
    if found is not None:
        # The number to call went out when the message came in; now alert the grid.
        await emergency.file_emergency(turn, resident, grid, pending, found)
        return
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
        [[grid_button(g)] for g in grids],
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
    # Before anything else — threads, pending choices, length limits: an emergency is
    # never delayed by another state of the conversation.
    found = detect_emergency(text)
    if found is not None:
        await on_emergency(turn, resident, found)
        return
    if len(text) > turn.settings.max_message_chars:
        turn.outbox.to_resident(
            resident,
            texts.TOO_LONG.format(length=len(text), limit=turn.settings.max_message_chars),
        )
        return
    if not cues.has_words(text):
        turn.outbox.to_resident(resident, texts.NO_WORDS)
        return
    if resident.grid_id is None:
        matches = await directory.search_grids(turn.session, text)
        if matches and cues.names_only_a_place(text):
            # "我住幸福小区3栋": an answer to where they live, not a request to file later.
            await ask_to_bind(turn, resident, texts.ASK_BIND_FROM_PLACE, matches)
            return
        await turn.state.put(dialogue.PENDING_REQUEST, turn.stored.id)
        await ask_to_bind(turn, resident, texts.ASK_BIND_BEFORE_REQUEST, matches)
        return
    # Before threads: a complaint about the worker must not be passed to that worker.
    if cues.complains_about_staff(text):
        await on_staff_complaint(turn, resident)
        return
    if cues.wants_a_person(text):
        await on_wants_a_person(turn, resident, text)
        return
    if await rating.on_dissatisfaction_reason(turn, resident):
        return
    if cues.wants_to_reschedule(text) and await on_reschedule_text(turn, resident, text):
        return
    if await threads.place_text(turn, resident, text):
        return
    await understand_request(turn, resident, turn.stored)


async def on_emergency(turn: Turn, resident: Resident, found: Emergency) -> None:
    emergency.tell_numbers(turn, resident, found)
    if resident.grid_id is None:
        await turn.state.put(dialogue.PENDING_REQUEST, turn.stored.id)
        await ask_to_bind(turn, resident, texts.ASK_BIND_FOR_EMERGENCY)
        return
    grid = await turn.session.get(Grid, resident.grid_id)
    assert grid is not None
    await emergency.file_emergency(turn, resident, grid, turn.stored, found)


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
    # Kept in the database: if nobody presses, the sweeper files it as 其他.
    inbound.await_choice(message, InboundAwaiting.CATEGORY)
    if parsed is not None:
        await turn.state.put(
            dialogue.category_choice(message.id),
            {"intent": parsed.intent, "confidence": parsed.confidence},
        )
    turn.outbox.to_resident(resident, prompt, rows)


async def small_talk(turn: Turn, resident: Resident, intent: str) -> None:
    if intent == intents.TICKET_STATUS:
        await status.on_status(turn, resident)
    elif intent == intents.GREET:
        turn.outbox.to_resident(resident, texts.GREETING)
    elif intent == intents.THANKS:
        turn.outbox.to_resident(resident, texts.THANKS_REPLY)
    elif intent == intents.GOODBYE:
        turn.outbox.to_resident(resident, texts.GOODBYE_REPLY)
    elif intent == intents.CANCEL:
        await status.on_cancel(turn, resident)
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
    if message.awaiting != InboundAwaiting.CATEGORY:
        turn.answer(texts.CHOICE_ALREADY_MADE)
        return
    inbound.choice_made(message)
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


# ---- follow-ups, photos, pins, people --------------------------------------------------


async def on_followup_add(turn: Turn, resident: Resident, message_id: int) -> None:
    message = await threads.awaiting_message(turn, message_id, InboundAwaiting.FOLLOWUP)
    if message is None:
        return
    ticket = (
        await turn.session.get(Ticket, message.awaiting_ticket_id)
        if message.awaiting_ticket_id
        else None
    )
    if ticket is None or not ticket.is_open:
        turn.edit(texts.FOLLOWUP_TICKET_CLOSED)
        inbound.choice_made(message)
        await understand_request(turn, resident, message)
        return
    turn.edit(texts.FOLLOWUP_ADDED.format(number=ticket.number))
    threads.add_to_ticket(turn.session, turn.outbox, turn.now, ticket, resident, message)


async def on_followup_new(turn: Turn, resident: Resident, message_id: int) -> None:
    message = await threads.awaiting_message(turn, message_id, InboundAwaiting.FOLLOWUP)
    if message is None:
        return
    inbound.choice_made(message)
    turn.edit(texts.FOLLOWUP_NEW_CHOSEN)
    await understand_request(turn, resident, message)


async def on_photo_alone(turn: Turn, resident: Resident) -> None:
    """A photo without words: it belongs to the report it follows, if there is one."""
    ticket = await threads.conversation_thread(turn, resident) or await threads.recent_ticket(
        turn, resident
    )
    if ticket is None:
        turn.outbox.to_resident(resident, texts.PHOTO_WITHOUT_CAPTION)
        return
    threads.add_in_turn(turn, resident, ticket)


async def on_location(turn: Turn, resident: Resident) -> None:
    """A pin: where the problem is when it follows a report; otherwise, where the resident
    lives — binding at once if they have no grid, asking before moving them if they do."""
    latitude, longitude = turn.inbound.latitude, turn.inbound.longitude
    assert latitude is not None and longitude is not None
    if resident.grid_id is not None:
        ticket = await threads.conversation_thread(turn, resident) or await threads.recent_ticket(
            turn, resident
        )
        if ticket is not None:
            threads.add_in_turn(turn, resident, ticket, location=(latitude, longitude))
            return
    found = nearest_grid(await directory.all_grids(turn.session), latitude, longitude)
    if found is None:
        await ask_to_bind(turn, resident, texts.NO_GRID_COORDINATES)
        return
    grid, distance = found
    if resident.grid_id is None:
        notice = texts.BOUND_BY_LOCATION.format(grid=grid.full_name, distance=distance)
        await bind(turn, resident, grid, notice)
        return
    if grid.id == resident.grid_id:
        here = texts.LOCATION_IN_CURRENT_GRID.format(grid=grid.full_name)
        turn.outbox.to_resident(resident, here)
        return
    # Re-binding is an explicit choice: a pin sent for any other reason never moves anyone.
    turn.outbox.to_resident(
        resident,
        texts.ASK_REBIND.format(grid=grid.full_name, distance=distance),
        [[Button(texts.REBIND_BUTTON.format(grid=grid.name), buttons.BIND_GRID.data(grid.id)),
          Button(texts.KEEP_GRID_BUTTON, buttons.KEEP_GRID.data())]],
    )  # fmt: skip


async def on_keep_grid(turn: Turn, resident: Resident) -> None:
    turn.edit(texts.GRID_KEPT)


async def on_wants_a_person(turn: Turn, resident: Resident, text: str) -> None:
    """转人工: the person who has the resident's open ticket, or a new ticket for the grid."""
    ticket = await threads.conversation_thread(turn, resident) or await threads.recent_ticket(
        turn, resident
    )
    if ticket is not None and ticket.assignee is not None:
        threads.add_in_turn(turn, resident, ticket)
        return
    await file_request(turn, resident, turn.stored, Category.OTHER, None, [])


async def on_staff_complaint(turn: Turn, resident: Resident) -> None:
    """A complaint about a grid worker goes to the community officer, not to that worker."""
    grid = await turn.session.get(Grid, resident.grid_id)
    assert grid is not None
    ticket = await open_request(turn, resident, grid, Category.OTHER, turn.stored, None, [])
    ticket.route_above = RouteLevel.BACKUP
    await route_and_announce(turn.session, ticket, resident, turn.now)


async def on_new(turn: Turn, resident: Resident) -> None:
    await turn.state.put(dialogue.FRESH_AFTER, await tickets.last_event_id(turn.session))
    turn.outbox.to_resident(resident, texts.NEW_THREAD)


async def on_reschedule_text(turn: Turn, resident: Resident, text: str) -> bool:
    """改约 by text, on the resident's booked appointment; False when they have none."""
    try:
        entities = (await turn.services.parser.parse(text, turn.now)).entities
    except NluUnavailable:
        entities = []
    return await appointments.reschedule_by_text(turn, resident, entities)


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
        "/status": ignore_argument(status.on_status),
        "/cancel": ignore_argument(status.on_cancel),
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
        buttons.CANCEL_TICKET: status.on_cancel_button,
        buttons.CANCEL_CONFIRM: status.on_cancel_confirm,
        buttons.CANCEL_KEEP: status.on_cancel_keep,
        buttons.CANCEL_PAGE: status.on_cancel_page,
        buttons.SHARE_IDENTITY: status.on_share_identity,
        buttons.STATUS_PAGE: status.on_status_page,
        buttons.STATUS_TICKET: status.on_status_ticket,
        buttons.RATE: rating.on_rate_button,
        buttons.BOOK_SLOT: appointments.on_book_button,
        buttons.NO_SLOT: appointments.on_none_button,
        buttons.NOT_NEEDED: appointments.on_not_needed_button,
        buttons.RESCHEDULE: appointments.on_reschedule_button,
        buttons.MOVE_SLOT: appointments.on_move_button,
        buttons.CANCEL_APPOINTMENT: appointments.on_cancel_button,
        buttons.CALENDAR_FILE: appointments.on_ics_button,
        buttons.FOLLOWUP_ADD: on_followup_add,
        buttons.FOLLOWUP_NEW: on_followup_new,
        buttons.KEEP_GRID: on_keep_grid,
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
        await on_photo_alone(turn, resident)
    elif inbound.kind in (InboundKind.TEXT, InboundKind.PHOTO):
        await on_text(turn, resident)
    else:
        turn.outbox.to_resident(
            resident, texts.UNSUPPORTED_KIND.get(inbound.kind, texts.UNSUPPORTED_KIND["other"])
        )
