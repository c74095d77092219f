"""Chinese time expressions in resident messages, resolved against the county clock.

Hand-written rules (a small cursor parser over a normalised copy of the text) rather
than a third-party time library: the libraries are large and none prefers the future, which
is what an appointment bot needs ("周六" said on a Friday is tomorrow, not last week).

An expression is ``[day] [part of day] [clock]`` (at least one of the three), or a relative
span ("两小时后", "过两天"). Everything resolves in Asia/Shanghai.

Rules the product brief left open, chosen here:

* A clock time with no part-of-day word and no 24-hour value (1-12) on *today* takes the next
  future reading of h or h+12; on any other day it prefers daytime: 1-6 -> afternoon (h+12),
  7-11 -> morning (h), 12 -> noon. A time that is over today even as h+12 moves to tomorrow
  and then follows the daytime rule ("九点" at 22:30 -> tomorrow 09:00).
* "Future" is strict: a clock time equal to now counts as over ("十点" at 10:00 -> 22:00).
* 晚上/夜里/半夜/深夜 with 0-5 o'clock mean the small hours after midnight ("夜里两点" ->
  02:00 the next day), not h+12; 晚上/夜里十二点 is midnight at the end of that day.
* Hours written with a leading zero ("07:30", "08点") are read as 24-hour values.
* A bare weekday that is today stays today when a part of day still running or a clock time
  still ahead is attached ("周五下午" said Friday morning); otherwise it is next week's.
* 月初 is the next 1st on or after today (today when it is the 1st), like 月底.
* Relative spans counted in days or weeks ("三天后", "过两天") give that day at 00:00, grain
  "day"; spans in hours or minutes give now + delta truncated to the minute.
* 一点 alone usually means "a little" (快一点, 注意一点). It is one o'clock only after a day
  word or a non-morning part of day (明天一点, 中午一点), before 钟/半/一刻/三刻/N分, or right
  after 在/到/约/于; never before 都/也 ("一点都看不到").
* 清明 follows the solar term: 5 April 2027, 4 April 2028 and 2029.
* A few extras beyond the brief because they are cheap and unambiguous: 元宵 (春节 + 14 days),
  大年三十/大年初一, 十一假期, 前天/大前天, 上周X, 下下周X, 明年/今年 in dates, "七八点"
  (the first hour of the pair).

Not covered yet (the interface has no week or month grain, and no lunar calendar): 周末,
这周/下周 and 这个月 as ranges, 下班后/晚饭后, lunar dates (腊月二十八, 大年初二, 腊八),
年前/节后; for "两点到五点" only the start is returned. "门牌号是18号" is still read as
the 18th.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from core.clock import LOCAL_TZ as TZ
from core.clock import WEEKDAY_CHARS
from nlu.entities.common import CHINESE_DIGITS

# --------------------------------------------------------------------------------------
# Length-preserving normalisation: every character maps to exactly one character, so an
# offset into the normalised copy is an offset into the original text.

_TRADITIONAL = {
    "點": "点",
    "號": "号",
    "週": "周",
    "後": "后",
    "個": "个",
    "鐘": "钟",
    "鍾": "钟",
    "禮": "礼",
    "節": "节",
    "時": "时",
    "兩": "两",
    "倆": "俩",
    "這": "这",
    "裡": "里",
    "裏": "里",
    "間": "间",
    "國": "国",
    "慶": "庆",
    "勞": "劳",
    "動": "动",
    "兒": "儿",
    "頭": "头",
    "過": "过",
    "約": "约",
    "於": "于",
    "樓": "楼",
    "棟": "栋",
    "單": "单",
    "線": "线",
    "門": "门",
    "廣": "广",
    "場": "场",
    "區": "区",
    "車": "车",
    "內": "内",
    "幾": "几",
}
_FOLD = str.maketrans({**_TRADITIONAL, "\u3000": " ", "\u2236": ":"})


def _normalise(text: str) -> str:
    folded = "".join(
        chr(ord(ch) - 0xFEE0) if "\uff01" <= ch <= "\uff5e" else ch for ch in text
    ).translate(_FOLD)
    assert len(folded) == len(text)
    return folded


# --------------------------------------------------------------------------------------
# Numbers

_CN_NUM_CHARS = frozenset(CHINESE_DIGITS) | {"十"}
_ASCII_DIGITS = frozenset("0123456789")
_NUMERALS = _CN_NUM_CHARS | _ASCII_DIGITS


@dataclass(frozen=True)
class _Num:
    value: int
    end: int
    arabic: bool
    run: str
    is_range: bool = False  # "七八" (seven or eight): value is the first

    @property
    def leading_zero(self) -> bool:
        return self.arabic and len(self.run) > 1 and self.run[0] == "0"


def _cn_value(run: str) -> tuple[int, bool] | None:
    if "十" in run:
        if run.count("十") > 1:
            return None
        left, right = run.split("十")
        if len(left) > 1 or len(right) > 1 or left in ("零", "〇") or right in ("零", "〇"):
            return None
        if left in ("两", "俩") or right in ("两", "俩"):
            return None
        tens = CHINESE_DIGITS[left] if left else 1
        ones = CHINESE_DIGITS[right] if right else 0
        return tens * 10 + ones, False
    if len(run) == 1:
        return CHINESE_DIGITS[run], False
    if len(run) == 2 and run[0] in ("零", "〇"):
        return CHINESE_DIGITS[run[1]], False
    if len(run) == 2 and CHINESE_DIGITS[run[1]] == CHINESE_DIGITS[run[0]] + 1 and run[0] != "零":
        return CHINESE_DIGITS[run[0]], True
    if len(run) == 4 and "两" not in run and "俩" not in run:
        return int("".join(str(CHINESE_DIGITS[c]) for c in run)), False
    return None


def _read_number(s: str, i: int) -> _Num | None:
    """The maximal numeral run at i (so "九十三点" is never read as "十三点")."""
    j = i
    if j < len(s) and s[j] in _ASCII_DIGITS:
        while j < len(s) and s[j] in _ASCII_DIGITS:
            j += 1
        return _Num(int(s[i:j]), j, True, s[i:j])
    while j < len(s) and s[j] in _CN_NUM_CHARS:
        j += 1
    if j == i:
        return None
    parsed = _cn_value(s[i:j])
    if parsed is None:
        return None
    return _Num(parsed[0], j, False, s[i:j], parsed[1])


# --------------------------------------------------------------------------------------
# Vocabulary

# Part of day -> (start hour, end hour); an end at or before the start is on the next day.
_POD_RANGES = {
    "early": (6, 9),
    "morning": (8, 12),
    "noon": (11, 13),
    "afternoon": (13, 18),
    "dusk": (17, 19),
    "evening": (18, 22),
    "night": (22, 2),
    "small_hours": (0, 5),
}
_POD_WORDS = sorted(
    {
        "一大早": "early",
        "大清早": "early",
        "早上": "early",
        "早晨": "early",
        "清晨": "early",
        "清早": "early",
        "一早": "early",
        "上午": "morning",
        "中午": "noon",
        "下午": "afternoon",
        "傍晚": "dusk",
        "晚上": "evening",
        "晚间": "evening",
        "夜晚": "evening",
        "夜里": "night",
        "夜间": "night",
        "半夜": "night",
        "深夜": "night",
        "凌晨": "small_hours",
    }.items(),
    key=lambda item: -len(item[0]),
)
_MORNING_PODS = frozenset({"early", "morning"})

_DAY_WORDS = sorted(
    {
        "大后天": 3,
        "大前天": -3,
        "明儿个": 1,
        "后儿个": 2,
        "今儿个": 0,
        "昨儿个": -1,
        "今天": 0,
        "今日": 0,
        "今儿": 0,
        "明天": 1,
        "明日": 1,
        "明儿": 1,
        "后天": 2,
        "后儿": 2,
        "昨天": -1,
        "昨日": -1,
        "昨儿": -1,
        "前天": -2,
    }.items(),
    key=lambda item: -len(item[0]),
)
# "以后天天来", "之前天气": 后/前 belonging to the word before.
_DAY_WORD_BLOCKERS = {"后": "然以之最落背往", "前": "以之提从目当眼门面"}
# Day + part of day in one word; a trailing 上 ("今晚上") is taken along.
_FUSED = {"今晚": (0, "evening"), "明晚": (1, "evening"), "昨晚": (-1, "evening")}
_FUSED.update({"今早": (0, "early"), "明早": (1, "early")})

_WEEKDAY_PREFIXES = sorted(
    {
        "这个": 0,
        "这": 0,
        "本": 0,
        "下下个": 2,
        "下下": 2,
        "下个": 1,
        "下": 1,
        "上个": -1,
        "上": -1,
    }.items(),
    key=lambda item: -len(item[0]),
)
_WEEKDAY_NAMES = {c: n for n, c in enumerate(WEEKDAY_CHARS)} | {"天": 6}
_WEEKDAY_NAMES |= {str(n + 1): n for n in range(7)}
# "楼下周六" is 楼下 + 周六, "马上周六" is 马上 + 周六.
_PREFIX_BLOCKERS = {"上": "马早晚晨楼路身手墙街线网", "下": "楼一底乡以放坐留剩地"}

_MONTH_PREFIXES = sorted(
    {
        "下个月": 1,
        "下月": 1,
        "这个月": 0,
        "本月": 0,
        "这月": 0,
        "上个月": -1,
        "上月": -1,
    }.items(),
    key=lambda item: -len(item[0]),
)
_YEAR_WORDS = {"今年": 0, "明年": 1, "后年": 2, "去年": -1}
# What follows "3号"/"3日" when it is an address or an amount, not a date.
_AFTER_HAO = set("楼栋幢座院门房室间户床线车位厅窗柜箱桥路街巷弄组区队口机台铺屋")
_AFTER_RI = set("内元")
_BEFORE_ADDRESS_NUMBER = set("路街巷道弄村组栋楼院区里")

# Lunar holidays: Spring Festival and the others for the years the bot will see.
_SPRING_FESTIVAL = {
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
_TABLES = {
    "spring": _SPRING_FESTIVAL,
    "eve": {y: d - timedelta(days=1) for y, d in _SPRING_FESTIVAL.items()},
    "lantern": {y: d + timedelta(days=14) for y, d in _SPRING_FESTIVAL.items()},
    # Qingming is the solar term at 15 deg of solar longitude: 4 or 5 April.
    "qingming": {
        2026: date(2026, 4, 5),
        2027: date(2027, 4, 5),
        2028: date(2028, 4, 4),
        2029: date(2029, 4, 4),
        2030: date(2030, 4, 5),
    },
    "dragon_boat": {
        2026: date(2026, 6, 19),
        2027: date(2027, 6, 9),
        2028: date(2028, 5, 28),
        2029: date(2029, 6, 16),
        2030: date(2030, 6, 5),
    },
    "mid_autumn": {
        2026: date(2026, 9, 25),
        2027: date(2027, 9, 15),
        2028: date(2028, 10, 3),
        2029: date(2029, 9, 22),
        2030: date(2030, 9, 12),
    },
}
_HOLIDAYS = sorted(
    {
        "元旦": (1, 1),
        "五一劳动节": (5, 1),
        "劳动节": (5, 1),
        "五一": (5, 1),
        "国庆节": (10, 1),
        "国庆": (10, 1),
        "十一": (10, 1),
        "春节": "spring",
        "大年初一": "spring",
        "除夕": "eve",
        "大年三十": "eve",
        "元宵节": "lantern",
        "元宵": "lantern",
        "清明节": "qingming",
        "清明": "qingming",
        "端午节": "dragon_boat",
        "端午": "dragon_boat",
        "中秋节": "mid_autumn",
        "中秋": "mid_autumn",
    }.items(),
    key=lambda item: -len(item[0]),
)
# 十一 is National Day only as "十一假期"/"十一长假"; otherwise it is just eleven.
_HOLIDAY_NEEDS_NEXT = {"十一": ("假期", "长假", "黄金周", "放假")}
# "五一路", "国庆广场": place names, not days.
_PLACE_SUFFIXES = ("路", "街", "广场", "大道", "村", "小区", "社区", "桥", "中学", "小学", "大桥")

# "有两点要求", "一点儿": 点 as "point" / "a little".
_NOT_AFTER_DIAN = ("意见", "要求", "建议", "问题", "原因", "看法", "想法", "理由", "内容", "儿")
# 一点 reads as one o'clock after these ("约在一点", "等到一点", "于一点").
_BEFORE_ONE_OCLOCK = set("在到约于")
# Verbs that make 过 a perfective ("住过两天"), not "in N days".
_BEFORE_PERFECTIVE_GUO = set("住来去做干用待呆停活见经看听走读吃玩错")


# --------------------------------------------------------------------------------------
# Parsed pieces


@dataclass(frozen=True)
class _Day:
    end: int
    day: date | None = None  # an absolute day
    weekday: int | None = None  # a bare weekday: which week depends on the rest
    pod: str | None = None  # fused part of day ("今晚")


@dataclass(frozen=True)
class _Clock:
    end: int
    hour: int
    minute: int
    minute_given: bool
    explicit_24h: bool
    weak: bool  # a bare Chinese "一点", which usually means "a little"


@dataclass(frozen=True)
class _Parsed:
    end: int
    value: datetime
    grain: str
    end_value: datetime | None = None


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    if hour >= 24:
        day, hour = day + timedelta(days=hour // 24), hour % 24
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def _startswith_any(s: str, i: int, words: Iterable[str]) -> bool:
    return any(s.startswith(w, i) for w in words)


def _skip_spaces(s: str, i: int) -> int:
    j = i
    while j < len(s) and j - i < 2 and s[j] == " ":
        j += 1
    return j


# --------------------------------------------------------------------------------------
# Day parsers: each returns the longest day read at i, or None.


def _read_day_word(s: str, i: int, today: date) -> _Day | None:
    for word, (offset, pod) in _FUSED.items():
        if s.startswith(word, i):
            end = i + 2
            if s.startswith("上", end):
                end += 1
            return _Day(end, today + timedelta(days=offset), pod=pod)
    for word, offset in _DAY_WORDS:
        if s.startswith(word, i):
            blockers = _DAY_WORD_BLOCKERS.get(word[0], "")
            if i > 0 and s[i - 1] in blockers:
                continue
            return _Day(i + len(word), today + timedelta(days=offset))
    return None


def _read_weekday(s: str, i: int, today: date) -> _Day | None:
    j, shift = i, None
    for prefix, weeks in _WEEKDAY_PREFIXES:
        if s.startswith(prefix, i):
            if i > 0 and s[i - 1] in _PREFIX_BLOCKERS.get(prefix[0], ""):
                return None
            j, shift = i + len(prefix), weeks
            break
    for base in ("星期", "礼拜", "周"):
        if s.startswith(base, j):
            j += len(base)
            break
    else:
        return None
    if j >= len(s) or s[j] not in _WEEKDAY_NAMES:
        return None
    wd, end = _WEEKDAY_NAMES[s[j]], j + 1
    if s[j] in _ASCII_DIGITS and end < len(s) and s[end] in _ASCII_DIGITS:
        return None
    if end < len(s) and s[end] in "次趟回遍":  # "一周一次"
        return None
    if shift is None:
        # "一周", "三星期": a duration, not a weekday. A numeral just after another
        # weekday ("周六周日") is fine.
        before = s[i - 1] if i > 0 else ""
        after_weekday = i >= 2 and s[i - 2] in "周期拜"
        if before in _NUMERALS and not after_weekday:
            return None
        # "一个星期一次", "两个礼拜天天来": a duration; "安排一个周六上午" is a weekday.
        if before == "个" and base != "周" and (s[j] == "一" or s[end : end + 1] == "天"):
            return None
        return _Day(end, weekday=wd)
    monday = today - timedelta(days=today.weekday())
    return _Day(end, monday + timedelta(weeks=shift, days=wd))


def _add_months(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _last_day(year: int, month: int) -> date:
    y, m = _add_months(date(year, month, 1), 1)
    return date(y, m, 1) - timedelta(days=1)


def _read_date(s: str, i: int, today: date) -> _Day | None:
    j = i
    year: int | None = None
    month: int | None = None
    month_shift: int | None = None
    for word, offset in _YEAR_WORDS.items():
        if s.startswith(word, j):
            year, j = today.year + offset, j + 2
            break
    else:
        n = _read_number(s, j)
        if n and len(n.run) == 4 and s.startswith("年", n.end):
            year, j = n.value, n.end + 1
    n = _read_number(s, j)
    if n and not n.is_range and s.startswith("月", n.end) and 1 <= n.value <= 12:
        month, j = n.value, n.end + 1
    elif year is not None:
        return None
    else:
        for word, offset in _MONTH_PREFIXES:
            if s.startswith(word, j):
                month_shift, j = offset, j + len(word)
                break
    month_edge = _read_month_edge(s, j, today, year, month, month_shift)
    if month_edge is not None:
        return month_edge
    n = _read_number(s, j)
    if n is None or n.is_range or not 1 <= n.value <= 31 or n.end >= len(s):
        return _read_slash_date(s, i, today) if j == i else None
    marker = s[n.end]
    if marker not in "号日":
        return _read_slash_date(s, i, today) if j == i else None
    end = n.end + 1
    after = s[end] if end < len(s) else ""
    if (marker == "号" and after in _AFTER_HAO) or (marker == "日" and after in _AFTER_RI):
        return None
    if s.startswith("号码", n.end):
        return None
    if month is None and month_shift is None and i > 0:
        if s[i - 1] == "月":
            return None  # the month before did not parse ("下个月31号" in April): no guessing
        if s[i - 1] in _BEFORE_ADDRESS_NUMBER:
            return None  # "新华街12号": a house number
    d = n.value
    if month is not None and year is not None:
        found = _valid(year, month, d)
    elif month is not None:
        found = _next_month_day(today, month, d)
    elif month_shift is not None:
        y, m = _add_months(today, month_shift)
        found = _valid(y, m, d)
    else:
        found = next(
            (
                c
                for c in (_valid(*_add_months(today, k), d) for k in range(3))
                if c is not None and c >= today
            ),
            None,
        )
    return _Day(end, found) if found else None


def _next_month_day(today: date, month: int, d: int) -> date | None:
    for year in range(today.year, today.year + 9):
        found = _valid(year, month, d)
        if found is not None and found >= today:
            return found
    return None


def _read_month_edge(
    s: str,
    j: int,
    today: date,
    year: int | None,
    month: int | None,
    month_shift: int | None,
) -> _Day | None:
    """月底/月末/月初, with or without a month in front."""
    if month is None and month_shift is None:
        if not (s.startswith("月", j) and j + 1 < len(s) and s[j + 1] in "底末初"):
            return None
        edge, end = s[j + 1], j + 2
        # "正月初八", "腊月底": lunar months, not this month.
        if (j > 0 and s[j - 1] in _NUMERALS | set("正腊冬闰个")) or (
            end < len(s) and s[end] in _NUMERALS
        ):
            return None
        if edge == "初":  # the next 1st, today included
            y, m = _add_months(today, 0 if today.day == 1 else 1)
            return _Day(end, date(y, m, 1))
        return _Day(end, _last_day(today.year, today.month))
    if j >= len(s) or s[j] not in "底末初":
        return None
    if month is not None:
        y = year
        if y is None:
            y = today.year
            edge_day = _last_day(y, month) if s[j] != "初" else date(y, month, 1)
            if edge_day < today:
                y += 1
    else:
        y, month = _add_months(today, month_shift or 0)
    target = _last_day(y, month) if s[j] != "初" else date(y, month, 1)
    return _Day(j + 1, target)


def _read_slash_date(s: str, i: int, today: date) -> _Day | None:
    """12/3: month/day, only when nothing numeric or address-like is glued on."""
    m = _read_number(s, i)
    if m is None or not m.arabic or len(m.run) > 2 or not s.startswith("/", m.end):
        return None
    d = _read_number(s, m.end + 1)
    if d is None or not d.arabic or len(d.run) > 2:
        return None
    # "3/5的住户", "2/3以上": fractions.
    if d.end < len(s) and (s[d.end] in "/.%的以之" or s[d.end] in _AFTER_HAO):
        return None
    if not 1 <= m.value <= 12:
        return None
    found = _next_month_day(today, m.value, d.value)
    return _Day(d.end, found) if found else None


def _read_holiday(s: str, i: int, today: date) -> _Day | None:
    for word, rule in _HOLIDAYS:
        if not s.startswith(word, i):
            continue
        end = i + len(word)
        if _startswith_any(s, end, _PLACE_SUFFIXES):
            return None
        if word in _HOLIDAY_NEEDS_NEXT and not _startswith_any(s, end, _HOLIDAY_NEEDS_NEXT[word]):
            continue
        if isinstance(rule, tuple):
            found = _next_month_day(today, *rule)
        else:
            found = next((d for _, d in sorted(_TABLES[rule].items()) if d >= today), None)
        return _Day(end, found) if found else None
    return None


def _read_day(s: str, i: int, today: date) -> _Day | None:
    found = [
        parsed
        for parsed in (
            _read_day_word(s, i, today),
            _read_weekday(s, i, today),
            _read_date(s, i, today),
            _read_holiday(s, i, today),
        )
        if parsed is not None
    ]
    return max(found, key=lambda d: d.end) if found else None


# --------------------------------------------------------------------------------------
# Part of day and clock


def _read_pod(s: str, i: int) -> tuple[int, str] | None:
    for word, pod in _POD_WORDS:
        if s.startswith(word, i):
            return i + len(word), pod
    return None


def _read_clock(s: str, i: int) -> _Clock | None:
    colon = _read_colon_clock(s, i)
    if colon is not None:
        return colon
    n = _read_number(s, i)
    if n is None or n.end >= len(s) or not 0 <= n.value <= 24:
        return None
    marker = s[n.end]
    if marker not in "点时" or (marker == "时" and not n.arabic):
        return None
    j = n.end + 1
    if s.startswith("点", j):  # "一点点"
        return None
    minute, minute_given, with_zhong = 0, False, False
    if s.startswith("钟", j):
        j, with_zhong = j + 1, True
    elif s.startswith("半", j):
        j, minute, minute_given = j + 1, 30, True
    elif _startswith_any(s, j, ("一刻", "1刻")):
        j, minute, minute_given = j + 2, 15, True
    elif _startswith_any(s, j, ("三刻", "3刻")):
        j, minute, minute_given = j + 2, 45, True
    if minute_given and s.startswith("钟", j):  # "三点半钟"
        j += 1
    if not minute_given and not with_zhong:
        m = _read_number(s, j)
        if m is not None and not m.is_range and m.value <= 59:
            if s.startswith("分", m.end):
                j, minute, minute_given = m.end + 1, m.value, True
            elif (m.arabic and len(m.run) == 2) or (
                not m.arabic and (m.value >= 10 or m.run[0] in "零〇")
            ):
                j, minute, minute_given = m.end, m.value, True
            elif m.arabic:  # "3点5": a decimal, not a time
                return None
        elif s.startswith("整", j):
            j += 1
    if not minute_given and not with_zhong and _startswith_any(s, j, _NOT_AFTER_DIAN):
        return None
    weak = n.run == "一" and marker == "点" and not minute_given and not with_zhong
    if weak and _startswith_any(s, j, ("都", "也")):  # "一点都看不到": "at all"
        return None
    return _Clock(
        end=j,
        hour=n.value,
        minute=minute,
        minute_given=minute_given,
        explicit_24h=n.value > 12 or n.value == 0 or n.leading_zero,
        weak=weak,
    )


def _read_colon_clock(s: str, i: int) -> _Clock | None:
    h = _read_number(s, i)
    if h is None or not h.arabic or len(h.run) > 2 or not s.startswith(":", h.end):
        return None
    m = _read_number(s, h.end + 1)
    if m is None or not m.arabic or len(m.run) != 2 or h.value > 24 or m.value > 59:
        return None
    end = m.end
    if s.startswith(":", end):  # seconds
        sec = _read_number(s, end + 1)
        if sec is None or not sec.arabic or len(sec.run) != 2:
            return None
        end = sec.end
    if end < len(s) and (s[end] in _ASCII_DIGITS or s[end] == ":"):
        return None
    return _Clock(
        end=end,
        hour=h.value,
        minute=m.value,
        minute_given=True,
        explicit_24h=h.value > 12 or h.value == 0 or h.leading_zero,
        weak=False,
    )


# --------------------------------------------------------------------------------------
# Resolution


def _pod_range(day: date, pod: str) -> tuple[datetime, datetime]:
    start, end = _POD_RANGES[pod]
    return _at(day, start), _at(day + timedelta(days=1 if end <= start else 0), end)


def _pod_clock(day: date, pod: str, clock: _Clock) -> datetime:
    """A clock time read within a part of day ("下午两点" -> 14:00)."""
    h = clock.hour
    if pod in ("evening", "night"):
        if h in (0, 12, 24):  # midnight at the end of that day
            h = 24
        elif h <= 5:  # "夜里两点": the small hours after midnight
            h += 24
        elif h < 12:
            h += 12
    elif pod in ("afternoon", "dusk"):
        if h < 12:
            h += 12
    elif pod == "noon":
        if 1 <= h <= 5:
            h += 12
    elif pod == "small_hours" and h == 12:
        h = 0
    return _at(day, h, clock.minute)


def _daytime(day: date, clock: _Clock) -> datetime:
    """On a day other than today, an unmarked 1-12 o'clock is read in working hours."""
    h = clock.hour
    if not clock.explicit_24h and 1 <= h <= 6:
        h += 12
    return _at(day, h, clock.minute)


