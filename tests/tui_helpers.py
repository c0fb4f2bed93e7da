"""Shared helpers for Pilot tests: an app on a real emulator, and ways to wait on it."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import random
from collections.abc import Callable, Iterator
from typing import Any

from textual.app import App
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.strip import Strip

from msgsvc_tui.core.config import Config, Profile
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.server import open_emulator
from msgsvc_tui.tui.app import MsgsvcApp
from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screenshots import wait_until
from msgsvc_tui.tui.widgets.service_form import FieldRow, ServiceForm
from msgsvc_tui.tui.widgets.service_table import ServiceTable

# The size the behaviour tests run at: the one the app promises over SSH, where the panes stack
# (the harder layout). The wide layout's look is held by the snapshots (tests/test_snapshots.py)
# at 120x40 too; tests that need it, or that read every visible cell, say WIDE.
SIZE = (80, 24)
WIDE = (120, 40)


def sandbox_app(*, readonly: bool = False, emulator=None) -> MsgsvcApp:
    """The app on an in-memory seeded emulator (the embedded sandbox, no socket)."""
    app = MsgsvcApp(config=Config.load(), demo=True, readonly=readonly, emulator_db=":memory:")
    if emulator is not None:
        app.emulator = emulator
    return app


async def wait_for(pilot: Pilot, predicate: Callable[[], bool], timeout: float = 90.0) -> None:
    """Wait until `predicate()` holds; a slow machine just waits longer, never fails early
    (the timeout only ends a test that would otherwise hang: a loaded 2-core machine can take
    tens of seconds for what an idle one does at once). The scenes' own wait, one loop."""
    await wait_until(pilot, predicate, timeout)


async def ready(pilot: Pilot) -> MainScreen:
    await wait_for(
        pilot,
        lambda: (
            isinstance(pilot.app.screen, MainScreen)
            and len(pilot.app.screen.model) > 0
            and not pilot.app.screen.list_loading
        ),
    )
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    return screen


def table(pilot: Pilot) -> ServiceTable:
    return pilot.app.screen.query_one(ServiceTable)


def form(pilot: Pilot) -> ServiceForm:
    return pilot.app.screen.query_one(ServiceForm)


async def row_by_keys(pilot: Pilot, name: str) -> FieldRow:
    """From the form's focused row, `j` until the row of field `name` has the focus, as a
    user moves down to it."""
    for _ in range(40):
        row = form(pilot).focused_row()
        if row is not None and row.field_name == name:
            return row
        await pilot.press("j")
    raise AssertionError(f"j never reached the row {name!r}")


def _spy(app: MsgsvcApp, pick: Callable[[dict], str]) -> list[str]:
    """`pick(scope)` of every request the emulator serves from now on, appended live."""
    assert app.emulator is not None
    seen: list[str] = []
    original = app.emulator.handle

    def spy(scope, raw):
        seen.append(pick(scope))
        return original(scope, raw)

    app.emulator.handle = spy
    return seen


def record_methods(app: MsgsvcApp) -> list[str]:
    """Every HTTP method the emulator serves from now on (to prove nothing writes)."""
    return _spy(app, lambda scope: scope["method"])


def record_paths(app: MsgsvcApp) -> list[str]:
    """Every path the emulator serves from now on (to prove what was, or was not, asked)."""
    return _spy(app, lambda scope: scope["path"])


def refuse_posts(app: MsgsvcApp, body: dict) -> None:
    """From now on the emulator refuses every POST (an update) with 400 and `body`, as Twilio
    would; reads (the conflict check's GET) are served."""
    from msgsvc_tui.emulator.app import Response

    assert app.emulator is not None
    original = app.emulator.handle

    def refuse(scope, raw):
        if scope["method"] == "POST":
            return Response(400, body)
        return original(scope, raw)

    app.emulator.handle = refuse


def stored(app: MsgsvcApp, sid: str) -> dict:
    assert app.emulator is not None
    return app.emulator.store.get_service(demo.DEMO_ACCOUNT_SID, sid)


def store_count(app: MsgsvcApp) -> int:
    assert app.emulator is not None
    return app.emulator.store.count_services(demo.DEMO_ACCOUNT_SID)


