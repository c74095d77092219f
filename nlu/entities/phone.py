"""Mainland phone numbers: mobile (11 digits) and landline (area code + number)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from nlu.entities.common import entity, half_width

# Separators residents type inside numbers: spaces, hyphens, dots.
_SEP = r"[\s\-.]?"
_MOBILE = re.compile(rf"(?<!\d)(?:\+?86{_SEP})?(1[3-9]\d){_SEP}(\d{{4}}){_SEP}(\d{{4}})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[\s\-]?(\d{7,8})(?:(?:转|-|ext\.?)(\d{1,5}))?(?!\d)")


class PhoneExtractor:
    name = "GridlinePhoneExtractor"

    def extract(self, text: str, now: datetime) -> list[dict[str, Any]]:
        plain = half_width(text)
        found: list[dict[str, Any]] = []
        taken: list[range] = []
        for match in _MOBILE.finditer(plain):
            value = "".join(match.groups())
            found.append(
                entity("phone", match.start(), match.end(), value, self.name, text, kind="mobile")
            )
            taken.append(range(match.start(), match.end()))
        for match in _LANDLINE.finditer(plain):
            if any(match.start() in span for span in taken):
                continue
            area, number, extension = match.groups()
            value = f"{area}-{number}" + (f"-{extension}" if extension else "")
            found.append(
                entity("phone", match.start(), match.end(), value, self.name, text, kind="landline")
            )
        return found
