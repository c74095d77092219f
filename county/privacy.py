"""What a worker may see of a resident: 王女士 and 138****5678, unless the resident agreed.

A ticket card travels to several phones (backups, officers, a whole community in an
emergency), so by default it names the resident only by surname and title and masks
their numbers; `Ticket.identity_shared` (the resident's consent for that ticket) lifts it.
The title is guessed from how the resident signs their chat name (张阿姨, 李叔); nothing
is guessed when there is nothing to go on.
"""

from __future__ import annotations

import enum
import re

# Two-character surnames first: 欧阳娜 is 欧阳, not 欧.
COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙",
    "宇文", "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "申屠",
)  # fmt: skip
# Kinship and courtesy words people sign with, by the title they imply.
FEMALE_WORDS = (
    "阿姨", "奶奶", "婆婆", "大妈", "大娘", "姐", "嫂", "婶", "妹", "姑", "女士", "太太",
)  # fmt: skip
MALE_WORDS = ("叔", "爷", "伯", "哥", "弟", "先生", "公公", "大爷")
# 老王 / 小李: the surname follows the prefix.
FAMILIAR_PREFIXES = ("老", "小")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Mobile numbers (with the separators residents type) and landlines.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s\-]?(\d{4})[\s\-]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})([\s\-]?)(\d{3,4})(\d{4})(?!\d)")


class Title(enum.StrEnum):
    MS = "ms"  # 女士
    MR = "mr"  # 先生
    EITHER = "either"  # 先生/女士: a Chinese surname, nothing to tell which
    NONE = "none"  # no Chinese name to go on: just 居民


def surname_of(display_name: str | None) -> str | None:
    """The surname in a chat name written in Chinese characters; None for any other."""
    name = (display_name or "").strip()
    if len(name) >= 2 and name[0] in FAMILIAR_PREFIXES and _HAN.match(name[1]):
        name = name[1:]
    if not name or not _HAN.match(name[0]):
        return None
    return next((s for s in COMPOUND_SURNAMES if name.startswith(s)), name[0])


def title_of(display_name: str | None) -> Title:
    if surname_of(display_name) is None:
        return Title.NONE
    name = display_name or ""
    female = any(word in name for word in FEMALE_WORDS)
    male = any(word in name for word in MALE_WORDS)
    if female != male:
        return Title.MS if female else Title.MR
    return Title.EITHER


def mask_phone(phone: str) -> str:
    """138****5678, 0712-***4567; anything else keeps only its last four characters."""
    masked = mask_numbers(phone)
    if masked != phone:
        return masked
    return "*" * max(len(phone) - 4, 0) + phone[-4:]


def mask_numbers(text: str) -> str:
    """Every phone number in a resident's words, masked."""
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _LANDLINE.sub(
        lambda m: f"{m.group(1)}{m.group(2)}{'*' * len(m.group(3))}{m.group(4)}", text
    )
