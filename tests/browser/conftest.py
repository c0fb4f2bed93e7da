"""A real browser on the served app: `msgsvc-tui serve` as a process of its own, Debian's
headless Chromium driven by Playwright (`make test-browser`; left out of `make test`).

Only loopback is reached: every request the page makes elsewhere (textual-serve's page asks
Google for a font) is aborted. What the page shows is read from the bytes its terminal was
sent (recorded by an init script), with the escape sequences taken out: the terminal draws
on a canvas, so there is no text in the DOM to read.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

MSGSVC = [sys.executable, "-m", "msgsvc_tui"]
CHROMIUM = os.environ.get("MSGSVC_TUI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Long enough for a cold start on a busy 2-core machine; waits end as soon as the thing is seen.
PATIENCE = 60.0

RECORD_TERMINAL = """
(() => {
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  window.__screen = "";
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        if (typeof event.data !== "string") {
          window.__screen += decoder.decode(new Uint8Array(event.data), {stream: true});
        }
      });
    }
  };
})();
"""
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    r"|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)


def plain(stream: str) -> str:
    return _ESCAPES.sub("", stream)


def wait_until(what: str, check: Callable[[], Any], patience: float = PATIENCE) -> Any:
    deadline = time.monotonic() + patience
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"waited {patience:.0f} s for {what}")
        time.sleep(0.1)


@dataclass
class Served:
    url: str
    process: subprocess.Popen[str]
    visitors: Path  # where each visitor's sandbox folder is made ($TMPDIR of the server)

    def sandboxes(self) -> list[Path]:
        return sorted(self.visitors.glob("msgsvc-tui-visitor-*"), key=lambda p: p.stat().st_mtime)

    def app_pids(self) -> set[int]:
        """The server's children: one app process per visitor."""
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.add(int(stat.parent.name))
        return pids


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    visitors = tmp_path / "visitors"
    visitors.mkdir()
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(visitors)}
    process = subprocess.Popen(
        [sys.executable, "-m", "msgsvc_tui", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    assert banner.startswith("msgsvc-tui in the browser: http://127.0.0.1:"), banner
    lines = [banner, *(process.stdout.readline() for _ in range(3))]
    assert "loopback only" in lines[1], lines
    try:
        yield Served(banner.split(": ", 1)[1].strip(), process, visitors)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test-browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Visitor:
    """One browser context (its own cookies and storage, like another attendee) on one page."""

    def __init__(self, browser: Any, url: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.context.route("**/*", _loopback_only)
        self.context.add_init_script(RECORD_TERMINAL)
        self.page = self.context.new_page()
        self.page.goto(url)

    def screen(self) -> str:
        return plain(str(self.page.evaluate("window.__screen")))

    def wait_for_text(self, text: str, *, after: int = 0) -> None:
        try:
            wait_until(f"{text!r} on the page", lambda: text in self.screen()[after:])
        except pytest.fail.Exception:
            tail = " ".join(self.screen()[after:][-3000:].split())
            pytest.fail(f"{text!r} never showed; the page's last text: {tail}")

    def keys(self, *keys: str) -> None:
        self.page.locator(".xterm-helper-textarea").focus()
        for key in keys:
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.locator(".xterm-helper-textarea").focus()
        self.page.keyboard.type(text)

    def close(self) -> None:
        self.context.close()


def _loopback_only(route: Any) -> None:
    host = urlsplit(route.request.url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        route.continue_()
    else:
        route.abort()


@pytest.fixture
def visit(browser: Any, served: Served) -> Iterator[Callable[[], Visitor]]:
    opened: list[Visitor] = []

    def open_one() -> Visitor:
        opened.append(Visitor(browser, served.url))
        return opened[-1]

    yield open_one
    for visitor in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            visitor.close()


def service_names(sandbox: Path) -> set[str]:
    """What a visitor's own sandbox holds, asked of it through the CLI."""
    done = subprocess.run(
        [*MSGSVC, "--sandbox-db", str(sandbox / "sandbox.sqlite3"), "services", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert done.returncode == 0, done.stderr
    return {row["friendly_name"] for row in json.loads(done.stdout)}
