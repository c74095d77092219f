"""Helpers shared by the rule-based extractors."""

from __future__ import annotations

from typing import Any

_FULL_WIDTH = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)} | {"\u3000": " "}
# The one table of Chinese digit values for every extractor (time.py reads its numbers with
# it too). 俩 is colloquial for two ("俩小时后"), so it reads like 两.
CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
                  "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip


def half_width(text: str) -> str:
    """Full-width ASCII to half-width, one character for one, so offsets still line up."""
    return "".join(_FULL_WIDTH.get(ch, ch) for ch in text)


def chinese_number(token: str) -> int | None:
    """'12', '十二', '二十三', '五' → int; None if it isn't a small number."""
    if token.isdigit():
        return int(token)
    if not token or any(ch not in CHINESE_DIGITS and ch != "十" for ch in token):
        return None
    if "十" not in token:
        value = 0
        for ch in token:
            value = value * 10 + CHINESE_DIGITS[ch]
        return value
    tens, _, ones = token.partition("十")
    return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[ones] if ones else 0)


def entity(name: str, start: int, end: int, value: Any, extractor: str, text: str,
           **additional: Any) -> dict[str, Any]:  # fmt: skip
    found: dict[str, Any] = {
        "entity": name, "start": start, "end": end, "value": value, "extractor": extractor,
        "text": text[start:end],
    }  # fmt: skip
    if additional:
        found["additional_info"] = additional
    return found
