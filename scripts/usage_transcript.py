"""Real bot output for the usage guides: a scripted day, driven through the conversation core.

    .venv/bin/python scripts/usage_transcript.py worker > docs/usage-worker.md
    .venv/bin/python scripts/usage_transcript.py resident > docs/usage-resident.md

Each day runs on a throw-away SQLite database with the demo county, a FixedClock and the
NLU trained as the tests train it, and prints as Markdown what each person says or taps
and everything the bot sends anyone in return (texts, buttons, edits of earlier messages,
the notice on a tapped button). Nothing in the guide is typed by hand, and
tests/scripts/test_usage_transcript.py fails when a guide no longer matches its day.

To add a day: write `async def some_day(day: Day) -> None` with the `Day` calls below and
put it in `DAYS`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a file: the packages live at the repository root
    sys.path.insert(0, str(ROOT))

from bot.runtime.container import Gridline, build  # noqa: E402
from core.clock import LOCAL_TZ, FixedClock  # noqa: E402
from core.config import Settings  # noqa: E402
from core.kv import MemoryStore  # noqa: E402
from county import invites  # noqa: E402
from county.directory import workers_named  # noqa: E402
from county.seed import seed_demo  # noqa: E402
from handlers.messages import Outcome  # noqa: E402
from messaging.inbound import Inbound  # noqa: E402
from messaging.keyboard import Keyboard  # noqa: E402
from messaging.models import InboundKind  # noqa: E402
from nlu import intent_model, training  # noqa: E402
from nlu.parse import EmbeddedParser  # noqa: E402
from nlu.training_data import TEST_DIR, TRAIN_DIR, load_dir  # noqa: E402

CHANNEL = "transcript"
# The model is trained at this moment, like the tests' (the moment names its version).
TRAINED_AT = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)


@dataclass
class Person:
    name: str
    user_id: str
    role: str  # how the transcript introduces them: 网格员, 居民, …


@dataclass
class Shown:
    """A message the bot sent, as its recipient currently sees it."""

    number: int
    person: Person
    message_id: str
    text: str
    buttons: Keyboard

    def button(self, label: str) -> str:
        for row in self.buttons:
            for button in row:
                if button.label == label or label in button.label:
                    return button.data
        raise AssertionError(f"#{self.number} has no button {label!r}: {self.buttons}")


@dataclass
class Day:
    """A scripted day: who says what when, and everything the bot answers, as Markdown."""

    gridline: Gridline
    clock: FixedClock
    lines: list[str] = field(default_factory=list)
    shown: list[Shown] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=dict)
    _step: list[str] = field(default_factory=list)
    _quiet: bool = False

    # ---- the channel the transcript is delivered on -----------------------------------

    name = CHANNEL

    async def send(
        self, chat_id: str, text: str, buttons: Keyboard, photo: dict[str, Any] | None
    ) -> str:
        message = Shown(len(self.shown) + 1, self.people[chat_id], f"t{len(self.shown) + 1}",
                        text, buttons)  # fmt: skip
        self.shown.append(message)
        self._show(f"→ {message.person.name}  #{message.number}", text, buttons)
        return message.message_id

    async def edit(self, chat_id: str, message_id: str, text: str, buttons: Keyboard) -> None:
        for message in self.shown:
            if message.message_id == message_id and message.person.user_id == chat_id:
                message.text, message.buttons = text, buttons
                self._show(f"✎ {message.person.name} 的 #{message.number} 更新为", text, buttons)

    def _show(self, heading: str, text: str, buttons: Keyboard) -> None:
        if self._quiet:
            return
        self._step.append(heading)
        self._step += [f"  {line}" for line in text.splitlines()]
        for row in buttons:
            self._step.append("  " + " ".join(f"[{b.label}]" for b in row))

    # ---- what the script does ---------------------------------------------------------

    def prose(self, text: str) -> None:
        self.lines += ["", text]

    def heading(self, text: str) -> None:
        self.lines += ["", f"## {text}"]

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)

    async def say(self, person: Person, text: str, *, reply_to: Shown | None = None) -> list[Shown]:
        kind = InboundKind.COMMAND if text.startswith("/") else InboundKind.TEXT
        said = f"{person.name}：{text}"
        if reply_to is not None:
            said = f"{person.name}（回复 #{reply_to.number}）：{text}"
        return await self._turn(said, Inbound(
            channel=CHANNEL, user_id=person.user_id, chat_id=person.user_id, kind=kind,
            text=text, display_name=person.name,
            reply_to_message_id=reply_to.message_id if reply_to else None,
        ))  # fmt: skip

    async def press(self, person: Person, message: Shown, label: str) -> list[Shown]:
        said = f"{person.name} 点 #{message.number} 的「{label}」"
        return await self._turn(said, Inbound(
            channel=CHANNEL, user_id=person.user_id, chat_id=person.user_id,
            kind=InboundKind.BUTTON, button_data=message.button(label),
            display_name=person.name, message_id=message.message_id,
        ), pressed=message)  # fmt: skip

    async def sweep(self) -> list[Shown]:
        """One run of the sweeper (every minute under `gridline serve`)."""
        before = len(self.shown)
        self._begin()
        await self.gridline.sweeper.sweep()
        await self.gridline.dispatcher.deliver_pending(self)
        self._end(f"（{self._clock()} 后台巡检）")
        return self.shown[before:]

    def last(self, person: Person, contains: str) -> Shown:
        for message in reversed(self.shown):
            if message.person is person and contains in message.text:
                return message
        raise AssertionError(f"{person.name} has no message containing {contains!r}")

    async def _turn(self, said: str, inbound: Inbound, pressed: Shown | None = None) -> list[Shown]:
        before = len(self.shown)
        self._begin()
        outcome = await self.gridline.conversation.handle(inbound)
        self._apply(outcome, pressed)
        await self.gridline.dispatcher.deliver_pending(self)
        self._end(f"{self._clock()} {said}")
        return self.shown[before:]

    def _apply(self, outcome: Outcome, pressed: Shown | None) -> None:
        if outcome.answer:
            self._step.append(f"（按钮提示：{outcome.answer}）")
        if outcome.edit is not None and pressed is not None:
            pressed.text, pressed.buttons = outcome.edit.text, outcome.edit.buttons
            self._show(f"✎ {pressed.person.name} 的 #{pressed.number} 更新为",
                       outcome.edit.text, outcome.edit.buttons)  # fmt: skip
        if outcome.error:
            self._step.append(f"（出错：{outcome.error}）")

    def _begin(self) -> None:
        self._step = []

    def _end(self, title: str) -> None:
        if self._quiet:
            return
        self.lines += ["", f"**{title}**", "", "```text", *self._step, "```"]

    def _clock(self) -> str:
        return f"{self.clock.now().astimezone(LOCAL_TZ):%H:%M}"

    # ---- setting the scene (not printed) -----------------------------------------------

    async def worker(self, name: str, user_id: str) -> Person:
        """A demo worker, registered with an invite, on this transcript's channel."""
        person = self._person(name, user_id, "网格员")
        async with self.gridline.sessions() as session:
            (worker,) = await workers_named(session, name)
            invite = await invites.create_invite(session, worker, self.clock.now(), 14)
            await session.commit()
        await self.quietly(self.say(person, f"/start {invite.code}"))
        return person

    async def resident(self, name: str, user_id: str, community: str, grid: str) -> Person:
        """A resident bound to a grid of the demo county."""
        person = self._person(name, user_id, "居民")

        async def bind() -> None:
            prompt = (await self.say(person, "/start"))[-1]
            await self.press(person, prompt, community)
            await self.press(person, prompt, grid)

        await self.quietly(bind())
        return person

    async def quietly(self, step: Awaitable[Any]) -> Any:
        self._quiet = True
        try:
            return await step
        finally:
            self._quiet = False

    def _person(self, name: str, user_id: str, role: str) -> Person:
        person = Person(name, user_id, role)
        self.people[user_id] = person
        return person


