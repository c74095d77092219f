"""Is someone in danger right now, and which number must the resident call?

Rules over a lexicon, on the normalised text (`nlu.normalise`), so that every decision can
be read back from its trigger in the log. In order:

1. Fold what normalise leaves: 著 (OpenCC keeps it, it is also Simplified), dialect
   negation (冇 / 冇得), and pinyin-input slips on the words that matter (天燃气, 泄露, 晕到,
   就命, 起伙…).
2. Find every *hit*: a phrase from a lexicon family (`_RULES`, `_PAIRS`), each with a kind
   and a weight. Weight 2 is enough on its own (着火了, 晕过去了, 有人落水); weight 1 needs
   a second signal (冒烟, 一股味, 在烧, 倒在地上). A rule may name a *boost*, context that
   makes its weight-1 sign enough (有人在砸门 + 我一个人在家, 没回来 + a child or 痴呆).
3. Drop the hits whose own context says there is no emergency now: negated (没有着火, 不是
   煤气泄漏), hypothetical, preventive or a near miss (怕起火, 防止触电, 会不会着火, 差点砸到
   人), past (上个月着火的, 去年淹水的), a topic rather than an event (火灾保险, 跳楼价,
   着火点), figurative (气晕过去, 呛得喘不过气). These look at the hit's own clause, so
   "没人应，屋里在冒烟" fires. Some rules also ask what the phrase is said of (`_Subject`):
   孩子的书包不见了 is a thing, 手机没反应 a machine; 石桥栏杆断了 is a *part* of a
   structure.
4. Score each kind: its best hit's weight, +1 for a second hit of the kind, +1 when someone
   is hurt or stuck (or, for a collapse, under it), +1 for urgency; −2 when the message is
   about information, money, hearsay or something already over (请问, 保险, 补偿, 已经灭了,
   虚惊一场, 听说), −1 when it happens habitually (经常, 一下雨就). A kind scoring 2 or more
   is an emergency. Urgency comes in two strengths, because residents write "!!", 现在, 一直,
   越来越, 怎么办 about a loose railing as much as about a fire: a cry for help or a call for
   someone to come now (救命, 快来人, 赶紧派人来, 快打120, 🆘) may lift a weak sign; the
   everyday cues only count for a sign that is already an emergency or that says someone is
   hurt. Damage to a part (railings, manhole covers, steps, road surface, branches, signs,
   plaster) is an emergency only with someone hurt, trapped or under it, however urgently
   it is written.
5. Of the kinds that qualify the scene wins over its casualties (collapse > electric > fire
   > gas > water > violence > other > medical): "电线掉下来电到人了" is electric, and the
   casualty adds 120 to the numbers.

Everything is compiled at import; a call is a few dozen regex scans of a short string, and
a message with no hit stops there.
"""

from __future__ import annotations

import bisect
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, cast

from nlu.normalise import normalise

__all__ = ["Emergency", "EmergencyKind", "detect"]


class EmergencyKind(enum.StrEnum):
    FIRE = "fire"
    GAS = "gas"
    MEDICAL = "medical"
    VIOLENCE = "violence"
    WATER = "water"
    ELECTRIC = "electric"
    COLLAPSE = "collapse"
    OTHER = "other"


@dataclass(frozen=True)
class Emergency:
    kind: EmergencyKind
    numbers: tuple[str, ...]  # 119 fire/rescue, 120 ambulance, 110 police; most important first
    trigger: str  # the span of the normalised text that decided it, for the log


K = EmergencyKind
Numbers = tuple[tuple[str, ...], tuple[str, ...]]  # (nobody hurt, someone hurt)

_NUMBERS: dict[EmergencyKind, Numbers] = {
    K.FIRE: (("119",), ("119", "120")),
    # A leak is the fire brigade's; a poisoned or unconscious person needs the ambulance
    # first, and 119 still, because the gas is still there for everyone else.
    K.GAS: (("119",), ("120", "119")),
    K.MEDICAL: (("120",), ("120",)),
    K.VIOLENCE: (("110",), ("110", "120")),
    # Water, well and flood rescue is the fire and rescue service's (the 综合性消防救援队伍
    # since 2018: boats, ropes, divers); 110 would only forward the call. Whoever is pulled
    # out needs 120, so it is always second.
    K.WATER: (("119", "120"), ("119", "120")),
    # Sparks, a burning box, a line down: 119 cuts the power and puts it out. Someone
    # shocked (`_SHOCK`): the ambulance first, 119 to cut the power and free them.
    K.ELECTRIC: (("119",), ("120", "119")),
    K.COLLAPSE: (("119", "120"), ("119", "120")),
    # Other's rules carry their own numbers; this is for a bare cry for help.
    K.OTHER: (("110",), ("110", "120")),
}
_SHOCK: Numbers = (("120", "119"), ("120", "119"))
_JUMP: Numbers = (("110", "120"), ("110", "120"))  # police talk people down; 120 stands by
_TRAPPED: Numbers = (("119",), ("119", "120"))  # lifts, locked cars, anyone stuck: rescue
# Being stuck is a casualty where the scene itself hurts whoever cannot get out (smoke, gas,
# a live wire; collapse and water always call 120). Stuck in a lift is not hurt yet.
_STUCK_HURTS = frozenset({K.FIRE, K.GAS, K.ELECTRIC})
_MISSING: Numbers = (("110",), ("110", "120"))
# Not seen for days behind a door that does not open: the ambulance for whoever is inside,
# the police to open the door.
_WELFARE: Numbers = (("120", "110"), ("120", "110"))
_TOXIC: Numbers = (("119",), ("119", "120"))  # a chemical leak is hazmat, 119's

_PRIORITY = (
    K.COLLAPSE, K.ELECTRIC, K.FIRE, K.GAS, K.WATER, K.VIOLENCE, K.OTHER, K.MEDICAL,
)  # fmt: skip


def _any(*alternatives: str) -> str:
    return "|".join(alternatives)


# --- Folding -----------------------------------------------------------------------------

# Only slips that mean nothing else in a resident's message are folded.
_SLIPS = {
    "著": "着",  # OpenCC t2s keeps 著 (著名 is Simplified too): 著火, 燒著了, 點不著
    "冇得": "没有",
    "冇": "没",
    "天燃气": "天然气",
    "煤汽": "煤气",
    "燃汽": "燃气",
    "然汽": "燃气",
    "液化汽": "液化气",
    "沼汽": "沼气",
    "泄露": "泄漏",
    "泻漏": "泄漏",
    "漏汽": "漏气",
    "晕到": "晕倒",
    "昏到": "昏倒",
    "昏谜": "昏迷",
    "婚迷": "昏迷",
    "混迷": "昏迷",
    "就命": "救命",
    "救名": "救命",
    "就护车": "救护车",
    "暴炸": "爆炸",
    "暴燃": "爆燃",
    "着伙": "着火",
    "着活": "着火",
    "起伙": "起火",
    "失伙": "失火",
    "火宅": "火灾",
    "处电": "触电",
    "触点了": "触电了",
    "跳搂": "跳楼",
    "中疯": "中风",
    "抽畜": "抽搐",
    "抽触": "抽搐",
    "心脏并": "心脏病",
    "倒踏": "倒塌",
    "坍踏": "坍塌",
    "溺死": "淹死",
}
_SLIP = re.compile(_any(*sorted(map(re.escape, _SLIPS), key=len, reverse=True)))
_BARE_RAN = re.compile(r"(?<!天)然气")  # 然气 for 燃气, but not inside 天然气


def _fold(text: str) -> str:
    text = _SLIP.sub(lambda m: _SLIPS[m.group()], text)
    return _BARE_RAN.sub("燃气", text)


# --- Lexicon -----------------------------------------------------------------------------

# A clause ends at punctuation or a space: residents on phones use spaces as commas.
_BREAK = r",.!?;:、。…~\s"
_C = rf"[^{_BREAK}]"  # one character inside the clause
# The context checks look this far back in the clause: every marker sits within a few
# characters of its phrase, and a bounded window keeps a long message linear.
_LOOK_BACK = 16

