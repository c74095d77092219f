"""`gridline nlu …` through the real entry point, in-process, on a throw-away data dir."""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.cli.main import main
from core.config import Settings, get_settings
from core.db import open_database
from nlu.intent_model import IntentModel
from nlu.models import LabelledExample
from nlu.registry import record_and_activate
from nlu.training_data import TRAIN_DIR, load_dir, load_file
from tests.conftest import DATABASE_URL, FRIDAY_10AM

pytestmark = pytest.mark.skipif(
    DATABASE_URL is not None, reason="exercises the embedded default (SQLite) only"
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             trained_model: IntentModel) -> Iterator[Path]:  # fmt: skip
    data = tmp_path / "data"
    for name, value in {"DATA_DIR": str(data), "DATABASE_URL": "", "REDIS_URL": "",
                        "NLU_BACKEND": "embedded"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    settings = Settings(_env_file=None, data_dir=data)  # type: ignore[call-arg]
    path = settings.model_dir / trained_model.version
    trained_model.save(path)

    async def activate() -> None:
        engine, sessions = await open_database(settings)
        async with sessions() as session:
            await record_and_activate(session, trained_model, path, FRIDAY_10AM)
            await session.commit()
        await engine.dispose()

    asyncio.run(activate())
    yield data
    get_settings.cache_clear()


def run(*args: str) -> int:
    return main(list(args))


def test_parse_json_lines_contract(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    lines = [
        '{"text": "我白天上班，明晚七点能来我家办一下吗，电话13812345678"}',
        "not json",
        '{"text": "樓道裡有人給電瓶車充電"}',
        "",
        '{"txt": 1}',
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert run("nlu", "parse", "--now", "2026-11-27T10:00:00+08:00") == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == 4  # one answer per non-empty input line, in order
    first = out[0]
    assert set(first) == {"text", "intent", "intent_ranking", "entities", "emergency"}
    assert first["emergency"] is None
    assert first["intent"]["name"] == "appointment"
    assert first["intent_ranking"][0] == first["intent"]
    phone = next(e for e in first["entities"] if e["entity"] == "phone")
    assert phone["value"] == "13812345678"
    assert first["text"][phone["start"] : phone["end"]] == "13812345678"
    assert {"entity", "start", "end", "value", "extractor"} <= set(phone)
    when = next(e for e in first["entities"] if e["entity"] == "time")
    assert first["text"][when["start"] : when["end"]] == "明晚七点"
    assert when["value"] == "2026-11-28T19:00:00+08:00"
    assert when["additional_info"] == {"grain": "hour", "end": None}
    assert out[1] == {"error": "line 2: Expecting value: line 1 column 1 (char 0)"}
    assert out[2]["intent"]["name"] == "hazard"
    assert "error" in out[3]


def test_parse_one_text_pretty(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run("nlu", "parse", "井盖没了，晚上看不见很危险") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("{\n  ")  # pretty, not one line
    assert json.loads(printed)["intent"]["name"] == "hazard"


def test_test_report_files(data_dir: Path, tmp_path: Path,
                           capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    assert run("nlu", "test", "--out", str(tmp_path / "reports")) == 0
    printed = capsys.readouterr().out
    assert "macro-F1" in printed and "confusion matrix" in printed
    folder = next((tmp_path / "reports").iterdir())
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<table>" in html and "appointment" in html
    assert (folder / "errors.jsonl").exists()


def test_export_then_import_round_trip(data_dir: Path, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    csv_path, yaml_path = tmp_path / "train.csv", tmp_path / "back.yml"
    assert run("nlu", "export", "--format", "csv", str(csv_path)) == 0
    assert run("nlu", "import", str(csv_path), "--out", str(yaml_path)) == 0
    original, back = load_dir(TRAIN_DIR), load_file(yaml_path)
    # The YAML groups examples by intent, so compare them as collections.
    assert sorted((e.text, e.intent, e.entities) for e in back) == sorted(
        (e.text, e.intent, e.entities) for e in original
    )
    assert run("nlu", "export", "--format", "rasa", str(tmp_path / "rasa")) == 0
    assert (tmp_path / "rasa" / "config.yml").exists()
    assert (tmp_path / "rasa" / "data" / "nlu.yml").exists()
    extras = yaml.safe_load((tmp_path / "rasa" / "data" / "extras.yml").read_text("utf-8"))
    kinds = {next(k for k in item if k != "examples") for item in extras["nlu"]}
    assert kinds == {"regex", "synonym", "lookup"}
    phone = next(item for item in extras["nlu"] if item.get("regex") == "phone")
    assert r"1[3-9]\d{9}" in phone["examples"]


def test_versions_activate_and_inbox(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    trained_model: IntentModel,
) -> None:  # fmt: skip
    settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
    older = IntentModel("20260101-000000-old", trained_model.classes, trained_model.vocabulary,
                        trained_model.idf, trained_model.weights, trained_model.intercept,
                        {**trained_model.metadata, "metrics": {"accuracy": 0.9}})  # fmt: skip
    older.save(settings.model_dir / older.version)

    async def prepare() -> None:
        engine, sessions = await open_database(settings)
        async with sessions() as session:
            await record_and_activate(session, older, settings.model_dir / older.version,
                                      FRIDAY_10AM)  # fmt: skip
            session.add(
                LabelledExample(
                    text="帮我看看这个事情",
                    intent="welfare",
                    source="resident_choice",
                    predicted_intent="out_of_scope",
                    predicted_confidence=0.31,
                    created_at=FRIDAY_10AM,
                )
            )
            await session.commit()
        await engine.dispose()

    asyncio.run(prepare())
    assert run("nlu", "versions") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[0].startswith("* 20260101-000000-old") and listed[1].startswith("  ")
    assert run("nlu", "activate", trained_model.version) == 0
    capsys.readouterr()
    assert run("nlu", "versions") == 0
    assert capsys.readouterr().out.splitlines()[1].startswith(f"* {trained_model.version}")
    assert run("nlu", "activate", "no-such-version") == 2

    exported = tmp_path / "inbox.yml"
    assert run("nlu", "inbox", "--export", str(exported)) == 0
    assert "welfare\tout_of_scope 0.31\t帮我看看这个事情" in capsys.readouterr().out
    (example,) = load_file(exported)
    assert (example.text, example.intent) == ("帮我看看这个事情", "welfare")
