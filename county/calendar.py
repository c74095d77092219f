"""What kind of day a date is in mainland China: workday, weekend, public holiday or 调休.

The State Council announces each year's holidays and make-up workdays (调休上班) late in
the year before; `chinesecalendar` ships them. For a year it has no data for yet, we fall
back to Monday–Friday workdays rather than crash, remember the year in `calendar_gaps()`
and log a warning once, so an admin knows to upgrade the package (or to enter that year's
holidays as dated leave rows in the roster).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar

log = logging.getLogger(__name__)

# The holiday data must reach this far ahead, or the county is told: rosters for January
# are drawn up in December, while the State Council's notice may not be in the package yet.
HORIZON_DAYS = 45


class DayKind(enum.StrEnum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"  # a statutory holiday or a day off in lieu (调休休息)
    MAKEUP_WORKDAY = "makeup_workday"  # a weekend day worked in exchange (调休上班)


# Years the library had no data for; a set, not a flag, so the warning names each year.
_gaps: set[int] = set()


@lru_cache(maxsize=4096)
def _detail(day: date) -> tuple[bool, str | None] | None:
    """The library's answer, or None when it has no data for the year.

    Cached because the library re-scans its whole table to validate every date, and
    routing asks about a few days for every worker on every ticket.
    """
    try:
        return chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None


def _record_gap(year: int) -> None:
    if year in _gaps:
        return
    _gaps.add(year)
    log.warning(
        "chinesecalendar has no holiday data for %d: treating Monday–Friday as workdays "
        "and Saturday/Sunday as weekend. Upgrade chinesecalendar, or enter that year's "
        "holidays and make-up workdays as dated rows in the roster.",
        year,
    )


def day_kind(day: date) -> DayKind:
    weekend = day.weekday() >= 5
    detail = _detail(day)
    if detail is None:
        _record_gap(day.year)
        return DayKind.WEEKEND if weekend else DayKind.WORKDAY
    resting, name = detail
    if resting:
        # A named weekend day lies inside a holiday period (国庆 on a Saturday): the
        # weekend pattern does not apply there either.
        return DayKind.HOLIDAY if name is not None or not weekend else DayKind.WEEKEND
    return DayKind.MAKEUP_WORKDAY if weekend else DayKind.WORKDAY


def holiday_name(day: date) -> str | None:
    """'国庆节' on a National Day holiday and on its make-up workdays; None otherwise."""
    detail = _detail(day)
    if detail is None:
        _record_gap(day.year)
        return None
    name = detail[1]
    if name is None:
        return None
    try:
        return chinese_calendar.Holiday(name).chinese
    except ValueError:
        # A holiday newer than this code's idea of the enum: its English name beats nothing.
        return name


def calendar_gaps() -> set[int]:
    """Years asked about that the holiday data does not cover (weekday rules were used)."""
    return set(_gaps)


def years_without_holidays(today: date, dates: Iterable[date] = ()) -> list[int]:
    """The years from today to the horizon, or of `dates`, that the holiday data lacks."""
    horizon = today + timedelta(days=HORIZON_DAYS)
    firsts: dict[int, date] = {}
    for day in (today, horizon, *dates):
        firsts.setdefault(day.year, day)
    for year in range(today.year, horizon.year + 1):
        firsts.setdefault(year, date(year, 1, 1))
    for day in firsts.values():
        day_kind(day)  # records the year in calendar_gaps() when it has no data
    return sorted(calendar_gaps() & firsts.keys())
