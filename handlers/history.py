"""A ticket's event log as a worker reads it in /ticket: what happened, when, by whom."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from county import privacy, tickets
from county.models import EventKind, Grid, Party, Ticket, TicketEvent, Worker
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
    limit = texts.HISTORY_BODY_LIMIT
    return words if len(words) <= limit else words[:limit] + "…"


async def history_text(session: AsyncSession, ticket: Ticket) -> str:
    events = await tickets.events_of(session, ticket.id)
    ids = _worker_ids(events)
    workers = (
        {w.id: w for w in await session.scalars(select(Worker).where(Worker.id.in_(ids)))}
        if ids
        else {}
    )
    codes = {str(e.data["to_grid"]) for e in events if e.data and e.data.get("to_grid")}
    grids = (
        {g.code: g for g in await session.scalars(select(Grid).where(Grid.code.in_(codes)))}
        if codes
        else {}
    )
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
