"""bulk.update_many against the emulator over loopback: bounded, and backing off together."""

from __future__ import annotations

import asyncio

from msgsvc_tui.emulator.app import Fault
from msgsvc_tui.ops import bulk
from msgsvc_tui.ops.writes import Writes


async def test_bounded_concurrency_and_a_result_per_service(client, emulator):
    services = await client.list_services()
    sids = [s["sid"] for s in services]
    in_flight = peak = 0
    original = emulator.__class__.__call__

    async def counting(self, scope, receive, send):
        nonlocal in_flight, peak
        if scope["type"] == "http" and scope["method"] == "POST":
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.05)
            try:
                return await original(self, scope, receive, send)
            finally:
                in_flight -= 1
        return await original(self, scope, receive, send)

    emulator.__class__.__call__ = counting
    try:
        done: list[str] = []
        outcomes = await bulk.update_many(
            Writes.open(client), services, {"mms_converter": False}, concurrency=3,
            on_done=lambda o: done.append(o.sid),
        )  # fmt: skip
    finally:
        emulator.__class__.__call__ = original
    assert [o.sid for o in outcomes] == sids and all(o.ok for o in outcomes)
    assert sorted(done) == sorted(sids)
    assert peak == 3  # never more than the bound, and the bound is used
    assert all(o.updated["mms_converter"] is False for o in outcomes)


async def test_failures_are_reported_not_raised(client, emulator):
    services = await client.list_services(limit=4)
    emulator.inject(Fault(500, b'{"code": 20500, "message": "boom"}'))
    writes = Writes.open(client)
    outcomes = await bulk.update_many(writes, services, {"sticky_sender": False}, concurrency=1)
    assert [o.ok for o in outcomes] == [False, True, True, True]
    assert "20500" in outcomes[0].words
    # one batch in the journal: the three that happened, the failure marked failed
    entries = writes.journal.recent()
    assert len({e.batch for e in entries}) == 1
    assert sorted(e.state for e in entries) == ["done", "done", "done", "failed"]


async def test_429_backs_everyone_off_together(client, emulator):
    services = await client.list_services(limit=6)
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    client.sleep = sleep
    emulator.inject(
        Fault(429, b'{"code": 20429, "message": "Too Many Requests"}', {"Retry-After": "1"})
    )
    writes = Writes.open(client)
    outcomes = await bulk.update_many(writes, services, {"sticky_sender": True}, concurrency=6)
    assert all(o.ok for o in outcomes)
    # the 429's delay was shared: other requests waited on the same back-off window
    assert slept.count(1.0) == 1 and len(slept) >= 2