# ---- the days ------------------------------------------------------------------------------


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LOCAL_TZ)


async def worker_day(day: Day) -> None:
    """Friday 27 November 2026 for 王芳, grid worker of 幸福社区第一网格 (shift 08:30–17:30)."""
    day.at(local(26, 18))
    wang = await day.worker("王芳", "wangfang")
    li = await day.worker("李强", "liqiang")
    await day.worker("周婷", "zhouting")
    zhang = await day.resident("张阿姨", "zhang", "幸福社区", "第一网格")
    liu = await day.resident("刘大爷", "liu", "幸福社区", "第一网格")
    chen = await day.resident("陈女士", "chen", "幸福社区", "第一网格")
    zhao = await day.resident("Zhao Lei", "zhao", "幸福社区", "第一网格")
    sun = await day.resident("孙阿姨", "sun", "幸福社区", "第一网格")

    day.lines += [
        "# A grid worker's day (网格员的一天)",
        "",
        "王芳 is the grid worker of 城关镇幸福社区第一网格 (shift Monday–Friday 08:30–17:30);",
        "李强 of 第二网格 is her backup, and 周婷 is the community's evening duty officer. This",
        "is her Friday, 27 November 2026, on the phone. Every code block below is what the bot",
        "really sends, produced by `scripts/usage_transcript.py worker` (the day is its",
        "`worker_day`; run it to regenerate this page, and",
        "`tests/scripts/test_usage_transcript.py` fails when the page is out of date).",
        "`#12` numbers each message the bot sends;",
        "`[接单]` is a button under it; `✎` is the bot editing a message it sent earlier, in",
        "place; `（按钮提示：…）` is the notice a tapped button shows.",
    ]

    day.heading("Thursday 23:10 and Friday 06:50: the queue fills while nobody is on duty")
    day.at(local(26, 23, 10))
    await day.say(zhang, "楼道里有人给电瓶车充电，很危险，我电话13812345678")
    day.at(local(27, 6, 50))
    await day.say(liu, "3栋门口的路灯坏了一个星期了，晚上看不见路")

    day.heading("07:40 — before her shift: the grid's queue, and 接单 off duty")
    day.prose(
        "She is off duty, but the queue is hers to see anyway; she takes the hazard herself. "
        "Yesterday's ticket shows as 1126-0001 (the counter starts again every day). The card "
        "masks the resident's number and calls her 张女士."
    )
    day.at(local(27, 7, 40))
    queue = (await day.say(wang, "/queue"))[-1]
    await day.press(wang, queue, "接单 1126-0001")

    day.heading("08:30 — her shift starts: one handover message per resident")
    day.at(local(27, 8, 30))
    await day.sweep()

    day.heading("08:35 — 回复, then the words for the resident")
    day.at(local(27, 8, 35))
    card = day.last(wang, "【新工单】GL-20261126-0001")
    await day.press(wang, card, "回复")
    await day.say(wang, "张女士您好，我九点到3栋楼道看看，请您先别让人再充电了。")

    day.heading("08:40 — a message with no ticket named is kept, not guessed")
    day.at(local(27, 8, 40))
    asked = (await day.say(wang, "路灯的事我已经报给物业了，今天会来修"))[-1]
    await day.press(wang, asked, "刘先生")

    day.heading("09:10 — the same streetlight again: 并单")
    day.at(local(27, 9, 10))
    await day.say(chen, "3栋门口路灯不亮，晚上黑乎乎的")
    duplicate = day.last(wang, "【新工单】GL-20261127-0002")
    picker = (await day.press(wang, duplicate, "并单"))[-1]
    await day.press(wang, picker, "刘先生")

    day.heading("09:30 — an internal note, and 接单 typed as plain text")
    day.at(local(27, 9, 30))
    await day.say(wang, "/note 1126-0001 业主已把电瓶车推走，明天再去复查一次")
    await day.say(zhao, "楼上邻居天天半夜吵架摔东西，吵得我们没法睡觉")
    await day.say(wang, "接单 0003")

    day.heading("10:00 — 转派 to the grid the address belongs to")
    day.at(local(27, 10))
    await day.say(sun, "我女儿家在幸福社区第二网格8栋，楼下有人私拉电线给三轮车充电，能不能管管")
    card = day.last(wang, "【新工单】GL-20261127-0004")
    picker = (await day.press(wang, card, "转派"))[-1]
    await day.press(wang, picker, "第二网格")  # the picker turns into the reasons
    await day.press(wang, picker, "地址不在本网格")
    day.prose("李强 takes it on his card; 王芳's copy changes at once, so she cannot tap it again.")
    day.at(local(27, 10, 5))
    await day.press(li, day.last(li, "【新工单】GL-20261127-0004"), "接单")

    day.heading("10:30 — 升级 when nobody above is on duty yet")
    day.at(local(27, 10, 30))
    card = day.last(wang, "【新工单】GL-20261127-0003")
    await day.press(wang, card, "升级")
    await day.say(wang, "两户多次吵架，需要社区出面调解")

    day.heading("11:00 — her list, and one ticket's whole story")
    day.at(local(27, 11))
    await day.say(wang, "/mytickets")
    which = (await day.say(wang, "/ticket 0001"))[-1]
    await day.press(wang, which, "张女士")

    day.heading("14:00 — 办结 with a result; the resident rates it (回访)")
    day.at(local(27, 14))
    card = day.last(wang, "【新工单】GL-20261126-0001")
    await day.press(wang, card, "办结")
    await day.say(wang, "电瓶车已移走，楼道已清理，贴了禁止充电的提示")
    done = day.last(zhang, "已办结")
    await day.press(zhang, done, "满意")

    day.heading("15:00 — /resolve in one line: both reporters of the streetlight hear")
    day.at(local(27, 15))
    await day.say(wang, "/resolve 0001 物业已更换3栋门口路灯")

    day.heading("17:40 — after her shift, 升级 finds the evening officer")
    day.at(local(27, 17, 40))
    day.prose("周婷's evening shift (17:30–21:00) has begun; 王芳 escalates again, in one line.")
    await day.say(wang, "/escalate 0003 两户多次吵架，需要社区出面调解")

    day.heading("22:00 — /onduty to cover the night, /status, /offduty")
    day.at(local(27, 22))
    await day.say(wang, "/onduty")
    await day.say(wang, "/status")
    await day.say(wang, "/offduty")


