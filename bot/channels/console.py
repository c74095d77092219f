"""`gridline chat`: talk to the bot in a terminal, as a resident or as a worker."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from handlers import texts
from handlers.conversation import Conversation
from handlers.messages import Outcome
from messaging.delivery import OutboxDispatcher
from messaging.inbound import Inbound
from messaging.keyboard import Button, Keyboard
from messaging.models import InboundKind

CHANNEL = "console"
POLL_SECONDS = 1.0


class ConsoleChat:
    name = CHANNEL

    def __init__(
        self,
        conversation: Conversation,
        dispatcher: OutboxDispatcher,
        user_id: str,
        display_name: str,
        *,
        downloads: Path,
        out: TextIO = sys.stdout,
        read_line: Callable[[], str] = sys.stdin.readline,
    ) -> None:
        self.conversation = conversation
        self.dispatcher = dispatcher
        self.user_id = user_id
        self.display_name = display_name
        # Where files the bot sends (an .ics entry, say) are saved: a terminal cannot show them.
        self.downloads = downloads
        self.out = out
        self.read_line = read_line
        self._buttons: list[Button] = []
        self._buttons_message: str | None = None
        self._counter = 0

    async def send(
        self, chat_id: str, text: str, buttons: Keyboard, photo: dict[str, Any] | None
    ) -> str:
        self._counter += 1
        message_id = f"console-{self._counter}"
        self._print(f"{texts.CONSOLE_PHOTO} {text}" if photo else text, buttons)
        if buttons:
            self._buttons = [b for row in buttons for b in row]
            self._buttons_message = message_id
        return message_id

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Keyboard) -> None:
        # A terminal cannot change what it printed: the new version is printed again.
        self._print(f"{texts.CONSOLE_EDITED} {text}", buttons)
        if buttons or self._buttons_message == message_id:
            self._buttons = [b for row in buttons for b in row]
            self._buttons_message = message_id

    def _print(self, text: str, buttons: Keyboard) -> None:
        self.out.write(f"{texts.CLI_BOT_PREFIX}{text}\n")
        numbered = [b for row in buttons for b in row]
        if numbered:
            self.out.write(
                "    " + "  ".join(f"[{i}] {b.label}" for i, b in enumerate(numbered, 1)) + "\n"
            )
        self.out.flush()

    def _inbound(self, line: str) -> Inbound:
        base = {
            "channel": CHANNEL,
            "user_id": self.user_id,
            "chat_id": self.user_id,
            "display_name": self.display_name,
        }
        choice = line.strip()
        if choice.isdigit() and self._buttons and 1 <= int(choice) <= len(self._buttons):
            return Inbound(
                kind=InboundKind.BUTTON,
                button_data=self._buttons[int(choice) - 1].data,
                message_id=self._buttons_message,
                **base,
            )
        kind = InboundKind.COMMAND if choice.startswith("/") else InboundKind.TEXT
        return Inbound(kind=kind, text=line.rstrip("\n"), **base)

    def _apply(self, outcome: Outcome) -> None:
        if outcome.answer:
            self.out.write(f"    （{outcome.answer}）\n")
        if outcome.edit is not None:
            self._buttons = [b for row in outcome.edit.buttons for b in row]
            self._print(outcome.edit.text, outcome.edit.buttons)
        if outcome.error:
            self._print(outcome.error, [])
        if outcome.document is not None:
            self.downloads.mkdir(parents=True, exist_ok=True)
            target = self.downloads / outcome.document.filename
            target.write_bytes(outcome.document.content)
            self._print(texts.CLI_FILE_SAVED.format(path=target), [])
        self.out.flush()

    async def run(self, who: str) -> None:
        self.out.write(texts.CLI_CHAT_INTRO.format(who=who) + "\n")
        await self.deliver_pending()
        poller = asyncio.create_task(self._poll())
        loop = asyncio.get_running_loop()
        try:
            while True:
                self.out.write(texts.CLI_CHAT_PROMPT)
                self.out.flush()
                line = await loop.run_in_executor(None, self.read_line)
                if not line:
                    break
                if not line.strip():
                    continue
                outcome = await self.conversation.handle(self._inbound(line))
                self._apply(outcome)
                await self.deliver_pending()
        finally:
            poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await poller
            self.out.write("\n")

    async def _poll(self) -> None:
        # Messages from other processes (a worker replying on Telegram) show up here.
        while True:
            await asyncio.sleep(POLL_SECONDS)
            await self.deliver_pending()

    async def deliver_pending(self) -> int:
        # A terminal delivers its own user's messages only: the console channel is shared by
        # everyone who runs `gridline chat` against the same database.
        return await self.dispatcher.deliver_pending(self, only_chat=self.user_id)
