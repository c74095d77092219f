"""Who is on duty when.

A worker is on duty at a moment when, in this order:

1. Their own /onduty or /offduty toggle (`Worker.duty_override`) says so, while it lasts.
   It wins over everything below.
2. Otherwise, the roster of the day says so. The roster of a day is
   a. the weekly pattern (`Shift` rows), picked by the kind of day (`county.calendar`):
      - workday or ordinary weekend: that weekday's shifts;
      - public holiday (法定节假日, including days off in lieu): no weekly shifts at all —
        holiday duty (节假日值班) is entered as dated extra shifts;
      - make-up workday (调休上班, a Saturday or Sunday worked): the worker's *Monday*
        shifts, because a make-up day is an ordinary workday and Monday is the plainest
        one. A county that wants something else enters dated rows for that day;
   b. minus leave (`ShiftOverride` LEAVE): without times, every shift that starts that day
      is off; with times, the worker is off in that span only;
   c. plus extra duty (`ShiftOverride` EXTRA) in its span. Extra wins over leave, so a swap
      or flexible hours (弹性工时) is a leave and an extra on the same day.

A shift, a timed leave or an extra span whose end is at or before its start runs past
midnight and belongs to the day it starts, like the weekly shifts always have: a holiday
or a whole-day leave on Saturday does not cut short Friday's night shift.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta

from core.clock import LOCAL_TZ, WEEKDAY_CHARS
from county.calendar import DayKind, day_kind
from county.models import DutyOverride, OverrideKind, Shift, ShiftOverride, Worker

WEEKDAY_NAMES = tuple(f"周{c}" for c in WEEKDAY_CHARS)
# Whose shifts a make-up workday (调休上班) borrows: Monday's.
MAKEUP_WORKDAY_PATTERN = 0
# How far ahead `next_on_duty` looks. Two weeks clears the longest holiday (春节, ~9 days)
# for anyone with a weekly shift, and bounds the work routing does per queued ticket.
SEARCH_DAYS = 14

ONE_DAY = timedelta(days=1)
# The longest an /onduty outside the roster lasts (see `override_until`).
ON_DUTY_CAP = timedelta(hours=12)
Span = tuple[datetime, datetime]
OverridesByDay = Mapping[date, Sequence[ShiftOverride]]


def _span(day: date, starts: time, ends: time) -> Span:
    end_day = day if starts < ends else day + ONE_DAY
    return (
        datetime.combine(day, starts, tzinfo=LOCAL_TZ),
        datetime.combine(end_day, ends, tzinfo=LOCAL_TZ),
    )


def _subtract(spans: list[Span], cut: Span) -> list[Span]:
    kept: list[Span] = []
    for start, end in spans:
        if end <= cut[0] or start >= cut[1]:
            kept.append((start, end))
            continue
        if start < cut[0]:
            kept.append((start, cut[0]))
        if end > cut[1]:
            kept.append((cut[1], end))
    return kept


def _overrides_by_day(worker: Worker, first: date, last: date) -> dict[date, list[ShiftOverride]]:
    found: dict[date, list[ShiftOverride]] = {}
    for override in worker.overrides:
        if first <= override.day <= last:
            found.setdefault(override.day, []).append(override)
    return found


def _is_whole_day_leave(override: ShiftOverride) -> bool:
    # Only a leave with both times is partial; a half-filled one errs on the side of "off".
    return override.kind == OverrideKind.LEAVE and (
        override.starts is None or override.ends is None
    )


def weekly_shifts_for(worker: Worker, day: date) -> list[Shift]:
    """The weekly shifts that apply on this date, given holidays and make-up workdays."""
    kind = day_kind(day)
    if kind == DayKind.HOLIDAY:
        return []
    weekday = MAKEUP_WORKDAY_PATTERN if kind == DayKind.MAKEUP_WORKDAY else day.weekday()
    return [shift for shift in worker.shifts if shift.weekday == weekday]


def _day_spans(worker: Worker, day: date, overrides: OverridesByDay) -> list[Span]:
    """On-duty spans that start on `day` (local), after leave and extra shifts.

    `overrides` must cover day-1 … day+1: a timed leave from a neighbouring day can cut
    into a shift that starts today.
    """
    todays = overrides.get(day, ())
    spans: list[Span] = []
    if not any(_is_whole_day_leave(o) for o in todays):
        spans = [_span(day, s.starts, s.ends) for s in weekly_shifts_for(worker, day)]
    for near in (day - ONE_DAY, day, day + ONE_DAY):
        for override in overrides.get(near, ()):
            if spans and override.kind == OverrideKind.LEAVE and not _is_whole_day_leave(override):
                assert override.starts is not None and override.ends is not None
                spans = _subtract(spans, _span(near, override.starts, override.ends))
    for override in todays:
        if (
            override.kind == OverrideKind.EXTRA
            and override.starts is not None
            and override.ends is not None
        ):
            spans.append(_span(day, override.starts, override.ends))
    return spans


def _active_override(worker: Worker, moment: datetime) -> str | None:
    until = worker.duty_override_until
    if worker.duty_override and until is not None and moment < until:
        return worker.duty_override
    return None


def on_shift(worker: Worker, moment: datetime) -> bool:
    """Whether the roster (weekly shifts, holidays, leave, extra) has the worker on duty."""
    today = moment.astimezone(LOCAL_TZ).date()
    # Yesterday too: its overnight shifts reach into today.
    overrides = _overrides_by_day(worker, today - 2 * ONE_DAY, today + ONE_DAY)
    return any(
        start <= moment < end
        for day in (today - ONE_DAY, today)
        for start, end in _day_spans(worker, day, overrides)
    )


def is_on_duty(worker: Worker, moment: datetime) -> bool:
    if not worker.active:
        return False
    override = _active_override(worker, moment)
    if override is not None:
        return override == DutyOverride.ON
    return on_shift(worker, moment)


def _first_on_shift(worker: Worker, moment: datetime) -> datetime | None:
    """The first moment at or after `moment` the roster has the worker on duty."""
    first = moment.astimezone(LOCAL_TZ).date() - ONE_DAY
    last = first + timedelta(days=SEARCH_DAYS + 1)
    overrides = _overrides_by_day(worker, first - ONE_DAY, last + 2 * ONE_DAY)
    best: datetime | None = None
    day = first
    # Day by day, stopping early: a span starting on day d (even one a leave has cut the
    # front off) begins before day d+2, so once d has an answer only d+1 can beat it.
    while day <= last:
        for start, end in _day_spans(worker, day, overrides):
            if end > moment:
                candidate = max(start, moment)
                best = candidate if best is None else min(best, candidate)
        if best is not None and (best == moment or day > best.astimezone(LOCAL_TZ).date()):
            break
        day += ONE_DAY
    return best


def _stretches(worker: Worker, moment: datetime) -> list[Span]:
    """The roster's stretches of duty from the day before `moment` to `SEARCH_DAYS` after:
    back-to-back or overlapping spans (an extra hour right before a shift) joined."""
    first = moment.astimezone(LOCAL_TZ).date() - ONE_DAY
    last = first + timedelta(days=SEARCH_DAYS + 1)
    overrides = _overrides_by_day(worker, first - ONE_DAY, last + ONE_DAY)
    spans = sorted(
        span
        for offset in range((last - first).days + 1)
        for span in _day_spans(worker, first + timedelta(days=offset), overrides)
    )
    joined: list[Span] = []
    for start, end in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def next_shift_start(worker: Worker, moment: datetime) -> datetime | None:
    """The next moment at or after `moment` when a stretch of duty of this worker begins.

    Holidays, leave and extra shifts count; back-to-back spans (an extra hour right
    before a shift) are one stretch. Looks `SEARCH_DAYS` ahead.
    """
    return next((start for start, _ in _stretches(worker, moment) if start >= moment), None)


def next_boundary(worker: Worker, moment: datetime) -> datetime | None:
    """Where the roster next changes its mind about this worker: the end of the stretch of
    duty they are in, or else the start of their next one (None: nothing within
    `SEARCH_DAYS`)."""
    for start, end in _stretches(worker, moment):
        if start <= moment < end:
            return end
        if start > moment:
            return start
    return None


def override_until(worker: Worker, moment: datetime, on: bool) -> datetime:
    """How long an /onduty (`on`) or /offduty sent at `moment` lasts: to the roster's next
    boundary, so /offduty at 03:00 no longer cancels the day's shift.

    An /onduty outside any shift is someone covering: it lasts at most `ON_DUTY_CAP`, or
    an /onduty on the first day of 国庆 would keep the worker on call all week. With
    nothing rostered at all, either toggle lasts `ON_DUTY_CAP`.
    """
    boundary = next_boundary(worker, moment)
    cap = moment + ON_DUTY_CAP
    if boundary is None:
        return cap
    return min(boundary, cap) if on and not on_shift(worker, moment) else boundary


def next_on_duty(worker: Worker, moment: datetime) -> datetime | None:
    """When this worker will next be on duty (now, if already).

    None if inactive, or if nothing is rostered within `SEARCH_DAYS` days.
    """
    if not worker.active:
        return None
    if is_on_duty(worker, moment):
        return moment
    override = _active_override(worker, moment)
    start_from = worker.duty_override_until if override == DutyOverride.OFF else moment
    assert start_from is not None
    return _first_on_shift(worker, start_from)


def end_of_local_day(moment: datetime) -> datetime:
    local = moment.astimezone(LOCAL_TZ)
    return datetime.combine(local.date() + ONE_DAY, time(0, 0), tzinfo=LOCAL_TZ)