def _future_today(day: date, clock: _Clock, now: datetime) -> datetime | None:
    """The first reading of an unmarked clock time (h, then h+12) still ahead of now."""
    h = clock.hour
    hours = [h] if clock.explicit_24h or h == 12 else [h, h + 12]
    return next((v for v in (_at(day, x, clock.minute) for x in hours) if v > now), None)


def _on_day(
    day: date, pod: str | None, clock: _Clock | None, now: datetime
) -> tuple[datetime, datetime | None]:
    if clock is None:
        if pod is None:
            return _at(day, 0), None
        return _pod_range(day, pod)
    if pod is not None:
        return _pod_clock(day, pod, clock), None
    if day == now.date():
        return _future_today(day, clock, now) or _daytime(day, clock), None
    return _daytime(day, clock), None


def _still_ahead(
    day: date, pod: str | None, clock: _Clock | None, now: datetime
) -> tuple[datetime, datetime | None] | None:
    """The expression on `day` if it is not over yet, else None."""
    if clock is None:
        start, end = _pod_range(day, pod) if pod else (_at(day, 0), _at(day, 24))
        return (start, end) if end > now else None
    if pod is None and day == now.date():
        value = _future_today(day, clock, now)
    else:
        value = _on_day(day, pod, clock, now)[0]
    return (value, None) if value is not None and value > now else None


