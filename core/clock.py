"""Time source. Everything asks a Clock, so tests can set the hour instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# 周一 … 周日, indexed like datetime.weekday() (0 = Monday). The one table of weekday
# characters: the roster spreadsheet, the time parser and every reply read it from here.
WEEKDAY_CHARS = "一二三四五六日"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)
