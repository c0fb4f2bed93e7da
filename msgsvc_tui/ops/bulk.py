"""One change applied to many services: bounded concurrency, a result per service.

The client's shared back-off means a 429 on one request slows all of them together rather
than letting the other seven keep hammering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.core import fields

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]


@dataclass
class Outcome:
    sid: str
    updated: Json | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


async def update_many(
    client: MessagingClient,
    sids: Iterable[str],
    values: Mapping[str, Any],
    *,
    concurrency: int = 8,
    on_start: Callable[[str], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Update each service with `values`; never raises for one service's failure."""
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(sid: str) -> Outcome:
        async with limit:
            if on_start:
                on_start(sid)
            try:
                outcome = Outcome(sid, updated=await client.update_service(sid, values))
            except (errors.MsgsvcError, fields.ValidationError) as exc:
                outcome = Outcome(sid, error=exc)
            if on_done:
                on_done(outcome)
            return outcome

    return list(await asyncio.gather(*(one(s) for s in sids)))
