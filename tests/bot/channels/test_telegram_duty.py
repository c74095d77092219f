"""Rosters, escalation, emergencies and appointments through the real Telegram stack,
with the clock moved by hand (no sleeping)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from bot.runtime.container import Gridline
from core.clock import LOCAL_TZ, FixedClock
from county.models import OverrideKind, ShiftOverride, Ticket
from handlers import texts
from tests.bot.conftest import RESIDENT, LiveBot, bind_resident, register
from tests.factories import demo_worker

WANG, LI, ZHOU = 7001, 7002, 7006
HAZARD = "幸福小区3栋楼道里有人给电瓶车充电，很危险"


async def the_ticket(gridline: Gridline) -> Ticket:
    async with gridline.sessions() as session:
        return (await session.scalars(select(Ticket))).one()


async def test_unacknowledged_ticket_escalates_on_telegram(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await register(gridline, tg, "李强", LI)
    await bind_resident(tg)
    tg.push_text(RESIDENT, HAZARD)
    await tg.wait_for_message(WANG, contains="【新工单】")

    clock.advance(timedelta(minutes=16))
    assert (await gridline.sweeper.sweep())["escalated"] == 1
    await live_bot.channel.deliver_pending()
    card = await tg.wait_for_message(LI, contains="【升级工单】")
    await tg.wait_for_message(WANG, contains="已按规定升级给网格员李强")
    await tg.wait_for_message(RESIDENT, contains="已升级")
    query = tg.press_button(LI, card.message_id, card.button_data("接单"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.CLAIMED_TOAST
    await tg.wait_for_message(RESIDENT, contains="网格员李强已接单")


async def test_leave_sends_the_ticket_to_the_backup(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await register(gridline, tg, "李强", LI)
    async with gridline.sessions() as session:
        wang = await demo_worker(session, "王芳")
        session.add(ShiftOverride(worker_id=wang.id, day=date(2026, 11, 27),
                                  kind=OverrideKind.LEAVE, note="事假"))  # fmt: skip
        await session.commit()
    await bind_resident(tg)
    tg.push_text(RESIDENT, HAZARD)
    await tg.wait_for_message(LI, contains="【新工单】")
    assert (await the_ticket(gridline)).assignee.name == "李强"  # type: ignore[union-attr]


async def test_national_day_queues_and_offers_a_booking(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    # Thursday 1 October 2026, 10:00: a weekday, but a public holiday — no weekday shift.
    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=LOCAL_TZ))
    await bind_resident(tg)
    tg.push_text(RESIDENT, HAZARD)
    ack = await tg.wait_for_message(RESIDENT, contains="已受理")
    assert "待办队列" in ack.text
    await tg.wait_for_message(RESIDENT, contains=texts.APPOINTMENT_OFF_HOURS)
    assert not [m for m in tg.sent_messages(WANG) if "【新工单】" in m.text]


async def test_book_an_evening_visit_and_get_the_calendar_file(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "周婷", ZHOU)
    await bind_resident(tg)
    tg.push_text(RESIDENT, "我白天上班，周一晚上七点能来我家办一下吗")
    offer = await tg.wait_for_message(RESIDENT, contains="确认预约吗")
    tg.press_button(RESIDENT, offer.message_id, offer.button_data("确认预约"))
    booked = await tg.wait_for_edit(RESIDENT, offer.message_id, contains="预约成功")
    await tg.wait_for_message(ZHOU, contains="📅【预约】11月30日（周一）19:00–19:30")
    query = tg.press_button(RESIDENT, offer.message_id, booked.button_data("加入手机日历"))
    await tg.wait_for_callback_answer(query)
    await tg.wait_for_message(RESIDENT, contains=texts.ICS_CAPTION)  # the document's caption
    (document,) = tg.documents_sent(RESIDENT)
    assert document.filename.endswith(".ics") and b"DTSTART:20261130T110000Z" in document.content
    query = tg.press_button(RESIDENT, offer.message_id, booked.button_data("取消预约"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.APPOINTMENT_CANCELLED
    await tg.wait_for_message(ZHOU, contains="取消了预约")
