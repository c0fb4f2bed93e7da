"""The visitors of `msgsvc-tui serve`: one app process and one sandbox folder per browser tab.

textual-serve runs the command it is given once per websocket; VisitorService adds what a
workshop needs around each run: a fresh folder (a new copy of the demo data in its own SQLite
file, its own journal, an empty config, no TWILIO_* variables), a bounded quit, and the folder
removed once the process has ended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shlex
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from msgsvc_tui.core.config import CONFIG_ENV, DATA_ENV

log = logging.getLogger("textual-serve")

SANDBOX_PREFIX = "msgsvc-tui-visitor-"
SANDBOX_DB = "sandbox.sqlite3"
# A visitor's process gets this long to quit when its tab closes, then it is killed.
QUIT_GRACE_SECONDS = 5.0


class VisitorService(AppService):
    """One browser tab's app process, with its own sandbox folder (under $TMPDIR, or
    `sandbox_root`), removed when it ends."""

    def __init__(self, command: str, *, sandbox_root: str | None, **kwargs: Any) -> None:
        self.sandbox = Path(tempfile.mkdtemp(prefix=SANDBOX_PREFIX, dir=sandbox_root))
        db = self.sandbox / SANDBOX_DB
        super().__init__(f"{command} --sandbox-db {shlex.quote(str(db))}", **kwargs)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        for name in list(env):
            if name.startswith("TWILIO_"):
                del env[name]  # the presenter's credentials are not the visitors'
        env[CONFIG_ENV] = str(self.sandbox / "config" / "config.toml")
        env[DATA_ENV] = str(self.sandbox / "data")
        return env

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def run(self) -> None:
        try:
            await super().run()
        finally:
            await self._reap()

    async def stop(self) -> None:
        """Ask the app to quit; kill it if it has not within the grace period. (The base class
        waits for ever on an app that does not answer.)"""
        task, self._task = self._task, None
        if task is None:
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})
        try:
            await asyncio.wait_for(asyncio.shield(task), QUIT_GRACE_SECONDS)
        except TimeoutError:
            self._kill()
            await task

    def _kill(self) -> None:
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()

    async def _reap(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            try:
                await asyncio.wait_for(process.wait(), QUIT_GRACE_SECONDS)
            except TimeoutError:
                self._kill()
                await process.wait()
        shutil.rmtree(self.sandbox, ignore_errors=True)


class SandboxServer(Server):
    """textual-serve's server with a sandbox per visitor, a cap on visitors, and our own
    start-up message."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        public_url: str | None,
        max_visitors: int,
        sandbox_root: str | None = None,
        on_ready: Callable[[], object] = lambda: None,
    ) -> None:
        super().__init__(command, host=host, port=port, title="msgsvc-tui", public_url=public_url)
        self.max_visitors = max_visitors
        self.sandbox_root = sandbox_root
        self.visitors: set[VisitorService] = set()
        self.on_ready = on_ready

    def initialize_logging(self) -> None:
        logging.basicConfig(level="WARNING", format="%(message)s")

    async def on_startup(self, app: web.Application) -> None:
        self.on_ready()

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(v.stop() for v in list(self.visitors)), return_exceptions=True)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One visitor: textual-serve's own handler, with VisitorService and the cap."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        await websocket.prepare(request)
        if len(self.visitors) >= self.max_visitors:
            log.warning("refused a visitor: %d already (--max-visitors)", len(self.visitors))
            await websocket.close(message=b"the workshop is full")
            return websocket
        service = VisitorService(
            self.command,
            sandbox_root=self.sandbox_root,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=_closer(websocket),
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.visitors.add(service)
        try:
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # one visitor's failure never stops the server
            log.exception(error)
        finally:
            await service.stop()
            await service._reap()
            self.visitors.discard(service)
        return websocket


def _closer(websocket: web.WebSocketResponse) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        await websocket.close()

    return close


def _int(text: str | None, default: int) -> int:
    try:
        return max(10, min(int(text or ""), 1000))
    except ValueError:
        return default
