from datetime import datetime

import pytest

from core.clock import LOCAL_TZ
from nlu.entities.address import AddressExtractor
from nlu.entities.person import PersonExtractor
from nlu.entities.phone import PhoneExtractor

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)


def spans(extractor: object, text: str) -> list[tuple[str, str]]:
    found = extractor.extract(text, NOW)  # type: ignore[attr-defined]
    for item in found:
        assert text[item["start"] : item["end"]] == item["text"]  # offsets index the original
    return [(item["text"], item["value"]) for item in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678，下午都在家", [("13812345678", "13812345678")]),
        ("打我手机138-1234-5678", [("138-1234-5678", "13812345678")]),
        ("我叫张伟，电话是 １３９７１０００００１", [("１３９７１０００００１", "13971000001")]),
        ("座机0712-8765432转123", [("0712-8765432转123", "0712-8765432-123")]),
        ("+86 139 7100 0001", [("+86 139 7100 0001", "13971000001")]),
        ("买不到12306的票", []),
        ("身份证号420902199001011234", []),
        ("低保每月发580元", []),
    ],
)
def test_phone_numbers(text: str, expected: list[tuple[str, str]]) -> None:
    assert spans(PhoneExtractor(), text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("幸福小区3栋2单元502楼道里有人给电瓶车充电", ["幸福小区3栋2单元502"]),
        ("我住在东风村五组", ["东风村五组"]),
        ("向阳路12号门口井盖没了", ["向阳路12号"]),
        ("我家住幸福花园", ["幸福花园"]),
        ("3号楼2单元的电梯坏了", ["3号楼2单元"]),
        ("小区里停满了车", []),
        ("住在村里的老人", []),
    ],
)
def test_address_fragments(text: str, expected: list[str]) -> None:
    assert [found for found, _ in spans(AddressExtractor(), text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我叫张伟，住3栋", ["张伟"]),
        ("楼下李阿姨家漏水", ["李阿姨"]),
        ("老王家的狗咬人了", ["老王"]),
        ("联系人王芳电话13971000001", ["王芳"]),
        ("楼道里有电瓶车", []),
    ],
)
def test_people(text: str, expected: list[str]) -> None:
    assert [found for found, _ in spans(PersonExtractor(), text)] == expected
