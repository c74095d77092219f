"""The roster spreadsheet: round trip, row-numbered errors, dry run, the CLI."""

import argparse
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import roster as roster_cli
from bot.runtime.container import Gridline
from core.clock import LOCAL_TZ, FixedClock
from county.models import GridPosition, OverrideKind, Shift, ShiftOverride, Worker, WorkerRole
from county.roster import is_on_duty
from county.roster_csv import HEADER, Problem, export_roster, import_roster
from tests import factories
from tests.conftest import FRIDAY_10AM

TODAY = FRIDAY_10AM.date()
LEAVE, EXTRA = OverrideKind.LEAVE, OverrideKind.EXTRA
HEAD = ",".join(HEADER)


def csv_bytes(*lines: str) -> bytes:
    return ("\ufeff" + "\r\n".join([HEAD, *lines]) + "\r\n").encode("utf-8")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)


async def small_county(gridline: Gridline) -> dict[str, int]:
    """王芳 and 李强 on Mon–Fri day shifts, 周婷 with no weekly shifts, some dated rows."""
    async with gridline.sessions() as session:
        grid = await factories.place(session)
        wang = await factories.worker(session, "王芳", FRIDAY_10AM, grid=grid)
        li = await factories.worker(
            session, "李强", FRIDAY_10AM, grid=grid, position=GridPosition.BACKUP
        )
        zhou = await factories.worker(
            session,
            "周婷",
            FRIDAY_10AM,
            role=WorkerRole.COMMUNITY_OFFICER,
            community_id=grid.community_id,
            shifts=[],
        )
        wang.phone, li.phone, zhou.phone = "13971000001", "139-7100-0002", "13971000006"
        session.add_all(
            [
                ShiftOverride(worker_id=wang.id, day=date(2026, 11, 20), kind=LEAVE, note="过去的"),
                ShiftOverride(
                    worker_id=wang.id,
                    day=date(2026, 12, 1),
                    kind=LEAVE,
                    starts=time(14),
                    ends=time(17, 30),
                    note="看病",
                ),
                ShiftOverride(worker_id=wang.id, day=date(2026, 12, 2), kind=LEAVE, note="事假"),
                ShiftOverride(
                    worker_id=li.id,
                    day=date(2026, 12, 5),
                    kind=EXTRA,
                    starts=time(20),
                    ends=time(0),
                    note="周六晚值班",
                ),
                ShiftOverride(
                    worker_id=zhou.id,
                    day=date(2027, 1, 1),
                    kind=EXTRA,
                    starts=time(9),
                    ends=time(9),
                    note="元旦24小时值班",
                ),
            ]
        )
        await session.commit()
        return {"王芳": wang.id, "李强": li.id, "周婷": zhou.id}


async def snapshot(gridline: Gridline) -> tuple[list[tuple[object, ...]], ...]:
    """Every shift and override row, ids included: a no-op must not even renumber."""
    shift_columns = (Shift.id, Shift.worker_id, Shift.weekday, Shift.starts, Shift.ends)
    override_columns = (
        ShiftOverride.id,
        ShiftOverride.worker_id,
        ShiftOverride.day,
        ShiftOverride.kind,
        ShiftOverride.starts,
        ShiftOverride.ends,
        ShiftOverride.note,
    )
    async with gridline.sessions() as session:
        shifts = (await session.execute(select(*shift_columns).order_by(Shift.id))).all()
        query = select(*override_columns).order_by(ShiftOverride.id)
        overrides = (await session.execute(query)).all()
    return [tuple(r) for r in shifts], [tuple(r) for r in overrides]


async def test_export_writes_the_spreadsheet_format(gridline: Gridline) -> None:
    await small_county(gridline)
    async with gridline.sessions() as session:
        exported = await export_roster(session, TODAY)
    assert exported.data.startswith(b"\xef\xbb\xbf")
    lines = exported.data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == HEAD
    assert "13971000001,王芳,每周,周一,08:30,17:30," in lines
    assert "13971000001,王芳,请假,2026-12-01,14:00,17:30,看病" in lines
    assert "13971000001,王芳,请假,2026-12-02,,,事假" in lines
    assert "139-7100-0002,李强,加班,2026-12-05,20:00,24:00,周六晚值班" in lines
    assert "13971000006,周婷,每周,无,,," in lines
    assert "13971000006,周婷,加班,2027-01-01,09:00,09:00,元旦24小时值班" in lines
    assert not any("2026-11-20" in line for line in lines)  # the past stays out
    assert (exported.workers, exported.weekly, exported.dated) == (3, 10, 4)
    assert exported.unidentifiable == []


async def test_export_then_import_changes_nothing(gridline: Gridline) -> None:
    await small_county(gridline)
    before = await snapshot(gridline)
    async with gridline.sessions() as session:
        exported = await export_roster(session, TODAY)
    async with gridline.sessions() as session:
        result = await import_roster(session, exported.data)
        await session.commit()
    assert result.ok, result.errors
    assert result.rows == 15
    assert (result.workers_with_new_shifts, result.days_changed) == (0, 0)
    assert await snapshot(gridline) == before
    async with gridline.sessions() as session:
        again = await export_roster(session, TODAY)
    assert again.data == exported.data


