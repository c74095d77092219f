"""Fitting the scikit-learn pipeline behind the intent model.

Its own module, below both `nlu.training` and `nlu.tuning`, because both fit pipelines:
training fits the one it exports, tuning fits one per cross-validation fold. Neither of
them is imported here, so there is no import cycle between them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from nlu.features import analyse
from nlu.training_data import Example


def fit_sklearn(examples: Sequence[Example], c: float = 20.0) -> Any:
    """The fitted scikit-learn pipeline (imported here: serving never needs it)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    pipeline = Pipeline(
        [
            ("tfidf", TfidfVectorizer(analyzer=analyse, sublinear_tf=True, dtype=np.float64)),
            ("clf", LogisticRegression(C=c, max_iter=3000, class_weight="balanced")),
        ]
    )
    pipeline.fit([e.text for e in examples], [e.intent for e in examples])
    return pipeline
