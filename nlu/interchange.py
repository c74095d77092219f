"""Training data in and out of Rasa 3.x YAML, CSV (for spreadsheets) and JSONL (for scripts).

Rows, as `export_rows` returns them and `write_csv` / `write_jsonl` take them::

    {"text": "想约明晚七点上门", "intent": "appointment",
     "entities": [{"entity": "time", "start": 2, "end": 6, "value": "明晚七点"}]}

CSV scheme (UTF-8 with a BOM, so Excel shows Chinese instead of mojibake); row 1 is the
header, and error messages number rows as a spreadsheet does (the first example is row 2):

    text                intent        annotated
    想约明晚七点上门    appointment   想约[明晚七点](time)上门

* `text` is what the resident wrote, `intent` the label.
* `annotated` is the same text with entities in Rasa's inline markup, `[value](entity)`
  with ASCII brackets. It carries the entities; with none it simply repeats the text.
  When both `text` and `annotated` are filled, `annotated` without its markup must equal
  `text`, which catches a half-done edit or a mistyped bracket (`[明晚七点]（time）`).
  Either may be left empty: a new row needs only `text` + `intent`, or `annotated` +
  `intent`.
* No other columns are accepted: a typo in a header would otherwise lose a column silently.

JSONL: one row object per line (UTF-8, not escaped); `entities` may be omitted; error
messages number rows by line.

Everything read or written is checked to be expressible in Rasa's YAML, so a spreadsheet
round trip can not produce training data that Rasa would read differently: one line per
example, no leading/trailing whitespace (Rasa strips it, shifting offsets), entity spans
inside the text, matching it, and not overlapping (inline markup cannot nest).

Excel also treats a cell starting with `=`, `+`, `-` or `@` as a formula; such texts are
written unchanged (changing them would change the data), so check those cells in Excel.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from yaml.reader import Reader as _YamlReader

from nlu.training_data import DATA_DIR, EntitySpan, Example, parse_annotated

CSV_COLUMNS: tuple[str, ...] = ("text", "intent", "annotated")
ROW_KEYS: tuple[str, ...] = ("text", "intent", "entities")
ENTITY_KEYS: tuple[str, ...] = ("entity", "start", "end", "value")
# The entities Gridline's own extractors produce (nlu/entities).
GRIDLINE_ENTITIES: tuple[str, ...] = ("time", "phone", "address", "person")
USERDICT = DATA_DIR / "userdict.txt"
RASA_DATA_VERSION = "3.1"

# Rasa reads `(name:value)` as a synonym and stops a name at `)`; Gridline at `)`.
_ENTITY_NAME = re.compile(r"[^\s\[\](){}:\"]+")


# --- rows -----------------------------------------------------------------------------


def export_rows(examples: Iterable[Example]) -> list[dict[str, Any]]:
    return [
        {
            "text": example.text,
            "intent": example.intent,
            "entities": [
                {"entity": s.entity, "start": s.start, "end": s.end, "value": s.value}
                for s in example.entities
            ],
        }
        for example in examples
    ]


def annotate(text: str, entities: Iterable[EntitySpan]) -> str:
    """Plain text + spans → Rasa's inline markup (`想约[明晚七点](time)上门`)."""
    parts: list[str] = []
    cursor = 0
    for span in sorted(entities, key=lambda s: (s.start, s.end)):
        parts.append(text[cursor : span.start])
        parts.append(f"[{text[span.start : span.end]}]({span.entity})")
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


def write_jsonl(rows: Iterable[Mapping[str, Any]], path: Path | str) -> Path:
    examples = _examples_from_rows(rows)
    path = _prepare(path)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for row in export_rows(examples):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path | str) -> list[Example]:
    examples: list[Example] = []
    # utf-8-sig: tolerate a BOM that an editor on Windows may have added.
    with Path(path).open(encoding="utf-8-sig") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            where = f"row {number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not valid JSON ({exc.msg})") from exc
            examples.append(_example_from_row(row, where))
    return examples


def write_csv(rows: Iterable[Mapping[str, Any]], path: Path | str) -> Path:
    examples = _examples_from_rows(rows)
    path = _prepare(path)
    # newline="": the csv module writes its own \r\n, as Excel expects.
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for example in examples:
            writer.writerow(
                [example.text, example.intent, annotate(example.text, example.entities)]
            )
    return path


