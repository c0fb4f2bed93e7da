"""`make bench` rows for Messages: sending 1,000 messages through a service and following them
to a final status (msgsvc-tui's client against the official SDK), and listing a service's
messages among 10,000 of the account's.

The emulator runs as a real process with 50 ms of latency and its clock 100 times real time
(`--clock-speed 100`): the playground's short code sends 100 segments a second of emulator
time, so 1,000 messages are all final about 0.1 s after the last is created, and what is
measured is the clients' work, not the queue's.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from msgsvc_tui.api import messages as api_messages
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core.messages import FINAL, Outgoing
from msgsvc_tui.emulator import demo

ACCOUNT, TOKEN = demo.DEMO_ACCOUNT_SID, demo.DEMO_AUTH_TOKEN
SEND_COUNT = 1000
LIST_COUNT = 10_000
CONCURRENCY = 8


@contextmanager
def messages_emulator(latency_ms: float, seed_messages: int = 0) -> Iterator[str]:
    from benchmarks.__main__ import emulator_process

    flags = ["--seed-demo", "--latency-ms", str(latency_ms), "--clock-speed", "100"]
    if seed_messages:
        flags += ["--seed-messages", str(seed_messages)]
    with emulator_process(flags) as url:
        yield url


def playground(url: str) -> str:
    body = httpx.get(f"{url}/v1/Services?PageSize=100", auth=(ACCOUNT, TOKEN), timeout=30).json()
    return next(s["sid"] for s in body["services"] if s["friendly_name"] == "Event Tickets")


def _recipients(tag: int) -> list[str]:
    return [f"+1415{tag}{i:06d}" for i in range(SEND_COUNT)]


async def ours_send(url: str, service: str, tag: int) -> dict[str, float]:
    """Create with CONCURRENCY requests in flight, then follow them all by listing the
    service's messages (one or two pages a round) until every one is final."""
    async with MessagingClient(
        account_sid=ACCOUNT, username=ACCOUNT, password=TOKEN, base_url=url
    ) as client:
        start = time.perf_counter()
        since = datetime.now(UTC) - timedelta(minutes=5)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(to: str) -> str:
            async with gate:
                made = await api_messages.create_message(
                    client, Outgoing(service_sid=service, to=to, body="Your tickets are ready")
                )
                return str(made["sid"])

        sids = set(await asyncio.gather(*(one(to) for to in _recipients(tag))))
        created = time.perf_counter() - start
        rounds = 0
        while True:
            rounds += 1
            found = await api_messages.list_service_messages(
                client, service, since=since, limit=50_000, scan_limit=50_000
            )
            final = {m["sid"] for m in found.messages if m.get("status") in FINAL}
            if sids <= final:
                break
            await asyncio.sleep(0.2)
        done = time.perf_counter() - start
        return {"created_s": created, "complete_s": done, "requests": client.requests_made,
                "rounds": rounds}  # fmt: skip


def sdk_send(url: str, service: str, tag: int) -> dict[str, float]:
    """The SDK as its docs show it: create one by one, then fetch each until final."""
    from benchmarks.__main__ import sdk_on_loopback

    client, Loopback = sdk_on_loopback(url)
    start = time.perf_counter()
    sids = [
        client.messages.create(
            messaging_service_sid=service, to=to, body="Your tickets are ready"
        ).sid
        for to in _recipients(tag)
    ]
    created = time.perf_counter() - start
    for sid in sids:
        while client.messages(sid).fetch().status not in FINAL:
            time.sleep(0.2)
    done = time.perf_counter() - start
    return {"created_s": created, "complete_s": done, "requests": Loopback.requests}


async def ours_list(url: str, service: str) -> dict[str, float]:
    async with MessagingClient(
        account_sid=ACCOUNT, username=ACCOUNT, password=TOKEN, base_url=url
    ) as client:
        start = time.perf_counter()
        found = await api_messages.list_service_messages(
            client,
            service,
            since=datetime.now(UTC) - timedelta(days=30),
            limit=50_000,
            scan_limit=50_000,
        )
        return {"complete_s": time.perf_counter() - start, "requests": client.requests_made,
                "kept": len(found.messages), "scanned": found.scanned}  # fmt: skip


def sdk_list(url: str, service: str) -> dict[str, float]:
    from benchmarks.__main__ import sdk_on_loopback

    client, Loopback = sdk_on_loopback(url)
    start = time.perf_counter()
    after = datetime.now(UTC) - timedelta(days=30)
    kept = [
        m
        for m in client.messages.stream(date_sent_after=after, page_size=1000)
        if m.messaging_service_sid == service
    ]
    return {"complete_s": time.perf_counter() - start, "requests": Loopback.requests,
            "kept": len(kept)}  # fmt: skip


def bench_messages(latency_ms: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with messages_emulator(latency_ms) as url:
        service = playground(url)
        out["send_ours"] = asyncio.run(ours_send(url, service, 2))
        out["send_sdk"] = sdk_send(url, service, 3)
    with messages_emulator(latency_ms, LIST_COUNT) as url:
        service = playground(url)
        out["list_ours"] = asyncio.run(ours_list(url, service))
        out["list_sdk"] = sdk_list(url, service)
        body = httpx.get(
            f"{url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json?PageSize=1000",
            auth=(ACCOUNT, TOKEN),
            timeout=30,
        ).text
        start = time.perf_counter()
        import json

        json.loads(body)
        parse = time.perf_counter() - start
    total = LIST_COUNT + 350  # the bulk messages and the demo's own
    pages = math.ceil(total / 1000)
    out["list_target_s"] = 1.1 * (pages * latency_ms / 1000 + pages * parse)
    return out


def rows(r: dict[str, Any]) -> list[str]:
    o, s = r["send_ours"], r["send_sdk"]
    lo, ls = r["list_ours"], r["list_sdk"]
    ok = "✅" if lo["complete_s"] <= r["list_target_s"] else "❌"
    return [
        f"| 9 | send {SEND_COUNT:,} + follow to final | {o['complete_s']:.1f} s, "
        f"{o['requests']:.0f} req (created in {o['created_s']:.1f} s) | "
        f"SDK {s['complete_s']:.1f} s, "
        f"{s['requests']:.0f} req (×{s['complete_s'] / o['complete_s']:.1f}) | | |",
        f"| 9 | a service's messages among {LIST_COUNT:,} | {lo['complete_s']:.2f} s, "
        f"{lo['requests']:.0f} req, {lo['kept']:.0f} kept | SDK stream page_size=1000 "
        f"{ls['complete_s']:.2f} s, {ls['requests']:.0f} req | ≤ {r['list_target_s']:.2f} s "
        f"(1.1 × (pages × RTT + parse)) | {ok} |",
    ]


if __name__ == "__main__":
    result = bench_messages(50)
    print("\n".join(rows(result)))
