"""The duty roster as a spreadsheet a county office fills in (CSV, UTF-8 with BOM).

One row per weekly shift or dated change, header first::

    工号或手机,姓名,类型,星期或日期,开始,结束,备注
    13971000001,王芳,每周,周一,08:30,17:30,
    13971000001,王芳,请假,2026-12-01,,,年假
    13971000001,王芳,请假,2026-12-02,08:30,10:30,弹性工时：晚到
    13971000001,王芳,加班,2026-12-02,17:30,19:30,弹性工时：补足
    13971000006,周婷,加班,2027-01-01,09:00,09:00,元旦24小时值班
    ,李强,取消,2026-12-03,,,
    13971000002,李强,每周,无,,,

Columns:

- 工号或手机: the worker's phone number as registered (`Worker.phone`; Gridline keeps no
  separate staff number). Spaces, dashes and a +86 prefix are ignored. May be empty when
  姓名 is unique. When both are given they must belong to the same person.
- 姓名: the worker's name; enough on its own when nobody else has it.
- 类型: 每周 (a weekly shift), 请假 (leave; 休假 also accepted), 加班 (an extra shift:
  holiday duty, a swapped-in shift, the second half of flexible hours; 换班 and 补班 also
  accepted), 取消 (remove this worker's leave and extra rows on that date; 撤销 accepted).
- 星期或日期: for 每周, 周一 … 周日 (星期一 / 礼拜一 / 周天 also accepted), or 无 meaning
  "this worker has no weekly shifts"; for the others, a date: 2026-12-01 (also
  2026/12/1, 2026.12.1, 2026年12月1日).
- 开始, 结束: local time HH:MM (H:MM and HH:MM:SS with zero seconds, as spreadsheets save
  them, are accepted; 结束 may be 24:00). An end at or before the start runs past midnight;
  equal times mean 24 hours. Required for 每周 and 加班; for 请假 both empty means the
  whole day, both filled means only that span; empty for 取消 and 每周 无.
- 备注: free text (at most 200 characters), kept on 请假/加班 rows; ignored on 每周 rows.

Import (`import_roster`) checks every row first and reports every problem with its
spreadsheet row number (header = row 1); if there is any, nothing changes. Otherwise, in
the caller's transaction:

- every worker with at least one 每周 row gets exactly the file's weekly shifts (workers
  with no 每周 row keep theirs, so a leave-only sheet is safe);
- every (worker, date) in the file gets exactly the file's 请假/加班 rows for that date,
  replacing what was there (取消 leaves none); other dates are untouched.

Export (`export_roster`) writes, for every active worker, their weekly shifts (or 每周 无)
and their leave and extra rows from today on, so exporting and importing back changes
nothing. Files saved by Excel as plain "CSV" on Chinese Windows (GB18030) are read too.
"""

from __future__ import annotations

import csv
import enum
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import WEEKDAY_CHARS
from county.models import OverrideKind, Shift, ShiftOverride, Worker
from county.roster import WEEKDAY_NAMES

HEADER = ("工号或手机", "姓名", "类型", "星期或日期", "开始", "结束", "备注")
NO_WEEKLY_SHIFTS = "无"
NOTE_LIMIT = 200  # ShiftOverride.note
BOM = "\ufeff"


class RowKind(enum.StrEnum):
    WEEKLY = "每周"
    LEAVE = "请假"
    EXTRA = "加班"
    CANCEL = "取消"


KIND_WORDS = {
    "每周": RowKind.WEEKLY,
    "请假": RowKind.LEAVE,
    "休假": RowKind.LEAVE,
    "加班": RowKind.EXTRA,
    "换班": RowKind.EXTRA,
    "补班": RowKind.EXTRA,
    "取消": RowKind.CANCEL,
    "撤销": RowKind.CANCEL,
}
OVERRIDE_KINDS = {RowKind.LEAVE: OverrideKind.LEAVE, RowKind.EXTRA: OverrideKind.EXTRA}
ROW_KINDS: dict[str, RowKind] = {str(value): key for key, value in OVERRIDE_KINDS.items()}
_DAY_CHARS = {c: n for n, c in enumerate(WEEKDAY_CHARS)} | {"天": 6}
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:\s+0{1,2}:00(?::00)?)?")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE]\+?\d+")


