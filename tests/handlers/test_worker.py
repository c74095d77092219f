"""A grid worker's day through the conversation core: cards, commands, buttons, free text,
duty and handover — on a FixedClock in office hours, at night, at the weekend and on a
public holiday."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.runtime.container import Gridline
from core.clock import LOCAL_TZ, FixedClock
from county import tickets
from county.models import EventKind, Ticket, TicketEvent, TicketStatus
from handlers import buttons, texts
from messaging.models import InboundMessage
from tests.factories import demo_county
from tests.handlers.harness import Delivered, Harness

WANG = "w-wangfang"  # 王芳: primary of 幸福社区第一网格, backup of 第二网格
LI = "w-liqiang"  # 李强: primary of 第二网格, backup of 第一网格
ZHOU = "w-zhouting"  # 周婷: 幸福社区's evening officer (weekdays 17:30–21:00)
ZHANG = "w-zhangmin"  # 张敏: 东风社区, another community
R1, R2 = "r-1", "r-2"
HAZARD = "幸福小区3栋楼道里有人给电瓶车充电，很危险"
LAMP = "3栋门口的路灯坏了一个星期了，晚上看不见路"
NOISE = "楼上邻居天天半夜吵架摔东西，吵得我们没法睡觉"


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


async def workday(gridline: Gridline, *workers: tuple[str, str]) -> Harness:
    async with gridline.sessions() as session:
        await demo_county(session, gridline.clock.now())
    chat = Harness(gridline, edit_pressed=True)
    for name, user in workers:
        await chat.register_worker(name, user)
    return chat


async def report(chat: Harness, user: str, text: str = HAZARD, name: str = "张阿姨") -> Ticket:
    """A resident's report (binding them first, if new); the ticket it became."""
    if not chat.to(user):
        await chat.bind_demo_grid(user)
    sent = await chat.say(user, text, name=name)
    asked = [m for m in sent if m.chat_id == user and texts.FOLLOWUP_NEW_BUTTON in str(m.buttons)]
    if asked:  # soon after another report: the resident says this one is new
        await chat.press(user, asked[-1].button(texts.FOLLOWUP_NEW_BUTTON), asked[-1].message_id)
    async with chat.gridline.sessions() as session:
        found = await session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
    assert found is not None and found.summary == text
    return found


async def fetch(gridline: Gridline, ticket_id: int) -> Ticket:
    async with gridline.sessions() as session:
        found = await session.get(Ticket, ticket_id)
    assert found is not None
    return found


def card(chat: Harness, user: str, number: str) -> Delivered:
    return next(m for m in reversed(chat.to(user)) if f"【新工单】{number}" in m.text)


def labels(message: Delivered) -> list[str]:
    return [b.label for row in message.buttons for b in row]