_PERSON = _any(
    "人", "老人", "老头", "老太", "老汉", "爹爹", "婆婆", "爷爷", "奶奶", "外婆", "外公", "姥姥",
    "伢", "小孩", "孩子", "娃", "宝宝", "儿子", "女儿", "孙子", "孙女", "老公", "老婆", "爸", "妈",
    "父亲", "母亲", "邻居", "工人", "师傅", "学生", "男的", "女的", "老板", "大爷", "大妈", "阿姨",
    "叔叔", "小伙", "姑娘", "司机", "乘客", "他", "她",
)  # fmt: skip
_GAS = _any("煤气", "燃气", "天然气", "液化气", "石油气", "沼气", "瓦斯", "气罐", "钢瓶", "气瓶")
_LEAK = _any(
    "泄漏", "漏气", "漏了", "在漏", "漏出", "一直漏", "往外(?:冒|喷|漏|跑)", "冒气", "喷气",
    "呲呲", "嘶嘶", "滋滋", "丝丝", "哧哧",
)  # fmt: skip
_SMELL = _any("味", "臭鸡蛋")
_DAMAGE = _any("断了", "破了", "裂了", "挖断", "挖破", "爆了", "坏了", "松了", "脱了")
_ELEC = _any(
    "电线", "电缆", "线路", "电路", "插座", "插头", "插排", "排插", "插板", "接线板", "配电箱",
    "配电柜", "电箱", "电表箱", "电表", "电闸", "闸刀", "开关", "变压器", "高压线", "电线杆",
    "电杆", "电源", "充电器", "充电线", "电器", "线头", "保险丝", "空开", "电机",
)  # fmt: skip
_SPARK = _any(
    "冒火花", "冒火星", "打火", "冒火", "起火", "着火", "冒烟", "火花", "火星", "烧焦", "烧起来",
    "烧着", "烧了", "噼里啪啦", "噼噼啪啪", "爆了", "炸了", "冒蓝光", "闪火", "焦味", "糊味",
    "冒白烟", "冒黑烟",
)  # fmt: skip
# What burns in a resident's message: "X着了" says X is on fire, unlike 睡着了.
_BURNABLE = _any(
    "柴", "草", "房", "屋", "车", "被", "衣", "窗帘", "沙发", "锅", "油", "灶", "树", "山", "林",
    "垛", "堆", "棚", "仓库", "店", "楼", "床", "纸", "箱", "家具", "电瓶", "电池", "厂", "庄稼",
    "麦", "稻", "秸秆", "地毯", "蚊帐", "棉",
)  # fmt: skip
# Where smoke means fire (a lived-in or stored place), as opposed to a chimney or a grill.
_PLACE = _any(
    "屋", "房", "楼", "家", "库", "仓", "厨房", "店", "铺", "厂", "车间", "窗", "门", "阳台",
    "楼道",
    "走廊", "棚", "车", "柜", "地下室", "宿舍", "教室", "办公室", "卧室", "客厅", "隔壁", "对面",
    "楼上", "楼下", "里面",
)  # fmt: skip
_WATER = _any(
    "水", "河", "江", "湖", "塘", "池", "水库", "沟", "井", "粪坑", "粪池", "化粪池", "窨井",
    "下水道", "深坑", "冰窟窿", "堰", "渠", "潭",
)  # fmt: skip
_FLOOD_DEPTH = _any(
    "胸口", "脖子", "腰", "膝盖", "大腿", "屋里", "房里", "家里", "一楼", "二楼", "床", "车里",
    "车顶", "窗户",
)  # fmt: skip
_POISON = _any(
    "农药", "敌敌畏", "百草枯", "老鼠药", "耗子药", "安眠药", "毒蘑菇", "野蘑菇", "消毒液",
    "洗洁精", "84",
)  # fmt: skip
# Someone in the water on purpose (洗澡 alone is a shower at home: see the pair).
_IN_WATER = "游泳|玩水|戏水|下水|下河|下塘|下湖|下江|下海|摸鱼|捞鱼|扎猛子|潜水|钓鱼"
# Things, not people, that fall into water or a drain: 手机掉水里了 is a lost phone.
_OBJECT = _any(
    "手机", "钥匙", "东西", "包", "钱包", "鞋", "帽子", "球", "戒指", "耳机", "眼镜", "衣服",
    "证件", "身份证", "卡", "钱", "车钥匙", "玩具", "桶", "盆", "碗", "筷子", "电瓶", "车牌",
)  # fmt: skip
# Things, animals, machines and offices that "go missing", "do not respond" or "get hit":
# 书包不见了, 手机没反应, 跟物业反映了他们没反应, 车被砸了.
_NOT_SOMEONE = _any(
    # A noun inside an errand is not the subject: 出门, 买菜, 打球, 坐车, 遛狗, 摸鱼.
    "手机", "钥匙", r"(?<![买卖送拿找])东西", "包", "鞋", "帽子", r"(?<![打踢玩])球", "戒指",
    "耳机", "眼镜", "衣服", "证", "卡", r"(?<![取存借要挣赚花])钱", "玩具", "桶", "盆", "碗",
    "筷子", "电瓶", "快递", "包裹", "作业", "本子", "文件", "资料",
    r"(?<![坐开骑上下打等搭乘修洗停倒])车", "玻璃", "窗", r"(?<![出进开关敲上串])门", "店", "房子",
    "庄稼", "花盆", "砖", "电脑", "电视", "按钮", "按键", "电梯", "机器", "遥控", "屏幕", "开关",
    "信号", "系统", "门铃", "对讲", "打印机", "洗衣机", "空调", "灯", "电话", "微信", "程序",
    "键盘", "鼠标", "插座", "热水器", "冰箱", "电池", "水龙头", "物业", "社区", "政府", "部门",
    "领导", "街道", "城管", "居委会", "村委", "热线", "12345", "客服", "公司", "他们", "她们",
    "人家", "反映", "投诉", "举报", "报修", "申请", "留言", "上报", "管", "猫", r"(?<![遛牵喂])狗",
    "鸡", "鸭", "鹅", "牛", "羊", "猪", "鸟", r"(?<![摸捞钓抓])鱼", "兔", "宠物",
)  # fmt: skip
# What is only part of, or fixed to, a structure, and furniture. A broken railing, a
# missing manhole cover, a sunken road, a loose sign or a fallen branch is a hazard for the
# grid worker; it becomes an emergency only once it has fallen on someone, or someone is
# hurt or trapped.
_COMPONENT = _any(
    "栏杆", "护栏", "扶手", "围栏", "栅栏", "井盖", "盖板", "台阶", "路面", "地面", "人行道",
    "路牙", "地砖", "瓷砖", "墙砖", "墙皮", "墙面", "外墙", "树", "广告牌", "招牌", "灯箱", "牌子",
    "路灯", "灯杆", "电线杆", "电杆", "瓦", "玻璃", "外机", "空调", "雨棚", "遮阳棚", "车棚",
    "大棚", "棚", "吊顶", "晾衣架", "防盗网", "窗", r"(?<![出进开关敲上串])门", "水泥板", "篮球架",
    "床", "沙发", "椅子", "凳子", "柜子", "桌子", "货架", "书架", "坑", "厕", "圈",
)  # fmt: skip
# What people live, work or walk in and on: when it comes down, whoever is in it is in danger.
_STRUCTURE = _any(
    "房", "屋", "楼", "墙", "梁", "天花板", "顶棚", "阳台", "桥", "隧道", "涵洞", "基坑", "矿",
    "脚手架", "塔吊", "架子", "厂", "仓库", "教室", "宿舍",
)  # fmt: skip
# 垮了 of a body, a business or a market.
_NOT_BUILT = _any("身体", "身子", "公司", "生意", "股市", "精神", "心理", "网站", "服务器")
# Someone a missing hour already endangers: a child, an old or a confused person.
_VULNERABLE = _any(
    "伢", "孩子", "小孩", "娃", "宝宝", "小朋友", "学生", "放学", "上学", "幼儿园", "岁", "老人",
    "老年", "爹爹", "婆婆", "爷爷", "奶奶", "外婆", "外公", "老头", "老太", "老爷子", "痴呆",
    "糊涂", "智障", "智力", "自闭", "精神病", "脑子不好", "不认路", "不记得路", "记不住路",
    "腿脚不好",
)  # fmt: skip
# Alone or afraid, with someone at the door: an intruder, not a nuisance.
_ALONE_AFRAID = _any(
    "我一个人", "一个人在家", "就我一个", "只有我", "就我和", "我和孩子", "带着孩子", "好怕",
    "好害怕", "很害怕", "特别害怕", "怕死了", "吓死", "好吓人", "吓人", "不敢开门", "不敢出声",
    "不敢出去", "不敢动", "躲在", "躲起来", "半夜", "凌晨",
)  # fmt: skip
# Nobody has seen them for days, and the door, the phone or the house says something is wrong.
_NO_ANSWER = _any(
    rf"(?:敲|喊|叫|打|拍)(?:门|电话|窗)?{_C}{{0,6}}?"
    r"(?:没人应|没人答应|不应|没反应|没人开|不开|没动静|没人接|不接|打不通|没声音|没回应)",
    "打不通", "没人接", "联系不上", "臭味", "一股味", "有味道", r"灯(?:一直)?(?:亮着|没关)",
    "独居", "一个人住", "孤寡", "空巢", "五保", "瘫痪", "行动不便", "身体不好",
)  # fmt: skip
# Unresponsive with a body in the scene: lying, fallen, sudden, not breathing.
_BODY = _any(
    "躺", "倒", "趴", "瘫", "晕", "昏", "摔", "叫", "喊", "摇", "拍", "推", "不醒", "脸色", "嘴唇",
    "呼吸", "突然",
)  # fmt: skip
# Fire as a noun, and not anger, a hotpot, a train or a match (发火, 火锅, 火车, 火柴).
_FIRE_NOUN = (
    r"火势|火苗|火焰|火舌|大火|明火|"
    r"(?<![发上肝心怒冒开点生烤打灭救防熄着起失烟])火"
    r"(?![锅车气腿柴机候力爆龙箭鸡星花苗炉炕盆钳药酒山葬化速热辣红灾])"
)


