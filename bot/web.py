"""The HTTP side of `gridline serve`: health and Rasa-compatible parsing."""

from __future__ import annotations

import json

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.app import Gridline
from county.calendar import calendar_gaps


def create_web_app(gridline: Gridline, telegram_enabled: bool) -> Starlette:
    async def healthz(request: Request) -> JSONResponse:
        try:
            async with gridline.sessions() as session:
                await session.execute(text("SELECT 1"))
            database = "ok"
        except Exception as exc:  # a health check reports, it does not raise
            database = f"error: {type(exc).__name__}"
        status = 200 if database == "ok" else 503
        return JSONResponse(
            {
                "status": "ok" if status == 200 else "degraded",
                "database": database,
                "telegram": telegram_enabled,
                # Years whose public holidays are unknown: shifts there follow weekday rules.
                "calendar_gaps": sorted(calendar_gaps()),
            },
            status_code=status,
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
        return JSONResponse((await gridline.parser.parse(message)).as_rasa())

    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/model/parse", model_parse, methods=["POST"]),
        ]
    )
