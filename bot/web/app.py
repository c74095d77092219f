"""The HTTP app of `gridline serve`: health and Rasa-compatible parsing.

Routes stay thin: each is handed only what it uses (a parser, a health check).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from nlu.parse import IntentParser

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


def create_web_app(parser: IntentParser, health: HealthCheck, telegram_enabled: bool) -> Starlette:
    async def healthz(request: Request) -> JSONResponse:
        checks = await health()
        ok = checks.get("database") == "ok"
        return JSONResponse(
            {"status": "ok" if ok else "degraded", **checks, "telegram": telegram_enabled},
            status_code=200 if ok else 503,
        )

    async def model_parse(request: Request) -> JSONResponse:
        # Same request and response as Rasa's POST /model/parse.
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return JSONResponse({"error": 'body must be JSON: {"text": "..."}'}, 400)
        message = body.get("text") if isinstance(body, dict) else None
        if not isinstance(message, str):
            return JSONResponse({"error": "field 'text' (string) is required"}, 400)
        return JSONResponse((await parser.parse(message)).as_rasa())

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/model/parse", model_parse, methods=["POST"]),
        ]
    )
