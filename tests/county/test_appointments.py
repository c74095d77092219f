import asyncio
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime.container import Gridline
from core.clock import LOCAL_TZ
from county import appointments
from county.appointments import ReminderKind, Slot
from county.models import Appointment, AppointmentStatus, Resident, ServiceWindow, Worker
from tests.conftest import FRIDAY_10AM
from tests.county.appointment_factories import Place, residents, staffed_place

FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
NEXT_FRIDAY = date(2026, 12, 4)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def starts(slots: list[Slot]) -> list[datetime]:
    return [s.starts_at for s in slots]


async def booked_rows(gridline: Gridline) -> int:
    async with gridline.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Appointment)
            .where(Appointment.status == AppointmentStatus.BOOKED)
        )
    return int(count or 0)


async def evening(
    session: AsyncSession, place: Place, workers: list[Worker] | None = None, **options: Any
) -> ServiceWindow:
    """Friday evenings 18:00–21:00, served by `workers` (all of the place's by default)."""
    return await appointments.add_window(
        session,
        place.community,
        weekday=4,
        starts=time(18),
        ends=time(21),
        workers=place.workers if workers is None else workers,
        **options,
    )


async def book_at(
    session: AsyncSession,
    person: Resident,
    window: ServiceWindow,
    start: datetime,
    now: datetime = FRIDAY_10AM,
    **options: Any,
) -> Appointment | None:
    return await appointments.book(
        session,
        resident=person,
        community_id=window.community_id,
        slot_start=start,
        window_id=window.id,
        now=now,
        **options,
    )


# --- windows and slots -----------------------------------------------------------------


async def test_weekly_and_dated_windows_are_cut_into_slots(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=3)
        weekly = await evening(session, place, label="周五晚间")
        dated = await appointments.add_window(
            session,
            place.community,
            day=SATURDAY,
            starts=time(9),
            ends=time(17),
            workers=place.workers[:2],
            label="周六便民日",
        )
        cid = place.community.id
        weekend = await appointments.slots_between(
            session, cid, at(FRIDAY, 0), at(FRIDAY, 0) + timedelta(days=2), FRIDAY_10AM
        )
        friday = [s for s in weekend if s.window_id == weekly.id]
        assert starts(friday) == [at(FRIDAY, 18) + timedelta(minutes=30 * n) for n in range(6)]
        assert all(s.ends_at - s.starts_at == timedelta(minutes=30) for s in friday)
        assert {(s.capacity, s.booked, s.free) for s in friday} == {(3, 0, 3)}
        saturday = [s for s in weekend if s.window_id == dated.id]
        assert len(saturday) == 16
        assert (saturday[0].starts_at, saturday[-1].ends_at) == (at(SATURDAY, 9), at(SATURDAY, 17))
        assert {s.capacity for s in saturday} == {2}
        assert len(weekend) == 22 and weekend == sorted(weekend, key=lambda s: s.starts_at)

        # The weekly window comes back next Friday; the dated one does not.
        next_week = await appointments.slots_between(
            session, cid, at(NEXT_FRIDAY, 0), at(NEXT_FRIDAY, 0) + timedelta(days=2), FRIDAY_10AM
        )
        assert {s.window_id for s in next_week} == {weekly.id} and len(next_week) == 6

        # Friday 19:05: slots that already started are gone, later ones stay.
        later = await appointments.slots_between(
            session, cid, at(FRIDAY, 0), at(FRIDAY, 23), at(FRIDAY, 19, 5)
        )
        assert starts(later) == [at(FRIDAY, 19, 30), at(FRIDAY, 20), at(FRIDAY, 20, 30)]


