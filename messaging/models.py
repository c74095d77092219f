"""The message trail: what reached the bot, and what it has to send (the outbox)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

# The tables below refer to tickets by foreign key; importing the domain's tables puts
# them on the same metadata, so the reference resolves wherever messaging is used.
import county.models  # noqa: F401
from core.models import Base


class InboundKind(enum.StrEnum):
    TEXT = "text"
    COMMAND = "command"
    BUTTON = "button"
    LOCATION = "location"
    PHOTO = "photo"
    STICKER = "sticker"
    VOICE = "voice"
    AUDIO = "audio"
    VIDEO = "video"
    DOCUMENT = "document"
    CONTACT = "contact"
    OTHER = "other"


class InboundAwaiting(enum.StrEnum):
    CATEGORY = "category"  # which kind of request it is (the model was unsure)
    FOLLOWUP = "followup"  # whether it adds to an open ticket or is a new problem


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    # An edit that needed no call of its own: folded into its target's first send,
    # superseded by a newer edit of the same message, or its target is gone.
    DROPPED = "dropped"


class InboundMessage(Base):
    """Every message that reaches the bot, stored before anything answers it."""

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_user_id: Mapped[str] = mapped_column(String(64), index=True)
    chat_id: Mapped[str] = mapped_column(String(64))
    channel_message_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None]
    received_at: Mapped[datetime]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    # A message waiting for the resident's choice (see InboundAwaiting): kept in the database,
    # not in short-lived state, because a sweeper pass files it if the resident never chooses.
    awaiting: Mapped[str | None] = mapped_column(String(16), index=True)
    # For a possible follow-up: the open ticket it might belong to.
    awaiting_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))


class OutboxMessage(Base):
    """A message to a resident or worker, delivered by whichever channel they use.

    Addressing the party (not a chat) lets a ticket card wait for a worker who has
    not opened the bot yet, and lets the console and Telegram share one database.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[dict[str, Any] | None]
    # Sent as a photo with `text` as its caption: {"channel", "file_id"}.
    photo: Mapped[dict[str, Any] | None]
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(16))
    chat_id: Mapped[str | None] = mapped_column(String(64))
    channel_message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    # An edit: new text and buttons for this earlier row's delivered message.
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    # What a row shows when it is a view kept current by edits ("card": a ticket card),
    # so a change to the ticket finds every copy of it to re-render.
    view: Mapped[str | None] = mapped_column(String(16))
