"""Text clean-up before tokenising: one form for the many ways residents type."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import opencc

_SPACES = re.compile(r"\s+")
# Emoji and pictographs carry tone, not topic; dropping them keeps n-grams clean.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0000fe0f\U0000200d\U0001f1e6-\U0001f1ff]+"
)


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    # NFKC folds full-width letters, digits and punctuation to their ASCII forms.
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text)
    text = _EMOJI.sub(" ", text)
    return _SPACES.sub(" ", text).strip().lower()
