"""The button codec: every format round-trips, stays what residents' old cards carry, and
rejects anything malformed before a handler sees it."""

from __future__ import annotations

import pytest

from handlers import buttons, resident, worker
from handlers.buttons import Action, decode

EVERY_ACTION = [v for v in vars(buttons).values() if isinstance(v, Action)]


def test_prefixes_are_unique_and_data_fits_telegram() -> None:
    prefixes = [a.prefix for a in EVERY_ACTION]
    assert len(prefixes) == len(set(prefixes))
    # Telegram refuses callback data over 64 bytes: the longest plausible values still fit.
    for action in EVERY_ACTION:
        values = [
            f.choices[0] if isinstance(f, buttons.OneOf) else 9_999_999_999 for f in action.fields
        ]
        assert len(action.data(*values).encode()) <= 64, action.prefix


@pytest.mark.parametrize(
    ("data", "action", "values"),
    [
        # The exact strings cards already out in chats carry.
        ("bind:p:0", buttons.BIND_PAGE, (0,)),
        ("bind:c:12", buttons.BIND_COMMUNITY, (12,)),
        ("bind:g:7", buttons.BIND_GRID, (7,)),
        ("cat:345:hazard", buttons.CATEGORY, (345, "hazard")),
        ("cat:345:none", buttons.CATEGORY, (345, "none")),
        ("cancel:9", buttons.CANCEL_TICKET, (9,)),
        ("rate:9:3", buttons.RATE, (9, 3)),
        ("ap:tk:5:2:1798000000", buttons.BOOK_SLOT, (5, 2, 1798000000)),
        ("ap:none:5", buttons.NO_SLOT, (5,)),
        ("ap:re:8", buttons.RESCHEDULE, (8,)),
        ("ap:mv:8:3:1798003600", buttons.MOVE_SLOT, (8, 3, 1798003600)),
        ("ap:cancel:8", buttons.CANCEL_APPOINTMENT, (8,)),
        ("ap:ics:8", buttons.CALENDAR_FILE, (8,)),
        ("tk:claim:41", buttons.CLAIM, (41,)),
        ("tk:done:41", buttons.RESOLVE, (41,)),
        ("wk:reply:41", buttons.REPLY, (41,)),
        ("wk:tr:41", buttons.TRANSFER, (41,)),
        ("wk:trg:41:3", buttons.TRANSFER_GRID, (41, 3)),
        ("wk:trw:41:6", buttons.TRANSFER_WORKER, (41, 6)),
        ("wk:trr:41:g:3:0", buttons.TRANSFER_REASON, (41, "g", 3, 0)),
        ("wk:trr:41:w:6:2", buttons.TRANSFER_REASON, (41, "w", 6, 2)),
        ("wk:up:41", buttons.ESCALATE, (41,)),
        ("wk:upr:41:1", buttons.ESCALATE_REASON, (41, 1)),
        ("wk:mg:41", buttons.MERGE, (41,)),
        ("wk:mgi:41:40", buttons.MERGE_INTO, (41, 40)),
        ("wk:done:41:0", buttons.RESOLVE_RESULT, (41, 0)),
        ("wk:send:900:41", buttons.SEND_KEPT, (900, 41)),
        ("wk:drop:900", buttons.DROP_KEPT, (900,)),
        ("wk:pick:900:41", buttons.PICK_TICKET, (900, 41)),
        ("wk:my:2", buttons.MY_PAGE, (2,)),
        ("wk:open:41", buttons.OPEN_TICKET, (41,)),
    ],
)
def test_formats_round_trip(data: str, action: Action, values: tuple[object, ...]) -> None:
    assert action.data(*values) == data
    assert decode(data, EVERY_ACTION) == (action, values)


@pytest.mark.parametrize(
    "data",
    [
        "",
        "tk:claim",  # a field missing
        "tk:claim:41:9",  # one too many
        "tk:claim:abc",
        "tk:claim:-1",
        "tk:claim:４１",  # full-width digits are digits to str.isdigit, not to us
        "tk:claim:²",
        "rate:9:4",  # out of range
        "rate:9:0",
        "cat:345:weather",  # not an intent
        "ap:tk:5:2",
        "tk:open:41",  # no such action
        "cancel",
        "wk:trr:41:x:3:0",  # neither a grid nor a worker
        "wk:done:41:10",  # no such quick result
        "wk:tr:41:3",  # the picker takes the ticket only
    ],
)
def test_malformed_data_is_rejected(data: str) -> None:
    assert decode(data, EVERY_ACTION) is None


def test_every_button_the_bot_sends_has_a_handler() -> None:
    handled = set(resident.TABLE.buttons) | set(worker.TABLE.buttons)
    assert set(EVERY_ACTION) <= handled


def test_a_role_only_decodes_its_own_buttons() -> None:
    assert decode("tk:claim:41", [buttons.RATE, buttons.CATEGORY]) is None


def test_encoding_refuses_the_wrong_number_of_fields() -> None:
    with pytest.raises(ValueError):
        buttons.BOOK_SLOT.data(1, 2)
