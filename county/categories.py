"""Which ticket category each of the NLU's request intents files under."""

from __future__ import annotations

from county.models import Category
from nlu import intents

CATEGORY_OF_INTENT: dict[str, Category] = {
    intents.DISPUTE: Category.DISPUTE,
    intents.HAZARD: Category.HAZARD,
    intents.WELFARE: Category.WELFARE,
    intents.APPOINTMENT: Category.APPOINTMENT,
}


def category_of(intent: str) -> Category | None:
    """The category a request intent files under; None for small talk and the like."""
    return CATEGORY_OF_INTENT.get(intent)


def category_of_emergency(kind: str) -> Category:
    """The category an emergency is filed under: a danger to people or buildings is a
    hazard, violence a dispute; a person taken ill is neither."""
    if kind == "violence":
        return Category.DISPUTE
    if kind in ("medical", "injury", "other"):
        return Category.OTHER
    return Category.HAZARD
