from bot.runtime.container import Gridline
from county import directory, workers
from county.models import GridPosition, WorkerRole
from county.workers import DAY_SHIFT
from tests.factories import place


async def test_a_new_grid_worker_has_the_standard_week_and_their_grid(gridline: Gridline) -> None:
    async with gridline.sessions() as session:
        grid = await place(session)
        worker = await workers.create_grid_worker(
            session, name="赵云", phone="13800000009", grid=grid,
            position=GridPosition.BACKUP, now=gridline.clock.now(),
        )  # fmt: skip
        await session.commit()
        assert worker.role == WorkerRole.GRID_WORKER
        assert sorted((s.weekday, s.starts, s.ends) for s in worker.shifts) == [
            (day, *DAY_SHIFT) for day in range(5)
        ]
        assert [g.id for g in await directory.grids_served_by(session, worker)] == [grid.id]
        assert await workers.grid_worker_named(session, "赵云", grid) is worker
        assert not worker.is_reachable
        workers.link_account(worker, channel="telegram", external_id="77", chat_id="77")
        assert worker.is_reachable
        assert await directory.worker_by_account(session, "telegram", "77") is worker
