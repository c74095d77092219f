"""Reading Rasa 3.x NLU YAML (intents with examples, entity annotations)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).parent / "data"
TRAIN_DIR = DATA_DIR / "train"
TEST_DIR = DATA_DIR / "test"

# [明晚七点](time) or [明晚七点]{"entity": "time", ...}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<entity>[^)]+)\)|\{(?P<json>[^}]*)\})")


@dataclass(frozen=True)
class EntitySpan:
    entity: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = field(default=())


def parse_annotated(line: str) -> tuple[str, tuple[EntitySpan, ...]]:
    """Strip Rasa's entity markup, returning plain text and the entity spans."""
    plain: list[str] = []
    spans: list[EntitySpan] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[cursor : match.start()]
        plain.append(before)
        length += len(before)
        value = match.group("text")
        entity = match.group("entity") or _entity_from_json(match.group("json") or "")
        spans.append(EntitySpan(entity, length, length + len(value), value))
        plain.append(value)
        length += len(value)
        cursor = match.end()
    plain.append(line[cursor:])
    return "".join(plain), tuple(spans)


def _entity_from_json(raw: str) -> str:
    found = re.search(r'"entity"\s*:\s*"([^"]+)"', raw)
    return found.group(1) if found else "unknown"


def _examples_in(block: str) -> Iterable[str]:
    for raw in block.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            line = line[2:].strip()
        if line:
            yield line


def load_file(path: Path) -> list[Example]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: list[Example] = []
    for item in document.get("nlu") or []:
        intent = item.get("intent")
        if not intent:
            continue  # synonym / regex / lookup sections carry no intent examples
        for line in _examples_in(item.get("examples") or ""):
            text, spans = parse_annotated(line)
            examples.append(Example(text=text, intent=intent, entities=spans))
    return examples


EXTRA_KINDS = ("synonym", "regex", "lookup")


def load_extras(directory: Path) -> list[dict[str, str]]:
    """The synonym / regex / lookup sections, as written, for tools that use them (Rasa)."""
    extras: list[dict[str, str]] = []
    for path in sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu") or []:
            kind = next((k for k in EXTRA_KINDS if k in item), None)
            if kind is not None:
                extras.append({kind: str(item[kind]), "examples": item.get("examples") or ""})
    return extras


def load_dir(directory: Path) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml")):
        examples.extend(load_file(path))
    return examples


def data_hash(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256()
    for example in examples:
        digest.update(f"{example.intent}\t{example.text}\n".encode())
    return digest.hexdigest()
