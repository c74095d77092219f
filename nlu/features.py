"""Features for the intent classifier: jieba words plus character n-grams.

Characters catch typos and dialect words jieba splits badly; words catch meaning.
This function is referenced by saved models, so its module path must stay stable.
"""

from __future__ import annotations

from itertools import pairwise

from nlu.normalise import normalise
from nlu.tokenizer import words

CHAR_NGRAMS = (1, 2, 3)


def analyse(text: str) -> list[str]:
    clean = normalise(text)
    tokens = words(clean)
    features = [f"w:{token}" for token in tokens]
    features += [f"w2:{a}|{b}" for a, b in pairwise(tokens)]
    compact = clean.replace(" ", "")
    for n in CHAR_NGRAMS:
        features += [f"c{n}:{compact[i : i + n]}" for i in range(len(compact) - n + 1)]
    return features
