"""`gridline roster …`: the duty roster as a spreadsheet (CSV) — export, and import back.

The format is described in `county/roster_csv.py` and docs/roster.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from core.clock import LOCAL_TZ, Clock, SystemClock
from core.config import Settings
from core.db import migrated_database
from county.calendar import years_without_holidays
from county.roster_csv import RosterError, export_roster, import_roster
from handlers import texts


def _word(value: object) -> object:
    if value is None:
        return texts.ROSTER_NO_PHONE
    if isinstance(value, tuple):
        return texts.LIST_SEPARATOR.join(str(_word(v)) for v in value)
    return value


def render_error(error: RosterError) -> str:
    """'第3行：开始时间「25:00」不是有效时间（HH:MM）'."""
    params = {key: _word(value) for key, value in error.params.items()}
    problem = texts.ROSTER_PROBLEMS[error.problem].format(**params)
    if error.row is None:
        return problem
    return texts.ROSTER_ROW_ERROR.format(row=error.row, problem=problem)


def calendar_warning(today: date, dates: Iterable[date] = ()) -> str | None:
    return texts.calendar_gap_warning(years_without_holidays(today, dates))


async def cmd_export(
    settings: Settings, args: argparse.Namespace, clock: Clock | None = None
) -> int:
    today = (clock or SystemClock()).now().astimezone(LOCAL_TZ).date()
    async with migrated_database(settings) as sessions, sessions() as session:
        exported = await export_roster(session, today)
    target = Path(args.file)
    target.write_bytes(exported.data)
    print(
        texts.ROSTER_EXPORTED.format(
            workers=exported.workers, weekly=exported.weekly, dated=exported.dated, target=target
        )
    )
    if exported.unidentifiable:
        names = texts.LIST_SEPARATOR.join(exported.unidentifiable)
        print(texts.ROSTER_UNIDENTIFIABLE.format(names=names), file=sys.stderr)
    if warning := calendar_warning(today):
        print(warning, file=sys.stderr)
    return 0


async def cmd_import(
    settings: Settings, args: argparse.Namespace, clock: Clock | None = None
) -> int:
    source = Path(args.file)
    if not source.is_file():
        print(texts.ROSTER_FILE_NOT_FOUND.format(path=source), file=sys.stderr)
        return 2
    data = source.read_bytes()
    today = (clock or SystemClock()).now().astimezone(LOCAL_TZ).date()
    async with migrated_database(settings) as sessions, sessions() as session:
        result = await import_roster(session, data, dry_run=args.dry_run)
        if result.ok and not args.dry_run:
            await session.commit()
        else:
            await session.rollback()
    if not result.ok:
        print(texts.ROSTER_ERRORS.format(source=source, count=len(result.errors)), file=sys.stderr)
        for error in result.errors:
            print(render_error(error), file=sys.stderr)
        return 1
    summary = texts.ROSTER_DRY_RUN if args.dry_run else texts.ROSTER_IMPORTED
    print(
        summary.format(
            source=source,
            rows=result.rows,
            workers=result.workers_with_new_shifts,
            days=result.days_changed,
        )
    )
    if warning := calendar_warning(today, result.dates):
        print(warning, file=sys.stderr)
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    roster = commands.add_parser("roster", help="duty roster as CSV").add_subparsers(
        dest="action", required=True
    )
    exported = roster.add_parser(
        "export", help="weekly shifts and upcoming leave/extra shifts → CSV (UTF-8 with BOM)"
    )
    exported.add_argument("file")
    imported = roster.add_parser(
        "import", help="CSV → roster; checks every row first, changes nothing on any error"
    )
    imported.add_argument("file")
    imported.add_argument("--dry-run", action="store_true", help="check and report only")


HANDLERS = {
    ("roster", "export"): cmd_export,
    ("roster", "import"): cmd_import,
}