class Problem(enum.StrEnum):
    """What is wrong with a row; the Chinese wording is in handlers.texts.ROSTER_PROBLEMS.

    The domain names the problem and its facts (cell values, other row numbers; a tuple
    for a list of names or phones, None for a missing phone); the CLI words it.
    """

    NOT_READABLE = "not_readable"
    EMPTY_FILE = "empty_file"
    BAD_HEADER = "bad_header"
    EXTRA_CELLS = "extra_cells"
    NO_WORKER = "no_worker"
    PHONE_SCIENTIFIC = "phone_scientific"
    UNKNOWN_PHONE = "unknown_phone"
    SHARED_PHONE = "shared_phone"
    NAME_MISMATCH = "name_mismatch"
    UNKNOWN_NAME = "unknown_name"
    AMBIGUOUS_NAME = "ambiguous_name"
    BAD_KIND = "bad_kind"
    MISSING_DAY = "missing_day"
    WEEKDAY_EXPECTED = "weekday_expected"
    DATE_EXPECTED = "date_expected"
    BAD_DATE = "bad_date"
    BAD_START = "bad_start"
    BAD_END = "bad_end"
    TIMES_REQUIRED = "times_required"
    HALF_TIMES = "half_times"
    TIMES_NOT_ALLOWED = "times_not_allowed"
    NOTE_TOO_LONG = "note_too_long"
    DUPLICATE = "duplicate"
    NONE_WITH_SHIFTS = "none_with_shifts"
    CANCEL_CONFLICT = "cancel_conflict"


@dataclass(frozen=True)
class RosterError:
    row: int | None  # spreadsheet row, header = 1; None for the file as a whole
    problem: Problem
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Row:
    row: int
    worker: Worker
    kind: RowKind
    weekday: int | None  # 每周; None with kind WEEKLY means 无
    day: date | None  # 请假 / 加班 / 取消
    starts: time | None
    ends: time | None
    note: str | None


@dataclass
class ImportResult:
    errors: list[RosterError]
    rows: int = 0
    workers_with_new_shifts: int = 0
    days_changed: int = 0
    dates: set[date] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ExportResult:
    data: bytes
    workers: int
    weekly: int
    dated: int
    # Workers with no phone whose name is shared: the file cannot tell them apart.
    unidentifiable: list[str]


# populate_existing: workers already in the caller's session get their shifts and
# overrides re-read, so comparisons are made against the database, not a stale copy.
_EVERYONE = select(Worker).order_by(Worker.id).execution_options(populate_existing=True)


# ---------------------------------------------------------------- cells


# Columns whose text is a code (phone, kind, weekday or date, times): NFKC folds the
# full-width digits, colons and spaces a Chinese input method types. Names and notes are
# people's words and are kept as written.
_CODE_COLUMNS = frozenset({0, 2, 3, 4, 5})


def _clean(column: int, cell: str) -> str:
    if column in _CODE_COLUMNS:
        cell = unicodedata.normalize("NFKC", cell)
    return cell.strip()


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw))
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    return phone


def _parse_weekday(value: str) -> int | None:
    match = _WEEKDAY.fullmatch(value)
    return _DAY_CHARS[match.group(1)] if match else None


def _parse_date(value: str) -> date | None:
    match = _DATE.fullmatch(value)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _parse_time(value: str, *, is_end: bool) -> time | None:
    match = _TIME.fullmatch(value)
    if not match:
        return None
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if second != 0 or minute > 59:
        return None
    if hour == 24 and minute == 0 and is_end:
        return time(0, 0)  # midnight at the end of the day: "runs to midnight"
    return time(hour, minute) if hour < 24 else None


def format_time(value: time, *, is_end: bool) -> str:
    return "24:00" if is_end and value == time(0, 0) else f"{value:%H:%M}"


# ---------------------------------------------------------------- reading


