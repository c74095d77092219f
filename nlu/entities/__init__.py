"""Entity extractors: rules that pull times, phone numbers, addresses and names out of text."""

from __future__ import annotations

from nlu.entities.address import AddressExtractor
from nlu.entities.person import PersonExtractor
from nlu.entities.phone import PhoneExtractor
from nlu.entities.time import TimeExtractor
from nlu.result import EntityExtractor


def default_extractors() -> list[EntityExtractor]:
    return [TimeExtractor(), PhoneExtractor(), AddressExtractor(), PersonExtractor()]