async def resident_day(day: Day) -> None:
    """Saturday 28 November 2026 for 张阿姨 of 幸福小区3栋, and the Monday after."""
    day.at(local(27, 18))
    wang = await day.worker("王芳", "wangfang")
    await day.worker("李强", "liqiang")
    await day.worker("周婷", "zhouting")
    zhang = day._person("张阿姨", "zhang", "居民")

    day.lines += [
        "# A resident's days (居民的一天)",
        "",
        "张阿姨 lives in 幸福小区3栋, in 城关镇幸福社区第一网格 (grid worker 王芳, Monday–Friday",
        "08:30–17:30; 周婷 is the community's weekday evening duty officer). This is her first",
        "Saturday with the bot, and the Monday after. Every code block below is what the bot",
        "really sends, produced by `scripts/usage_transcript.py resident`;",
        "`tests/scripts/test_usage_transcript.py` fails when the page is out of date.",
        "`#12` numbers each message the bot sends; `[按钮]` is a button under it; `✎` is the bot",
        "editing a message it sent earlier; `（按钮提示：…）` is the notice a tapped button shows.",
    ]

    day.heading("Saturday 09:00 — the first message: a place she names finds her grid")
    day.prose("She has never used the bot; her request waits while she picks her grid.")
    day.at(local(28, 9))
    ask = (await day.say(zhang, "幸福小区3栋楼道的灯坏了好几天了，晚上上下楼看不见"))[-1]
    await day.press(zhang, ask, "幸福小区1–6栋")
    offer = day.last(zhang, "下班时间")
    await day.press(zhang, offer, "不用了")

    day.heading("09:05 — a detail joins the same ticket, and a thumbs-up is just that")
    day.at(local(28, 9, 5))
    await day.say(zhang, "补充一下，是2单元那边的楼道")
    await day.say(zhang, "👍")

    day.heading("09:20 — something else: is it new? she decides")
    day.at(local(28, 9, 20))
    question = (await day.say(zhang, "还有楼下的垃圾桶满了好几天没人清"))[-1]
    await day.press(zhang, question, "这是新问题")

    day.heading("20:10 — an emergency comes first, whatever else is open")
    day.prose(
        "It is Saturday night: nobody is on duty. The number to call comes first; then the "
        "grid's workers and the community officer are alerted anyway, and she is told exactly "
        "who."
    )
    day.at(local(28, 20, 10))
    await day.say(zhang, "隔壁5栋着火了，楼道里好大的烟，有个老人还在里面")

    day.heading("20:30 — /status: open tickets first, and one ticket's history")
    day.at(local(28, 20, 30))
    status = (await day.say(zhang, "/status"))[-1]
    await day.press(zhang, status, "GL-20261128-0001")

    day.heading("Monday — resolved in the morning; at 18:00, not satisfied: 督办 one level up")
    day.at(local(30, 10))
    await day.quietly(day.say(wang, "/resolve 1128-0001 已联系物业更换了楼道灯"))
    done = day.last(zhang, "已办结")
    day.prose("王芳 resolves it from her phone; 张阿姨 is not satisfied with the result.")
    day.at(local(30, 18))
    await day.press(zhang, done, "不满意")
    await day.say(zhang, "只换了一楼的灯，二楼三楼还是黑的")

    day.heading("18:30 — /cancel: withdrawing the bin request, with a confirmation")
    day.at(local(30, 18, 30))
    pick = (await day.say(zhang, "/cancel"))[-1]
    await day.press(zhang, pick, "GL-20261128-0002")
    await day.press(zhang, pick, "确认撤销")


