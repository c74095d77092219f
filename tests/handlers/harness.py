"""Drives the conversation core directly, the way an adapter would, on a 'test' channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bot.runtime.container import Gridline
from county import invites
from handlers.messages import Outcome
from messaging.inbound import Inbound
from messaging.keyboard import Keyboard
from messaging.models import InboundKind, InboundMessage
from tests.factories import demo_worker

CHANNEL = "test"


@dataclass
class Delivered:
    chat_id: str
    text: str
    buttons: Keyboard
    message_id: str
    photo: dict[str, Any] | None = None

    def button(self, label: str) -> str:
        for row in self.buttons:
            for button in row:
                if label in button.label:
                    return button.data
        raise AssertionError(f"no button {label!r} in {self.buttons}")


@dataclass(frozen=True)
class Edited:
    chat_id: str
    message_id: str
    text: str
    buttons: Keyboard


class Harness:
    """A channel of its own ("test"): records what it is sent instead of sending it."""

    name = CHANNEL

    def __init__(self, gridline: Gridline, *, edit_pressed: bool = False) -> None:
        self.gridline = gridline
        # Show a press's edit (Outcome.edit) on the pressed message, as Telegram does. Off
        # by default: older tests press the same (unedited) buttons twice on purpose.
        self.edit_pressed = edit_pressed
        self.delivered: list[Delivered] = []
        self.edits: list[Edited] = []

    async def send(
        self, chat_id: str, text: str, buttons: Keyboard, photo: dict[str, Any] | None
    ) -> str:
        message = Delivered(chat_id, text, buttons, f"m{len(self.delivered) + 1}", photo)
        self.delivered.append(message)
        return message.message_id

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Keyboard) -> None:
        """Like a chat app: the delivered message now shows the new version."""
        self.edits.append(Edited(chat_id, message_id, text, buttons))
        for message in self.delivered:
            if message.message_id == message_id and message.chat_id == chat_id:
                message.text, message.buttons = text, buttons

    async def hand_in(self, inbound: Inbound) -> tuple[Outcome, list[Delivered]]:
        before = len(self.delivered)
        outcome = await self.gridline.conversation.handle(inbound)
        await self.deliver_pending()
        return outcome, self.delivered[before:]

    async def say(
        self,
        user: str,
        text: str,
        *,
        reply_to: str | None = None,
        kind: InboundKind | None = None,
        name: str = "张阿姨",
    ) -> list[Delivered]:
        if kind is None:
            kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
        _, sent = await self.hand_in(
            Inbound(
                channel=CHANNEL,
                user_id=user,
                chat_id=user,
                kind=kind,
                text=text,
                display_name=name,
                reply_to_message_id=reply_to,
            )
        )
        return sent

    async def press(
        self, user: str, data: str, message_id: str | None = None
    ) -> tuple[Outcome, list[Delivered]]:
        before = len(self.delivered)
        outcome = await self.gridline.conversation.handle(
            Inbound(
                channel=CHANNEL,
                user_id=user,
                chat_id=user,
                kind=InboundKind.BUTTON,
                button_data=data,
                message_id=message_id,
            )
        )
        if self.edit_pressed and outcome.edit is not None and message_id is not None:
            # Like the Telegram channel: the pressed message is edited, then the outbox goes.
            for message in self.delivered:
                if message.message_id == message_id and message.chat_id == user:
                    message.text, message.buttons = outcome.edit.text, outcome.edit.buttons
        await self.deliver_pending()
        return outcome, self.delivered[before:]

    async def deliver_pending(self) -> int:
        return await self.gridline.dispatcher.deliver_pending(self)

    def to(self, user: str) -> list[Delivered]:
        return [m for m in self.delivered if m.chat_id == user]

    async def bind_demo_grid(
        self, user: str, community: str = "幸福社区", grid: str = "第一网格"
    ) -> list[Delivered]:
        prompt = (await self.say(user, "/start"))[-1]
        outcome, _ = await self.press(user, prompt.button(community), prompt.message_id)
        assert outcome.edit is not None, "choosing a community shows its grids"
        choice = Delivered(user, outcome.edit.text, outcome.edit.buttons, prompt.message_id)
        outcome, sent = await self.press(user, choice.button(grid), prompt.message_id)
        assert outcome.edit is not None and grid in outcome.edit.text
        return sent

    async def register_worker(self, name: str, user: str) -> list[Delivered]:
        async with self.gridline.sessions() as session:
            worker = await demo_worker(session, name)
            invite = await invites.create_invite(session, worker, self.gridline.clock.now(), 14)
            await session.commit()
        return await self.say(user, f"/start {invite.code}")

    async def inbound_count(self) -> int:
        async with self.gridline.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(InboundMessage)) or 0)
