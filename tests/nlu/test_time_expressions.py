from datetime import UTC, datetime

import pytest

from nlu.entities.time import TimeExtractor, find_times

# Friday 27 November 2026, 10:00 in the county.
NOW = datetime.fromisoformat("2026-11-27T10:00:00+08:00")


def iso(local: str | None) -> str | None:
    """Local wall time as the extractor renders it: "2026-11-28T19:00:00+08:00"."""
    return None if local is None else f"{local}:00+08:00"


def at(local: str) -> datetime:
    return datetime.fromisoformat(f"{local}:00+08:00")


def assert_single(
    text: str,
    expr: str,
    value: str,
    grain: str,
    end: str | None = None,
    now: datetime = NOW,
) -> None:
    matches = find_times(text, now)
    assert len(matches) == 1, matches
    (m,) = matches
    start = text.index(expr)
    assert (m.start, m.end, m.text) == (start, start + len(expr), expr)
    assert m.value.isoformat() == iso(value)
    assert m.grain == grain
    assert (m.end_value.isoformat() if m.end_value else None) == iso(end)


# Every example from the issue, inside the kind of message a resident actually sends.
ISSUE_EXAMPLES = [
    (
        "明天晚上七点能不能上门帮我妈做养老金认证，她走不动路",
        "明天晚上七点",
        "2026-11-28T19:00",
        "hour",
        None,
    ),
    ("我白天上班，明晚七点能来我家办一下吗", "明晚七点", "2026-11-28T19:00", "hour", None),
    (
        "我白天要上班，今晚八点以后网格员能来我家一趟吗？",
        "今晚八点",
        "2026-11-27T20:00",
        "hour",
        None,
    ),
    (
        "明早我在家，网格员能来收一下材料吗",
        "明早",
        "2026-11-28T06:00",
        "part_of_day",
        "2026-11-28T09:00",
    ),
    (
        "想约网格员周六上午上门，电话13812345678",
        "周六上午",
        "2026-11-28T08:00",
        "part_of_day",
        "2026-11-28T12:00",
    ),
    ("这周日社区有人上班吗？想过来盖个章", "这周日", "2026-11-29T00:00", "day", None),
    ("下周三19:30我在家，麻烦那时候来", "下周三19:30", "2026-12-02T19:30", "minute", None),
    ("下个星期一能不能来一趟，我爸腿脚不方便", "下个星期一", "2026-11-30T00:00", "day", None),
    ("12月3号下午两点我带户口本来社区办", "12月3号下午两点", "2026-12-03T14:00", "hour", None),
    ("我3号才回来，到时候再约上门", "3号", "2026-12-03T00:00", "day", None),
    ("七点一刻我下班，能不能在服务站等我一下", "七点一刻", "2026-11-27T19:15", "minute", None),
    ("八点三刻以后我都在家", "八点三刻", "2026-11-27T20:45", "minute", None),
    ("我在外面办事，两小时后回来，你们那时候来吧", "两小时后", "2026-11-27T12:00", "minute", None),
    ("半小时后到楼下，麻烦等一下", "半小时后", "2026-11-27T10:30", "minute", None),
    ("我在武汉往回赶，一个半小时后能到家", "一个半小时后", "2026-11-27T11:30", "minute", None),
    ("元旦前能把低保年审办完吗", "元旦", "2027-01-01T00:00", "day", None),
    ("月底之前要交什么材料", "月底", "2026-11-30T00:00", "day", None),
    ("明儿来我屋里看看撒，水管又漏了", "明儿", "2026-11-28T00:00", "day", None),
    ("后儿个网格员有空冇，想约一下", "后儿个", "2026-11-29T00:00", "day", None),
]


@pytest.mark.parametrize(("text", "expr", "value", "grain", "end"), ISSUE_EXAMPLES)
def test_issue_examples(text: str, expr: str, value: str, grain: str, end: str | None) -> None:
    assert_single(text, expr, value, grain, end)


