"""One turn of the conversation: the stored inbound message, its sender, and what to send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.kv import KeyValueStore
from handlers.dialogue import DialogueState
from handlers.messages import Outcome, Reply
from messaging.inbound import Inbound
from messaging.keyboard import Keyboard
from messaging.models import InboundMessage
from messaging.outbox import Outbox
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
    # Messages to anyone, committed with the turn's changes.
    outbox: Outbox = field(init=False)
    # The sender's own short-lived dialogue state.
    state: DialogueState = field(init=False)

    def __post_init__(self) -> None:
        self.outbox = Outbox(self.session, self.now)
        self.state = DialogueState(self.services.kv, self.inbound.channel, self.inbound.user_id)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def answer(self, text: str) -> None:
        self.outcome.answer = text

    def edit(self, text: str, buttons: Keyboard | None = None) -> None:
        self.outcome.edit = Reply(text, buttons or [])
