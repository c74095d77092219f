"""The outbox: messages to residents and workers, written in the transaction of the change
they report, and read back by each channel for its own people.

Messages are addressed to a party (resident or worker), not to a chat, so a ticket card
can wait for a worker who has not opened the bot yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from county.models import Party, Resident, Worker
from messaging.keyboard import Keyboard, encode_keyboard
from messaging.models import OutboxMessage, OutboxStatus

BATCH = 100


class Outbox:
    """The one way to queue a message, bound to a session and the moment of the change."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self.session = session
        self.now = now

    def to_resident(
        self,
        resident: Resident | int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        ticket_id: int | None = None,
        photo: dict[str, Any] | None = None,
    ) -> OutboxMessage:
        party_id = resident if isinstance(resident, int) else resident.id
        return self._queue(Party.RESIDENT, party_id, text, buttons, ticket_id, photo)

    def to_worker(
        self,
        worker: Worker | int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        ticket_id: int | None = None,
        photo: dict[str, Any] | None = None,
    ) -> OutboxMessage:
        party_id = worker if isinstance(worker, int) else worker.id
        return self._queue(Party.WORKER, party_id, text, buttons, ticket_id, photo)

    def _queue(
        self,
        party: Party,
        party_id: int,
        text: str,
        buttons: Keyboard | None,
        ticket_id: int | None,
        photo: dict[str, Any] | None,
    ) -> OutboxMessage:
        message = OutboxMessage(
            recipient=party,
            recipient_id=party_id,
            text=text,
            buttons=encode_keyboard(buttons),
            photo=photo,
            ticket_id=ticket_id,
            created_at=self.now,
            attempts=0,
        )
        self.session.add(message)
        return message


async def pending_for_channel(
    session: AsyncSession, channel: str, only_chat: str | None = None, limit: int = BATCH
) -> list[tuple[OutboxMessage, str]]:
    """Pending messages whose recipient uses `channel`, oldest first, with their chat id."""
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
            and_(OutboxMessage.recipient == Party.WORKER, Worker.id == OutboxMessage.recipient_id),
        )
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            or_(
                and_(OutboxMessage.recipient == Party.RESIDENT, Resident.channel == channel),
                and_(OutboxMessage.recipient == Party.WORKER, Worker.channel == channel),
            ),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if only_chat is not None:
        query = query.where(or_(Resident.chat_id == only_chat, Worker.chat_id == only_chat))
    rows = (await session.execute(query)).all()
    return [(message, resident_chat or worker_chat) for message, resident_chat, worker_chat in rows]


def mark_sent(
    message: OutboxMessage, channel: str, chat_id: str, channel_message_id: str, now: datetime
) -> None:
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.channel = channel
    message.chat_id = chat_id
    message.channel_message_id = channel_message_id
    message.attempts += 1


def mark_attempt_failed(
    message: OutboxMessage, error: str, *, permanent: bool, max_attempts: int
) -> bool:
    """Count a failed send; True when the message is given up on."""
    message.attempts += 1
    message.last_error = error[:500]
    if permanent or message.attempts >= max_attempts:
        message.status = OutboxStatus.FAILED
        return True
    return False


async def ticket_of_delivered_message(
    session: AsyncSession, channel: str, chat_id: str, channel_message_id: str
) -> int | None:
    """The ticket a delivered message belongs to — how a Telegram reply finds its thread."""
    query = select(OutboxMessage.ticket_id).where(
        OutboxMessage.channel == channel,
        OutboxMessage.chat_id == chat_id,
        OutboxMessage.channel_message_id == channel_message_id,
    )
    return await session.scalar(query)
