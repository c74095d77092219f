"""Routing, sweeping and booking at the scale of a real county.

    python -m benchmarks.county_scale                       # embedded default (SQLite file)
    python -m benchmarks.county_scale --database-url postgresql://postgres@127.0.0.1/bench

Generates a county like the one Gridline is modelled on: 13 urban communities with 100
grids, 260 villages with one to six grids (~1 000 grids in all), one grid worker per grid
plus a backup, an officer per community and per town (~1 300 workers, each with a week of
shifts), 100 000 residents, 10 000 open tickets. Then measures:
- a routing decision (`choose_assignee`) for random grids, p50/p99;
- a sweeper pass (`escalate_overdue`) over the 10 000 open tickets with 1 % overdue, and
  with none overdue;
- booking throughput when 200 residents race for 40 seats at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, text

from core.clock import LOCAL_TZ
from core.config import Settings
from core.db import open_database
from county import appointments, routing
from county.models import (
    Community,
    Grid,
    GridAssignment,
    Resident,
    Shift,
    Ticket,
    Town,
    Worker,
)
from handlers.escalation import escalate_overdue

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)  # a Friday morning
URBAN, VILLAGES, URBAN_GRIDS, RESIDENTS, OPEN_TICKETS = 13, 260, 100, 100_000, 10_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def generate(sessions: Any, rng: random.Random) -> dict[str, int]:
    async with sessions() as session:
        towns = [{"code": f"T{i:02d}", "name": f"第{i}镇"} for i in range(1, 14)]
        await session.execute(insert(Town), towns)
        town_ids = list((await session.scalars(select(Town.id).order_by(Town.id))).all())
        communities = [
            {"town_id": town_ids[i % len(town_ids)], "code": f"U{i:03d}", "name": f"城区社区{i}",
             "kind": "community"} for i in range(URBAN)
        ] + [
            {"town_id": town_ids[i % len(town_ids)], "code": f"V{i:03d}", "name": f"村{i}",
             "kind": "village"} for i in range(VILLAGES)
        ]  # fmt: skip
        await session.execute(insert(Community), communities)
        rows = await session.execute(select(Community.id, Community.code, Community.town_id))
        community_rows = rows.all()
        grids: list[dict[str, Any]] = []
        for community_id, code, _ in community_rows:
            count = URBAN_GRIDS // URBAN + (1 if code == "U000" else 0) if code[0] == "U" else (
                rng.choice((1, 2, 2, 3, 3, 4, 6)))  # fmt: skip
            grids += [{"community_id": community_id, "code": f"{code}-{g:02d}",
                       "name": f"第{g}网格", "latitude": 30 + rng.random(),
                       "longitude": 113 + rng.random()} for g in range(1, count + 1)]  # fmt: skip
        await session.execute(insert(Grid), grids)
        grid_rows = (await session.execute(select(Grid.id, Grid.community_id))).all()
        workers = [{"name": f"网格员{i}", "role": "grid_worker", "created_at": NOW,
                    "channel": "bench", "external_id": f"g{i}", "chat_id": f"g{i}",
                    "active": True} for i in range(len(grid_rows))]  # fmt: skip
        workers += [{"name": f"社区干部{cid}", "role": "community_officer", "created_at": NOW,
                     "community_id": cid, "channel": "bench", "external_id": f"c{cid}",
                     "chat_id": f"c{cid}", "active": True}
                    for cid, _, _ in community_rows]  # fmt: skip
        workers += [{"name": f"镇干部{tid}", "role": "town_officer", "created_at": NOW,
                     "town_id": tid, "channel": "bench", "external_id": f"t{tid}",
                     "chat_id": f"t{tid}", "active": True} for tid in town_ids]  # fmt: skip
        await session.execute(insert(Worker), workers)
        worker_ids = list((await session.scalars(select(Worker.id).order_by(Worker.id))).all())
        assignments = []
        for index, (grid_id, _) in enumerate(grid_rows):
            assignments.append({"worker_id": worker_ids[index], "grid_id": grid_id,
                                "position": "primary"})  # fmt: skip
            backup = worker_ids[(index + 1) % len(grid_rows)]
            assignments.append({"worker_id": backup, "grid_id": grid_id, "position": "backup"})
        await session.execute(insert(GridAssignment), assignments)
        shifts = [{"worker_id": w, "weekday": d, "starts": clock_time(8, 30),
                   "ends": clock_time(17, 30)} for w in worker_ids for d in range(5)]  # fmt: skip
        shifts += [{"worker_id": w, "weekday": 5, "starts": clock_time(9, 0),
                    "ends": clock_time(12, 0)} for w in worker_ids[::7]]  # fmt: skip
        await session.execute(insert(Shift), shifts)
        grid_ids = [g for g, _ in grid_rows]
        residents = [{"channel": "bench", "external_id": f"r{i}", "chat_id": f"r{i}",
                      "grid_id": grid_ids[i % len(grid_ids)], "created_at": NOW}
                     for i in range(RESIDENTS)]  # fmt: skip
        for start in range(0, RESIDENTS, 10_000):
            await session.execute(insert(Resident), residents[start : start + 10_000])
        tickets = []
        for i in range(OPEN_TICKETS):
            index = rng.randrange(len(grid_rows))
            overdue = i % 100 == 0  # 1 % of open tickets past their acknowledgement limit
            tickets.append({
                "number": f"GL-BENCH-{i:05d}", "category": "dispute", "priority": "yellow",
                "status": "assigned", "grid_id": grid_rows[index][0],
                "resident_id": i % RESIDENTS + 1, "assignee_id": worker_ids[index],
                "source_channel": "bench", "summary": "楼上太吵", "created_at": NOW,
                "updated_at": NOW, "escalation_level": "grid", "emergency": False,
                "ack_due_at": NOW - timedelta(minutes=1) if overdue else NOW + timedelta(hours=1),
            })  # fmt: skip
        await session.execute(insert(Ticket), tickets)
        await session.commit()
    return {"grids": len(grid_rows), "workers": len(worker_ids), "residents": RESIDENTS,
            "open_tickets": OPEN_TICKETS}  # fmt: skip


async def routing_latency(
    sessions: Any, rng: random.Random, samples: int = 1000
) -> dict[str, float]:
    async with sessions() as session:
        grids = list((await session.scalars(select(Grid))).all())
        timings = []
        for _ in range(samples):
            grid = rng.choice(grids)
            started = time.perf_counter()
            decision = await routing.choose_assignee(session, grid, NOW)
            timings.append((time.perf_counter() - started) * 1000)
            assert decision.worker is not None
    return {"routing_ms_p50": round(percentile(timings, 0.5), 2),
            "routing_ms_p99": round(percentile(timings, 0.99), 2)}  # fmt: skip


async def sweeper_pass(sessions: Any) -> dict[str, float]:
    async with sessions() as session:
        started = time.perf_counter()
        moved = await escalate_overdue(session, NOW)
        await session.commit()
        busy = time.perf_counter() - started
    async with sessions() as session:
        started = time.perf_counter()
        idle_moved = await escalate_overdue(session, NOW)
        idle = time.perf_counter() - started
    return {"sweep_seconds_100_overdue_of_10000": round(busy, 3), "escalated": moved,
            "sweep_seconds_none_overdue": round(idle, 4), "escalated_idle": idle_moved}  # fmt: skip


async def booking_throughput(sessions: Any) -> dict[str, float]:
    async with sessions() as session:
        community = (await session.scalars(select(Community).where(Community.code == "U001"))).one()
        workers = list((await session.scalars(select(Worker).limit(4))).all())
        window = await appointments.add_window(
            session, community, weekday=0, starts=clock_time(18, 0), ends=clock_time(23, 0),
            slot_minutes=30, workers=workers,
        )  # fmt: skip
        await session.commit()
        slots = await appointments.slots_between(
            session, community.id, NOW, NOW + timedelta(days=7), NOW
        )
    seats = sum(s.capacity for s in slots)

    async def attempt(i: int) -> bool:
        slot = slots[i % len(slots)]
        async with sessions() as session:
            resident = await session.get(Resident, 50_000 + i)
            booked = await appointments.book(
                session, resident=resident, community_id=community.id,
                slot_start=slot.starts_at, window_id=window.id, now=NOW,
            )  # fmt: skip
            await session.commit()
            return booked is not None

    started = time.perf_counter()
    results = await asyncio.gather(*(attempt(i) for i in range(200)))
    elapsed = time.perf_counter() - started
    return {"booking_attempts": 200, "seats": seats, "booked": sum(results),
            "booking_attempts_per_second": round(200 / elapsed)}  # fmt: skip


async def main_async(database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as raw:
        settings = Settings(_env_file=None, data_dir=Path(raw),  # type: ignore[call-arg]
                            database_url=database_url)  # fmt: skip
        engine, sessions = await open_database(settings)
        if database_url:
            async with engine.begin() as connection:  # a clean slate on a benchmark database
                tables = "towns, communities, grids, workers, residents, tickets"
                await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        rng = random.Random(2026)
        started = time.perf_counter()
        sizes = await generate(sessions, rng)
        figures: dict[str, Any] = {
            "backend": engine.dialect.name,
            **sizes,
            "generate_seconds": round(time.perf_counter() - started, 1),
        }
        figures |= await routing_latency(sessions, rng)
        figures |= await sweeper_pass(sessions)
        figures |= await booking_throughput(sessions)
        await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a throw-away PostgreSQL database (default SQLite)")
    args = parser.parse_args()
    figures = asyncio.run(main_async(args.database_url))
    print(json.dumps(figures, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
