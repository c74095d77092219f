"""A fake Telegram Bot API server for end-to-end tests of the Gridline bot.

The fake speaks the real HTTP wire protocol, so the bot under test runs unmodified
python-telegram-bot (PTB) code: ``Application`` polling, ``Bot`` methods, request
encoding and response parsing are all exercised for real.  Only Telegram itself is
replaced.

Usage::

    async with FakeTelegramServer() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.base_url)
            .base_file_url(tg.base_file_url)
            .build()
        )
        ...  # start polling
        tg.push_text(42, "/start")
        reply = await tg.wait_for_message(42, contains="欢迎")

Wire format (learnt from ``telegram/request``): PTB always POSTs.  Without files the
body is ``application/x-www-form-urlencoded``; with a file it is ``multipart/form-data``.
Every value is a string: strings as-is, everything else ``json.dumps``-ed, so numbers
arrive as ``"42"``, booleans as ``"true"`` and markup/lists as JSON text.  The fake
therefore decodes parameters by *name* (see ``_JSON_PARAMS`` etc.), which keeps a text
such as ``"123"`` a string.  JSON bodies and GET query strings are accepted as well.

Fidelity notes:

* ``parse_mode="HTML"`` is parsed like Telegram does: only Telegram's tags are allowed,
  tags must nest properly and an unescaped ``<`` is an error ("can't parse entities").
  The recorded/returned ``text`` is the *visible* text (tags removed, HTML entities
  decoded, surrounding whitespace stripped) plus real ``entities`` with UTF-16 offsets.
* ``Markdown``/``MarkdownV2`` are NOT emulated: the text is stored verbatim and never
  rejected.  Don't rely on the fake to catch MarkdownV2 escaping bugs.
* Length limits (4096 for text, 1024 for captions) are counted in UTF-16 code units
  after entity parsing, like Telegram.
* ``editMessageText`` without ``reply_markup`` removes the inline keyboard, as on
  Telegram.
* Unknown methods answer 404, which PTB turns into ``InvalidToken("Not Found")`` (or
  ``EndPointNotFound`` for ``do_api_request``).  Every rejected call is kept in
  ``rejected_requests`` and printed by the ``wait_for_*`` timeouts, so a bot that
  silently failed is easy to diagnose.
"""

import asyncio
import contextlib
import copy
import html
import json
import logging
import mimetypes
import re
import socket
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, NoReturn, Self, TypeVar
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "FakeTelegramServer",
    "RejectedRequest",
    "SentDocument",
    "SentMessage",
    "UploadedFile",
]

_LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")

DEFAULT_TOKEN: Final = "123456:TEST-TOKEN"

BOT_USER: Final[dict[str, Any]] = {
    "id": 999000,
    "is_bot": True,
    "first_name": "网格直通车",
    "username": "gridline_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
DEFAULT_USER_FIRST_NAME: Final = "居民"

_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID: Final = (
    "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
_POLL_CONFLICT: Final = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot "
    "instance is running"
)

# PTB json-dumps every non-string parameter, so these arrive as JSON text in form bodies.
_JSON_PARAMS: Final = frozenset(
    {
        "reply_markup",
        "reply_parameters",
        "entities",
        "caption_entities",
        "commands",
        "allowed_updates",
        "link_preview_options",
        "scope",
        "media",
        "results",
    }
)
# Numbers arrive as decimal strings.  chat_id may legitimately be "@channel", so a failed
# int() conversion keeps the string and lets the handler reject it like Telegram would.
_INT_PARAMS: Final = frozenset(
    {
        "chat_id",
        "message_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "message_thread_id",
        "cache_time",
        "user_id",
        "from_chat_id",
    }
)
_FLOAT_PARAMS: Final = frozenset({"timeout", "latitude", "longitude"})
_BOOL_PARAMS: Final = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    }
)

# Without an explicit allowed_updates list Telegram delivers everything except these.
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
# Inline buttons must carry exactly one action; a bare text button is rejected.
_INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_BOT_COMMAND_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_BOT_COMMAND_IN_TEXT_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![^\s])")


