from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.runtime.container import RASA_DEFAULTS, Gridline, build_parser
from core.clock import FixedClock
from county.categories import CATEGORY_OF_INTENT
from county.models import (
    EventKind,
    Ticket,
    TicketEvent,
    TicketStatus,
)
from handlers import texts
from messaging.inbound import Inbound
from messaging.models import InboundKind, InboundMessage
from nlu.models import LabelledExample
from tests.factories import demo_county
from tests.handlers.harness import Delivered, Harness

RESIDENT = "r-100"
WANG = "w-wangfang"  # 王芳: primary worker of 幸福社区第一网格
LI = "w-liqiang"  # 李强: backup worker of the same grid
HAZARD = "幸福小区3栋楼道里有人给电瓶车充电，很危险"


async def setup(gridline: Gridline) -> Harness:
    async with gridline.sessions() as session:
        await demo_county(session, gridline.clock.now())
    return Harness(gridline)


async def only_ticket(gridline: Gridline) -> Ticket:
    async with gridline.sessions() as session:
        found = (await session.scalars(select(Ticket))).all()
    assert len(found) == 1
    return found[0]


async def test_unbound_resident_binds_then_waiting_request_is_filed(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    sent = await chat.say(RESIDENT, HAZARD)
    assert texts.ASK_BIND_BEFORE_REQUEST in sent[-1].text
    assert await chat.inbound_count() == 2  # the worker's /start and the resident's request
    assert not chat.to(WANG)[1:], "nothing is routed before the resident is bound"

    sent = await chat.bind_demo_grid(RESIDENT)
    ticket = await only_ticket(gridline)
    assert ticket.category == "hazard" and ticket.summary == HAZARD
    assert ticket.status == TicketStatus.ASSIGNED
    acknowledgement = next(m for m in sent if m.chat_id == RESIDENT and "已受理" in m.text)
    assert ticket.number in acknowledgement.text and "王芳" in acknowledgement.text
    card = chat.to(WANG)[-1]
    assert ticket.number in card.text and HAZARD in card.text
    assert [[b.label for b in row] for row in card.buttons] == [
        ["接单", "回复"], ["转派", "并单", "办结"],
    ]  # fmt: skip


async def test_full_loop_claim_reply_followup_resolve_rate(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.bind_demo_grid(RESIDENT)
    await chat.say(RESIDENT, HAZARD)
    ticket = await only_ticket(gridline)
    card = chat.to(WANG)[-1]

    outcome, sent = await chat.press(WANG, card.button("接单"), card.message_id)
    assert outcome.answer == texts.CLAIMED_TOAST
    # The card is edited in place (through the outbox, like every card of the ticket).
    assert texts.CARD_STATE_CLAIMED_YOU in card.text
    assert [b.label for row in card.buttons for b in row] == [
        "回复",
        "转派",
        "升级",
        "并单",
        "办结",
    ]
    assert any("已接单" in m.text for m in sent if m.chat_id == RESIDENT)

    sent = await chat.say(WANG, "我下午三点过来看看", reply_to=card.message_id)
    relayed = next(m for m in sent if m.chat_id == RESIDENT)
    assert "我下午三点过来看看" in relayed.text and "王芳" in relayed.text

    sent = await chat.say(RESIDENT, "好的，我在家等你")
    assert any("好的，我在家等你" in m.text for m in sent if m.chat_id == WANG)
    assert any(ticket.number in m.text for m in sent if m.chat_id == RESIDENT)

    outcome, sent = await chat.press(WANG, card.button("办结"), card.message_id)
    assert outcome.answer == texts.RESOLVE_PROMPT_TOAST
    assert not [m for m in sent if m.chat_id == RESIDENT], "办结 first asks for the result"
    sent = await chat.say(WANG, "已把电瓶车移走，提醒了业主")
    notice = next(m for m in sent if m.chat_id == RESIDENT)
    assert "已办结" in notice.text and "办理结果：已把电瓶车移走，提醒了业主" in notice.text
    assert texts.CARD_STATE_RESOLVED_BY.format(name="王芳") in card.text and not card.buttons
    outcome, _ = await chat.press(RESIDENT, notice.button("满意"), notice.message_id)
    assert outcome.answer == texts.RATED
    outcome, _ = await chat.press(RESIDENT, notice.button("满意"), notice.message_id)
    assert outcome.answer == texts.ALREADY_RATED

    async with gridline.sessions() as session:
        kinds = [
            e.kind
            for e in (
                await session.scalars(
                    select(TicketEvent)
                    .where(TicketEvent.ticket_id == ticket.id)
                    .order_by(TicketEvent.id)
                )
            ).all()
        ]
        linked = await session.scalar(
            select(func.count())
            .select_from(InboundMessage)
            .where(InboundMessage.ticket_id == ticket.id)
        )
    assert kinds == [
        EventKind.CREATED,
        EventKind.ROUTED,
        EventKind.CLAIMED,
        EventKind.WORKER_MESSAGE,
        EventKind.RESIDENT_MESSAGE,
        EventKind.RESOLVED,
        EventKind.RATED,
    ]
    assert linked == 3  # the report, the worker's reply, the resident's follow-up

    # After resolution a new message is a new request, not part of the old thread.
    await chat.say(RESIDENT, "小区门口的井盖没了，晚上看不见很危险")
    async with gridline.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 2


async def test_unsure_model_asks_with_buttons_and_stores_the_label(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.bind_demo_grid(RESIDENT)
    sent = await chat.say(RESIDENT, "帮我看看这个事情")
    question = sent[-1]
    assert question.text in (texts.CHOOSE_CATEGORY, texts.CHOOSE_CATEGORY_AFTER_OUT_OF_SCOPE)
    labels = {b.label for row in question.buttons for b in row}
    requests = {texts.CATEGORY_NAMES[c] for c in CATEGORY_OF_INTENT.values()}
    assert requests | {texts.NONE_OF_THESE} == labels

    outcome, sent = await chat.press(RESIDENT, question.button("民政"), question.message_id)
    assert outcome.edit is not None and "民政" in outcome.edit.text
    assert any("已受理" in m.text for m in sent)
    outcome, _ = await chat.press(RESIDENT, question.button("民政"), question.message_id)
    assert outcome.answer is not None and "已经提交过" in outcome.answer
    async with gridline.sessions() as session:
        label = (await session.scalars(select(LabelledExample))).one()
        ticket = (await session.scalars(select(Ticket))).one()
    assert (label.text, label.intent, label.source) == (
        "帮我看看这个事情",
        "welfare",
        "resident_choice",
    )
    assert ticket.category == "welfare"


async def test_bad_input_gets_chinese_replies_and_is_stored(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.bind_demo_grid(RESIDENT)
    before = await chat.inbound_count()
    cases = [
        (InboundKind.STICKER, None, texts.UNSUPPORTED_KIND["sticker"]),
        (InboundKind.VOICE, None, texts.UNSUPPORTED_KIND["voice"]),
        (InboundKind.DOCUMENT, None, texts.UNSUPPORTED_KIND["document"]),
        (InboundKind.PHOTO, "", texts.PHOTO_WITHOUT_CAPTION),
        (InboundKind.TEXT, "   ", texts.EMPTY_TEXT),
    ]
    for kind, text, expected in cases:
        sent = (
            await chat.say(RESIDENT, text or "", kind=kind)
            if text is not None
            else (await chat.say(RESIDENT, "", kind=kind))
        )
        assert sent[-1].text == expected, kind
    long_text = "楼上漏水" * 1250  # 5 000 characters
    sent = await chat.say(RESIDENT, long_text)
    assert "5000" in sent[-1].text and "2000" in sent[-1].text
    sent = await chat.say(RESIDENT, "/frobnicate")
    assert "/frobnicate" in sent[-1].text and "/help" in sent[-1].text
    sent = await chat.say("stranger", "/start NOTACODE12")
    assert sent[-1].text == texts.INVITE_INVALID
    outcome, _ = await chat.press("stranger", "tk:claim:1")
    assert outcome.answer == texts.NOT_A_WORKER
    sent = await chat.say("stranger", "/onduty")
    assert sent[-1].text == texts.NOT_A_WORKER
    assert await chat.inbound_count() == before + 10
    async with gridline.sessions() as session:
        stored = (
            await session.scalars(select(InboundMessage).where(InboundMessage.text == long_text))
        ).one()
        assert stored.ticket_id is None
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 0


async def test_second_worker_cannot_claim_a_taken_ticket(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.register_worker("李强", LI)
    await chat.bind_demo_grid(RESIDENT)
    await chat.say(RESIDENT, HAZARD)
    card = chat.to(WANG)[-1]
    claim = card.button("接单")
    await chat.press(WANG, claim, card.message_id)
    outcome, _ = await chat.press(LI, claim)
    assert outcome.answer == texts.TAKEN_BY.format(name="王芳")
    outcome, _ = await chat.press(WANG, claim, card.message_id)  # a stale double press
    assert outcome.answer == texts.ALREADY_YOURS


async def test_queue_when_nobody_on_duty_then_handed_over_on_onduty(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.bind_demo_grid(RESIDENT)
    clock.advance(timedelta(days=1))  # Saturday: no shifts in the demo county
    sent = await chat.say(RESIDENT, HAZARD)
    ack = next(m.text for m in sent if "已受理" in m.text)
    assert "待办队列" in ack and "周一" in ack and "08:30" in ack
    # Off hours, the resident may book a visit instead of waiting for Monday.
    assert sent[-1].text == texts.APPOINTMENT_OFF_HOURS and len(sent[-1].buttons) == 4
    assert sent[-1].buttons[-1][0].label == texts.APPOINTMENT_NOT_NEEDED_BUTTON
    assert (await only_ticket(gridline)).status == TicketStatus.QUEUED

    sent = await chat.say(WANG, "/onduty")  # Saturday 10:00, no shift: covering, 12 hours
    assert any(m.text == texts.ON_DUTY.format(until="今天22:00") for m in sent)
    assert any("【新工单】" in m.text for m in sent if m.chat_id == WANG)
    (notice,) = [m for m in sent if m.chat_id == RESIDENT]
    assert "已派给网格员王芳" in notice.text and "接手" not in notice.text
    assert (await only_ticket(gridline)).status == TicketStatus.ASSIGNED

    sent = await chat.say(WANG, "/offduty")  # off until her next shift begins
    assert sent[-1].text == texts.OFF_DUTY.format(until="11月30日（周一）08:30")


async def test_offduty_worker_is_skipped_for_backup(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.register_worker("李强", LI)
    await chat.say(WANG, "/offduty")
    await chat.bind_demo_grid(RESIDENT)
    await chat.say(RESIDENT, HAZARD)
    ticket = await only_ticket(gridline)
    assert ticket.assignee is not None and ticket.assignee.name == "李强"
    assert any("【新工单】" in m.text for m in chat.to(LI))


async def test_status_and_cancel(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.bind_demo_grid(RESIDENT)
    sent = await chat.say(RESIDENT, "/status")
    assert sent[-1].text == texts.STATUS_NONE
    await chat.say(RESIDENT, HAZARD)
    ticket = await only_ticket(gridline)
    sent = await chat.say(RESIDENT, "/status")
    assert ticket.number in sent[-1].text and "安全隐患" in sent[-1].text
    sent = await chat.say(RESIDENT, "/cancel")
    choice = sent[-1]
    assert ticket.summary[:12] in choice.buttons[0][0].label  # each ticket with its words
    outcome, _ = await chat.press(RESIDENT, choice.button(ticket.number), choice.message_id)
    assert outcome.edit is not None and "确定要撤销" in outcome.edit.text
    assert (await only_ticket(gridline)).is_open  # nothing happens before the confirmation
    confirm = Delivered(RESIDENT, outcome.edit.text, outcome.edit.buttons, choice.message_id)
    outcome, _ = await chat.press(RESIDENT, confirm.button("不撤销"), choice.message_id)
    assert outcome.edit is not None and "继续处理" in outcome.edit.text
    assert (await only_ticket(gridline)).is_open
    outcome, _ = await chat.press(RESIDENT, confirm.button("确认撤销"), choice.message_id)
    assert outcome.answer == texts.TICKET_CANCELLED.format(number=ticket.number)
    assert (await only_ticket(gridline)).status == TicketStatus.CANCELLED
    outcome, _ = await chat.press(RESIDENT, confirm.button("确认撤销"), choice.message_id)
    assert outcome.answer is not None and "无法撤销" in outcome.answer


async def test_worker_registration_outcomes(gridline: Gridline) -> None:
    chat = await setup(gridline)
    sent = await chat.register_worker("王芳", WANG)
    assert "王芳" in sent[-1].text and "幸福社区第一网格" in sent[-1].text
    sent = await chat.register_worker("王芳", WANG)  # a fresh code, same person again
    assert "王芳" in sent[-1].text
    sent = await chat.register_worker("李强", WANG)  # one phone cannot be two workers
    assert sent[-1].text == texts.ACCOUNT_TAKEN.format(name="王芳")
    sent = await chat.say(WANG, "/help")
    assert sent[-1].text == texts.HELP_WORKER


async def test_location_binds_to_nearest_grid(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.say(RESIDENT, "/start")
    _, sent = await chat.hand_in(
        Inbound(
            channel="test",
            user_id=RESIDENT,
            chat_id=RESIDENT,
            kind=InboundKind.LOCATION,
            latitude=30.8960,
            longitude=113.8770,
        )
    )
    assert "向阳村第一网格" in sent[-1].text


async def test_a_failing_handler_apologises_and_keeps_the_message(
    gridline: Gridline, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = await setup(gridline)

    async def broken(*args: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("handlers.resident.handle", broken)
    outcome, sent = await chat.hand_in(
        Inbound(
            channel="test",
            user_id=RESIDENT,
            chat_id=RESIDENT,
            kind=InboundKind.TEXT,
            text="井盖没了",
        )
    )
    assert outcome.error == texts.SORRY and not sent
    async with gridline.sessions() as session:
        stored = (await session.scalars(select(InboundMessage))).one()
    assert stored.text == "井盖没了"


async def test_rasa_backend_down_falls_back_to_buttons(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.bind_demo_grid(RESIDENT)
    settings = gridline.settings.model_copy(
        update={"nlu_backend": "rasa", "rasa_url": "http://127.0.0.1:9", "rasa_timeout_seconds": 2}
    )
    parser, thresholds = await build_parser(settings, gridline.sessions, gridline.clock)
    assert thresholds == RASA_DEFAULTS
    gridline.conversation.services.parser = parser
    question = (await chat.say(RESIDENT, HAZARD))[-1]
    assert question.text == texts.CHOOSE_CATEGORY
    assert len([b for row in question.buttons for b in row]) == 5  # four categories + none
    _, sent = await chat.press(RESIDENT, question.button("安全隐患"), question.message_id)
    assert any("已受理" in m.text for m in sent)
    assert (await only_ticket(gridline)).category == "hazard"


async def test_a_photo_report_reaches_the_worker_before_the_card(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.bind_demo_grid(RESIDENT)
    _, sent = await chat.hand_in(Inbound(channel="test", user_id=RESIDENT, chat_id=RESIDENT,
                                      kind=InboundKind.PHOTO, text=HAZARD,
                                      attachment={"file_id": "PHOTO-1"}))  # fmt: skip
    ticket = await only_ticket(gridline)
    assert ticket.photo == {"channel": "test", "file_id": "PHOTO-1"}
    to_worker = [m for m in sent if m.chat_id == WANG]
    assert to_worker[0].photo == ticket.photo
    assert to_worker[0].text == texts.CARD_PHOTO_CAPTION.format(number=ticket.number)
    assert to_worker[1].text.startswith("【新工单】") and to_worker[1].photo is None


@pytest.mark.parametrize("emoji", ["👍", "🔥", "？？", "🙏🙏"])
async def test_emoji_alone_gets_a_brief_answer_not_the_category_picker(
    gridline: Gridline, emoji: str
) -> None:
    chat = await setup(gridline)
    await chat.bind_demo_grid(RESIDENT)
    sent = await chat.say(RESIDENT, emoji)
    assert [m.text for m in sent] == [texts.NO_WORDS]
    assert await chat.inbound_count() > 0  # stored all the same


async def test_a_time_in_a_complaint_is_not_a_wanted_time(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.bind_demo_grid(RESIDENT)
    await chat.say(RESIDENT, "楼上那家天天半夜蹦迪，吵得人睡不着，说了也不听")
    ticket = await only_ticket(gridline)
    assert ticket.appointment_at is None
    assert "期望时间" not in chat.to(WANG)[-1].text


async def test_the_off_hours_offer_comes_once_and_never_for_red(
    gridline: Gridline, clock: FixedClock
) -> None:
    clock.set(clock.now().replace(hour=22))  # Friday night: queued
    chat = await setup(gridline)
    await chat.bind_demo_grid(RESIDENT)
    first = await chat.say(RESIDENT, "小区门口的路灯坏了好几天了")
    assert first[-1].text == texts.APPOINTMENT_OFF_HOURS
    outcome, _ = await chat.press(
        RESIDENT, first[-1].button(texts.APPOINTMENT_NOT_NEEDED_BUTTON), first[-1].message_id
    )
    assert outcome.edit is not None and "不预约" in outcome.edit.text
    clock.advance(timedelta(hours=1))
    second = await chat.say(RESIDENT, "楼道里的垃圾好几天没人清了")
    assert texts.APPOINTMENT_OFF_HOURS not in [m.text for m in second]


PROBLEMS = [
    "小区门口的井盖没了，晚上很危险",
    "楼上邻居天天把垃圾扔到楼道里",
    "我想问一下高龄津贴怎么申请",
    "村口的路灯坏了一个多星期",
    "隔壁在楼道里堆了很多纸箱",
    "我家老人想办残疾证，要带什么材料",
    "小区后门的围墙裂了一道缝",
]


async def test_status_pages_open_tickets_first_and_shows_a_history(
    gridline: Gridline, clock: FixedClock
) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    await chat.bind_demo_grid(RESIDENT)
    for text in PROBLEMS:
        await chat.say(RESIDENT, text)
        clock.advance(timedelta(hours=1))  # beyond the follow-up window: separate problems
    async with gridline.sessions() as session:
        found = list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())
    assert len(found) == len(PROBLEMS)
    first = found[0]
    await chat.say(WANG, f"/resolve {first.number} 已经换了新井盖")  # the oldest is resolved
    page = (await chat.say(RESIDENT, "/status"))[-1]
    assert "还有 2 条" in page.text
    assert first.number not in page.text  # open tickets come first, the resolved one last
    outcome, _ = await chat.press(RESIDENT, page.button("下一页"), page.message_id)
    assert outcome.edit is not None and first.number in outcome.edit.text
    assert "已办结" in outcome.edit.text and "还有" not in outcome.edit.text
    second = Delivered(RESIDENT, outcome.edit.text, outcome.edit.buttons, page.message_id)
    _, sent = await chat.press(RESIDENT, second.button(first.number), page.message_id)
    record = sent[-1].text
    assert record.startswith(f"工单 {first.number}（安全隐患）办理记录")
    for step in ("受理：小区门口的井盖没了", "派给网格员王芳", "网格员王芳办结"):
        assert step in record, step


async def test_grids_show_what_they_cover_and_a_place_name_finds_them(
    gridline: Gridline,
) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    prompt = (await chat.say(RESIDENT, "/start"))[-1]
    outcome, _ = await chat.press(RESIDENT, prompt.button("幸福社区"), prompt.message_id)
    assert outcome.edit is not None
    labels = [b.label for row in outcome.edit.buttons for b in row]
    assert labels[0].startswith("第一网格（幸福小区1–6栋")

    # Typing where they live is an answer, not a request to file later.
    sent = await chat.say(RESIDENT, "我住东风新村")
    named = sent[-1]
    assert texts.ASK_BIND_FROM_PLACE in named.text
    assert named.buttons[0][0].label.startswith("东风社区第二网格（东风新村")
    outcome, _ = await chat.press(RESIDENT, named.buttons[0][0].data, named.message_id)
    assert outcome.edit is not None and "东风社区第二网格" in outcome.edit.text
    async with gridline.sessions() as session:
        assert (await session.scalar(select(func.count()).select_from(Ticket))) == 0


async def test_a_request_before_binding_offers_the_grids_it_names(gridline: Gridline) -> None:
    chat = await setup(gridline)
    await chat.register_worker("王芳", WANG)
    sent = await chat.say(RESIDENT, "幸福小区3栋楼道里的灯坏了好几天")
    ask = sent[-1]
    assert texts.ASK_BIND_BEFORE_REQUEST in ask.text and texts.GRIDS_NAMED in ask.text
    assert "幸福小区1–6栋" in ask.buttons[0][0].label
    _, sent = await chat.press(RESIDENT, ask.buttons[0][0].data, ask.message_id)
    assert any("已受理" in m.text for m in sent)  # the waiting request is filed on binding
    assert (await only_ticket(gridline)).grid.code == "CG-XF-01"
