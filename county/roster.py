"""Who is on duty when: weekly shifts in local time, plus the worker's own toggle."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from core.clock import LOCAL_TZ
from county.models import DutyOverride, Shift, Worker

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def _shift_covers(shift: Shift, moment: datetime) -> bool:
    local = moment.astimezone(LOCAL_TZ)
    clock_time = local.time().replace(tzinfo=None)
    if shift.starts < shift.ends:
        return shift.weekday == local.weekday() and shift.starts <= clock_time < shift.ends
    # Overnight: the part after midnight belongs to the shift that started yesterday.
    yesterday = (local.weekday() - 1) % 7
    return (shift.weekday == local.weekday() and clock_time >= shift.starts) or (
        shift.weekday == yesterday and clock_time < shift.ends
    )


def _active_override(worker: Worker, moment: datetime) -> str | None:
    until = worker.duty_override_until
    if worker.duty_override and until is not None and moment < until:
        return worker.duty_override
    return None


def on_shift(worker: Worker, moment: datetime) -> bool:
    return any(_shift_covers(shift, moment) for shift in worker.shifts)


def is_on_duty(worker: Worker, moment: datetime) -> bool:
    if not worker.active:
        return False
    override = _active_override(worker, moment)
    if override is not None:
        return override == DutyOverride.ON
    return on_shift(worker, moment)


def next_shift_start(worker: Worker, moment: datetime) -> datetime | None:
    """The next moment at or after `moment` when a shift of this worker begins."""
    local = moment.astimezone(LOCAL_TZ)
    best: datetime | None = None
    for shift in worker.shifts:
        days_ahead = (shift.weekday - local.weekday()) % 7
        candidate = datetime.combine(
            local.date() + timedelta(days=days_ahead), shift.starts, tzinfo=LOCAL_TZ
        )
        if candidate < local:
            candidate += timedelta(days=7)
        if best is None or candidate < best:
            best = candidate
    return best


def next_on_duty(worker: Worker, moment: datetime) -> datetime | None:
    """When this worker will next be on duty (now, if already), or None if never."""
    if not worker.active:
        return None
    if is_on_duty(worker, moment):
        return moment
    override = _active_override(worker, moment)
    start_from = worker.duty_override_until if override == DutyOverride.OFF else moment
    assert start_from is not None
    if on_shift(worker, start_from):
        return start_from
    return next_shift_start(worker, start_from)


def end_of_local_day(moment: datetime) -> datetime:
    local = moment.astimezone(LOCAL_TZ)
    return datetime.combine(local.date() + timedelta(days=1), time(0, 0), tzinfo=LOCAL_TZ)


def describe_shifts(worker: Worker) -> str:
    parts = [
        f"{WEEKDAY_NAMES[s.weekday]} {s.starts:%H:%M}–{s.ends:%H:%M}"
        for s in sorted(worker.shifts, key=lambda s: (s.weekday, s.starts))
    ]
    return "；".join(parts)