class _ApiError(Exception):
    """A Telegram-style error answer (``ok: false``) raised from inside a method handler."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


def _utf16_len(text: str) -> int:
    # Telegram measures lengths and entity offsets in UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2


def _now() -> int:
    return int(time.time())


# --------------------------------------------------------------------------------------
# Public record types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class SentMessage:
    """Snapshot of a message the bot sent, as currently recorded by the fake.

    ``text`` is the visible text after the latest edit (the caption for documents).
    ``edits`` holds the text as it was before each edit, oldest first; an edit that only
    changed the keyboard repeats the unchanged text, so ``len(edits)`` is the edit count.
    ``buttons`` are the inline keyboard rows as ``(label, callback_data)``; buttons without
    callback data (URL buttons, ...) have ``""`` as data.  ``reply_keyboard`` holds the
    labels of a ``ReplyKeyboardMarkup`` sent with the message (never part of ``raw``,
    because Telegram does not echo reply keyboards back in the Message).
    """

    message_id: int
    chat_id: int
    text: str
    buttons: list[list[tuple[str, str]]]
    reply_to_message_id: int | None
    edits: list[str]
    raw: dict[str, Any]
    reply_keyboard: list[list[str]] = field(default_factory=list)
    deleted: bool = False

    def button_data(self, label_substring: str) -> str:
        """callback_data of the inline button whose label contains ``label_substring``.

        An exact label match wins; otherwise the substring must identify exactly one
        button, so a test never silently presses the wrong one.
        """
        candidates = [
            (label, data)
            for row in self.buttons
            for label, data in row
            if label_substring in label and data
        ]
        exact = [data for label, data in candidates if label == label_substring]
        if len(exact) == 1:
            return exact[0]
        if len(candidates) == 1:
            return candidates[0][1]
        labels = [label for row in self.buttons for label, _ in row]
        if not candidates:
            raise AssertionError(
                f"message {self.message_id} has no callback button whose label contains "
                f"{label_substring!r}; its buttons are {labels!r}"
            )
        raise AssertionError(
            f"label substring {label_substring!r} is ambiguous in message "
            f"{self.message_id}: it matches {[label for label, _ in candidates]!r}"
        )


@dataclass(frozen=True)
class SentDocument:
    """A document the bot uploaded with sendDocument."""

    message_id: int
    chat_id: int
    filename: str
    content: bytes
    caption: str | None
    mime_type: str


@dataclass(frozen=True)
class RejectedRequest:
    """An API call the fake answered with an error (kept for failure diagnostics)."""

    method: str
    params: dict[str, Any]
    error_code: int
    description: str


# --------------------------------------------------------------------------------------
# Internal state
# --------------------------------------------------------------------------------------


@dataclass
class _Record:
    """A message as Telegram stores it: the current Message dict plus its history."""

    message: dict[str, Any]
    from_bot: bool
    edits: list[str] = field(default_factory=list)
    reply_keyboard: list[list[str]] = field(default_factory=list)
    deleted: bool = False

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.message["chat"]["id"])

    @property
    def text(self) -> str:
        return str(self.message.get("text", self.message.get("caption", "")))

    def snapshot(self) -> SentMessage:
        markup = self.message.get("reply_markup") or {}
        buttons = [
            [(str(b.get("text", "")), str(b.get("callback_data", ""))) for b in row]
            for row in markup.get("inline_keyboard", [])
        ]
        reply_to = self.message.get("reply_to_message")
        return SentMessage(
            message_id=self.message_id,
            chat_id=self.chat_id,
            text=self.text,
            buttons=buttons,
            reply_to_message_id=int(reply_to["message_id"]) if reply_to else None,
            edits=list(self.edits),
            raw=copy.deepcopy(self.message),
            reply_keyboard=[list(row) for row in self.reply_keyboard],
            deleted=self.deleted,
        )


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    mime_type: str


@dataclass
class _Call:
    """Everything a method handler may need about one API request."""

    params: dict[str, Any]
    files: dict[str, UploadedFile]
    request: Request


@dataclass
class _OpenTag:
    name: str
    start: int  # UTF-16 offset in the visible text
    attrs: dict[str, str]
    raw_attrs: str


# --------------------------------------------------------------------------------------
# Request decoding
# --------------------------------------------------------------------------------------


def _decode_param(name: str, value: Any) -> Any:
    """Turn PTB's all-strings form values back into the types Telegram would see."""
    if not isinstance(value, str):
        return value  # already typed (JSON body)
    if name in _JSON_PARAMS:
        try:
            return json.loads(value)
        except ValueError:
            raise _bad_request(f"can't parse {name} JSON object") from None
    if name in _INT_PARAMS:
        with contextlib.suppress(ValueError):
            return int(value)
        return value
    if name in _FLOAT_PARAMS:
        with contextlib.suppress(ValueError):
            return float(value)
        return value
    if name in _BOOL_PARAMS:
        return value.strip().lower() in {"true", "1"}
    return value


_DISPOSITION_PARAM_RE: Final = re.compile(r'(\w+)="([^"]*)"')


def _unescape_form_param(value: str) -> str:
    # httpx percent-encodes '"' and control characters and doubles backslashes.
    value = re.sub(r"%(22|[01][0-9A-Fa-f])", lambda m: chr(int(m.group(1), 16)), value)
    return value.replace("\\\\", "\\")


def _parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Minimal multipart/form-data parser.

    Starlette's ``request.form()`` needs the optional ``python-multipart`` package, which
    is not installed here; httpx's output is regular enough to split by hand.
    """
    match = re.search(r'boundary="?([^";]+)"?', content_type, re.IGNORECASE)
    if match is None:
        raise _bad_request("multipart body without boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        head, separator, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            continue
        content = content.removesuffix(b"\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = {
            key.lower(): _unescape_form_param(value)
            for key, value in _DISPOSITION_PARAM_RE.findall(headers.get("content-disposition", ""))
        }
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition:
            files[name] = UploadedFile(
                filename=disposition["filename"],
                content=content,
                content_type=headers.get("content-type", "application/octet-stream"),
            )
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


async def _read_params(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    raw: dict[str, Any] = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    if body:
        lowered = content_type.lower()
        if lowered.startswith("application/json"):
            try:
                payload = json.loads(body)
            except ValueError:
                raise _bad_request("can't parse JSON request body") from None
            if not isinstance(payload, dict):
                raise _bad_request("JSON request body must be an object")
            raw.update(payload)
        elif lowered.startswith("multipart/form-data"):
            fields, files = _parse_multipart(body, content_type)
            raw.update(fields)
        else:
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return {name: _decode_param(name, value) for name, value in raw.items()}, files


async def _wait_for_disconnect(request: Request) -> None:
    """Return once the HTTP client has gone away.

    After the body has been read, the ASGI ``receive`` channel only yields
    ``http.disconnect``.  PTB cancels its pending getUpdates when polling stops, which
    closes the connection; noticing that lets a long poll end without pretending its
    updates were delivered.
    """
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


# --------------------------------------------------------------------------------------
# Text formatting (parse_mode)
# --------------------------------------------------------------------------------------

_HTML_ENTITY_TYPES: Final[dict[str, str]] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_SPECIAL_RE: Final = re.compile(r"[<&]")
_HTML_TAG_NAME_RE: Final = re.compile(r"\s*([A-Za-z][A-Za-z0-9-]*)")
_HTML_ATTR_RE: Final = re.compile(
    r"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))"""
)
# Telegram decodes numeric references and only these four named ones.
_HTML_CHAR_REF_RE: Final = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")


def _html_entity(tag: _OpenTag, end: int, stack: list[_OpenTag]) -> dict[str, Any] | None:
    if tag.name == "code" and stack and stack[-1].name == "pre":
        # <pre><code class="language-x"> is how Telegram spells a pre block's language.
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].attrs["language"] = language.removeprefix("language-")
            return None
    if end == tag.start:
        return None
    entity: dict[str, Any] = {
        "type": _HTML_ENTITY_TYPES[tag.name],
        "offset": tag.start,
        "length": end - tag.start,
    }
    if tag.name == "a":
        if not tag.attrs.get("href"):
            return None
        entity["url"] = tag.attrs["href"]
    elif tag.name == "pre" and "language" in tag.attrs:
        entity["language"] = tag.attrs["language"]
    elif tag.name == "blockquote" and re.search(r"\bexpandable\b", tag.raw_attrs):
        entity["type"] = "expandable_blockquote"
    elif tag.name == "tg-emoji":
        entity["custom_emoji_id"] = tag.attrs.get("emoji-id", "")
    return entity


