"""Buttons under a message, and how the outbox stores them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # what the channel hands back when the button is pressed (≤ 64 bytes on Telegram)


Keyboard = list[list[Button]]


def encode_keyboard(buttons: Keyboard | None) -> dict[str, Any] | None:
    if not buttons:
        return None
    return {"rows": [[[b.label, b.data] for b in row] for row in buttons]}


def decode_keyboard(stored: dict[str, Any] | None) -> Keyboard:
    if not stored:
        return []
    return [[Button(label, data) for label, data in row] for row in stored.get("rows", [])]