async def test_a_tail_shorter_than_a_slot_is_not_offered(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        await appointments.add_window(
            session,
            place.community,
            weekday=4,
            starts=time(18),
            ends=time(19, 40),
            slot_minutes=45,
            workers=place.workers,
        )
        slots = await appointments.slots_between(
            session, place.community.id, at(FRIDAY, 0), at(FRIDAY, 23), FRIDAY_10AM
        )
    assert starts(slots) == [at(FRIDAY, 18), at(FRIDAY, 18, 45)]


async def test_capacity_is_the_number_of_active_serving_workers(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=4)
        place.workers[3].active = False
        await evening(session, place)
        slots = await appointments.slots_between(
            session, place.community.id, at(FRIDAY, 18), at(FRIDAY, 19), FRIDAY_10AM
        )
    assert [(s.capacity, s.free) for s in slots] == [(3, 3), (3, 3)]


async def test_add_window_refuses_nonsense_and_lists_in_week_order(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        c = place.community
        with pytest.raises(ValueError, match="exactly one"):
            await appointments.add_window(
                session, c, weekday=4, day=SATURDAY, starts=time(9), ends=time(12)
            )
        with pytest.raises(ValueError, match="exactly one"):
            await appointments.add_window(session, c, starts=time(9), ends=time(12))
        with pytest.raises(ValueError, match="weekday"):
            await appointments.add_window(session, c, weekday=7, starts=time(9), ends=time(12))
        with pytest.raises(ValueError, match="same day"):
            await appointments.add_window(session, c, weekday=4, starts=time(22), ends=time(2))
        with pytest.raises(ValueError, match="shorter than one slot"):
            await appointments.add_window(
                session, c, weekday=4, starts=time(9), ends=time(9, 20), slot_minutes=30
            )
        dated = await appointments.add_window(
            session, c, day=SATURDAY, starts=time(9), ends=time(12)
        )
        late = await appointments.add_window(session, c, weekday=4, starts=time(18), ends=time(21))
        early = await appointments.add_window(session, c, weekday=1, starts=time(18), ends=time(21))
        closed = await appointments.add_window(session, c, weekday=0, starts=time(9), ends=time(12))
        closed.active = False
        listed = await appointments.windows_of(session, c.id)
    assert [w.id for w in listed] == [early.id, late.id, dated.id]


# --- finding slots ---------------------------------------------------------------------


async def test_find_slot_takes_a_time_inside_a_slot(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        cid = place.community.id
        found = await appointments.find_slot(session, cid, at(FRIDAY, 19, 10), FRIDAY_10AM)
        assert found is not None and found.window_id == window.id
        assert (found.starts_at, found.ends_at) == (at(FRIDAY, 19), at(FRIDAY, 19, 30))
        exact = await appointments.find_slot(session, cid, at(FRIDAY, 19, 30), FRIDAY_10AM)
        assert exact is not None and exact.starts_at == at(FRIDAY, 19, 30)
        # Outside the window, on a day without one, or in a slot that has begun: nothing.
        assert await appointments.find_slot(session, cid, at(FRIDAY, 21), FRIDAY_10AM) is None
        assert await appointments.find_slot(session, cid, at(FRIDAY, 17, 59), FRIDAY_10AM) is None
        assert await appointments.find_slot(session, cid, at(SATURDAY, 19), FRIDAY_10AM) is None
        begun = await appointments.find_slot(session, cid, at(FRIDAY, 19, 10), at(FRIDAY, 19, 5))
        assert begun is None
        # A full slot is not found either.
        [person] = await residents(session, place.grid, FRIDAY_10AM, 1)
        assert await book_at(session, person, window, at(FRIDAY, 19)) is not None
        assert await appointments.find_slot(session, cid, at(FRIDAY, 19, 10), FRIDAY_10AM) is None


async def test_nearest_free_slots_are_closest_first_and_never_past(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        cid = place.community.id
        [person] = await residents(session, place.grid, FRIDAY_10AM, 1)
        assert await book_at(session, person, window, at(FRIDAY, 19)) is not None

        around = await appointments.nearest_free_slots(session, cid, at(FRIDAY, 19), FRIDAY_10AM)
        # 18:30 and 19:30 are both half an hour away: the earlier one first; 19:00 is full.
        assert starts(around) == [at(FRIDAY, 18, 30), at(FRIDAY, 19, 30), at(FRIDAY, 18)]
        assert all(s.free == 1 for s in around)

        # At 18:40 the earlier slots are gone: only later ones are offered.
        late = await appointments.nearest_free_slots(
            session, cid, at(FRIDAY, 19), at(FRIDAY, 18, 40)
        )
        assert starts(late) == [at(FRIDAY, 19, 30), at(FRIDAY, 20), at(FRIDAY, 20, 30)]

        # A wanted time inside a free slot is that slot; the search runs on into next week.
        inside = await appointments.nearest_free_slots(
            session, cid, at(FRIDAY, 20, 50), at(FRIDAY, 18, 40), count=5
        )
        assert starts(inside) == [
            at(FRIDAY, 20, 30),
            at(FRIDAY, 20),
            at(FRIDAY, 19, 30),
            at(NEXT_FRIDAY, 18),
            at(NEXT_FRIDAY, 18, 30),
        ]
        # Nothing within the horizon: nothing offered.
        none = await appointments.nearest_free_slots(
            session, cid, at(SATURDAY, 12), FRIDAY_10AM, horizon_days=0
        )
        assert none == []


# --- booking ---------------------------------------------------------------------------


async def test_booking_fills_a_slot_then_refuses(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=3)
        window = await evening(session, place)
        people = await residents(session, place.grid, FRIDAY_10AM, 4)
        made = [await book_at(session, p, window, at(FRIDAY, 19), note="开证明") for p in people]
        await session.commit()
        *booked, fourth = made
        assert fourth is None
        assert all(a is not None for a in booked)
        assert {a.worker_id for a in booked if a} == {w.id for w in place.workers}
        assert all(
            a.status == AppointmentStatus.BOOKED
            and a.ends_at == at(FRIDAY, 19, 30)
            and a.note == "开证明"
            for a in booked
            if a
        )
        [slot] = await appointments.slots_between(
            session, place.community.id, at(FRIDAY, 19), at(FRIDAY, 19, 1), FRIDAY_10AM
        )
        assert (slot.capacity, slot.booked, slot.free) == (3, 3, 0)
    assert await booked_rows(gridline) == 3


async def test_the_least_busy_worker_is_chosen_first(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=2)
        window = await evening(session, place)
        first, second = await residents(session, place.grid, FRIDAY_10AM, 2)
        early = await book_at(session, first, window, at(FRIDAY, 18))
        late = await book_at(session, second, window, at(FRIDAY, 20))
    assert early is not None and late is not None
    assert [early.worker_id, late.worker_id] == [w.id for w in place.workers]


async def test_a_resident_cannot_double_book(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=3)
        window = await evening(session, place, place.workers[:2])
        # Another window at the same hours, with hour-long slots and its own worker.
        hourly = await evening(session, place, place.workers[2:], slot_minutes=60)
        me, neighbour = await residents(session, place.grid, FRIDAY_10AM, 2)
        assert await book_at(session, me, window, at(FRIDAY, 18, 30)) is not None
        assert await book_at(session, me, window, at(FRIDAY, 18, 30)) is None
        assert await book_at(session, me, hourly, at(FRIDAY, 18)) is None  # overlaps 18:30
        assert await book_at(session, neighbour, window, at(FRIDAY, 18, 30)) is not None
        assert await book_at(session, me, hourly, at(FRIDAY, 19)) is not None
        await session.commit()
    assert await booked_rows(gridline) == 3


async def test_book_refuses_what_is_not_a_bookable_slot(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        cid = place.community.id
        window = await evening(session, place)
        closed = await appointments.add_window(
            session,
            place.community,
            weekday=5,
            starts=time(9),
            ends=time(12),
            workers=place.workers,
        )
        closed.active = False
        [person] = await residents(session, place.grid, FRIDAY_10AM, 1)
        now = at(FRIDAY, 18, 40)

        async def bookable(start: datetime, window_id: int, community_id: int = cid) -> bool:
            made = await appointments.book(
                session,
                resident=person,
                community_id=community_id,
                slot_start=start,
                window_id=window_id,
                now=now,
            )
            return made is not None

        assert not await bookable(at(FRIDAY, 19, 10), window.id)  # not a slot boundary
        assert not await bookable(at(FRIDAY, 18, 30), window.id)  # already begun
        assert not await bookable(at(SATURDAY, 19), window.id)  # not that weekday
        assert not await bookable(at(FRIDAY, 21), window.id)  # the window has closed
        assert not await bookable(at(FRIDAY, 19), window.id, community_id=cid + 1)
        assert not await bookable(at(SATURDAY, 9), closed.id)  # inactive window
        assert not await bookable(at(FRIDAY, 19), 999_999)  # no such window
        assert await bookable(at(FRIDAY, 19), window.id)


async def test_a_booking_is_part_of_the_callers_transaction(gridline: Gridline) -> None:
    # A conversation step that rolls back (its outbox write failed, say) must not leave a
    # booking behind, on SQLite either, where a SAVEPOINT opened first would commit it.
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        [person] = await residents(session, place.grid, FRIDAY_10AM, 1)
        await session.commit()
        assert await book_at(session, person, window, at(FRIDAY, 19)) is not None
        await session.rollback()
    assert await booked_rows(gridline) == 0


async def test_the_index_not_the_precheck_refuses_a_taken_worker(
    gridline: Gridline, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stale snapshot, as simultaneous bookers see it: every serving worker looks free, in
    # id order. The unique index must still send the second booking on to the next worker.
    async def everyone_looks_free(
        session: AsyncSession, window: ServiceWindow, starts_at: datetime, ends_at: datetime
    ) -> list[int]:
        return [w.id for w in await appointments.serving_workers(session, window.id)]

    monkeypatch.setattr(appointments, "_candidate_workers", everyone_looks_free)
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=2)
        window = await evening(session, place)
        people = await residents(session, place.grid, FRIDAY_10AM, 3)
        made = [await book_at(session, p, window, at(FRIDAY, 19)) for p in people]
        await session.commit()
    assert [a.worker_id if a else None for a in made] == [w.id for w in place.workers] + [None]
    assert await booked_rows(gridline) == 2


async def test_twenty_simultaneous_bookings_fill_three_seats(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=3)
        window = await evening(session, place)
        people = await residents(session, place.grid, FRIDAY_10AM, 20)
        await session.commit()

    async def press(person: Resident) -> int | None:
        # Its own session, as each resident's button press has in the running bot.
        async with gridline.sessions() as own:
            made = await book_at(own, person, window, at(FRIDAY, 19))
            await own.commit()
            return made.worker_id if made else None

    outcomes = await asyncio.gather(*(press(p) for p in people))
    winners = [w for w in outcomes if w is not None]
    assert sorted(winners) == sorted(w.id for w in place.workers)
    assert await booked_rows(gridline) == 3


# --- cancel and reschedule -------------------------------------------------------------


async def test_cancel_frees_the_seat(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        me, neighbour = await residents(session, place.grid, FRIDAY_10AM, 2)
        mine = await book_at(session, me, window, at(FRIDAY, 19))
        assert mine is not None
        assert await book_at(session, neighbour, window, at(FRIDAY, 19)) is None
        later = FRIDAY_10AM + timedelta(hours=1)
        assert await appointments.cancel(session, mine, later)
        assert mine.status == AppointmentStatus.CANCELLED and mine.updated_at == later
        assert not await appointments.cancel(session, mine, later)
        assert await appointments.upcoming_of_resident(session, me.id, later) == []
        theirs = await book_at(session, neighbour, window, at(FRIDAY, 19), later)
        assert theirs is not None and theirs.worker_id == mine.worker_id
        await session.commit()
    assert await booked_rows(gridline) == 1


async def test_reschedule_keeps_the_old_booking_when_the_new_slot_is_full(
    gridline: Gridline,
) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        me, neighbour = await residents(session, place.grid, FRIDAY_10AM, 2)
        mine = await book_at(session, me, window, at(FRIDAY, 19), note="办居住证")
        assert mine is not None
        assert await book_at(session, neighbour, window, at(FRIDAY, 19, 30)) is not None
        await session.commit()

        full = await appointments.reschedule(
            session, mine, at(FRIDAY, 19, 30), window.id, FRIDAY_10AM
        )
        assert full is None and mine.status == AppointmentStatus.BOOKED

        moved = await appointments.reschedule(session, mine, at(FRIDAY, 20), window.id, FRIDAY_10AM)
        assert moved is not None and moved.id != mine.id
        assert (moved.starts_at, moved.status, moved.note) == (
            at(FRIDAY, 20),
            AppointmentStatus.BOOKED,
            "办居住证",
        )
        assert mine.status == AppointmentStatus.CANCELLED
        # The old seat is free again, and a cancelled booking cannot be moved.
        freed = await appointments.find_slot(
            session, place.community.id, at(FRIDAY, 19), FRIDAY_10AM
        )
        assert freed is not None
        stale = await appointments.reschedule(session, mine, at(FRIDAY, 18), window.id, FRIDAY_10AM)
        assert stale is None
        await session.commit()
        upcoming = await appointments.upcoming_of_resident(session, me.id, FRIDAY_10AM)
    assert [a.id for a in upcoming] == [moved.id]
    assert await booked_rows(gridline) == 2


async def test_reschedule_within_its_own_hour_is_not_a_clash(gridline: Gridline) -> None:
    # Moving 18:00 to an overlapping hour-long slot must not be refused as the resident
    # "already having a booking then": that booking is the one being moved.
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=2)
        window = await evening(session, place, place.workers[:1])
        hourly = await evening(session, place, place.workers[1:], slot_minutes=60)
        [me] = await residents(session, place.grid, FRIDAY_10AM, 1)
        mine = await book_at(session, me, window, at(FRIDAY, 18, 30))
        assert mine is not None
        moved = await appointments.reschedule(session, mine, at(FRIDAY, 18), hourly.id, FRIDAY_10AM)
    assert moved is not None and moved.window_id == hourly.id


# --- listings and reminders ------------------------------------------------------------


async def test_a_workers_day_and_a_residents_upcoming(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        a, b, c, d = await residents(session, place.grid, FRIDAY_10AM, 4)
        plan = {a: at(FRIDAY, 20), b: at(FRIDAY, 18), c: at(FRIDAY, 19), d: at(NEXT_FRIDAY, 18)}
        made = {
            person.id: await book_at(session, person, window, when) for person, when in plan.items()
        }
        cancelled, b_booking = made[c.id], made[b.id]
        assert cancelled is not None and b_booking is not None
        assert await appointments.cancel(session, cancelled, FRIDAY_10AM)
        worker_id = place.workers[0].id
        today = await appointments.appointments_of_worker_on(session, worker_id, FRIDAY)
        assert [x.starts_at for x in today] == [at(FRIDAY, 18), at(FRIDAY, 20)]
        assert await appointments.appointments_of_worker_on(session, worker_id, SATURDAY) == []
        # In progress still counts as upcoming; over does not.
        during = await appointments.upcoming_of_resident(session, b.id, at(FRIDAY, 18, 10))
        after = await appointments.upcoming_of_resident(session, b.id, at(FRIDAY, 18, 30))
    assert [x.id for x in during] == [b_booking.id] and after == []


async def test_reminders_day_before_and_hour_before_once_each(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=4)
        window = await evening(session, place)
        people = await residents(session, place.grid, FRIDAY_10AM, 4)
        start = at(NEXT_FRIDAY, 19)
        booked_at = [
            FRIDAY_10AM,  # a week ahead
            start - timedelta(hours=23),  # less than a day ahead: no "tomorrow" reminder
            start - timedelta(minutes=50),  # less than an hour ahead: no reminder at all
            FRIDAY_10AM,  # to be cancelled
        ]
        made = [
            await book_at(session, person, window, start, now)
            for person, now in zip(people, booked_at, strict=True)
        ]
        ahead, short, rushed, dropped = made
        assert ahead and short and rushed and dropped
        assert await appointments.cancel(session, dropped, FRIDAY_10AM)
        await session.commit()

        async def due(moment: datetime) -> tuple[list[int], list[int]]:
            day, hour = await appointments.due_reminders(session, moment)
            return [x.id for x in day], [x.id for x in hour]

        assert await due(start - timedelta(hours=24, minutes=1)) == ([], [])
        assert await due(start - timedelta(hours=24)) == ([ahead.id], [])
        assert await due(start - timedelta(hours=2)) == ([ahead.id], [])
        appointments.mark_reminded(ahead, ReminderKind.DAY_BEFORE, start - timedelta(hours=2))
        await session.commit()
        assert await due(start - timedelta(hours=1, minutes=1)) == ([], [])
        # The last hour: the hour-before reminder, but not for the booking made 50 min ahead.
        assert await due(start - timedelta(hours=1)) == ([], [ahead.id, short.id])
        for appointment in (ahead, short):
            appointments.mark_reminded(
                appointment, ReminderKind.HOUR_BEFORE, start - timedelta(hours=1)
            )
        await session.commit()
        assert await due(start - timedelta(minutes=30)) == ([], [])
        assert await due(start) == ([], [])
        assert ahead.reminded_day_before_at == start - timedelta(hours=2)
        assert ahead.reminded_hour_before_at == start - timedelta(hours=1)
        assert short.reminded_day_before_at is None


async def test_a_late_sweeper_sends_only_the_hour_before_reminder(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        [person] = await residents(session, place.grid, FRIDAY_10AM, 1)
        made = await book_at(session, person, window, at(NEXT_FRIDAY, 19))
        assert made is not None
        day, hour = await appointments.due_reminders(session, at(NEXT_FRIDAY, 18, 5))
    assert (day, [x.id for x in hour]) == ([], [made.id])


# --- iCalendar -------------------------------------------------------------------------


def unfold(calendar: str) -> list[str]:
    """Content lines of an iCalendar text (RFC 5545 §3.1), without the final empty one."""
    return re.sub(r"\r\n[ \t]", "", calendar).split("\r\n")[:-1]


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def physical_lines(calendar: str) -> list[bytes]:
    return calendar.encode("utf-8").split(b"\r\n")[:-1]


async def test_ics_escapes_folds_and_round_trips(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        place = await staffed_place(session, FRIDAY_10AM, staff=1)
        window = await evening(session, place)
        [person] = await residents(session, place.grid, FRIDAY_10AM, 1)
        made = await book_at(session, person, window, at(FRIDAY, 19))
        assert made is not None
    summary = "错时服务：办理居住证, 王芳; 请带身份证"
    location = "测试镇测试社区党群服务中心, 一楼\\窗口3"
    description = (
        "请携带：身份证、户口本、近期一寸照片两张;\n如需改约请在机器人里点「改约」。\r\n"
        "地址：测试镇测试社区第一网格幸福路88号，联系电话 0710-1234567。" * 2
    )
    calendar = appointments.ics(made, summary=summary, location=location, description=description)

    assert calendar.endswith("\r\n") and "\n" not in calendar.replace("\r\n", "")
    raw = physical_lines(calendar)
    # Every physical line fits in 75 octets and is whole UTF-8 on its own.
    assert all(len(line) <= 75 for line in raw)
    assert all(line.decode("utf-8") for line in raw)
    assert any(line.startswith(b" ") for line in raw)  # the long Chinese text was folded

    lines = unfold(calendar)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("BEGIN:VALARM") == 1
    event = lines[lines.index("BEGIN:VEVENT") + 1 : lines.index("BEGIN:VALARM")]
    props = dict(line.split(":", 1) for line in event)
    assert props["UID"] == f"appointment-{made.id}@gridline"
    assert props["DTSTART"] == "20261127T110000Z"  # 19:00 in Asia/Shanghai
    assert props["DTEND"] == "20261127T113000Z"
    assert props["DTSTAMP"] == "20261127T020000Z"  # booked at 10:00 local
    assert "\\," in props["SUMMARY"] and "\\;" in props["SUMMARY"]
    assert "\\\\" in props["LOCATION"] and "\\n" in props["DESCRIPTION"]
    for value in (props["SUMMARY"], props["LOCATION"], props["DESCRIPTION"]):
        # No bare comma or semicolon: each is preceded by an odd run of backslashes.
        assert all(len(run) % 2 == 1 for run in re.findall(r"(\\*)[,;]", value)), value
    assert unescape(props["SUMMARY"]) == summary
    assert unescape(props["LOCATION"]) == location
    assert unescape(props["DESCRIPTION"]) == description.replace("\r\n", "\n")
    alarm = lines[lines.index("BEGIN:VALARM") + 1 : lines.index("END:VALARM")]
    assert "TRIGGER:-PT1H" in alarm and "ACTION:DISPLAY" in alarm


@pytest.mark.parametrize("prefix", ["", "a", "ab"])
def test_ics_folding_never_splits_a_character(prefix: str) -> None:
    made = Appointment(
        id=7,
        starts_at=datetime(2026, 11, 27, 11, tzinfo=UTC),
        ends_at=datetime(2026, 11, 27, 11, 30, tzinfo=UTC),
        updated_at=datetime(2026, 11, 27, 2, tzinfo=UTC),
        status=AppointmentStatus.BOOKED,
    )
    # "DESCRIPTION:" is 12 octets; with 0, 1 or 2 ASCII octets before a run of 3-octet
    # characters, the 75-octet limit falls on, one before, or two before a character's end.
    text = prefix + "网格" * 60
    calendar = appointments.ics(made, summary="预约", location="社区", description=text)
    raw = physical_lines(calendar)
    assert len(raw) > 22  # the description alone takes several lines
    assert all(len(line) <= 75 for line in raw)
    assert all(line.decode("utf-8") for line in raw)
    # Folding is tight: a line is only broken when the next character would not fit.
    first = raw.index(next(line for line in raw if line.startswith(b"DESCRIPTION:")))
    pieces = [raw[first]]
    for line in raw[first + 1 :]:
        if not line.startswith(b" "):
            break
        pieces.append(line)
    assert len(pieces) > 4 and all(len(line) > 75 - 3 for line in pieces[:-1])
    assert f"DESCRIPTION:{text}" in unfold(calendar)