def _decode(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class _Workers:
    """Everyone, indexed by phone and name, loaded once per import."""

    def __init__(self, workers: Sequence[Worker]) -> None:
        self.by_phone: dict[str, list[Worker]] = {}
        self.by_name: dict[str, list[Worker]] = {}
        for worker in workers:
            if worker.phone:
                self.by_phone.setdefault(normalise_phone(worker.phone), []).append(worker)
            self.by_name.setdefault(worker.name, []).append(worker)

    def find(self, row: int, phone_cell: str, name: str) -> Worker | RosterError:
        if phone_cell:
            if _SCIENTIFIC.fullmatch(phone_cell):
                return RosterError(row, Problem.PHONE_SCIENTIFIC, {"value": phone_cell})
            found = self.by_phone.get(normalise_phone(phone_cell), [])
            if not found:
                return RosterError(row, Problem.UNKNOWN_PHONE, {"phone": phone_cell})
            if len(found) > 1:
                names = tuple(w.name for w in found)
                return RosterError(row, Problem.SHARED_PHONE, {"phone": phone_cell, "names": names})
            if name and found[0].name != name:
                params = {"phone": phone_cell, "registered": found[0].name, "name": name}
                return RosterError(row, Problem.NAME_MISMATCH, params)
            return found[0]
        if not name:
            return RosterError(row, Problem.NO_WORKER)
        found = self.by_name.get(name, [])
        if not found:
            return RosterError(row, Problem.UNKNOWN_NAME, {"name": name})
        if len(found) > 1:
            phones = tuple(w.phone for w in found)  # None: no phone on record
            return RosterError(row, Problem.AMBIGUOUS_NAME, {"name": name, "phones": phones})
        return found[0]


def _parse_row(number: int, cells: list[str], workers: _Workers) -> _Row | list[RosterError]:
    errors: list[RosterError] = []
    phone, name, kind_word, day_cell, start_cell, end_cell, note = (cells + [""] * 7)[:7]
    extra = [c for c in cells[7:] if c]
    if extra:
        errors.append(RosterError(number, Problem.EXTRA_CELLS, {"value": extra[0]}))

    worker = workers.find(number, phone, name)
    if isinstance(worker, RosterError):
        errors.append(worker)

    kind = KIND_WORDS.get(kind_word)
    if kind is None:
        errors.append(RosterError(number, Problem.BAD_KIND, {"value": kind_word}))

    weekday: int | None = None
    day: date | None = None
    if not day_cell:
        errors.append(RosterError(number, Problem.MISSING_DAY))
    elif kind == RowKind.WEEKLY:
        weekday = _parse_weekday(day_cell)
        if weekday is None and day_cell != NO_WEEKLY_SHIFTS:
            errors.append(RosterError(number, Problem.WEEKDAY_EXPECTED, {"value": day_cell}))
    elif kind is not None:
        day = _parse_date(day_cell)
        if day is None:
            problem = Problem.DATE_EXPECTED if _parse_weekday(day_cell) else Problem.BAD_DATE
            errors.append(RosterError(number, problem, {"value": day_cell, "kind": kind}))

    starts = ends = None
    for problem, cell, is_end in (
        (Problem.BAD_START, start_cell, False),
        (Problem.BAD_END, end_cell, True),
    ):
        if not cell:
            continue
        parsed = _parse_time(cell, is_end=is_end)
        if parsed is None:
            errors.append(RosterError(number, problem, {"value": cell}))
        elif is_end:
            ends = parsed
        else:
            starts = parsed
    no_weekly = kind == RowKind.WEEKLY and day_cell == NO_WEEKLY_SHIFTS
    has_times = bool(start_cell or end_cell)
    if kind == RowKind.CANCEL or no_weekly:
        if has_times:
            label = f"{kind} {NO_WEEKLY_SHIFTS}" if no_weekly else str(kind)
            errors.append(RosterError(number, Problem.TIMES_NOT_ALLOWED, {"kind": label}))
    elif kind in (RowKind.WEEKLY, RowKind.EXTRA):
        if not (start_cell and end_cell):
            errors.append(RosterError(number, Problem.TIMES_REQUIRED, {"kind": kind}))
    elif kind == RowKind.LEAVE and bool(start_cell) != bool(end_cell):
        errors.append(RosterError(number, Problem.HALF_TIMES))

    if len(note) > NOTE_LIMIT:
        errors.append(RosterError(number, Problem.NOTE_TOO_LONG, {"limit": NOTE_LIMIT}))

    if errors or isinstance(worker, RosterError) or kind is None:
        return errors
    return _Row(number, worker, kind, weekday, day, starts, ends, note or None)


def _cross_check(rows: list[_Row]) -> list[RosterError]:
    """Duplicates and contradictions between rows of the same worker."""
    errors: list[RosterError] = []
    seen: dict[tuple[Any, ...], int] = {}
    no_weekly: dict[int, int] = {}  # worker id → the 无 row
    weekly: dict[int, int] = {}  # worker id → first real weekly row
    cancel: dict[tuple[int, date], int] = {}
    dated: dict[tuple[int, date], int] = {}
    for row in rows:
        wid = row.worker.id
        key = (wid, row.kind, row.weekday, row.day, row.starts, row.ends)
        if key in seen:
            errors.append(RosterError(row.row, Problem.DUPLICATE, {"other": seen[key]}))
            continue
        seen[key] = row.row
        if row.kind == RowKind.WEEKLY:
            (no_weekly if row.weekday is None else weekly).setdefault(wid, row.row)
        elif row.day is not None:
            (cancel if row.kind == RowKind.CANCEL else dated).setdefault((wid, row.day), row.row)
    # Reported on the later of the two rows, naming both.
    for wid, none_row in no_weekly.items():
        if wid in weekly:
            both = {"none_row": none_row, "shift_row": weekly[wid]}
            errors.append(RosterError(max(both.values()), Problem.NONE_WITH_SHIFTS, both))
    for (wid, day), cancel_row in cancel.items():
        if (wid, day) in dated:
            both = {"cancel_row": cancel_row, "other_row": dated[(wid, day)]}
            params = {**both, "day": day.isoformat()}
            errors.append(RosterError(max(both.values()), Problem.CANCEL_CONFLICT, params))
    return errors


def _read(text: str, workers: _Workers) -> tuple[list[_Row], list[RosterError]]:
    records = [
        [_clean(column, cell) for column, cell in enumerate(record)]
        for record in csv.reader(io.StringIO(text))
    ]
    if not records or not any(any(r) for r in records):
        return [], [RosterError(None, Problem.EMPTY_FILE)]
    header = records[0]
    if header and header[0].startswith(BOM):
        header[0] = header[0].removeprefix(BOM)
    while header and not header[-1]:
        header.pop()
    if tuple(header) != HEADER:
        return [], [RosterError(1, Problem.BAD_HEADER, {"header": ",".join(HEADER)})]
    rows: list[_Row] = []
    errors: list[RosterError] = []
    for number, cells in enumerate(records[1:], start=2):
        if not any(cells):
            continue  # a blank line left between blocks of the sheet
        parsed = _parse_row(number, cells, workers)
        if isinstance(parsed, list):
            errors.extend(parsed)
        else:
            rows.append(parsed)
    errors.extend(_cross_check(rows))
    errors.sort(key=lambda e: e.row or 0)
    return rows, errors


# ---------------------------------------------------------------- import


def _shift_key(row: _Row) -> tuple[int, time, time]:
    # Parsing guarantees a weekday and both times on a weekly row other than 无.
    assert row.weekday is not None and row.starts is not None and row.ends is not None
    return (row.weekday, row.starts, row.ends)


def _override_key(o: ShiftOverride) -> tuple[str, Any, Any, str]:
    # Sorting needs comparable values: whole-day leave has no times.
    return (o.kind, o.starts or time.min, o.ends or time.min, o.note or "")


async def import_roster(
    session: AsyncSession, data: bytes, *, dry_run: bool = False
) -> ImportResult:
    """Check the file and, if every row is right and not `dry_run`, apply it.

    Changes are made in `session`; the caller commits (or rolls back). With errors, or
    with `dry_run`, nothing in the session is touched.
    """
    text = _decode(data)
    if text is None:
        return ImportResult([RosterError(None, Problem.NOT_READABLE)])
    everyone = (await session.scalars(_EVERYONE)).all()
    rows, errors = _read(text, _Workers(everyone))
    if errors:
        return ImportResult(errors)

    weekly: dict[int, list[_Row]] = {}
    dated: dict[tuple[int, date], list[_Row]] = {}
    workers: dict[int, Worker] = {}
    for row in rows:
        workers[row.worker.id] = row.worker
        if row.kind == RowKind.WEEKLY:
            weekly.setdefault(row.worker.id, [])
            if row.weekday is not None:
                weekly[row.worker.id].append(row)
        else:
            assert row.day is not None
            entries = dated.setdefault((row.worker.id, row.day), [])
            if row.kind != RowKind.CANCEL:
                entries.append(row)

    result = ImportResult([], rows=len(rows), dates={day for _, day in dated})
    for wid, wanted in weekly.items():
        worker = workers[wid]
        new = sorted(_shift_key(r) for r in wanted)
        old = sorted((s.weekday, s.starts, s.ends) for s in worker.shifts)
        if new == old:
            continue
        result.workers_with_new_shifts += 1
        if not dry_run:
            worker.shifts = [Shift(weekday=d, starts=s, ends=e) for d, s, e in new]

    for (wid, day), wanted in dated.items():
        worker = workers[wid]
        existing = [o for o in worker.overrides if o.day == day]
        replacements = [
            ShiftOverride(
                day=day, kind=OVERRIDE_KINDS[r.kind], starts=r.starts, ends=r.ends, note=r.note
            )
            for r in wanted
        ]
        if sorted(map(_override_key, existing)) == sorted(map(_override_key, replacements)):
            continue
        result.days_changed += 1
        if not dry_run:
            for override in existing:
                worker.overrides.remove(override)  # delete-orphan removes the row
            worker.overrides.extend(replacements)
    if not dry_run:
        await session.flush()
    return result


# ---------------------------------------------------------------- export


async def export_roster(session: AsyncSession, today: date) -> ExportResult:
    """Every active worker's weekly shifts and their leave/extra rows from `today` on."""
    everyone = (await session.scalars(_EVERYONE)).all()
    name_counts: dict[str, int] = {}
    for worker in everyone:
        name_counts[worker.name] = name_counts.get(worker.name, 0) + 1
    lines: list[list[str]] = [list(HEADER)]
    weekly_count = dated_count = 0
    exported: list[Worker] = [w for w in everyone if w.active]
    for worker in exported:
        who = [worker.phone or "", worker.name]
        shifts = sorted(worker.shifts, key=lambda s: (s.weekday, s.starts, s.ends))
        if not shifts:
            lines.append([*who, RowKind.WEEKLY, NO_WEEKLY_SHIFTS, "", "", ""])
        for shift in shifts:
            lines.append(
                [*who, RowKind.WEEKLY, WEEKDAY_NAMES[shift.weekday],
                 format_time(shift.starts, is_end=False), format_time(shift.ends, is_end=True),
                 ""]
            )  # fmt: skip
            weekly_count += 1
        upcoming = sorted(
            (o for o in worker.overrides if o.day >= today),
            # Within a day, leave before extra: how a person reads a swap.
            key=lambda o: (o.day, o.kind != OverrideKind.LEAVE, *_override_key(o)),
        )
        for override in upcoming:
            kind = ROW_KINDS.get(override.kind)
            if kind is None:
                continue  # a kind newer than this format; leave it out rather than garble it
            starts, ends = override.starts, override.ends
            lines.append(
                [*who, kind, override.day.isoformat(),
                 "" if starts is None else format_time(starts, is_end=False),
                 "" if ends is None else format_time(ends, is_end=True),
                 override.note or ""]
            )  # fmt: skip
            dated_count += 1
    buffer = io.StringIO()
    # CRLF and a BOM: what Excel and WPS expect of a UTF-8 CSV on Windows.
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)
    unidentifiable = sorted({w.name for w in exported if not w.phone and name_counts[w.name] > 1})
    return ExportResult(
        data=(BOM + buffer.getvalue()).encode("utf-8"),
        workers=len(exported),
        weekly=weekly_count,
        dated=dated_count,
        unidentifiable=unidentifiable,
    )
