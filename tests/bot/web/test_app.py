from datetime import date

import httpx

from bot.runtime.container import Gridline
from bot.web.app import create_web_app
from county.calendar import day_kind


async def client(gridline: Gridline) -> httpx.AsyncClient:
    app = create_web_app(gridline.parser, gridline.health, telegram_enabled=False)
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://gridline.test")


async def test_health_reports_database_and_calendar_gaps(gridline: Gridline) -> None:
    day_kind(date(2027, 1, 1))  # chinesecalendar 1.11 has no 2027 data: a known gap
    async with await client(gridline) as http:
        response = await http.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["telegram"]) == ("ok", "ok", False)
    assert 2027 in body["calendar_gaps"]


async def test_model_parse_answers_in_rasa_shape(gridline: Gridline) -> None:
    async with await client(gridline) as http:
        response = await http.post("/model/parse", json={"text": "楼道里有人给电瓶车充电"})
        bad = await http.post("/model/parse", json={"message": "x"})
    body = response.json()
    assert body["text"] == "楼道里有人给电瓶车充电"
    assert body["intent"]["name"] == "hazard"
    assert 0 < body["intent"]["confidence"] <= 1
    ranking = body["intent_ranking"]
    assert ranking[0]["name"] == "hazard"
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])
    assert body["entities"] == []
    assert body["emergency"] is None  # a hazard for a grid worker, nobody to call
    assert bad.status_code == 400
