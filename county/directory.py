"""Look-ups of places and people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from county.models import (
    OPEN_STATUSES,
    Community,
    Grid,
    GridAssignment,
    Resident,
    Ticket,
    Worker,
    WorkerRole,
)


async def communities(session: AsyncSession) -> Sequence[Community]:
    return (await session.scalars(select(Community).order_by(Community.code))).all()


async def community_by_code(session: AsyncSession, code: str) -> Community | None:
    return await session.scalar(select(Community).where(Community.code == code))


async def grids_of(session: AsyncSession, community_id: int) -> Sequence[Grid]:
    query = select(Grid).where(Grid.community_id == community_id).order_by(Grid.code)
    return (await session.scalars(query)).all()


async def all_grids(session: AsyncSession) -> Sequence[Grid]:
    return (await session.scalars(select(Grid).order_by(Grid.code))).all()


# Separators in a grid's description: "幸福小区1–6栋、幸福路东段".
_PLACE_SEPARATORS = "、，,；; /"
# How many letters of a place name must appear in the message to count as naming it.
_PLACE_KEY = 4


def _place_keys(grid: Grid) -> list[str]:
    """The place names a resident might type for this grid, shortened to their first letters
    ("幸福小区1–6栋" → "幸福小区"), since residents write "幸福小区3栋", not the range."""
    names = [grid.community.name, *(grid.description or "").translate(
        {ord(c): "|" for c in _PLACE_SEPARATORS}).split("|")]  # fmt: skip
    return [n.strip()[:_PLACE_KEY] for n in names if len(n.strip()) >= 2]


async def search_grids(session: AsyncSession, text: str, limit: int = 4) -> list[Grid]:
    """Grids whose community or covered places the text names, the best match first."""
    scored = []
    for grid in await all_grids(session):
        hits = sum(1 for key in _place_keys(grid) if key and key in text)
        if hits:
            scored.append((-hits, grid.code, grid))
    return [grid for _, _, grid in sorted(scored)[:limit]]


async def grid_by_code(session: AsyncSession, code: str) -> Grid | None:
    return await session.scalar(select(Grid).where(Grid.code == code))


async def worker_by_account(session: AsyncSession, channel: str, external_id: str) -> Worker | None:
    query = select(Worker).where(Worker.channel == channel, Worker.external_id == external_id)
    return await session.scalar(query)


async def workers_by_ids(session: AsyncSession, ids: set[int]) -> Sequence[Worker]:
    if not ids:
        return []
    return (await session.scalars(select(Worker).where(Worker.id.in_(ids)))).all()


async def all_workers(session: AsyncSession) -> Sequence[Worker]:
    return (await session.scalars(select(Worker).order_by(Worker.id))).all()


async def workers_named(session: AsyncSession, name: str) -> Sequence[Worker]:
    return (await session.scalars(select(Worker).where(Worker.name == name))).all()


async def resident_by_account(
    session: AsyncSession, channel: str, external_id: str
) -> Resident | None:
    query = select(Resident).where(Resident.channel == channel, Resident.external_id == external_id)
    return await session.scalar(query)


async def get_or_create_resident(
    session: AsyncSession,
    *,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str | None,
    now: datetime,
) -> Resident:
    resident = await resident_by_account(session, channel, external_id)
    if resident is None:
        resident = Resident(
            channel=channel,
            external_id=external_id,
            chat_id=chat_id,
            display_name=display_name,
            created_at=now,
        )
        session.add(resident)
        await session.flush()
    elif resident.chat_id != chat_id or (display_name and resident.display_name != display_name):
        resident.chat_id = chat_id
        resident.display_name = display_name or resident.display_name
    return resident


async def grids_served_by(session: AsyncSession, worker: Worker) -> Sequence[Grid]:
    """The grids whose tickets this worker may take: assigned grids, or the officer's area."""
    query = select(Grid).join(Community, Community.id == Grid.community_id)
    if worker.role == WorkerRole.COMMUNITY_OFFICER:
        query = query.where(Grid.community_id == worker.community_id)
    elif worker.role == WorkerRole.TOWN_OFFICER:
        query = query.where(Community.town_id == worker.town_id)
    else:
        assigned = select(GridAssignment.grid_id).where(GridAssignment.worker_id == worker.id)
        query = query.where(Grid.id.in_(assigned))
    return (await session.scalars(query.order_by(Grid.code))).all()


async def open_ticket_counts(session: AsyncSession, worker_ids: Sequence[int]) -> dict[int, int]:
    if not worker_ids:
        return {}
    query = (
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(worker_ids), Ticket.status.in_(OPEN_STATUSES))
        .group_by(Ticket.assignee_id)
    )
    counts = {worker_id: 0 for worker_id in worker_ids}
    for worker_id, count in (await session.execute(query)).all():
        counts[worker_id] = count
    return counts


async def find_workers(session: AsyncSession, text: str) -> Sequence[Worker]:
    query = select(Worker).where(or_(Worker.name == text, Worker.phone == text))
    return (await session.scalars(query)).all()


async def grids_by_codes(session: AsyncSession, codes: set[str]) -> Sequence[Grid]:
    if not codes:
        return []
    return (await session.scalars(select(Grid).where(Grid.code.in_(codes)))).all()
