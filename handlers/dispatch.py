"""A role's table: which handler answers each command and each button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from handlers.buttons import Action, Value, decode
from handlers.turn import Turn

Party = TypeVar("Party")
# (turn, the sender, the command's argument)
CommandHandler = Callable[[Turn, Party, str], Awaitable[None]]
# (turn, the sender, the button's decoded fields…)
ButtonHandler = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Table(Generic[Party]):
    commands: Mapping[str, CommandHandler[Party]]
    buttons: Mapping[Action, ButtonHandler]

    def command(self, name: str) -> CommandHandler[Party] | None:
        return self.commands.get(name)

    def button(self, data: str) -> tuple[ButtonHandler, tuple[Value, ...]] | None:
        found = decode(data, self.buttons)
        if found is None:
            return None
        action, values = found
        return self.buttons[action], values


def ignore_argument(handler: Callable[[Turn, Any], Awaitable[None]]) -> CommandHandler[Any]:
    """A command that takes no argument, in the table's shape."""

    async def command(turn: Turn, party: Any, argument: str) -> None:
        await handler(turn, party)

    return command