def _parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram-flavoured HTML into visible text and entities (UTF-16 offsets)."""

    def fail(detail: str, position: int) -> NoReturn:
        byte_offset = len(source[:position].encode("utf-8"))
        raise _bad_request(f"can't parse entities: {detail} at byte offset {byte_offset}")

    parts: list[str] = []
    length = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    position = 0
    while position < len(source):
        special = _HTML_SPECIAL_RE.search(source, position)
        stop = special.start() if special else len(source)
        if stop > position:
            chunk = source[position:stop]
            parts.append(chunk)
            length += _utf16_len(chunk)
            position = stop
            continue
        if source[position] == "&":
            ref = _HTML_CHAR_REF_RE.match(source, position)
            decoded = html.unescape(ref.group(0)) if ref else "&"
            parts.append(decoded)
            length += _utf16_len(decoded)
            position = ref.end() if ref else position + 1
            continue
        # A '<' always starts a tag for Telegram; literal '<' must be written as &lt;.
        end = source.find(">", position + 1)
        if end == -1:
            fail("Unclosed start tag", position)
        inner = source[position + 1 : end]
        closing = inner.startswith("/")
        name_match = _HTML_TAG_NAME_RE.match(inner[1:] if closing else inner)
        name = name_match.group(1).lower() if name_match else ""
        if closing:
            if not stack:
                fail(f'Unexpected end tag "{name}"', position)
            tag = stack.pop()
            if tag.name != name:
                fail(f'Unmatched end tag, expected "</{tag.name}>", found "</{name}>"', position)
            entity = _html_entity(tag, length, stack)
            if entity is not None:
                entities.append(entity)
        else:
            if name not in _HTML_ENTITY_TYPES:
                fail(f'Unsupported start tag "{name}"', position)
            raw_attrs = inner[name_match.end() :] if name_match else ""
            attrs = {
                m.group(1).lower(): html.unescape(
                    next(g for g in (m.group(2), m.group(3), m.group(4), "") if g is not None)
                )
                for m in _HTML_ATTR_RE.finditer(raw_attrs)
            }
            if name == "span" and attrs.get("class") != "tg-spoiler":
                fail('Tag "span" must have class "tg-spoiler"', position)
            stack.append(_OpenTag(name=name, start=length, attrs=attrs, raw_attrs=raw_attrs))
        position = end + 1
    if stack:
        raise _bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1].name}"'
        )
    return "".join(parts), entities


def _strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram and shift entities accordingly."""
    stripped = text.strip()
    shift = _utf16_len(text[: len(text) - len(text.lstrip())])
    limit = _utf16_len(stripped)
    result: list[dict[str, Any]] = []
    for entity in entities:
        start = max(int(entity["offset"]) - shift, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - shift, limit)
        if end > start:
            result.append({**entity, "offset": start, "length": end - start})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return stripped, result


def _render_text(text: str, parse_mode: Any, entities: Any) -> tuple[str, list[dict[str, Any]]]:
    if parse_mode:
        mode = str(parse_mode).lower()
        if mode == "html":
            plain, parsed = _parse_html(text)
        elif mode in {"markdown", "markdownv2"}:
            plain, parsed = text, []  # not emulated, see module docstring
        else:
            raise _bad_request("unsupported parse_mode")
    else:
        plain = text
        parsed = [e for e in entities if isinstance(e, dict)] if isinstance(entities, list) else []
    return _strip_text(plain, parsed)


def _normalize_markup(markup: Any) -> tuple[dict[str, Any] | None, list[list[str]]]:
    """Validate reply_markup; return (inline markup for the Message, reply keyboard labels)."""
    if markup is None:
        return None, []
    if not isinstance(markup, dict):
        raise _bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise _bad_request("can't parse inline keyboard button: Text must be a string")
                if "callback_data" in button:
                    data = button["callback_data"]
                    size = len(data.encode("utf-8")) if isinstance(data, str) else 0
                    # Telegram limits callback_data to 1-64 *bytes*, not characters.
                    if not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise _bad_request("BUTTON_DATA_INVALID")
                elif not _INLINE_BUTTON_ACTIONS & button.keys():
                    raise _bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
        return {"inline_keyboard": copy.deepcopy(rows)}, []
    if "keyboard" in markup:
        rows = markup["keyboard"] if isinstance(markup["keyboard"], list) else []
        labels = [
            [b if isinstance(b, str) else str(b.get("text", "")) for b in row]
            for row in rows
            if isinstance(row, list)
        ]
        return None, labels
    return None, []  # ReplyKeyboardRemove / ForceReply: nothing to show


# --------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------


class _EmbeddedUvicorn(uvicorn.Server):
    """uvicorn.Server tuned for running inside a test's event loop."""

    def __init__(self, config: uvicorn.Config, started: asyncio.Event) -> None:
        super().__init__(config)
        self._started_event = started
        self._exit_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # The stock implementation replaces the process's SIGINT/SIGTERM handlers, which
        # would swallow Ctrl-C for pytest while a test runs.  The fake is stopped
        # explicitly by FakeTelegramServer.__aexit__ instead.
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._started_event.set()  # lets __aenter__ await startup instead of polling

    async def main_loop(self) -> None:
        # The stock loop checks should_exit every 0.1 s; waiting on an event makes the
        # shutdown start immediately.  One tick still runs to set the default headers.
        await self.on_tick(0)
        await self._exit_requested.wait()

    def request_exit(self) -> None:
        self.should_exit = True
        self._exit_requested.set()


_Handler = Callable[[_Call], Awaitable[Any]]