__all__ = [
    "SIZE",
    "WIDE",
    "form",
    "open_emulator",
    "painted",
    "ready",
    "record_methods",
    "record_paths",
    "refuse_posts",
    "sandbox_app",
    "store_count",
    "stored",
    "table",
]


def app_with_profiles(*profiles: Profile, active: str | None = None) -> MsgsvcApp:
    """The sandbox app, its config file holding these profiles (saved, then read back)."""
    cfg = Config.load()
    for profile in profiles:
        cfg.set_profile(profile)
    if active is not None:
        cfg.active_profile = active
    cfg.save()
    app = sandbox_app()
    app.config = Config.load()
    return app


async def open_profiles(pilot: Pilot) -> None:
    """From the main screen, `p`: the profiles screen."""
    from msgsvc_tui.tui.screens.profiles import ProfilesScreen

    await ready(pilot)
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfilesScreen))


@contextlib.contextmanager
def slowed(rng: random.Random, *, share: float = 0.3, most: float = 0.002) -> Iterator[None]:
    """A loaded machine, artificially: a random share of the app's messages wait a random
    moment before they are handled, and every request of the embedded client waits too, so
    workers finish in random order. Nothing asserted may depend on these delays: they only
    reorder what a real loaded machine could reorder."""
    import httpx
    from textual.message_pump import MessagePump

    dispatch = MessagePump._dispatch_message
    request = httpx.ASGITransport.handle_async_request

    async def slow_dispatch(self, message):  # type: ignore[no-untyped-def]
        if rng.random() < share:
            await asyncio.sleep(rng.random() * most)
        return await dispatch(self, message)

    async def slow_request(self, req):  # type: ignore[no-untyped-def]
        await asyncio.sleep(rng.random() * most * 5)
        return await request(self, req)

    MessagePump._dispatch_message = slow_dispatch  # type: ignore[method-assign]
    httpx.ASGITransport.handle_async_request = slow_request  # type: ignore[method-assign]
    try:
        yield
    finally:
        MessagePump._dispatch_message = dispatch  # type: ignore[method-assign]
        httpx.ASGITransport.handle_async_request = request  # type: ignore[method-assign]


def painted(app: App[Any]) -> str:
    """The whole screen as the compositor hands it to the terminal (before the app's last
    guard, tui/guard.py, which would hide what a widget forgot).

    Read as the app renders it, and without changing what it renders next: the screens
    below a dialog are drawn from the stack the app's own render sets (Textual keeps it in a
    context variable the test's task does not see; without it the dialog's background is
    rendered blank and that blank kept in its cache, so the terminal would never show the
    screen below again), and no dirty region is cleared (a full update would clear them, and
    the app's next paint would then leave the terminal as it was)."""
    from textual._context import visible_screen_stack

    def render() -> list[Strip]:
        visible_screen_stack.set(app._background_screens)
        return app.screen._compositor.render_strips()

    strips = contextvars.copy_context().run(render)
    return "\n".join(strip.text for strip in strips)


def notifications(app: App[Any]) -> list[Notification]:
    """The toasts the app has up now, oldest first. Textual keeps them in a private list and
    offers no public reader: read here only, so a change of Textual's shows in one place."""
    return list(app._notifications)


def dialog_text(app: App[Any]) -> str:
    """What the open dialog shows inside its frame, as painted, its lines joined by one
    space: a line wrapped at a space reads as it was written, one cut at the frame does not."""
    from msgsvc_tui.tui.screens.modals import DialogFrame

    rows = painted(app).split("\n")
    box = app.screen.query_one(DialogFrame).content_region
    inside = [rows[y][box.x : box.right].strip() for y in range(box.y, box.bottom)]
    return " ".join(line for line in inside if line)


def keybar_text(pilot: Pilot) -> str:
    """The main screen's bottom line as shown: the mode, the keys, `? help`."""
    from msgsvc_tui.tui.widgets.keybar import KeyBar

    main = next(s for s in pilot.app.screen_stack if isinstance(s, MainScreen))
    return str(main.query_one(KeyBar).render())
