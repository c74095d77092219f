"""What the conversation core takes in and gives back — no transport in sight.

An adapter (Telegram, console, web chat) turns its own updates into `Inbound`,
calls `Conversation.handle`, then applies the `Outcome` and delivers the outbox.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


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


@dataclass(frozen=True)
class Button:
    label: str
    data: str


Keyboard = list[list[Button]]


@dataclass(frozen=True)
class Inbound:
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


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: Keyboard = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes
    mime_type: str
    caption: str | None = None


@dataclass
class Outcome:
    """What the adapter does besides delivering the outbox."""

    # For a button press: the short notice shown to the presser (Telegram's callback answer).
    answer: str | None = None
    # For a button press: new text and buttons for the message whose button was pressed.
    edit: Reply | None = None
    # Set when handling failed: sent straight to the sender, since the outbox may be
    # what failed.
    error: str | None = None
    # A file for the sender only (an .ics calendar entry, say), sent straight back.
    document: Document | None = None
