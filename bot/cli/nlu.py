"""`gridline nlu …`: train, test, parse, import, export."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from core.clock import LOCAL_TZ, SystemClock
from core.config import Settings
from core.db import migrated_database
from handlers import texts
from nlu.parse import IntentParser


def parse_now(raw: str | None) -> datetime | None:
    """ISO 8601; a time without an offset is read as the county's local time."""
    if raw is None:
        return None
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


async def _parser(settings: Settings) -> IntentParser:
    from bot.runtime.container import build_parser

    async with migrated_database(settings) as sessions:
        parser, _ = await build_parser(settings, sessions, SystemClock())
    return parser


async def cmd_train(settings: Settings, args: argparse.Namespace) -> int:
    from nlu.registry import record_and_activate, train_from_repo_data

    now = SystemClock().now()
    async with migrated_database(settings) as sessions:
        model, path = train_from_repo_data(settings.model_dir, now)
        async with sessions() as session:
            await record_and_activate(session, model, path, now)
            await session.commit()
    metrics = model.metadata.get("metrics") or {}
    tuned = model.thresholds or (None, None)
    print(
        texts.CLI_TRAINED.format(
            version=model.version,
            accuracy=metrics.get("accuracy"),
            f1=metrics.get("macro_f1"),
            threshold=tuned[0],
            margin=tuned[1],
            seconds=model.metadata["training_seconds"],
        )
    )
    return 0


async def cmd_test(settings: Settings, args: argparse.Namespace) -> int:
    from nlu.registry import load_active_or_train
    from nlu.report import evaluate_split, write_report
    from nlu.training_data import TEST_DIR, load_dir

    async with migrated_database(settings) as sessions, sessions() as session:
        model = await load_active_or_train(session, settings.model_dir, SystemClock().now())
        await session.commit()
    report = evaluate_split(model, load_dir(Path(args.data) if args.data else TEST_DIR))
    print(report.as_text())
    written = write_report(report, Path(args.out) / model.version)
    print("\n" + texts.CLI_REPORT_WRITTEN.format(paths="、".join(str(p) for p in written)))
    return 0


