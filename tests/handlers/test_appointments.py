"""Booking off-hours appointments through the conversation, on a FixedClock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.runtime.container import Gridline
from core.clock import LOCAL_TZ, FixedClock
from county.models import Appointment, AppointmentStatus, Ticket
from handlers import texts
from tests.handlers.harness import Delivered, Harness
from tests.handlers.test_conversation import RESIDENT, WANG, only_ticket, setup

ZHOU = "w-zhouting"  # 周婷: serves 幸福社区's weekday evening window 18:00–21:00
MONDAY_EVENING = "我白天上班，周一晚上七点能来我家办一下吗？住幸福小区3栋2单元502，电话13812345678"


async def ready(gridline: Gridline) -> Harness:
    chat = await setup(gridline)
    await chat.register_worker("周婷", ZHOU)
    await chat.bind_demo_grid(RESIDENT)
    return chat


async def appointments(gridline: Gridline) -> list[Appointment]:
    async with gridline.sessions() as session:
        return list((await session.scalars(select(Appointment).order_by(Appointment.id))).all())


FIRST = "GL-20261127-0001"


async def book_monday_evening(chat: Harness) -> None:
    offer = (await chat.say(RESIDENT, MONDAY_EVENING))[-1]
    assert offer.text == texts.APPOINTMENT_CONFIRM.format(
        number=FIRST, when="11月30日（周一）19:00–19:30"
    )
    outcome, _ = await chat.press(RESIDENT, offer.button("确认预约"), offer.message_id)
    assert outcome.answer == texts.APPOINTMENT_BOOKED_TOAST


async def test_wanted_time_in_a_window_is_confirmed_and_booked(gridline: Gridline) -> None:
    chat = await ready(gridline)
    offer = (await chat.say(RESIDENT, MONDAY_EVENING))[-1]
    waiting = await only_ticket(gridline)  # the request is a ticket before any button
    assert waiting.number == FIRST and waiting.status == "awaiting_slot"
    outcome, _ = await chat.press(RESIDENT, offer.button("确认预约"), offer.message_id)
    assert outcome.edit is not None and "预约成功：11月30日（周一）19:00–19:30" in outcome.edit.text
    assert {b.label for row in outcome.edit.buttons for b in row} == {
        "改约",
        "取消预约",
        "加入手机日历",
    }
    ticket = await only_ticket(gridline)
    assert ticket.category == "appointment" and ticket.assignee is not None
    assert ticket.assignee.name == "周婷" and ticket.status == "assigned"
    assert ticket.appointment_at is not None
    assert ticket.appointment_at.isoformat() == "2026-11-30T11:00:00+00:00"  # 19:00 in Hubei
    assert ticket.contact_phone == "13812345678" and ticket.address == "幸福小区3栋2单元502"
    card = chat.to(ZHOU)[-1]
    assert card.text.startswith("📅【预约】11月30日（周一）19:00–19:30")
    assert "138****5678" in card.text and "13812345678" not in card.text  # masked
    (booked,) = await appointments(gridline)
    assert booked.ticket_id == ticket.id and booked.status == AppointmentStatus.BOOKED
    status = (await chat.say(RESIDENT, "/status"))[-1].text
    assert "预约时间：11月30日（周一）19:00–19:30" in status
    # The same confirmation pressed again books nothing more.
    outcome, _ = await chat.press(RESIDENT, offer.button("确认预约"), offer.message_id)
    assert outcome.answer == texts.APPOINTMENT_ALREADY_BOOKED
    assert len(await appointments(gridline)) == 1


async def test_unavailable_time_offers_the_three_nearest_slots(gridline: Gridline) -> None:
    chat = await ready(gridline)
    # Saturday 19:00: 幸福社区 only serves Saturday mornings and weekday evenings.
    offer = (await chat.say(RESIDENT, "明晚七点能来我家办个证明吗"))[-1]
    assert offer.text == texts.APPOINTMENT_TAKEN.format(number=FIRST, when="11月28日（周六）19:00")
    labels = [row[0].label for row in offer.buttons]
    assert labels[:3] == ["11月28日（周六）11:30–12:00", "11月28日（周六）11:00–11:30",
                          "11月28日（周六）10:30–11:00"]  # fmt: skip
    assert labels[3] == texts.APPOINTMENT_NONE_BUTTON
    outcome, sent = await chat.press(RESIDENT, offer.buttons[3][0].data, offer.message_id)
    assert outcome.edit is not None and outcome.edit.text == texts.APPOINTMENT_WORKER_WILL_CALL
    ticket = await only_ticket(gridline)
    assert ticket.category == "appointment" and ticket.status in ("assigned", "queued")
    assert any("已受理" in m.text for m in sent)
    assert await appointments(gridline) == []
    outcome, _ = await chat.press(RESIDENT, offer.buttons[3][0].data, offer.message_id)
    assert outcome.answer == texts.ALREADY_SUBMITTED.format(number=FIRST)


async def test_an_unanswered_offer_reaches_a_worker_after_two_hours(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await ready(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.say(RESIDENT, "想约网格员上门帮我爸办高龄津贴")
    assert (await only_ticket(gridline)).status == "awaiting_slot"
    clock.advance(timedelta(hours=1))
    assert (await gridline.sweeper.sweep())["released"] == 0
    clock.advance(timedelta(hours=1, minutes=1))
    assert (await gridline.sweeper.sweep())["released"] == 1
    await chat.deliver_pending()
    ticket = await only_ticket(gridline)
    assert ticket.status == "assigned" and ticket.assignee is not None
    assert ticket.assignee.name == "王芳"
    assert "【新工单】" in chat.to(WANG)[-1].text


async def test_reschedule_cancel_and_calendar_file(gridline: Gridline) -> None:
    chat = await ready(gridline)
    await book_monday_evening(chat)
    confirmation = chat.to(RESIDENT)[-1]
    (booked,) = await appointments(gridline)
    outcome, sent = await chat.press(RESIDENT, f"ap:re:{booked.id}")
    choices = sent[-1]
    assert choices.text == texts.APPOINTMENT_CHOOSE_NEW and len(choices.buttons) == 3
    outcome, _ = await chat.press(RESIDENT, choices.buttons[0][0].data, choices.message_id)
    assert outcome.answer == texts.APPOINTMENT_BOOKED_TOAST
    current = [a for a in await appointments(gridline) if a.status == AppointmentStatus.BOOKED]
    assert len(current) == 1 and current[0].starts_at != booked.starts_at
    assert (await only_ticket(gridline)).appointment_at == current[0].starts_at
    assert "改到了" in chat.to(ZHOU)[-1].text

    outcome, _ = await chat.press(RESIDENT, f"ap:ics:{current[0].id}")
    assert outcome.document is not None and outcome.document.filename.endswith(".ics")
    assert b"BEGIN:VCALENDAR" in outcome.document.content

    outcome, _ = await chat.press(RESIDENT, f"ap:cancel:{current[0].id}")
    assert outcome.answer == texts.APPOINTMENT_CANCELLED
    # The visit is off, the request is not: it stays open until the resident withdraws it.
    ticket = await only_ticket(gridline)
    assert ticket.is_open and ticket.appointment_at is None
    assert "取消了预约" in chat.to(ZHOU)[-1].text and "没有撤销" in chat.to(ZHOU)[-1].text
    assert outcome.edit is not None
    withdraw = Delivered(RESIDENT, outcome.edit.text, outcome.edit.buttons, "m-cancel")
    outcome, _ = await chat.press(RESIDENT, withdraw.button("撤销"), withdraw.message_id)
    assert outcome.edit is not None and "确定要撤销" in outcome.edit.text
    confirm = Delivered(RESIDENT, outcome.edit.text, outcome.edit.buttons, "m-cancel")
    outcome, _ = await chat.press(RESIDENT, confirm.button("确认撤销"), confirm.message_id)
    assert (await only_ticket(gridline)).status == "cancelled"
    outcome, _ = await chat.press(RESIDENT, f"ap:cancel:{current[0].id}")
    assert outcome.answer == texts.APPOINTMENT_NOT_ACTIVE
    assert confirmation.buttons  # the confirmation offered these actions in the first place


async def test_reminders_day_before_and_hour_before_then_today(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await ready(gridline)
    await book_monday_evening(chat)  # booked Friday 10:00 for Monday 19:00
    clock.advance(timedelta(days=2, hours=10))  # Sunday 20:00: within a day
    assert (await gridline.sweeper.sweep())["reminded"] == 1
    await chat.deliver_pending()
    assert chat.to(RESIDENT)[-1].text.startswith(
        "⏰ 提醒：您预约的网格服务在 11月30日（周一）19:00"
    )
    assert chat.to(ZHOU)[-1].text.startswith("⏰ 预约提醒：11月30日（周一）19:00")
    assert (await gridline.sweeper.sweep())["reminded"] == 0  # not twice
    clock.advance(timedelta(hours=22, minutes=30))  # Monday 18:30
    assert (await gridline.sweeper.sweep())["reminded"] == 1
    await chat.deliver_pending()
    assert "一小时后开始" in chat.to(RESIDENT)[-1].text
    today = (await chat.say(ZHOU, "/today"))[-1].text
    assert today.startswith(texts.TODAY_HEADER.format(count=1)) and "19:00" in today
    assert (await chat.say(WANG, "/today"))[-1].text == texts.NOT_A_WORKER  # not registered


async def test_off_hours_queued_ticket_can_book_a_visit(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await ready(gridline)
    clock.advance(timedelta(days=1, hours=-2))  # Saturday 08:00: nobody on shift
    sent = await chat.say(RESIDENT, "楼道里的灯坏了好几天，晚上黑漆漆的很危险")
    offer = sent[-1]
    assert offer.text == texts.APPOINTMENT_OFF_HOURS
    ticket = await only_ticket(gridline)
    assert ticket.status == "queued"
    outcome, _ = await chat.press(RESIDENT, offer.buttons[0][0].data, offer.message_id)
    assert outcome.answer == texts.APPOINTMENT_BOOKED_TOAST
    async with gridline.sessions() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    (booked,) = await appointments(gridline)
    assert booked.ticket_id == ticket.id and ticket.status == "assigned"
    assert ticket.appointment_at == booked.starts_at


async def test_reschedule_by_text_moves_the_booked_appointment(gridline: Gridline) -> None:
    chat = await ready(gridline)
    await book_monday_evening(chat)
    sent = await chat.say(RESIDENT, "不好意思，改到周二晚上七点半可以吗")
    assert "预约成功：12月01日（周二）19:30–20:00" in sent[-1].text
    (moved,) = [a for a in await appointments(gridline) if a.status == AppointmentStatus.BOOKED]
    assert moved.starts_at.astimezone(LOCAL_TZ).strftime("%m-%d %H:%M") == "12-01 19:30"
    assert len(await tickets_of(gridline)) == 1, "a reschedule is not a new request"
    sent = await chat.say(RESIDENT, "我想改约")
    assert sent[-1].text == texts.APPOINTMENT_CHOOSE_NEW and len(sent[-1].buttons) == 3


async def tickets_of(gridline: Gridline) -> list[Ticket]:
    async with gridline.sessions() as session:
        return list((await session.scalars(select(Ticket))).all())
