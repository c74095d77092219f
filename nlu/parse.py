"""Understanding one message, answered in the shape of Rasa's /model/parse.

A parse is an intent ranking from a classifier (the embedded jieba pipeline, or a Rasa
server) plus entities from Gridline's own extractors (time, phone, address, person) and
the emergency detector (`nlu.emergency`), which run the same whatever the classifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.clock import LOCAL_TZ, Clock
from nlu.emergency import detect as detect_emergency
from nlu.entities import default_extractors
from nlu.intent_model import IntentModel
from nlu.result import (
    RANKING_SIZE,
    EntityExtractor,
    IntentClassifier,
    IntentParser,
    NluUnavailable,
    ParseResult,
)

# parse.py is the package's public entry point: callers import the shared types from here,
# although they live in nlu.result (so that nlu.entities can use them without a cycle).
__all__ = [
    "RANKING_SIZE",
    "EmbeddedClassifier",
    "EmbeddedParser",
    "EntityExtractor",
    "IntentClassifier",
    "IntentParser",
    "NluPipeline",
    "NluUnavailable",
    "ParseResult",
]


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
            text=text,
            intent=name,
            confidence=confidence,
            ranking=ranking,
            entities=entities,
            emergency=detect_emergency(text),
        )


class EmbeddedParser(NluPipeline):
    """Shorthand: the embedded classifier with the default extractors."""

    def __init__(self, model: IntentModel, clock: Clock | None = None) -> None:
        super().__init__(EmbeddedClassifier(model), default_extractors(), clock)
