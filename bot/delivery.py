"""Delivering the outbox: each channel sends the pending messages of its own people."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.clock import Clock
from county.models import OutboxMessage, OutboxStatus, Party, Resident, Worker
from handlers.messages import Keyboard
from handlers.turn import decode_buttons

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 100


class DeliveryError(Exception):
    """A send that failed; `permanent` ones (blocked bot, unknown chat) are not retried."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


# (chat id, text, buttons, photo) -> the channel's id for the delivered message. `photo` is
# {"channel", "file_id"}; a sender shows it when it is its own channel's, with text as caption.
Sender = Callable[[str, str, Keyboard, dict[str, Any] | None], Awaitable[str]]


class OutboxDispatcher:
    def __init__(
        self,
        channel: str,
        sessions: async_sessionmaker[AsyncSession],
        sender: Sender,
        clock: Clock,
        *,
        only_chat: str | None = None,
    ) -> None:
        self.channel = channel
        # A terminal session delivers its own user's messages only; the channel is shared
        # by everyone who runs `gridline chat` against the same database.
        self.only_chat = only_chat
        self.sessions = sessions
        self.sender = sender
        self.clock = clock
        # One delivery pass at a time, or two passes would send the same row twice.
        self._lock = asyncio.Lock()

    async def deliver_pending(self) -> int:
        async with self._lock, self.sessions() as session:
            delivered = 0
            rows = await self._pending(session)
            for message, chat_id in rows:
                try:
                    channel_id = await self.sender(
                        chat_id, message.text, decode_buttons(message.buttons), message.photo
                    )
                except DeliveryError as exc:
                    message.attempts += 1
                    message.last_error = str(exc)[:500]
                    if exc.permanent or message.attempts >= MAX_ATTEMPTS:
                        message.status = OutboxStatus.FAILED
                        log.warning("outbox %s failed for good: %s", message.id, exc)
                        await session.commit()
                        continue
                    await session.commit()
                    break  # keep the order: retry this one before anything newer
                message.status = OutboxStatus.SENT
                message.sent_at = self.clock.now()
                message.channel = self.channel
                message.chat_id = chat_id
                message.channel_message_id = channel_id
                message.attempts += 1
                await session.commit()
                delivered += 1
            return delivered

    async def _pending(self, session: AsyncSession) -> list[tuple[OutboxMessage, str]]:
        query = (
            select(OutboxMessage, Resident.chat_id, Worker.chat_id)
            .outerjoin(
                Resident,
                and_(
                    OutboxMessage.recipient == Party.RESIDENT,
                    Resident.id == OutboxMessage.recipient_id,
                ),
            )
            .outerjoin(
                Worker,
                and_(
                    OutboxMessage.recipient == Party.WORKER, Worker.id == OutboxMessage.recipient_id
                ),
            )
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                or_(
                    and_(
                        OutboxMessage.recipient == Party.RESIDENT, Resident.channel == self.channel
                    ),
                    and_(OutboxMessage.recipient == Party.WORKER, Worker.channel == self.channel),
                ),
            )
            .order_by(OutboxMessage.id)
            .limit(BATCH)
        )
        if self.only_chat is not None:
            query = query.where(
                or_(Resident.chat_id == self.only_chat, Worker.chat_id == self.only_chat)
            )
        rows = (await session.execute(query)).all()
        return [
            (message, resident_chat or worker_chat) for message, resident_chat, worker_chat in rows
        ]
