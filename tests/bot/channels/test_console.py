"""`gridline chat`: the console adapter, driven with scripted lines."""

from __future__ import annotations

import io
from collections.abc import Iterator

from sqlalchemy import select

from bot.channels.console import ConsoleChat
from bot.runtime.container import Gridline
from county.models import Worker
from county.workers import link_account
from handlers import texts
from tests.factories import demo_county


def console(gridline: Gridline, user: str, name: str, out: io.StringIO,
            lines: Iterator[str]) -> ConsoleChat:  # fmt: skip
    return ConsoleChat(
        gridline.conversation, gridline.dispatcher, user, name,
        downloads=gridline.settings.data_dir / "downloads", out=out, read_line=lambda: next(lines),
    )  # fmt: skip


def script(*lines: str) -> Iterator[str]:
    yield from (line + "\n" for line in lines)
    while True:
        yield ""  # end of input, like Ctrl-D


async def test_resident_binds_with_numbers_and_reports(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        await demo_county(session, gridline.clock.now())
    out = io.StringIO()
    lines = script("/start", "2", "1", "小区门口井盖没了，晚上很危险", "/status")
    chat = console(gridline, "resident-test", "测试居民", out, lines)
    await chat.run("居民")
    shown = out.getvalue()
    assert "[1] 东风社区  [2] 幸福社区  [3] 向阳村" in shown
    assert "已绑定到「城关镇幸福社区第一网格」" in shown
    assert "已受理，工单号：GL-20261127-0001" in shown
    assert "GL-20261127-0001｜安全隐患｜排队等待网格员" in shown


async def test_worker_on_console_gets_queued_card_and_claims(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        await demo_county(session, gridline.clock.now())
    resident_out = io.StringIO()
    lines = script("/start", "2", "1", "楼道里电线垂下来了，在打火花")
    await console(gridline, "resident-test", "测试居民", resident_out, lines).run("居民")
    async with gridline.sessions() as session:
        wang = (await session.scalars(select(Worker).where(Worker.name == "王芳"))).one()
        link_account(wang, channel="console", external_id="worker-1", chat_id="worker-1")
        await session.commit()
    worker_out = io.StringIO()
    lines = script("/onduty", "1", "/status")
    await console(gridline, "worker-1", "王芳", worker_out, lines).run("网格员")
    shown = worker_out.getvalue()
    assert "【新工单】GL-20261127-0001" in shown
    assert "（接单成功）" in shown
    # A terminal cannot change what it printed: the edited card is printed again.
    assert f"{texts.CONSOLE_EDITED} 【新工单】GL-20261127-0001" in shown
    assert texts.CARD_STATE_CLAIMED_YOU in shown
    assert "网格员已接单，处理中" in shown
    # The resident's notice is on the same channel but not this terminal's to show.
    assert "会尽快联系您" not in shown
