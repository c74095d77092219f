import re
from pathlib import Path

import pytest

from knowledge_base import KnowledgeBaseError, load_entries


def test_shipped_entries_are_valid() -> None:
    entries = load_entries()
    assert {e.id for e in entries} >= {"dibao-apply", "elderly-allowance"}
    assert all(e.category == "welfare" and e.keywords for e in entries)


def test_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(
        "version: 1\nentries:\n  - id: x\n    category: weather\n    question: q\n"
        "    keywords: [k]\n    answer: a\n    source: s\n    reviewed: 2026-11-01\n",
        encoding="utf-8",
    )
    with pytest.raises(
        KnowledgeBaseError, match=re.escape("bad.yml entry 1: unknown category 'weather'")
    ):
        load_entries(tmp_path)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    entry = (
        "  - id: same\n    category: welfare\n    question: q\n    keywords: [k]\n"
        "    answer: a\n    source: s\n    reviewed: 2026-11-01\n"
    )
    (tmp_path / "a.yml").write_text("version: 1\nentries:\n" + entry * 2, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="duplicate id 'same'"):
        load_entries(tmp_path)
