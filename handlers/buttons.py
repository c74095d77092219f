"""Every button the bot sends, and the one codec for their data.

Data is `prefix:field:field…` (Telegram hands back at most 64 bytes). A format never
changes once its buttons are out in residents' chats: a card sent last month must still
work after an upgrade. Decoding rejects anything malformed — a stale client, a forged
press — so a handler only ever sees well-typed fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nlu import intents

Value = int | str


@dataclass(frozen=True)
class Number:
    """A non-negative whole number (an id, an epoch, a page), optionally bounded."""

    low: int = 0
    high: int | None = None

    def parse(self, raw: str) -> int | None:
        if not raw.isascii() or not raw.isdigit():
            return None
        value = int(raw)
        if value < self.low or (self.high is not None and value > self.high):
            return None
        return value


@dataclass(frozen=True)
class OneOf:
    choices: tuple[str, ...]

    def parse(self, raw: str) -> str | None:
        return raw if raw in self.choices else None


Field = Number | OneOf
ID = Number()


@dataclass(frozen=True)
class Action:
    prefix: str
    fields: tuple[Field, ...] = ()

    def data(self, *values: Value) -> str:
        if len(values) != len(self.fields):
            raise ValueError(f"{self.prefix} takes {len(self.fields)} fields, got {values}")
        return ":".join([self.prefix, *(str(v) for v in values)])

    def parse(self, raw_fields: list[str]) -> tuple[Value, ...] | None:
        if len(raw_fields) != len(self.fields):
            return None
        values = tuple(f.parse(raw) for f, raw in zip(self.fields, raw_fields, strict=True))
        return None if any(v is None for v in values) else values  # type: ignore[return-value]


def decode(data: str, actions: Iterable[Action]) -> tuple[Action, tuple[Value, ...]] | None:
    """The action among `actions` that `data` is, with its fields; None if it is none."""
    parts = data.split(":")
    for action in actions:
        width = action.prefix.count(":") + 1
        if ":".join(parts[:width]) == action.prefix:
            values = action.parse(parts[width:])
            if values is not None:
                return action, values
    return None


# Residents: choosing a grid.
BIND_PAGE = Action("bind:p", (ID,))  # page of the community list
BIND_COMMUNITY = Action("bind:c", (ID,))
BIND_GRID = Action("bind:g", (ID,))
# Residents: a pin far from their grid — stay (moving is BIND_GRID).
KEEP_GRID = Action("bind:keep")
# Residents: one ticket per problem — does this message (inbound id) add to the open ticket?
FOLLOWUP_ADD = Action("fu:add", (ID,))
FOLLOWUP_NEW = Action("fu:new", (ID,))
# Residents: the category of an unclear request (inbound message id, intent or "none").
NO_CATEGORY = "none"
CATEGORY = Action("cat", (ID, OneOf((*intents.TICKET_INTENTS, NO_CATEGORY))))
CANCEL_TICKET = Action("cancel", (ID,))  # a ticket picked to withdraw: asks to confirm
CANCEL_CONFIRM = Action("cancel:yes", (ID,))
CANCEL_KEEP = Action("cancel:no", (ID,))
CANCEL_PAGE = Action("cancel:p", (ID,))  # page of the open tickets
SHARE_IDENTITY = Action("id:share", (ID,))  # ticket: show my name and phone to its workers
STATUS_PAGE = Action("st:p", (ID,))  # page of /status
STATUS_TICKET = Action("st:tk", (ID,))  # a ticket's history
RATE = Action("rate", (ID, Number(1, 3)))  # ticket, 1–3 (不满意/基本满意/满意)
# Residents: appointments. Slots are (window id, start as a Unix epoch).
BOOK_SLOT = Action("ap:tk", (ID, ID, ID))  # ticket, window, start
NO_SLOT = Action("ap:none", (ID,))  # ticket: route it without a slot
NOT_NEEDED = Action("ap:skip", (ID,))  # ticket: no appointment wanted, the worker calls
RESCHEDULE = Action("ap:re", (ID,))  # appointment: offer other slots
MOVE_SLOT = Action("ap:mv", (ID, ID, ID))  # appointment, window, start
CANCEL_APPOINTMENT = Action("ap:cancel", (ID,))
CALENDAR_FILE = Action("ap:ics", (ID,))
# Workers: the ticket card.
CLAIM = Action("tk:claim", (ID,))
RESOLVE = Action("tk:done", (ID,))

# Workers (issue 8)
REASON = Number(0, 9)  # the index of a quick reason or result in texts
REPLY = Action("wk:reply", (ID,))  # ticket: the next text goes to its resident
TRANSFER = Action("wk:tr", (ID,))  # ticket: choose where it goes
TRANSFER_GRID = Action("wk:trg", (ID, ID))  # ticket, grid
TRANSFER_WORKER = Action("wk:trw", (ID, ID))  # ticket, colleague
GRID_TARGET, WORKER_TARGET = "g", "w"
TRANSFER_REASON = Action("wk:trr", (ID, OneOf((GRID_TARGET, WORKER_TARGET)), ID, REASON))
ESCALATE = Action("wk:up", (ID,))  # ticket: ask why
ESCALATE_REASON = Action("wk:upr", (ID, REASON))
MERGE = Action("wk:mg", (ID,))  # ticket: choose the one it duplicates
MERGE_INTO = Action("wk:mgi", (ID, ID))  # duplicate, kept
RESOLVE_RESULT = Action("wk:done", (ID, REASON))  # ticket, quick result
# A worker's text kept until he says whose ticket it is for (inbound message id, ticket).
SEND_KEPT = Action("wk:send", (ID, ID))
DROP_KEPT = Action("wk:drop", (ID,))
# A command whose shortened number fitted several tickets (its inbound message, ticket).
PICK_TICKET = Action("wk:pick", (ID, ID))
MY_PAGE = Action("wk:my", (ID,))  # page of /mytickets
OPEN_TICKET = Action("wk:open", (ID,))  # the card and history again, as /ticket
