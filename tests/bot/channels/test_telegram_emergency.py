"""Emergencies through the real Telegram stack: the number to call comes first, whatever
state the conversation is in, and the resident is told exactly who was alerted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.runtime.container import Gridline
from core.clock import FixedClock
from county.models import EventKind, Ticket, TicketEvent
from handlers import texts
from tests.bot.conftest import RESIDENT, LiveBot, bind_resident, register

WANG, LI, ZHOU = 7001, 7002, 7006
FIRE = "隔壁楼着火了，有人受伤"


async def all_tickets(gridline: Gridline) -> list[Ticket]:
    async with gridline.sessions() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def test_on_duty_the_number_comes_first_then_who_was_alerted(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await register(gridline, tg, "李强", LI)
    await bind_resident(tg)
    tg.push_text(RESIDENT, "3栋2单元闻到好大的煤气味，有人头晕")
    first = await tg.wait_for_message(RESIDENT, contains="请立即拨打")
    notice = await tg.wait_for_message(RESIDENT, contains="已生成紧急工单")
    assert first.message_id < notice.message_id
    assert "119" in first.text
    assert "已通知值班人员：网格员王芳、网格员李强" in notice.text
    for worker in (WANG, LI):
        card = await tg.wait_for_message(worker, contains="🚨【紧急】")
        assert card.button_data("接单")
    (ticket,) = await all_tickets(gridline)
    assert ticket.emergency and ticket.priority == "red"
    # Nobody acknowledges: five minutes, not fifteen, before the next person is asked.
    assert ticket.ack_due_at == clock.now() + timedelta(minutes=5)
    clock.advance(timedelta(minutes=6))
    assert (await gridline.sweeper.sweep())["escalated"] == 1


async def test_inside_an_open_thread_an_emergency_is_a_new_red_ticket(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await bind_resident(tg)
    tg.push_text(RESIDENT, "小区门口的井盖没了，晚上很危险")
    await tg.wait_for_message(WANG, contains="【新工单】")
    (first,) = await all_tickets(gridline)
    tg.push_text(WANG, f"/reply {first.number} 收到，下午过去看")
    await tg.wait_for_message(RESIDENT, contains="收到，下午过去看")

    tg.push_text(RESIDENT, FIRE)
    call = await tg.wait_for_message(RESIDENT, contains="请立即拨打")
    assert "119" in call.text and "120" in call.text  # a fire with someone hurt
    await tg.wait_for_message(RESIDENT, contains="已生成紧急工单")
    await tg.wait_for_message(WANG, contains="🚨【紧急】")
    tickets = await all_tickets(gridline)
    assert len(tickets) == 2 and tickets[1].emergency
    async with gridline.sessions() as session:
        forwarded = await session.scalars(
            select(TicketEvent).where(
                TicketEvent.ticket_id == first.id, TicketEvent.kind == EventKind.RESIDENT_MESSAGE
            )
        )
        assert forwarded.all() == [], "an emergency is never just forwarded into an old thread"


async def test_at_night_the_grid_and_the_community_officer_are_alerted_anyway(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await register(gridline, tg, "李强", LI)
    await register(gridline, tg, "周婷", ZHOU)
    await bind_resident(tg)
    clock.set(clock.now().replace(hour=23, minute=40))  # Friday night: nobody on duty
    tg.push_text(RESIDENT, FIRE)
    await tg.wait_for_message(RESIDENT, contains="请立即拨打")
    notice = await tg.wait_for_message(RESIDENT, contains="现在没有人值班")
    assert "网格员王芳、网格员李强、社区值班干部周婷" in notice.text
    assert "不在班" in notice.text
    assert "已通知值班人员" not in notice.text  # never a claim nobody made true
    for worker in (WANG, LI, ZHOU):
        await tg.wait_for_message(worker, contains="🚨【紧急】")
    (ticket,) = await all_tickets(gridline)
    assert ticket.assignee is not None and ticket.assignee.name == "王芳"
    # Five minutes without an answer: up the chain, duty or not.
    clock.advance(timedelta(minutes=5))
    assert (await gridline.sweeper.sweep())["escalated"] == 1
    (ticket,) = await all_tickets(gridline)
    assert ticket.assignee is not None and ticket.assignee.name == "李强"


async def test_when_nobody_can_be_reached_the_resident_is_told_so(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await bind_resident(tg)  # no worker has opened the bot
    tg.push_text(RESIDENT, "有人晕倒了，叫不醒")
    call = await tg.wait_for_message(RESIDENT, contains="请立即拨打")
    assert "120" in call.text
    notice = await tg.wait_for_message(RESIDENT, contains="联系不到任何网格员")
    assert "系统没有通知到人" in notice.text


async def test_before_binding_the_number_comes_first_and_the_grid_is_alerted_after(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    tg.push_text(RESIDENT, "楼下着火了！！", first_name="张阿姨")
    await tg.wait_for_message(RESIDENT, contains="请立即拨打 119")
    prompt = await tg.wait_for_message(RESIDENT, contains=texts.ASK_BIND_FOR_EMERGENCY[:10])
    tg.press_button(RESIDENT, prompt.message_id, prompt.button_data("幸福社区"))
    grids = await tg.wait_for_edit(RESIDENT, prompt.message_id, contains="幸福社区下")
    tg.press_button(RESIDENT, prompt.message_id, grids.button_data("第一网格"))
    await tg.wait_for_message(RESIDENT, contains="已生成紧急工单")
    await tg.wait_for_message(WANG, contains="🚨【紧急】")
    (ticket,) = await all_tickets(gridline)
    assert ticket.emergency
