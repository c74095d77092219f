"""Understanding one message, answered in the shape of Rasa's /model/parse."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from nlu.model import IntentModel

RANKING_SIZE = 10


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: str
    confidence: float
    ranking: list[tuple[str, float]]
    entities: list[dict[str, Any]] = field(default_factory=list)

    def as_rasa(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": self.confidence},
            "intent_ranking": [
                {"name": name, "confidence": confidence}
                for name, confidence in self.ranking[:RANKING_SIZE]
            ],
            "entities": self.entities,
        }


class IntentParser(Protocol):
    def parse(self, text: str) -> ParseResult: ...


class EmbeddedParser:
    """The in-process jieba pipeline (the default backend)."""

    def __init__(self, model: IntentModel) -> None:
        self.model = model

    def parse(self, text: str) -> ParseResult:
        ranking = self.model.rank(text)
        name, confidence = ranking[0]
        return ParseResult(text=text, intent=name, confidence=confidence, ranking=ranking)
