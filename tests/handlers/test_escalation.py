"""Escalation when nobody acknowledges, emergencies, and transfers — on a FixedClock."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.runtime.container import Gridline, build
from core.clock import LOCAL_TZ, FixedClock
from county.models import EventKind, Ticket, TicketEvent
from handlers import texts
from handlers.escalation import escalate_overdue
from tests.conftest import DATABASE_URL
from tests.factories import demo_worker
from tests.handlers.harness import Harness
from tests.handlers.test_conversation import HAZARD, LI, RESIDENT, WANG, only_ticket, setup

ZHANG = "w-zhangmin"  # 张敏, 东风社区第一网格
ZHOU = "w-zhouting"  # 周婷, 幸福社区 evening officer


async def reported(gridline: Gridline, *workers: tuple[str, str], text: str = HAZARD) -> Harness:
    chat = await setup(gridline)
    for name, user in workers:
        await chat.register_worker(name, user)
    await chat.bind_demo_grid(RESIDENT)
    await chat.say(RESIDENT, text)
    return chat


async def events(gridline: Gridline, kind: EventKind) -> list[TicketEvent]:
    async with gridline.sessions() as session:
        query = select(TicketEvent).where(TicketEvent.kind == kind).order_by(TicketEvent.id)
        return list((await session.scalars(query)).all())


async def test_unacknowledged_hazard_moves_to_the_backup(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await reported(gridline, ("王芳", WANG), ("李强", LI))
    assert (await only_ticket(gridline)).assignee.name == "王芳"  # type: ignore[union-attr]

    clock.advance(timedelta(minutes=14))
    assert (await gridline.sweeper.sweep())["escalated"] == 0
    clock.advance(timedelta(minutes=2))  # past the 15-minute hazard limit
    assert (await gridline.sweeper.sweep())["escalated"] == 1
    await chat.deliver_pending()

    ticket = await only_ticket(gridline)
    assert ticket.assignee is not None and ticket.assignee.name == "李强"
    assert ticket.escalation_level == "backup"
    assert ticket.ack_due_at == clock.now() + timedelta(minutes=15)
    assert "【升级工单】网格员王芳超时未接单" in chat.to(LI)[-1].text
    assert chat.to(LI)[-1].buttons  # a working card: 接单 / 办结
    assert chat.to(WANG)[-1].text == texts.ESCALATED_AWAY.format(
        number=ticket.number, limit="15分钟", role="网格员", name="李强"
    )
    assert "已升级" in chat.to(RESIDENT)[-1].text
    escalated = await events(gridline, EventKind.ESCALATED)
    async with gridline.sessions() as session:
        wang = await demo_worker(session, "王芳")
    assert len(escalated) == 1
    assert escalated[0].data == {"level": "backup", "from": wang.id, "from_level": "grid"}


async def test_claimed_tickets_do_not_escalate(gridline: Gridline, clock: FixedClock) -> None:
    chat = await reported(gridline, ("王芳", WANG), ("李强", LI))
    card = chat.to(WANG)[-1]
    await chat.press(WANG, card.button("接单"), card.message_id)
    clock.advance(timedelta(hours=3))
    assert (await gridline.sweeper.sweep())["escalated"] == 0
    assert (await only_ticket(gridline)).assignee.name == "王芳"  # type: ignore[union-attr]


async def test_nobody_above_reminds_the_assignee_and_rearms(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await reported(gridline, ("王芳", WANG))
    clock.advance(timedelta(minutes=16))
    assert (await gridline.sweeper.sweep())["escalated"] == 0
    await chat.deliver_pending()
    ticket = await only_ticket(gridline)
    assert chat.to(WANG)[-1].text == texts.ACK_REMINDER.format(number=ticket.number)
    assert ticket.ack_due_at == clock.now() + timedelta(minutes=15)
    await gridline.sweeper.sweep()  # not due again yet: no second reminder
    await chat.deliver_pending()
    assert [m.text for m in chat.to(WANG)].count(chat.to(WANG)[-1].text) == 1
    assert len(await events(gridline, EventKind.ESCALATION_EXHAUSTED)) == 1


async def test_timers_survive_a_restart(gridline: Gridline, clock: FixedClock) -> None:
    await reported(gridline, ("王芳", WANG), ("李强", LI))
    await gridline.engine.dispose()  # the process goes away…
    clock.advance(timedelta(minutes=20))
    restarted = await build(
        gridline.settings, clock=clock, parser=gridline.parser, kv=gridline.kv, migrate=False
    )  # …and a new one starts
    try:
        assert (await restarted.sweeper.sweep())["escalated"] == 1
    finally:
        await restarted.engine.dispose()
    assert (await only_ticket(gridline)).assignee.name == "李强"  # type: ignore[union-attr]


@pytest.mark.skipif(
    DATABASE_URL is None, reason="SKIP LOCKED is PostgreSQL's; SQLite runs one sweeper"
)
async def test_concurrent_sweepers_never_handle_a_ticket_twice(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await reported(gridline, ("王芳", WANG), ("李强", LI))
    for i in range(9):  # nine more neighbours, one report each (one resident's repeats join)
        neighbour = f"{RESIDENT}-{i}"
        await chat.bind_demo_grid(neighbour)
        await chat.say(neighbour, f"{i + 2}号楼楼道里电线垂下来了，很危险")
    clock.advance(timedelta(minutes=20))

    async def one_sweeper() -> int:
        async with gridline.sessions() as session:
            moved = await escalate_overdue(session, clock.now())
            await session.commit()
            return moved

    results = await asyncio.gather(*(one_sweeper() for _ in range(4)))
    async with gridline.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(Ticket))
    assert sum(results) == total == 10
    escalated = await events(gridline, EventKind.ESCALATED)
    assert len({e.ticket_id for e in escalated}) == len(escalated) == 10


async def test_emergency_alerts_every_on_duty_worker_of_the_community(
    gridline: Gridline,
) -> None:
    chat = await reported(gridline, ("王芳", WANG), ("李强", LI), ("张敏", ZHANG),
                          text="3栋楼道里着火了，好大的烟，快来人")  # fmt: skip
    ticket = await only_ticket(gridline)
    assert ticket.emergency and ticket.priority == "red"
    told = [m.text for m in chat.to(RESIDENT)]
    call = next(i for i, t in enumerate(told) if t.startswith("🚨 情况紧急，请立即拨打 119"))
    notice = next(i for i, t in enumerate(told) if "已生成紧急工单" in t)
    assert call < notice and "网格员王芳、网格员李强" in told[notice]
    for user in (WANG, LI):  # both on duty in 幸福社区
        assert chat.to(user)[-1].text.startswith("🚨【紧急】")
    assert not any("【紧急】" in m.text for m in chat.to(ZHANG))  # another community
    alert = (await events(gridline, EventKind.EMERGENCY_ALERT))[0]
    assert alert.data is not None and alert.data["kind"] == "fire"
    assert len(alert.data["alerted"]) == 2


async def test_transfer_to_another_grid_with_reason(gridline: Gridline) -> None:
    chat = await reported(gridline, ("王芳", WANG), ("张敏", ZHANG))
    ticket = await only_ticket(gridline)
    sent = await chat.say(WANG, f"/transfer {ticket.number} CG-DF-01 地址在东风社区")
    ticket = await only_ticket(gridline)
    assert ticket.grid.code == "CG-DF-01" and ticket.assignee is not None
    assert ticket.assignee.name == "张敏"
    assert any("【转派工单】" in m.text and "地址在东风社区" in m.text
               for m in sent if m.chat_id == ZHANG)  # fmt: skip
    assert any("已转交" in m.text for m in sent if m.chat_id == RESIDENT)
    moved = (await events(gridline, EventKind.TRANSFERRED))[0]
    assert moved.data is not None and moved.data["reason"] == "地址在东风社区"
    assert (await chat.say(WANG, "/transfer"))[-1].text == texts.TRANSFER_USAGE
    same = await chat.say(WANG, f"/transfer {ticket.number} CG-DF-01 再转一次")
    assert same[-1].text == texts.TICKET_NOT_YOURS  # no longer in 王芳's chain


async def test_resolution_target_breach_is_flagged_once(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await reported(gridline, ("王芳", WANG))
    card = chat.to(WANG)[-1]
    await chat.press(WANG, card.button("接单"), card.message_id)
    ticket = await only_ticket(gridline)
    assert ticket.priority == "yellow"
    clock.advance(timedelta(hours=23))
    assert (await gridline.sweeper.sweep())["overdue"] == 0
    # Past the 24-hour target for yellow — on Saturday, with nobody of the chain on duty:
    # the notice waits for Monday's shift rather than buzzing a phone at the weekend.
    clock.advance(timedelta(hours=2))
    assert (await gridline.sweeper.sweep())["overdue"] == 0
    clock.set(datetime(2026, 11, 30, 8, 29, tzinfo=LOCAL_TZ))
    assert (await gridline.sweeper.sweep())["overdue"] == 0
    clock.set(datetime(2026, 11, 30, 8, 30, tzinfo=LOCAL_TZ))
    assert (await gridline.sweeper.sweep())["overdue"] == 1
    assert (await gridline.sweeper.sweep())["overdue"] == 0
    await chat.deliver_pending()
    assert chat.to(WANG)[-1].text == texts.RESOLUTION_OVERDUE.format(
        number=ticket.number, priority="黄色·较急", hours=24
    )
    assert len(await events(gridline, EventKind.RESOLUTION_OVERDUE)) == 1
