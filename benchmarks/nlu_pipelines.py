"""Compare intent pipelines on the held-out split (`python -m benchmarks.nlu_pipelines`).

A (kept): jieba words + word bigrams + char 1–3-grams, TF-IDF, logistic regression.
B: char 1–4-gram counts, complement naive Bayes (the classic short-text baseline).
C: jieba words only, TF-IDF, logistic regression (what char n-grams add).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import ComplementNB
from sklearn.pipeline import Pipeline

from nlu.features import analyse
from nlu.normalise import normalise
from nlu.tokenizer import words
from nlu.training_data import TEST_DIR, TRAIN_DIR, load_dir


def char_ngrams(text: str) -> list[str]:
    compact = normalise(text).replace(" ", "")
    return [compact[i : i + n] for n in (1, 2, 3, 4) for i in range(len(compact) - n + 1)]


def jieba_words(text: str) -> list[str]:
    return words(normalise(text))


PIPELINES: dict[str, Callable[[], Pipeline]] = {
    "A words+chars tfidf logreg": lambda: Pipeline([
        ("features", TfidfVectorizer(analyzer=analyse, sublinear_tf=True)),
        ("clf", LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")),
    ]),
    "B chars 1-4 counts complementNB": lambda: Pipeline([
        ("features", CountVectorizer(analyzer=char_ngrams)),
        ("clf", ComplementNB(alpha=0.3)),
    ]),
    "C words tfidf logreg": lambda: Pipeline([
        ("features", TfidfVectorizer(analyzer=jieba_words, sublinear_tf=True)),
        ("clf", LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")),
    ]),
}  # fmt: skip


def main() -> None:
    train, test = load_dir(TRAIN_DIR), load_dir(TEST_DIR)
    truth = [e.intent for e in test]
    results: dict[str, Any] = {}
    for name, build in PIPELINES.items():
        started = time.perf_counter()
        pipeline = build().fit([e.text for e in train], [e.intent for e in train])
        seconds = time.perf_counter() - started
        predicted = list(pipeline.predict([e.text for e in test]))
        results[name] = {
            "accuracy": round(float(accuracy_score(truth, predicted)), 4),
            "macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
            "training_seconds": round(seconds, 2),
        }
        print(f"{name:<34} {results[name]}", flush=True)
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
