"""Training an intent model: fit, tune thresholds, export to arrays, evaluate, save.

The serving side (`nlu.intent_model`) never imports this module; scikit-learn is imported only
inside the functions that need it, so importing this module (as `nlu.registry` does) does
not cost the scikit-learn import until a model is actually trained or evaluated.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from nlu.fitting import fit_sklearn
from nlu.intent_model import PIPELINE_NAME, IntentModel
from nlu.training_data import Example, data_hash
from nlu.tuning import tune


def from_sklearn(pipeline: Any, version: str, metadata: dict[str, Any]) -> IntentModel:
    vectorizer = pipeline.named_steps["tfidf"]
    classifier = pipeline.named_steps["clf"]
    return IntentModel(
        version=version,
        classes=[str(c) for c in classifier.classes_],
        vocabulary={str(f): int(i) for f, i in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float64),
        weights=np.ascontiguousarray(classifier.coef_.T, dtype=np.float64),
        intercept=classifier.intercept_.astype(np.float64),
        metadata=metadata,
    )


def evaluate(model: IntentModel, examples: Sequence[Example]) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score

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
    *,
    tune_thresholds: bool = True,
) -> tuple[IntentModel, Path]:
    started = time.perf_counter()
    pipeline = fit_sklearn(train_examples)
    thresholds: dict[str, float] | None = None
    if tune_thresholds:
        thresholds = tune(train_examples).as_dict()
    version = f"{moment:%Y%m%d-%H%M%S}-{data_hash(train_examples)[:8]}"
    metadata: dict[str, Any] = {
        "pipeline": PIPELINE_NAME,
        "data_hash": data_hash(train_examples),
        "train_examples": len(train_examples),
        "trained_at": moment.isoformat(),
        "training_seconds": round(time.perf_counter() - started, 2),
        "thresholds": thresholds,
    }
    model = from_sklearn(pipeline, version, metadata)
    metadata["metrics"] = evaluate(model, test_examples)
    target = out_root / version
    model.save(target)
    return model, target
