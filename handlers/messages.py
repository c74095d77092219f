"""What the conversation core gives back to a channel besides the outbox.

A channel turns its own updates into `messaging.inbound.Inbound`, calls
`Conversation.handle`, applies the `Outcome`, then delivers the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from messaging.keyboard import Keyboard


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
    """What the channel does besides delivering the outbox."""

    # For a button press: the short notice shown to the presser (Telegram's callback answer).
    answer: str | None = None
    # For a button press: new text and buttons for the message whose button was pressed.
    edit: Reply | None = None
    # Set when handling failed: sent straight to the sender, since the outbox may be
    # what failed.
    error: str | None = None
    # A file for the sender only (an .ics calendar entry, say), sent straight back.
    document: Document | None = None
    # The command menu for the sender's chat only, as (command, description): a worker's
    # menu differs from the residents' one everybody else sees.
    commands: list[tuple[str, str]] | None = None