def _resolve(
    day: _Day | None, pod: str | None, clock: _Clock | None, now: datetime
) -> tuple[datetime, datetime | None]:
    today = now.date()
    if day is not None and day.day is not None:
        return _on_day(day.day, pod, clock, now)
    if day is not None and day.weekday is not None:
        ahead = (day.weekday - today.weekday()) % 7
        if ahead == 0 and (pod or clock):
            kept = _still_ahead(today, pod, clock, now)
            if kept is not None:
                return kept
        return _on_day(today + timedelta(days=ahead or 7), pod, clock, now)
    # No day: the first occurrence not yet over (yesterday's night may still be running).
    for offset in (-1, 0):
        if offset == -1 and pod is None:
            continue
        kept = _still_ahead(today + timedelta(days=offset), pod, clock, now)
        if kept is not None:
            return kept
    return _on_day(today + timedelta(days=1), pod, clock, now)


def _grain(pod: str | None, clock: _Clock | None) -> str:
    if clock is not None:
        return "minute" if clock.minute_given else "hour"
    return "part_of_day" if pod else "day"


# --------------------------------------------------------------------------------------
# Expressions


def _starts_cleanly(s: str, i: int) -> bool:
    """A number-led expression must not continue a number, code or ordinal ("第三", "A3")."""
    if s[i] not in _NUMERALS or i == 0:
        return True
    before = s[i - 1]
    return not (
        before in _NUMERALS or before in "第./:-#" or (before.isascii() and before.isalpha())
    )