def read_csv(path: Path | str) -> list[Example]:
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as source:
            records = list(csv.reader(source))
    except UnicodeDecodeError as exc:
        # Excel's plain "CSV" on a Chinese Windows is GBK.
        raise ValueError(f"{path}: not UTF-8; in Excel save as 'CSV UTF-8 (逗号分隔)'") from exc
    if not records:
        raise ValueError(f"{path}: empty file, expected the header {','.join(CSV_COLUMNS)}")
    columns = _csv_header(records[0])
    examples: list[Example] = []
    for number, cells in enumerate(records[1:], start=2):
        where = f"row {number}"
        if not any(cell.strip() for cell in cells):
            continue  # blank spreadsheet rows
        values: dict[str, str] = {}
        for index, cell in enumerate(cells):
            name = columns[index] if index < len(columns) else ""
            if name:
                values[name] = cell.strip()
            elif cell.strip():
                raise ValueError(f"{where}: a value in column {index + 1}, which has no header")
        examples.append(_example_from_csv(values, where))
    return examples


def _csv_header(cells: Sequence[str]) -> list[str]:
    names = [cell.strip().lower() for cell in cells]
    named = [name for name in names if name]
    unknown = [name for name in named if name not in CSV_COLUMNS]
    if unknown:
        raise ValueError(
            f"row 1: unknown column(s) {', '.join(map(repr, unknown))} "
            f"(expected {', '.join(CSV_COLUMNS)})"
        )
    repeated = sorted({name for name in named if named.count(name) > 1})
    if repeated:
        raise ValueError(f"row 1: column(s) {', '.join(map(repr, repeated))} appear twice")
    if "intent" not in named or not {"text", "annotated"} & set(named):
        raise ValueError(
            "row 1: the header needs an intent column and a text or annotated column "
            f"(expected {', '.join(CSV_COLUMNS)})"
        )
    return names


def _example_from_csv(values: Mapping[str, str], where: str) -> Example:
    text = values.get("text", "")
    annotated = values.get("annotated", "")
    spans: tuple[EntitySpan, ...] = ()
    if annotated:
        plain, spans = parse_annotated(annotated)
        if text and plain != text:
            raise ValueError(
                f"{where}: annotated without its markup ({plain!r}) does not match "
                f"text ({text!r}); entity markup is [value](entity) with ASCII brackets"
            )
        if not text:
            # Nothing to compare against: a bracket outside the markup is a typo.
            outside = _outside_spans(plain, spans)
            if "[" in outside or "]" in outside:
                raise ValueError(
                    f"{where}: unbalanced [ ] in annotated ({annotated!r}); "
                    "entity markup is [value](entity)"
                )
        text = plain
    return _checked(text, values.get("intent", ""), spans, where)


def _outside_spans(text: str, spans: Sequence[EntitySpan]) -> str:
    parts: list[str] = []
    cursor = 0
    for span in spans:
        parts.append(text[cursor : span.start])
        cursor = span.end
    parts.append(text[cursor:])
    return "".join(parts)


def _examples_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Example]:
    return [_example_from_row(row, f"row {n}") for n, row in enumerate(rows, start=1)]


def _example_from_row(row: Any, where: str) -> Example:
    if not isinstance(row, Mapping):
        raise ValueError(f"{where}: expected an object with {', '.join(ROW_KEYS)}")
    unknown = [key for key in row if key not in ROW_KEYS]
    if unknown:
        raise ValueError(
            f"{where}: unknown column(s) {', '.join(map(repr, unknown))} "
            f"(expected {', '.join(ROW_KEYS)})"
        )
    text, intent = row.get("text"), row.get("intent")
    if not isinstance(text, str):
        raise ValueError(f"{where}: text must be a string, got {text!r}")
    if not isinstance(intent, str):
        raise ValueError(f"{where}: intent must be a string, got {intent!r}")
    raw_entities = row.get("entities") or []
    if not isinstance(raw_entities, list):
        raise ValueError(f"{where}: entities must be a list")
    spans = tuple(_span_from_row(raw, text, where) for raw in raw_entities)
    return _checked(text, intent, spans, where)


