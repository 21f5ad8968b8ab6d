"""AsyncExtendClient does what ExtendClient does: same results, errors and retries."""

from __future__ import annotations

import asyncio

import pytest

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY
from tools.client.clients import AsyncExtendClient
from tools.client.errors import InvalidRunIdError, NotFoundError, RateLimitError

SEED_ID = "workflow_run_1234"


@pytest.mark.parametrize("version", ["2024-12-23", "2026-02-09"])
async def test_async_get_and_update(emulator: EmulatorServer, version: str) -> None:
    async with AsyncExtendClient(EMULATOR_KEY, base_url=emulator.url, api_version=version) as c:
        run = await c.get_run(SEED_ID)
        amount = run.field("amount")
        assert amount is not None and amount.value["amount"] == 15735.1
        updated = await c.update_run(SEED_ID, name="Async", metadata={"source": "async"})
        # 2026-02-09 reads carry no name (update takes one): only 2024-12-23 reads it back
        assert updated.name == ("Async" if version == "2024-12-23" else None)
        assert updated.metadata == {"internal_id": "id_1234", "source": "async"}


async def test_async_retries_with_injected_sleep(emulator: EmulatorServer) -> None:
    emulator.faults.add("rate_limit", count=1, retry_after=2)
    emulator.faults.add("drop", count=1)
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async with AsyncExtendClient(EMULATOR_KEY, base_url=emulator.url, sleep=record) as c:
        assert (await c.get_run(SEED_ID)).id == SEED_ID
    assert sleeps[0] == 2.0 and len(sleeps) == 2


async def test_async_errors_match_sync(emulator: EmulatorServer) -> None:
    emulator.faults.add("rate_limit", count=5, retry_after=0)

    async def no_wait(_: float) -> None:
        pass

    async with AsyncExtendClient(
        EMULATOR_KEY, base_url=emulator.url, max_retries=1, sleep=no_wait
    ) as c:
        with pytest.raises(RateLimitError):
            await c.get_run(SEED_ID)
        with pytest.raises(InvalidRunIdError):
            await c.get_run("bad/id")
    emulator.faults.clear()
    async with AsyncExtendClient(EMULATOR_KEY, base_url=emulator.url) as c:
        with pytest.raises(NotFoundError):
            await c.get_run("workflow_run_missing")


async def test_async_calls_run_concurrently_on_one_pool(emulator: EmulatorServer) -> None:
    async with AsyncExtendClient(EMULATOR_KEY, base_url=emulator.url) as c:
        runs = await asyncio.gather(*(c.get_run(SEED_ID) for _ in range(20)))
    assert {r.id for r in runs} == {SEED_ID}
