"""One turn of the conversation: the stored inbound message, its sender, and what to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.kv import KeyValueStore
from county.models import InboundMessage, OutboxMessage, Party, Resident, Worker
from handlers.messages import Button, Inbound, Keyboard, Outcome, Reply
from nlu.parse import IntentParser


@dataclass
class Services:
    """Long-lived collaborators shared by every turn."""

    settings: Settings
    kv: KeyValueStore
    parser: IntentParser
    # Below `threshold`, or with the runner-up within `margin`, the resident chooses.
    threshold: float = 0.45
    margin: float = 0.10


@dataclass
class Turn:
    services: Services
    session: AsyncSession
    inbound: Inbound
    stored: InboundMessage
    now: datetime
    outcome: Outcome = field(default_factory=Outcome)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def kv(self) -> KeyValueStore:
        return self.services.kv

    def send(
        self,
        party: Party,
        party_id: int,
        text: str,
        buttons: Keyboard | None = None,
        *,
        ticket_id: int | None = None,
        photo: dict[str, Any] | None = None,
    ) -> OutboxMessage:
        return queue_message(
            self.session,
            party,
            party_id,
            text,
            buttons,
            ticket_id=ticket_id,
            now=self.now,
            photo=photo,
        )

    def to_resident(
        self,
        resident: Resident,
        text: str,
        buttons: Keyboard | None = None,
        *,
        ticket_id: int | None = None,
        photo: dict[str, Any] | None = None,
    ) -> OutboxMessage:
        return self.send(Party.RESIDENT, resident.id, text, buttons, ticket_id=ticket_id,
                         photo=photo)  # fmt: skip

    def to_worker(
        self,
        worker: Worker,
        text: str,
        buttons: Keyboard | None = None,
        *,
        ticket_id: int | None = None,
        photo: dict[str, Any] | None = None,
    ) -> OutboxMessage:
        return self.send(Party.WORKER, worker.id, text, buttons, ticket_id=ticket_id,
                         photo=photo)  # fmt: skip

    def answer(self, text: str) -> None:
        self.outcome.answer = text

    def edit(self, text: str, buttons: Keyboard | None = None) -> None:
        self.outcome.edit = Reply(text, buttons or [])

    def state_key(self, name: str) -> str:
        return f"state:{self.inbound.channel}:{self.inbound.user_id}:{name}"


def photo_of(message: InboundMessage) -> dict[str, Any] | None:
    """The photo a stored message carried, as a reference the same channel can re-send."""
    attachment = (message.payload or {}).get("attachment")
    if message.kind != "photo" or not isinstance(attachment, dict) or not attachment.get("file_id"):
        return None
    return {"channel": message.channel, "file_id": attachment["file_id"]}


def encode_buttons(buttons: Keyboard | None) -> dict[str, Any] | None:
    if not buttons:
        return None
    return {"rows": [[[b.label, b.data] for b in row] for row in buttons]}


def decode_buttons(stored: dict[str, Any] | None) -> Keyboard:
    if not stored:
        return []
    return [[Button(label, data) for label, data in row] for row in stored.get("rows", [])]


def queue_message(
    session: AsyncSession,
    party: Party,
    party_id: int,
    text: str,
    buttons: Keyboard | None,
    *,
    ticket_id: int | None,
    now: datetime,
    photo: dict[str, Any] | None = None,
) -> OutboxMessage:
    message = OutboxMessage(
        recipient=party,
        recipient_id=party_id,
        text=text,
        buttons=encode_buttons(buttons),
        photo=photo,
        ticket_id=ticket_id,
        created_at=now,
        attempts=0,
    )
    session.add(message)
    return message


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
