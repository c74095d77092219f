"""The NLU's own tables: trained model versions, and the training inbox of labelled texts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.models import Base


class LabelledExample(Base):
    """A text with a human-given intent, waiting in the admins' training inbox."""

    __tablename__ = "labelled_examples"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    predicted_intent: Mapped[str | None] = mapped_column(String(32))
    predicted_confidence: Mapped[float | None] = mapped_column(Float)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[datetime]


class NluModelVersion(Base):
    __tablename__ = "nlu_model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    data_hash: Mapped[str] = mapped_column(String(64))
    pipeline: Mapped[str] = mapped_column(String(64))
    metrics: Mapped[dict[str, Any] | None]
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
