"""jieba, loaded once per process with Gridline's domain dictionary."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import jieba

USER_DICT = Path(__file__).parent / "data" / "userdict.txt"

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def tokenizer() -> jieba.Tokenizer:
    """The shared jieba tokenizer; its dictionary load (~1 s) happens on first use only."""
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            jieba.setLogLevel(logging.WARNING)
            instance = jieba.Tokenizer()
            instance.initialize()
            instance.load_userdict(str(USER_DICT))
            _tokenizer = instance
    return _tokenizer


def words(text: str) -> list[str]:
    return [token for token in tokenizer().lcut(text) if token.strip()]
