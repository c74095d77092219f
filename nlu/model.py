"""Training, saving and loading the intent classifier."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import Pipeline

from nlu.features import analyse
from nlu.training_data import Example, data_hash

PIPELINE_NAME = "jieba-words+char-ngrams/tfidf/logreg"
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"


@dataclass(frozen=True)
class IntentModel:
    version: str
    pipeline: Pipeline
    metadata: dict[str, Any]

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.pipeline.classes_]

    def rank(self, text: str) -> list[tuple[str, float]]:
        probabilities = self.pipeline.predict_proba([text])[0]
        ranking = sorted(zip(self.labels, probabilities, strict=True), key=lambda p: -p[1])
        return [(label, float(p)) for label, p in ranking]

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self.pipeline.predict(list(texts))]


def build_pipeline() -> Pipeline:
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(analyzer=analyse, sublinear_tf=True, min_df=1, dtype=np.float32),
            ),
            ("clf", LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")),
        ]
    )


def evaluate(model: IntentModel, examples: Sequence[Example]) -> dict[str, float]:
    if not examples:
        return {}
    predicted = model.predict([e.text for e in examples])
    truth = [e.intent for e in examples]
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "test_examples": len(examples),
    }


def train(
    train_examples: Sequence[Example],
    out_root: Path,
    moment: datetime,
    test_examples: Sequence[Example] = (),
) -> tuple[IntentModel, Path]:
    started = time.perf_counter()
    pipeline = build_pipeline()
    pipeline.fit([e.text for e in train_examples], [e.intent for e in train_examples])
    version = f"{moment:%Y%m%d-%H%M%S}-{data_hash(train_examples)[:8]}"
    metadata: dict[str, Any] = {
        "version": version,
        "pipeline": PIPELINE_NAME,
        "data_hash": data_hash(train_examples),
        "train_examples": len(train_examples),
        "trained_at": moment.isoformat(),
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    model = IntentModel(version, pipeline, metadata)
    metadata["metrics"] = evaluate(model, test_examples)
    target = out_root / version
    target.mkdir(parents=True, exist_ok=True)
    joblib.dump(pipeline, target / MODEL_FILE)
    (target / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2))
    return model, target


def load(path: Path) -> IntentModel:
    metadata = json.loads((path / METADATA_FILE).read_text())
    pipeline = joblib.load(path / MODEL_FILE)
    return IntentModel(metadata["version"], pipeline, metadata)
