"""A ticket's record told to a person: when it was received, who took it, what was done."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from county import directory, tickets
from county.models import EventKind, Ticket, TicketEvent, Worker
from handlers import texts
from handlers.ticketing import role_name

# What a resident is not shown: the system's own bookkeeping and workers' internal steps.
NOT_FOR_RESIDENTS = frozenset({EventKind.ESCALATION_EXHAUSTED, EventKind.RESOLUTION_OVERDUE})
# Events whose actor is the worker concerned (for "派给王芳", "王芳接单", …).
WORKER_EVENTS = frozenset(
    {EventKind.ROUTED, EventKind.CLAIMED, EventKind.WORKER_MESSAGE, EventKind.ESCALATED,
     EventKind.RESOLVED}
)  # fmt: skip
BODY_SHOWN = 40


def _short(body: str | None) -> str:
    body = (body or "").strip()
    return body if len(body) <= BODY_SHOWN else body[:BODY_SHOWN] + "…"


async def for_resident(session: AsyncSession, ticket: Ticket) -> str:
    events = [
        e for e in await tickets.events_of(session, ticket.id) if e.kind not in NOT_FOR_RESIDENTS
    ]
    worker_ids = {e.actor_id for e in events if e.kind in WORKER_EVENTS and e.actor_id}
    workers = {w.id: w for w in await directory.workers_by_ids(session, worker_ids)}
    lines = [
        texts.HISTORY_HEADER.format(
            number=ticket.number, category=texts.CATEGORY_NAMES[ticket.category]
        )
    ]
    for event in events:
        lines.append(
            texts.HISTORY_LINE.format(time=texts.local_time(event.at), what=_what(event, workers))
        )
    return "\n".join(lines)


def _what(event: TicketEvent, workers: dict[int, Worker]) -> str:
    worker = workers.get(event.actor_id) if event.kind in WORKER_EVENTS else None
    template = texts.HISTORY.get(event.kind, event.kind)
    rating = (event.data or {}).get("rating")
    return template.format(
        worker=f"{role_name(worker)}{worker.name}" if worker else texts.SOMEONE_STAFF,
        body=_short(event.body),
        rating=texts.RATING_LABELS.get(rating, "") if isinstance(rating, int) else "",
        count=len((event.data or {}).get("alerted", [])),
    )
