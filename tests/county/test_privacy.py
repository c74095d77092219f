"""What a card shows of a resident: a surname and a title, masked numbers."""

import pytest

from county.privacy import Title, mask_numbers, mask_phone, surname_of, title_of


@pytest.mark.parametrize(
    ("name", "surname", "title"),
    [
        ("王阿姨", "王", Title.MS),
        ("李奶奶", "李", Title.MS),
        ("张姐", "张", Title.MS),
        ("刘叔", "刘", Title.MR),
        ("赵大爷", "赵", Title.MR),
        ("陈哥", "陈", Title.MR),
        ("王建国", "王", Title.EITHER),  # nothing to tell: 王先生/女士
        ("小王", "王", Title.EITHER),  # 小/老 come before the surname
        ("老李头", "李", Title.EITHER),
        ("欧阳娜娜", "欧阳", Title.EITHER),  # a two-character surname
        ("Zhao Lei", None, Title.NONE),
        ("🌸", None, Title.NONE),
        ("", None, Title.NONE),
        (None, None, Title.NONE),
    ],
)
def test_surname_and_title(name: str | None, surname: str | None, title: Title) -> None:
    assert surname_of(name) == surname
    assert title_of(name) == title


def test_numbers_are_masked() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0712-1234567") == "0712-***4567"
    assert mask_phone("12345") == "*2345"
    text = "我电话138 1234 5678，家里0712-87654321，3栋2单元"
    assert mask_numbers(text) == "我电话138****5678，家里0712-****4321，3栋2单元"
