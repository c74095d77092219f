"""Delivering the outbox through a `Channel`: each channel sends its own people's messages."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from messaging import outbox
from messaging.keyboard import Keyboard, decode_keyboard
from messaging.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class DeliveryError(Exception):
    """A send that failed; `permanent` ones (blocked bot, unknown chat) are not retried."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    """A transport as the outbox sees it: a name, a way to send one message and a way to
    edit one it sent."""

    # Stored on residents and workers: which channel reaches them.
    name: str

    async def send(
        self, chat_id: str, text: str, buttons: Keyboard, photo: dict[str, Any] | None
    ) -> str:
        """Send; return the channel's id for the delivered message or raise DeliveryError.

        `photo` is {"channel", "file_id"}: shown, with `text` as its caption, when it is
        this channel's own file.
        """
        ...

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Keyboard) -> None:
        """Replace the text and buttons of a message this channel delivered (`message_id`
        is what `send` returned). Content that is already current counts as success; a
        message that is gone raises a permanent DeliveryError."""
        ...


class OutboxDispatcher:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock
        # One delivery pass at a time per channel (and chat filter), or two passes would
        # send the same row twice.
        self._locks: dict[tuple[str, str | None], asyncio.Lock] = {}

    async def deliver_pending(self, channel: Channel, only_chat: str | None = None) -> int:
        """Send what is pending for `channel`; `only_chat` limits it to one chat (a terminal
        session delivers its own user's messages only, the channel being shared by everyone
        who runs `gridline chat` against the same database)."""
        lock = self._locks.setdefault((channel.name, only_chat), asyncio.Lock())
        async with lock, self.sessions() as session:
            delivered = 0
            pending = await outbox.pending_for_channel(session, channel.name, only_chat)
            # Per edited message, its newest edit in this batch: older edits need no call.
            newest_edit = {m.replaces_id: m for m, _ in pending if m.replaces_id is not None}
            for message, chat_id in pending:
                if message.status != OutboxStatus.PENDING:
                    continue  # an edit folded into its target's send just before
                if message.replaces_id is not None:
                    sent = await self._edit(session, channel, message, newest_edit)
                else:
                    newest = newest_edit.get(message.id)
                    if newest is not None:
                        self._fold(message, newest, pending)
                    sent = await self._send(session, channel, message, chat_id)
                if sent is None:
                    break  # keep the order: retry this one before anything newer
                delivered += sent
            return delivered

    async def _send(
        self, session: AsyncSession, channel: Channel, message: OutboxMessage, chat_id: str
    ) -> int | None:
        """1 if sent, 0 if given up on, None to retry later."""
        try:
            channel_id = await channel.send(
                chat_id, message.text, decode_keyboard(message.buttons), message.photo
            )
        except DeliveryError as exc:
            return await self._failed(session, message, exc)
        outbox.mark_sent(message, channel.name, chat_id, channel_id, self.clock.now())
        await session.commit()
        return 1

    def _fold(
        self,
        target: OutboxMessage,
        newest: OutboxMessage,
        pending: list[tuple[OutboxMessage, str]],
    ) -> None:
        """A message not sent yet goes out as its newest version; its edits need no call."""
        target.text, target.buttons = newest.text, newest.buttons
        for edit, _ in pending:
            if edit.replaces_id == target.id:
                outbox.mark_dropped(edit, "folded into the first send", self.clock.now())

    async def _edit(
        self,
        session: AsyncSession,
        channel: Channel,
        message: OutboxMessage,
        newest_edit: dict[int | None, OutboxMessage],
    ) -> int | None:
        target = await session.get(OutboxMessage, message.replaces_id)
        why = None
        if target is not None and target.status == OutboxStatus.PENDING:
            # Its target waits (behind a retry): it will go out as this version.
            target.text, target.buttons = message.text, message.buttons
            why = "folded into the first send"
        elif newest_edit.get(message.replaces_id) is not message:
            why = "superseded by a newer edit"
        elif target is None or target.status != OutboxStatus.SENT:
            why = "nothing delivered to edit"
        elif target.channel != channel.name or not target.channel_message_id:
            why = "delivered on another channel"
        if why is not None or target is None or target.chat_id is None:
            outbox.mark_dropped(message, why or "no chat", self.clock.now())
            await session.commit()
            return 0
        assert target.channel_message_id is not None
        try:
            await channel.edit(
                target.chat_id,
                target.channel_message_id,
                message.text,
                decode_keyboard(message.buttons),
            )
        except DeliveryError as exc:
            if exc.permanent:
                # Deleted by the user, or too old to edit: the edit is moot, not an error.
                outbox.mark_dropped(message, str(exc), self.clock.now())
                await session.commit()
                return 0
            return await self._failed(session, message, exc)
        target.text, target.buttons = message.text, message.buttons
        outbox.mark_sent(message, channel.name, target.chat_id, target.channel_message_id,
                         self.clock.now())  # fmt: skip
        await session.commit()
        return 1

    async def _failed(
        self, session: AsyncSession, message: OutboxMessage, exc: DeliveryError
    ) -> int | None:
        gave_up = outbox.mark_attempt_failed(
            message, str(exc), permanent=exc.permanent, max_attempts=MAX_ATTEMPTS
        )
        await session.commit()
        if gave_up:
            log.warning("outbox %s failed for good: %s", message.id, exc)
            return 0
        return None