def _span_from_row(raw: Any, text: str, where: str) -> EntitySpan:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: an entity must be an object with {', '.join(ENTITY_KEYS)}")
    unknown = [key for key in raw if key not in ENTITY_KEYS]
    if unknown:
        raise ValueError(
            f"{where}: unknown entity field(s) {', '.join(map(repr, unknown))} "
            f"(expected {', '.join(ENTITY_KEYS)})"
        )
    name, start, end = raw.get("entity"), raw.get("start"), raw.get("end")
    if not isinstance(name, str):
        raise ValueError(f"{where}: entity name must be a string, got {name!r}")
    # bool is an int subclass; `true` as an offset is a mistake, not 1.
    if isinstance(start, bool) or not isinstance(start, int):
        raise ValueError(f"{where}: entity {name!r} start must be an integer, got {start!r}")
    if isinstance(end, bool) or not isinstance(end, int):
        raise ValueError(f"{where}: entity {name!r} end must be an integer, got {end!r}")
    # `value` may be omitted: the text at the offsets is the value. (Out-of-range offsets
    # are reported by _checked, which looks at the range before the value.)
    value = raw.get("value")
    if value is None:
        value = text[start:end]
    elif not isinstance(value, str):
        raise ValueError(f"{where}: entity {name!r} value must be a string, got {value!r}")
    return EntitySpan(name, start, end, value)


# --- the checks shared by every reader and writer ---------------------------------------


def _checked(text: str, intent: str, spans: Iterable[EntitySpan], where: str) -> Example:
    """An Example that Rasa's YAML (and Gridline's loader) would read back identically."""
    intent = intent.strip()
    if not intent:
        raise ValueError(f"{where}: intent is empty")
    if any(ch.isspace() for ch in intent):
        raise ValueError(f"{where}: intent {intent!r} contains whitespace")
    if not text:
        raise ValueError(f"{where}: text is empty")
    if len(text.splitlines()) != 1:
        raise ValueError(f"{where}: text contains a line break (Rasa takes one example a line)")
    if text != text.strip():
        raise ValueError(
            f"{where}: text starts or ends with whitespace (Rasa strips it, "
            "which would move the entity offsets)"
        )
    bad = _YamlReader.NON_PRINTABLE.search(text)
    if bad:
        raise ValueError(
            f"{where}: text contains the control character U+{ord(bad.group()):04X}, "
            "which YAML cannot carry"
        )
    ordered = tuple(sorted(spans, key=lambda s: (s.start, s.end)))
    previous: EntitySpan | None = None
    for span in ordered:
        if not _ENTITY_NAME.fullmatch(span.entity):
            raise ValueError(f"{where}: entity name {span.entity!r} is not usable in Rasa markup")
        if not 0 <= span.start < span.end <= len(text):
            raise ValueError(
                f"{where}: entity {span.entity!r} offsets {span.start}..{span.end} are out of "
                f"range for a text of {len(text)} characters"
            )
        if text[span.start : span.end] != span.value:
            raise ValueError(
                f"{where}: entity {span.entity!r} value {span.value!r} does not match the text "
                f"at {span.start}..{span.end} ({text[span.start : span.end]!r})"
            )
        if previous is not None and span.start < previous.end:
            raise ValueError(
                f"{where}: entities {previous.entity!r} ({previous.start}..{previous.end}) and "
                f"{span.entity!r} ({span.start}..{span.end}) overlap"
            )
        previous = span
    # The last word: the markup must parse back to exactly this text and these spans.
    # It fails when the text itself contains something like `[x](y)`, or a value holds `]`.
    if parse_annotated(annotate(text, ordered)) != (text, ordered):
        raise ValueError(
            f"{where}: text {text!r} cannot be written in Rasa's inline markup "
            "unambiguously (it contains [..](..) or [..]{..} itself, or a value holds ']')"
        )
    return Example(text=text, intent=intent, entities=ordered)


# --- Rasa --------------------------------------------------------------------------------


def write_rasa_yaml(examples: Iterable[Example], path: Path | str) -> Path:
    """Rasa 3.1 NLU YAML, one `- intent:` section per intent in order of first appearance.

    Examples are grouped by intent, keeping their order within each intent; for data
    already grouped that way (as loaded from nlu/data) `load_file` gives back the same list.
    """
    by_intent: dict[str, list[Example]] = {}
    for number, example in enumerate(examples, start=1):
        checked = _checked(example.text, example.intent, example.entities, f"example {number}")
        by_intent.setdefault(checked.intent, []).append(checked)
    lines = [f'version: "{RASA_DATA_VERSION}"']
    if not by_intent:
        lines.append("nlu: []")
    else:
        lines.append("nlu:")
    for intent, group in by_intent.items():
        lines.append(f"- intent: {_yaml_scalar(intent)}")
        # A literal block needs no escaping: each line is taken as is after the indent,
        # and _checked has ruled out what could break it (line breaks, edge whitespace).
        lines.append("  examples: |")
        lines.extend(f"    - {annotate(e.text, e.entities)}" for e in group)
    path = _prepare(path)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return path


