"""The shape of a parse and the roles that produce one, shared by the whole nlu package.

Kept apart from `nlu.parse`, so that the entity extractors and the classifiers can name
these types without importing the pipeline that uses them (which would be an import cycle).
Of the rest of nlu it imports only `nlu.emergency`, which imports neither this module nor
`nlu.parse`. Import these types from `nlu.parse`, the public entry point (and `Emergency`
from `nlu.emergency`); this module is where they live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from nlu.emergency import Emergency

RANKING_SIZE = 10


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: str
    confidence: float
    ranking: list[tuple[str, float]]
    entities: list[dict[str, Any]] = field(default_factory=list)
    emergency: Emergency | None = None

    def as_rasa(self) -> dict[str, Any]:
        """Rasa's /model/parse shape, plus Gridline's top-level `emergency` (null or
        {"kind": ..., "numbers": [...]}) so that every client of the parse sees it."""
        return {
            "text": self.text,
            "intent": {"name": self.intent, "confidence": self.confidence},
            "intent_ranking": [
                {"name": name, "confidence": confidence}
                for name, confidence in self.ranking[:RANKING_SIZE]
            ],
            "entities": self.entities,
            "emergency": None
            if self.emergency is None
            else {"kind": str(self.emergency.kind), "numbers": list(self.emergency.numbers)},
        }

    def entity(self, name: str) -> dict[str, Any] | None:
        return next((e for e in self.entities if e["entity"] == name), None)


class NluUnavailable(RuntimeError):
    """The classifier could not answer (e.g. the Rasa server is down)."""


class IntentClassifier(Protocol):
    async def rank(self, text: str) -> list[tuple[str, float]]:
        """All intents with probabilities, most likely first."""
        ...


class EntityExtractor(Protocol):
    def extract(self, text: str, now: datetime) -> list[dict[str, Any]]:
        """Rasa-shaped entities: entity, start, end, value, extractor (+ additional_info).

        `start`/`end` index the text as given (not a normalised copy).
        """
        ...


class IntentParser(Protocol):
    async def parse(self, text: str, now: datetime | None = None) -> ParseResult: ...
