"""What a channel hands in, and how it is stored before anything answers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.models import InboundKind, InboundMessage

# Telegram caps a message at 4096 characters; other channels may not, so one message
# stores at most this much (the reply already refuses anything over MAX_MESSAGE_CHARS).
MAX_STORED_TEXT = 100_000


@dataclass(frozen=True)
class Inbound:
    """One update from a channel, in the channel's own ids, with no transport types left."""

    channel: str
    user_id: str
    chat_id: str
    kind: InboundKind
    text: str | None = None  # message text, photo caption, or the whole command line
    display_name: str | None = None
    message_id: str | None = None
    reply_to_message_id: str | None = None  # the channel's id of the message replied to
    button_data: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    attachment: dict[str, Any] | None = None

    @property
    def command(self) -> tuple[str, str]:
        """('/start', 'ABC') for '/start ABC'; a bot suffix like /start@gridline_bot is dropped."""
        head, _, rest = (self.text or "").strip().partition(" ")
        return head.split("@", 1)[0].lower(), rest.strip()


def record(session: AsyncSession, inbound: Inbound, now: datetime) -> InboundMessage:
    """Add the message to the session; the caller commits before answering it."""
    stored = InboundMessage(
        channel=inbound.channel,
        external_user_id=inbound.user_id,
        chat_id=inbound.chat_id,
        channel_message_id=inbound.message_id,
        kind=inbound.kind,
        text=(inbound.text or inbound.button_data or "")[:MAX_STORED_TEXT] or None,
        payload=_payload(inbound),
        received_at=now,
    )
    session.add(stored)
    return stored


def _payload(inbound: Inbound) -> dict[str, object] | None:
    payload: dict[str, object] = {}
    if inbound.display_name:
        payload["display_name"] = inbound.display_name
    if inbound.reply_to_message_id:
        payload["reply_to"] = inbound.reply_to_message_id
    if inbound.latitude is not None:
        payload["location"] = [inbound.latitude, inbound.longitude]
    if inbound.attachment:
        payload["attachment"] = inbound.attachment
    return payload or None


def photo_of(message: InboundMessage) -> dict[str, Any] | None:
    """The photo a stored message carried, as a reference the same channel can re-send."""
    attachment = (message.payload or {}).get("attachment")
    if (
        message.kind != InboundKind.PHOTO
        or not isinstance(attachment, dict)
        or not attachment.get("file_id")
    ):
        return None
    return {"channel": message.channel, "file_id": attachment["file_id"]}


async def awaiting_since(session: AsyncSession, before: datetime) -> list[InboundMessage]:
    """Messages still waiting for the resident's choice since before `before`, oldest first."""
    query = (
        select(InboundMessage)
        .where(InboundMessage.awaiting.is_not(None), InboundMessage.received_at <= before)
        .order_by(InboundMessage.id)
    )
    return list((await session.scalars(query)).all())


def await_choice(message: InboundMessage, awaiting: str, ticket_id: int | None = None) -> None:
    message.awaiting = awaiting
    message.awaiting_ticket_id = ticket_id


def choice_made(message: InboundMessage) -> None:
    message.awaiting = None
    message.awaiting_ticket_id = None


async def move_to_ticket(session: AsyncSession, from_ticket_id: int, to_ticket_id: int) -> None:
    """A merged duplicate's messages become part of the ticket it was merged into."""
    await session.execute(
        update(InboundMessage)
        .where(InboundMessage.ticket_id == from_ticket_id)
        .values(ticket_id=to_ticket_id)
        .execution_options(synchronize_session=False)
    )
