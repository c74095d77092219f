"""Measured figures for docs/benchmarks.md.  Run: `make bench` (or `python -m benchmarks.run`).

Everything runs on the embedded default (SQLite file, in-process state) in a temporary
directory, on this machine's 2 cores; nothing here is a test and nothing asserts.
"""

from __future__ import annotations

import asyncio
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.runtime.container import build
from core.clock import LOCAL_TZ, FixedClock
from core.config import Settings
from county.seed import seed_demo
from messaging.inbound import Inbound
from messaging.models import InboundKind
from nlu import intent_model, training
from nlu.parse import EmbeddedParser
from nlu.training_data import TEST_DIR, TRAIN_DIR, load_dir

REPORT = Path("reports/benchmarks.json")
TIME_CASES = Path(__file__).parent / "data" / "time_cases.jsonl"
TURNS = 300


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def nlu_figures(model_dir: Path) -> dict[str, Any]:
    train, test = load_dir(TRAIN_DIR), load_dir(TEST_DIR)
    started = time.perf_counter()
    model, _ = training.train(train, model_dir, datetime.now(UTC), test)
    thresholds = model.metadata.get("thresholds")
    training_s = time.perf_counter() - started
    parser = EmbeddedParser(model)
    texts = [e.text for e in test]
    now = datetime.now(LOCAL_TZ)

    async def timed() -> list[float]:
        for text in texts[:20]:
            await parser.parse(text, now)  # warm-up
        latencies = []
        for text in texts * 3:
            t0 = time.perf_counter()
            await parser.parse(text, now)
            latencies.append((time.perf_counter() - t0) * 1000)
        return latencies

    latencies = asyncio.run(timed())
    t0 = time.perf_counter()
    model.predict(texts)
    batch_s = time.perf_counter() - t0
    return {
        "train_examples": len(train),
        "test_examples": len(test),
        "training_seconds": round(training_s, 2),
        **model.metadata["metrics"],
        "thresholds": thresholds,
        "parse_ms_p50": round(percentile(latencies, 0.5), 3),
        "parse_ms_p99": round(percentile(latencies, 0.99), 3),
        "batch_messages_per_second": round(len(texts) / batch_s),
    }


def cold_start_seconds(model_dir: Path) -> dict[str, float]:
    """New process → model loaded → first full parse (intent + entities); and the CLI."""
    version = sorted(p for p in model_dir.iterdir() if p.is_dir())[-1]
    code = (
        "import asyncio;from pathlib import Path;from nlu.intent_model import load;"
        "from nlu.parse import EmbeddedParser;"
        f"p=EmbeddedParser(load(Path({str(version)!r})));"
        "asyncio.run(p.parse('我白天上班，明晚七点能来我家办一下吗'));"
        # VmHWM, not ru_maxrss: the latter counts the forked copy of this big process.
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    )
    runs, rss = [], 0
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        runs.append(time.perf_counter() - started)
        rss = int(done.stdout.strip())
    return {
        "cold_start_seconds": round(statistics.median(runs), 2),
        "parser_process_max_rss_mb": round(rss / 1024),
    }


def time_accuracy() -> dict[str, Any]:
    """Share of the time test set whose first expression resolves exactly right."""
    from nlu.entities.time import find_times

    cases = [
        json.loads(line)
        for line in TIME_CASES.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    right = 0
    for case in cases:
        found = find_times(case["text"], datetime.fromisoformat(case["now"]))
        if case["value"] is None:
            right += not found
            continue
        if not found:
            continue
        first = found[0]
        end = first.end_value.isoformat() if first.end_value else None
        right += (first.value.isoformat(), first.grain, end) == (
            case["value"],
            case["grain"],
            case["end"],
        )
    return {"time_cases": len(cases), "time_accuracy": round(right / len(cases), 4)}


async def conversation_figures(workdir: Path, model: intent_model.IntentModel) -> dict[str, Any]:
    settings = Settings(_env_file=None, data_dir=workdir / "data")  # type: ignore[call-arg]
    clock = FixedClock(datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ))
    app = await build(settings, clock=clock, parser=EmbeddedParser(model))
    async with app.sessions() as session:
        await seed_demo(session, clock.now())
        await session.commit()
    reports = [e.text for e in load_dir(TEST_DIR) if e.intent == "hazard"]
    latencies = []
    for i in range(TURNS):
        user = f"bench-{i}"
        grid_bound = Inbound(
            channel="bench", user_id=user, chat_id=user, kind=InboundKind.COMMAND, text="/start"
        )
        await app.conversation.handle(grid_bound)
        await app.conversation.handle(
            Inbound(
                channel="bench",
                user_id=user,
                chat_id=user,
                kind=InboundKind.BUTTON,
                button_data="bind:g:1",
            )
        )
        t0 = time.perf_counter()
        await app.conversation.handle(
            Inbound(
                channel="bench",
                user_id=user,
                chat_id=user,
                kind=InboundKind.TEXT,
                text=reports[i % len(reports)],
            )
        )
        latencies.append((time.perf_counter() - t0) * 1000)
    await app.close()
    return {
        "report_turns": TURNS,
        "report_turn_ms_p50": round(percentile(latencies, 0.5), 2),
        "report_turn_ms_p99": round(percentile(latencies, 0.99), 2),
        "report_turn_ms_mean": round(statistics.fmean(latencies), 2),
    }


def main() -> int:
    with tempfile.TemporaryDirectory() as raw:
        workdir = Path(raw)
        models = workdir / "models"
        nlu = nlu_figures(models)
        nlu.update(cold_start_seconds(models))
        nlu.update(time_accuracy())
        model = intent_model.load(sorted(p for p in models.iterdir() if p.is_dir())[-1])
        turns = asyncio.run(conversation_figures(workdir, model))
    figures = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "nlu": nlu,
        "conversation": turns,
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(figures, ensure_ascii=False, indent=2))
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
