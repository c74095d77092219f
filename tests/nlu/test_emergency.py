"""The emergency detector on its development cases (the ones its rules were written on).

The held-out measure is benchmarks/data/emergency_cases.jsonl (`python -m
benchmarks.emergency`); no sentence may be in both, which the last test holds.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from core.clock import LOCAL_TZ
from nlu.emergency import Emergency, EmergencyKind, detect
from nlu.normalise import normalise
from nlu.parse import NluPipeline, ParseResult

HELD_OUT = Path(__file__).parents[2] / "benchmarks" / "data" / "emergency_cases.jsonl"

K = EmergencyKind

# (text, kind, numbers): a real emergency, and what the resident must call.
EMERGENCIES: list[tuple[str, EmergencyKind, tuple[str, ...]]] = [
    # fire
    ("着火了快来人", K.FIRE, ("119",)),
    ("著火了", K.FIRE, ("119",)),
    ("厨房起火了", K.FIRE, ("119",)),
    ("隔壁冒黑烟了 好像是着火了", K.FIRE, ("119",)),
    ("电动车自燃", K.FIRE, ("119",)),
    ("楼道里的电瓶车烧起来了", K.FIRE, ("119",)),
    ("对面楼有火苗窜出来", K.FIRE, ("119",)),
    ("仓库烧着了", K.FIRE, ("119",)),
    ("房子烧起来了，有人困在里面", K.FIRE, ("119", "120")),
    ("阳台上晒的衣服着火了", K.FIRE, ("119",)),
    ("山上起火了，往村里烧过来了", K.FIRE, ("119",)),
    ("家里油锅着火了怎么办", K.FIRE, ("119",)),
    ("屋里好大的烟 什么都看不清", K.FIRE, ("119",)),
    ("煤气罐爆炸了 有人受伤", K.FIRE, ("119", "120")),
    ("著火啦 救命", K.FIRE, ("119",)),
    ("一楼商铺失火", K.FIRE, ("119",)),
    ("发现火情 快来", K.FIRE, ("119",)),
    ("快打119 楼下在烧", K.FIRE, ("119",)),
    ("🔥🔥 对面那栋着火了", K.FIRE, ("119",)),
    ("燒起來了！！", K.FIRE, ("119",)),
    ("窗户里往外冒烟 里面有人在喊", K.FIRE, ("119", "120")),
    ("麦秸堆着了 火很大", K.FIRE, ("119",)),
    ("我们那栋楼失火了，我婆婆还在屋里没出来", K.FIRE, ("119", "120")),
    # gas
    ("很大的煤气味", K.GAS, ("119",)),
    ("厨房漏气了", K.GAS, ("119",)),
    ("煤气泄漏了", K.GAS, ("119",)),
    ("天然气泄漏 快来", K.GAS, ("119",)),
    ("闻到好浓的燃气味", K.GAS, ("119",)),
    ("液化气罐漏气了", K.GAS, ("119",)),
    ("煤气罐在嘶嘶地漏", K.GAS, ("119",)),
    ("燃气管道破了在漏气", K.GAS, ("119",)),
    ("楼道里一股煤气味 越来越浓", K.GAS, ("119",)),
    ("家里有股天然气的味道 好冲", K.GAS, ("119",)),
    ("煤氣洩漏", K.GAS, ("119",)),
    ("燃气报警器一直在响 有味道", K.GAS, ("119",)),
    ("天燃气漏了", K.GAS, ("119",)),
    ("一股臭鸡蛋味 应该是燃气漏了", K.GAS, ("119",)),
    ("家里老人煤气中毒了", K.GAS, ("120", "119")),
    ("蛮大的煤气味 么样办", K.GAS, ("119",)),
    ("我屋里漏气了 味道蛮大", K.GAS, ("119",)),
    # medical
    ("有人晕过去了", K.MEDICAL, ("120",)),
    ("有人晕倒了快叫120", K.MEDICAL, ("120",)),
    ("我爸昏迷了", K.MEDICAL, ("120",)),
    ("老人没呼吸了", K.MEDICAL, ("120",)),
    ("有人心脏病发作", K.MEDICAL, ("120",)),
    ("我妈中风了 嘴歪了", K.MEDICAL, ("120",)),
    ("有人抽搐 口吐白沫", K.MEDICAL, ("120",)),
    ("头上在流血 止不住", K.MEDICAL, ("120",)),
    ("孩子被噎住了 喘不上气", K.MEDICAL, ("120",)),
    ("爷爷倒在地上叫不醒", K.MEDICAL, ("120",)),
    ("中毒", K.MEDICAL, ("120",)),
    ("吃了老鼠药", K.MEDICAL, ("120",)),
    ("我老婆大出血", K.MEDICAL, ("120",)),
    ("老人摔倒了爬不起来 头上流血", K.MEDICAL, ("120",)),
    ("被蛇咬了 腿肿了", K.MEDICAL, ("120",)),
    ("快叫救护车 有人不行了", K.MEDICAL, ("120",)),
    ("婆婆暈倒了", K.MEDICAL, ("120",)),
    ("伢高烧惊厥了", K.MEDICAL, ("120",)),
    ("有个人倒在楼梯口 没反应", K.MEDICAL, ("120",)),
    ("爸爸喝了敌敌畏", K.MEDICAL, ("120",)),
    ("老爹爹昏迷不醒", K.MEDICAL, ("120",)),
    ("有人晕到了", K.MEDICAL, ("120",)),
    # violence
    ("有人拿刀砍人", K.VIOLENCE, ("110",)),
    ("楼下打架 有人被打出血了", K.VIOLENCE, ("110", "120")),
    ("有人持刀闯进来了", K.VIOLENCE, ("110",)),
    ("老公在家暴 我好怕", K.VIOLENCE, ("110",)),
    ("有人在抢劫", K.VIOLENCE, ("110",)),
    ("有人要杀我", K.VIOLENCE, ("110",)),
    ("一群人在斗殴", K.VIOLENCE, ("110",)),
    ("有小偷在撬门", K.VIOLENCE, ("110",)),
    ("有人捅人了 流了好多血", K.VIOLENCE, ("110", "120")),
    ("有人打我 快报警", K.VIOLENCE, ("110",)),
    # water
    ("掉井里", K.WATER, ("119", "120")),
    ("有人掉井里了", K.WATER, ("119", "120")),
    ("小孩落水了", K.WATER, ("119", "120")),
    ("有人溺水", K.WATER, ("119", "120")),
    ("伢掉到河里了", K.WATER, ("119", "120")),
    ("有人掉进水塘了", K.WATER, ("119", "120")),
    ("洪水把人冲走了", K.WATER, ("119", "120")),
    ("被水困在屋顶上", K.WATER, ("119", "120")),
    ("水淹到二楼了 我们困在家里", K.WATER, ("119", "120")),
    ("有人跳江了", K.WATER, ("119", "120")),
    ("老人掉进粪坑了", K.WATER, ("119", "120")),
    # electric
    ("电线冒火花", K.ELECTRIC, ("119",)),
    ("有人触电了", K.ELECTRIC, ("120", "119")),
    ("被电打了 倒在地上", K.ELECTRIC, ("120", "119")),
    ("插座在冒火花还冒烟", K.ELECTRIC, ("119",)),
    ("电线掉下来了 在打火", K.ELECTRIC, ("119",)),
    ("配电箱冒烟了 一股焦味", K.ELECTRIC, ("119",)),
    ("变压器着火了", K.ELECTRIC, ("119",)),
    ("伢触电了", K.ELECTRIC, ("120", "119")),
    ("电表箱烧起来了", K.ELECTRIC, ("119",)),
    ("電線冒火花", K.ELECTRIC, ("119",)),
    # collapse
    ("房子塌了", K.COLLAPSE, ("119", "120")),
    ("墙倒了压到人", K.COLLAPSE, ("119", "120")),
    ("楼塌了有人被埋", K.COLLAPSE, ("119", "120")),
    ("脚手架塌了 下面有工人", K.COLLAPSE, ("119", "120")),
    ("天花板塌下来砸到人了", K.COLLAPSE, ("119", "120")),
    ("危房要塌了 里面还有人", K.COLLAPSE, ("119", "120")),
    ("老屋垮了", K.COLLAPSE, ("119", "120")),
    ("隧道塌方了", K.COLLAPSE, ("119", "120")),
    # other
    ("有人要跳楼", K.OTHER, ("110", "120")),
    ("楼顶有人想跳下去", K.OTHER, ("110", "120")),
    ("有人站在天台边上说要自杀", K.OTHER, ("110", "120")),
    ("电梯困人了", K.OTHER, ("119", "120")),
    ("被困在电梯里了", K.OTHER, ("119", "120")),
    ("孩子走丢了", K.OTHER, ("110",)),
    ("我家伢不见了", K.OTHER, ("110",)),
    ("小孩被锁在车里了", K.OTHER, ("119", "120")),
    ("毒气泄漏 好刺鼻", K.OTHER, ("119",)),
    ("救命啊", K.OTHER, ("110",)),
    ("有人晕过去了，快来，我在幸福路12号", K.MEDICAL, ("120",)),
]

# Look-alikes: the words are there, the emergency is not.
LOOK_ALIKES: list[str] = [
    # negation
    "没有着火",
    "不是煤气泄漏",
    "防止触电",
    "我们没闻到煤气味",
    "不是着火 是在烧秸秆",
    "冇得着火 莫慌",
    "屋里冇得煤气味",
    "沒有著火 是誤報",
    "没有人受伤",
    # past
    "上个月着火的那个事",
    "去年淹水的补偿",
    "上个月着火的赔偿",
    "上次漏气的事情处理好了吗",
    "去年失火的房子能补助吗",
    "以前这里塌过方",
    "那次触电的事后来怎么样了",
    "小时候掉过井里",
    "前年被淹的补贴什么时候发",
    # questions, advice, safety
    "灭火器去哪买",
    "火灾保险怎么买",
    "怎么预防煤气中毒",
    "消防演练几点开始",
    "火灾隐患排查什么时候来",
    "防火宣传海报贴在哪",
    "电动车充电会不会着火",
    "万一着火了怎么逃生",
    "怕电线打火",
    "楼道堆杂物怕起火",
    "落水了怎么急救，想学一下",
    "煤气泄漏应该怎么处理",
    "被狗咬了去哪里打疫苗",
    "触电了怎么急救 请问",
    "120急救电话是多少",
    "救护车收费标准",
    "我想学心肺复苏",
    "跳楼价甩卖的那家店太吵了",
    # look-alikes: stoves, bills, appliances
    "燃气灶打不着火",
    "热水器打不着火",
    "煤气费怎么交",
    "电费",
    "天然气多少钱一方",
    "液化气罐去哪里充",
    "打火机没气了",
    "车子熄火了",
    "燃气灶点不着",
    "點不著火",
    "电費怎麼交",
    "汽车轮胎漏气了",
    "自行车胎漏气",
    "燃气表没电了",
    # figurative
    "急死我了",
    "气炸了",
    "火大",
    "要命的噪音",
    "打火机",
    "火锅店太吵",
    "气死我了",
    "我火大得很",
    "他发火了",
    "吃火锅上火了",
    "急得要命",
    "我被他气晕过去了",
    "累得喘不过气",
    "这家店火爆得很",
    "这个价格要人命",
    # over, reported, drills
    "已经灭火了 没事了",
    "火已经扑灭了",
    "人没事 虚惊一场",
    "新闻说外省有地方塌方了",
    "学校防溺水安全教育",
    # hazards for a grid worker, not 119
    "井盖没了",
    "路灯坏了",
    "树枝快断了",
    "河边没有护栏 怕伢掉下去",
    "电线老化了 怕漏电",
    "墙上有裂缝",
    "楼上吵死了",
]


@pytest.mark.parametrize(("text", "kind", "numbers"), EMERGENCIES)
def test_emergency_is_found_with_its_kind_and_numbers(
    text: str, kind: EmergencyKind, numbers: tuple[str, ...]
) -> None:
    found = detect(text)
    assert found is not None, text
    assert (found.kind, found.numbers) == (kind, numbers), text
    assert found.trigger and found.trigger in normalise(text).replace("著", "着") or found.trigger


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_look_alike_is_not_an_emergency(text: str) -> None:
    assert detect(text) is None, (text, detect(text))
