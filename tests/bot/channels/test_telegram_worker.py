"""A grid worker's day through the real python-telegram-bot stack and the fake Bot API:
commands, the card's buttons, cards edited in place, free text, duty and handover."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.runtime.container import Gridline
from core.clock import LOCAL_TZ, FixedClock
from county.models import Ticket, TicketStatus
from handlers import texts
from messaging.delivery import DeliveryError
from tests.bot.conftest import RESIDENT, LiveBot, bind_resident, register
from tests.support.fake_telegram import FakeTelegramServer, SentMessage

WANG, LI, ZHOU = 7001, 7002, 7006
NEIGHBOUR = 5002
HAZARD = "幸福小区3栋楼道里有人给电瓶车充电，很危险，电话13812345678"
LAMP = "3栋门口的路灯坏了一个星期了，晚上看不见路"


async def tickets_now(gridline: Gridline) -> list[Ticket]:
    async with gridline.sessions() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


def labels(message: SentMessage) -> list[str]:
    return [label for row in message.buttons for label, _ in row]


async def reported(tg: FakeTelegramServer, worker: int, text: str = HAZARD) -> SentMessage:
    tg.push_text(RESIDENT, text, first_name="张阿姨")
    await tg.wait_for_message(RESIDENT, contains="已受理")
    return await tg.wait_for_message(worker, contains="【新工单】")


async def test_worker_commands_over_telegram(gridline: Gridline, live_bot: LiveBot) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    tg.push_text(WANG, "/help")
    await tg.wait_for_message(WANG, contains="/mytickets")
    await tg.wait_until_consumed()
    # The worker's own menu, for her chat only (residents keep the default one).
    menus = [c for c in tg.calls("setMyCommands") if (c.get("scope") or {}).get("type") == "chat"]
    assert menus and menus[-1]["scope"]["chat_id"] == WANG
    assert [c["command"] for c in menus[-1]["commands"]][:2] == ["mytickets", "queue"]

    await bind_resident(tg)
    card = await reported(tg, WANG)
    assert "138****5678" in card.text and "13812345678" not in card.text
    (ticket,) = await tickets_now(gridline)

    tg.push_text(WANG, "/queue")
    queue = await tg.wait_for_message(WANG, contains="网格待办")
    assert labels(queue) == ["接单 0001"]
    tg.push_text(WANG, "/claim 0001")
    await tg.wait_for_message(WANG, contains=f"已接单 {ticket.number}")
    await tg.wait_for_message(RESIDENT, contains="网格员王芳已接单")
    await tg.wait_for_edit(WANG, card.message_id, contains=texts.CARD_STATE_CLAIMED_YOU)

    tg.push_text(WANG, "/note 1 居民白天不在家")
    await tg.wait_for_message(WANG, contains="只有工作人员能看到")
    tg.push_text(WANG, "/mytickets")
    listing = await tg.wait_for_message(WANG, contains="我的工单（共 1 张")
    assert "【处理中】" in listing.text and labels(listing) == ["📄 0001"]
    tg.push_text(WANG, "/ticket 0001")
    history = await tg.wait_for_message(WANG, contains="的经过")
    assert "📝 网格员王芳备注：居民白天不在家" in history.text
    again = await tg.wait_for_message(WANG, contains="【新工单】")
    assert labels(again) == ["回复", "转派", "升级", "并单", "办结"]

    tg.push_text(WANG, "/resolve 0001 电瓶车已移走，楼道已清理")
    done = await tg.wait_for_message(RESIDENT, contains="已办结")
    assert "办理结果：电瓶车已移走，楼道已清理" in done.text and labels(done)[0] == "满意"
    for shown in (card, again):  # both copies of the card, edited in place
        edited = await tg.wait_for_edit(WANG, shown.message_id, contains="王芳 已办结")
        assert edited.buttons == []
    assert not [m for m in tg.sent_messages(RESIDENT) if "居民白天不在家" in m.text]


async def test_reply_button_then_text_and_resolve_with_a_result(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await bind_resident(tg)
    card = await reported(tg, WANG)
    query = tg.press_button(WANG, card.message_id, card.button_data("回复"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.REPLY_PROMPT_TOAST
    await tg.wait_for_message(WANG, contains="请输入要发给居民")
    tg.push_text(WANG, "张女士您好，我九点到3栋看看")
    relayed = await tg.wait_for_message(RESIDENT, contains="我九点到3栋看看")
    assert "网格员王芳" in relayed.text
    claimed = await tg.wait_for_edit(WANG, card.message_id, contains=texts.CARD_STATE_CLAIMED_YOU)

    query = tg.press_button(WANG, card.message_id, claimed.button_data("办结"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.RESOLVE_PROMPT_TOAST
    prompt = await tg.wait_for_message(WANG, contains="办理结果")
    tg.push_text(WANG, "已把电瓶车推走，贴了禁止充电的提示")
    done = await tg.wait_for_message(RESIDENT, contains="已办结")
    assert "办理结果：已把电瓶车推走，贴了禁止充电的提示" in done.text
    settled = await tg.wait_for_edit(WANG, prompt.message_id)
    assert settled.buttons == [], "an answered prompt offers no second answer"
    query = tg.press_button(RESIDENT, done.message_id, done.button_data("满意"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.RATED
    (ticket,) = await tickets_now(gridline)
    assert ticket.status == TicketStatus.CLOSED and ticket.rating == 3  # 回访 done


async def test_transfer_with_the_picker_escalate_and_merge(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    clock.set(datetime(2026, 11, 27, 18, 0, tzinfo=LOCAL_TZ))  # Friday evening: 周婷 is on
    for name, user in (("王芳", WANG), ("李强", LI), ("周婷", ZHOU)):
        await register(gridline, tg, name, user)
    await bind_resident(tg)
    await bind_resident(tg, NEIGHBOUR)

    # Off shift, 王芳 takes a report from the queue and hands it to 李强 with the picker.
    tg.push_text(RESIDENT, HAZARD, first_name="张阿姨")
    await tg.wait_for_message(RESIDENT, contains="已受理")
    first = await tg.wait_for_message(ZHOU, contains="【新工单】")  # routed to the officer
    tg.push_text(WANG, "/claim 0001")
    card = await tg.wait_for_message(WANG, contains="【新工单】")
    await tg.wait_for_edit(ZHOU, first.message_id, contains="王芳 已接单")
    tg.press_button(WANG, card.message_id, card.button_data("转派"))
    picker = await tg.wait_for_message(WANG, contains="转派给")
    assert labels(picker) == ["→ 第二网格", "👤 网格员李强"]
    tg.press_button(WANG, picker.message_id, picker.button_data("李强"))
    reasons = await tg.wait_for_edit(WANG, picker.message_id, contains="请输入原因")
    tg.press_button(WANG, picker.message_id, reasons.button_data(texts.TRANSFER_REASONS[2]))
    await tg.wait_for_edit(WANG, picker.message_id, contains="已转给网格员李强")
    handed = await tg.wait_for_message(LI, contains="↪️【转派工单】王芳转给您")
    await tg.wait_for_message(RESIDENT, contains="已转由网格员李强处理")

    # 李强 takes it and escalates it to the community's evening officer.
    tg.press_button(LI, handed.message_id, handed.button_data("接单"))
    claimed = await tg.wait_for_edit(LI, handed.message_id, contains=texts.CARD_STATE_CLAIMED_YOU)
    tg.press_button(LI, handed.message_id, claimed.button_data("升级"))
    prompt = await tg.wait_for_message(LI, contains="升级原因")
    tg.press_button(LI, prompt.message_id, prompt.button_data(texts.ESCALATE_REASONS[1]))
    await tg.wait_for_edit(LI, prompt.message_id, contains="已升级给社区值班干部周婷")
    await tg.wait_for_message(ZHOU, contains="⏫【升级工单】网格员李强申请升级")
    await tg.wait_for_message(RESIDENT, contains="由社区值班干部周婷负责处理")

    # A neighbour reports the same thing: 周婷 merges it into the escalated ticket.
    tg.push_text(NEIGHBOUR, "3栋楼道里有人充电瓶车，太危险了", first_name="陈女士")
    await tg.wait_for_message(NEIGHBOUR, contains="已受理")
    duplicate = await tg.wait_for_message(ZHOU, contains="GL-20261127-0002")
    tg.press_button(ZHOU, duplicate.message_id, duplicate.button_data("并单"))
    merge = await tg.wait_for_message(ZHOU, contains="和哪张工单是同一件事")
    query = tg.press_button(ZHOU, merge.message_id, merge.button_data("0001"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.MERGED_TOAST
    await tg.wait_for_message(NEIGHBOUR, contains="已合并到 GL-20261127-0001")
    await tg.wait_for_message(RESIDENT, contains="有其他居民反映了同样的问题")
    merged = await tg.wait_for_edit(ZHOU, duplicate.message_id, contains="🔗 已并入")
    assert merged.buttons == []
    kept, gone = await tickets_now(gridline)
    assert gone.status == TicketStatus.MERGED and gone.merged_into_id == kept.id
    assert kept.assignee is not None and kept.assignee.name == "周婷"


async def test_a_stale_card_is_edited_after_another_worker_claims(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await register(gridline, tg, "李强", LI)
    await bind_resident(tg)
    tg.push_text(RESIDENT, "3栋楼道里着火了，好大的烟，快来人", first_name="张阿姨")
    wang_card = await tg.wait_for_message(WANG, contains="🚨【紧急】")
    li_card = await tg.wait_for_message(LI, contains="🚨【紧急】")
    query = tg.press_button(LI, li_card.message_id, li_card.button_data("接单"))
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.CLAIMED_TOAST
    stale = await tg.wait_for_edit(WANG, wang_card.message_id, contains="李强 已接单")
    assert stale.buttons == [] and "🚨 紧急情况" in stale.text
    query = tg.press_button(WANG, wang_card.message_id, wang_card.button_data("接单"), force=True)
    assert (await tg.wait_for_callback_answer(query))["text"] == texts.TAKEN_BY.format(name="李强")


async def test_free_text_without_a_reply_asks_which_ticket(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    await bind_resident(tg)
    card = await reported(tg, WANG)
    tg.press_button(WANG, card.message_id, card.button_data("接单"))
    await tg.wait_for_message(RESIDENT, contains="已接单")
    tg.push_text(WANG, "接单 GL-20261127-0001")  # typed: a command, not words for her
    await tg.wait_for_message(WANG, contains=texts.ALREADY_YOURS)
    tg.push_text(WANG, "我马上到")
    question = await tg.wait_for_message(WANG, contains=texts.ASK_WHICH_RESIDENT)
    assert labels(question) == ["发给 0001 · 张女士", "不发送"]
    await tg.wait_until_consumed()
    leaked = [m for m in tg.sent_messages(RESIDENT) if "我马上到" in m.text or "接单 GL" in m.text]
    assert not leaked
    tg.press_button(WANG, question.message_id, question.button_data("张女士"))
    await tg.wait_for_edit(WANG, question.message_id, contains="已发给工单")
    await tg.wait_for_message(RESIDENT, contains="我马上到")


async def test_onduty_at_night_lasts_until_the_shift_with_one_handover_message(
    gridline: Gridline, live_bot: LiveBot, clock: FixedClock
) -> None:
    tg = live_bot.tg
    await register(gridline, tg, "王芳", WANG)
    clock.set(datetime(2026, 11, 27, 3, 0, tzinfo=LOCAL_TZ))  # Friday 03:00
    await bind_resident(tg)
    tg.push_text(RESIDENT, HAZARD, first_name="张阿姨")
    await tg.wait_for_message(RESIDENT, contains="待办队列")
    tg.push_text(RESIDENT, LAMP, first_name="张阿姨")
    # A second message so soon might add to the first: the resident says it is new.
    question = await tg.wait_for_message(RESIDENT, contains="还是一个新问题")
    tg.press_button(RESIDENT, question.message_id, question.button_data("这是新问题"))
    await tg.wait_for_message(RESIDENT, contains="待办队列")
    tg.push_text(WANG, "/onduty")
    await tg.wait_for_message(WANG, contains=texts.ON_DUTY.format(until="今天08:30"))
    await tg.wait_for_message(WANG, contains=texts.QUEUE_HANDED_OVER.format(count=2))
    handover = await tg.wait_for_message(RESIDENT, contains="已派给网格员王芳")
    assert "GL-20261127-0001、GL-20261127-0002" in handover.text
    await tg.wait_until_consumed()
    after = [m for m in tg.sent_messages(RESIDENT) if m.message_id > handover.message_id]
    before = [m for m in tg.sent_messages(RESIDENT) if "已派给" in m.text or "接手" in m.text]
    assert after == [] and len(before) == 1, "one message per handover, never 接手 unclaimed"
    assert len([m for m in tg.sent_messages(WANG) if "【新工单】" in m.text]) == 2


async def test_telegram_edits_treat_unchanged_as_done_and_a_deleted_message_as_gone(
    gridline: Gridline, live_bot: LiveBot
) -> None:
    tg, channel = live_bot.tg, live_bot.channel
    await register(gridline, tg, "王芳", WANG)
    await bind_resident(tg)
    card = await reported(tg, WANG)
    chat, message = str(WANG), str(card.message_id)
    await channel.edit(chat, message, "卡片 v2", [])
    assert (await tg.wait_for_edit(WANG, card.message_id, contains="卡片 v2")).buttons == []
    await channel.edit(chat, message, "卡片 v2", [])  # "message is not modified": success
    await channel.application.bot.delete_message(chat_id=WANG, message_id=card.message_id)
    with pytest.raises(DeliveryError) as gone:
        await channel.edit(chat, message, "卡片 v3", [])
    assert gone.value.permanent  # the dispatcher drops such an edit instead of retrying