def _read_expression(s: str, i: int, now: datetime) -> _Parsed | None:
    if not _starts_cleanly(s, i):
        return None
    today = now.date()
    day = _read_day(s, i, today)
    j = day.end if day else i
    pod = day.pod if day else None
    if pod is None:
        k = _skip_spaces(s, j) if day else j
        read = _read_pod(s, k)
        if read is not None:
            j, pod = read
        elif k < len(s) and s[k] in "早晚":
            # A bare 早/晚 is a part of day only in front of a real clock time ("晚8点"),
            # never before 一点 ("早一点" = a bit earlier).
            clock = _read_clock(s, _skip_spaces(s, k + 1))
            if clock is not None and not clock.weak:
                j, pod = k + 1, "early" if s[k] == "早" else "evening"
    clock = None
    k = _skip_spaces(s, j) if (day or pod) else j
    if k < len(s):
        clock = _read_clock(s, k)
    if clock is not None and clock.weak:
        # 一点 as one o'clock needs support: a day or a non-morning part of day before it,
        # or 在/到/约/于 just before it. Otherwise it is "a little" (快一点, 注意一点).
        supported = (day is not None and pod is None) or (
            pod is not None and pod not in _MORNING_PODS
        )
        if not supported and not (day is None and pod is None and i > 0 and s[i - 1] in "在到约于"):
            clock = None
    if clock is not None:
        j = clock.end
    if day is None and pod is None and clock is None:
        return None
    value, end_value = _resolve(day, pod, clock, now)
    return _Parsed(j, value, _grain(pod, clock), end_value)


