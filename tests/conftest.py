"""Shared fixtures. Every test runs with config and data in a temp dir and no TWILIO_* env,
so a developer's own files and credentials never leak in (autouse)."""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.api.protocol import Attempts
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.server import RunningServer, open_emulator, start_in_thread
from msgsvc_tui.tui.textual_private import share_parsed_css

# Tests must pass on a slow, shared machine: no per-example deadline, no "too slow" check.
settings.register_profile(
    "msgsvc", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=60
)
# `make fuzz`: the same properties at scale (1,000 cases each, over 10,000 in all)
settings.register_profile("fuzz", parent=settings.get_profile("msgsvc"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "msgsvc"))

# The project's own extract of Twilio's OpenAPI files (make contract refreshes it); a clone of
# the repository alone has everything the tests read.
SPEC_DIR = Path(__file__).resolve().parents[1] / "contract"


@pytest.fixture(autouse=True)
def _hermetic(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("MSGSVC_TUI_CONFIG", str(home / "config" / "config.toml"))
    monkeypatch.setenv("MSGSVC_TUI_DATA", str(home / "data"))
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith("TWILIO_"):
            monkeypatch.delenv(name)


def pytest_configure(config: pytest.Config) -> None:
    """The collector's young generation made 1,400 times larger: a whole-app test makes
    hundreds of thousands of short-lived objects (strips, segments, styles), and with
    Python's default threshold (700) the collector walked the heap every few hundred of
    them: half the CPU of a Pilot test. At 100,000 the middle generation was still walked
    every 20 young collections (150 ms each, 5% of test_tui.py's CPU); at 1,000,000 the peak
    memory is the same (242 MB against 248 MB over test_tui.py). Cycles are still collected,
    later and in bulk."""
    gc.set_threshold(1_000_000, 20, 10)
    # Hundreds of apps start in each worker: each parses the same CSS sources once, not once
    # per app (a sixteenth of an app's start; see textual_private.share_parsed_css).
    share_parsed_css()
    _pilot_waits_in_small_steps()


def _pilot_waits_in_small_steps() -> None:
    """Pilot waits after each key it presses, twice, until the process has used almost no CPU
    for one of Textual's sleep steps (`textual._wait`), and once in each pause. The step is
    20 ms: 40 ms of sleep per key at the least, 65 keys typed into one field slept for 2.6 s,
    and a worker slept for more than half of the suite. At 4 ms the same test is the same
    test (the wait still ends only once the app has stopped working, and what it waited for
    is then checked by the test, never by a clock), and fewer workers keep both cores busy.

    Private (the module is underscored), so a pin bump that moves it fails here, by name."""
    import textual._wait as wait

    if not isinstance(getattr(wait, "SLEEP_GRANULARITY", None), float) or not hasattr(
        wait, "SLEEP_IDLE"
    ):
        raise pytest.UsageError(
            "textual._wait no longer has SLEEP_GRANULARITY and SLEEP_IDLE: "
            "tests/conftest.py's _pilot_waits_in_small_steps needs another way"
        )
    wait.SLEEP_GRANULARITY = 0.004
    wait.SLEEP_IDLE = wait.SLEEP_GRANULARITY / 20  # Textual's own ratio


def pytest_collection_finish(session: pytest.Session) -> None:
    """Everything imported by now (Textual, the SDK, the test modules) lives for the whole
    run: frozen out of the collector's way, so no collection walks it again."""
    gc.collect()
    gc.freeze()


def pytest_unconfigure(config: pytest.Config) -> None:
    """What is left at the end is frozen, not collected: the process exits next, and pytest's
    own five collections at exit walk nothing. A full collection here walked each worker's
    last garbage (400,000 to 700,000 objects) for 3 to 5 s, every worker at once, as the last
    thing `make test` waited for, and at times for longer than xdist waits before it
    interrupts a worker. A finalizer's error is still reported when a collection during the
    run meets it (pytest names the test it follows)."""
    gc.freeze()


@pytest.fixture(autouse=True)
def _no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Apps made in tests start with animations off, as `TEXTUAL_ANIMATIONS=none` does for a
    user and as the screenshots are taken: a switch's slide or a tab's underline only paints
    frames in between (half the CPU of moving down a list), and the end state is the same."""
    import textual.constants

    monkeypatch.setattr(textual.constants, "TEXTUAL_ANIMATIONS", "none")


_PKG = Path(__file__).resolve().parents[1] / "msgsvc_tui"
_API = str(_PKG / "api")
_WRITE_PATH = str(_PKG / "ops" / "writes.py")


@pytest.fixture(autouse=True)
def _one_write_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write the project sends goes through the client's `write`: whatever test runs,
    the first caller outside the network layer must be the write path (ops/writes.py), or a
    test itself. A module that calls the client directly fails the test that exercises it."""
    original = MessagingClient.write

    async def guarded(self: MessagingClient, *args: Any, **kw: Any) -> Any:
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith(_API):
            frame = frame.f_back  # type: ignore[assignment]
        caller = frame.f_code.co_filename if frame is not None else ""
        if caller.startswith(str(_PKG)) and caller != _WRITE_PATH:
            raise AssertionError(f"a write sent from {caller}, not through ops/writes.py")
        return await original(self, *args, **kw)

    monkeypatch.setattr(MessagingClient, "write", guarded)


def load_spec(name: str) -> dict[str, Any]:
    path = SPEC_DIR / name
    if not path.exists():
        pytest.fail(f"the contract {path} is missing: run `make contract` to extract it")
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def messaging_spec() -> dict[str, Any]:
    return load_spec("twilio_messaging_v1.json")


@pytest.fixture(scope="session")
def messaging_v2_spec() -> dict[str, Any]:
    return load_spec("twilio_messaging_v2.json")


@pytest.fixture(scope="session")
def api2010_spec() -> dict[str, Any]:
    return load_spec("twilio_api_v2010.json")


@pytest.fixture
def emulator() -> EmulatorApp:
    """A seeded emulator in memory."""
    return open_emulator(":memory:")


@pytest.fixture
def server(emulator: EmulatorApp) -> Iterator[RunningServer]:
    """The same emulator behind uvicorn on a free loopback port."""
    running = start_in_thread(emulator)
    yield running
    running.stop()


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retries without their wait, for tests of what follows the last one (the message, the
    exit code): both transports wait 1 ms where the back-off chose longer (5 to 7 s in all
    for four retries). The waits chosen are recorded; the back-off itself is tested in
    test_client.py with the client's own `sleep`."""
    chosen: list[float] = []
    original = Attempts.delay

    def delay(self: Attempts, attempt: int, retry_after: str | None = None) -> float:
        chosen.append(original(self, attempt, retry_after))
        return 0.001

    monkeypatch.setattr(Attempts, "delay", delay)
    return chosen


async def _noop_sleep(_: float) -> None:
    return None


@pytest.fixture
async def client(server: RunningServer) -> AsyncIterator[MessagingClient]:
    """The real client over real loopback HTTP; retries do not sleep."""
    async with MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username=demo.DEMO_ACCOUNT_SID,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=server.url,
        sleep=_noop_sleep,
        timeout=5.0,
    ) as c:
        yield c
