"""A resident and grid workers talk to the real python-telegram-bot stack, which talks
to a fake Telegram Bot API server on 127.0.0.1."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.runtime.container import Gridline
from county.models import Ticket, TicketStatus
from handlers import texts
from messaging.models import InboundMessage
from tests.bot.conftest import bind_resident, invite_code
from tests.support.fake_telegram import FakeTelegramServer

RESIDENT = 5001
WANG = 7001  # 王芳, primary grid worker of 幸福社区第一网格
LI = 7002  # 李强, backup of the same grid
STRANGER = 9001
HAZARD = "幸福小区3栋楼道里有人给电瓶车充电，很危险"


async def test_report_claim_reply_resolve_rate(
    gridline: Gridline, telegram: FakeTelegramServer
) -> None:
    tg = telegram
    tg.push_text(WANG, f"/start {await invite_code(gridline, '王芳')}", first_name="王芳")
    await tg.wait_for_message(WANG, contains="已登记为网格员")

    await bind_resident(tg)
    tg.push_text(RESIDENT, HAZARD, first_name="张阿姨")
    ack = await tg.wait_for_message(RESIDENT, contains="已受理")
    async with gridline.sessions() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    assert ticket.number in ack.text and "安全隐患" in ack.text and "王芳" in ack.text

    card = await tg.wait_for_message(WANG, contains="【新工单】")
    assert ticket.number in card.text and HAZARD in card.text
    query = tg.press_button(WANG, card.message_id, card.button_data("接单"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.CLAIMED_TOAST
    claimed = await tg.wait_for_edit(WANG, card.message_id, contains="已接单")
    assert [label for row in claimed.buttons for label, _ in row] == [
        "回复", "转派", "升级", "并单", "办结",
    ]  # fmt: skip
    await tg.wait_for_message(RESIDENT, contains="已接单")

    tg.push_text(WANG, "您好，我半小时后到3栋看看", reply_to_message_id=card.message_id)
    relayed = await tg.wait_for_message(RESIDENT, contains="我半小时后到3栋看看")
    assert "王芳" in relayed.text and ticket.number in relayed.text

    tg.push_text(RESIDENT, "好的，我在一楼等你", reply_to_message_id=relayed.message_id)
    await tg.wait_for_message(WANG, contains="好的，我在一楼等你")

    query = tg.press_button(WANG, card.message_id, claimed.button_data("办结"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.RESOLVE_PROMPT_TOAST
    prompt = await tg.wait_for_message(WANG, contains="办理结果")
    tg.press_button(WANG, prompt.message_id, prompt.button_data(texts.RESOLVE_RESULTS[0]))
    await tg.wait_for_edit(WANG, prompt.message_id, contains="已办结")
    await tg.wait_for_edit(WANG, card.message_id, contains="已办结")
    done = await tg.wait_for_message(RESIDENT, contains="已办结")
    assert texts.RESOLVE_RESULTS[0] in done.text
    query = tg.press_button(RESIDENT, done.message_id, done.button_data("满意"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.RATED

    async with gridline.sessions() as session:
        ticket = (await session.scalars(select(Ticket))).one()
    assert ticket.status == TicketStatus.CLOSED and ticket.rating == 3  # 回访 done


async def test_bad_input_over_telegram(gridline: Gridline, telegram: FakeTelegramServer) -> None:
    tg = telegram
    tg.push_text(WANG, f"/start {await invite_code(gridline, '王芳')}", first_name="王芳")
    await tg.wait_for_message(WANG, contains="已登记")
    tg.push_text(LI, f"/start {await invite_code(gridline, '李强')}", first_name="李强")
    await tg.wait_for_message(LI, contains="已登记")
    await bind_resident(tg)
    async with gridline.sessions() as session:
        stored_before = await session.scalar(select(func.count()).select_from(InboundMessage))

    tg.push_sticker(RESIDENT)
    await tg.wait_for_message(RESIDENT, contains=texts.UNSUPPORTED_KIND["sticker"])
    tg.push_voice(RESIDENT)
    await tg.wait_for_message(RESIDENT, contains=texts.UNSUPPORTED_KIND["voice"])
    tg.push_document(RESIDENT)
    await tg.wait_for_message(RESIDENT, contains=texts.UNSUPPORTED_KIND["document"])
    tg.push_photo(RESIDENT, caption="")
    await tg.wait_for_message(RESIDENT, contains=texts.PHOTO_WITHOUT_CAPTION)
    tg.push_text(RESIDENT, "吵" * 5000)
    await tg.wait_for_message(RESIDENT, contains="5000 个字")
    tg.push_text(RESIDENT, "/whatever")
    await tg.wait_for_message(RESIDENT, contains="没有「/whatever」这个指令")
    tg.push_text(STRANGER, "/start FAKECODE99", first_name="冒充者")
    await tg.wait_for_message(STRANGER, contains=texts.INVITE_INVALID)
    tg.push_text(STRANGER, "/onduty")

    # 王芳 is off duty, so the backup 李强 gets the card; she comes back and takes the
    # ticket with /reply; then 李强 presses 接单 on his card and is told who has it.
    tg.push_text(WANG, "/offduty")
    await tg.wait_for_message(WANG, contains=texts.OFF_DUTY.format(until="今天17:30"))
    tg.push_text(RESIDENT, HAZARD)
    card = await tg.wait_for_message(LI, contains="【新工单】")
    async with gridline.sessions() as session:
        number = (await session.scalars(select(Ticket.number))).one()
    tg.push_text(WANG, f"/reply {number} 这个我来处理，马上到")
    await tg.wait_for_message(RESIDENT, contains="这个我来处理")
    # 李强's card was edited in place: it names her and offers nothing to press. A tap
    # from a client that still shows the old keyboard is told who has it, twice.
    stale = await tg.wait_for_edit(LI, card.message_id, contains="王芳 已接单")
    assert stale.buttons == []
    for _ in range(2):
        query = tg.press_button(LI, card.message_id, card.button_data("接单"), force=True)
        answer = await tg.wait_for_callback_answer(query)
        assert answer["text"] == texts.TAKEN_BY.format(name="王芳")
    # A forged callback (a stranger's client sending 接单 data) is refused, twice.
    refusal = await tg.wait_for_message(STRANGER, contains=texts.NOT_A_WORKER)
    for _ in range(2):
        query = tg.press_button(STRANGER, refusal.message_id, card.button_data("接单"), force=True)
        assert (await tg.wait_for_callback_answer(query))["text"] == texts.NOT_A_WORKER

    await tg.wait_until_consumed()
    async with gridline.sessions() as session:
        stored_after = await session.scalar(select(func.count()).select_from(InboundMessage))
        long_kept = await session.scalar(
            select(func.count())
            .select_from(InboundMessage)
            .where(InboundMessage.text == "吵" * 5000)
        )
    assert stored_after == stored_before + 15
    assert long_kept == 1


async def test_photo_report_and_photo_follow_up(
    gridline: Gridline, telegram: FakeTelegramServer
) -> None:
    tg = telegram
    tg.push_text(WANG, f"/start {await invite_code(gridline, '王芳')}", first_name="王芳")
    await tg.wait_for_message(WANG, contains="已登记")
    await bind_resident(tg)
    tg.push_photo(RESIDENT, caption="小区门口的井盖没了，晚上很危险")
    photo = await tg.wait_for_message(WANG, contains="现场照片")
    assert "photo" in photo.raw
    card = await tg.wait_for_message(WANG, contains="【新工单】")
    assert card.message_id > photo.message_id and "photo" not in card.raw
    tg.push_text(WANG, "收到，我马上过去", reply_to_message_id=card.message_id)
    relayed = await tg.wait_for_message(RESIDENT, contains="收到，我马上过去")
    tg.push_photo(RESIDENT, caption="就是这个位置")
    follow_up = await tg.wait_for_message(WANG, contains="就是这个位置")
    assert "photo" in follow_up.raw and relayed.message_id < follow_up.message_id
