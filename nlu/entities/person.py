"""People's names, where cheap: 老王/小李, 张大爷/李阿姨, and 我叫…/我是… introductions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from nlu.entities.common import entity

# The most common surnames cover the great majority of residents.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
_HONORIFIC = r"(?:大爷|大妈|大伯|大叔|大哥|大姐|阿姨|奶奶|爷爷|婆婆|师傅|老师|叔|姐|哥|嫂|婶|伯)"
_FAMILIAR = re.compile(rf"(?:老|小)[{SURNAMES}](?![\u4e00-\u9fff]{{0}}[们])")
_RESPECTFUL = re.compile(rf"[{SURNAMES}]{_HONORIFIC}")
_INTRODUCED = re.compile(
    rf"(?:我叫|我是|本人|网格员|联系人)([{SURNAMES}][\u4e00-\u9fff]{{1,2}}?)"
    r"(?=[，,。.！!？?\s]|$|的|电话|手机|住)"
)


class PersonExtractor:
    name = "GridlinePersonExtractor"

    def extract(self, text: str, now: datetime) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for match in _INTRODUCED.finditer(text):
            found.append(
                entity("person", match.start(1), match.end(1), match.group(1), self.name, text)
            )
        for pattern in (_RESPECTFUL, _FAMILIAR):
            for match in pattern.finditer(text):
                if any(e["start"] <= match.start() < e["end"] for e in found):
                    continue
                found.append(
                    entity("person", match.start(), match.end(), match.group(), self.name, text)
                )
        return found