MORE_FORMS = [
    ("明天三点过来，我在家等", "明天三点", "2026-11-28T15:00", "hour", None),  # daytime rule
    ("后天上午10点我在村部等你", "后天上午10点", "2026-11-29T10:00", "hour", None),
    ("这周日下午三点来家里吧", "这周日下午三点", "2026-11-29T15:00", "hour", None),
    ("明早八点半我要出门，早点来", "明早八点半", "2026-11-28T08:30", "minute", None),
    (
        "明儿个下午网格员来一趟撒",
        "明儿个下午",
        "2026-11-28T13:00",
        "part_of_day",
        "2026-11-28T18:00",
    ),
    ("今晚能上门吗🙏 我妈急着办", "今晚", "2026-11-27T18:00", "part_of_day", "2026-11-27T22:00"),
    ("白天冇得人，能约夜里吗", "夜里", "2026-11-27T22:00", "part_of_day", "2026-11-28T02:00"),
    ("楼下烧烤摊晚上十二点还在营业", "晚上十二点", "2026-11-28T00:00", "hour", None),
    ("中午十二点来行不行", "中午十二点", "2026-11-27T12:00", "hour", None),
    ("中午一点我有空", "中午一点", "2026-11-27T13:00", "hour", None),
    ("凌晨两点还有人在喝酒吵架", "凌晨两点", "2026-11-28T02:00", "hour", None),
    ("下午两点过来办", "下午两点", "2026-11-27T14:00", "hour", None),
    ("两点钟来，我午睡起来", "两点钟", "2026-11-27T14:00", "hour", None),
    ("7点15分到社区门口", "7点15分", "2026-11-27T19:15", "minute", None),
    ("零点以后还在放鞭炮", "零点", "2026-11-28T00:00", "hour", None),
    ("昨天下午来的网格员姓什么", "昨天下午", "2026-11-26T13:00", "part_of_day", "2026-11-26T18:00"),
    ("大后天来吧", "大后天", "2026-11-30T00:00", "day", None),
    ("下个月5号上午我在家", "下个月5号上午", "2026-12-05T08:00", "part_of_day", "2026-12-05T12:00"),
    ("2027年1月5日能来办过户吗", "2027年1月5日", "2027-01-05T00:00", "day", None),
    ("能约一下11月20号吗", "11月20号", "2027-11-20T00:00", "day", None),  # future preference
    ("网格员同志，27号能来吗", "27号", "2026-11-27T00:00", "day", None),
    ("月初再来办", "月初", "2026-12-01T00:00", "day", None),
    ("春节前能约上门吗", "春节", "2027-02-06T00:00", "day", None),
    ("除夕那天能不能来送春联", "除夕", "2027-02-05T00:00", "day", None),
    ("国庆节放假吗", "国庆节", "2027-10-01T00:00", "day", None),
    ("五一劳动节你们上班吗", "五一劳动节", "2027-05-01T00:00", "day", None),
    ("中秋节前后能不能入户", "中秋节", "2027-09-15T00:00", "day", None),
    ("端午回来再办", "端午", "2027-06-09T00:00", "day", None),
    ("十分钟后到，麻烦等一下", "十分钟后", "2026-11-27T10:10", "minute", None),
    ("两个小时以后再打给你", "两个小时以后", "2026-11-27T12:00", "minute", None),
    ("半个小时后到", "半个小时后", "2026-11-27T10:30", "minute", None),
    ("三天后我从武汉回来", "三天后", "2026-11-30T00:00", "day", None),
    ("一个星期后我再来问", "一个星期后", "2026-12-04T00:00", "day", None),
    ("再过两天来看看漏水", "过两天", "2026-11-29T00:00", "day", None),
]


@pytest.mark.parametrize(("text", "expr", "value", "grain", "end"), MORE_FORMS)
def test_more_forms(text: str, expr: str, value: str, grain: str, end: str | None) -> None:
    assert_single(text, expr, value, grain, end)


@pytest.mark.parametrize(
    ("text", "expr", "now", "value", "grain", "end"),
    [
        # Unmarked clock times take the next future reading of h or h+12 ...
        ("三点来可以吗", "三点", NOW, "2026-11-27T15:00", "hour", None),
        ("我九点前不在家", "九点", NOW, "2026-11-27T21:00", "hour", None),
        ("十点半来吧", "十点半", NOW, "2026-11-27T10:30", "minute", None),
        ("十点来吧", "十点", NOW, "2026-11-27T22:00", "hour", None),  # now is not the future
        # ... and move to tomorrow, read in daytime, once both are over.
        ("九点能来吗", "九点", at("2026-11-27T22:30"), "2026-11-28T09:00", "hour", None),
        ("19:30以后都行", "19:30", at("2026-11-27T20:00"), "2026-11-28T19:30", "minute", None),
        # A part of day already over today moves to tomorrow; a running one stays.
        (
            "上午能来吗",
            "上午",
            at("2026-11-27T15:00"),
            "2026-11-28T08:00",
            "part_of_day",
            "2026-11-28T12:00",
        ),
        (
            "下午还来吗",
            "下午",
            at("2026-11-27T15:00"),
            "2026-11-27T13:00",
            "part_of_day",
            "2026-11-27T18:00",
        ),
        # A bare weekday that is today: today only with a time still ahead.
        ("周五下午两点可以吗", "周五下午两点", NOW, "2026-11-27T14:00", "hour", None),
        ("周五能约吗", "周五", NOW, "2026-12-04T00:00", "day", None),
        ("周五早上七点可以吗", "周五早上七点", NOW, "2026-12-04T07:00", "hour", None),
        # Month ends and the turn of the year.
        (
            "月底了，低保金什么时候发",
            "月底",
            at("2026-11-30T20:30"),
            "2026-11-30T00:00",
            "day",
            None,
        ),
        ("29号能约吗", "29号", at("2027-02-28T08:00"), "2027-03-29T00:00", "day", None),
        ("元旦能上门吗", "元旦", at("2026-12-31T22:00"), "2027-01-01T00:00", "day", None),
        ("下周一上班了再说", "下周一", at("2026-12-31T22:00"), "2027-01-04T00:00", "day", None),
    ],
)
def test_future_preference(
    text: str, expr: str, now: datetime, value: str, grain: str, end: str | None
) -> None:
    assert_single(text, expr, value, grain, end, now=now)


