"""The training inbox: texts a person labelled because the model was unsure of them.

Residents label their own messages when they pick a category from buttons; admins read
the inbox, review it and add it to the training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nlu.models import LabelledExample
from nlu.training_data import Example

RESIDENT_CHOICE = "resident_choice"


async def record(
    session: AsyncSession,
    *,
    text: str,
    intent: str,
    inbound_id: int,
    predicted_intent: str | None,
    predicted_confidence: float | None,
    now: datetime,
    source: str = RESIDENT_CHOICE,
) -> bool:
    """Add a label for one inbound message; False when that message already has one."""
    existing = await session.scalar(
        select(LabelledExample.id).where(LabelledExample.inbound_id == inbound_id)
    )
    if existing is not None:
        return False
    session.add(
        LabelledExample(
            text=text,
            intent=intent,
            source=source,
            predicted_intent=predicted_intent,
            predicted_confidence=predicted_confidence,
            inbound_id=inbound_id,
            created_at=now,
        )
    )
    return True


async def labelled(session: AsyncSession) -> Sequence[LabelledExample]:
    return (await session.scalars(select(LabelledExample).order_by(LabelledExample.id))).all()


def as_examples(rows: Sequence[LabelledExample]) -> list[Example]:
    """The labels as training examples (blank texts dropped), ready to write as Rasa YAML."""
    return [Example(text=r.text.strip(), intent=r.intent) for r in rows if r.text.strip()]
