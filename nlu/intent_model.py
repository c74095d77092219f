"""The intent classifier: trained with scikit-learn (`nlu.training`), served with plain numpy.

Serving does not import scikit-learn: its per-call validation costs ~1 ms and its import
~0.7 s of cold start. The fitted TF-IDF + logistic regression is exported to arrays and
applied here directly (same arithmetic; `tests/nlu/test_model.py` checks they agree).
This module holds serving only, so that importing it never pulls in the training code.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nlu.features import analyse

PIPELINE_NAME = "jieba-words+char-1-3grams/tfidf/logreg"
ARRAYS_FILE = "model.npz"
VOCABULARY_FILE = "vocabulary.json"
METADATA_FILE = "metadata.json"


@dataclass
class IntentModel:
    version: str
    classes: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (n_features,)
    weights: np.ndarray  # (n_features, n_classes): row per feature, for cheap gathering
    intercept: np.ndarray  # (n_classes,)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        return self.classes

    @property
    def thresholds(self) -> tuple[float, float] | None:
        """(confidence threshold, ambiguity margin) tuned on the training data, if any."""
        tuned = self.metadata.get("thresholds")
        return (float(tuned["threshold"]), float(tuned["margin"])) if tuned else None

    def probabilities(self, text: str) -> np.ndarray:
        counts = Counter(f for f in analyse(text) if f in self.vocabulary)
        scores = self.intercept.astype(np.float64)
        if counts:
            index = np.fromiter((self.vocabulary[f] for f in counts), dtype=np.int64)
            tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float64)
            values = tf * self.idf[index]
            values /= np.linalg.norm(values)
            scores = scores + values @ self.weights[index]
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()

    def rank(self, text: str) -> list[tuple[str, float]]:
        probabilities = self.probabilities(text)
        order = np.argsort(-probabilities)
        return [(self.classes[i], float(probabilities[i])) for i in order]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.classes[int(np.argmax(self.probabilities(t)))] for t in texts]

    def save(self, target: Path) -> None:
        target.mkdir(parents=True, exist_ok=True)
        np.savez(target / ARRAYS_FILE, idf=self.idf, weights=self.weights, intercept=self.intercept)
        ordered = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        (target / VOCABULARY_FILE).write_text(json.dumps(ordered, ensure_ascii=False))
        metadata = {**self.metadata, "version": self.version, "classes": self.classes}
        (target / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2))


def load(path: Path) -> IntentModel:
    metadata = json.loads((path / METADATA_FILE).read_text())
    arrays = np.load(path / ARRAYS_FILE)
    vocabulary = json.loads((path / VOCABULARY_FILE).read_text())
    return IntentModel(
        version=metadata["version"],
        classes=list(metadata["classes"]),
        vocabulary={feature: i for i, feature in enumerate(vocabulary)},
        idf=arrays["idf"],
        weights=arrays["weights"],
        intercept=arrays["intercept"],
        metadata=metadata,
    )