def _read_relative(s: str, i: int, now: datetime) -> _Parsed | None:
    j, by_guo = i, False
    if s.startswith("过", j):
        if i > 0 and s[i - 1] in _BEFORE_PERFECTIVE_GUO:
            return None
        j, by_guo = j + 1, True
    elif not _starts_cleanly(s, i):
        return None
    amount: float
    if s.startswith("半", j):
        amount, j = 0.5, j + 1
    else:
        n = _read_number(s, j)
        if n is None or n.is_range:
            return None
        amount, j = float(n.value), n.end
        if n.arabic and s.startswith(".", j):
            frac = _read_number(s, j + 1)
            if frac is None or not frac.arabic:
                return None
            amount, j = float(f"{n.run}.{frac.run}"), frac.end
        if s.startswith("个半", j):
            amount, j = amount + 0.5, j + 2
    if s.startswith("个", j):
        j += 1
    unit = None
    for word, name in (
        ("小时", "hour"),
        ("钟头", "hour"),
        ("分钟", "minute"),
        ("刻钟", "quarter"),
        ("星期", "week"),
        ("礼拜", "week"),
        ("周", "week"),
        ("天", "day"),
        ("日", "day"),
    ):
        if s.startswith(word, j):
            unit, j = name, j + len(word)
            break
    if unit is None or amount > 999:  # "99999天后" is not an appointment
        return None
    for suffix in ("以后", "之后", "过后", "后"):
        if s.startswith(suffix, j):
            j += len(suffix)
            break
    else:
        if not by_guo:
            return None
    if unit in ("day", "week"):
        if amount != int(amount) or amount == 0:
            return None
        days = int(amount) * (7 if unit == "week" else 1)
        return _Parsed(j, _at(now.date() + timedelta(days=days), 0), "day")
    minutes = amount * {"hour": 60, "minute": 1, "quarter": 15}[unit]
    value = (now + timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    return _Parsed(j, value, "minute")


# --------------------------------------------------------------------------------------
# Public interface


@dataclass(frozen=True)
class TimeMatch:
    start: int  # offsets into the ORIGINAL text passed in
    end: int
    text: str  # original[start:end]
    value: datetime  # aware, Asia/Shanghai
    grain: str  # "minute" | "hour" | "part_of_day" | "day"
    end_value: datetime | None  # the end of a part-of-day range; None otherwise


def find_times(text: str, now: datetime) -> list[TimeMatch]:
    """All time expressions, left to right, non-overlapping, longest match wins."""
    if now.tzinfo is None:
        raise ValueError("find_times needs an aware datetime")
    now = now.astimezone(TZ)
    s = _normalise(text)
    matches: list[TimeMatch] = []
    i = 0
    while i < len(s):
        candidates = [
            p for p in (_read_expression(s, i, now), _read_relative(s, i, now)) if p is not None
        ]
        if not candidates:
            i += 1
            continue
        best = max(candidates, key=lambda p: p.end)
        matches.append(
            TimeMatch(i, best.end, text[i : best.end], best.value, best.grain, best.end_value)
        )
        i = best.end
    return matches


class TimeExtractor:
    name = "GridlineTimeExtractor"

    def extract(self, text: str, now: datetime) -> list[dict[str, Any]]:
        return [
            {
                "entity": "time",
                "start": m.start,
                "end": m.end,
                "value": m.value.isoformat(),
                "extractor": self.name,
                "text": m.text,
                "additional_info": {
                    "grain": m.grain,
                    "end": m.end_value.isoformat() if m.end_value else None,
                },
            }
            for m in find_times(text, now)
        ]