def export_rasa_project(
    train_examples: Iterable[Example],
    out_dir: Path | str,
    *,
    userdict: Path = USERDICT,
    extras: Iterable[dict[str, str]] = (),
) -> Path:
    """A directory `rasa train nlu` can run in (see rasa/README.md). Returns out_dir.

    `extras` are synonym / regex / lookup sections (`training_data.load_extras`), written
    to `data/extras.yml` for Rasa's RegexFeaturizer and EntitySynonymMapper.
    """
    examples = list(train_examples)
    if not examples:
        raise ValueError("no training examples to export")
    out_dir = Path(out_dir)
    write_rasa_yaml(examples, out_dir / "data" / "nlu.yml")
    extra_items = list(extras)
    if extra_items:
        lines = [f"version: {_yaml_scalar(RASA_DATA_VERSION)}", "nlu:"]
        for item in extra_items:
            kind = next(k for k in item if k != "examples")
            lines.append(f"- {kind}: {_yaml_scalar(item[kind])}")
            lines.append("  examples: |")
            lines += [f"    {line.strip()}" for line in item["examples"].splitlines()
                      if line.strip()]  # fmt: skip
        _prepare(out_dir / "data" / "extras.yml").write_text("\n".join(lines) + "\n",
                                                           encoding="utf-8")  # fmt: skip
    # Rasa's JiebaTokenizer loads every file in `dictionary_path`, so it gets its own dir.
    shutil.copyfile(userdict, _prepare(out_dir / "jieba_userdict" / "userdict.txt"))

    intents = list(dict.fromkeys(e.intent for e in examples))
    entities = list(
        dict.fromkeys([*GRIDLINE_ENTITIES, *(s.entity for e in examples for s in e.entities)])
    )
    _write_yaml(out_dir / "config.yml", _CONFIG_HEADER, _rasa_config())
    _write_yaml(
        out_dir / "domain.yml",
        _DOMAIN_HEADER,
        {"version": RASA_DATA_VERSION, "intents": intents, "entities": entities},
    )
    return out_dir


_CONFIG_HEADER = """\
# Generated by Gridline (nlu/interchange.py): a Rasa 3.x NLU pipeline for Chinese.
# Paths are relative to this directory, where `rasa train nlu` runs.
# No `policies`: Gridline runs the conversation itself and only asks Rasa for intents.
"""
_DOMAIN_HEADER = "# Generated by Gridline (nlu/interchange.py) from the training data.\n"


def _rasa_config() -> dict[str, Any]:
    return {
        "recipe": "default.v1",
        "assistant_id": "gridline",
        "language": "zh",
        "pipeline": [
            # Gridline's dictionary keeps words like 网格员 and 低保 whole.
            {"name": "JiebaTokenizer", "dictionary_path": "jieba_userdict"},
            {"name": "RegexFeaturizer"},
            {"name": "LexicalSyntacticFeaturizer"},
            {"name": "CountVectorsFeaturizer", "analyzer": "word"},
            # Character n-grams carry what jieba splits badly (dialect, typos, 繁体).
            {
                "name": "CountVectorsFeaturizer",
                "analyzer": "char_wb",
                "min_ngram": 1,
                "max_ngram": 3,
            },
            {"name": "DIETClassifier", "epochs": 100},
            {"name": "EntitySynonymMapper"},
            # For `rasa shell nlu`; Gridline's RasaClassifier drops `nlu_fallback` and
            # applies its own threshold to the ranking beneath it.
            {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
        ],
    }


def _write_yaml(path: Path, header: str, document: Mapping[str, Any]) -> None:
    body = yaml.safe_dump(dict(document), sort_keys=False, allow_unicode=True)
    _prepare(path).write_text(header + body, encoding="utf-8", newline="\n")


def _yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar: plain when YAML reads it back as that string, else quoted."""
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value}:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _prepare(path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
