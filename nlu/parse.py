"""Understanding one message, answered in the shape of Rasa's /model/parse.

A parse is an intent ranking from a classifier (the embedded jieba pipeline, or a Rasa
server) plus entities from Gridline's own extractors (time, phone, address, person),
which run the same whatever the classifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from core.clock import LOCAL_TZ, Clock
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


class EmbeddedClassifier:
    """The in-process jieba pipeline (the default backend)."""

    def __init__(self, model: IntentModel) -> None:
        self.model = model

    async def rank(self, text: str) -> list[tuple[str, float]]:
        return self.model.rank(text)


class NluPipeline:
    def __init__(
        self,
        classifier: IntentClassifier,
        extractors: Sequence[EntityExtractor] = (),
        clock: Clock | None = None,
    ) -> None:
        self.classifier = classifier
        self.extractors = list(extractors)
        self.clock = clock

    async def parse(self, text: str, now: datetime | None = None) -> ParseResult:
        if now is None:
            now = self.clock.now() if self.clock else datetime.now(LOCAL_TZ)
        ranking = await self.classifier.rank(text)
        name, confidence = ranking[0]
        entities = [e for extractor in self.extractors for e in extractor.extract(text, now)]
        entities.sort(key=lambda e: (e["start"], -e["end"]))
        return ParseResult(
            text=text, intent=name, confidence=confidence, ranking=ranking, entities=entities
        )


class EmbeddedParser(NluPipeline):
    """Shorthand: the embedded classifier with the default extractors."""

    def __init__(self, model: IntentModel, clock: Clock | None = None) -> None:
        from nlu.entities import default_extractors

        super().__init__(EmbeddedClassifier(model), default_extractors(), clock)
