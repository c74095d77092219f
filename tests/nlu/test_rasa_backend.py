"""RasaClassifier against a real HTTP server on 127.0.0.1 that answers as Rasa 3.6 does.

The server is a small Starlette app under uvicorn, in the test's own event loop. Its
socket is bound and listening before uvicorn starts, so a request made straight away
waits in the kernel's backlog instead of racing the startup: no polling, no sleeps.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from core.clock import LOCAL_TZ
from nlu.entities import default_extractors
from nlu.parse import NluPipeline, NluUnavailable
from nlu.rasa_backend import RasaClassifier, ranking_from_rasa

TEXT = "想约明晚七点上门，电话13812345678"


def rasa_parse_body(text: str) -> dict[str, Any]:
    """What `rasa run --enable-api` (3.6, the exported DIET pipeline) answers."""
    return {
        "text": text,
        "intent": {"id": -1520373584421738392, "name": "appointment", "confidence": 0.9712},
        "entities": [
            {
                "entity": "time",
                "start": 2,
                "end": 6,
                "confidence_entity": 0.9979,
                "value": "明晚七点",
                "extractor": "DIETClassifier",
            },
            {
                "entity": "phone",
                "start": 11,
                "end": 22,
                "confidence_entity": 0.9954,
                "value": "13812345678",
                "extractor": "DIETClassifier",
            },
        ],
        "text_tokens": [[0, 2], [2, 4], [4, 6], [6, 8], [8, 9], [9, 11], [11, 22]],
        "intent_ranking": [
            {"id": -1520373584421738392, "name": "appointment", "confidence": 0.9712},
            {"id": 4424195716375240718, "name": "welfare", "confidence": 0.0141},
            {"id": -3082947311098816337, "name": "ticket_status", "confidence": 0.0063},
            {"id": 8113570462357187532, "name": "hazard", "confidence": 0.0041},
            {"id": 6219735513925357217, "name": "dispute", "confidence": 0.0029},
            {"id": -7473127355785396134, "name": "greet", "confidence": 0.0014},
        ],
        "response_selector": {
            "all_retrieval_intents": [],
            "default": {
                "response": {
                    "responses": None,
                    "confidence": 0.0,
                    "intent_response_key": None,
                    "utter_action": "utter_None",
                },
                "ranking": [],
            },
        },
    }


def rasa_error(status: int, reason: str, message: str) -> JSONResponse:
    # Rasa's ErrorResponse body.
    body = {
        "version": "3.6.21",
        "status": "failure",
        "message": message,
        "reason": reason,
        "details": {},
        "help": None,
        "code": status,
    }
    return JSONResponse(body, status_code=status)


class FakeRasa:
    def __init__(self) -> None:
        self.url = ""
        self.mode = "ok"  # ok | error | garbage | hang
        self.body: dict[str, Any] | None = None  # None: rasa_parse_body(text)
        self.token: str | None = None  # as `rasa run --auth-token`
        self.model_loaded = True
        self.requests: list[Request] = []
        self.parsed_texts: list[str] = []
        # The "slow server" waits on this; only teardown sets it, so the client's
        # timeout is what ends the test's request.
        self.release = asyncio.Event()
        self.app = Starlette(
            routes=[
                Route("/model/parse", self.parse, methods=["POST"]),
                Route("/status", self.status, methods=["GET"]),
            ]
        )

    def _refusal(self, request: Request) -> Response | None:
        self.requests.append(request)
        if self.token is not None and request.query_params.get("token") != self.token:
            return rasa_error(401, "NotAuthenticated", "User is not authenticated.")
        if not self.model_loaded:
            return rasa_error(
                409,
                "Conflict",
                "No agent loaded. To continue processing, a model of a trained agent "
                "needs to be loaded.",
            )
        return None

    async def parse(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        text = (await request.json())["text"]
        self.parsed_texts.append(text)
        if self.mode == "hang":
            await self.release.wait()
        if self.mode == "error":
            return rasa_error(500, "ParsingError", "An unexpected error occurred. Error: boom")
        if self.mode == "garbage":
            return Response('{"text": "x", "intent": {', media_type="application/json")
        return JSONResponse(self.body if self.body is not None else rasa_parse_body(text))

    async def status(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return JSONResponse(
            {
                "model_id": "9f1a2c0e5b7d4e8f",
                "model_file": "models/gridline.tar.gz",
                "num_active_training_jobs": 0,
            }
        )


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    config = uvicorn.Config(fake.app, lifespan="off", log_config=None, access_log=False)
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    fake.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        yield fake
    finally:
        fake.release.set()  # let a hung handler finish, or shutdown would wait for it
        server.should_exit = True
        await serving
        sock.close()


async def test_ranking_from_a_rasa_3_6_answer(fake_rasa: FakeRasa) -> None:
    async with RasaClassifier(fake_rasa.url) as rasa:
        ranking = await rasa.rank(TEXT)
    assert ranking == [
        ("appointment", 0.9712),
        ("welfare", 0.0141),
        ("ticket_status", 0.0063),
        ("hazard", 0.0041),
        ("dispute", 0.0029),
        ("greet", 0.0014),
    ]
    assert fake_rasa.parsed_texts == [TEXT]
    assert fake_rasa.requests[0].url.path == "/model/parse"
    assert "token" not in fake_rasa.requests[0].query_params


async def test_ranking_is_sorted_by_confidence(fake_rasa: FakeRasa) -> None:
    fake_rasa.body = {
        "text": "x",
        "intent": {"name": "hazard", "confidence": 0.6},
        "intent_ranking": [
            {"name": "dispute", "confidence": 0.1},
            {"name": "hazard", "confidence": 0.6},
            {"name": "welfare", "confidence": 0.3},
        ],
    }
    async with RasaClassifier(fake_rasa.url) as rasa:
        assert await rasa.rank("x") == [("hazard", 0.6), ("welfare", 0.3), ("dispute", 0.1)]


async def test_pipeline_takes_intent_from_rasa_and_entities_from_gridline(
    fake_rasa: FakeRasa,
) -> None:
    async with RasaClassifier(fake_rasa.url) as rasa:
        parser = NluPipeline(rasa, default_extractors())
        parsed = await parser.parse(TEXT, datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ))
    assert (parsed.intent, parsed.confidence) == ("appointment", 0.9712)
    phone = parsed.entity("phone")
    assert phone is not None and phone["value"] == "13812345678"
    assert all(e["extractor"] != "DIETClassifier" for e in parsed.entities)
    assert parsed.emergency is None and parsed.as_rasa()["emergency"] is None


async def test_pipeline_on_rasa_detects_the_emergency_itself(fake_rasa: FakeRasa) -> None:
    # Rasa knows nothing of emergencies; Gridline's detector fills the field regardless.
    async with RasaClassifier(fake_rasa.url) as rasa:
        parser = NluPipeline(rasa, default_extractors())
        parsed = await parser.parse(
            "厨房漏气了 好大的味", datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)
        )
    assert fake_rasa.parsed_texts == ["厨房漏气了 好大的味"]
    assert parsed.as_rasa()["emergency"] == {"kind": "gas", "numbers": ["119"]}


def test_rasa_fallback_is_dropped_in_favour_of_gridlines_threshold() -> None:
    body = {
        "intent": {"name": "nlu_fallback", "confidence": 0.3},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.3},
            {"name": "hazard", "confidence": 0.28},
            {"name": "dispute", "confidence": 0.26},
        ],
    }
    assert ranking_from_rasa(body) == [("hazard", 0.28), ("dispute", 0.26)]


def test_intent_without_ranking_and_no_intent_at_all() -> None:
    assert ranking_from_rasa({"intent": {"name": "greet", "confidence": 0.8}}) == [("greet", 0.8)]
    # Rasa's answer when its model has no intent classifier, or the text is empty.
    nothing = {"text": "", "intent": {"name": None, "confidence": 0.0}, "intent_ranking": []}
    assert ranking_from_rasa(nothing) == [("out_of_scope", 0.0)]
    assert ranking_from_rasa({"text": "x", "entities": []}) == [("out_of_scope", 0.0)]


@pytest.mark.parametrize(
    "body",
    [
        {"intent_ranking": "appointment"},
        {"intent": "appointment"},
        {"intent": {"name": 3, "confidence": 0.5}},
        {"intent": {"name": "greet", "confidence": "high"}},
        {"intent": {"name": "greet"}},
    ],
)
def test_answers_not_in_rasas_shape_are_refused(body: dict[str, Any]) -> None:
    with pytest.raises(NluUnavailable):
        ranking_from_rasa(body)


async def test_token_goes_in_the_query_as_rasa_expects(fake_rasa: FakeRasa) -> None:
    fake_rasa.token = "s3cr3t/+="
    async with RasaClassifier(fake_rasa.url + "/", token="s3cr3t/+=") as rasa:
        assert (await rasa.rank(TEXT))[0][0] == "appointment"
        assert (await rasa.status())["model_file"] == "models/gridline.tar.gz"
    assert [r.query_params["token"] for r in fake_rasa.requests] == ["s3cr3t/+=", "s3cr3t/+="]

    async with RasaClassifier(fake_rasa.url, token="wrong-token") as rasa:
        with pytest.raises(NluUnavailable, match="HTTP 401: User is not authenticated") as info:
            await rasa.rank(TEXT)
    assert "wrong-token" not in str(info.value)


async def test_status_for_health_checks(fake_rasa: FakeRasa) -> None:
    async with RasaClassifier(fake_rasa.url) as rasa:
        status = await rasa.status()
        assert status["num_active_training_jobs"] == 0
        fake_rasa.model_loaded = False
        with pytest.raises(NluUnavailable, match="HTTP 409: No agent loaded"):
            await rasa.status()
        with pytest.raises(NluUnavailable, match="HTTP 409"):
            await rasa.rank(TEXT)


async def test_server_down_fails_fast() -> None:
    # Bound but not listening: the port is ours, and connecting to it is refused.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with RasaClassifier(url, timeout=5.0) as rasa:
            started = time.monotonic()
            with pytest.raises(NluUnavailable, match="unreachable"):
                await rasa.rank(TEXT)
            with pytest.raises(NluUnavailable, match="unreachable"):
                await rasa.status()
    # A refusal is reported at once, not after the 5 s timeout.
    assert time.monotonic() - started < 2.0


async def test_server_error_is_unavailable(fake_rasa: FakeRasa) -> None:
    fake_rasa.mode = "error"
    async with RasaClassifier(fake_rasa.url) as rasa:
        with pytest.raises(NluUnavailable, match="HTTP 500: An unexpected error occurred"):
            await rasa.rank(TEXT)


async def test_malformed_json_is_unavailable(fake_rasa: FakeRasa) -> None:
    fake_rasa.mode = "garbage"
    async with RasaClassifier(fake_rasa.url) as rasa:
        with pytest.raises(NluUnavailable, match="not JSON"):
            await rasa.rank(TEXT)


async def test_json_in_the_wrong_shape_is_unavailable(fake_rasa: FakeRasa) -> None:
    fake_rasa.body = {"intent_ranking": {"appointment": 0.9}}
    async with RasaClassifier(fake_rasa.url) as rasa:
        with pytest.raises(NluUnavailable, match="not a list"):
            await rasa.rank(TEXT)


async def test_slow_server_is_cut_by_the_timeout(fake_rasa: FakeRasa) -> None:
    fake_rasa.mode = "hang"
    async with RasaClassifier(fake_rasa.url, timeout=0.3) as rasa:
        started = time.monotonic()
        with pytest.raises(NluUnavailable, match=r"did not answer within 0\.3s"):
            await rasa.rank(TEXT)
    assert time.monotonic() - started < 2.0
    assert fake_rasa.parsed_texts == [TEXT]  # it did reach the server, which sat on it


async def test_a_client_passed_in_is_left_open() -> None:
    async with httpx.AsyncClient() as client:
        rasa = RasaClassifier("http://127.0.0.1:5005", client=client)
        await rasa.aclose()
        assert not client.is_closed
    owned = RasaClassifier("http://127.0.0.1:5005")
    await owned.aclose()
    assert owned._client.is_closed
