"""Address fragments: estate/village names with building, unit, room, or village group."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from nlu.entities.common import entity, half_width

_NUM = r"(?:\d{1,4}|[零〇一二两三四五六七八九十]{1,3})"
# Characters that end the name on the left: pronouns, verbs and particles around a place.
_NOT_IN_NAME = "我你他她们在住是的了到去从往给把被和跟与就也都还又有家里这那哪个请帮让"
_NAME = r"[\u4e00-\u9fff]{1,6}?"
_PLACE_SUFFIX = r"(?:小区|花园|家园|新村|新城|公寓|大厦|苑|社区|村|街道|大道|路|街|巷|弄)"
_PARTS = (
    rf"(?:{_NUM}(?:号楼|栋|幢|座|号院|号))?"
    rf"(?:{_NUM}单元(?:\d{{3,4}}(?:室|号|户)?(?!\d))?)?"
    # 楼 as a floor, not the first half of 楼道/楼梯/楼下.
    rf"(?:{_NUM}(?:楼(?![道梯下上顶房前后])|层))?"
    rf"(?:{_NUM}(?:室|号|户))?"
    rf"(?:{_NUM}组)?"
)
_WITH_PLACE = re.compile(rf"{_NAME}{_PLACE_SUFFIX}{_PARTS}")
_PARTS_ONLY = re.compile(
    rf"{_NUM}(?:号楼|栋|幢)(?:{_NUM}单元)?(?:{_NUM}(?:室|号))?"
    rf"|{_NUM}单元(?:\d{{3,4}}(?:室|号)?|{_NUM}(?:楼|层))?"
)


def _trim_name(text: str, start: int, end: int) -> int:
    """Move `start` right past words that belong to the sentence, not the place."""
    for i in range(end - 1, start - 1, -1):
        if text[i] in _NOT_IN_NAME:
            return i + 1
    return start


class AddressExtractor:
    name = "GridlineAddressExtractor"

    def extract(self, text: str, now: datetime) -> list[dict[str, Any]]:
        plain = half_width(text)
        found: list[dict[str, Any]] = []
        covered: list[range] = []
        for match in _WITH_PLACE.finditer(plain):
            suffix_at = re.search(_PLACE_SUFFIX, match.group()).start()  # type: ignore[union-attr]
            start = _trim_name(plain, match.start(), match.start() + suffix_at)
            name_length = match.start() + suffix_at - start
            if name_length < 1 or (name_length < 2 and match.end() - start <= 2):
                continue  # '村' or '路' alone is a word, not an address
            found.append(
                entity("address", start, match.end(), plain[start : match.end()], self.name, text)
            )
            covered.append(range(start, match.end()))
        for match in _PARTS_ONLY.finditer(plain):
            if any(match.start() in span for span in covered):
                continue
            found.append(
                entity("address", match.start(), match.end(), match.group(), self.name, text)
            )
        return found