CHANGES = (
    "13971000001,王芳,每周,周一,08:30,17:30,",
    "13971000001,王芳,每周,周三,8:30,17:30,",
    "１３９７１０００００１,王芳,每周,星期六,09:00,12:00:00,周六上午",
    "13971000001,王芳,请假,2026-12-01,,,年假",
    ",王芳,取消,2026-12-02,,,",
    "+86 139 7100 0002,李强,换班,2026/12/5,20:00,8:00,夜班",
    "13971000006,,加班,2027年1月1日,09:00,09:00,元旦24小时值班",
)


async def test_import_replaces_weekly_shifts_and_the_listed_days_only(gridline: Gridline) -> None:
    ids = await small_county(gridline)
    async with gridline.sessions() as session:
        result = await import_roster(session, csv_bytes(*CHANGES))
        await session.commit()
    assert result.ok, result.errors
    # 王芳's shifts; 王芳 on 12-01 and 12-02; 李强 on 12-05. 周婷's row is already so.
    assert (result.workers_with_new_shifts, result.days_changed) == (1, 3)
    async with gridline.sessions() as session:
        people = {w.id: w for w in (await session.scalars(select(Worker))).all()}
        wang, li, zhou = people[ids["王芳"]], people[ids["李强"]], people[ids["周婷"]]
        assert sorted((s.weekday, s.starts, s.ends) for s in wang.shifts) == [
            (0, time(8, 30), time(17, 30)),
            (2, time(8, 30), time(17, 30)),
            (5, time(9), time(12)),
        ]
        assert len(li.shifts) == 5  # no 每周 row for 李强: his week is untouched
        assert sorted((o.day, o.kind, o.starts, o.note) for o in wang.overrides) == [
            (date(2026, 11, 20), LEAVE, None, "过去的"),
            (date(2026, 12, 1), LEAVE, None, "年假"),
        ]
        assert [(o.kind, o.starts, o.ends) for o in li.overrides] == [(EXTRA, time(20), time(8))]
        assert not is_on_duty(wang, at(date(2026, 12, 1), 10))
        assert is_on_duty(wang, at(date(2026, 12, 5), 10))  # the new Saturday morning
        assert not is_on_duty(wang, at(date(2026, 12, 4), 10))  # Friday is gone
        assert is_on_duty(li, at(date(2026, 12, 6), 7))  # the night runs into Sunday
        assert is_on_duty(zhou, at(date(2027, 1, 2), 8, 59))


async def test_dry_run_reports_but_changes_nothing(gridline: Gridline) -> None:
    await small_county(gridline)
    before = await snapshot(gridline)
    async with gridline.sessions() as session:
        result = await import_roster(session, csv_bytes(*CHANGES), dry_run=True)
        assert not session.new and not session.dirty and not session.deleted
        await session.commit()
    assert result.ok
    assert (result.workers_with_new_shifts, result.days_changed) == (1, 3)
    assert await snapshot(gridline) == before


async def test_every_error_is_reported_with_its_row_and_nothing_changes(
    gridline: Gridline,
) -> None:
    await small_county(gridline)
    before = await snapshot(gridline)
    data = csv_bytes(
        "13971000001,王芳,每周,周一,08:30,17:30,",  # 2: fine
        "13971000001,王芳,每周,周二,25:00,17:30,",  # 3
        "13900000000,,请假,2026-12-01,,,",  # 4
        "13971000001,李强,请假,2026-12-01,,,",  # 5
        ",王芳,休息,2026-12-01,,,",  # 6
        ",王芳,请假,2026-13-01,,,",  # 7
        ",王芳,加班,2026-12-01,18:00,,",  # 8
        ",,,,,,",  # 9: blank, skipped but counted
        ",王芳,每周,周一,08:30,17:30,",  # 10
        "1.3971E+10,,请假,2026-12-01,,,",  # 11
        ",无名氏,请假,2026-12-01,,,",  # 12
        ",王芳,请假,周二,,,",  # 13
        ",王芳,每周,2026-12-01,08:00,12:00,",  # 14
        ",王芳,请假,2026-12-03,09:00,,",  # 15
        ",王芳,取消,2026-12-04,,,",  # 16
        ",王芳,请假,2026-12-04,09:00,10:00,",  # 17
        ",王芳,每周,周五,08:30,24:00,太长" + "很" * 200,  # 18
        ",王芳,每周,周五,24:00,08:00,,多余",  # 19
        ",王芳,取消,2026-12-05,09:00,,",  # 20
        "13971000006,周婷,每周,无,09:00,17:00,",  # 21
        "13971000006,周婷,每周,周六,09:00,17:00,",  # 22
        "13971000006,周婷,每周,无,,,",  # 23
        ",,请假,2026-12-01,,,",  # 24
    )
    async with gridline.sessions() as session:
        result = await import_roster(session, data)
        await session.commit()
    assert not result.ok
    assert [roster_cli.render_error(e) for e in result.errors] == [
        "第3行：开始时间「25:00」不是有效时间（HH:MM）",
        "第4行：找不到手机号为「13900000000」的工作人员",
        "第5行：手机号「13971000001」登记的是「王芳」，不是「李强」",
        "第6行：类型「休息」无法识别，应为 每周、请假、加班 或 取消",
        "第7行：日期「2026-13-01」不是有效日期（如 2026-12-01）",
        "第8行：加班必须填写开始和结束时间",
        "第10行：与第2行重复",
        "第11行：手机号「1.3971E+10」被表格软件改成了科学计数法，请把这一列设为「文本」格式后重新填写",
        "第12行：找不到名为「无名氏」的工作人员",
        "第13行：请假应填具体日期（如 2026-12-01），不是「周二」",
        "第14行：每周班次的「星期或日期」应填 周一 至 周日（没有每周班次填「无」），"
        "不是「2026-12-01」；某一天的变动请用 请假 或 加班",
        "第15行：请假要么开始、结束时间都填（只请这一段），要么都不填（请全天）",
        "第17行：2026-12-04 同一人既有「取消」（第16行）又有请假/加班（第17行），请只保留一种",
        "第18行：备注不能超过 200 个字",
        "第19行：只有 7 列，多出了内容「多余」",
        "第19行：开始时间「24:00」不是有效时间（HH:MM）",
        "第20行：「取消」行不用填写开始和结束时间",
        "第21行：「每周 无」行不用填写开始和结束时间",
        "第23行：同一人既有「每周 无」（第23行）又有每周班次（第22行），请只保留一种",
        "第24行：请填写工号或手机，或者姓名",
    ]
    assert await snapshot(gridline) == before


