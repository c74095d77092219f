"""/onduty and /offduty last until the roster's next boundary — at night, at the weekend,
on a holiday, on leave — not until midnight."""

from datetime import date, datetime, time, timedelta

from core.clock import LOCAL_TZ
from county.models import OverrideKind, Shift, ShiftOverride, Worker
from county.roster import ON_DUTY_CAP, next_boundary, override_until

DAY = [(d, time(8, 30), time(17, 30)) for d in range(5)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


def person(*overrides: ShiftOverride, shifts: list[tuple[int, time, time]] = DAY) -> Worker:
    return Worker(name="王芳", active=True, created_at=at(date(2026, 1, 1), 0),
                  shifts=[Shift(weekday=d, starts=s, ends=e) for d, s, e in shifts],
                  overrides=list(overrides))  # fmt: skip


FRIDAY, SATURDAY, MONDAY = date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 30)


def test_in_a_shift_both_toggles_last_to_its_end() -> None:
    wang = person()
    assert next_boundary(wang, at(FRIDAY, 10)) == at(FRIDAY, 17, 30)
    assert override_until(wang, at(FRIDAY, 10), on=True) == at(FRIDAY, 17, 30)
    assert override_until(wang, at(FRIDAY, 10), on=False) == at(FRIDAY, 17, 30)


def test_offduty_at_3am_no_longer_cancels_the_days_shift() -> None:
    wang = person()
    assert override_until(wang, at(FRIDAY, 3), on=False) == at(FRIDAY, 8, 30)
    # /onduty at 03:00 covers the night up to the shift, which then carries on.
    assert override_until(wang, at(FRIDAY, 3), on=True) == at(FRIDAY, 8, 30)


def test_at_the_weekend_offduty_runs_to_monday_onduty_is_capped() -> None:
    wang = person()
    assert override_until(wang, at(SATURDAY, 10), on=False) == at(MONDAY, 8, 30)
    assert override_until(wang, at(SATURDAY, 10), on=True) == at(SATURDAY, 10) + ON_DUTY_CAP
    # Friday evening: capped at 08:00 on Saturday, not "until Monday".
    assert override_until(wang, at(FRIDAY, 20), on=True) == at(SATURDAY, 8)


def test_on_a_holiday_the_next_shift_is_after_it() -> None:
    wang = person()
    national_day = date(2026, 10, 1)  # 国庆: off until Thursday 8 October
    assert override_until(wang, at(national_day, 10), on=False) == at(date(2026, 10, 8), 8, 30)
    assert override_until(wang, at(national_day, 10), on=True) == at(national_day, 22)


def test_leave_and_extra_shifts_move_the_boundary() -> None:
    on_leave = person(ShiftOverride(day=FRIDAY, kind=OverrideKind.LEAVE))
    assert next_boundary(on_leave, at(FRIDAY, 10)) == at(MONDAY, 8, 30)
    extra = person(ShiftOverride(day=SATURDAY, kind=OverrideKind.EXTRA, starts=time(9),
                                 ends=time(12)))  # fmt: skip
    assert override_until(extra, at(FRIDAY, 20), on=False) == at(SATURDAY, 9)
    # Back-to-back spans are one stretch: an extra hour before the shift ends with it.
    early = person(ShiftOverride(day=FRIDAY, kind=OverrideKind.EXTRA, starts=time(7, 30),
                                 ends=time(8, 30)))  # fmt: skip
    assert next_boundary(early, at(FRIDAY, 8)) == at(FRIDAY, 17, 30)


def test_nothing_rostered_either_toggle_lasts_the_cap() -> None:
    officer = person(shifts=[])
    assert next_boundary(officer, at(FRIDAY, 10)) is None
    assert override_until(officer, at(FRIDAY, 10), on=False) == at(FRIDAY, 10) + ON_DUTY_CAP
    assert timedelta(hours=12) == ON_DUTY_CAP
