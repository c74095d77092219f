"""Short-lived dialogue state, per user: which step of a dialogue someone is in.

Only what may be lost on a restart lives here (Redis when configured, in-process
otherwise); anything that must survive is written to the database. Every slot is keyed
by the user's channel and id, so one resident's state can never answer another's press.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.kv import KeyValueStore


@dataclass(frozen=True)
class Slot:
    name: str
    ttl_seconds: int


# A request written before the resident chose a grid, handled once they have.
PENDING_REQUEST = Slot("pending_request", 24 * 3600)
# After /new: only worker messages newer than this event continue a thread.
FRESH_AFTER = Slot("fresh_after", 6 * 3600)


# The off-hours appointment offer was made today (to a queued ticket, its id): once a day.
OFF_HOURS_OFFERED = Slot("off_hours_offered", 24 * 3600)
# After 不满意: the resident's next message says why, on the reopened ticket (its id).
DISSATISFIED_WITH = Slot("dissatisfied_with", 24 * 3600)


def category_choice(message_id: int) -> Slot:
    """What the model guessed for a message whose category the resident is choosing."""
    return Slot(f"choice:{message_id}", 24 * 3600)


class DialogueState:
    def __init__(self, kv: KeyValueStore, channel: str, user_id: str) -> None:
        self._kv = kv
        self._prefix = f"state:{channel}:{user_id}:"

    async def get(self, slot: Slot) -> Any | None:
        return await self._kv.get_json(self._prefix + slot.name)

    async def put(self, slot: Slot, value: Any) -> None:
        await self._kv.set_json(self._prefix + slot.name, value, slot.ttl_seconds)

    async def clear(self, slot: Slot) -> None:
        await self._kv.delete(self._prefix + slot.name)


# What a worker's next text answers after pressing 回复 / 办结 / 转派 / 升级: {"do": one of
# PROMPT_*, "ticket": id, and for a transfer "grid" or "worker"}. One at a time: a new
# prompt replaces the last, any command drops it, and it expires, so a text typed much
# later is never taken for an answer (it is asked about instead).
WORKER_PROMPT = Slot("worker_prompt", 10 * 60)
PROMPT_REPLY, PROMPT_RESOLVE, PROMPT_TRANSFER, PROMPT_ESCALATE = (
    "reply",
    "resolve",
    "transfer",
    "escalate",
)
