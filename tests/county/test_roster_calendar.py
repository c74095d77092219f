"""On duty with holidays, 调休, leave, extra shifts and the /onduty toggle on top."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from bot.runtime.container import Gridline
from core.clock import LOCAL_TZ
from county.models import (
    DutyOverride,
    Grid,
    GridPosition,
    OverrideKind,
    Shift,
    ShiftOverride,
    Worker,
)
from county.roster import end_of_local_day, is_on_duty, next_on_duty, next_shift_start
from county.routing import RouteLevel, choose_assignee
from tests import factories
from tests.conftest import FRIDAY_10AM

DAY = [(d, time(8, 30), time(17, 30)) for d in range(5)]
LEAVE, EXTRA = OverrideKind.LEAVE, OverrideKind.EXTRA


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def change(
    kind: OverrideKind, day: date, starts: time | None = None, ends: time | None = None
) -> ShiftOverride:
    return ShiftOverride(day=day, kind=kind, starts=starts, ends=ends)


def person(shifts: list[tuple[int, time, time]], *overrides: ShiftOverride) -> Worker:
    return Worker(
        name="王芳",
        active=True,
        created_at=FRIDAY_10AM,
        shifts=[Shift(weekday=d, starts=s, ends=e) for d, s, e in shifts],
        overrides=list(overrides),
    )


NATIONAL_DAY = date(2026, 10, 1)  # Thursday; 1–7 October off
MAKEUP_SATURDAY = date(2026, 10, 10)  # worked in exchange (调休上班)
TUESDAY = date(2026, 12, 1)
FRIDAY = date(2026, 11, 27)


def test_no_weekly_shifts_on_a_public_holiday_unless_an_extra_covers_it() -> None:
    worker = person(DAY)
    assert is_on_duty(worker, at(date(2026, 9, 30), 10))
    assert not is_on_duty(worker, at(NATIONAL_DAY, 10))
    assert not is_on_duty(worker, at(date(2026, 10, 6), 10))  # a Tuesday off in lieu
    on_holiday_duty = person(DAY, change(EXTRA, NATIONAL_DAY, time(9), time(17)))
    assert is_on_duty(on_holiday_duty, at(NATIONAL_DAY, 9))
    assert not is_on_duty(on_holiday_duty, at(NATIONAL_DAY, 17))


def test_a_makeup_workday_follows_the_monday_pattern() -> None:
    assert is_on_duty(person(DAY), at(MAKEUP_SATURDAY, 10))
    assert is_on_duty(person(DAY), at(date(2026, 9, 20), 10))  # a make-up Sunday
    monday_morning = person([(0, time(9), time(12))])
    assert is_on_duty(monday_morning, at(MAKEUP_SATURDAY, 11))
    assert not is_on_duty(monday_morning, at(MAKEUP_SATURDAY, 13))
    # The Saturday pattern does not apply on a make-up Saturday: it is a workday.
    saturday_only = person([(5, time(9), time(17))])
    assert not is_on_duty(saturday_only, at(MAKEUP_SATURDAY, 10))
    assert is_on_duty(saturday_only, at(date(2026, 10, 17), 10))


def test_whole_day_and_timed_leave() -> None:
    whole_day = person(DAY, change(LEAVE, TUESDAY))
    assert not is_on_duty(whole_day, at(TUESDAY, 10))
    assert is_on_duty(whole_day, at(TUESDAY + timedelta(days=1), 10))
    timed = person(DAY, change(LEAVE, TUESDAY, time(8, 30), time(10, 30)))
    assert not is_on_duty(timed, at(TUESDAY, 9))
    assert is_on_duty(timed, at(TUESDAY, 10, 30))
    assert is_on_duty(timed, at(TUESDAY, 17))


def test_flexible_hours_are_a_leave_and_an_extra_on_the_same_day() -> None:
    worker = person(
        DAY,
        change(LEAVE, TUESDAY, time(8, 30), time(10, 30)),
        change(EXTRA, TUESDAY, time(17, 30), time(19, 30)),
    )
    assert not is_on_duty(worker, at(TUESDAY, 9))
    assert is_on_duty(worker, at(TUESDAY, 11))
    assert is_on_duty(worker, at(TUESDAY, 18))
    assert not is_on_duty(worker, at(TUESDAY, 19, 30))


def test_a_swap_to_the_night_shift_runs_past_midnight() -> None:
    worker = person(DAY, change(LEAVE, TUESDAY), change(EXTRA, TUESDAY, time(20), time(8)))
    assert not is_on_duty(worker, at(TUESDAY, 10))
    assert is_on_duty(worker, at(TUESDAY, 23))
    wednesday = TUESDAY + timedelta(days=1)
    assert is_on_duty(worker, at(wednesday, 7, 59))
    assert not is_on_duty(worker, at(wednesday, 8, 10))  # between the extra and the day shift
    assert is_on_duty(worker, at(wednesday, 8, 30))


def test_an_overnight_shift_belongs_to_the_day_it_starts() -> None:
    night = [(4, time(22), time(6))]  # Friday night into Saturday
    saturday = FRIDAY + timedelta(days=1)
    # Leave on Saturday does not cut Friday's night shift short ...
    assert is_on_duty(person(night, change(LEAVE, saturday)), at(saturday, 5))
    # ... leave on Friday cancels all of it.
    friday_off = person(night, change(LEAVE, FRIDAY))
    assert not is_on_duty(friday_off, at(FRIDAY, 23))
    assert not is_on_duty(friday_off, at(saturday, 5))
    # A timed leave across midnight cuts exactly its span.
    timed = person(night, change(LEAVE, FRIDAY, time(23), time(2)))
    assert is_on_duty(timed, at(FRIDAY, 22, 30))
    assert not is_on_duty(timed, at(saturday, 1))
    assert is_on_duty(timed, at(saturday, 3))
    # A holiday drops the shift starting on it, not the one running into it.
    into_holiday = person([(2, time(22), time(6)), (3, time(22), time(6))])
    assert is_on_duty(into_holiday, at(NATIONAL_DAY, 5))
    assert not is_on_duty(into_holiday, at(NATIONAL_DAY, 23))


def test_the_toggle_wins_over_everything_while_it_lasts() -> None:
    saturday = FRIDAY + timedelta(days=1)
    worker = person(DAY, change(EXTRA, saturday, time(9), time(17)))
    worker.duty_override = DutyOverride.OFF
    worker.duty_override_until = end_of_local_day(at(saturday, 8))
    assert not is_on_duty(worker, at(saturday, 10))
    assert is_on_duty(worker, at(saturday + timedelta(days=2), 10))  # Monday, toggle expired
    on_holiday = person(DAY, change(LEAVE, NATIONAL_DAY))
    on_holiday.duty_override = DutyOverride.ON
    on_holiday.duty_override_until = end_of_local_day(at(NATIONAL_DAY, 8))
    assert is_on_duty(on_holiday, at(NATIONAL_DAY, 20))


def test_next_on_duty_skips_holidays_and_leave_and_finds_extra_shifts() -> None:
    assert next_on_duty(person(DAY), at(date(2026, 9, 30), 18)) == at(date(2026, 10, 8), 8, 30)
    holiday_duty = person(DAY, change(EXTRA, date(2026, 10, 3), time(9), time(17)))
    assert next_on_duty(holiday_duty, at(date(2026, 9, 30), 18)) == at(date(2026, 10, 3), 9)
    monday = date(2026, 11, 30)
    on_leave_monday = person(DAY, change(LEAVE, monday))
    assert next_on_duty(on_leave_monday, at(FRIDAY, 18)) == at(TUESDAY, 8, 30)
    late_monday = person(DAY, change(LEAVE, monday, time(8, 30), time(10, 30)))
    assert next_on_duty(late_monday, at(FRIDAY, 18)) == at(monday, 10, 30)
    assert next_on_duty(late_monday, at(monday, 9)) == at(monday, 10, 30)
    saturday_only = person([(5, time(9), time(17))])
    assert next_on_duty(saturday_only, at(date(2026, 10, 9), 18)) == at(date(2026, 10, 17), 9)


def test_next_on_duty_finds_a_later_days_earlier_span() -> None:
    # Friday's night shift loses its first hours to leave, so what is left of it starts at
    # 05:00 on Saturday — after Saturday's 01:00 extra hour, which must win.
    saturday = FRIDAY + timedelta(days=1)
    worker = person(
        [(4, time(22), time(6))],
        change(LEAVE, FRIDAY, time(22), time(5)),
        change(EXTRA, saturday, time(1), time(2)),
    )
    assert next_on_duty(worker, at(FRIDAY, 21)) == at(saturday, 1)
    assert next_on_duty(worker, at(saturday, 3)) == at(saturday, 5)


def test_next_on_duty_looks_two_weeks_ahead_at_most() -> None:
    leave = [change(LEAVE, FRIDAY + timedelta(days=n)) for n in range(1, 20)]
    assert next_on_duty(person(DAY, *leave), at(FRIDAY, 18)) is None
    almost = [change(LEAVE, FRIDAY + timedelta(days=n)) for n in range(1, 11)]
    assert next_on_duty(person(DAY, *almost), at(FRIDAY, 18)) == at(date(2026, 12, 8), 8, 30)


def test_next_on_duty_after_the_offduty_toggle_respects_the_calendar() -> None:
    worker = person(DAY)
    worker.duty_override = DutyOverride.OFF
    worker.duty_override_until = end_of_local_day(at(date(2026, 9, 30), 10))
    assert next_on_duty(worker, at(date(2026, 9, 30), 10)) == at(date(2026, 10, 8), 8, 30)


def test_next_shift_start_joins_back_to_back_spans() -> None:
    monday = date(2026, 11, 30)
    worker = person(DAY, change(EXTRA, monday, time(7, 30), time(8, 30)))
    assert next_shift_start(worker, at(FRIDAY, 18)) == at(monday, 7, 30)
    assert next_shift_start(worker, at(monday, 8)) == at(TUESDAY, 8, 30)
    assert next_shift_start(person(DAY), at(date(2026, 9, 30), 18)) == at(date(2026, 10, 8), 8, 30)


async def test_stored_leave_reroutes_tickets_without_lazy_loading(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        primary = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        backup = await factories.worker(
            session, "李强", FRIDAY_10AM, grid=grid, position=GridPosition.BACKUP
        )
        session.add(ShiftOverride(worker_id=primary.id, day=FRIDAY, kind=LEAVE, note="病假"))
        session.add(
            ShiftOverride(worker_id=backup.id, day=FRIDAY, kind=LEAVE, starts=time(8), ends=time(9))
        )
        await session.commit()
        grid_id, primary_id, backup_id = grid.id, primary.id, backup.id
    # A fresh session: the overrides must come with the workers (async forbids lazy loads).
    async with gridline.sessions() as session:
        grid = await session.get(Grid, grid_id)
        assert grid is not None
        decision = await choose_assignee(session, grid, FRIDAY_10AM)
        assert decision.level == RouteLevel.BACKUP
        assert decision.worker is not None and decision.worker.id == backup_id
        primary = await session.scalar(select(Worker).where(Worker.id == primary_id))
        assert primary is not None and [o.note for o in primary.overrides] == ["病假"]
        assert next_on_duty(primary, FRIDAY_10AM) == at(date(2026, 11, 30), 8, 30)
