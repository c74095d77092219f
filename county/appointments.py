"""Off-hours appointments (错时服务): service windows, slots, bookings, reminders, calendar files.

A community opens service windows (weekly, or on one date) in local time; each window is
cut into slots of `slot_minutes`, and a slot seats as many residents as the window has
active serving workers. A booking is one resident with one worker at one slot start.

What keeps two residents off the same worker at the same time is the partial unique index
`uq_appointments_worker_slot` (worker_id, starts_at) WHERE status = 'booked': every booking
is an `INSERT … ON CONFLICT DO NOTHING` against it, and a lost race just moves on to the
next worker. The reads before it only choose whom to try first.

Reminder rule (see `due_reminders`): a reminder is sent only if the booking was made
before the reminder's own moment — a booking made 23 hours ahead gets no "tomorrow"
reminder, one made 50 minutes ahead gets no "in an hour" reminder — and the day-before
reminder gives way to the hour-before one once that is due, so nobody gets both at once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import LOCAL_TZ
from county.models import (
    Appointment,
    AppointmentStatus,
    Community,
    Resident,
    ServiceWindow,
    ServiceWindowWorker,
    Worker,
)

DAY_BEFORE = timedelta(hours=24)
HOUR_BEFORE = timedelta(hours=1)
# Windows end on the day they start, so no appointment is a day long; this bounds the
# "what overlaps this slot" queries to an index range on starts_at.
LONGEST_APPOINTMENT = timedelta(days=1)


class ReminderKind(enum.StrEnum):
    DAY_BEFORE = "day_before"
    HOUR_BEFORE = "hour_before"


@dataclass(frozen=True)
class Slot:
    """One bookable stretch of a window on one day.

    `booked` counts BOOKED appointments of this window at this start. `free` is how many
    more bookings `book()` can place: serving workers with no booked appointment overlapping
    this slot. That is `capacity - booked`, except when a serving worker is already taken at
    that time in another window, or left the window after being booked — then `free` tells
    the truth and the subtraction would not.
    """

    window_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    free: int

    def contains(self, moment: datetime) -> bool:
        return self.starts_at <= moment < self.ends_at


def _require_aware(*moments: datetime) -> None:
    for moment in moments:
        if moment.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


# --- service windows -------------------------------------------------------------------


async def add_window(
    session: AsyncSession,
    community: Community,
    *,
    weekday: int | None = None,
    day: date | None = None,
    starts: time,
    ends: time,
    slot_minutes: int = 30,
    label: str | None = None,
    workers: Iterable[Worker] = (),
) -> ServiceWindow:
    """Open a window every `weekday` (0 = Monday) or on one `day`, from `starts` to `ends`
    local wall-clock time, served by `workers`."""
    if (weekday is None) == (day is None):
        raise ValueError("give exactly one of weekday or day")
    if weekday is not None and not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")
    if starts.tzinfo is not None or ends.tzinfo is not None:
        raise ValueError("window times are local wall-clock times: pass naive times")
    if slot_minutes <= 0:
        raise ValueError("slot_minutes must be positive")
    # Overnight windows are refused rather than guessed at: "a Friday window" would then
    # book Saturday mornings, and a dated window would spill into the next date.
    if not starts < ends:
        raise ValueError("a window must end after it starts, on the same day")
    span = datetime.combine(date.min, ends) - datetime.combine(date.min, starts)
    if span < timedelta(minutes=slot_minutes):
        raise ValueError("the window is shorter than one slot")
    window = ServiceWindow(
        community_id=community.id,
        weekday=weekday,
        day=day,
        starts=starts,
        ends=ends,
        slot_minutes=slot_minutes,
        label=label,
        active=True,
    )
    session.add(window)
    await session.flush()
    for worker_id in dict.fromkeys(worker.id for worker in workers):
        session.add(ServiceWindowWorker(window_id=window.id, worker_id=worker_id))
    await session.flush()
    return window


async def windows_of(session: AsyncSession, community_id: int) -> list[ServiceWindow]:
    """The community's active windows: weekly ones by weekday, then dated ones by date."""
    query = select(ServiceWindow).where(
        ServiceWindow.community_id == community_id, ServiceWindow.active.is_(True)
    )
    windows = list((await session.scalars(query)).all())
    # Sorted here, not in SQL: SQLite and PostgreSQL put NULL weekdays/days at opposite ends.
    return sorted(
        windows,
        key=lambda w: (
            w.day is not None,
            w.weekday if w.weekday is not None else -1,
            w.day or date.min,
            w.starts,
            w.id,
        ),
    )