_Verdict = Literal["live", "part", "dead"]


@dataclass(frozen=True)
class _Subject:
    """What a phrase is said of: the last noun named just before it decides.

    "live" keeps the hit, "dead" drops it, "part" keeps it as damage to a part of a
    structure (a hazard unless someone is hurt or trapped).
    """

    nouns: re.Pattern[str]  # one named group per verdict
    otherwise: _Verdict  # when none of the nouns is named
    reach: int  # how many characters before the phrase to look


def _subject(otherwise: _Verdict, reach: int = _LOOK_BACK, **nouns: str) -> _Subject:
    pattern = re.compile("|".join(f"(?P<{v}>{p})" for v, p in nouns.items()))
    return _Subject(pattern, otherwise, reach)


def _thing(nouns: str) -> str:
    """A thing that is the subject, not a place: 门口, 车上, 楼下的树 name where, not what."""
    return rf"(?:{nouns})(?![里上下边口前外旁内中底])"


# 塌了 is a collapse unless what fell in is a part (路面塌陷了); 倒了 / 断了 need a structure
# named (墙倒了) and are a part's when the part is named last (石桥栏杆断了).
_FALLEN = _subject("live", dead=_thing(_NOT_BUILT), part=_thing(_COMPONENT))
# Close by: in 楼道里的电线断了 it is the wire, not the building, that broke.
_STANDING = _subject("dead", reach=6, part=_thing(_COMPONENT), live=_thing(_STRUCTURE))
# 不见了, 没反应: a person, unless a thing or an office is named last (孩子的书包不见了).
_SOMEONE = _subject("live", dead=_thing(_NOT_SOMEONE), live=_PERSON)
_SOMEONE_NAMED = _subject("dead", dead=_thing(_NOT_SOMEONE), live=_PERSON)
_BURIED = _subject("dead", dead=_thing(_NOT_SOMEONE), live=rf"{_PERSON}|个")
# Who climbs in: not the cat, not the resident who forgot the keys.
_INTRUDER = _subject(
    "live",
    dead=r"猫|狗|蛇|老鼠|鸟|黄鼠狼|猴|我(?!家|们家)|自己|钥匙",
    live=rf"{_PERSON}|小偷|贼|陌生人",
)


@dataclass(frozen=True)
class _Rule:
    kind: EmergencyKind
    weight: int  # 2: an emergency on its own; 1: needs a second signal
    pattern: re.Pattern[str]
    casualty: bool = False  # the phrase itself says someone is hurt
    numbers: Numbers | None = None  # else the kind's
    not_after: re.Pattern[str] | None = None  # a subject in the clause that makes it harmless
    smoke: bool = False  # smoke alone: harmless when the message names a harmless source
    subject: _Subject | None = None  # who or what the phrase must be about
    boost: re.Pattern[str] | None = None  # anywhere in the message, makes a weight-1 sign 2


def _rule(
    kind: EmergencyKind,
    weight: int,
    *alternatives: str,
    casualty: bool = False,
    numbers: Numbers | None = None,
    not_after: str | None = None,
    smoke: bool = False,
    subject: _Subject | None = None,
    boost: str | None = None,
) -> _Rule:
    after = re.compile(rf"(?:{not_after}){_C}{{0,4}}$") if not_after else None
    return _Rule(
        kind,
        weight,
        re.compile(_any(*alternatives)),
        casualty,
        numbers,
        after,
        smoke,
        subject,
        re.compile(boost) if boost else None,
    )