class FakeTelegramServer:
    """In-process fake of the Telegram Bot API; use as ``async with FakeTelegramServer()``."""

    def __init__(self, token: str = DEFAULT_TOKEN, *, startup_timeout: float = 10.0) -> None:
        self.token = token
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.rejected_requests: list[RejectedRequest] = []
        self.internal_errors: list[str] = []

        self._startup_timeout = startup_timeout
        self._port: int | None = None
        self._server: _EmbeddedUvicorn | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._stopping = False

        # Swapped for a fresh Event on every state change, so sync code (push_*) can wake
        # async waiters without holding a lock, and a waiter can never miss a change that
        # happens between checking its condition and starting to wait.
        self._changed = asyncio.Event()

        self._users: dict[int, dict[str, Any]] = {}
        self._messages: dict[tuple[int, int], _Record] = {}
        self._bot_messages: list[_Record] = []
        self._documents: list[SentDocument] = []
        self._files: dict[str, _StoredFile] = {}
        self._next_message_id = 1
        self._next_file_number = 1

        self._pending_updates: list[dict[str, Any]] = []
        self._next_update_id = 100_001
        self._delivered_upto = 0
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._active_polls = 0
        self._last_poll_at: float | None = None

        self._open_queries: dict[str, int] = {}  # callback_query id -> user id
        self._next_query_number = 1
        self._callback_answers: dict[str, dict[str, Any]] = {}
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._wait_cursor: dict[int, int] = {}

        handlers: dict[str, _Handler] = {
            "getMe": self._get_me,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._ok,
            "close": self._ok,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "deleteMessage": self._delete_message,
            "getFile": self._get_file,
        }
        # Telegram treats method names case-insensitively.
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler) for name, handler in handlers.items()
        }
        self._app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api_endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._file_endpoint, methods=["GET"]),
            ]
        )

    # ---------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegramServer is not running; use `async with`")
        return self._port

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder().base_url()`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder().base_file_url()`` (file downloads)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def __aenter__(self) -> Self:
        # Binding the socket ourselves gives the OS-chosen port synchronously and avoids
        # uvicorn's sys.exit() on bind errors, which would escape from a task.
        # proto must be IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted
        # connections whose proto says TCP, and without it Nagle + delayed ACK add ~40 ms
        # to every response (uvicorn writes headers and body separately).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.bind(("127.0.0.1", 0))
        except OSError:
            sock.close()
            raise
        self._port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=self._port,
            lifespan="off",
            log_level="warning",
            log_config=None,  # don't reconfigure the test process's logging
            access_log=False,
            timeout_graceful_shutdown=5,
        )
        started = asyncio.Event()
        self._server = _EmbeddedUvicorn(config, started)
        self._serve_task = asyncio.create_task(
            self._server.serve(sockets=[sock]), name="FakeTelegramServer"
        )
        started_task = asyncio.create_task(started.wait())
        await asyncio.wait(
            {started_task, self._serve_task},
            timeout=self._startup_timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        started_task.cancel()
        if not started.is_set():
            task = self._serve_task
            failure = task.exception() if task.done() and not task.cancelled() else None
            await self._stop_server()
            sock.close()
            raise AssertionError(
                f"fake Telegram server did not start within {self._startup_timeout}s"
                + (f": {failure!r}" if failure else "")
            ) from failure
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop_server()
        # Surface bugs in the fake itself, but never mask the test's own failure.
        if exc_type is None and self.internal_errors:
            raise AssertionError(
                "the fake Telegram server hit internal errors:\n" + "\n".join(self.internal_errors)
            )

    async def _stop_server(self) -> None:
        # Release held long polls first: uvicorn waits for in-flight requests on shutdown.
        self._stopping = True
        self._notify()
        server, task = self._server, self._serve_task
        if server is None or task is None:
            return
        server.request_exit()
        _, still_running = await asyncio.wait({task}, timeout=10)
        if still_running:
            server.force_exit = True
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        elif not task.cancelled() and task.exception() is not None:
            _LOGGER.error("fake Telegram server crashed", exc_info=task.exception())
        self._server = None
        self._serve_task = None

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    # ---------------------------------------------------------------- HTTP layer

    async def _api_endpoint(self, request: Request) -> Response:
        token = str(request.path_params["token"])
        method = str(request.path_params["method"])
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        try:
            params, files = await _read_params(request)
        except _ApiError as error:
            self.requests.append((name, {}))
            return self._reject(name, {}, error)
        recorded: dict[str, Any] = {**params, **files}
        self.requests.append((name, recorded))
        if token != self.token:
            return self._reject(name, recorded, _ApiError(401, "Unauthorized"))
        if entry is None:
            return self._reject(name, recorded, _ApiError(404, "Not Found"))
        try:
            result = await entry[1](_Call(params=params, files=files, request=request))
        except _ApiError as error:
            return self._reject(name, recorded, error)
        except Exception as error:
            # A bug in the fake: answer 500 (PTB raises NetworkError) and remember it so
            # the test fails loudly at __aexit__ instead of timing out mysteriously.
            self.internal_errors.append(f"{name}({recorded!r}):\n{traceback.format_exc()}")
            self._notify()
            return JSONResponse(
                {"ok": False, "error_code": 500, "description": f"fake server error: {error!r}"},
                status_code=500,
            )
        self._notify()
        return JSONResponse({"ok": True, "result": result})

    def _reject(self, method: str, params: dict[str, Any], error: _ApiError) -> Response:
        self.rejected_requests.append(
            RejectedRequest(method, params, error.code, error.description)
        )
        self._notify()
        return JSONResponse(
            {"ok": False, "error_code": error.code, "description": error.description},
            status_code=error.code,
        )

    async def _file_endpoint(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return JSONResponse(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status_code=401
            )
        wanted = str(request.path_params["file_path"])
        for stored in self._files.values():
            if stored.file_path == wanted:
                return Response(stored.content, media_type=stored.mime_type)
        return JSONResponse(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
        )

    # ---------------------------------------------------------------- shared helpers

    def _chat_for(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise _bad_request("chat_id is empty")
        # Only private chats exist here, and only with users who talked to the bot.
        if not isinstance(chat_id, int) or chat_id not in self._users:
            raise _bad_request("chat not found")
        return self._private_chat(chat_id)

    def _private_chat(self, user_id: int) -> dict[str, Any]:
        user = self._users[user_id]
        chat: dict[str, Any] = {
            "id": user_id,
            "type": "private",
            "first_name": user["first_name"],
        }
        if "username" in user:
            chat["username"] = user["username"]
        return chat

    def _new_message(self, chat: dict[str, Any], sender: dict[str, Any]) -> dict[str, Any]:
        # One global counter for user and bot messages alike (see module docs).
        message_id = self._next_message_id
        self._next_message_id += 1
        return {
            "message_id": message_id,
            "from": copy.deepcopy(sender),
            "chat": copy.deepcopy(chat),
            "date": _now(),
        }

    def _store(self, record: _Record) -> None:
        self._messages[(record.chat_id, record.message_id)] = record
        if record.from_bot:
            self._bot_messages.append(record)

    def _embedded_reply(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        record = self._messages.get((chat_id, message_id))
        if record is None or record.deleted:
            return None
        embedded = copy.deepcopy(record.message)
        embedded.pop("reply_to_message", None)  # Telegram embeds only one level
        return embedded

    def _resolve_reply(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any] | None:
        reply_id = params.get("reply_to_message_id")
        allow_missing = bool(params.get("allow_sending_without_reply", False))
        target_chat = chat_id
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_id = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply", allow_missing))
            target_chat = reply_parameters.get("chat_id", chat_id)
        if reply_id is None:
            return None
        embedded = (
            self._embedded_reply(target_chat, reply_id)
            if isinstance(target_chat, int) and isinstance(reply_id, int)
            else None
        )
        if embedded is None and not allow_missing:
            raise _bad_request("message to be replied not found")
        return embedded

    def _record_for_edit(self, params: dict[str, Any]) -> _Record:
        if params.get("inline_message_id"):
            raise _bad_request("inline messages are not supported by the fake server")
        chat = self._chat_for(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        record = (
            self._messages.get((chat["id"], message_id)) if isinstance(message_id, int) else None
        )
        if record is None or record.deleted:
            raise _bad_request("message to edit not found")
        if not record.from_bot:
            raise _bad_request("message can't be edited")
        return record

    def _store_file(self, kind: str, content: bytes, mime_type: str, extension: str) -> _StoredFile:
        number = self._next_file_number
        self._next_file_number += 1
        stored = _StoredFile(
            file_id=f"FAKE-{kind.upper()}-{number:06d}",
            file_unique_id=f"U{kind[:3]}{number:06d}",
            file_path=f"{kind}s/file_{number}{extension}",
            content=content,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        return stored

    # ---------------------------------------------------------------- API methods

    async def _ok(self, call: _Call) -> bool:
        return True

    async def _get_me(self, call: _Call) -> dict[str, Any]:
        return dict(BOT_USER)

    async def _delete_webhook(self, call: _Call) -> bool:
        if call.params.get("drop_pending_updates"):
            self._pending_updates.clear()
        return True

    async def _get_webhook_info(self, call: _Call) -> dict[str, Any]:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending_updates),
        }

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    async def _set_my_commands(self, call: _Call) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[dict[str, Any]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand")
            name = str(command.get("command", ""))
            description = str(command.get("description", "")).strip()
            if not _BOT_COMMAND_RE.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        self._commands[self._commands_key(call.params)] = cleaned
        return True

    async def _get_my_commands(self, call: _Call) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._commands_key(call.params), []))

    async def _delete_my_commands(self, call: _Call) -> bool:
        self._commands.pop(self._commands_key(call.params), None)
        return True

    async def _send_message(self, call: _Call) -> dict[str, Any]:
        params = call.params
        chat = self._chat_for(params)
        text, entities = _render_text(
            str(params.get("text", "")), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad_request("message text is empty")
        if _utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        inline_markup, reply_keyboard = _normalize_markup(params.get("reply_markup"))
        reply_to = self._resolve_reply(chat["id"], params)
        message = self._new_message(chat, BOT_USER)
        message["text"] = text
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if inline_markup is not None:
            message["reply_markup"] = inline_markup
        self._store(_Record(message=message, from_bot=True, reply_keyboard=reply_keyboard))
        return copy.deepcopy(message)

    async def _edit_message_text(self, call: _Call) -> dict[str, Any]:
        params = call.params
        record = self._record_for_edit(params)
        message = record.message
        if "text" not in message:
            raise _bad_request("there is no text in the message to edit")
        text, entities = _render_text(
            str(params.get("text", "")), params.get("parse_mode"), params.get("entities")
        )
        if not text:
            raise _bad_request("message text is empty")
        if _utf16_len(text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        # Like Telegram: no reply_markup in the edit means "remove the inline keyboard".
        inline_markup, _ = _normalize_markup(params.get("reply_markup"))
        if (
            text == message["text"]
            and entities == message.get("entities", [])
            and inline_markup == message.get("reply_markup")
        ):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        record.edits.append(message["text"])
        message["text"] = text
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        message.pop("reply_markup", None)
        if inline_markup is not None:
            message["reply_markup"] = inline_markup
        message["edit_date"] = _now()
        return copy.deepcopy(message)

    async def _edit_message_reply_markup(self, call: _Call) -> dict[str, Any]:
        record = self._record_for_edit(call.params)
        message = record.message
        inline_markup, _ = _normalize_markup(call.params.get("reply_markup"))
        if inline_markup == message.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        record.edits.append(record.text)
        message.pop("reply_markup", None)
        if inline_markup is not None:
            message["reply_markup"] = inline_markup
        message["edit_date"] = _now()
        return copy.deepcopy(message)

    async def _answer_callback_query(self, call: _Call) -> bool:
        query_id = str(call.params.get("callback_query_id", ""))
        # Unknown ids and second answers both get Telegram's "query is too old" error.
        if query_id not in self._open_queries or query_id in self._callback_answers:
            raise _ApiError(400, _QUERY_INVALID)
        self._callback_answers[query_id] = {
            "text": call.params.get("text"),
            "show_alert": bool(call.params.get("show_alert", False)),
            "url": call.params.get("url"),
            "cache_time": call.params.get("cache_time"),
        }
        return True

    async def _send_document(self, call: _Call) -> dict[str, Any]:
        params = call.params
        chat = self._chat_for(params)
        document = params.get("document")
        upload = call.files.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            upload = call.files.get(document.removeprefix("attach://"))
        if upload is not None:
            if not upload.content:
                raise _bad_request("file must be non-empty")
            filename = upload.filename
            mime_type = (
                upload.content_type
                if upload.content_type not in {"", "application/octet-stream"}
                else mimetypes.guess_type(filename)[0] or "application/octet-stream"
            )
            suffix = filename[filename.rfind(".") :] if "." in filename else ""
            stored = self._store_file("document", upload.content, mime_type, suffix)
        elif isinstance(document, str) and document in self._files:
            stored = self._files[document]  # re-sending a known file_id
            filename = stored.file_path.rsplit("/", 1)[-1]
            mime_type = stored.mime_type
        elif document:
            # Telegram would fetch a URL itself; the fake has no internet access.
            raise _bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise _bad_request("there is no document in the request")
        caption: str | None = None
        caption_entities: list[dict[str, Any]] = []
        if params.get("caption"):
            caption, caption_entities = _render_text(
                str(params["caption"]), params.get("parse_mode"), params.get("caption_entities")
            )
            if _utf16_len(caption) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
        inline_markup, reply_keyboard = _normalize_markup(params.get("reply_markup"))
        reply_to = self._resolve_reply(chat["id"], params)
        message = self._new_message(chat, BOT_USER)
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": filename,
            "mime_type": mime_type,
            "file_size": len(stored.content),
        }
        if caption:
            message["caption"] = caption
            if caption_entities:
                message["caption_entities"] = caption_entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        if inline_markup is not None:
            message["reply_markup"] = inline_markup
        self._store(_Record(message=message, from_bot=True, reply_keyboard=reply_keyboard))
        self._documents.append(
            SentDocument(
                message_id=message["message_id"],
                chat_id=chat["id"],
                filename=filename,
                content=stored.content,
                caption=caption or None,
                mime_type=mime_type,
            )
        )
        return copy.deepcopy(message)

    async def _send_photo(self, call: _Call) -> dict[str, Any]:
        """Re-sending a photo by a file_id the fake handed out (what a bot forwarding a
        resident's photo does); uploads are not needed by Gridline and refused."""
        params = call.params
        chat = self._chat_for(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or photo not in self._files:
            raise _bad_request("wrong file identifier/HTTP URL specified")
        stored = self._files[photo]
        caption: str | None = None
        if params.get("caption"):
            caption, _ = _render_text(str(params["caption"]), params.get("parse_mode"), None)
            if _utf16_len(caption) > MAX_CAPTION_LENGTH:
                raise _bad_request("message caption is too long")
        inline_markup, reply_keyboard = _normalize_markup(params.get("reply_markup"))
        message = self._new_message(chat, BOT_USER)
        message["photo"] = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 1280,
                "height": 960,
                "file_size": len(stored.content),
            }
        ]
        if caption:
            message["caption"] = caption
        if inline_markup is not None:
            message["reply_markup"] = inline_markup
        self._store(_Record(message=message, from_bot=True, reply_keyboard=reply_keyboard))
        return copy.deepcopy(message)

    async def _send_chat_action(self, call: _Call) -> bool:
        self._chat_for(call.params)
        if not call.params.get("action"):
            raise _bad_request("action is empty")
        return True

    async def _delete_message(self, call: _Call) -> bool:
        chat = self._chat_for(call.params)
        message_id = call.params.get("message_id")
        record = (
            self._messages.get((chat["id"], message_id)) if isinstance(message_id, int) else None
        )
        if record is None or record.deleted:
            raise _bad_request("message to delete not found")
        record.deleted = True
        return True

    async def _get_file(self, call: _Call) -> dict[str, Any]:
        stored = self._files.get(str(call.params.get("file_id", "")))
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    # ---------------------------------------------------------------- getUpdates

    @staticmethod
    def _update_kind(update: dict[str, Any]) -> str:
        return next(key for key in update if key != "update_id")

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kind = self._update_kind(update)
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _DEFAULT_EXCLUDED_UPDATES

    def _confirm(self, offset: Any) -> None:
        if not isinstance(offset, int) or offset == 0:
            return
        if offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            self._pending_updates = self._pending_updates[offset:]
        else:
            self._pending_updates = [u for u in self._pending_updates if u["update_id"] >= offset]

    def _peek_updates(self, limit: int) -> list[dict[str, Any]]:
        # Telegram never queues update types the bot didn't ask for; dropping them here
        # is the closest equivalent for updates pushed before allowed_updates was set.
        self._pending_updates = [u for u in self._pending_updates if self._is_allowed(u)]
        return copy.deepcopy(self._pending_updates[:limit])

    async def _get_updates(self, call: _Call) -> list[dict[str, Any]]:
        params = call.params
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._confirm(params.get("offset"))
        limit = params.get("limit", 100)
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = params.get("timeout", 0)
        timeout = max(float(timeout), 0.0) if isinstance(timeout, int | float) else 0.0

        # Telegram allows one getUpdates at a time and terminates the older one.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        self._active_polls += 1
        self._last_poll_at = time.monotonic()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        disconnected = asyncio.create_task(_wait_for_disconnect(call.request))
        try:
            while True:
                if disconnected.done():
                    return []  # nobody to deliver to; the updates stay pending
                if generation != self._poll_generation:
                    raise _ApiError(409, _POLL_CONFLICT)
                batch = self._peek_updates(limit)
                if batch:
                    self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
                    return batch
                remaining = deadline - loop.time()
                if self._stopping or remaining <= 0:
                    return []
                changed = asyncio.create_task(self._changed.wait())
                await asyncio.wait(
                    {changed, disconnected}, timeout=remaining, return_when=asyncio.FIRST_COMPLETED
                )
                changed.cancel()
        finally:
            disconnected.cancel()
            self._active_polls -= 1
            self._last_poll_at = time.monotonic()

    # ---------------------------------------------------------------- test-facing: pushing

    def _register_user(
        self, user_id: int, first_name: str | None, username: str | None
    ) -> dict[str, Any]:
        known = self._users.get(user_id, {})
        user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name or known.get("first_name", DEFAULT_USER_FIRST_NAME),
            "language_code": "zh-hans",
        }
        username = username if username is not None else known.get("username")
        if username:
            user["username"] = username
        self._users[user_id] = user
        return user

    def _user_message(
        self,
        user_id: int,
        first_name: str | None,
        username: str | None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        user = self._register_user(user_id, first_name, username)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self._embedded_reply(user_id, reply_to_message_id)
            if reply_to is None:
                raise AssertionError(
                    f"cannot reply to message {reply_to_message_id}: chat {user_id} has no "
                    f"such message; bot messages there: {self._describe_chat(user_id)}"
                )
        message = self._new_message(self._private_chat(user_id), user)
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return message

    def _queue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._pending_updates.append(update)
        self._notify()
        return update

    def _push_user_message(self, message: dict[str, Any]) -> dict[str, Any]:
        self._store(_Record(message=message, from_bot=False))
        self._queue("message", message)
        return copy.deepcopy(message)

    def push_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        username: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> dict[str, Any]:
        """Queue a text message from ``user_id``; returns the Message dict.

        ``first_name``/``username`` default to the user's previous values ("居民" for a new
        user), so a name given once sticks for later pushes.
        """
        message = self._user_message(user_id, first_name, username, reply_to_message_id)
        message["text"] = text
        # Telegram marks commands with a bot_command entity; PTB's CommandHandler only
        # fires when that entity starts at offset 0.  "/开始" is not a command there.
        command = _BOT_COMMAND_IN_TEXT_RE.match(text)
        if command is not None:
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))}
            ]
        return self._push_user_message(message)

    def push_sticker(
        self,
        user_id: int,
        *,
        emoji: str = "👍",
        set_name: str = "GridlineTestStickers",
        first_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        message = self._user_message(user_id, first_name, username)
        stored = self._store_file("sticker", b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", ".webp")
        message["sticker"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": set_name,
            "file_size": len(stored.content),
        }
        return self._push_user_message(message)

    def push_voice(
        self,
        user_id: int,
        *,
        duration: int = 3,
        content: bytes = b"OggS\x00\x02fake-opus-voice",
        first_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        message = self._user_message(user_id, first_name, username)
        stored = self._store_file("voice", content, "audio/ogg", ".oga")
        message["voice"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(content),
        }
        return self._push_user_message(message)

    def push_document(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        file_name: str = "a.pdf",
        content: bytes = b"%PDF-1.4\n% fake gridline document\n",
        mime_type: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        message = self._user_message(user_id, first_name, username)
        mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        suffix = file_name[file_name.rfind(".") :] if "." in file_name else ""
        stored = self._store_file("document", content, mime, suffix)
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime,
            "file_size": len(content),
        }
        if caption is not None:
            message["caption"] = caption
        return self._push_user_message(message)

    def push_photo(
        self,
        user_id: int,
        *,
        caption: str | None = None,
        content: bytes = b"\xff\xd8\xff\xe0fake-jpeg",
        first_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        message = self._user_message(user_id, first_name, username)
        sizes: list[dict[str, Any]] = []
        # Telegram sends several resolutions, smallest first; the last is the original.
        for width, height in ((90, 67), (320, 240), (1280, 960)):
            stored = self._store_file("photo", content, "image/jpeg", ".jpg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(content),
                }
            )
        message["photo"] = sizes
        if caption is not None:
            message["caption"] = caption
        return self._push_user_message(message)

    def push_location(
        self,
        user_id: int,
        latitude: float,
        longitude: float,
        *,
        first_name: str | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        message = self._user_message(user_id, first_name, username)
        message["location"] = {"latitude": latitude, "longitude": longitude}
        return self._push_user_message(message)

    def press_button(self, user_id: int, message_id: int, data: str, *, force: bool = False) -> str:
        """Queue a callback_query as if ``user_id`` tapped a button; returns the query id.

        Like a real client, only buttons that currently exist can be pressed, unless
        ``force=True`` (e.g. to simulate a tap on a stale keyboard).
        """
        record = self._messages.get((user_id, message_id))
        if record is None or not record.from_bot or record.deleted:
            raise AssertionError(
                f"chat {user_id} has no bot message {message_id} to press a button on; "
                f"bot messages there: {self._describe_chat(user_id)}"
            )
        snapshot = record.snapshot()
        datas = [button_data for row in snapshot.buttons for _, button_data in row]
        if not force and data not in datas:
            raise AssertionError(
                f"message {message_id} in chat {user_id} has no inline button with "
                f"callback_data {data!r}; its buttons are {snapshot.buttons!r}"
            )
        query_id = str(4_000_000_000_000_000_000 + self._next_query_number)
        self._next_query_number += 1
        self._open_queries[query_id] = user_id
        self._queue(
            "callback_query",
            {
                "id": query_id,
                "from": copy.deepcopy(self._users[user_id]),
                "message": copy.deepcopy(record.message),
                "chat_instance": str(-7_000_000_000_000_000_000 - user_id),
                "data": data,
            },
        )
        return query_id

    # ---------------------------------------------------------------- test-facing: inspection

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent (texts and documents), oldest first, as currently stored."""
        return [
            record.snapshot()
            for record in self._bot_messages
            if chat_id is None or record.chat_id == chat_id
        ]

    def documents_sent(self, chat_id: int | None = None) -> list[SentDocument]:
        return [doc for doc in self._documents if chat_id is None or doc.chat_id == chat_id]

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call to ``method`` (case-insensitive), oldest first."""
        return [params for name, params in self.requests if name.lower() == method.lower()]

    def _all_consumed(self) -> bool:
        return all(u["update_id"] <= self._delivered_upto for u in self._pending_updates)

    # ---------------------------------------------------------------- test-facing: waiting

    async def _wait(
        self, probe: Callable[[], _T | None], timeout: float, failure: Callable[[], str]
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = probe()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(failure())
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        contains: str | None = None,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 10.0,
    ) -> SentMessage:
        """First bot message to ``chat_id`` newer than the one this method last returned
        for that chat that matches ``contains`` and ``predicate``.

        Matching uses the message's *current* text, so a "处理中…" message later edited
        to "完成" matches ``contains="完成"``.  Messages older than the returned one are
        never considered again, even if they were skipped as non-matching.
        """
        after = self._wait_cursor.get(chat_id, 0)

        def probe() -> SentMessage | None:
            for record in self._bot_messages:
                if record.chat_id != chat_id or record.message_id <= after:
                    continue
                snapshot = record.snapshot()
                if contains is not None and contains not in snapshot.text:
                    continue
                if predicate is not None and not predicate(snapshot):
                    continue
                return snapshot
            return None

        def failure() -> str:
            wanted = f"containing {contains!r}" if contains is not None else "(any text)"
            if predicate is not None:
                wanted += " matching the predicate"
            return (
                f"timed out after {timeout}s waiting for a bot message to chat {chat_id} "
                f"{wanted} newer than message #{after}.\n"
                f"Bot messages in chat {chat_id}: {self._describe_chat(chat_id, after)}"
                + self._describe_context(chat_id)
            )

        found = await self._wait(probe, timeout, failure)
        self._wait_cursor[chat_id] = found.message_id
        return found

    async def wait_for_edit(
        self,
        chat_id: int,
        message_id: int,
        *,
        contains: str | None = None,
        timeout: float = 10.0,
    ) -> SentMessage:
        """Wait until the message's current text contains ``contains`` or, without it,
        until the message was edited once more than when this was called."""
        record = self._messages.get((chat_id, message_id))
        if record is None or not record.from_bot:
            raise AssertionError(
                f"chat {chat_id} has no bot message {message_id}; "
                f"bot messages there: {self._describe_chat(chat_id)}"
            )
        baseline = len(record.edits)

        def probe() -> SentMessage | None:
            if contains is not None:
                return record.snapshot() if contains in record.text else None
            return record.snapshot() if len(record.edits) > baseline else None

        def failure() -> str:
            wanted = f"to contain {contains!r}" if contains is not None else "to be edited"
            return (
                f"timed out after {timeout}s waiting for message {message_id} in chat "
                f"{chat_id} {wanted}.\nIts current text: {record.text!r}; earlier "
                f"versions: {record.edits!r}" + self._describe_context(chat_id)
            )

        return await self._wait(probe, timeout, failure)

    async def wait_for_callback_answer(
        self, callback_query_id: str, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The answerCallbackQuery parameters (text, show_alert, url, cache_time)."""

        def probe() -> dict[str, Any] | None:
            answer = self._callback_answers.get(callback_query_id)
            return dict(answer) if answer is not None else None

        def failure() -> str:
            unanswered = [q for q in self._open_queries if q not in self._callback_answers]
            known = "" if callback_query_id in self._open_queries else " (never pressed!)"
            chat_id = self._open_queries.get(callback_query_id)
            return (
                f"timed out after {timeout}s waiting for answerCallbackQuery of query "
                f"{callback_query_id!r}{known}.\nAnswered queries: "
                f"{list(self._callback_answers)!r}; unanswered: {unanswered!r}"
                + self._describe_context(chat_id)
            )

        return await self._wait(probe, timeout, failure)

    async def wait_until_consumed(self, timeout: float = 10.0) -> None:
        """Wait until the bot has fetched every pushed update (delivered by getUpdates
        or confirmed by a higher offset).  This does not mean handlers finished."""

        def failure() -> str:
            waiting = [
                (u["update_id"], self._update_kind(u))
                for u in self._pending_updates
                if u["update_id"] > self._delivered_upto
            ]
            return (
                f"timed out after {timeout}s waiting for the bot to fetch all updates; "
                f"never fetched: {waiting!r}" + self._describe_context(None)
            )

        await self._wait(lambda: True if self._all_consumed() else None, timeout, failure)

    async def wait_for_long_poll(self, timeout: float = 10.0) -> None:
        """Wait until the bot is parked in a getUpdates long poll (i.e. it is idle and
        listening).  Handy before asserting that the bot sent nothing."""

        def failure() -> str:
            return (
                f"timed out after {timeout}s waiting for the bot to long-poll getUpdates"
                + self._describe_context(None)
            )

        await self._wait(lambda: True if self._active_polls else None, timeout, failure)

    # ---------------------------------------------------------------- diagnostics

    def _describe_chat(self, chat_id: int, returned_upto: int = 0) -> str:
        lines = []
        for record in self._bot_messages:
            if record.chat_id != chat_id:
                continue
            notes = []
            if record.message_id <= returned_upto:
                notes.append("already returned")
            if record.edits:
                notes.append(f"edited {len(record.edits)}x")
            if record.deleted:
                notes.append("deleted")
            if "document" in record.message:
                notes.append(f"document {record.message['document']['file_name']!r}")
            text = record.text if len(record.text) <= 300 else record.text[:300] + "…"
            suffix = f" [{', '.join(notes)}]" if notes else ""
            lines.append(f"\n  #{record.message_id}: {text!r}{suffix}")
        return "".join(lines) if lines else "(none)"

    def _describe_context(self, chat_id: int | None) -> str:
        parts: list[str] = []
        rejected = [
            r
            for r in self.rejected_requests
            if r.method.lower() != "getupdates"
            and (chat_id is None or r.params.get("chat_id") in (chat_id, None))
        ]
        if rejected:
            parts.append("\nAPI calls the fake rejected:")
            for r in rejected[-10:]:
                shown = {k: v for k, v in r.params.items() if k != "text"}
                parts.append(f"\n  {r.method} -> {r.error_code} {r.description} {shown!r}")
        if self.internal_errors:
            parts.append(
                f"\nFake server internal errors: {len(self.internal_errors)} (see .internal_errors)"
            )
        if self._active_polls:
            parts.append("\nThe bot is currently long-polling getUpdates.")
        elif self._last_poll_at is None:
            parts.append(
                "\nThe bot never called getUpdates - is the Application polling this server?"
            )
        else:
            idle = time.monotonic() - self._last_poll_at
            parts.append(f"\nNo getUpdates in progress; the last one ended {idle:.1f}s ago.")
        undelivered = sum(1 for u in self._pending_updates if u["update_id"] > self._delivered_upto)
        if undelivered:
            parts.append(f"\n{undelivered} pushed update(s) not fetched by the bot yet.")
        return "".join(parts)