async def close_window(session: AsyncSession, window_id: int) -> bool:
    """Stop offering a window; False if there is none with that id. The row stays:
    booked appointments still point at it."""
    window = await session.get(ServiceWindow, window_id)
    if window is None:
        return False
    window.active = False
    return True


async def serving_workers(session: AsyncSession, window_id: int) -> list[Worker]:
    """Active workers serving a window; their number is each slot's capacity."""
    query = (
        select(Worker)
        .join(ServiceWindowWorker, ServiceWindowWorker.worker_id == Worker.id)
        .where(ServiceWindowWorker.window_id == window_id, Worker.active.is_(True))
        .order_by(Worker.id)
    )
    return list((await session.scalars(query)).all())


# --- slots -----------------------------------------------------------------------------


def _runs_on(window: ServiceWindow, day: date) -> bool:
    if window.day is not None:
        return window.day == day
    return window.weekday == day.weekday()


def _slots_on(window: ServiceWindow, day: date) -> Iterator[tuple[datetime, datetime]]:
    """(start, end) of each whole slot on `day`; a tail shorter than a slot is not offered."""
    step = timedelta(minutes=window.slot_minutes)
    start = datetime.combine(day, window.starts, tzinfo=LOCAL_TZ)
    closing = datetime.combine(day, window.ends, tzinfo=LOCAL_TZ)
    while start + step <= closing:
        yield start, start + step
        start += step


def _slot_of(window: ServiceWindow, slot_start: datetime) -> tuple[datetime, datetime] | None:
    day = slot_start.astimezone(LOCAL_TZ).date()
    if not _runs_on(window, day):
        return None
    return next(((s, e) for s, e in _slots_on(window, day) if s == slot_start), None)


@dataclass(frozen=True)
class _Staffed:
    window: ServiceWindow
    worker_ids: tuple[int, ...]


async def _staffed_windows(session: AsyncSession, community_id: int) -> list[_Staffed]:
    windows = await windows_of(session, community_id)
    if not windows:
        return []
    rows = await session.execute(
        select(ServiceWindowWorker.window_id, Worker.id)
        .join(Worker, Worker.id == ServiceWindowWorker.worker_id)
        .where(
            ServiceWindowWorker.window_id.in_([w.id for w in windows]),
            Worker.active.is_(True),
        )
        .order_by(Worker.id)
    )
    staff: dict[int, list[int]] = {w.id: [] for w in windows}
    for window_id, worker_id in rows:
        staff[window_id].append(worker_id)
    return [_Staffed(w, tuple(staff[w.id])) for w in windows]


