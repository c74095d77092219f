"""The `gridline` command, run as a real subprocess against a throw-away SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATABASE_URL

pytestmark = pytest.mark.skipif(
    DATABASE_URL is not None, reason="exercises the embedded default (SQLite) only"
)


def gridline(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "TELEGRAM_BOT_TOKEN": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_seed_list_invite(tmp_path: Path) -> None:
    first = gridline(tmp_path, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert "演示县" in first.stdout
    again = gridline(tmp_path, "seed-demo")
    assert again.returncode == 0 and "未重复创建" in again.stdout

    listed = gridline(tmp_path, "grid", "list")
    lines = listed.stdout.strip().splitlines()
    assert len(lines) == 5
    assert lines[0].split("\t") == ["CG-DF-01", "城关镇东风社区第一网格"]
    assert all(line.count("\t") == 1 for line in lines)

    invited = gridline(tmp_path, "worker", "invite", "--grid", "CG-XF-01", "--name", "王芳")
    assert invited.returncode == 0, invited.stderr
    code = invited.stdout.strip().splitlines()[-1]
    assert (len(code) == 10 and code.isalnum() and code.isupper()) or code.isdigit() is False
    assert code in invited.stdout.splitlines()[0]  # also in the deep link

    missing = gridline(tmp_path, "worker", "invite", "--grid", "NOPE", "--name", "某人")
    assert missing.returncode == 2 and "找不到网格 NOPE" in missing.stderr
    assert (tmp_path / "gridline.db").exists()
