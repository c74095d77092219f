"""Cues the conversation acts on before the intent classifier: whether a message adds to
an earlier report, repeats it, asks for a person, or complains about staff.

Rules over the normalised text (NFKC, Traditional → Simplified), kept deliberately
conservative: a wrong "follow-up" would hide a new problem inside an old ticket, so when
a message is neither clearly a detail nor clearly the same problem, the resident is asked.
"""

from __future__ import annotations

import re

from nlu.normalise import normalise

# Words residents start a detail with: 补充一下, 还有, 对了, 忘了说, 位置是…, 就在….
_ADDS_DETAIL = re.compile(
    r"补充|^(?:具体(?:是|在|位置)?|位置(?:是|在)?|地址(?:是|在)?|地点(?:是|在)?|就在|是在"
    r"|在.{0,12}(?:旁边|附近|门口|对面|后面|前面|里面|楼下|楼上)|照片|图片|附图|时间是|电话是"
    r"|我的电话|联系电话|联系方式|我电话|它|那里|那边|那儿|那个地方|刚才说的|刚刚说的|上面说的)"
    r"|(?:电话|手机|号码)\D{0,4}1\d{10}"
)
# Not here on purpose: 还有 / 另外 / 对了 start a detail as often as a second problem
# ("还有楼道灯也坏了"), so those messages are asked about.
_PUNCTUATION = re.compile(r"[\s，。！？、；：,.!?;:~～…\"'“”‘’()（）【】\[\]-]+")

_WANTS_PERSON = re.compile(
    r"转人工|人工(?:客服|服务|坐席|处理)?$|找人工|要人工|接人工|真人|活人|人工客服|找(?:个)?人(?:来|聊|说)"
    r"|找(?:你们)?(?:网格员|工作人员|领导|负责人)|让(?:网格员|工作人员).{0,4}(?:联系|打电话|回电)"
    r"|(?:给我|跟我)打(?:个)?电话|不想(?:跟|和)机器人"
)
_STAFF = r"(?:网格员|网格长|工作人员|社区干部|村干部|干部|书记|主任|社区的人|村里的人|你们的人)"
_COMPLAINT = (
    r"(?:投诉|举报|告状|反映一下|不满|态度(?:差|恶劣|不好|很差|太差)|不作为|乱作为|不管事|不管不问"
    r"|不理人|不理我|爱理不理|推诿|踢皮球|不回(?:复|消息|电话)?|不接电话|拖着不办|吃拿卡要|收钱|刁难|骂人|凶)"
)
_COMPLAINS_ABOUT_STAFF = re.compile(
    rf"(?:投诉|举报).{{0,12}}{_STAFF}|{_STAFF}.{{0,16}}{_COMPLAINT}|{_COMPLAINT}.{{0,8}}{_STAFF}"
)


def _plain(text: str) -> str:
    return _PUNCTUATION.sub("", normalise(text))


def adds_detail(text: str) -> bool:
    """'补充一下，是村东头那座石桥', '位置在3栋后面' — a detail for an earlier report."""
    return bool(_ADDS_DETAIL.search(_plain(text)))


def _bigrams(text: str) -> set[str]:
    plain = _plain(text)
    return {plain[i : i + 2] for i in range(len(plain) - 1)} or {plain}


def similarity(a: str, b: str) -> float:
    """Share of character bigrams two messages have in common (Jaccard, 0–1)."""
    first, second = _bigrams(a), _bigrams(b)
    return len(first & second) / len(first | second) if first | second else 0.0


# At or above this, a message reports the same problem again ("井盖没了" twice).
SAME_PROBLEM = 0.4


def same_problem(a: str, b: str) -> bool:
    return similarity(a, b) >= SAME_PROBLEM


def wants_a_person(text: str) -> bool:
    """'转人工', '我要找网格员', '让工作人员给我打个电话'."""
    return bool(_WANTS_PERSON.search(_plain(text)))


def complains_about_staff(text: str) -> bool:
    """'投诉你们网格员，态度太差' — which must not go to that same worker."""
    return bool(_COMPLAINS_ABOUT_STAFF.search(_plain(text)))


_ASKS_FOR_A_TIME = re.compile(
    r"预约|约个?时间|上门|(?:能|可以|方便|麻烦|请|快|什么时候|几点)(?:不能|能|可以)?(?:过)?来"
    r"|来(?:看|修|处理|一趟|一下|家里)|过来"
    r"|方便的话|我在家|我有空|家里有人|等你|等您|改约|改到|改成|换个时间|改天"
)


def asks_for_a_time(text: str) -> bool:
    """'明晚七点能来吗' asks for a visit; '天天半夜蹦迪' only says when the problem happens."""
    return bool(_ASKS_FOR_A_TIME.search(_plain(text)))


def has_words(text: str) -> bool:
    """False for a message of emoji or punctuation only ('👍', '🔥', '？？')."""
    return any(ch.isalnum() for ch in _plain(text))


_RESCHEDULE = re.compile(
    r"改约|改(?:个)?时间|改到|改成|改在|换(?:个)?时间|换到|推迟|延后|往后推|提前到|改天"
)


def wants_to_reschedule(text: str) -> bool:
    """'改约', '改到周六上午', '能不能推迟到下周'."""
    return bool(_RESCHEDULE.search(_plain(text)))


# What is left of "我住幸福小区3栋2单元" once the place is taken out: building numbers and
# the words around an address.
_ADDRESS_FILLER = re.compile(
    r"(?:旁边|对面|后面|前面|附近|这边|那边|"
    r"[0-9一二三四五六七八九十百零两号栋幢单元楼层室组队村区路街巷弄里侧边东南西北门口这那我住家在是的就])+"
)


def names_only_a_place(text: str) -> bool:
    """'我住幸福小区3栋', '东风新村' — where someone lives, with no request in it."""
    plain = _plain(text)
    return len(plain) <= 20 and not _ADDRESS_FILLER.sub("", _strip_places(plain))


def _strip_places(plain: str) -> str:
    # Place names themselves: runs of letters ending in a place word (小区, 新村, 花园, …).
    return re.sub(
        r"[\u4e00-\u9fff]{1,6}(?:小区|新村|花园|家园|公寓|大院|宿舍|社区|市场|广场|小学|中学|医院"
        r"|卫生院|车站|汽车站|村委会|村|组|路|街|巷)",
        "",
        plain,
    )
