"""Entity extractors: rules that pull times, phone numbers, addresses and names out of text."""

from __future__ import annotations

from nlu.parse import EntityExtractor


def default_extractors() -> list[EntityExtractor]:
    return []