def test_now_in_utc_is_read_in_shanghai() -> None:
    at_10_local = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert_single("三点来可以吗", "三点", "2026-11-27T15:00", "hour", now=at_10_local)
    # 17:30 UTC is already Saturday 01:30 in the county, so 明天 is Sunday.
    saturday_small_hours = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)
    assert_single("明天来", "明天", "2026-11-29T00:00", "day", now=saturday_small_hours)


@pytest.mark.parametrize(
    ("text", "expr", "value", "grain", "end"),
    [
        ("明天晚上７點能不能上門", "明天晚上７點", "2026-11-28T19:00", "hour", None),
        ("週六下午來我家", "週六下午", "2026-11-28T13:00", "part_of_day", "2026-11-28T18:00"),
        ("預約下週三晚上上門", "下週三晚上", "2026-12-02T18:00", "part_of_day", "2026-12-02T22:00"),
        ("１９：３０以后都可以", "１９：３０", "2026-11-27T19:30", "minute", None),
        ("後天下午3：00過來", "後天下午3：00", "2026-11-29T15:00", "minute", None),
    ],
)
def test_traditional_and_full_width_keep_original_offsets(
    text: str, expr: str, value: str, grain: str, end: str | None
) -> None:
    assert_single(text, expr, value, grain, end)


@pytest.mark.parametrize(
    "text",
    [
        "我家住幸福小区3栋2单元502室",
        "我们是五组的，组长电话13812345678",
        "我爸80岁了，高龄津贴怎么申请",
        "家里3个人，都是低保户",
        "订票打12306一直占线",
        "罚款2000元太多了吧",
        "我是第三网格的居民，有事反映",
        "快一点来处理，水一直在漏",
        "楼道里堆的东西早一点清走",
        "注意一点，井盖没了",
        "我住5号楼，1号线地铁站旁边",
        "向阳路12号门口的井盖不见了",
        "五一路那边的路灯坏了",
        "电梯一周检修一次就够了",
        "我有两点要求，第一是修路灯",
        "正月初八回深圳的车票还有吗",
        "3/5的住户都签字了",
    ],
)
def test_non_times_yield_nothing(text: str) -> None:
    assert find_times(text, NOW) == []


@pytest.mark.parametrize(
    ("text", "expr", "value"),
    [
        ("约在一点，我午饭后有空", "一点", "2026-11-27T13:00"),
        ("一点钟见", "一点钟", "2026-11-27T13:00"),
        ("一点半我过来", "一点半", "2026-11-27T13:30"),
        ("明天一点我在家", "明天一点", "2026-11-28T13:00"),
    ],
)
def test_one_oclock_needs_support(text: str, expr: str, value: str) -> None:
    (m,) = find_times(text, NOW)
    assert (m.text, m.value.isoformat()) == (expr, iso(value))


def test_one_dian_as_a_little_after_a_part_of_day() -> None:
    # "晚上一点都看不到": at night one sees nothing at all; 一点 is not 01:00 here.
    assert [m.text for m in find_times("工地没有围挡，晚上一点都看不到", NOW)] == ["晚上"]
    assert [m.text for m in find_times("明早一点来", NOW)] == ["明早"]


def test_two_times_in_one_message() -> None:
    text = "上门时间改一下，周五换成下周一上午"
    matches = find_times(text, NOW)
    assert [(m.start, m.end, m.text) for m in matches] == [(8, 10, "周五"), (12, 17, "下周一上午")]
    assert [m.value.isoformat() for m in matches] == [
        "2026-12-04T00:00:00+08:00",
        "2026-11-30T08:00:00+08:00",
    ]
    assert [m.grain for m in matches] == ["day", "part_of_day"]


def test_extractor_returns_rasa_entities() -> None:
    extractor = TimeExtractor()
    assert extractor.name == "GridlineTimeExtractor"
    entities = extractor.extract("下周三19:30我在家，或者周六上午", NOW)
    assert entities == [
        {
            "entity": "time",
            "start": 0,
            "end": 8,
            "value": "2026-12-02T19:30:00+08:00",
            "extractor": "GridlineTimeExtractor",
            "text": "下周三19:30",
            "additional_info": {"grain": "minute", "end": None},
        },
        {
            "entity": "time",
            "start": 14,
            "end": 18,
            "value": "2026-11-28T08:00:00+08:00",
            "extractor": "GridlineTimeExtractor",
            "text": "周六上午",
            "additional_info": {"grain": "part_of_day", "end": "2026-11-28T12:00:00+08:00"},
        },
    ]
    assert all(e["value"].endswith("+08:00") for e in entities)
    assert extractor.extract("井盖没了", NOW) == []


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        find_times("明天", datetime(2026, 11, 27, 10, 0))
