"""Telegram ⇄ conversation core: turn updates into `Inbound`, send outbox messages."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    Update,
)
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from handlers import texts
from handlers.conversation import Conversation
from handlers.messages import Outcome
from messaging.delivery import DeliveryError, OutboxDispatcher
from messaging.inbound import Inbound
from messaging.keyboard import Keyboard
from messaging.models import InboundKind

log = logging.getLogger(__name__)

CHANNEL = "telegram"
CAPTION_LIMIT = 1024  # Telegram's limit for a photo caption


def markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in buttons]
    )


def display_name(update: Update) -> str | None:
    user = update.effective_user
    return user.full_name if user else None


def inbound_from_message(update: Update, message: Message) -> Inbound:
    user = update.effective_user
    assert user is not None
    base = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "chat_id": str(message.chat_id),
        "display_name": display_name(update),
        "message_id": str(message.message_id),
        "reply_to_message_id": (
            str(message.reply_to_message.message_id) if message.reply_to_message else None
        ),
    }
    if message.text is not None:
        kind = InboundKind.COMMAND if message.text.startswith("/") else InboundKind.TEXT
        return Inbound(kind=kind, text=message.text, **base)
    if message.location is not None:
        return Inbound(
            kind=InboundKind.LOCATION,
            latitude=message.location.latitude,
            longitude=message.location.longitude,
            **base,
        )
    if message.photo:
        largest = message.photo[-1]
        return Inbound(
            kind=InboundKind.PHOTO,
            text=message.caption,
            attachment={
                "file_id": largest.file_id,
                "width": largest.width,
                "height": largest.height,
            },
            **base,
        )
    for kind, attachment in (
        (InboundKind.STICKER, message.sticker),
        (InboundKind.VOICE, message.voice),
        (InboundKind.AUDIO, message.audio),
        (InboundKind.VIDEO, message.video or message.video_note),
        (InboundKind.DOCUMENT, message.document),
        (InboundKind.CONTACT, message.contact),
    ):
        if attachment is not None:
            file_id = getattr(attachment, "file_id", None)
            return Inbound(
                kind=kind,
                text=message.caption,
                attachment={"file_id": file_id} if file_id else None,
                **base,
            )
    return Inbound(kind=InboundKind.OTHER, text=message.caption, **base)


class TelegramChannel:
    name = CHANNEL

    def __init__(
        self,
        conversation: Conversation,
        dispatcher: OutboxDispatcher,
        *,
        token: str,
        base_url: str,
        poll_timeout: int,
    ) -> None:
        self.conversation = conversation
        self.dispatcher = dispatcher
        self.poll_timeout = poll_timeout
        self.application: Application = ApplicationBuilder().token(token).base_url(base_url).build()
        self.application.add_handler(
            MessageHandler(filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE, self.on_message)
        )
        self.application.add_handler(CallbackQueryHandler(self.on_button))
        self.application.add_error_handler(self.on_error)

    async def send(
        self, chat_id: str, text: str, buttons: Keyboard, photo: dict[str, Any] | None
    ) -> str:
        bot = self.application.bot
        try:
            if photo is not None and photo.get("channel") == CHANNEL:
                sent = await bot.send_photo(
                    chat_id=int(chat_id), photo=photo["file_id"], caption=text[:CAPTION_LIMIT],
                    reply_markup=markup(buttons),
                )  # fmt: skip
            else:
                if photo is not None:
                    text = f"{text}\n{texts.PHOTO_ON_OTHER_CHANNEL}"
                sent = await bot.send_message(
                    chat_id=int(chat_id), text=text, reply_markup=markup(buttons)
                )
        except (Forbidden, ChatMigrated) as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except BadRequest as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(str(exc), permanent=False) from exc
        return str(sent.message_id)

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Keyboard) -> None:
        try:
            await self.application.bot.edit_message_text(
                chat_id=int(chat_id), message_id=int(message_id), text=text,
                reply_markup=markup(buttons),
            )  # fmt: skip
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return  # already showing this: what the edit wanted
            raise DeliveryError(str(exc), permanent=True) from exc
        except (Forbidden, ChatMigrated) as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramError as exc:
            raise DeliveryError(str(exc), permanent=False) from exc

    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is None or update.effective_user is None:
            return
        outcome = await self.conversation.handle(inbound_from_message(update, message))
        await self._apply(update, outcome)

    async def on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or update.effective_user is None:
            return
        chat_id = query.message.chat.id if query.message else update.effective_user.id
        inbound = Inbound(
            channel=CHANNEL,
            user_id=str(update.effective_user.id),
            chat_id=str(chat_id),
            kind=InboundKind.BUTTON,
            button_data=query.data,
            display_name=display_name(update),
            message_id=str(query.message.message_id) if query.message else None,
        )
        outcome = await self.conversation.handle(inbound)
        await self._apply(update, outcome)

    async def _apply(self, update: Update, outcome: Outcome) -> None:
        # Telegram-side failures here (an expired callback, a message too old to edit)
        # must not keep the outbox from being delivered.
        query = update.callback_query
        try:
            if query is not None:
                await query.answer(outcome.answer)
                if outcome.edit is not None and query.message is not None:
                    await query.edit_message_text(
                        outcome.edit.text, reply_markup=markup(outcome.edit.buttons)
                    )
            if outcome.error and update.effective_chat is not None:
                await self.application.bot.send_message(update.effective_chat.id, outcome.error)
            if outcome.commands is not None and update.effective_chat is not None:
                await self.application.bot.set_my_commands(
                    outcome.commands, scope=BotCommandScopeChat(update.effective_chat.id)
                )
            if outcome.document is not None and update.effective_chat is not None:
                document = outcome.document
                await self.application.bot.send_document(
                    update.effective_chat.id,
                    InputFile(document.content, filename=document.filename),
                    caption=document.caption,
                )
        except TelegramError as exc:
            if "not modified" not in str(exc).lower():
                log.warning("could not answer or edit on Telegram: %s", exc)
        await self.deliver_pending()

    async def deliver_pending(self) -> int:
        return await self.dispatcher.deliver_pending(self)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("telegram handler failed", exc_info=context.error)

    async def start(self) -> None:
        await self.application.initialize()
        await self.application.bot.set_my_commands(texts.BOT_MENU)
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0.0,
            timeout=self.poll_timeout,
            allowed_updates=["message", "callback_query"],
        )

    async def stop(self) -> None:
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
