"""Choosing the confidence threshold and ambiguity margin from data, not by feel.

Out-of-fold predictions on the *training* split (the held-out split is never used for
tuning) show, for each (threshold, margin), how many messages the bot would file on its
own and how many of those it would file wrongly. A wrong category sends a gas leak to
the welfare queue; a button press costs the resident a second. So a wrong automatic
decision is weighed as WRONG_COST button presses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from nlu.fitting import fit_sklearn
from nlu.training_data import Example

WRONG_COST = 4.0
FOLDS = 3
THRESHOLDS = tuple(round(float(x), 2) for x in np.arange(0.20, 0.91, 0.05))
MARGINS = tuple(round(float(x), 2) for x in np.arange(0.0, 0.51, 0.05))


@dataclass(frozen=True)
class Thresholds:
    threshold: float
    margin: float
    coverage: float  # share of messages decided without asking
    accepted_accuracy: float  # accuracy among those

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def out_of_fold(examples: Sequence[Example], seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Per example: was the top intent right, and the top two probabilities."""
    order = np.random.default_rng(seed).permutation(len(examples))
    correct = np.zeros(len(examples), dtype=bool)
    top_two = np.zeros((len(examples), 2))
    for fold in range(FOLDS):
        held = order[fold::FOLDS]
        held_set = set(held.tolist())
        pipeline = fit_sklearn([examples[i] for i in order if i not in held_set])
        probabilities = pipeline.predict_proba([examples[i].text for i in held])
        classes = list(pipeline.classes_)
        for row, index in zip(probabilities, held, strict=True):
            best = np.argsort(-row)[:2]
            correct[index] = classes[best[0]] == examples[index].intent
            top_two[index] = row[best]
    return correct, top_two


def choose(correct: np.ndarray, top_two: np.ndarray) -> Thresholds:
    best: tuple[float, Thresholds] | None = None
    total = len(correct)
    for threshold in THRESHOLDS:
        for margin in MARGINS:
            accepted = (top_two[:, 0] >= threshold) & (top_two[:, 0] - top_two[:, 1] >= margin)
            right = int((accepted & correct).sum())
            wrong = int((accepted & ~correct).sum())
            asked = total - right - wrong
            cost = WRONG_COST * wrong + asked
            candidate = Thresholds(
                threshold, margin, (right + wrong) / total, right / max(1, right + wrong)
            )
            if best is None or cost < best[0]:
                best = (cost, candidate)
    assert best is not None
    return best[1]


def tune(examples: Sequence[Example]) -> Thresholds:
    return choose(*out_of_fold(examples))