async def test_header_encoding_and_ambiguous_names(gridline: Gridline) -> None:
    await small_county(gridline)
    async with gridline.sessions() as session:
        for _ in range(2):
            await factories.worker(session, "张伟", FRIDAY_10AM)
        await session.commit()
    async with gridline.sessions() as session:
        wrong_header = await import_roster(session, "姓名,类型\n王芳,每周\n".encode())
        assert [(e.row, e.problem) for e in wrong_header.errors] == [(1, Problem.BAD_HEADER)]
        empty = await import_roster(session, b"")
        assert [(e.row, e.problem) for e in empty.errors] == [(None, Problem.EMPTY_FILE)]
        # Excel's plain "CSV" on Chinese Windows is GB18030 without a BOM.
        gbk = f"{HEAD}\n,王芳,请假,2026-12-09,,,年假\n".encode("gb18030")
        assert (await import_roster(session, gbk, dry_run=True)).days_changed == 1
        ambiguous = await import_roster(session, csv_bytes(",张伟,请假,2026-12-01,,,"))
        assert [roster_cli.render_error(e) for e in ambiguous.errors] == [
            "第2行：有多名叫「张伟」的工作人员，请填写手机号区分：未登记、未登记"
        ]
        exported = await export_roster(session, TODAY)
        assert exported.unidentifiable == ["张伟"]


def cli(*argv: str) -> argparse.Namespace:
    root = argparse.ArgumentParser(prog="gridline")
    roster_cli.add_parsers(root.add_subparsers(dest="command", required=True))
    return root.parse_args(argv)


async def run(gridline: Gridline, *argv: str) -> int:
    args = cli(*argv)
    handler = roster_cli.HANDLERS[(args.command, args.action)]
    return await handler(gridline.settings, args, FixedClock(FRIDAY_10AM))


async def test_cli_export_edit_import(
    gridline: Gridline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = await small_county(gridline)
    sheet = tmp_path / "排班.csv"
    assert await run(gridline, "roster", "export", str(sheet)) == 0
    out, err = capsys.readouterr()
    assert out.strip() == (
        f"已导出 3 名在岗工作人员的 10 条每周班次、4 条今天起的请假/加班安排到 {sheet}"
    )
    assert "2027" in err  # the holiday data stops at 2026: the county is told

    sheet.write_bytes(sheet.read_bytes() + ",李强,请假,2026-12-07,,,年假\r\n".encode())
    assert await run(gridline, "roster", "import", str(sheet), "--dry-run") == 0
    out, _ = capsys.readouterr()
    assert out.startswith(f"试运行，未写入任何内容：{sheet}（16 行）检查通过")
    assert "1 个「人·日期」" in out

    assert await run(gridline, "roster", "import", str(sheet)) == 0
    out, _ = capsys.readouterr()
    assert "0 人的每周班次有更新，1 个「人·日期」的请假/加班安排有更新" in out
    async with gridline.sessions() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(ShiftOverride)
            .where(ShiftOverride.worker_id == ids["李强"])
        )
    assert count == 2

    sheet.write_bytes(csv_bytes(",王芳,每周,周一,08:30,31:00,"))
    assert await run(gridline, "roster", "import", str(sheet)) == 1
    _, err = capsys.readouterr()
    assert f"{sheet} 有 1 处错误，没有导入任何内容：" in err
    assert "第2行：结束时间「31:00」不是有效时间（HH:MM，到午夜可写 24:00）" in err

    assert await run(gridline, "roster", "import", str(tmp_path / "没有.csv")) == 2
    assert "找不到文件" in capsys.readouterr().err
