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
INTENT_OF_CATEGORY: dict[Category, str] = {c: i for i, c in CATEGORY_OF_INTENT.items()}


def category_of(intent: str) -> Category | None:
    """The category a request intent files under; None for small talk and the like."""
    return CATEGORY_OF_INTENT.get(intent)