async def _slots(
    session: AsyncSession,
    staffed: Sequence[_Staffed],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[Slot]:
    """Slots of `staffed` windows starting in [start, end), none starting before `now`."""
    earliest = max(start, now)
    if not staffed or earliest >= end:
        return []
    first_day = earliest.astimezone(LOCAL_TZ).date()
    last_day = end.astimezone(LOCAL_TZ).date()
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    candidates = [
        (entry, slot_start, slot_end)
        for day in days
        for entry in staffed
        if _runs_on(entry.window, day)
        for slot_start, slot_end in _slots_on(entry.window, day)
        if earliest <= slot_start < end
    ]
    if not candidates:
        return []
    low = min(s for _, s, _ in candidates)
    high = max(e for _, _, e in candidates)
    window_ids = {entry.window.id for entry, _, _ in candidates}
    worker_ids = {w for entry, _, _ in candidates for w in entry.worker_ids}
    # Booked rows of these windows (for `booked`) and of these workers anywhere (for `free`).
    rows = (
        await session.execute(
            select(
                Appointment.window_id,
                Appointment.worker_id,
                Appointment.starts_at,
                Appointment.ends_at,
            ).where(
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.starts_at < high,
                Appointment.starts_at > low - LONGEST_APPOINTMENT,
                Appointment.ends_at > low,
                Appointment.window_id.in_(window_ids) | Appointment.worker_id.in_(worker_ids),
            )
        )
    ).all()
    slots = []
    for entry, slot_start, slot_end in candidates:
        booked = sum(
            1 for r in rows if r.window_id == entry.window.id and r.starts_at == slot_start
        )
        busy = {r.worker_id for r in rows if r.starts_at < slot_end and r.ends_at > slot_start}
        slots.append(
            Slot(
                window_id=entry.window.id,
                starts_at=slot_start,
                ends_at=slot_end,
                capacity=len(entry.worker_ids),
                booked=booked,
                free=sum(1 for w in entry.worker_ids if w not in busy),
            )
        )
    slots.sort(key=lambda s: (s.starts_at, s.window_id))
    return slots


async def slots_between(
    session: AsyncSession, community_id: int, start: datetime, end: datetime, now: datetime
) -> list[Slot]:
    """Every slot of the community's active windows starting in [start, end), in time order,
    full ones included; slots that start before `now` are left out."""
    _require_aware(start, end, now)
    return await _slots(session, await _staffed_windows(session, community_id), start, end, now)


async def find_slot(
    session: AsyncSession, community_id: int, wanted: datetime, now: datetime
) -> Slot | None:
    """The slot containing `wanted` (19:10 finds 19:00–19:30) if it has room and has not
    started yet; where two windows overlap, the one with more room."""
    _require_aware(wanted, now)
    staffed = await _staffed_windows(session, community_id)
    if not staffed:
        return None
    longest = timedelta(minutes=max(entry.window.slot_minutes for entry in staffed))
    around = await _slots(session, staffed, wanted - longest, wanted + timedelta(seconds=1), now)
    fitting = [s for s in around if s.contains(wanted) and s.free > 0]
    return min(fitting, key=lambda s: (-s.free, s.window_id), default=None)


def _distance(slot: Slot, wanted: datetime) -> timedelta:
    # Containing the wanted moment is an exact match, as in find_slot; otherwise it is how
    # far the start is from what the resident asked for, earlier or later alike.
    return timedelta(0) if slot.contains(wanted) else abs(slot.starts_at - wanted)


async def nearest_free_slots(
    session: AsyncSession,
    community_id: int,
    wanted: datetime,
    now: datetime,
    count: int = 3,
    horizon_days: int = 14,
) -> list[Slot]:
    """Up to `count` slots with room, starting within `horizon_days` of `wanted` (before or
    after, never before `now`), closest first; a tie goes to the earlier slot."""
    _require_aware(wanted, now)
    horizon = timedelta(days=horizon_days)
    staffed = await _staffed_windows(session, community_id)
    slots = await _slots(session, staffed, wanted - horizon, wanted + horizon, now)
    free = sorted(
        (s for s in slots if s.free > 0),
        key=lambda s: (_distance(s, wanted), s.starts_at, s.window_id),
    )
    return free[:count]


# --- booking ---------------------------------------------------------------------------


async def _lock_resident(session: AsyncSession, resident_id: int) -> None:
    # A write to the resident's own row serialises that resident's bookings: a row lock on
    # PostgreSQL (a second press waits here until the first commits), the database write
    # lock on SQLite. So the "already booked then?" check below reads a settled answer.
    # It is also the first write of the transaction, which is what lets SQLite's
    # busy_timeout queue concurrent bookers instead of failing with "database is locked".
    await session.execute(
        update(Resident)
        .where(Resident.id == resident_id)
        .values(chat_id=Resident.chat_id)
        .execution_options(synchronize_session=False)
    )


async def _resident_busy(
    session: AsyncSession,
    resident_id: int,
    starts_at: datetime,
    ends_at: datetime,
    excluding: int | None,
) -> bool:
    # Overlap rather than equal starts: two windows with different slot lengths must not
    # put one resident in two places either.
    query = select(Appointment.id).where(
        Appointment.resident_id == resident_id,
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.starts_at < ends_at,
        Appointment.starts_at > starts_at - LONGEST_APPOINTMENT,
        Appointment.ends_at > starts_at,
    )
    if excluding is not None:
        query = query.where(Appointment.id != excluding)
    return (await session.scalar(query.limit(1))) is not None


async def _busy_worker_ids(
    session: AsyncSession, worker_ids: Sequence[int], starts_at: datetime, ends_at: datetime
) -> set[int]:
    """Workers already booked at a time overlapping the slot, in any window."""
    rows = await session.scalars(
        select(Appointment.worker_id).where(
            Appointment.worker_id.in_(worker_ids),
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at < ends_at,
            Appointment.starts_at > starts_at - LONGEST_APPOINTMENT,
            Appointment.ends_at > starts_at,
        )
    )
    return set(rows.all())


async def _candidate_workers(
    session: AsyncSession, window: ServiceWindow, starts_at: datetime, ends_at: datetime
) -> list[int]:
    """Serving workers worth trying, the one with the fewest bookings that day first.

    This is a snapshot and only an ordering: a concurrent booking can still take any of
    them, and then the unique index refuses the insert.
    """
    serving = [w.id for w in await serving_workers(session, window.id)]
    if not serving:
        return []
    busy = await _busy_worker_ids(session, serving, starts_at, ends_at)
    day_start = _local_midnight(starts_at.astimezone(LOCAL_TZ).date())
    load_rows = await session.execute(
        select(Appointment.worker_id, func.count())
        .where(
            Appointment.worker_id.in_(serving),
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at >= day_start,
            Appointment.starts_at < day_start + timedelta(days=1),
        )
        .group_by(Appointment.worker_id)
    )
    load = {worker_id: int(n) for worker_id, n in load_rows.all()}
    return sorted((w for w in serving if w not in busy), key=lambda w: (load.get(w, 0), w))


async def _insert_unless_taken(
    session: AsyncSession, values: dict[str, object]
) -> Appointment | None:
    """Insert a BOOKED appointment, or nothing if the worker is already booked at that start.

    ON CONFLICT DO NOTHING rather than catching IntegrityError inside a SAVEPOINT: on
    PostgreSQL a lost race then leaves the transaction usable without a savepoint round
    trip, and on SQLite the pysqlite driver turns a SAVEPOINT opened outside a transaction
    into the transaction itself, so its RELEASE would commit the booking behind the
    caller's back (and a later rollback, say of the outbox row, would leave it standing).
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(Appointment)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=["worker_id", "starts_at"],
            # Matches the index's own predicate, which is how both databases pick it.
            index_where=text("status = 'booked'"),
        )
        .returning(Appointment)
    )
    return (await session.scalars(statement)).one_or_none()


async def _book(
    session: AsyncSession,
    *,
    resident_id: int,
    community_id: int,
    slot_start: datetime,
    window_id: int,
    now: datetime,
    ticket_id: int | None,
    note: str | None,
    replacing: int | None,
) -> Appointment | None:
    _require_aware(slot_start, now)
    await _lock_resident(session, resident_id)
    window = await session.get(ServiceWindow, window_id)
    if window is None or not window.active or window.community_id != community_id:
        return None
    slot = _slot_of(window, slot_start)
    if slot is None or slot[0] < now:
        return None
    starts_at, ends_at = slot
    if await _resident_busy(session, resident_id, starts_at, ends_at, replacing):
        return None
    for worker_id in await _candidate_workers(session, window, starts_at, ends_at):
        appointment = await _insert_unless_taken(
            session,
            {
                "resident_id": resident_id,
                "community_id": community_id,
                "window_id": window_id,
                "worker_id": worker_id,
                "ticket_id": ticket_id,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "status": AppointmentStatus.BOOKED,
                "note": note,
                "created_at": now,
                "updated_at": now,
            },
        )
        if appointment is not None:
            return appointment
    return None


async def book(
    session: AsyncSession,
    *,
    resident: Resident,
    community_id: int,
    slot_start: datetime,
    window_id: int,
    now: datetime,
    ticket_id: int | None = None,
    note: str | None = None,
) -> Appointment | None:
    """Book the slot of `window_id` starting at `slot_start` with a free serving worker.

    None when it cannot be booked: the slot is full, has started, is not a slot of that
    (active) window of that community, or the resident already has a booking overlapping
    it. Nothing is committed here; the caller commits with whatever else it writes.
    """
    return await _book(
        session,
        resident_id=resident.id,
        community_id=community_id,
        slot_start=slot_start,
        window_id=window_id,
        now=now,
        ticket_id=ticket_id,
        note=note,
        replacing=None,
    )


async def cancel(session: AsyncSession, appointment: Appointment, now: datetime) -> bool:
    """Cancel a booked appointment, freeing its seat; False if it was not booked (any more)."""
    # Conditional on the status, so a cancel racing another cancel or a reschedule
    # changes the row exactly once.
    result = await session.execute(
        update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.status == AppointmentStatus.BOOKED)
        .values(status=AppointmentStatus.CANCELLED, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(appointment)
    return result.rowcount == 1


async def reschedule(
    session: AsyncSession,
    appointment: Appointment,
    new_slot_start: datetime,
    window_id: int,
    now: datetime,
) -> Appointment | None:
    """Move a booking to another slot: the new appointment, or None with the old one kept.

    The new seat is taken before the old one is given up, so a full or vanished slot
    never leaves the resident with nothing.
    """
    if appointment.status != AppointmentStatus.BOOKED:
        return None
    if appointment.window_id == window_id and appointment.starts_at == new_slot_start:
        return appointment
    replacement = await _book(
        session,
        resident_id=appointment.resident_id,
        community_id=appointment.community_id,
        slot_start=new_slot_start,
        window_id=window_id,
        now=now,
        ticket_id=appointment.ticket_id,
        note=appointment.note,
        replacing=appointment.id,
    )
    if replacement is None:
        return None
    if not await cancel(session, appointment, now):
        # Cancelled or done elsewhere meanwhile: there is nothing left to move.
        await session.delete(replacement)
        await session.flush()
        return None
    return replacement


# --- reminders and listings ------------------------------------------------------------


def _day_before_due(appointment: Appointment, now: datetime) -> bool:
    return (
        appointment.reminded_day_before_at is None
        and appointment.reminded_hour_before_at is None
        and appointment.starts_at - DAY_BEFORE <= now < appointment.starts_at - HOUR_BEFORE
        and appointment.created_at <= appointment.starts_at - DAY_BEFORE
    )


def _hour_before_due(appointment: Appointment, now: datetime) -> bool:
    return (
        appointment.reminded_hour_before_at is None
        and appointment.starts_at - HOUR_BEFORE <= now < appointment.starts_at
        and appointment.created_at <= appointment.starts_at - HOUR_BEFORE
    )


async def due_reminders(
    session: AsyncSession, now: datetime
) -> tuple[list[Appointment], list[Appointment]]:
    """(day-before, hour-before) reminders due at `now` for BOOKED appointments.

    Day-before: from 24 h before the start until the hour-before one takes over, only for
    bookings made at least 24 h ahead. Hour-before: in the last hour, only for bookings made
    at least an hour ahead. Each is due until `mark_reminded`; a sweeper that was down
    during the whole day-before stretch sends only the hour-before one.
    """
    _require_aware(now)
    query = (
        select(Appointment)
        .where(
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > now,
            Appointment.starts_at <= now + DAY_BEFORE,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    upcoming = list((await session.scalars(query)).all())
    return (
        [a for a in upcoming if _day_before_due(a, now)],
        [a for a in upcoming if _hour_before_due(a, now)],
    )


def mark_reminded(appointment: Appointment, kind: ReminderKind, now: datetime) -> None:
    """Record a sent reminder (the caller commits it with the outbox row that carries it)."""
    _require_aware(now)
    if kind == ReminderKind.DAY_BEFORE:
        appointment.reminded_day_before_at = now
    else:
        appointment.reminded_hour_before_at = now


async def appointments_of_worker_on(
    session: AsyncSession, worker_id: int, day: date
) -> list[Appointment]:
    """A worker's appointments on a local calendar day (booked and done), in time order."""
    start = _local_midnight(day)
    query = (
        select(Appointment)
        .where(
            Appointment.worker_id == worker_id,
            Appointment.status != AppointmentStatus.CANCELLED,
            Appointment.starts_at >= start,
            Appointment.starts_at < _local_midnight(day + timedelta(days=1)),
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return list((await session.scalars(query)).all())


async def upcoming_of_resident(
    session: AsyncSession, resident_id: int, now: datetime
) -> list[Appointment]:
    """A resident's booked appointments not yet over (one in progress included)."""
    _require_aware(now)
    query = (
        select(Appointment)
        .where(
            Appointment.resident_id == resident_id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.ends_at > now,
        )
        .order_by(Appointment.starts_at, Appointment.id)
    )
    return list((await session.scalars(query)).all())


# --- iCalendar -------------------------------------------------------------------------

ICS_LINE_OCTETS = 75


def _ics_text(value: str) -> str:
    """A TEXT value escaped per RFC 5545 §3.3.11."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    # Other control characters are not allowed in TEXT; dropping them beats a calendar
    # app refusing the whole file.
    value = "".join(ch for ch in value if ch in "\n\t" or (ch >= " " and ch != "\x7f"))
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Split a content line into ≤ 75-octet pieces (RFC 5545 §3.1), never inside a
    character: a Chinese character is three UTF-8 octets and must stay whole."""
    pieces: list[str] = []
    current, size = "", 0
    for ch in line:
        octets = len(ch.encode("utf-8"))
        if size + octets > ICS_LINE_OCTETS:
            pieces.append(current)
            # The continuation's leading space counts towards its 75 octets.
            current, size = " ", 1
        current += ch
        size += octets
    pieces.append(current)
    return pieces


def _ics_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def ics(appointment: Appointment, *, summary: str, location: str, description: str) -> str:
    """The appointment as an iCalendar file (one VEVENT, a display alarm an hour before).

    DTSTAMP is the appointment's last change, so the same booking always yields the same
    file; calendar apps use it to tell a newer copy from an older one.
    """
    status = "CANCELLED" if appointment.status == AppointmentStatus.CANCELLED else "CONFIRMED"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Gridline//Appointments//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:appointment-{appointment.id}@gridline",
        f"DTSTAMP:{_ics_utc(appointment.updated_at)}",
        f"DTSTART:{_ics_utc(appointment.starts_at)}",
        f"DTEND:{_ics_utc(appointment.ends_at)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(location)}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"STATUS:{status}",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        f"DESCRIPTION:{_ics_text(summary)}",
        "TRIGGER:-PT1H",
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(piece + "\r\n" for line in lines for piece in _fold(line))


async def booked_for_ticket(session: AsyncSession, ticket_id: int) -> Appointment | None:
    """The ticket's booked appointment, if it has one (a second booking is refused)."""
    query = select(Appointment).where(
        Appointment.ticket_id == ticket_id, Appointment.status == AppointmentStatus.BOOKED
    )
    return await session.scalar(query.limit(1))
