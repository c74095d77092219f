"""What counts as urgent: an emergency (call a number now), or a hazard that is red.

An emergency alerts everyone on duty in the community and tells the resident which
number to call; a red hazard (分级分类分色) is acknowledged within the red limit
(`county.sla`) even when nobody's life is at stake yet.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class EmergencyKind(enum.StrEnum):
    FIRE = "fire"
    GAS = "gas"
    INJURY = "injury"
    COLLAPSE = "collapse"
    ELECTROCUTION = "electrocution"
    VIOLENCE = "violence"
    DROWNING = "drowning"


@dataclass(frozen=True)
class Emergency:
    kind: EmergencyKind
    numbers: tuple[str, ...]  # 119 fire/rescue, 120 ambulance, 110 police
    trigger: str


_PATTERNS: tuple[tuple[EmergencyKind, tuple[str, ...], str], ...] = (
    (EmergencyKind.FIRE, ("119",), r"着火|起火|失火|火灾|烧起来|冒黑烟|火苗|明火"),
    (EmergencyKind.GAS, ("119",),
     r"(?:煤气|燃气|天然气|液化气)(?:泄漏|漏了|漏气|味(?:道)?(?:很|好|特别)?(?:大|重|浓))"
     r"|闻到.{0,4}(?:煤气|燃气|天然气|液化气)"),
    (EmergencyKind.ELECTROCUTION, ("120", "119"), r"触电|被电(?:到|打|击)|电(?:晕|倒)了"),
    (EmergencyKind.COLLAPSE, ("119", "120"), r"倒塌|塌了|坍塌|塌下来|砸到人|压到人|埋了人"),
    (EmergencyKind.DROWNING, ("110", "120"), r"落水|溺水|掉(?:进|到)(?:水|河|塘|池)"),
    (EmergencyKind.INJURY, ("120",),
     r"受伤|流血|出血|昏迷|晕倒|不省人事|摔倒(?:了)?起不来|没(?:了)?(?:呼吸|意识)|咬伤"),
    (EmergencyKind.VIOLENCE, ("110",), r"打人|砍人|持刀|拿刀|动刀|打架|斗殴|家暴|行凶|打起来了"),
)  # fmt: skip
_COMPILED = tuple((kind, numbers, re.compile(p)) for kind, numbers, p in _PATTERNS)
# "没有着火", "不是煤气泄漏", "防止触电": the word is there, the emergency is not.
_NEGATED = re.compile(r"(?:没有|没|不是|并非|防止|预防|以防|防)$")


def detect(text: str) -> Emergency | None:
    for kind, numbers, pattern in _COMPILED:
        for match in pattern.finditer(text):
            if _NEGATED.search(text[max(0, match.start() - 3) : match.start()]):
                continue
            return Emergency(kind, numbers, match.group())
    return None


# Words that make a hazard report red before anyone has looked at it. Matched on the raw
# text without negation: "没有着火但一直冒烟" is still worth a red ticket.
URGENT_HAZARD_WORDS = (
    "煤气", "燃气", "天然气", "着火", "起火", "冒烟", "火灾", "触电", "漏电", "打火",
    "倒塌", "塌了", "坍塌", "受伤", "流血", "溺水", "落水", "爆炸",
)  # fmt: skip


def is_urgent_hazard(text: str) -> bool:
    return any(word in text for word in URGENT_HAZARD_WORDS)
