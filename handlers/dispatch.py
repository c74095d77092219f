"""A role's table: which handler answers each command and each button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from handlers import texts
from handlers.buttons import Action, decode
from handlers.turn import Turn
from messaging.models import InboundKind

Party = TypeVar("Party")
# (turn, the sender, the command's argument)
CommandHandler = Callable[[Turn, Party, str], Awaitable[None]]
# (turn, the sender, the button's decoded fields…)
ButtonHandler = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Table(Generic[Party]):
    commands: Mapping[str, CommandHandler[Party]]
    buttons: Mapping[Action, ButtonHandler]
    # The reply to a command this role does not have, with {command}.
    unknown_command: str

    async def dispatch(self, turn: Turn, party: Party, reply: Callable[[str], object]) -> bool:
        """Handle a command or a button press; False for any other kind of message."""
        if turn.inbound.kind == InboundKind.COMMAND:
            await self.run_command(turn, party, reply)
        elif turn.inbound.kind == InboundKind.BUTTON:
            await self.press(turn, party)
        else:
            return False
        return True

    async def run_command(self, turn: Turn, party: Party, reply: Callable[[str], object]) -> None:
        name, argument = turn.inbound.command
        handler = self.commands.get(name)
        if handler is None:
            reply(self.unknown_command.format(command=name))
            return
        await handler(turn, party, argument)

    async def press(self, turn: Turn, party: Party) -> None:
        """Run the pressed button's handler with its decoded fields. A button this role
        has no handler for, or whose data is malformed, is answered as expired."""
        found = decode(turn.inbound.button_data or "", self.buttons)
        if found is None:
            turn.answer(texts.CHOICE_EXPIRED)
            return
        action, values = found
        await self.buttons[action](turn, party, *values)


def ignore_argument(handler: Callable[[Turn, Any], Awaitable[None]]) -> CommandHandler[Any]:
    """A command that takes no argument, in the table's shape."""

    async def command(turn: Turn, party: Any, argument: str) -> None:
        await handler(turn, party)

    return command