DAYS: dict[str, Callable[[Day], Awaitable[None]]] = {
    "worker": worker_day,
    "resident": resident_day,
}


# ---- running a day ----------------------------------------------------------------------------


def train_model(models: Path) -> intent_model.IntentModel:
    model, _ = training.train(
        load_dir(TRAIN_DIR), models, TRAINED_AT, load_dir(TEST_DIR), tune_thresholds=False
    )
    return model


async def render(name: str, model: intent_model.IntentModel | None = None) -> str:
    """The Markdown transcript of the day called `name`."""
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite+aiosqlite:///{work / 'transcript.db'}",
            data_dir=work / "data",
            telegram_bot_token=None,
        )
        clock = FixedClock(TRAINED_AT)
        model = model or train_model(work / "models")
        gridline = await build(
            settings, clock=clock, parser=EmbeddedParser(model), kv=MemoryStore()
        )
        try:
            async with gridline.sessions() as session:
                await seed_demo(session, clock.now() - timedelta(days=30))
                await session.commit()
            day = Day(gridline, clock)
            try:
                await DAYS[name](day)
            except AssertionError:
                # A day that no longer goes as scripted: show how far it got.
                sys.stderr.write("\n".join(day.lines + day._step) + "\n")
                raise
        finally:
            await gridline.close()
    return "\n".join(day.lines).lstrip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("day", choices=sorted(DAYS))
    args = parser.parse_args()
    sys.stdout.write(asyncio.run(render(args.day)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
