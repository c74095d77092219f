"""Vetted answers to common how-to questions, kept as YAML data (see README.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

from county.models import Category

KB_DIR = Path(__file__).parent
MAX_ANSWER_CHARS = 800
FIELDS = {"id", "category", "question", "keywords", "answer", "source", "reviewed"}


class KnowledgeBaseError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    id: str
    category: Category
    question: str
    keywords: tuple[str, ...]
    answer: str
    source: str
    reviewed: dt.date


def _entry(raw: object, where: str) -> Entry:
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(f"{where}: an entry must be a mapping")
    if set(raw) != FIELDS:
        missing, extra = FIELDS - set(raw), set(raw) - FIELDS
        raise KnowledgeBaseError(f"{where}: missing {sorted(missing)}, unknown {sorted(extra)}")
    try:
        category = Category(raw["category"])
    except ValueError as exc:
        raise KnowledgeBaseError(f"{where}: unknown category {raw['category']!r}") from exc
    answer = str(raw["answer"]).strip()
    if not answer or len(answer) > MAX_ANSWER_CHARS:
        raise KnowledgeBaseError(f"{where}: answer must be 1–{MAX_ANSWER_CHARS} characters")
    if not isinstance(raw["reviewed"], dt.date):
        raise KnowledgeBaseError(f"{where}: reviewed must be a date (YYYY-MM-DD)")
    return Entry(
        id=str(raw["id"]), category=category, question=str(raw["question"]).strip(),
        keywords=tuple(str(k) for k in raw["keywords"] or ()), answer=answer,
        source=str(raw["source"]), reviewed=raw["reviewed"],
    )  # fmt: skip


def load_entries(directory: Path = KB_DIR) -> list[Entry]:
    entries: list[Entry] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if document.get("version") != 1:
            raise KnowledgeBaseError(f"{path.name}: expected version: 1")
        for index, raw in enumerate(document.get("entries") or [], 1):
            entry = _entry(raw, f"{path.name} entry {index}")
            if entry.id in seen:
                raise KnowledgeBaseError(f"{path.name} entry {index}: duplicate id {entry.id!r}")
            seen.add(entry.id)
            entries.append(entry)
    return entries
