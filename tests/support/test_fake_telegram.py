"""Tests of the fake Telegram server itself, driven by real PTB objects.

They pin down the behaviour the Gridline end-to-end tests rely on: PTB must be able to
talk to the fake unmodified, and the fake must reject what Telegram rejects.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, InvalidToken
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from .fake_telegram import BOT_USER, FakeTelegramServer, SentMessage

RESIDENT = 4242
OTHER_RESIDENT = 5151


_Handler = BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]


@asynccontextmanager
async def polling_app(
    tg: FakeTelegramServer, handlers: list[_Handler]
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """A real PTB Application polling the fake, stopped in the documented order."""
    app = (
        ApplicationBuilder()
        .token(tg.token)
        .base_url(tg.base_url)
        .base_file_url(tg.base_file_url)
        .build()
    )
    for handler in handlers:
        app.add_handler(handler)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_bot_send_edit_and_telegram_validation() -> None:
    async with FakeTelegramServer() as tg:
        # A user must have talked to the bot before it can message them.
        greeting = tg.push_text(RESIDENT, "你好", first_name="张三", username="zhangsan")
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            me = await bot.get_me()
            assert (me.id, me.username, me.first_name) == (
                999000,
                "gridline_test_bot",
                "网格直通车",
            )

            markup = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton("确认上报", callback_data="report:confirm"),
                        InlineKeyboardButton("取消", callback_data="report:cancel"),
                    ],
                    [InlineKeyboardButton("办事指南", url="https://example.org/guide")],
                ]
            )
            sent = await bot.send_message(
                RESIDENT,
                "请确认您的上报",
                reply_markup=markup,
                reply_to_message_id=greeting["message_id"],
            )
            # What PTB parsed from the fake's answer.
            assert sent.chat.id == RESIDENT
            assert sent.chat.first_name == "张三"
            assert sent.from_user is not None and sent.from_user.id == BOT_USER["id"]
            assert sent.reply_markup == markup
            assert sent.reply_to_message is not None
            assert sent.reply_to_message.text == "你好"
            assert sent.message_id == greeting["message_id"] + 1  # one global counter

            # What the fake recorded.
            [recorded] = tg.sent_messages(RESIDENT)
            assert recorded.text == "请确认您的上报"
            assert recorded.buttons == [
                [("确认上报", "report:confirm"), ("取消", "report:cancel")],
                [("办事指南", "")],
            ]
            assert recorded.reply_to_message_id == greeting["message_id"]
            assert recorded.button_data("取消") == "report:cancel"
            with pytest.raises(AssertionError, match="no callback button"):
                recorded.button_data("办事")  # URL buttons carry no callback data
            method, params = tg.requests[-1]
            assert method == "sendMessage"
            assert params["chat_id"] == RESIDENT  # decoded from the form string "4242"
            assert params["reply_markup"]["inline_keyboard"][0][0]["text"] == "确认上报"

            edited = await bot.edit_message_text(
                "已确认", chat_id=RESIDENT, message_id=sent.message_id
            )
            assert edited.edit_date is not None
            assert edited.reply_markup is None  # Telegram drops the keyboard on edit
            [recorded] = tg.sent_messages(RESIDENT)
            assert (recorded.text, recorded.edits, recorded.buttons) == (
                "已确认",
                ["请确认您的上报"],
                [],
            )

            with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
                await bot.edit_message_text("已确认", chat_id=RESIDENT, message_id=sent.message_id)
            with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
                await bot.edit_message_text("x", chat_id=RESIDENT, message_id=9999)
            with pytest.raises(BadRequest, match=r"(?i)message can't be edited"):
                await bot.edit_message_text(
                    "x", chat_id=RESIDENT, message_id=greeting["message_id"]
                )

            assert (await bot.send_message(RESIDENT, "a" * 4096)).text == "a" * 4096
            with pytest.raises(BadRequest, match=r"(?i)message is too long"):
                await bot.send_message(RESIDENT, "a" * 4097)
            with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
                await bot.send_message(RESIDENT, "  \n ")
            with pytest.raises(BadRequest, match=r"(?i)chat not found"):
                await bot.send_message(OTHER_RESIDENT, "还没说过话的居民")
            # 22 Chinese characters are 66 UTF-8 bytes: the limit is bytes, not chars.
            too_long_data = InlineKeyboardMarkup(
                [[InlineKeyboardButton("按钮", callback_data="网" * 22)]]
            )
            with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
                await bot.send_message(RESIDENT, "按钮太长", reply_markup=too_long_data)

            rejected = [(r.method, r.error_code) for r in tg.rejected_requests]
            assert rejected == [
                ("editMessageText", 400),
                ("editMessageText", 400),
                ("editMessageText", 400),
                ("sendMessage", 400),
                ("sendMessage", 400),
                ("sendMessage", 400),
                ("sendMessage", 400),
            ]
            # Rejected sends leave no trace in the chat.
            assert [m.text[:5] for m in tg.sent_messages(RESIDENT)] == ["已确认", "aaaaa"]

            with pytest.raises(EndPointNotFound):
                await bot.do_api_request("sendTelepathy")

        with pytest.raises(InvalidToken):
            # Bot.__aenter__ calls get_me and shuts the HTTP client down when it fails.
            async with Bot("654321:WRONG-TOKEN", base_url=tg.base_url):
                pass
        assert tg.rejected_requests[-1].error_code == 401


async def test_method_names_are_case_insensitive_and_json_bodies_work() -> None:
    async with FakeTelegramServer() as tg:
        tg.push_text(RESIDENT, "hi")
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{tg.base_url}{tg.token}/SENDMESSAGE",
                json={"chat_id": RESIDENT, "text": "123", "disable_notification": True},
            )
        body = response.json()
        assert response.status_code == 200, body
        assert body["result"]["text"] == "123"
        assert tg.requests[-1] == (
            "sendMessage",
            {"chat_id": RESIDENT, "text": "123", "disable_notification": True},
        )


async def test_html_parse_mode_is_checked_like_telegram() -> None:
    async with FakeTelegramServer() as tg:
        tg.push_text(RESIDENT, "hi")
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            sent = await bot.send_message(
                RESIDENT,
                "<b>工单 #12</b> 已受理 &lt;城东网格&gt;\n",
                parse_mode=ParseMode.HTML,
            )
            assert sent.text == "工单 #12 已受理 <城东网格>"
            assert sent.text_html == "<b>工单 #12</b> 已受理 &lt;城东网格&gt;"
            assert tg.sent_messages(RESIDENT)[-1].text == "工单 #12 已受理 <城东网格>"

            # Unescaped user input is the classic HTML bug; Telegram rejects it.
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(RESIDENT, "面积 < 5 亩", parse_mode=ParseMode.HTML)
            with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
                await bot.send_message(RESIDENT, "<b>未闭合", parse_mode=ParseMode.HTML)

            # Only the visible text counts towards the 4096 limit.
            long_html = "<b>" + "字" * 4096 + "</b>"
            accepted = await bot.send_message(RESIDENT, long_html, parse_mode=ParseMode.HTML)
            assert len(accepted.text or "") == 4096


async def test_commands_documents_and_files() -> None:
    async with FakeTelegramServer() as tg:
        tg.push_text(RESIDENT, "hi")
        async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url) as bot:
            commands = [BotCommand("start", "开始使用"), BotCommand("report", "上报问题")]
            assert await bot.set_my_commands(commands)
            assert list(await bot.get_my_commands()) == commands
            with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
                await bot.set_my_commands([BotCommand("Start", "大写不行")])
            assert await bot.delete_my_commands()
            assert list(await bot.get_my_commands()) == []

            payload = "网格,事件数\n城东,3\n".encode()
            message = await bot.send_document(
                RESIDENT, document=payload, filename="周报.csv", caption="本周统计"
            )
            assert message.document is not None
            assert message.document.file_name == "周报.csv"
            [document] = tg.documents_sent(RESIDENT)
            assert (document.filename, document.content, document.caption) == (
                "周报.csv",
                payload,
                "本周统计",
            )
            assert document.mime_type == "text/csv"
            assert tg.sent_messages(RESIDENT)[-1].text == "本周统计"

            # Files users send can be downloaded through getFile + base_file_url.
            pushed = tg.push_voice(RESIDENT, content=b"OggS-voice-bytes")
            telegram_file = await bot.get_file(pushed["voice"]["file_id"])
            assert bytes(await telegram_file.download_as_bytearray()) == b"OggS-voice-bytes"

            assert await bot.send_chat_action(RESIDENT, "typing")
            ok = await bot.send_message(
                RESIDENT, "菜单", reply_markup=ReplyKeyboardMarkup([["上报"]])
            )
            assert ok.reply_markup is None  # Telegram never echoes reply keyboards
            assert tg.sent_messages(RESIDENT)[-1].reply_keyboard == [["上报"]]


async def test_get_updates_long_poll_offsets_and_media_payloads() -> None:
    async with FakeTelegramServer() as tg:
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            assert await bot.get_updates(timeout=0) == ()

            # A long poll returns as soon as an update is pushed, not after its timeout.
            started = time.monotonic()
            poll = asyncio.create_task(bot.get_updates(timeout=20))
            await tg.wait_for_long_poll(timeout=5)
            tg.push_text(RESIDENT, "/start abc")
            [update] = await asyncio.wait_for(poll, 5)
            assert time.monotonic() - started < 5
            assert update.message is not None
            assert update.message.text == "/start abc"
            assert update.message.entities[0].type == "bot_command"
            assert update.message.entities[0].length == len("/start")

            # Not confirmed yet: the same update comes again, then an offset drops it.
            [again] = await bot.get_updates(timeout=0)
            assert again.update_id == update.update_id
            await tg.wait_until_consumed(timeout=1)

            tg.push_sticker(RESIDENT)
            tg.push_voice(RESIDENT, duration=7)
            tg.push_document(RESIDENT, caption="低保申请表", file_name="申请.pdf")
            tg.push_photo(RESIDENT, caption="路灯坏了")
            tg.push_location(RESIDENT, 30.27, 120.15)
            tg.push_text(RESIDENT, "/开始")  # not a command for Telegram
            updates = await bot.get_updates(offset=update.update_id + 1, limit=3, timeout=0)
            assert len(updates) == 3
            updates += await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            messages = [u.message for u in updates if u.message is not None]
            assert len(messages) == 6
            sticker, voice, document, photo, location, not_command = messages
            assert sticker.sticker is not None and sticker.sticker.width == 512
            assert voice.voice is not None and voice.voice.mime_type == "audio/ogg"
            assert voice.voice.to_dict()["duration"] == 7
            assert document.document is not None
            assert document.document.file_name == "申请.pdf"
            assert document.document.mime_type == "application/pdf"
            assert document.caption == "低保申请表"
            assert [size.width for size in photo.photo] == [90, 320, 1280]
            assert location.location is not None
            assert location.location.latitude == pytest.approx(30.27)
            assert not_command.entities == ()
            assert len({m.message_id for m in messages}) == 6
            await tg.wait_until_consumed(timeout=1)
            await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
            assert await bot.get_updates(timeout=0) == ()

            # Like Telegram, a second poller terminates the first with 409 Conflict.
            first_poller = asyncio.create_task(bot.get_updates(timeout=20))
            await tg.wait_for_long_poll(timeout=5)
            async with Bot(tg.token, base_url=tg.base_url) as second_bot:
                assert await second_bot.get_updates(timeout=0) == ()
            with pytest.raises(Conflict):
                await asyncio.wait_for(first_poller, 5)

        # Shutting the fake down releases a pending long poll at once.
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            hanging = asyncio.create_task(bot.get_updates(timeout=30))
            await tg.wait_for_long_poll(timeout=5)
            started = time.monotonic()
            await tg.__aexit__(None, None, None)
            assert await asyncio.wait_for(hanging, 5) == ()
            assert time.monotonic() - started < 3


async def test_wait_helpers_fail_with_a_useful_message() -> None:
    async with FakeTelegramServer() as tg:
        tg.push_text(RESIDENT, "hi")
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            await bot.send_message(RESIDENT, "第一条")
            first = await tg.wait_for_message(RESIDENT)
            assert first.text == "第一条"
            with pytest.raises(AssertionError) as failure:
                await tg.wait_for_message(RESIDENT, contains="第二条", timeout=0.2)
            assert "'第一条' [already returned]" in str(failure.value)
            with pytest.raises(AssertionError, match="never pressed"):
                await tg.wait_for_callback_answer("nope", timeout=0.1)
            with pytest.raises(AssertionError, match="never called getUpdates"):
                await tg.wait_until_consumed(timeout=0.1)
            with pytest.raises(AssertionError, match="no bot message 12345"):
                tg.press_button(RESIDENT, 12345, "x")


async def test_application_polling_end_to_end() -> None:
    start_args: list[list[str]] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        start_args.append(list(context.args or []))
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("城东网格", callback_data="grid:east")],
                [InlineKeyboardButton("城西网格", callback_data="grid:west")],
            ]
        )
        await update.message.reply_text(f"欢迎！参数: {context.args}", reply_markup=keyboard)

    replied_to: list[int | None] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        original = update.message.reply_to_message
        replied_to.append(original.message_id if original is not None else None)
        await update.message.reply_text(f"收到: {update.message.text}", do_quote=True)

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer(f"已选 {query.data}")
        await query.edit_message_text(f"您选择了 {query.data}")

    handlers: list[_Handler] = [
        CommandHandler("start", start),
        MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
        CallbackQueryHandler(choose, pattern=r"^grid:"),
    ]
    async with FakeTelegramServer() as tg, polling_app(tg, handlers):
        tg.push_text(RESIDENT, "/start abc")
        welcome = await tg.wait_for_message(RESIDENT, contains="欢迎")
        assert start_args == [["abc"]]  # the bot_command entity reached CommandHandler
        assert welcome.button_data("城西") == "grid:west"

        question = tg.push_text(RESIDENT, "垃圾清运几点？")
        reply = await tg.wait_for_message(RESIDENT, contains="收到")
        assert reply.text == "收到: 垃圾清运几点？"
        assert reply.reply_to_message_id == question["message_id"]

        # Replying to the bot's own message embeds it, as Telegram does.
        tg.push_text(RESIDENT, "这条是回复", reply_to_message_id=welcome.message_id)
        await tg.wait_for_message(RESIDENT, contains="这条是回复")
        assert replied_to == [None, welcome.message_id]

        query_id = tg.press_button(RESIDENT, welcome.message_id, welcome.button_data("城东"))
        answer = await tg.wait_for_callback_answer(query_id)
        assert answer == {
            "text": "已选 grid:east",
            "show_alert": False,
            "url": None,
            "cache_time": None,
        }
        edited = await tg.wait_for_edit(RESIDENT, welcome.message_id, contains="您选择了")
        assert edited.text == "您选择了 grid:east"
        assert edited.edits == [welcome.text]

        # The edit removed the keyboard, so even the old button can't be pressed anymore.
        with pytest.raises(AssertionError, match="no inline button"):
            tg.press_button(RESIDENT, welcome.message_id, "grid:west")
        with pytest.raises(AssertionError, match="no inline button"):
            tg.press_button(RESIDENT, welcome.message_id, "grid:north")

        # A stale tap can still be forced; the bot's handler answers and edits again.
        stale = tg.press_button(RESIDENT, welcome.message_id, "grid:west", force=True)
        await tg.wait_for_callback_answer(stale)
        await tg.wait_for_edit(RESIDENT, welcome.message_id)
        await tg.wait_until_consumed()

        def is_welcome(message: SentMessage) -> bool:
            return message.message_id == welcome.message_id

        assert next(m for m in tg.sent_messages(RESIDENT) if is_welcome(m)).edits == [
            welcome.text,
            "您选择了 grid:east",
        ]

    methods = {method for method, _ in tg.requests}
    assert {"getMe", "deleteWebhook", "getUpdates", "answerCallbackQuery"} <= methods
    assert tg.internal_errors == []
