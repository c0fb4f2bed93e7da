"""Deterministic network faults between a client and the emulator, for tests and `make soak`.

`FaultyTransport` wraps the transport a `MessagingClient` uses (the emulator in-process, or
real loopback HTTP) and, for a seeded share of requests, answers with one of the faults a real
network and a real Twilio produce. What matters for trust is *when* each fault strikes: before
the server applied the request (nothing changed) or after (it changed, but the answer is lost).
Each fault is a real failure as httpx raises it, never a sleep: a stall is a `ReadTimeout`
raised at once, so no test waits on the clock.

    kind            server applied it?   what the client sees
    ----            ------------------   --------------------
    500             no                   HTTP 500 with Twilio's error body
    503             no                   HTTP 503 with Twilio's error body
    429             no                   HTTP 429, Retry-After: 0 (Twilio never ran it)
    reset-before    no                   connection reset while sending (ReadError)
    stall-before    no                   no answer in time (ReadTimeout)
    reset-after     yes                  connection reset before the answer (ReadError)
    stall-after     yes                  no answer in time (ReadTimeout)
    cut-body        yes                  the answer's body cut short (RemoteProtocolError)
    503-after       yes                  HTTP 503 although the write was applied
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import httpx


class FaultKind(StrEnum):
    STATUS_500 = "500"
    STATUS_503 = "503"
    STATUS_429 = "429"
    RESET_BEFORE = "reset-before"
    STALL_BEFORE = "stall-before"
    RESET_AFTER = "reset-after"
    STALL_AFTER = "stall-after"
    CUT_BODY = "cut-body"
    APPLIED_503 = "503-after"

    @property
    def applies(self) -> bool:
        """Whether the server carries out the request before this fault strikes."""
        return self in _APPLIED


_APPLIED = frozenset(
    {FaultKind.RESET_AFTER, FaultKind.STALL_AFTER, FaultKind.CUT_BODY, FaultKind.APPLIED_503}
)
ALL_KINDS: tuple[FaultKind, ...] = tuple(FaultKind)


@dataclass
class Injected:
    method: str
    path: str
    fault: FaultKind | None


@dataclass
class FaultPlan:
    """Which request gets which fault: a seeded rate, or an explicit script (tests)."""

    rate: float = 0.0
    seed: int = 0
    kinds: tuple[FaultKind, ...] = ALL_KINDS
    script: list[FaultKind | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def next(self) -> FaultKind | None:
        if self.script:
            return self.script.pop(0)
        if self.rate and self._rng.random() < self.rate:
            return self._rng.choice(self.kinds)
        return None


def _twilio_error(status: int, message: str) -> bytes:
    return json.dumps(
        {"code": 20500 if status >= 500 else 20429, "message": message, "status": status}
    ).encode()


class _CutStream(httpx.AsyncByteStream):
    """The first half of a body, then the connection closes."""

    def __init__(self, content: bytes) -> None:
        self._content = content

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._content[: max(1, len(self._content) // 2)]
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )


class FaultyTransport(httpx.AsyncBaseTransport):
    """Injects `plan`'s faults into requests on their way to `inner`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        plan: FaultPlan | None = None,
        *,
        only_methods: Iterable[str] | None = None,
    ) -> None:
        self.inner = inner
        self.plan = plan or FaultPlan()
        self.only_methods = {m.upper() for m in only_methods} if only_methods else None
        self.log: list[Injected] = []

    def script(self, *faults: FaultKind | None) -> None:
        """The next requests get these faults, in order (None: no fault)."""
        self.plan.script.extend(faults)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault = None
        if self.only_methods is None or request.method in self.only_methods:
            fault = self.plan.next()
        self.log.append(Injected(request.method, request.url.path, fault))
        if fault is None:
            return await self.inner.handle_async_request(request)
        if fault is FaultKind.RESET_BEFORE:
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        if fault is FaultKind.STALL_BEFORE:
            raise httpx.ReadTimeout("timed out (injected)", request=request)
        if not fault.applies:
            status = int(fault.value)
            headers = {"Content-Type": "application/json"}
            if status == 429:
                headers["Retry-After"] = "0"
            return httpx.Response(
                status, headers=headers, content=_twilio_error(status, f"injected {status}")
            )
        # the server carries the request out; then the answer goes astray
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        await response.aclose()
        if fault is FaultKind.RESET_AFTER:
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
        if fault is FaultKind.STALL_AFTER:
            raise httpx.ReadTimeout("timed out (injected)", request=request)
        if fault is FaultKind.APPLIED_503:
            return httpx.Response(
                503,
                headers={"Content-Type": "application/json"},
                content=_twilio_error(503, "Service Unavailable (injected after applying)"),
            )
        # CUT_BODY
        return httpx.Response(
            response.status_code,
            headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"},
            stream=_CutStream(content),
        )

    async def aclose(self) -> None:
        await self.inner.aclose()
