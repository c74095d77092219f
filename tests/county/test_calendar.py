import logging
from datetime import date

import pytest

from county.calendar import DayKind, calendar_gaps, day_kind, holiday_name


def test_2026_holidays_weekends_and_makeup_workdays() -> None:
    assert day_kind(date(2026, 10, 1)) == DayKind.HOLIDAY  # National Day, a Thursday
    assert day_kind(date(2026, 10, 3)) == DayKind.HOLIDAY  # a Saturday inside the holiday
    assert day_kind(date(2026, 10, 6)) == DayKind.HOLIDAY  # a Tuesday off in lieu
    assert day_kind(date(2026, 10, 10)) == DayKind.MAKEUP_WORKDAY  # Saturday worked (调休)
    assert day_kind(date(2026, 9, 20)) == DayKind.MAKEUP_WORKDAY  # Sunday worked
    assert day_kind(date(2026, 11, 27)) == DayKind.WORKDAY
    assert day_kind(date(2026, 11, 28)) == DayKind.WEEKEND
    assert day_kind(date(2026, 2, 17)) == DayKind.HOLIDAY  # 春节, a Tuesday


def test_holiday_names_for_display() -> None:
    assert holiday_name(date(2026, 10, 1)) == "国庆节"
    assert holiday_name(date(2026, 10, 10)) == "国庆节"  # the make-up day says what for
    assert holiday_name(date(2026, 2, 17)) == "春节"
    assert holiday_name(date(2026, 11, 28)) is None
    assert holiday_name(date(2026, 11, 27)) is None


def test_a_year_without_data_falls_back_to_weekdays_and_is_reported() -> None:
    import chinese_calendar

    with pytest.raises(NotImplementedError):
        chinese_calendar.is_holiday(date(2027, 1, 1))  # the library itself gives up
    assert day_kind(date(2027, 1, 1)) == DayKind.WORKDAY  # a Friday; 元旦 unknown yet
    assert day_kind(date(2027, 1, 2)) == DayKind.WEEKEND
    assert holiday_name(date(2027, 1, 1)) is None
    assert 2027 in calendar_gaps()
    assert 2026 not in calendar_gaps()
    assert day_kind(date(2003, 6, 2)) == DayKind.WORKDAY  # before the data starts, too
    assert 2003 in calendar_gaps()


def test_the_gap_is_logged_once_per_year(caplog: pytest.LogCaptureFixture) -> None:
    # 2041: a year no other test asks about, so its first warning happens here.
    with caplog.at_level(logging.WARNING, logger="county.calendar"):
        for day in range(1, 20):
            day_kind(date(2041, 3, day))
        holiday_name(date(2041, 5, 1))
    warnings = [r for r in caplog.records if "2041" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert 2041 in calendar_gaps()