async def test_a_card_shows_the_deadline_and_a_masked_resident(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    ticket = await report(chat, R1, "楼道里电线垂下来了，我电话13812345678", name="王建国")
    shown = card(chat, WANG, ticket.number)
    lines = shown.text.splitlines()
    assert lines[0].startswith(f"【新工单】{ticket.number} {texts.PRIORITY_EMOJI[ticket.priority]}")
    assert "「楼道里电线垂下来了，我电话138****5678」" in shown.text
    assert "👤 王先生/女士 · 138****5678" in shown.text and "13812345678" not in shown.text
    assert "🕒 11月27日 10:00 提交 · 刚刚" in shown.text
    assert ticket.ack_due_at is not None
    assert f"⏰ 请于{texts.short_when(ticket.ack_due_at, ticket.created_at)}前接单" in shown.text
    assert texts.CARD_STATE_ASSIGNED_YOU in shown.text and "📍" not in shown.text
    assert labels(shown) == ["接单", "回复", "转派", "并单", "办结"]

    # With the resident's consent (the lead's prompt sets the flag) and a location:
    async with gridline.sessions() as session:
        stored = await session.get(Ticket, ticket.id)
        assert stored is not None
        stored.identity_shared, stored.latitude, stored.longitude = True, 30.9262, 113.9151
        await session.commit()
    await chat.say(WANG, f"/ticket {ticket.number}")
    again = chat.to(WANG)[-1]
    assert "👤 王建国 · 13812345678" in again.text
    assert "📍 位置：30.92620, 113.91510" in again.text
    # After 接单 the deadline is the resolution target.
    clock.advance(timedelta(hours=3))
    await chat.press(WANG, again.button("接单"), again.message_id)
    assert "🕒 11月27日 10:00 提交 · 3小时前" in again.text
    assert "⏰ 请于明天10:00前办结（还剩21小时）" in again.text

    other = await report(chat, R2, LAMP, name="Zhao Lei")
    assert "👤 居民\n" in card(chat, WANG, other.number).text


async def test_free_text_without_a_reply_is_kept_and_asked_about(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    await chat.say(WANG, "随便说一句")
    assert chat.to(WANG)[-1].text == texts.WORKER_TEXT_HINT  # no tickets: nobody to send to
    first = await report(chat, R1)
    second = await report(chat, R2, LAMP, name="刘大爷")
    await chat.press(WANG, card(chat, WANG, first.number).button("接单"))
    # Exactly one claimed ticket: the text still does not go to its resident unasked.
    sent = await chat.say(WANG, "我马上到")
    assert [m.chat_id for m in sent] == [WANG]
    question = sent[0]
    assert question.text == texts.ASK_WHICH_RESIDENT
    assert labels(question) == ["发给 0002 · 刘先生", "发给 0001 · 张女士", "不发送"]
    kept = int(question.button("不发送").rsplit(":", 1)[1])  # the kept text's inbound id
    outcome, sent = await chat.press(WANG, question.button("张女士"), question.message_id)
    assert [m.text for m in sent if m.chat_id == R1] == [
        texts.WORKER_SAYS.format(role="网格员", name="王芳", number=first.number, text="我马上到")
    ]
    assert question.text == texts.SENT_TO.format(number=first.number, who="张女士")
    outcome, sent = await chat.press(WANG, buttons.SEND_KEPT.data(kept, first.id))
    assert outcome.answer == texts.ALREADY_SENT and not sent  # a double press sends once

    dropped = (await chat.say(WANG, "这句不发"))[-1]
    outcome, sent = await chat.press(WANG, dropped.button("不发送"), dropped.message_id)
    assert dropped.text == texts.NOT_SENT and not sent

    # Typed commands are commands, never words for a resident.
    sent = await chat.say(WANG, "接单 0002")
    assert [m.text for m in sent if m.chat_id == R2] == [
        texts.CLAIMED_NOTICE_RESIDENT.format(role="网格员", name="王芳", number=second.number)
    ]
    assert (await fetch(gridline, second.id)).status == TicketStatus.CLAIMED
    sent = await chat.say(WANG, "办结")
    assert sent[-1].text == texts.RESOLVE_WHICH and len(sent[-1].buttons) == 2
    sent = await chat.say(WANG, "办结 0001 电瓶车已移走")
    notice = next(m for m in sent if m.chat_id == R1)
    assert "办理结果：电瓶车已移走" in notice.text
    assert labels(notice) == ["满意", "基本满意", "不满意"]
    assert (await fetch(gridline, first.id)).status == TicketStatus.RESOLVED


async def test_reply_button_then_text_once_and_commands_drop_the_prompt(
    gridline: Gridline,
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    ticket = await report(chat, R1)
    shown = card(chat, WANG, ticket.number)
    outcome, sent = await chat.press(WANG, shown.button("回复"), shown.message_id)
    assert outcome.answer == texts.REPLY_PROMPT_TOAST
    assert sent[-1].text.startswith("✍️") and "张女士" in sent[-1].text
    sent = await chat.say(WANG, "我九点到")
    assert any(m.chat_id == R1 and "我九点到" in m.text for m in sent)
    assert (await fetch(gridline, ticket.id)).status == TicketStatus.CLAIMED  # 回复 acknowledges
    sent = await chat.say(WANG, "再补一句")  # the prompt answered once is gone
    assert [m.chat_id for m in sent] == [WANG] and sent[0].text == texts.ASK_WHICH_RESIDENT

    await chat.press(WANG, shown.button("回复"), shown.message_id)
    await chat.say(WANG, "/mytickets")
    sent = await chat.say(WANG, "这句不该发给居民")
    assert [m.chat_id for m in sent] == [WANG], "a command in between drops the prompt"

    await chat.press(WANG, shown.button("回复"), shown.message_id)
    assert (await chat.say(WANG, "/cancel"))[-1].text == texts.PROMPT_CANCELLED
    assert (await chat.say(WANG, "/cancel"))[-1].text == texts.WORKER_CANCEL


async def test_mytickets_pages_and_opens_a_ticket(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    reports = [
        HAZARD, LAMP, "小区门口的井盖没了，晚上很危险", "2栋外墙瓷砖松动快掉下来了",
        "楼道里堆满了纸箱杂物，堵住了消防通道", "地下车库有电线裸露在外面",
    ]  # fmt: skip
    made = [await report(chat, user, text) for user, text in zip([R1] * 6, reports, strict=True)]
    assert len({t.id for t in made}) == 6
    await chat.press(WANG, card(chat, WANG, made[0].number).button("接单"))
    listing = (await chat.say(WANG, "/mytickets"))[-1]
    assert listing.text.startswith("📋 我的工单（共 6 张 · 第 1/2 页）")
    assert "【待接单】" in listing.text and "【处理中】" not in listing.text  # 待接单 first
    assert labels(listing)[-1] == texts.NEXT_PAGE and len(labels(listing)) == 6
    await chat.press(WANG, listing.button(texts.NEXT_PAGE), listing.message_id)
    assert "第 2/2 页" in listing.text and labels(listing)[-1] == texts.PREV_PAGE
    assert "【处理中】" in listing.text  # the claimed one is last
    _, sent = await chat.press(WANG, listing.button("📄"), listing.message_id)
    assert sent[0].text.startswith(f"🗂 {made[0].number} 的经过")
    assert sent[1].text.startswith(f"【新工单】{made[0].number}") and sent[1].buttons


async def test_the_queue_is_there_off_duty_and_claims_from_the_list(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG), ("张敏", ZHANG))
    clock.set(local(11, 28, 10))  # Saturday: nobody on duty, both reports wait in the queue
    first = await report(chat, R1)
    second = await report(chat, R2, LAMP, name="刘大爷")
    assert (await fetch(gridline, first.id)).status == TicketStatus.QUEUED
    queue = (await chat.say(WANG, "/queue"))[-1]
    assert queue.text.startswith("📥 网格待办（2 张") and texts.QUEUE_OFF_DUTY in queue.text
    assert labels(queue) == ["接单 0001", "接单 0002"]
    outcome, sent = await chat.press(WANG, queue.button("接单 0001"), queue.message_id)
    assert outcome.answer == texts.CLAIMED_TOAST
    assert labels(queue) == ["接单 0002"]  # the list is re-rendered in place
    assert any(m.chat_id == WANG and m.text.startswith(f"【新工单】{first.number}") for m in sent)
    assert any(m.chat_id == R1 and "已接单" in m.text for m in sent)
    assert (await fetch(gridline, second.id)).status == TicketStatus.QUEUED
    assert (await chat.say(ZHANG, "/queue"))[-1].text == texts.QUEUE_EMPTY  # another community
    assert (await chat.say("stranger", "/queue"))[-1].text == texts.NOT_A_WORKER


async def test_notes_stay_internal_and_show_in_the_history(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG), ("张敏", ZHANG))
    ticket = await report(chat, R1)
    before = len(chat.to(R1))
    sent = await chat.say(WANG, "/note 0001 居民白天不在家，晚上再去")
    assert [m.text for m in sent] == [texts.NOTE_SAVED.format(number=ticket.number)]
    assert len(chat.to(R1)) == before, "a note never reaches the resident"
    assert (await chat.say(WANG, "/note 0001"))[-1].text == texts.NOTE_USAGE
    history, shown = await chat.say(WANG, "/ticket 0001")
    assert "张女士反映：" + HAZARD in history.text
    assert "派给网格员王芳" in history.text
    assert "📝 网格员王芳备注：居民白天不在家，晚上再去" in history.text
    assert shown.text.startswith("【新工单】") and shown.buttons
    sent = await chat.say(ZHANG, f"/ticket {ticket.number}")  # not in 张敏's chain
    assert [m.text for m in sent] == [texts.TICKET_NOT_VISIBLE]
    assert (await chat.say(WANG, "/ticket 路灯"))[-1].text == texts.NUMBER_INVALID.format(
        query="路灯"
    )


async def test_an_ambiguous_tail_asks_and_the_pick_runs_once(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    clock.set(local(11, 26, 10))
    thursday = await report(chat, R1)
    clock.set(local(11, 27, 10))
    friday = await report(chat, R2, LAMP)
    assert (thursday.number, friday.number) == ("GL-20261126-0001", "GL-20261127-0001")
    which = (await chat.say(WANG, "/claim 1"))[-1]
    assert which.text == texts.WHICH_TICKET.format(query="1") and len(which.buttons) == 2
    pick = which.button(thursday.number)
    outcome, _ = await chat.press(WANG, pick, which.message_id)
    # The picker turns into the receipt of the command it ran.
    assert which.text == texts.CLAIMED_RECEIPT_CARD_UPDATED.format(number=thursday.number)
    assert (await fetch(gridline, thursday.id)).status == TicketStatus.CLAIMED
    assert (await fetch(gridline, friday.id)).status == TicketStatus.ASSIGNED
    outcome, sent = await chat.press(WANG, pick, which.message_id)
    assert outcome.answer == texts.ALREADY_DONE and not sent
    # Now only one of the two is open and unclaimed… but both are open: still ambiguous
    # for /ticket; the full date form is not.
    sent = await chat.say(WANG, "/ticket 20261127-1")
    assert sent[-1].text.startswith(f"【新工单】{friday.number}")


async def test_escalate_reaches_the_evening_officer_and_tells_everyone(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG), ("周婷", ZHOU))
    ticket = await report(chat, R1, NOISE)
    await chat.press(WANG, card(chat, WANG, ticket.number).button("接单"))
    sent = await chat.say(WANG, "/escalate 0001 需要社区出面调解")  # 10:00: 周婷 is off
    assert [m.text for m in sent] == [
        texts.ESCALATE_NOBODY.format(when="今天17:30", number=ticket.number)
    ]
    assert (await fetch(gridline, ticket.id)).assignee.name == "王芳"  # type: ignore[union-attr]

    clock.set(local(11, 27, 18))
    prompt = (await chat.say(WANG, "/escalate 0001"))[-1]
    assert prompt.text == texts.ESCALATE_PROMPT.format(number=ticket.number)
    _, sent = await chat.press(WANG, prompt.button(texts.ESCALATE_REASONS[1]), prompt.message_id)
    escalated = await fetch(gridline, ticket.id)
    assert escalated.assignee is not None and escalated.assignee.name == "周婷"
    assert escalated.status == TicketStatus.ASSIGNED and escalated.escalation_level == "community"
    officer_card = next(m for m in sent if m.chat_id == ZHOU)
    assert officer_card.text.startswith(
        texts.ESCALATED_MANUAL_HEADING.format(role="网格员", name="王芳",
                                              reason=texts.ESCALATE_REASONS[1])
    )  # fmt: skip
    assert labels(officer_card)[0] == "接单"
    assert [m.text for m in sent if m.chat_id == R1] == [
        texts.ESCALATED_RESIDENT.format(number=ticket.number, role="社区值班干部", name="周婷")
    ]
    assert prompt.text.startswith("⏫ 工单") and "周婷" in prompt.text  # the prompt's receipt
    assert texts.CARD_STATE_ASSIGNED_OTHER.format(name="周婷") in card(chat, WANG, "GL-").text
    async with gridline.sessions() as session:
        (event,) = (await session.scalars(select(TicketEvent).where(
            TicketEvent.kind == EventKind.ESCALATED))).all()  # fmt: skip
    assert event.data is not None and event.data["manual"] is True
    assert event.data["reason"] == texts.ESCALATE_REASONS[1]


async def test_transfer_with_the_picker_and_with_a_typed_grid(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG), ("李强", LI), ("张敏", ZHANG))
    ticket = await report(chat, R1)
    shown = card(chat, WANG, ticket.number)
    _, sent = await chat.press(WANG, shown.button("转派"), shown.message_id)
    picker = sent[-1]
    assert labels(picker) == ["→ 第二网格", "👤 网格员李强"]
    await chat.press(WANG, picker.button("李强"), picker.message_id)
    assert picker.text.startswith("↪️ 转派") and labels(picker) == list(texts.TRANSFER_REASONS)
    _, sent = await chat.press(WANG, picker.button(texts.TRANSFER_REASONS[2]), picker.message_id)
    moved = await fetch(gridline, ticket.id)
    assert moved.assignee is not None and moved.assignee.name == "李强"
    assert moved.grid.code == "CG-XF-01" and moved.status == TicketStatus.ASSIGNED
    assert next(m for m in sent if m.chat_id == LI).text.startswith(
        texts.TRANSFERRED_TO_YOU.format(name="王芳", reason=texts.TRANSFER_REASONS[2])
    )
    assert [m.text for m in sent if m.chat_id == R1] == [
        texts.TRANSFERRED_RESIDENT_TO.format(number=ticket.number, role="网格员", name="李强")
    ]
    assert texts.CARD_STATE_ASSIGNED_OTHER.format(name="李强") in shown.text

    # Typed, to another community, the reason asked for because it was left out.
    sent = await chat.say(WANG, f"/transfer {ticket.number} CG-DF-01")
    assert sent[-1].text.startswith("↪️ 转派") and "东风社区第一网格" in sent[-1].text
    sent = await chat.say(WANG, "地址在东风社区")
    moved = await fetch(gridline, ticket.id)
    assert moved.grid.code == "CG-DF-01" and moved.assignee.name == "张敏"  # type: ignore[union-attr]
    assert any(m.chat_id == ZHANG and "地址在东风社区" in m.text for m in sent)
    # 王芳's card: no longer hers to act on.
    assert "↪️ 由「城关镇东风社区第一网格」负责" in shown.text and not shown.buttons
    assert (await chat.say(WANG, "/transfer"))[-1].text == texts.TRANSFER_USAGE


async def test_merge_tells_each_resident_once_and_edits_both_cards(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    kept = await report(chat, R1, LAMP, name="刘大爷")
    duplicate = await report(chat, R2, "3栋门口路灯不亮，晚上黑乎乎的", name="陈女士")
    shown = card(chat, WANG, duplicate.number)
    _, sent = await chat.press(WANG, shown.button("并单"), shown.message_id)
    picker = sent[-1]
    assert labels(picker) == [f"并入 0001 · 刘先生 · {LAMP[:10]}…"]
    outcome, sent = await chat.press(WANG, picker.button("刘先生"), picker.message_id)
    assert outcome.answer == texts.MERGED_TOAST
    numbers = {"duplicate": duplicate.number, "kept": kept.number}
    assert [m.text for m in sent if m.chat_id == R2] == [texts.MERGED_RESIDENT.format(**numbers)]
    assert [m.text for m in sent if m.chat_id == R1] == [
        texts.MERGED_RESIDENT_KEPT.format(**numbers)
    ]
    assert texts.CARD_STATE_MERGED.format(number=kept.number) in shown.text and not shown.buttons
    merged = await fetch(gridline, duplicate.id)
    assert merged.status == TicketStatus.MERGED and merged.merged_into_id == kept.id
    assert texts.STATUS_NAMES[merged.status] == "已并入其他工单"
    async with gridline.sessions() as session:
        moved = await session.scalar(
            select(func.count()).select_from(InboundMessage)
            .where(InboundMessage.ticket_id == kept.id))  # fmt: skip
    assert moved == 2  # both reports now belong to the kept ticket
    # A stale tap (the picker again) merges nothing twice.
    outcome, sent = await chat.press(WANG, buttons.MERGE_INTO.data(duplicate.id, kept.id))
    assert outcome.answer == texts.TICKET_MERGED.format(number=kept.number) and not sent
    # 办结 of the kept ticket reaches the merged reporter too, once.
    sent = await chat.say(WANG, "/resolve 0001 物业已更换路灯")
    assert [m.text for m in sent if m.chat_id == R2] == [
        texts.RESOLVED_MERGED_RESIDENT.format(duplicate=duplicate.number, number=kept.number,
                                              result="物业已更换路灯")
    ]  # fmt: skip


async def test_merging_one_residents_two_reports_moves_the_thread(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    first = await report(chat, R1, LAMP)
    accepted = next(m for m in reversed(chat.to(R1)) if "已受理" in m.text)
    second = await report(chat, R1, "3栋门口路灯还是不亮")
    picker = (await chat.press(WANG, card(chat, WANG, first.number).button("并单")))[1][-1]
    _, sent = await chat.press(WANG, picker.button("0002"), picker.message_id)
    assert len([m for m in sent if m.chat_id == R1]) == 1  # one resident, one message
    await chat.press(WANG, card(chat, WANG, second.number).button("接单"))
    # The resident answers the old acceptance of the duplicate: it continues the kept one.
    sent = await chat.say(R1, "今晚还是黑的", reply_to=accepted.message_id)
    assert any(m.chat_id == WANG and f"【居民追加 {second.number}】" in m.text for m in sent)


async def test_a_stale_card_is_edited_when_someone_else_claims(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG), ("李强", LI))
    ticket = await report(chat, R1, "3栋楼道里着火了，好大的烟，快来人")
    assert ticket.emergency  # both on-duty workers of the community got the card
    wang_card, li_card = card(chat, WANG, ticket.number), card(chat, LI, ticket.number)
    claim = wang_card.button("接单")
    outcome, _ = await chat.press(LI, li_card.button("接单"), li_card.message_id)
    assert outcome.answer == texts.CLAIMED_TOAST
    assert texts.CARD_STATE_CLAIMED_OTHER.format(name="李强") in wang_card.text
    assert wang_card.buttons == [] and texts.CARD_REPLY_HINT not in wang_card.text
    assert texts.CARD_STATE_CLAIMED_YOU in li_card.text and "接单" not in labels(li_card)
    outcome, _ = await chat.press(WANG, claim, wang_card.message_id)  # an old client's tap
    assert outcome.answer == texts.TAKEN_BY.format(name="李强")
    outcome, _ = await chat.press(WANG, buttons.REPLY.data(ticket.id), wang_card.message_id)
    assert outcome.answer == texts.TAKEN_BY.format(name="李强")


async def test_cards_changed_elsewhere_are_edited_by_the_sweeper(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    ticket = await report(chat, R1)
    shown = card(chat, WANG, ticket.number)
    clock.advance(timedelta(minutes=5))
    # Withdrawn by another process that does not edit cards (a console, a script).
    async with gridline.sessions() as session:
        withdrawn = await session.get(Ticket, ticket.id)
        assert withdrawn is not None
        resident = await tickets.resident_of(session, withdrawn)
        assert await tickets.cancel(session, withdrawn, resident, clock.now())
        await session.commit()
    assert labels(shown), "nothing edited the card yet"
    clock.advance(timedelta(minutes=1))
    assert (await gridline.sweeper.sweep())["cards"] == 1
    await chat.deliver_pending()
    assert texts.CARD_STATE_CANCELLED in shown.text and not shown.buttons
    assert (await gridline.sweeper.sweep())["cards"] == 0  # once


async def test_a_resident_withdrawal_edits_the_card_at_once(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    ticket = await report(chat, R1)
    shown = card(chat, WANG, ticket.number)
    choice = (await chat.say(R1, "/cancel"))[-1]
    outcome, _ = await chat.press(R1, choice.button(ticket.number), choice.message_id)
    assert outcome.edit is not None
    confirm = Delivered(R1, outcome.edit.text, outcome.edit.buttons, choice.message_id)
    await chat.press(R1, confirm.button("确认撤销"), choice.message_id)
    assert texts.CARD_STATE_CANCELLED in shown.text and not shown.buttons


async def test_resolve_asks_for_a_result_and_a_double_press_resolves_once(
    gridline: Gridline,
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    ticket = await report(chat, R1)
    shown = card(chat, WANG, ticket.number)
    outcome, sent = await chat.press(WANG, shown.button("办结"), shown.message_id)
    assert outcome.answer == texts.RESOLVE_PROMPT_TOAST
    assert "满意" not in labels(chat.to(R1)[-1]), "no rating before the result is written"
    prompt = sent[-1]
    quick = prompt.button(texts.RESOLVE_RESULTS[0])
    _, sent = await chat.press(WANG, quick, prompt.message_id)
    (notice,) = [m for m in sent if m.chat_id == R1]
    assert notice.text == texts.RESOLVED_RESULT_RESIDENT.format(
        number=ticket.number, result=texts.RESOLVE_RESULTS[0]
    )
    assert prompt.text.startswith("☑️ 已办结") and not prompt.buttons
    assert texts.CARD_STATE_RESOLVED_BY.format(name="王芳") in shown.text and not shown.buttons
    outcome, sent = await chat.press(WANG, quick, prompt.message_id)
    assert outcome.answer == texts.TICKET_NOW_CLOSED.format(status="已办结") and not sent
    async with gridline.sessions() as session:
        resolved = await session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.kind == EventKind.RESOLVED))  # fmt: skip
    assert resolved == 1


async def test_onduty_at_night_lasts_until_the_shift_and_hands_over_one_message_each(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    clock.set(local(11, 27, 3))  # Friday 03:00
    first = await report(chat, R1, HAZARD)
    await report(chat, R1, "小区门口的井盖没了，晚上很危险")
    await report(chat, R1, "2栋外墙瓷砖松动快掉下来了")
    other = await report(chat, R2, LAMP, name="刘大爷")
    assert (await fetch(gridline, first.id)).status == TicketStatus.QUEUED
    residents_before = len(chat.to(R1)), len(chat.to(R2))

    sent = await chat.say(WANG, "/onduty")
    assert sent[0].text == texts.ON_DUTY.format(until="今天08:30")
    assert len([m for m in sent if m.chat_id == WANG and m.text.startswith("【新工单】")]) == 4
    assert sent[-1].text == texts.QUEUE_HANDED_OVER.format(count=4)
    (to_r1,) = [m for m in sent if m.chat_id == R1]
    (to_r2,) = [m for m in sent if m.chat_id == R2]
    assert to_r1.text == texts.HANDED_OVER_RESIDENT.format(
        numbers="GL-20261127-0001、GL-20261127-0002、GL-20261127-0003", role="网格员", name="王芳"
    )
    assert other.number in to_r2.text and "已派给网格员王芳" in to_r2.text
    assert "接手" not in to_r1.text + to_r2.text
    assert len(chat.to(R1)) == residents_before[0] + 1  # one handover message each
    assert len(chat.to(R2)) == residents_before[1] + 1

    # /offduty at 03:00 is over at 08:30: the day's shift still happens.
    sent = await chat.say(WANG, "/offduty")
    assert sent[-1].text == texts.OFF_DUTY.format(until="今天08:30")
    clock.set(local(11, 27, 10))
    await report(chat, R2, "地下车库有电线裸露在外面")
    async with gridline.sessions() as session:
        newest = await session.scalar(select(Ticket).order_by(Ticket.id.desc()).limit(1))
    assert newest is not None and newest.assignee is not None and newest.assignee.name == "王芳"
    status = (await chat.say(WANG, "/status"))[-1]
    assert status.text.startswith("当前状态：值班中（至今天17:30）")


async def test_ack_reminders_wait_for_the_shift_except_in_an_emergency(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    clock.set(local(11, 27, 17, 20))  # ten minutes before the end of her shift
    ticket = await report(chat, R1)
    clock.set(local(11, 27, 17, 36))  # overdue; she is off duty, nobody above her is on
    assert (await gridline.sweeper.sweep())["escalated"] == 0
    await chat.deliver_pending()
    assert not [m for m in chat.to(WANG) if "超时未接单" in m.text]
    held = await fetch(gridline, ticket.id)
    assert held.ack_due_at == local(11, 30, 8, 30)  # held until Monday's shift
    clock.set(local(11, 28, 3))  # Saturday 03:00: nothing wakes her
    await gridline.sweeper.sweep()
    await chat.deliver_pending()
    assert not [m for m in chat.to(WANG) if "超时未接单" in m.text]
    clock.set(local(11, 30, 8, 30))
    await gridline.sweeper.sweep()
    await chat.deliver_pending()
    reminders = [m for m in chat.to(WANG) if m.text.startswith("⏰ 工单")]
    assert [m.text for m in reminders] == [texts.ACK_REMINDER.format(number=ticket.number)]

    clock.set(local(11, 30, 17, 25))
    fire = await report(chat, R2, "3栋楼道里着火了，好大的烟，快来人")
    assert fire.emergency
    clock.set(local(11, 30, 17, 45))  # an emergency is not held: she is told off duty
    await gridline.sweeper.sweep()
    await chat.deliver_pending()
    assert any(m.text == texts.ACK_REMINDER.format(number=fire.number) for m in chat.to(WANG))


async def test_resolution_overdue_goes_to_whoever_is_on_duty_then_to_the_assignee(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG), ("周婷", ZHOU))
    clock.set(local(11, 26, 18))  # Thursday evening: 周婷 is on, 王芳 is off
    ticket = await report(chat, R1)
    await chat.say(WANG, f"/claim {ticket.number}")
    clock.set(local(11, 27, 18, 1))  # 24 hours later, Friday evening: she is off again
    assert (await gridline.sweeper.sweep())["overdue"] == 1
    await chat.deliver_pending()
    values = {"number": ticket.number, "priority": "黄色·较急", "hours": 24}
    assert chat.to(ZHOU)[-1].text == texts.RESOLUTION_OVERDUE_COVER.format(**values, name="王芳")
    assert not [m for m in chat.to(WANG) if "办结时限" in m.text]
    clock.set(local(11, 28, 10))  # the weekend: still held
    assert (await gridline.sweeper.sweep())["overdue"] == 0
    clock.set(local(11, 30, 8, 30))  # her shift: her own notice, once
    assert (await gridline.sweeper.sweep())["overdue"] == 1
    assert (await gridline.sweeper.sweep())["overdue"] == 0
    await chat.deliver_pending()
    assert chat.to(WANG)[-1].text == texts.RESOLUTION_OVERDUE.format(**values)


async def test_over_the_national_day_holiday_the_notice_waits_for_the_first_shift(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    clock.set(local(9, 30, 10))  # the last workday before 国庆
    ticket = await report(chat, R1)
    await chat.press(WANG, card(chat, WANG, ticket.number).button("接单"))
    for moment in (local(10, 1, 10, 1), local(10, 4, 3), local(10, 8, 8, 29)):
        clock.set(moment)
        assert (await gridline.sweeper.sweep())["overdue"] == 0, moment
    clock.set(local(10, 8, 8, 30))  # Thursday 8 October, the first shift after it
    assert (await gridline.sweeper.sweep())["overdue"] == 1
    await chat.deliver_pending()
    assert "已超过 24 小时办结时限" in chat.to(WANG)[-1].text


async def test_residents_and_strangers_cannot_use_worker_commands_or_buttons(
    gridline: Gridline,
) -> None:
    chat = await workday(gridline, ("王芳", WANG), ("张敏", ZHANG))
    ticket = await report(chat, R1)
    for command in ("/queue", "/mytickets", "/claim 0001", "/note 0001 x", "/escalate 0001 y"):
        assert (await chat.say(R1, command))[-1].text == texts.NOT_A_WORKER, command
    outcome, _ = await chat.press(R1, buttons.REPLY.data(ticket.id))
    assert outcome.answer == texts.CHOICE_EXPIRED
    outcome, _ = await chat.press("stranger", buttons.MERGE_INTO.data(ticket.id, ticket.id))
    assert outcome.answer == texts.CHOICE_EXPIRED
    # A worker of another community: forged taps are refused, nothing changes.
    for data in (buttons.CLAIM.data(ticket.id), buttons.REPLY.data(ticket.id),
                 buttons.RESOLVE.data(ticket.id), buttons.TRANSFER.data(ticket.id)):  # fmt: skip
        outcome, sent = await chat.press(ZHANG, data)
        assert outcome.answer == texts.TICKET_NOT_YOURS, data
        assert not [m for m in sent if m.chat_id == R1]
    # Someone else's kept text cannot be sent by pressing its button.
    asked = (await chat.say(WANG, "我马上到"))[-1]
    outcome, _ = await chat.press(ZHANG, asked.button("张女士"))
    assert outcome.answer == texts.CHOICE_EXPIRED
    assert (await fetch(gridline, ticket.id)).status == TicketStatus.ASSIGNED


async def test_the_resident_may_share_name_and_phone_for_one_ticket(gridline: Gridline) -> None:
    chat = await workday(gridline, ("王芳", WANG))
    ticket = await report(chat, R1, "楼道里有人给电瓶车充电，很危险，我电话13812345678")
    shown = card(chat, WANG, ticket.number)
    assert "138****5678" in shown.text and "13812345678" not in shown.text
    accepted = next(m for m in chat.to(R1) if ticket.number in m.text and "已受理" in m.text)
    outcome, _ = await chat.press(R1, accepted.button("姓名和电话"), accepted.message_id)
    assert outcome.answer == texts.IDENTITY_SHARED_TOAST
    assert "13812345678" in shown.text, "the card is edited at once"
    outcome, _ = await chat.press(R1, accepted.button("姓名和电话"), accepted.message_id)
    assert outcome.answer == texts.IDENTITY_ALREADY_SHARED