async def _parse_stream(parser: IntentParser, now: datetime | None, source: TextIO,
                        sink: TextIO) -> None:  # fmt: skip
    for number, line in enumerate(source, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            text = request["text"] if isinstance(request, dict) else None
            if not isinstance(text, str):
                raise ValueError('each line must be a JSON object with a string "text"')
            moment = parse_now(request.get("now")) or now
            result = (await parser.parse(text, moment)).as_rasa()
        except (ValueError, KeyError) as exc:
            result = {"error": f"line {number}: {exc}"}
        sink.write(json.dumps(result, ensure_ascii=False) + "\n")
        sink.flush()


async def cmd_parse(settings: Settings, args: argparse.Namespace) -> int:
    now = parse_now(args.now)
    parser = await _parser(settings)
    if args.text is not None:
        result = await parser.parse(args.text, now)
        print(json.dumps(result.as_rasa(), ensure_ascii=False, indent=2))
        return 0
    await _parse_stream(parser, now, sys.stdin, sys.stdout)
    return 0


async def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from nlu.interchange import read_csv, read_jsonl, write_rasa_yaml

    source = Path(args.file)
    examples = (
        read_jsonl(source) if source.suffix.lower() in (".jsonl", ".json") else (read_csv(source))
    )
    write_rasa_yaml(examples, Path(args.out))
    print(texts.CLI_IMPORTED.format(count=len(examples), source=source, target=args.out))
    return 0


async def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from nlu.interchange import (
        export_rasa_project,
        export_rows,
        write_csv,
        write_jsonl,
        write_rasa_yaml,
    )
    from nlu.training_data import TEST_DIR, TRAIN_DIR, load_dir, load_extras

    examples = load_dir(TEST_DIR if args.split == "test" else TRAIN_DIR)
    target = Path(args.out)
    if args.format == "csv":
        write_csv(export_rows(examples), target)
    elif args.format == "jsonl":
        write_jsonl(export_rows(examples), target)
    elif args.format == "yaml":
        write_rasa_yaml(examples, target)
    else:
        export_rasa_project(examples, target, extras=load_extras(TRAIN_DIR))
    print(texts.CLI_EXPORTED.format(count=len(examples), target=target))
    return 0


async def cmd_versions(settings: Settings, args: argparse.Namespace) -> int:
    from nlu.registry import versions

    async with migrated_database(settings) as sessions, sessions() as session:
        for row in await versions(session):
            metrics = row.metrics or {}
            print(texts.CLI_NLU_VERSION.format(
                mark="*" if row.active else " ", version=row.version,
                accuracy=metrics.get("accuracy", "-"), f1=metrics.get("macro_f1", "-"),
                examples=row.data_hash[:8], pipeline=row.pipeline))  # fmt: skip
    return 0


async def cmd_activate(settings: Settings, args: argparse.Namespace) -> int:
    from nlu.registry import activate

    async with migrated_database(settings) as sessions, sessions() as session:
        row = await activate(session, args.version)
        if row is None:
            print(texts.CLI_NLU_UNKNOWN_VERSION.format(version=args.version), file=sys.stderr)
            return 2
        await session.commit()
    print(texts.CLI_NLU_ACTIVATED.format(version=args.version))
    return 0


async def cmd_inbox(settings: Settings, args: argparse.Namespace) -> int:
    """The training inbox: what residents labelled when the model was unsure."""
    from nlu import inbox
    from nlu.interchange import write_rasa_yaml

    async with migrated_database(settings) as sessions, sessions() as session:
        rows = await inbox.labelled(session)
    for row in rows:
        guess = f"{row.predicted_intent} {row.predicted_confidence:.2f}" if (
            row.predicted_intent and row.predicted_confidence is not None) else "-"  # fmt: skip
        print(f"{row.id}\t{row.intent}\t{guess}\t{row.text}")
    if args.export:
        examples = inbox.as_examples(rows)
        write_rasa_yaml(examples, Path(args.export))
        print(texts.CLI_EXPORTED.format(count=len(examples), target=args.export), file=sys.stderr)
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    nlu = commands.add_parser("nlu", help="intent model").add_subparsers(
        dest="action", required=True
    )
    nlu.add_parser("train", help="train on nlu/data/train and activate the new model")
    test = nlu.add_parser("test", help="report on the held-out split (nlu/data/test)")
    test.add_argument("--data", help="another folder of Rasa YAML to score instead")
    test.add_argument("--out", default="reports/nlu", help="where report.txt/.html go")
    parse = nlu.add_parser(
        "parse", help="JSON Lines {'text': ...} on stdin → Rasa /model/parse JSON lines"
    )
    parse.add_argument("text", nargs="?", help="parse this one text and print it pretty")
    parse.add_argument("--now", help="reference time, ISO 8601 (default: now)")
    imported = nlu.add_parser("import", help="CSV or JSONL labels → Rasa YAML")
    imported.add_argument("file")
    imported.add_argument("--out", required=True, help="e.g. nlu/data/train/labelled.yml")
    exported = nlu.add_parser("export", help="training data → CSV, JSONL, YAML or a Rasa project")
    exported.add_argument("--format", choices=["csv", "jsonl", "yaml", "rasa"], required=True)
    exported.add_argument("--split", choices=["train", "test"], default="train")
    exported.add_argument("out", help="file (csv/jsonl/yaml) or folder (rasa)")
    nlu.add_parser("versions", help="trained versions with their held-out scores (* = active)")
    activated = nlu.add_parser("activate", help="make a trained version the active one")
    activated.add_argument("version")
    inbox = nlu.add_parser(
        "inbox", help="residents' own labels for messages the model was unsure of"
    )
    inbox.add_argument(
        "--export", metavar="YML", help="write them as Rasa YAML to review and train"
    )


HANDLERS = {
    ("nlu", "train"): cmd_train,
    ("nlu", "test"): cmd_test,
    ("nlu", "parse"): cmd_parse,
    ("nlu", "import"): cmd_import,
    ("nlu", "export"): cmd_export,
    ("nlu", "versions"): cmd_versions,
    ("nlu", "activate"): cmd_activate,
    ("nlu", "inbox"): cmd_inbox,
}
