"""Delivering the outbox through a `Channel`: each channel sends its own people's messages."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from messaging import outbox
from messaging.keyboard import Keyboard, decode_keyboard

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class DeliveryError(Exception):
    """A send that failed; `permanent` ones (blocked bot, unknown chat) are not retried."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    """A transport as the outbox sees it: a name and a way to send one message."""

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
            for message, chat_id in await outbox.pending_for_channel(
                session, channel.name, only_chat
            ):
                try:
                    channel_id = await channel.send(
                        chat_id, message.text, decode_keyboard(message.buttons), message.photo
                    )
                except DeliveryError as exc:
                    gave_up = outbox.mark_attempt_failed(
                        message, str(exc), permanent=exc.permanent, max_attempts=MAX_ATTEMPTS
                    )
                    await session.commit()
                    if gave_up:
                        log.warning("outbox %s failed for good: %s", message.id, exc)
                        continue
                    break  # keep the order: retry this one before anything newer
                outbox.mark_sent(message, channel.name, chat_id, channel_id, self.clock.now())
                await session.commit()
                delivered += 1
            return delivered
