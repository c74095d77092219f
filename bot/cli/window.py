"""`gridline window …`: a community's off-hours service windows (错时服务)."""

from __future__ import annotations

import argparse
import sys
from datetime import date, time

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.db import migrated_database
from county import appointments, directory
from county.models import Community, ServiceWindow, Worker
from county.roster import WEEKDAY_NAMES
from handlers import texts


def parse_weekdays(raw: str) -> list[int]:
    """'1-5' or '6,7' (1 = Monday, as on a Chinese calendar) → [0..4] or [5, 6]."""
    days: list[int] = []
    for part in raw.replace("，", ",").split(","):
        first, _, last = part.strip().partition("-")
        start, end = int(first), int(last or first)
        if not 1 <= start <= end <= 7:
            raise ValueError(raw)
        days += range(start - 1, end)
    return sorted(set(days))


def parse_clock(raw: str) -> time:
    hours, _, minutes = raw.strip().partition(":")
    return time(int(hours), int(minutes or 0))


def describe(window: ServiceWindow, community: Community, names: list[str]) -> str:
    when = WEEKDAY_NAMES[window.weekday] if window.weekday is not None else f"{window.day}"
    slot = texts.MINUTES.format(n=window.slot_minutes)
    hours = f"{window.starts:%H:%M}–{window.ends:%H:%M}"
    return f"{window.id}\t{community.code}\t{when} {hours}\t{slot}\t{'、'.join(names) or '-'}"


async def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    async with migrated_database(settings) as sessions, sessions() as session:
        found = await directory.communities(session)
        for community in (c for c in found if c.code == args.community or not args.community):
            for window in await appointments.windows_of(session, community.id):
                workers = await appointments.serving_workers(session, window.id)
                print(describe(window, community, [w.name for w in workers]))
    return 0


async def _workers(session: AsyncSession, keys: list[str]) -> list[Worker] | str:
    found: list[Worker] = []
    for key in keys:
        matches = await directory.find_workers(session, key.strip())
        if len(matches) != 1:
            return texts.WINDOW_WORKER_UNKNOWN.format(key=key, count=len(matches))
        found.append(matches[0])
    return found


async def cmd_add(settings: Settings, args: argparse.Namespace) -> int:
    try:
        weekdays = parse_weekdays(args.weekdays) if args.weekdays else []
        day = date.fromisoformat(args.date) if args.date else None
        starts, ends = parse_clock(args.starts), parse_clock(args.ends)
    except ValueError:
        print(texts.WINDOW_BAD_INPUT, file=sys.stderr)
        return 2
    if bool(weekdays) == (day is not None):
        print(texts.WINDOW_WEEKDAYS_OR_DATE, file=sys.stderr)
        return 2
    minutes = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
    if minutes < args.slot or args.slot <= 0:
        print(texts.WINDOW_BAD_TIMES.format(slot=args.slot), file=sys.stderr)
        return 2
    async with migrated_database(settings) as sessions, sessions() as session:
        community = await directory.community_by_code(session, args.community)
        if community is None:
            print(texts.WINDOW_COMMUNITY_UNKNOWN.format(code=args.community), file=sys.stderr)
            return 2
        workers = await _workers(session, [k for k in args.workers.split(",") if k.strip()])
        if isinstance(workers, str):
            print(workers, file=sys.stderr)
            return 2
        created = []
        try:
            for weekday in weekdays or [None]:
                created.append(await appointments.add_window(
                    session, community, weekday=weekday, day=day, starts=starts,
                    ends=ends, slot_minutes=args.slot, label=args.label, workers=workers,
                ))  # fmt: skip
        except ValueError as exc:
            print(texts.WINDOW_REFUSED.format(reason=exc), file=sys.stderr)
            return 2
        await session.commit()
        for window in created:
            print(describe(window, community, [w.name for w in workers]))
    return 0


async def cmd_remove(settings: Settings, args: argparse.Namespace) -> int:
    async with migrated_database(settings) as sessions, sessions() as session:
        if not await appointments.close_window(session, args.id):
            print(texts.WINDOW_UNKNOWN.format(id=args.id), file=sys.stderr)
            return 2
        await session.commit()
    print(texts.WINDOW_REMOVED.format(id=args.id))
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    window = commands.add_parser("window", help="off-hours service windows (错时服务)")
    actions = window.add_subparsers(dest="action", required=True)
    listed = actions.add_parser("list", help="id, community, when, slot length, serving workers")
    listed.add_argument("--community", help="community code, e.g. CG-XF")
    added = actions.add_parser("add", help="open a weekly or dated window")
    added.add_argument("--community", required=True, help="community code, e.g. CG-XF")
    added.add_argument("--weekdays", help="1-5 for Monday to Friday, 6,7 for the weekend")
    added.add_argument("--date", help="one date, e.g. 2027-01-01 (a holiday service day)")
    added.add_argument("--from", dest="starts", required=True, help="HH:MM")
    added.add_argument("--to", dest="ends", required=True, help="HH:MM")
    added.add_argument("--slot", type=int, default=30, help="slot length in minutes")
    added.add_argument("--workers", required=True, help="names or phones, comma separated")
    added.add_argument("--label", default=texts.CLI_WINDOW_DEFAULT_LABEL)
    removed = actions.add_parser("remove", help="close a window (bookings stay)")
    removed.add_argument("id", type=int)


HANDLERS = {("window", "list"): cmd_list, ("window", "add"): cmd_add,
            ("window", "remove"): cmd_remove}  # fmt: skip
