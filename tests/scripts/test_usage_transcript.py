"""docs/usage-*.md are real bot output: each must match what its scripted day produces now."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from nlu import intent_model

ROOT = Path(__file__).resolve().parents[2]


def transcript_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "usage_transcript", ROOT / "scripts" / "usage_transcript.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("day", ["worker", "resident"])
async def test_the_usage_guide_is_what_the_bot_says(
    day: str, trained_model: intent_model.IntentModel
) -> None:
    script = transcript_script()
    assert day in script.DAYS
    # The same model the script trains for itself (same data, same moment, no tuning).
    produced = await script.render(day, trained_model)
    guide = (ROOT / "docs" / f"usage-{day}.md").read_text(encoding="utf-8")
    assert produced == guide, (
        f"docs/usage-{day}.md is out of date: run "
        f".venv/bin/python scripts/usage_transcript.py {day} > docs/usage-{day}.md"
    )
    assert "【新工单】" in produced and "✎" in produced  # a card, and a card edited in place
