from datetime import UTC, datetime, time, timedelta

from core.clock import LOCAL_TZ
from county.models import DutyOverride, Shift, Worker
from county.roster import end_of_local_day, is_on_duty, next_on_duty

FRIDAY = datetime(2026, 11, 27, tzinfo=LOCAL_TZ)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return FRIDAY + timedelta(days=day_offset, hours=hour, minutes=minute)


def person(*shifts: tuple[int, time, time]) -> Worker:
    return Worker(
        name="王芳",
        active=True,
        created_at=FRIDAY,
        shifts=[Shift(weekday=d, starts=s, ends=e) for d, s, e in shifts],
    )


DAY = [(d, time(8, 30), time(17, 30)) for d in range(5)]


def test_day_shift_boundaries_are_local_time() -> None:
    worker = person(*DAY)
    assert not is_on_duty(worker, at(0, 8, 29))
    assert is_on_duty(worker, at(0, 8, 30))
    assert is_on_duty(worker, at(0, 17, 29))
    assert not is_on_duty(worker, at(0, 17, 30))
    # 02:00 UTC is 10:00 in Asia/Shanghai
    assert is_on_duty(worker, datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    assert not is_on_duty(worker, at(1, 10))  # Saturday


def test_overnight_shift_belongs_to_the_day_it_starts() -> None:
    worker = person((4, time(22, 0), time(6, 0)))  # Friday night into Saturday
    assert is_on_duty(worker, at(0, 23))
    assert is_on_duty(worker, at(1, 5, 59))
    assert not is_on_duty(worker, at(1, 6))
    assert not is_on_duty(worker, at(0, 5))  # Friday early morning: Thursday had no shift


def test_offduty_override_wins_until_it_expires() -> None:
    worker = person(*DAY)
    worker.duty_override = DutyOverride.OFF
    worker.duty_override_until = end_of_local_day(at(0, 10))
    assert not is_on_duty(worker, at(0, 10))
    assert is_on_duty(worker, at(3, 10))  # Monday: the toggle expired at Friday midnight
    assert next_on_duty(worker, at(0, 10)) == at(3, 8, 30)


def test_onduty_override_outside_shift() -> None:
    worker = person(*DAY)
    worker.duty_override = DutyOverride.ON
    worker.duty_override_until = end_of_local_day(at(1, 19))
    assert is_on_duty(worker, at(1, 19))
    assert not is_on_duty(worker, at(2, 0, 1))


def test_next_on_duty_rolls_into_next_week_and_handles_no_shifts() -> None:
    assert next_on_duty(person(*DAY), at(0, 18)) == at(3, 8, 30)
    assert next_on_duty(person((4, time(8, 30), time(17, 30))), at(0, 18)) == at(7, 8, 30)
    assert next_on_duty(person(), at(0, 10)) is None
    inactive = person(*DAY)
    inactive.active = False
    assert not is_on_duty(inactive, at(0, 10))
