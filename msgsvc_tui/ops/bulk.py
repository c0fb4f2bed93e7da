"""One change applied to many services: bounded concurrency, a result per service, every
update through the write path as one journal batch (undone as one).

The client's shared back-off means a 429 on one request slows all of them together rather
than letting the other seven keep hammering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from msgsvc_tui.ops.writes import Writes

Json = dict[str, Any]


@dataclass
class Outcome:
    sid: str
    updated: Json | None = None
    error: BaseException | None = None
    words: str = ""  # what happened, or why not, in words

    @property
    def ok(self) -> bool:
        return self.updated is not None


async def update_many(
    writes: Writes,
    services: Iterable[Json],
    values: Mapping[str, Any],
    *,
    concurrency: int = 8,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Update each service (as the caller last saw it) with `values`; never raises for one
    service's failure."""
    limit = asyncio.Semaphore(max(1, concurrency))
    path = writes.batched()

    async def one(service: Json) -> Outcome:
        sid = str(service["sid"])
        async with limit:
            if on_start:
                on_start(sid)
            done = await path.update_service(sid, values, current=service)
            outcome = Outcome(sid, done.result if done.ok else None, done.error, done.words)
            if on_done:
                on_done(outcome)
            return outcome

    return list(await asyncio.gather(*(one(s) for s in services)))
