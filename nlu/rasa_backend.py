"""An intent classifier that asks a Rasa 3.x server (POST /model/parse).

Only Rasa's intent ranking is used. Entities keep coming from Gridline's own extractors
(see nlu.parse.NluPipeline), because they return normalised values (a datetime for
"明晚七点", a validated phone number) that Rasa's DIETClassifier does not.

How Rasa's answer becomes a ranking, most likely first:

* `intent_ranking` entries, plus `intent` if it is missing from them (a ranking that is
  empty but has an `intent` gives a single item);
* `nlu_fallback` (Rasa's FallbackClassifier) is dropped: Gridline applies its own
  NLU_CONFIDENCE_THRESHOLD / NLU_AMBIGUITY_MARGIN to the real ranking beneath it, so
  one policy decides when to ask the resident rather than two stacked ones;
* if no named intent is left (Rasa answers `"intent": {"name": null}` when its model has
  no intent classifier, or when the text is empty), the ranking is
  `[("out_of_scope", 0.0)]`: the conversation then offers the category buttons, which is
  the same thing it does for anything it does not understand. The pipeline indexes
  `ranking[0]`, so an empty ranking is never returned.

Every failure to get such an answer (refused connection, timeout, non-2xx status, a body
that is not JSON or not in Rasa's shape) raises NluUnavailable. The auth token is never
put into an error message, since those end up in logs.
"""

from __future__ import annotations

import asyncio
import math
from types import TracebackType
from typing import Any

import httpx

from nlu.intents import OUT_OF_SCOPE
from nlu.parse import NluUnavailable

# The intent Rasa's FallbackClassifier puts on top of the ranking below its threshold.
RASA_FALLBACK_INTENT = "nlu_fallback"
# How much of an error body to quote: enough for Rasa's "message", not a whole HTML page.
_BODY_EXCERPT = 200


class RasaClassifier:
    """IntentClassifier over HTTP, talking to `rasa run --enable-api`."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 5.0,
        token: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._token = token or None
        # A client passed in belongs to the caller (shared pools, tests): not ours to close.
        self._owns_client = client is None
        self._client = client if client is not None else httpx.AsyncClient(timeout=timeout)

    async def rank(self, text: str) -> list[tuple[str, float]]:
        body = await self._request("POST", "/model/parse", json={"text": text})
        return ranking_from_rasa(body)

    async def status(self) -> dict[str, Any]:
        """Rasa's GET /status (model_id, model_file, num_active_training_jobs...).

        Raises NluUnavailable when the server is down or has no model loaded (Rasa answers
        409 then), so a health check can report it.
        """
        return await self._request("GET", "/status")

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self) -> RasaClassifier:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _request(
        self, method: str, path: str, json: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        # The URL as shown in errors: without the token.
        shown = f"{self.base_url}{path}"
        params = {"token": self._token} if self._token else None
        try:
            # httpx's timeout is per phase (connect, each read...), so a server that
            # trickles bytes could exceed it many times over; the outer deadline bounds
            # the whole exchange, which is what a resident waiting for an answer feels.
            async with asyncio.timeout(self.timeout):
                response = await self._client.request(
                    method, shown, params=params, json=json, timeout=self.timeout
                )
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise self._unavailable(
                f"Rasa at {shown} did not answer within {self.timeout:g}s"
            ) from exc
        except httpx.HTTPError as exc:
            reason = str(exc) or type(exc).__name__
            raise self._unavailable(f"Rasa at {shown} is unreachable: {reason}") from exc

        if not response.is_success:
            raise self._unavailable(
                f"Rasa at {shown} answered HTTP {response.status_code}: {_error_detail(response)}"
            )
        try:
            body = response.json()
        except ValueError as exc:  # json.JSONDecodeError and UnicodeDecodeError
            raise self._unavailable(
                f"Rasa at {shown} answered with a body that is not JSON: "
                f"{response.text[:_BODY_EXCERPT]!r}"
            ) from exc
        if not isinstance(body, dict):
            raise self._unavailable(f"Rasa at {shown} answered JSON that is not an object")
        return body

    def _unavailable(self, message: str) -> NluUnavailable:
        # Error texts quote httpx and the server; neither should ever leak the token.
        if self._token:
            message = message.replace(self._token, "***")
        return NluUnavailable(message)


def ranking_from_rasa(body: dict[str, Any]) -> list[tuple[str, float]]:
    """A /model/parse response body → [(intent, confidence)], most likely first.

    The rules are in the module docstring. A body that is not in Rasa's shape raises
    NluUnavailable: guessing an intent from it would route a resident's request wrongly.
    """
    entries: list[Any] = []
    raw_ranking = body.get("intent_ranking")
    if raw_ranking is not None:
        if not isinstance(raw_ranking, list):
            raise NluUnavailable("Rasa's intent_ranking is not a list")
        entries.extend(raw_ranking)
    raw_intent = body.get("intent")
    if raw_intent is not None:
        entries.append(raw_intent)

    best: dict[str, float] = {}
    for entry in entries:
        item = _ranking_item(entry)
        if item is None:
            continue
        name, confidence = item
        # `intent` repeats the top of `intent_ranking`; keep one item per intent.
        best[name] = max(confidence, best.get(name, confidence))
    best.pop(RASA_FALLBACK_INTENT, None)
    if not best:
        return [(OUT_OF_SCOPE, 0.0)]
    # Stable sort: equal confidences keep Rasa's order.
    return sorted(best.items(), key=lambda item: -item[1])


def _ranking_item(entry: Any) -> tuple[str, float] | None:
    if not isinstance(entry, dict):
        raise NluUnavailable(f"Rasa's intent entry is not an object: {entry!r}")
    name = entry.get("name")
    if name is None or name == "":
        return None  # Rasa's "no intent" answer
    confidence = entry.get("confidence")
    if not isinstance(name, str):
        raise NluUnavailable(f"Rasa's intent name is not a string: {name!r}")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not math.isfinite(confidence)
    ):
        raise NluUnavailable(f"Rasa's confidence for {name!r} is not a number: {confidence!r}")
    return name, float(confidence)


def _error_detail(response: httpx.Response) -> str:
    # Rasa's errors are JSON with a "message" (e.g. 409 "No agent loaded..."); anything
    # else (a proxy's HTML page) is quoted briefly.
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return body["message"][:_BODY_EXCERPT]
    return response.text[:_BODY_EXCERPT] or response.reason_phrase
