"""Running the emulator: in-process for the app, or as a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core.config import Connection, Secret, data_dir
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.store import Store

EMBEDDED_BASE_URL = "http://emulator.localhost"


def default_db_path() -> Path:
    return data_dir() / "emulator.sqlite3"


def demo_connection(base_url: str = EMBEDDED_BASE_URL) -> Connection:
    return Connection(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username=demo.DEMO_ACCOUNT_SID,
        password=Secret(demo.DEMO_AUTH_TOKEN),
        base_url=base_url,
        profile="demo sandbox",
        source="embedded emulator",
    )


def open_emulator(
    db: str | Path | None = None,
    *,
    seed: bool = True,
    account_sid: str = demo.DEMO_ACCOUNT_SID,
    auth_token: str = demo.DEMO_AUTH_TOKEN,
    latency_ms: float = 0.0,
    review_seconds: float | None = None,
    allow_webhooks: Iterable[str] = (),
) -> EmulatorApp:
    store = Store(default_db_path() if db is None else db)
    if seed and store.path == ":memory:":
        template, made_at = _demo_template(account_sid)
        template.db.backup(store.db)
        store.shift_times(store.clock() - made_at)
    elif seed:
        demo.ensure_demo(store, account_sid)
    return EmulatorApp(
        store,
        account_sid=account_sid,
        auth_token=auth_token,
        latency_ms=latency_ms,
        review_seconds=review_seconds,
        allow_webhooks=frozenset(h.lower() for h in allow_webhooks),
    )


_TEMPLATES: dict[str, tuple[Store, float]] = {}
_TEMPLATES_LOCK = threading.Lock()


def _demo_template(account_sid: str) -> tuple[Store, float]:
    """The demo seeded once per process, and when: an in-memory emulator starts as a copy of
    it (SQLite's backup, a few ms) with its times moved to now, instead of replaying the
    demo's few hundred messages each time (~0.3 s)."""
    with _TEMPLATES_LOCK:
        made = _TEMPLATES.get(account_sid)
        if made is None:
            template = Store()
            made = (template, template.clock())
            demo.ensure_demo(template, account_sid)
            _TEMPLATES[account_sid] = made
        return made


def embedded_client(app: EmulatorApp, **kw: Any) -> MessagingClient:
    """A client wired to the emulator with no socket at all (the app's demo sandbox)."""
    # EmulatorApp is an ASGI app with dict-typed scope and messages; httpx spells the same
    # callable's type with its own aliases, which mypy cannot see are one shape
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    conn = demo_connection()
    conn.username = app.account_sid
    conn.account_sid = app.account_sid
    return MessagingClient.from_connection(conn, transport=transport, **kw)


@dataclass
class RunningServer:
    """A uvicorn server on a background thread, for tests and benchmarks."""

    app: EmulatorApp
    host: str
    port: int
    _server: Any  # uvicorn.Server, imported only when a server runs

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Ask the server to stop, without waiting for it to have stopped: uvicorn notices at
        its next tick (every 0.1 s), then gives open connections another 0.1 s, a fifth of a
        second every test with a server slept through. Nothing after a stop needs the old
        server gone: each has its own port and its own store, on a daemon thread."""
        self._server.should_exit = True


def start_in_thread(app: EmulatorApp, host: str = "127.0.0.1", port: int = 0) -> RunningServer:
    import uvicorn  # imported here: the TUI's start-up never pays for it

    sock = listen_socket(host, port)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)

    def run() -> None:
        asyncio.run(server.serve(sockets=[sock]))

    thread = threading.Thread(target=run, name="emulator", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the emulator did not start")
        time.sleep(0.01)
    return RunningServer(app, host, port, server)


def listen_socket(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port), made before anything is printed or opened, so a port
    in use is said plainly (OSError with errno EADDRINUSE) instead of after the banner, and
    port 0 gives the free port the banner then shows."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio turns Nagle off (TCP_NODELAY) only on connections whose
    # socket says proto == IPPROTO_TCP, and an accepted socket inherits its listener's proto.
    # With proto 0, uvicorn's two writes per answer (head, then body) met the client's delayed
    # ACK and every answer on a kept-alive connection waited ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        # as uvicorn does: a port left in TIME_WAIT by a stopped emulator is usable again (on
        # Linux this never lets two servers listen on one port)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # listening at once: a client that connects while the server starts waits in the
        # queue instead of being refused (uvicorn's own backlog)
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def serve_forever(
    app: EmulatorApp, host: str, port: int, *, sock: socket.socket | None = None
) -> None:
    import uvicorn

    # real time: statuses move and status callbacks go out with no request to drive them,
    # until the server stops (the clock's thread ends at its next tick)
    app.messaging.start_ticker()
    try:
        if sock is None:
            uvicorn.run(app, host=host, port=port, log_level="info", lifespan="off")
            return
        config = uvicorn.Config(app, log_level="info", lifespan="off")
        asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
    finally:
        app.messaging.stop_ticker()
