"""One ticket per problem through the real Telegram stack: follow-ups, repeats, photos and
pins join the open ticket; unclear messages are asked about; nothing is left unfiled."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.runtime.container import Gridline
from core.clock import FixedClock
from county.models import EventKind, Grid, Resident, Ticket, TicketEvent
from handlers import texts
from tests.bot.conftest import RESIDENT, LiveBot, bind_resident, register

WANG, LI, ZHOU = 7001, 7002, 7006
REPORT = "村口那座石桥的栏杆断了，小孩过桥很危险"
# 幸福社区第二网格 (the resident is bound to 第一网格)
SECOND_GRID = (30.9301, 113.9203)


async def all_tickets(gridline: Gridline) -> list[Ticket]:
    async with gridline.sessions() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def resident_events(gridline: Gridline, ticket_id: int) -> list[TicketEvent]:
    async with gridline.sessions() as session:
        query = select(TicketEvent).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.kind == EventKind.RESIDENT_MESSAGE
        )
        return list((await session.scalars(query.order_by(TicketEvent.id))).all())


async def reported(gridline: Gridline, live_bot: LiveBot) -> Ticket:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await bind_resident(tg)
    tg.push_text(RESIDENT, REPORT)
    await tg.wait_for_message(WANG, contains="【新工单】")
    await tg.wait_for_message(RESIDENT, contains="已受理")
    (ticket,) = await all_tickets(gridline)
    return ticket


async def test_a_detail_before_the_worker_replied_joins_the_ticket(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    ticket = await reported(gridline, live_bot)
    tg.push_text(RESIDENT, "补充一下，是村东头那座石桥")
    relayed = await tg.wait_for_message(WANG, contains="【居民追加")
    assert "村东头" in relayed.text and ticket.number in relayed.text
    await tg.wait_for_message(RESIDENT, contains=f"工单 {ticket.number}")
    assert len(await all_tickets(gridline)) == 1
    assert [e.body for e in await resident_events(gridline, ticket.id)] == [
        "补充一下，是村东头那座石桥"
    ]


async def test_the_same_problem_three_times_is_one_ticket(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    ticket = await reported(gridline, live_bot)
    for hours in (1, 2):  # well outside the follow-up window
        clock.advance(timedelta(hours=1))
        tg.push_text(RESIDENT, "村口石桥栏杆断了，小孩过桥危险！！")
        await tg.wait_for_message(WANG, contains="【居民追加")
        assert len(await all_tickets(gridline)) == 1, hours
    assert len(await resident_events(gridline, ticket.id)) == 2


async def test_an_unclear_message_is_asked_about_and_the_resident_decides(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    ticket = await reported(gridline, live_bot)
    tg.push_text(RESIDENT, "楼道里的灯也一直不亮")
    question = await tg.wait_for_message(RESIDENT, contains="是对它的补充，还是一个新问题")
    assert ticket.number in question.text
    tg.press_button(RESIDENT, question.message_id, question.button_data("这是新问题"))
    await tg.wait_for_edit(RESIDENT, question.message_id, contains="作为新问题处理")
    await tg.wait_for_message(WANG, contains="楼道里的灯也一直不亮")
    assert len(await all_tickets(gridline)) == 2
    # The question's other button is gone with the edit; a forced stale press changes nothing.
    query = tg.press_button(
        RESIDENT, question.message_id, question.button_data("补充到"), force=True
    )
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.CHOICE_ALREADY_MADE
    assert len(await all_tickets(gridline)) == 2


async def test_an_unanswered_question_joins_the_ticket_after_the_patience(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    ticket = await reported(gridline, live_bot)
    tg.push_text(RESIDENT, "昨天下午也有人差点摔下去")
    await tg.wait_for_message(RESIDENT, contains="还是一个新问题")
    clock.advance(timedelta(minutes=16))
    assert (await gridline.sweeper.sweep())["decided"] == 1
    await live_bot.channel.deliver_pending()
    await tg.wait_for_message(RESIDENT, contains=f"已补充到工单 {ticket.number}")
    await tg.wait_for_message(WANG, contains="差点摔下去")
    assert len(await all_tickets(gridline)) == 1


async def test_a_photo_and_a_pin_after_a_report_attach_to_it(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    ticket = await reported(gridline, live_bot)
    tg.push_photo(RESIDENT)
    photo = await tg.wait_for_message(WANG, contains="（照片）")
    assert photo.raw.get("photo"), "the worker gets the photo itself"
    tg.push_location(RESIDENT, *SECOND_GRID)
    await tg.wait_for_message(WANG, contains="📍 位置")
    (ticket,) = await all_tickets(gridline)
    assert (ticket.latitude, ticket.longitude) == SECOND_GRID
    async with gridline.sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
        assert resident.grid_id == ticket.grid_id, "a pin for a report never re-binds"


async def test_a_pin_elsewhere_asks_before_moving_the_resident(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await bind_resident(tg)
    tg.push_location(RESIDENT, *SECOND_GRID)
    question = await tg.wait_for_message(RESIDENT, contains="要改到这个网格吗")
    tg.press_button(RESIDENT, question.message_id, question.button_data("保持原网格"))
    await tg.wait_for_edit(RESIDENT, question.message_id, contains="仍保持原来的网格")
    tg.push_location(RESIDENT, *SECOND_GRID)
    again = await tg.wait_for_message(RESIDENT, contains="要改到这个网格吗")
    tg.press_button(RESIDENT, again.message_id, again.button_data("改到第二网格"))
    await tg.wait_for_edit(RESIDENT, again.message_id, contains="已绑定到")
    async with gridline.sessions() as session:
        resident = (await session.scalars(select(Resident))).one()
        assert resident.grid_id is not None
        grid = await session.get(Grid, resident.grid_id)
        assert grid is not None and grid.code == "CG-XF-02"


async def test_a_message_left_at_the_category_buttons_is_filed_as_other(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await bind_resident(tg)
    tg.push_text(RESIDENT, "帮我看看这个事情")
    await tg.wait_for_message(RESIDENT, contains="请选")
    clock.advance(timedelta(minutes=14))
    assert (await gridline.sweeper.sweep())["decided"] == 0
    clock.advance(timedelta(minutes=2))
    assert (await gridline.sweeper.sweep())["decided"] == 1
    await live_bot.channel.deliver_pending()
    await tg.wait_for_message(RESIDENT, contains="已作为「其他」类工单")
    card = await tg.wait_for_message(WANG, contains="帮我看看这个事情")
    assert "其他" in card.text
    (ticket,) = await all_tickets(gridline)
    assert ticket.category == "other"


async def test_asking_for_a_person_reaches_the_worker_on_the_ticket(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await reported(gridline, live_bot)
    tg.push_text(RESIDENT, "转人工")
    await tg.wait_for_message(WANG, contains="转人工")
    assert len(await all_tickets(gridline)) == 1


async def test_a_complaint_about_the_grid_worker_goes_to_the_community_officer(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await register(gridline, tg, "周婷", ZHOU)
    await bind_resident(tg)
    clock.set(clock.now().replace(hour=18))  # 周婷's evening shift; 王芳 off duty
    tg.push_text(RESIDENT, "我要投诉我们的网格员，态度太差，打电话也不接")
    await tg.wait_for_message(ZHOU, contains="态度太差")
    (ticket,) = await all_tickets(gridline)
    assert ticket.assignee is not None and ticket.assignee.name == "周婷"
    assert not any("态度太差" in m.text for m in tg.sent_messages(WANG))
