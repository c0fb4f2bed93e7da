"""The emulator's HTTP side: a plain ASGI app speaking Twilio's wire format; what it answers
is in routes.py's one table.

No web framework: the routes are few and the wire details (form bodies, Twilio's error
shape, absolute URLs built from the request's own host) are easier to get exactly right by
hand. It runs in-process through `httpx.ASGITransport` or behind uvicorn on loopback.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from msgsvc_tui.core import fields
from msgsvc_tui.emulator.db import EmulatorError
from msgsvc_tui.emulator.messaging import Messaging
from msgsvc_tui.emulator.routes import route_table
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.webhooks import Webhooks
from msgsvc_tui.emulator.wire import (
    MAX_PAGE_SIZE,
    Fault,
    Request,
    Response,
    all_values,
    base_url,
    error_response,
    last_values,
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# A Messaging Service's whole form body is well under 8 KB; a megabyte is generous. Beyond it
# the answer is a 413 in Twilio's error shape (its code for this is not documented: the
# generic 20001 is used rather than a code that means something else).
MAX_BODY_BYTES = 1024 * 1024


class EmulatorApp:
    def __init__(
        self,
        store: Store,
        *,
        account_sid: str,
        auth_token: str,
        api_key: str | None = None,
        api_secret: str | None = None,
        latency_ms: float = 0.0,
        review_seconds: float | None = None,
        allow_webhooks: frozenset[str] = frozenset(),
    ) -> None:
        self.store = store
        self.account_sid = account_sid
        self._credentials = {(account_sid, auth_token)}
        if api_key and api_secret:
            self._credentials.add((api_key, api_secret))
        self.latency = latency_ms / 1000.0
        self.faults: deque[Fault] = deque()
        self.requests_served = 0
        if review_seconds is not None:
            store.review_seconds = review_seconds
        # status callbacks and inbound webhooks are signed with the account's auth token
        self.webhooks = Webhooks(auth_token, allow_webhooks)
        self.messaging = Messaging(store, self.webhooks)
        self._routes = route_table(store, self.messaging)

    def inject(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    # ---- ASGI -----------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        self.requests_served += 1
        if body is None:
            too_large = EmulatorError(
                413, fields.INVALID_PARAMETER, f"Request body larger than {MAX_BODY_BYTES} bytes"
            )
            response = self._error(too_large)
            await _send(send, 413, [json.dumps(response.body).encode()], _JSON_HEADERS)
            return
        if self.latency:
            await wait_precisely(self.latency)
        if self.faults:
            fault = self.faults.popleft()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            await _send(send, fault.status, [fault.body], fault.headers)
            return
        response = self.handle(scope, body)
        if response.rest is not None:
            headers = {"Content-Type": "application/json", **response.headers}
            await _send_streamed(send, response.status, response.raw or [], response.rest, headers)
            return
        if response.raw is not None:
            payload = response.raw
        else:
            payload = [b"" if response.body is None else json.dumps(response.body).encode()]
        has_body = response.body is not None or response.raw is not None
        headers = {"Content-Type": "application/json"} if has_body else {}
        headers.update(response.headers)
        await _send(send, response.status, payload, headers)

    def handle(self, scope: Scope, body: bytes) -> Response:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            account = self._authenticate(headers.get("authorization", ""))
            method = scope["method"].upper()
            path = scope["path"].rstrip("/") or "/"
            for pattern, handlers in self._routes:
                m = pattern.match(path)
                if not m:
                    continue
                handler = handlers.get(method)
                if handler is None:
                    # RFC 9110 §15.5.6: a 405 names the methods the resource does allow.
                    allow = ", ".join(sorted(handlers))
                    return self._error(
                        EmulatorError(405, 20004, f"Method {method} not allowed on {path}"),
                        {"Allow": allow},
                    )
                form_lists = all_values(body, "body") if method == "POST" else {}
                request = Request(
                    method=method,
                    path=path,
                    query=last_values(scope.get("query_string", b""), "query string"),
                    form={k: v[-1] for k, v in form_lists.items()},
                    base=base_url(scope, headers),
                    account_sid=account,
                    form_lists=form_lists,
                )
                # campaign reviews and messages move on the clock before anything is read
                self.store.advance()
                self.messaging.advance()
                with self.store.lock:  # the clock's ticker and webhook replies write too
                    return handler(request, *m.groups())
            raise EmulatorError(404, 20404, f"The requested resource {path} was not found")
        except EmulatorError as exc:
            extra = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if exc.status == 401 else {}
            return self._error(exc, extra)

    _error = staticmethod(error_response)

    def _authenticate(self, header: str) -> str:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic" or not token:
            raise EmulatorError(401, 20003, "Authenticate")
        try:
            user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise EmulatorError(401, 20003, "Authenticate") from None
        if (user, password) not in self._credentials:
            raise EmulatorError(401, 20003, "Authentication Error - invalid username or password")
        return self.account_sid


async def wait_precisely(seconds: float) -> None:
    """Sleep `seconds` to within ~0.1 ms, so --latency-ms N means N.

    asyncio's timer alone wakes 0.3-2 ms late (a core that slept is slow to pick up); the last
    2 ms are spent yielding to the loop instead, so other requests still run meanwhile.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    if seconds > SPIN:
        await asyncio.sleep(seconds - SPIN)
    while loop.time() < deadline:
        await asyncio.sleep(0)


SPIN = 0.002


async def _send(send: Send, status: int, body: list[bytes], headers: dict[str, str]) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(sum(map(len, body))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    for i, piece in enumerate(body, 1):
        await send({"type": "http.response.body", "body": piece, "more_body": i < len(body)})


async def _send_streamed(
    send: Send, status: int, head: list[bytes], rest: Iterator[bytes], headers: dict[str, str]
) -> None:
    """The head at once, then each later piece as it is made (chunked: its length is not
    known yet), yielding to the loop between pieces so a request that arrives meanwhile
    starts its round trip instead of waiting for this answer to be rendered."""
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    for piece in head:
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    for piece in rest:
        await asyncio.sleep(0)
        await send({"type": "http.response.body", "body": piece, "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


_JSON_HEADERS = {"Content-Type": "application/json"}


async def _read_body(receive: Receive) -> bytes | None:
    """The request body in linear time (chunks joined once), or None past MAX_BODY_BYTES
    (the rest is still drained, so the connection stays usable)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks) if size <= MAX_BODY_BYTES else None


__all__ = ["MAX_BODY_BYTES", "MAX_PAGE_SIZE", "EmulatorApp", "Fault", "Response"]