_RULES: tuple[_Rule, ...] = (
    # --- fire -------------------------------------------------------------------------------
    # 着火, but not a stove that lights or will not (打着火, 点不着火) nor 着火点.
    _rule(K.FIRE, 2, r"(?<![打点])(?<!打不)(?<!点不)(?<!打得)(?<!点得)着(?:了|大)?火(?!点|机|柴)"),
    _rule(
        K.FIRE, 2, "起火", "失火", "火灾", "火情", "走水了", "烧起来", "烧了起来", "燃起来",
        "燃了起来", "烧着了", "烧过来", "自燃", "爆燃", "爆炸", "火势", "火光", "浓烟", "黑烟",
        r"(?<![开用])大火(?!收|炒|煮|烧开|炖)",
        rf"烧到(?:了)?{_C}{{0,3}}"
        rf"(?:{_PLACE}|{_PERSON}|{_BURNABLE}|[0-9一二三四五六七八九十]+楼|这边|那边|顶)",
        # spreading: 火窜到二楼了, 火已经蔓延到后山, 大火往村里烧
        rf"(?:{_FIRE_NOUN}){_C}{{0,4}}?(?:烧|窜|蹿|蔓延|扑|冲|燎|卷)"
        r"(?:到|上|进|向|过来|过去|开了|了过来|了过去)",
        rf"(?:{_FIRE_NOUN}){_C}{{0,2}}往{_C}{{0,4}}(?:烧|窜|蹿|蔓延|冲)",
        rf"(?:{_BURNABLE}){_C}{{0,3}}(?:着了|点着了|燃了|烧了起来)",
        rf"火(?:苗|焰|舌)(?:子)?{_C}{{0,3}}(?:窜|蹿|冒|往外|从|好|很|老|越|烧|起来|出来)",
    ),
    _rule(
        K.FIRE, 2,
        r"(?:满屋|全是|到处是|好大的|好浓的|好多)(?:子)?(?:都是|的)?(?:黑)?烟",
        rf"(?:{_PLACE}){_C}{{0,6}}(?:冒烟|冒出{_C}{{0,3}}烟|起烟|在冒{_C}{{0,3}}烟|冒{_C}{{0,3}}黑烟)",
        smoke=True,
    ),
    _rule(
        K.FIRE, 1, r"冒(?:黑|浓|白|好多|很多)?烟", "起烟", r"烟(?:好|很|太|特别|蛮)?(?:大|浓|呛)",
        rf"烟{_C}{{0,4}}(?:进来|灌进|冒进|钻进|涌进)",
        # growing smoke or smell, also said of the clause before: 一股焦味 越来越浓
        rf"(?:烟|味)(?:子)?{_C}{{0,3}}?(?:越来越|越冒越)(?:大|浓|多|呛|重)",
        rf"(?:^|(?<=[{_BREAK}]))(?:而且|还|现在)?越来越(?:浓|呛)",
        smoke=True,
    ),
    _rule(
        K.FIRE, 1, "火苗", "火焰", "明火", "火星", r"焦(?:糊)?味", "糊味", "烧焦", "炸了", "爆了",
        r"(?:蔓延|殃及|波及|引燃|引着)(?:到|至|了)",
        r"(?<![我你他她])火(?:越来越|越烧越|好|很|蛮|特别|太|老)大",
        r"(?:还|正|一直)?在烧(?!水|饭|菜|烤|香|纸|钱|炭|柴|汤|开|火|东西|烧烤)",
    ),
    # --- gas --------------------------------------------------------------------------------
    _rule(
        K.GAS, 2, rf"(?:{_GAS}){_C}{{0,8}}?(?:{_LEAK}|{_SMELL})",
        rf"(?:闻到|有股|一股|好大的|好浓的|很重的|很大的){_C}{{0,6}}(?:{_GAS})",
        # 漏气 alone is gas, unless it is a tyre, a ball, a lighter or a draughty window.
        r"(?<![胎球门窗墙锅])(?<!火机)漏气",
    ),
    _rule(K.GAS, 2, "煤气中毒", "一氧化碳", r"中(?:了)?煤气", "co中毒", casualty=True),
    _rule(
        K.GAS, 1, rf"(?:{_GAS}){_C}{{0,6}}(?:{_DAMAGE})", rf"报警器{_C}{{0,4}}(?:响|叫|报警)",
        rf"一股{_C}{{0,4}}(?:味|气味)", "臭鸡蛋", r"刺鼻的(?:气)?味",
    ),
    # --- electric ---------------------------------------------------------------------------
    _rule(
        K.ELECTRIC, 2, "触电", r"被电(?:到|了|打|击|倒|晕|伤|死|住)",
        r"电(?:到|倒|晕|伤|死)(?:了|人)", "电击", "被高压电",
        numbers=_SHOCK, casualty=True,
    ),
    _rule(
        K.ELECTRIC, 2, rf"(?:{_ELEC}){_C}{{0,8}}?(?:{_SPARK})",
        "冒火花", "打火花", "火花四溅", "拉弧",
    ),
    _rule(
        K.ELECTRIC, 1, "漏电", rf"(?:{_ELEC}){_C}{{0,4}}(?:掉|断|垂|落)(?:了|在|到|下来)",
        r"(?:水里|地上)(?:有|带)电",
    ),
    # --- collapse ---------------------------------------------------------------------------
    # Something has come down, or is coming down now.
    _rule(
        K.COLLAPSE, 2, "倒塌", "坍塌", "塌方", "垮塌", r"(?<![要快就])塌(?:了|下来|下去|掉了|陷)",
        r"(?<![要快就])垮(?:了|下来|掉了)", "滑坡", "泥石流",
        r"(?:正在|开始|在)(?:往下)?(?:塌|垮)(?!了)",
        subject=_FALLEN,
    ),
    # It has come down on someone.
    _rule(
        K.COLLAPSE, 2,
        rf"(?:压|砸|埋)(?:到|住|伤|中|在|着)(?:了)?{_C}{{0,3}}?"
        rf"(?:{_PERSON}|我(?!家|们家)|下面|底下|里面)",
        r"(?:压|砸)(?:伤|死)",
        casualty=True,
    ),
    _rule(K.COLLAPSE, 2, r"埋(?:了|进去|在|住)", casualty=True, subject=_BURIED),
    _rule(K.COLLAPSE, 2, r"被(?:压|砸|埋)", casualty=True, not_after=_NOT_SOMEONE),
    # About to come down, a structure down, the signs of it giving way: a second sign needed
    # (someone inside or under it, a cry for help); a part's, only with someone hurt.
    _rule(K.COLLAPSE, 1, r"(?:要|快|快要|就要)(?:塌|垮)了", subject=_FALLEN),
    _rule(
        K.COLLAPSE, 1,
        r"(?<![晕昏摔跌滑绊撞推打放扳砍撂拉踢])倒了|倒下来|掉下来|砸下来|断了|垮下来"
        r"|(?:要|快|快要|就要)倒了|塌",
        subject=_STANDING,
    ),
    _rule(K.COLLAPSE, 1, rf"裂{_C}{{0,6}}(?:在响|掉渣|往下掉|越来越大)"),
    # --- water ------------------------------------------------------------------------------
    _rule(
        K.WATER, 2, "落水", "溺水", "淹死", "被淹", "没顶", "沉下去", "沉到水",
        r"在水里(?:扑腾|挣扎|喊)", "扑腾",
        r"被(?:水|洪水|大水|山洪)(?:冲|卷|困|淹|围)", r"(?:冲|卷)走了",
        r"(?:困|围)在(?:水|屋顶|房顶|楼顶|树上|车顶)",
        rf"(?:游泳|下水|洗澡|玩水|捞东西|钓鱼){_C}{{0,8}}(?:没上来|没起来|沉下|找不到人|人不见)",
        casualty=True,
    ),
    _rule(
        K.WATER, 2,
        rf"(?:掉|栽|跌|摔|滑|落|翻|拖|推|拽|卷)(?:进|到|下|在)?(?:了)?{_C}{{0,2}}(?:{_WATER})"
        r"(?:里|中|下)?",
        r"跳(?:河|江|湖|塘|水库|井)",
        casualty=True, not_after=_OBJECT,
    ),
    _rule(
        K.WATER, 2,
        rf"水{_C}{{0,3}}(?:漫|淹|灌|涨)(?:到|进|过|了)?{_C}{{0,2}}(?:{_FLOOD_DEPTH})",
        "发大水", "山洪", "决堤", "决口", "溃堤", "溃坝", "垮坝", "漫堤", "管涌",
        rf"(?:堤|坝|堰|埂){_C}{{0,8}}(?:缺口|口子|冒水|渗水|漏水|垮|裂|翻水|漫过)",
    ),
    _rule(
        K.WATER, 1, r"涨(?:大)?水", "水涨", "洪水", r"淹(?:了|到)", "淹水", "进水了",
        rf"积水{_C}{{0,3}}(?:深|淹)",
    ),
    # --- violence ---------------------------------------------------------------------------
    _rule(
        K.VIOLENCE, 2, "打人", "砍人", r"砍(?:伤|死|了)", r"捅(?:人|伤|死|了)", r"刺(?:伤|死|了)",
        "一刀", "持刀", "动刀", "行凶", "杀人", "要杀", "杀了", "杀死", "家暴", "斗殴", "群殴",
        "打架", "打起来", r"打得(?:头破血流|好凶|很凶|满脸是血)",
        r"拿(?:着|了)?(?:把|根)?(?:刀|菜刀|斧头|棍|棒|铁棍|钢管|锄头|砖头|石头|枪)",
        r"被(?:人)?打(?:了|伤|得|出血|破)",
        r"打(?:我|我妈|我爸|老婆|老公|孩子|伢|小孩|老人)(?!电话|手机|针|工|牌|球|的电话)",
        r"(?:弄|打|整|搞|砍|捅|杀)死(?:你|我|他|她|人|你们|我们)",
        r"要(?:弄|打|砍|捅|杀)(?:你|我|他|她|人)",
    ),
    _rule(
        K.VIOLENCE, 2, "抢劫", rf"抢(?:了|走){_C}{{0,4}}(?:包|钱|手机|东西|项链)", "抢包",
        r"撬(?:门|锁|窗)", "在撬", "入室", "闯进", "强奸", "绑架", r"拐(?:走|卖)", "抱走", "非礼",
        "猥亵", "耍流氓",
        r"有人(?:在)?(?:我|我们)?家(?:里)?(?:翻|偷|撬|乱翻)",
        r"家里进(?:了)?(?:人|贼|小偷|陌生人)", r"陌生人(?:进|闯|在)(?:了)?(?:我)?家",
        r"有人(?:闯|翻|爬)(?:进|墙)",
    ),
    # Someone getting in: 翻窗进来, 从阳台爬进来 (not the cat, not me without my keys).
    _rule(
        K.VIOLENCE, 2,
        r"(?:翻|爬|钻|溜)(?:过)?(?:窗户?|墙|阳台|院墙|围墙|栏杆)?(?:子)?进(?:来|屋|了|我家|家|院)",
        rf"从(?:我家|我们家|家里)?(?:的)?(?:窗|阳台|后门|屋顶|房顶|院墙|墙){_C}{{0,3}}"
        r"(?:爬|翻|钻|溜|跳)进",
        subject=_INTRUDER,
    ),
    # At the door, not getting in yet: an intruder when the resident is alone or afraid.
    _rule(
        K.VIOLENCE, 1,
        r"(?:砸|踹|踢|撞|拽|拧|推|扒|掰)(?:我家|我们家|家里|屋)?(?:的)?(?:门|窗|锁)",
        rf"(?:门外|门口|窗外|窗户外|楼道|屋外|院子里|外面){_C}{{0,8}}"
        r"(?:不走|不肯走|赖着|守着|蹲着|转来转去|转悠|徘徊|偷看|往里看|往里瞄"
        r"|敲个不停|一直敲|使劲敲)",
        r"(?:一直|使劲|拼命|不停地?)(?:在)?(?:敲|拍|踹|踢|砸)(?:我家)?(?:的)?(?:门|窗)",
        r"躲在(?:房间|厕所|卫生间|柜子|床底|屋里)",
        boost=_ALONE_AFRAID,
    ),
    _rule(
        K.VIOLENCE, 1, r"砸(?:人|我|店|车|东西)", "闹事", "威胁", "跟踪", "尾随", "小偷",
        r"偷(?:东西|车)",
    ),
    # --- other ------------------------------------------------------------------------------
    _rule(
        K.OTHER, 2, r"跳楼(?!价)", "跳下去", "往下跳", "轻生", "自杀", "寻死", "不想活",
        "活不下去", "割腕", "上吊", r"(?:要|想|准备|扬言|说要|闹着要)跳",
        r"活着没(?:意思|意义)", "活够了", "死了算了", "一了百了", "遗书", "想不开",
        numbers=_JUMP,
    ),
    _rule(
        K.OTHER, 1,
        r"(?:站|坐|爬|蹲|翻)(?:在|到|上|出)?(?:了)?"
        r"(?:楼顶|天台|房顶|窗台|窗户外|阳台外|栏杆外|护栏外|边上|出去)",
        r"(?:楼顶|天台|房顶|窗台|栏杆|护栏|阳台|桥)(?:上|边|外)?(?:面)?(?:坐|站|蹲|爬)(?:着|了)",
        "想死", "反锁",
        numbers=_JUMP,
        # A child up there, or someone already leaning out, needs no second sign.
        boost=rf"{_VULNERABLE}|(?:脚|腿|身子|半个身子|半边身子)(?:都)?(?:伸|悬|挂|探)(?:在|到)?"
        r"(?:外面|外边|出去)",
    ),
    _rule(
        K.OTHER, 2, rf"电梯{_C}{{0,4}}(?:困|关|卡|夹|坠|掉|冲顶|下坠|溜)", r"(?:困|关|卡)在电梯",
        numbers=_TRAPPED,
    ),
    # A child or an old person locked in a car is in danger of heatstroke within minutes.
    _rule(K.OTHER, 2, r"(?:锁|关|困)(?:在)?车(?:里|内)", numbers=_TRAPPED, casualty=True),
    _rule(
        K.OTHER, 1, "被困", "困住了", "困在", "出不来", "出不去", "跑不出",
        numbers=_TRAPPED,
    ),
    _rule(
        K.OTHER, 2,
        rf"(?:毒气|有毒|化学品|氯气|氨气|液氨|硫化氢|硫酸|盐酸){_C}{{0,4}}(?:泄漏|漏了|漏出|味|烟)",
        numbers=_TOXIC,
    ),
    _rule(
        K.OTHER, 1, "刺鼻", r"(?:撒|打|喷)农药", "农药味", r"(?:黄|绿|紫|彩)(?:色的)?烟",
        rf"好多人{_C}{{0,2}}(?:咳嗽|头晕|呕吐|晕|不舒服)",
        numbers=_TOXIC,
    ),
    # --- medical ----------------------------------------------------------------------------
    _rule(
        K.MEDICAL, 2,
        # unconscious, not breathing
        r"晕(?:了)?(?:倒|过去)", r"昏(?:了)?(?:倒|过去)", "昏迷", "不省人事", "人事不省",
        r"失去(?:了)?意识", r"没(?:有|了)?(?:意识|知觉)", r"没(?:有|了)?(?:呼吸|心跳|脉搏)",
        r"不(?:会)?呼吸", r"呼吸(?:好|很|特别|蛮|非常)?(?:困难|不上来|不过来|停|弱)",
        r"喘不(?:上|过)(?:来)?气", "上不来气", "气都喘不",
        rf"(?:叫|喊|摇|拍|推|掐)(?!物业|社区|师傅|人来){_C}{{0,6}}?"
        r"(?:不醒|不应|不答应|没反应|没有反应|没回应)",
        "醒不过来",
        # heart, stroke, seizure
        r"心跳(?:停|没)", r"心脏(?:病|骤停|停)", "心梗", "心肌梗", "脑梗", "脑溢血", "脑出血",
        "中风", "说不出话", r"说话(?:说)?不清", "口齿不清", r"嘴(?:巴)?歪", "口角歪",
        rf"半边{_C}{{0,3}}(?:不能动|动不了|麻|没知觉|没力|歪)", "手脚不能动", r"瘫(?:了|倒)",
        "抽搐", "口吐白沫", "翻白眼", "休克", "惊厥", "癫痫",
        r"(?:浑身|全身)(?:在)?(?:抽|发抖|抖个不停)",
        casualty=True,
    ),
    _rule(
        K.MEDICAL, 2,
        # bleeding, falls, road accidents
        "大出血", r"流(?:了)?(?:好多|很多|一地|满地|不少|一身|满脸|满头)(?:的)?血",
        r"出血(?:了|不止)",
        rf"血{_C}{{0,3}}(?:止不住|流不停|流个不停|喷|一直在流|流了一地)", "止不住", "吐血", "咯血",
        "咳血", "头破血流", r"满(?:身|脸|头)(?:是|都是)?血",
        r"(?:好多|很多|一地|满地|一摊)(?:的)?血",
        "流血不止", r"一直(?:在)?流血", "血流不止",
        r"骨头(?:都)?露", "坠楼",
        rf"摔{_C}{{0,4}}(?:起不来|爬不起来)",
        "车祸", "撞倒了人", "撞伤了",
        # poisoning, choking, birth, and the words for the worst
        "中毒",
        rf"(?:喝|吃)(?:了)?{_C}{{0,3}}(?:{_POISON})",
        "喝药", r"(?:一|几)(?:大)?(?:把|瓶|整瓶)(?:的)?药",
        r"噎(?:住|着)", r"卡(?:住|在)(?:了)?(?:喉咙|嗓子)", rf"(?:吃|喝){_C}{{0,6}}卡住",
        r"憋(?:紫|青)",
        r"(?:脸|嘴唇|嘴巴|嘴)(?:都|也)?(?:发|变)?(?:紫|青)",
        "羊水破", "要生了", "早产", "蛇咬", "被蛇", "快不行了", "人不行了", "死人了", "出人命",
        "人死了", "重伤", r"伤得(?:很|好|蛮|特别)?重",
        casualty=True,
    ),
    # Hit by a car: a person, not the gas pipe by the gate.
    _rule(K.MEDICAL, 2, rf"被{_C}{{0,3}}撞(?:了|倒|伤|飞)", casualty=True, subject=_SOMEONE),
    # A fall from a height, of a person, not of a flowerpot.
    _rule(
        K.MEDICAL, 2,
        # 从楼上掉下来一个衣架 names what fell after the verb; 掉下来一个人 is a person.
        rf"从{_C}{{0,6}}(?:摔|掉|跌|坠|滚)(?:了)?下(?:来|去)"
        rf"(?!一?(?:个|只|块|根|片|件|把|盆|些|堆|大块)(?!{_PERSON}))",
        casualty=True, not_after=_NOT_SOMEONE,
    ),
    # Lying and not moving, or not responding: of a person, not of a phone or an office.
    _rule(
        K.MEDICAL, 2,
        rf"(?:躺|倒|趴|瘫|栽)(?:在)?{_C}{{0,6}}?"
        r"(?:不动|一动不动|动也不动|动都不动|没反应|没有反应|叫不醒|喊不醒|不醒|不出声|不吭声)",
        "一动不动", "动也不动", "动都不动",
        subject=_SOMEONE, casualty=True,
    ),
    _rule(
        K.MEDICAL, 1, r"没(?:有|了)?(?:任何)?反应(?!过来|过)",
        r"(?<![走搬推拉跑爬拖咬吃拿提扛抱扶挪骑开拧转划摇拽])不动了",
        subject=_SOMEONE, boost=_BODY, casualty=True,
    ),
    # Someone not seen for days: with no answer at the door, or living alone, look now.
    _rule(
        K.MEDICAL, 1,
        r"(?:好几天|几天|两天|三天|两三天|一两天|好多天|一整天|好久|很久)(?:了)?(?:都|也|一直)?"
        r"(?:没|没有|不见|冇)(?:见)?(?:出门|出来|开门|露面|露过面|下楼|出过门|开过门|开灯|见人"
        r"|见到人|人影|动静|拿(?:报纸|牛奶|奶|快递))",
        rf"(?:好几天|几天|两天|三天|两三天|好多天)(?:了)?(?:都|也)?没(?:见|看到|看见|见到)(?:过)?"
        rf"(?:{_PERSON})",
        boost=_NO_ANSWER, numbers=_WELFARE, casualty=True,
    ),
    _rule(
        K.MEDICAL, 1, r"(?:倒|躺)在(?:地上|路边|路上|楼梯|门口|厕所|家里|床边|地下)",
        rf"(?:{_PERSON})没气了", "不行了", "受伤", "骨折", r"摔(?:伤|破|断|倒)", "烧伤", "烫伤",
        rf"被{_C}{{0,2}}咬(?:了|伤)", r"胸口(?:疼|痛|闷)", r"心口(?:疼|痛)", "高烧", "发病", "犯病",
        "抽筋", "流血", "冷汗", "满头大汗", "吐个不停", r"一直在?吐",
        casualty=True,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class _Pair:
    """A thing and its sign anywhere in one message: 燃气管道挖断了，一直往外喷."""

    thing: re.Pattern[str]
    rule: _Rule  # its pattern finds the sign, which is the trigger


_PAIRS: tuple[_Pair, ...] = (
    _Pair(
        # A gas alarm is a topic word after 燃气 (燃气报警器 in a question), but it is the gas
        # that is sounding here: 燃气报警器一直在响 有味道.
        re.compile(rf"(?:{_GAS})报警器?|(?:{_GAS})(?!费|卡|公司|开户|价)"),
        _rule(K.GAS, 2, _LEAK, "气味", "味道", rf"一股{_C}{{0,3}}味", "臭", "刺鼻", "呛人"),
    ),
    _Pair(re.compile(_ELEC), _rule(K.ELECTRIC, 2, _SPARK)),  # 电线掉下来了 在打火
    _Pair(
        re.compile("电梯"),
        _rule(
            K.OTHER, 2, r"被(?:关|锁|困|卡)", r"困(?:住|在)", "出不来", "打不开", "关在",
            numbers=_TRAPPED,
        ),
    ),
    # Someone in the water who is no longer seen: 三个伢去河里洗澡 只看到两个.
    _Pair(
        re.compile(
            rf"{_IN_WATER}|划船|在(?:{_WATER})(?:里|中)|(?:{_WATER})(?:里|中|边)?(?:洗澡|游|泡)"
        ),
        _rule(
            K.WATER, 2, r"没(?:有)?(?:上来|起来|浮上来|冒头|露头)", r"沉(?:下去|下|底)",
            r"只(?:看到|看见|剩|剩下|上来|回来|找到|有|见)(?:了)?(?:[一两三四1-4]|几)个",
            r"少了(?:[一两12])个", r"冒了(?:一下|几下)",
            subject=_SOMEONE, casualty=True,
        ),
    ),
    _Pair(
        re.compile(_IN_WATER),
        _rule(
            K.WATER, 2, rf"不见了(?!{_NOT_SOMEONE})", "找不到了",
            subject=_SOMEONE_NAMED, casualty=True,
        ),
    ),
    _Pair(
        re.compile(_IN_WATER),
        _rule(K.WATER, 2, "不见人", "找不到人", "人不见了", casualty=True),
    ),
    # A person missing: a child or a confused elder is at risk within the hour.
    _Pair(
        re.compile(_PERSON),
        _rule(
            K.OTHER, 2,
            rf"(?:不见了|走丢|走失|失踪|丢了|找不到了|不见人影|没影了|跑丢)(?!{_NOT_SOMEONE})",
            subject=_SOMEONE, numbers=_MISSING,
        ),
    ),
    _Pair(
        re.compile(_PERSON),
        _rule(
            K.OTHER, 1,
            rf"没(?:有)?回(?:来|家)|没到家|联系不上|打不通|一夜没归|不知道(?:去|跑|走)(?:了)?哪"
            rf"|找不到(?:人|回家的路)?(?=[{_BREAK}]|$)",
            subject=_SOMEONE, boost=_VULNERABLE, numbers=_MISSING,
            not_after=r"出差|上班|加班|打工|开会|旅游|出国|住校|上大学|在外地",
        ),
    ),
    _Pair(  # 伢在塘边玩 掉下去了
        re.compile(rf"(?:{_WATER})(?!费|电|管|表|龙头|壶|杯|果)"),
        _rule(
            K.WATER, 2, r"掉(?:了)?(?:下|进)(?:去|克)", "掉下水", r"(?:跳|栽)(?:下|进)(?:去|克)",
            casualty=True,
        ),
    ),
)  # fmt: skip

# Asking for a number or a service: an urgency cue, and on its own an emergency of the
# kind the number serves (110, 警察, 报警, 派出所: violence).
_CALL = re.compile(
    r"(?:叫|打|喊|拨|报|找)(?:个|一下|一个|了|辆)?"
    r"(救护车|急救|120|119|110|消防(?:车|队)?|火警|警察|警(?!器)|派出所)"
)
_CALL_KIND = {
    "救护车": K.MEDICAL, "急救": K.MEDICAL, "120": K.MEDICAL,
    "119": K.FIRE, "火警": K.FIRE, "消防": K.FIRE, "消防车": K.FIRE, "消防队": K.FIRE,
}  # fmt: skip
_CRY = re.compile(r"救命|救救|来人|sos|help")
_CRY_ONLY = re.compile(rf"(?:救命|救救|来人|快来人?|帮帮|help|sos|啊|呀|了|我|们|[{_BREAK}])+")

# --- Context -----------------------------------------------------------------------------

# 是不是 / 有没有 are suspicion and questions, not negation; 不停 / 止不住 intensify.
_NEGATOR = _any(
    r"(?<!是)不是", "并非", r"(?<!有)没有", "没", "不曾", "未曾", "未", "无", "别", "莫",
    r"(?<![要能会是])不(?!停|断|住|了|行|得了|知道|晓得|敢|醒)",
)  # fmt: skip
_FILLER = _any(
    "有", "是", "在", "再", "闻到", "看到", "看见", "发现", "见", "听到", "什么", "任何", "人",
    "出现", "发生", "着", "过", "的", "会", "要", "那么", "很", "太", "像", "算", "能", "用",
)  # fmt: skip
_NEGATED = re.compile(rf"(?:{_NEGATOR})(?:{_FILLER})*$")
# Prevention, fear, conditions, yes/no questions: it has not happened.
_HYPOTHETICAL = re.compile(
    "(?:"
    + _any(
        "防止", "预防", "防范", "以防", "谨防", "避免", "以免", "免得", "小心", "当心", "注意",
        "禁止", "严禁", "不准", "不许", "不能", "担心", "害怕", "生怕", r"(?<![好可])怕", "万一",
        "如果", "要是", "假如", "假设", "一旦", "容易", r"会不会(?!是)",
        r"(?<![开机社学晚协聚约])会", "能不能", "可不可以", "是否", "有没有", "有无", "关于",
        "应对", "遇到",
        # a near miss, or some day: 差点砸到人, 哪天着了火
        "差点", "差一点", "险些", "哪天", "哪一天", "迟早", "总有一天",
    )
    + rf"){_C}{{0,4}}$|防$"
)  # fmt: skip
# Exaggeration: 气晕过去, 呛得人喘不过气, 热得快晕倒了, 气炸了 (but 燃气 is not anger).
_FIGURATIVE = re.compile(
    r"(?:(?<![煤燃然化油沼空])气(?:得|的)?|[笑累热吵烦急闷挤逼饿困呛熏晒跑爬走干练]得)"
    r"(?:人|我|你|他|她)?(?:都|快|要|快要|想)?$"
)
_PAST = re.compile(
    _any(
        r"上个?月", r"上个?(?:礼拜|星期|周)", "去年", "前年", "前几年", "几年前",
        r"[0-9一二三四五六七八九十两几]+(?:年|个月|个礼拜|个星期|周|天)(?:以)?前",
        "上次", "上回", "那次", "那回", "那年", "那天", "当年", "当时", "之前", "以前", "早先",
        r"前些(?:天|日子|年)", "前几天", "前段时间", "前阵子", "小时候", "曾经", "历史上", "以往",
        "往年", "上半年",
    )
)  # fmt: skip
_RECENT_PAST = re.compile(_any("昨天", "昨晚", "昨夜", "前天", "前晚"))  # past unless still on
_ONGOING = re.compile(
    _any(
        "现在", "正在", "还在", "又", "刚才", "刚刚", "刚", "一直", "马上", "快来", "救命", "赶紧",
        "赶快", "今天", "这会", "此刻", "目前", "这次",
    )
)  # fmt: skip
# Right after the phrase, a topic rather than an event: 火灾保险, 着火的赔偿, 淹水的补偿,
# 着火那件事, 跳楼价, 着火点, 塌过 (matched with `.match(text, end)`).
_TOPIC = re.compile(
    r"(?:了|过|的)?(?:"
    + _any(
        "那件事", "那个事", "那事", "那次", "那回", "的事", "事件", "事情", "之后", "以后", "过后",
        "的时候", "时候", "时", "补偿", "赔偿", "补助", "补贴", "救助", "保险", "险", "理赔",
        "损失",
        "隐患", "罚款", "原因", "调查", "问题", "知识", "常识", "预防", "演练", "演习", "逃生",
        "宣传",
        "培训", "教育", "现场", "照片", "证明", "的那家", "那家", "人家", "那一片", "那片", "那年",
        "价", "点", "器", "报警器", "警报器",
    )
    + r")|过(?!去|来)"
)  # fmt: skip
# The message is about information, money, a drill, hearsay, a later visit, or something
# that is over.
_SOFT = re.compile(
    _any(
        "请问", "想问", "问一下", "问下", "问问", "咨询", "了解一下", "想了解", "想学", "学一下",
        "学习", "讲讲", "科普", "培训", "报名", "演练", "演习", "宣传", "知识", "讲座", "课程",
        "志愿者", "安检", "检测", "鉴定", "保险", "理赔", "赔偿", "补偿", "补助", "补贴", "救助",
        "报销", "罚款", "多少钱", "费用", "收费", "价格", "涨价", r"(?<!免)费(?!劲)", "申请",
        "办理",
        "流程", "材料", "手续", "证明", "政策", "规定", "标准", "电话是多少", "号码是多少",
        r"(?:去|在)哪(?:里|儿)?(?:买|交|缴|办|领|打|充|看|修)",
        r"(?:应该|该|要)(?:怎么|如何|怎样|么样)(?!办)",
        r"(?:怎么|如何|怎样|么样)(?:预防|防止|避免|判断|处理|急救|施救|逃生|自救|应对|买|交|缴|办理|申请|报销|扶)",
        r"已经(?:灭|扑灭|熄灭|浇灭|关|送|拉走|处理|没事|修好|救出|救上|抢救过来|醒了|好了|走了)",
        r"(?<!没)(?:灭|扑灭|熄灭|浇灭)了", "没事了", "虚惊一场", "人没事", "还好", "幸好", "幸亏",
        "原来是", "结果是", "误报", "搞错了", "没什么事", "不要紧",
        "新闻", "听说", "据说", "电视上", "电视里", "网上", "视频里", "朋友圈", "抖音", "快手",
        "电影", "电视剧", "小说", "梦见", "做梦",
        "不急", "不着急", "不用急", "不紧急", "有空", "方便的时候", "改天", "预约", "明天", "下周",
        "下个月", "过几天",
    )
)  # fmt: skip
_HABITUAL = re.compile(
    _any(
        "天天", "每天", "经常", "老是", "总是", "时不时", "有时候", "偶尔", "一到", "每次", "每到",
        "好几次", "几次了", "一下雨就", "下雨天", "长期", "常年", "隔三差五",
    )
)  # fmt: skip
# Every cue of urgency. Residents write 现在, 一直, 越来越, 怎么办 and "!!" about a broken
# railing as much as about a fire, so these only add confidence to a sign that is already an
# emergency or that comes with someone hurt or trapped; only `_STRONG` lifts a weak sign.
_URGENT = re.compile(
    _any(
        "快来", "快点", "快叫", "快打", "快救", "快报", "赶紧", "赶快", "马上", "立刻", "立即",
        "火速",
        "救命", "救救", "帮帮", "来人", "现在", "正在", "还在", "越来越", "一直在", "不停", "不断",
        "!", "吓死", "好怕", "好吓人", "不敢", "怎么办", "么样办", "咋办", "么样搞", "怎么搞",
        "出事",
        "紧急", "求助", "求救", "sos", "help", "在线等", "突然", "严重", "厉害", "到现在",
    )
)  # fmt: skip
# A cry for help, or asking for someone to come now (not to come and repair something).
_STRONG = re.compile(
    _any(
        "救命", "救救", r"(?<![没有])来人(?!修|看|处理|了|往)", "求救", "sos", "help",
        r"(?:快|快点|赶紧|赶快|马上|立刻|立即|火速)(?:派|叫|喊|找)?(?:个)?(?:人)?(?:来|过来)"
        r"(?!人?(?:修|看|处理|弄|管|清|收|拉|搞|换|维修|检查|解决|登记|核实|量))",
        r"(?:快|快点|赶紧|赶快|马上|立刻|立即|火速)(?:救|喊人|叫人|报警|打电话)",
    )
)  # fmt: skip
_STUCK = re.compile(
    _any(
        "被困", "困在", "困住", "出不来", "出不去", "跑不出", "没出来", "没跑出来", "人还在",
        "还有人",
        rf"里面{_C}{{0,4}}有{_C}{{0,2}}(?:{_PERSON})", "有人在里面",
        rf"(?:{_PERSON})(?:还)?在(?:里面|里头|屋里|楼上|上面)",
    )
)  # fmt: skip
# Someone under what came down: a collapse's casualty (under a sagging wire it is not one).
_UNDER = re.compile(
    rf"(?:下面|底下|下头)(?:还|好像|可能|应该)?(?:有|压着|埋着|困着){_C}{{0,2}}"
    rf"(?:{_PERSON}|个|我)|人(?:还|都)?(?:在|压在|埋在|困在)(?:下面|底下|下头)"
)
_HURT = re.compile(
    _any(
        rf"(?:压|砸|埋)(?:到|住|伤|中|着|在){_C}{{0,2}}(?:{_PERSON})",
        "受伤", r"伤(?:了|到|得)", "流血", "烧伤", "烫伤", "晕", "昏",
        r"没(?:有)?(?:呼吸|意识)", "一动不动",
        rf"人{_C}{{0,4}}(?:掉|摔|跌|栽|坠|滚)(?:了)?(?:下去|下来|进去|进坑|进沟)",
        rf"车{_C}{{0,3}}(?:掉|陷|栽)(?:了)?(?:进去|下去|进坑)",
        "不省人事", r"(?:倒|躺)在", "叫不醒", r"好多人(?:咳嗽|头晕|呕吐|不舒服)", "中毒",
        # of a person: 把路堵死了, 吵死了 are not deaths
        r"(?:人|个)(?:已经|好像|可能)?死了",
    )
)  # fmt: skip
# Smoke with a harmless source named: firecrackers, a grill, offerings, burning straw.
_HARMLESS_SMOKE = re.compile(
    _any(
        "鞭炮", "烟花", "爆竹", "烧烤", "烧纸", "烧香", "上香", "秸秆", "烧稻草", "烧落叶", "炒菜",
        "做饭", "油烟", "烟囱", "烟筒", "抽烟", "吸烟", "熏腊", "熏肉", "香烟", "艾灸", "蚊香",
    )
)  # fmt: skip
_CLAUSE = re.compile(rf"[^{_BREAK}]+")
# normalise drops emoji, but a few say something: 🔥 🚒 beside a fire word, 🆘 🚑 🚨.
_EMOJI_FIRE = ("\U0001f525", "\U0001f692")
_EMOJI_URGENT = ("\U0001f198", "\U0001f691", "\U0001f6a8")


@dataclass(frozen=True)
class _Hit:
    rule: _Rule
    start: int
    end: int
    text: str
    weight: int  # the rule's, or 2 when its boost is in the message
    part: bool  # damage to a part of a structure (`_Subject`)

    def apart(self, other: _Hit) -> bool:
        """Two pieces of evidence, not one phrase found by two rules."""
        return self.end <= other.start or other.end <= self.start


class _Message:
    """The folded text, its clauses and time markers, and whether a phrase in it is live.

    Clauses and markers are found once per message, so each phrase costs a bisect rather
    than a rescan of everything before it.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.clauses = [m.span() for m in _CLAUSE.finditer(text)]
        self.clause_starts = [begin for begin, _ in self.clauses]
        self.past_ends = [m.end() for m in _PAST.finditer(text)]
        self.recent_ends = [m.end() for m in _RECENT_PAST.finditer(text)]
        self.ongoing = [m.span() for m in _ONGOING.finditer(text)]
        self.ongoing_starts = [begin for begin, _ in self.ongoing]
        self._has: dict[re.Pattern[str], bool] = {}

    def live(self, pattern: re.Pattern[str], rule: _Rule | None = None) -> Iterator[re.Match[str]]:
        """Each match that describes something happening now, literally."""
        for match in pattern.finditer(self.text):
            if self._live(match.start(), match.end(), rule):
                yield match

    def has(self, pattern: re.Pattern[str]) -> bool:
        found = self._has.get(pattern)
        if found is None:  # boosts and pair things are asked about once per hit
            found = self._has[pattern] = next(self.live(pattern), None) is not None
        return found

    def hit(self, rule: _Rule, match: re.Match[str]) -> _Hit | None:
        """The live match as evidence, or None when its subject makes it harmless."""
        verdict: _Verdict = "live"
        if rule.subject is not None:
            # 桥栏杆断了 names the bridge and, last, its railing: the railing broke.
            window = self.text[max(0, match.start() - rule.subject.reach) : match.start()]
            verdict = rule.subject.otherwise
            for noun in rule.subject.nouns.finditer(window):
                verdict = cast(_Verdict, noun.lastgroup)  # the groups are named by verdict
        if verdict == "dead":
            return None
        weight = rule.weight
        if weight < 2 and rule.boost is not None and self.has(rule.boost):
            weight = 2
        return _Hit(rule, match.start(), match.end(), match.group(), weight, verdict == "part")

    def _live(self, start: int, end: int, rule: _Rule | None) -> bool:
        index = bisect.bisect_right(self.clause_starts, start) - 1
        begin, finish = self.clauses[index] if index >= 0 else (start, start)
        if not begin <= start < finish:
            begin, finish = start, start
        prefix = self.text[max(begin, start - _LOOK_BACK) : start]
        if rule is not None and rule.not_after is not None and rule.not_after.search(prefix):
            return False
        if _NEGATED.search(prefix) or _HYPOTHETICAL.search(prefix) or _FIGURATIVE.search(prefix):
            return False
        if _TOPIC.match(self.text, end, finish):
            return False
        return not self._past(start)

    def _past(self, start: int) -> bool:
        """A past marker before the phrase, with nothing saying it is happening again
        (between the two; for 昨天 and the like, anywhere after it)."""
        index = bisect.bisect_right(self.past_ends, start)
        if index and not self._ongoing_within(self.past_ends[index - 1], start):
            return True
        index = bisect.bisect_right(self.recent_ends, start)
        return bool(index) and not self._ongoing_within(self.recent_ends[index - 1], len(self.text))

    def _ongoing_within(self, begin: int, end: int) -> bool:
        index = bisect.bisect_left(self.ongoing_starts, begin)
        return index < len(self.ongoing) and self.ongoing[index][1] <= end


def detect(text: str) -> Emergency | None:
    """The emergency in a resident's message, or None. Takes the text as typed (or
    already normalised: normalise is idempotent)."""
    message = _Message(_fold(normalise(text)))
    if not message.text:
        return None
    hits = [
        hit
        for rule in (*_RULES, *(p.rule for p in _PAIRS if message.has(p.thing)))
        for m in message.live(rule.pattern, rule)
        if (hit := message.hit(rule, m)) is not None
    ]
    if hits and _HARMLESS_SMOKE.search(message.text):
        hits = [hit for hit in hits if not hit.rule.smoke]
    call = next(message.live(_CALL), None)
    if not hits and call is None:  # most messages: nothing to weigh
        return _cry(message)

    penalty = 2 * message.has(_SOFT) + bool(_HABITUAL.search(message.text))
    qualified = _qualified(message, text, hits, call is not None, penalty)
    if not qualified:
        if call is not None and penalty == 0:
            kind = _CALL_KIND.get(call.group(1), K.VIOLENCE)
            return Emergency(kind, _NUMBERS[kind][0], call.group())
        return _cry(message)
    kind = next(k for k in _PRIORITY if k in qualified)
    hit = qualified[kind]
    casualty = (
        message.has(_HURT)
        or (message.has(_STUCK) and kind in _STUCK_HURTS)
        or any(h.rule.casualty for h in hits if h.rule.kind in (kind, K.MEDICAL))
    )
    plain, with_casualty = hit.rule.numbers or _NUMBERS[kind]
    return Emergency(kind, with_casualty if casualty else plain, hit.text)


def _qualified(
    message: _Message, text: str, hits: list[_Hit], call: bool, penalty: int
) -> dict[EmergencyKind, _Hit]:
    """Each kind whose evidence scores 2 or more, with the hit that decided it."""
    strong = (
        call
        or message.has(_STRONG)
        or any(e in text for e in _EMOJI_URGENT)
        or (any(e in text for e in _EMOJI_FIRE) and any(h.rule.kind is K.FIRE for h in hits))
    )
    weak = strong or message.has(_URGENT)
    hurt_or_stuck = message.has(_HURT) or message.has(_STUCK)
    under = message.has(_UNDER)

    by_kind: dict[EmergencyKind, list[_Hit]] = {}
    for hit in hits:
        by_kind.setdefault(hit.rule.kind, []).append(hit)
    qualified: dict[EmergencyKind, _Hit] = {}
    for kind, kind_hits in by_kind.items():
        # Someone hurt or trapped turns a weak sign of a hazard into an emergency.
        casualty = kind is not K.MEDICAL and (hurt_or_stuck or (under and kind is K.COLLAPSE))
        signs = [h for h in kind_hits if not h.part]
        if not signs:
            # Only parts broken (a railing, a manhole cover, a branch): a hazard for the grid
            # worker however urgently written, unless someone is hurt, trapped or under it.
            if 1 + casualty - penalty >= 2:
                qualified[kind] = kind_hits[0]
            continue
        best = max(signs, key=lambda h: h.weight)  # the first of the strongest
        second = any(a.apart(b) for i, a in enumerate(signs) for b in signs[i + 1 :])
        score = best.weight + second + casualty - penalty
        # A cry for help may lift a weak sign; "!!", 一直, 越来越 only add to one that is
        # already an emergency or that says someone is hurt.
        score += strong or (weak and (best.weight >= 2 or casualty or best.rule.casualty))
        if score >= 2:
            qualified[kind] = best
    return qualified


def _cry(message: _Message) -> Emergency | None:
    """A bare cry for help (救命啊！！) and nothing else."""
    if _CRY_ONLY.fullmatch(message.text) and _CRY.search(message.text):
        return Emergency(K.OTHER, _NUMBERS[K.OTHER][0], message.text)
    return None
