"""A ticket's record told to a person: to a worker in /ticket (everything, internal notes
included), to a resident in /status (what was done for them, in their words)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from county import directory, privacy, tickets
from county.models import EventKind, Party, Ticket, TicketEvent, Worker
from handlers import texts
from handlers.ticketing import resident_label, role_name

# The newest events shown; Telegram caps a message at 4096 characters.
SHOWN_EVENTS = 30


def _worker_ids(events: list[TicketEvent]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        if event.actor_id is not None and event.actor != Party.RESIDENT:
            ids.add(event.actor_id)
        for key in ("by", "to_worker"):
            value = (event.data or {}).get(key)
            if isinstance(value, int):
                ids.add(value)
    return ids


def _short(text: str | None, ticket: Ticket) -> str:
    words = text or ""
    if not ticket.identity_shared:
        words = privacy.mask_numbers(words)
    return texts.shorten(words, texts.HISTORY_BODY_LIMIT)


async def history_text(session: AsyncSession, ticket: Ticket) -> str:
    events = await tickets.events_of(session, ticket.id)
    workers = {w.id: w for w in await directory.workers_by_ids(session, _worker_ids(events))}
    codes = {str(e.data["to_grid"]) for e in events if e.data and e.data.get("to_grid")}
    grids = {g.code: g for g in await directory.grids_by_codes(session, codes)}
    resident = await tickets.resident_of(session, ticket)
    who = resident_label(resident, ticket)

    def staff(worker_id: Any) -> str:
        worker = workers.get(worker_id) if isinstance(worker_id, int) else None
        return f"{role_name(worker)}{worker.name}" if worker else texts.HISTORY_SYSTEM

    def describe(event: TicketEvent) -> str:
        data = event.data or {}
        values = {
            "actor": staff(data.get("by", event.actor_id)),
            "worker": staff(event.actor_id),
            "resident": who,
            "body": _short(event.body, ticket),
            "rating": texts.RATING_LABELS.get(int(data.get("rating") or 0), ""),
            "reason": data.get("reason") or "",
            "count": len(data.get("alerted") or []),
            "number": data.get("into_number") or data.get("from_number") or "",
        }
        kind = event.kind
        if kind == EventKind.ESCALATED and data.get("manual"):
            return texts.HISTORY_ESCALATED_MANUAL.format(**values)
        if kind == EventKind.TRANSFERRED and data.get("to_worker"):
            return texts.HISTORY_TRANSFERRED_TO_WORKER.format(
                **{**values, "worker": staff(data["to_worker"])}
            )
        if kind == EventKind.TRANSFERRED:
            grid = grids.get(str(data.get("to_grid")))
            values["grid"] = grid.full_name if grid else str(data.get("to_grid") or "")
        if kind == EventKind.RESOLVED and not event.body:
            return texts.HISTORY_RESOLVED_PLAIN.format(**values)
        if kind in (EventKind.CLAIMED, EventKind.WORKER_MESSAGE, EventKind.NOTE):
            values["actor"] = staff(event.actor_id)
        template = texts.HISTORY.get(kind)  # StrEnum keys: a plain string finds its kind
        if template is None:
            return texts.HISTORY_UNKNOWN.format(kind=kind)
        return template.format(**values)

    shown = events[-SHOWN_EVENTS:]
    lines = [texts.HISTORY_HEADER.format(number=ticket.number, count=len(events))]
    if len(events) > len(shown):
        lines.append(texts.HISTORY_MORE.format(count=len(events) - len(shown)))
    lines += [
        texts.HISTORY_LINE.format(time=texts.local_time(e.at), text=describe(e)) for e in shown
    ]
    return "\n".join(lines)


# What a resident is not shown: the system's own bookkeeping and workers' internal steps.
NOT_FOR_RESIDENTS = frozenset({EventKind.ESCALATION_EXHAUSTED, EventKind.RESOLUTION_OVERDUE})
# Events whose actor is the worker concerned (for "派给王芳", "王芳接单", …).
WORKER_EVENTS = frozenset(
    {EventKind.ROUTED, EventKind.CLAIMED, EventKind.WORKER_MESSAGE, EventKind.ESCALATED,
     EventKind.RESOLVED}
)  # fmt: skip
BODY_SHOWN = 40


def _shorten(body: str | None) -> str:
    return texts.shorten((body or "").strip(), BODY_SHOWN)


async def for_resident(session: AsyncSession, ticket: Ticket) -> str:
    events = [
        e for e in await tickets.events_of(session, ticket.id) if e.kind not in NOT_FOR_RESIDENTS
    ]
    worker_ids = {e.actor_id for e in events if e.kind in WORKER_EVENTS and e.actor_id}
    workers = {w.id: w for w in await directory.workers_by_ids(session, worker_ids)}
    lines = [
        texts.RESIDENT_HISTORY_HEADER.format(
            number=ticket.number, category=texts.CATEGORY_NAMES[ticket.category]
        )
    ]
    for event in events:
        lines.append(
            texts.RESIDENT_HISTORY_LINE.format(
                time=texts.local_time(event.at), what=_what(event, workers)
            )
        )
    return "\n".join(lines)


def _what(event: TicketEvent, workers: dict[int, Worker]) -> str:
    worker = workers.get(event.actor_id) if event.kind in WORKER_EVENTS else None
    template = texts.RESIDENT_HISTORY.get(event.kind, event.kind)
    rating = (event.data or {}).get("rating")
    return template.format(
        worker=f"{role_name(worker)}{worker.name}" if worker else texts.SOMEONE_STAFF,
        body=_shorten(event.body),
        rating=texts.RATING_LABELS.get(rating, "") if isinstance(rating, int) else "",
        count=len((event.data or {}).get("alerted", [])),
    )
