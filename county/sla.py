"""Time limits: how soon a ticket must be acknowledged, and resolved (分级分类分色)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.clock import LOCAL_TZ
from county.models import Category, Priority

# Acknowledgement (接单) limits by category; a red ticket is acknowledged within 15
# minutes whatever its category.
ACK_LIMITS: dict[str, timedelta | None] = {
    Category.HAZARD: timedelta(minutes=15),
    Category.DISPUTE: timedelta(hours=1),
    Category.WELFARE: None,  # one working day
    Category.APPOINTMENT: None,  # one working day
    Category.OTHER: None,  # one working day
}
RED_ACK_LIMIT = timedelta(minutes=15)
# Someone's life or home may be at stake: the next person up is asked after five minutes.
EMERGENCY_ACK_LIMIT = timedelta(minutes=5)
# How long a resolved ticket waits for the resident's rating before it is closed unrated.
FOLLOWUP_PERIOD = timedelta(days=3)
RESOLUTION_TARGETS = {
    Priority.RED: timedelta(hours=2),
    Priority.YELLOW: timedelta(hours=24),
    Priority.GREEN: timedelta(hours=72),
}


def one_working_day_later(moment: datetime) -> datetime:
    """The same clock time on the next working day (weekends and holidays skipped)."""
    from county.calendar import DayKind, day_kind

    working_days = (DayKind.WORKDAY, DayKind.MAKEUP_WORKDAY)
    local = moment.astimezone(LOCAL_TZ)
    day = local.date() + timedelta(days=1)
    while day_kind(day) not in working_days:
        day += timedelta(days=1)
    return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=LOCAL_TZ)


def ack_limit(category: str, priority: str, emergency: bool = False) -> timedelta | None:
    """How long a worker has to acknowledge; None means one working day."""
    if emergency:
        return EMERGENCY_ACK_LIMIT
    return RED_ACK_LIMIT if priority == Priority.RED else ACK_LIMITS.get(category)


def ack_due(category: str, priority: str, moment: datetime, emergency: bool = False) -> datetime:
    limit = ack_limit(category, priority, emergency)
    return moment + limit if limit is not None else one_working_day_later(moment)


def resolve_due(priority: str, moment: datetime) -> datetime:
    return moment + RESOLUTION_TARGETS[Priority(priority)]
