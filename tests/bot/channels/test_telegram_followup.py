"""The closed loop (回访) through the real Telegram stack: 不满意 reopens the ticket one
level up (督办) and tells everyone; no rating in three days closes it unrated."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.runtime.container import Gridline
from core.clock import FixedClock
from county.models import EventKind, Ticket, TicketEvent, TicketStatus
from handlers import texts
from tests.bot.conftest import RESIDENT, LiveBot, bind_resident, register
from tests.support.fake_telegram import SentMessage

WANG, ZHOU = 7001, 7006
REPORT = "小区门口的井盖没了，晚上很危险"


async def the_ticket(gridline: Gridline) -> Ticket:
    async with gridline.sessions() as session:
        return (await session.scalars(select(Ticket))).one()


async def resolved(gridline: Gridline, live_bot: LiveBot) -> SentMessage:
    """王芳 takes and resolves the report; the resident's rating message."""
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await register(gridline, tg, "周婷", ZHOU)
    await bind_resident(tg)
    tg.push_text(RESIDENT, REPORT)
    card = await tg.wait_for_message(WANG, contains="【新工单】")
    tg.press_button(WANG, card.message_id, card.button_data("接单"))
    await tg.wait_for_edit(WANG, card.message_id, contains="已接单")
    tg.push_text(WANG, f"/resolve {(await the_ticket(gridline)).number} 已经换了新井盖")
    rating = await tg.wait_for_message(RESIDENT, contains="请为这次服务打个分")
    assert "已经换了新井盖" in rating.text  # the result goes to the resident
    return rating


async def test_dissatisfied_reopens_one_level_up_and_everyone_is_told(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    rating = await resolved(gridline, live_bot)
    clock.set(clock.now().replace(hour=18))  # 周婷's evening shift
    query = tg.press_button(RESIDENT, rating.message_id, rating.button_data("不满意"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.RATED
    ask = await tg.wait_for_message(RESIDENT, contains="哪里不满意")
    assert "社区值班干部周婷督办" in ask.text
    supervision = await tg.wait_for_message(ZHOU, contains="【督办】")
    assert "网格员王芳" in supervision.text and supervision.button_data("接单")
    await tg.wait_for_message(WANG, contains="已重新打开，转给社区值班干部周婷督办")
    ticket = await the_ticket(gridline)
    assert ticket.status == TicketStatus.ASSIGNED and ticket.assignee is not None
    assert ticket.assignee.name == "周婷" and ticket.rating is None

    tg.push_text(RESIDENT, "井盖只是用木板盖了一下，根本没修好")
    relayed = await tg.wait_for_message(ZHOU, contains="根本没修好")
    assert ticket.number in relayed.text
    async with gridline.sessions() as session:
        kinds = [e.kind for e in await session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
        )]  # fmt: skip
    assert kinds[-3:] == [EventKind.REOPENED, EventKind.ROUTED, EventKind.RESIDENT_MESSAGE]


async def test_satisfied_closes_and_no_rating_in_three_days_closes_unrated(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    rating = await resolved(gridline, live_bot)
    clock.advance(timedelta(days=2, hours=23))
    assert (await gridline.sweeper.sweep())["closed"] == 0
    clock.advance(timedelta(hours=2))
    assert (await gridline.sweeper.sweep())["closed"] == 1
    ticket = await the_ticket(gridline)
    assert ticket.status == TicketStatus.CLOSED and ticket.rating is None
    query = tg.press_button(RESIDENT, rating.message_id, rating.button_data("满意"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.RATING_CLOSED
    assert (await the_ticket(gridline)).rating is None
