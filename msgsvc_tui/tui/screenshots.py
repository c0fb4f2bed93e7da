"""Scenes of the app on the seeded emulator: `make screenshots` saves them as SVG, and the
snapshot tests compare the same scenes, so the README's pictures are what the tests check.

Run: python -m msgsvc_tui.tui.screenshots OUTDIR
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from msgsvc_tui.core.config import Config, Profile, Secret
from msgsvc_tui.tui.app import MsgsvcApp

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


async def wait_until(pilot: Pilot[Any], predicate: Callable[[], bool], timeout: float = 90) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError("scene did not settle")
        await asyncio.sleep(0.02)  # not a Pilot pause: each walks every widget of the screen
    await pilot.pause()


def busy(node: Any) -> bool:
    """A worker of `node` still running: scenes and tests wait for it, not for a clock."""
    return any(w.node is node and not w.is_finished for w in node.workers)


async def settled(pilot: Pilot[Any]) -> None:
    """Until the loads a step started have finished and been painted: no worker running on
    the screen on top (with a dialog open, only the dialog's own: the worker that opened it
    may be waiting for its answer, which never comes while it is open). Bounded by a count,
    not a clock: at worst the frame is taken as it is."""
    from msgsvc_tui.tui.screens.main import MainScreen

    await pilot.pause()
    app = pilot.app
    for _ in range(500):
        top = app.screen
        if not any(
            w.is_running and (isinstance(top, MainScreen) or _within(w.node, top))
            for w in app.workers
        ):
            break
        await asyncio.sleep(0.02)
    await pilot.pause()


def _within(node: Any, screen: Any) -> bool:
    while node is not None:
        if node is screen:
            return True
        node = getattr(node, "parent", None)
    return False


async def steady_cursor(pilot: Pilot[Any]) -> None:
    """The text cursor drawn steadily: a blinking one is on or off depending on when the
    picture is taken (on a loaded machine, after its first half-second)."""
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


async def loaded(pilot: Pilot[Any]) -> None:
    from msgsvc_tui.tui.screens.main import MainScreen

    def done() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, MainScreen) and len(screen.model) > 0 and not screen.list_loading

    await wait_until(pilot, done)
    await settled(pilot)


async def _validation(pilot: Pilot[Any]) -> None:
    await loaded(pilot)
    await pilot.press("enter")
    screen = pilot.app.screen
    screen.query_one("#field-friendly_name", Input).value = "Acme Order Updates " + "x" * 50
    screen.query_one("#field-validity_period", Input).value = "90000"
    await pilot.pause()
    await pilot.press("ctrl+s")
    shown = ("#error-friendly_name", "#error-validity_period")  # both fields refused, shown
    await wait_until(pilot, lambda: all(screen.query_one(s).has_class("-shown") for s in shown))
    await steady_cursor(pilot)


async def _press(pilot: Pilot[Any], *keys: str) -> None:
    await loaded(pilot)
    await pilot.press(*keys)
    await settled(pilot)


async def _senders(pilot: Pilot[Any]) -> None:
    from msgsvc_tui.tui.widgets.panes.senders import SendersPane

    await loaded(pilot)
    await pilot.press("slash", *"Loyalty", "enter", "2")  # a service with numbers and an alpha ID
    pane = pilot.app.screen.query_one(SendersPane)
    await wait_until(pilot, lambda: bool(pane.members))
    await settled(pilot)


def _tab(service: str, key: str) -> RunBefore:
    """The scene of one detail tab, on a service whose tab has something to show."""

    async def run(pilot: Pilot[Any]) -> None:
        from msgsvc_tui.tui.tabs import TABS
        from msgsvc_tui.tui.widgets.panes.base import ServicePane

        await loaded(pilot)
        await pilot.press("slash", *service, "enter", key)
        tab = TABS[int(key) - 1]
        pane = pilot.app.screen.query_one(f"#{tab.pane_id}", ServicePane)
        await wait_until(pilot, lambda: pane.service is not None and not busy(pane))
        await settled(pilot)

    return run


async def _messages(pilot: Pilot[Any]) -> None:
    """The Messages tab with a body typed: the counter shows Smart Encoding at work."""
    from msgsvc_tui.tui.widgets.panes.messages import MessagesPane

    await _tab("Acme Order Updates", "7")(pilot)
    pane = pilot.app.screen.query_one(MessagesPane)
    await pilot.press("m", *"+14155550123", "enter")
    pane.query_one(
        "#compose-body", Input
    ).value = "\u201cYour order #4417 has shipped\u201d \u2014 track it at https://acme.example/t/4417\u2026"
    await settled(pilot)
    await steady_cursor(pilot)


def _past(tour: Any, index: int) -> Callable[[], bool]:
    return lambda: bool(tour.index > index)


def _tour_step(title: str) -> RunBefore:
    """The tour, followed with the keys each step asks for, up to the step called `title`."""

    async def run(pilot: Pilot[Any]) -> None:
        from msgsvc_tui.tui.screens.modals import Dialog

        app = pilot.app
        assert isinstance(app, MsgsvcApp)
        await loaded(pilot)
        await wait_until(pilot, lambda: app.tour is not None and app.tour.start is not None)
        tour = app.tour
        assert tour is not None
        await wait_until(pilot, lambda: tour.start is not None and tour.start.service is not None)
        while tour.step.title != title:
            at = tour.index
            for key in tour.keys_to_press():
                if key == "u":  # the undo asks first
                    await pilot.press(key)
                    await wait_until(pilot, lambda: isinstance(app.screen, Dialog))
                    key = "y"
                await pilot.press(key)
            await wait_until(pilot, _past(tour, at))
        await wait_until(pilot, lambda: not busy(tour.main.detail))
        await settled(pilot)

    return run


async def _health_marks(pilot: Pilot[Any]) -> None:
    """The list after `H`: every listed service checked, its mark in the H column."""
    from msgsvc_tui.tui.widgets.service_table import ServiceTable

    await loaded(pilot)
    await pilot.press("H")
    table = pilot.app.screen.query_one(ServiceTable)
    await wait_until(pilot, lambda: len(table.health) == len(table.model))
    await settled(pilot)


async def _welcome(pilot: Pilot[Any]) -> None:
    from msgsvc_tui.tui.screens.welcome import WelcomeScreen

    await wait_until(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))


def _config(with_profiles: bool) -> Config:
    # a fixed, never-written path: the pictures must not depend on the machine's temp dir
    path = Path("/home/you/.config/msgsvc-tui/config.toml")
    config = Config(path=path)
    if with_profiles:
        config.set_profile(
            Profile("production", "AC" + "4f" * 16, auth_token=Secret("not-a-real-token"))
        )
        config.set_profile(
            Profile(
                "eu-staging",
                "AC" + "9c" * 16,
                api_key="SK" + "12" * 16,
                api_secret=Secret("not-a-real-secret"),
                region="ie1",
                edge="dublin",
            )
        )
        config.active_profile = "production"
    return config


@dataclass(frozen=True)
class Scene:
    name: str
    size: tuple[int, int]
    run_before: RunBefore
    demo: bool = True
    profiles: bool = False
    tour: bool = False
    readonly: bool = False

    def app(self) -> MsgsvcApp:
        app = MsgsvcApp(
            config=_config(self.profiles),
            demo=self.demo,
            readonly=self.readonly,
            emulator_db=":memory:",
            tour=self.tour,
        )
        # A picture is of a settled screen: a scroll (the tab strip to its active tab) is
        # where it ends, not wherever its animation had got to when the picture was taken.
        app.animation_level = "none"
        return app


SCENES: tuple[Scene, ...] = (
    Scene("main-120x40", (120, 40), loaded),
    Scene("main-80x24", (80, 24), loaded),
    Scene("validation-error", (120, 40), _validation),
    Scene("delete-confirm", (120, 40), lambda p: _press(p, "j", "d")),
    Scene("senders", (120, 40), _senders),
    Scene("channels-120x40", (120, 40), _tab("Support Desk", "3")),
    Scene("channels-80x24", (80, 24), _tab("Support Desk", "3")),
    Scene("countries-120x40", (120, 40), _tab("2FA - EU", "4")),
    Scene("countries-80x24", (80, 24), _tab("2FA - EU", "4")),
    Scene("campaign-120x40", (120, 40), _tab("Black Friday", "5")),
    Scene("campaign-80x24", (80, 24), _tab("Black Friday", "5")),
    Scene("links-120x40", (120, 40), _tab("Spring Promo", "6")),
    Scene("links-80x24", (80, 24), _tab("Spring Promo", "6")),
    Scene("messages-120x40", (120, 40), _messages),
    Scene("messages-80x24", (80, 24), _messages),
    Scene("health-120x40", (120, 40), _tab("Toll-Free Onboarding", "8")),
    Scene("health-80x24", (80, 24), _tab("Toll-Free Onboarding", "8")),
    Scene("health-marks-120x40", (120, 40), _health_marks),
    Scene("health-marks-80x24", (80, 24), _health_marks),
    Scene("help", (120, 40), lambda p: _press(p, "question_mark")),
    Scene("profiles", (120, 40), lambda p: _press(p, "p"), profiles=True),
    Scene("welcome", (100, 30), _welcome, demo=False),
    Scene("tour-service-80x24", (80, 24), _tour_step("What a Messaging Service is"), tour=True),
    Scene("tour-flags-120x40", (120, 40), _tour_step("The flags"), tour=True),
    # read-only: its tour has no write steps, so no date of today in the picture
    Scene(
        "tour-in-review-120x40",
        (120, 40),
        _tour_step("A campaign in review"),
        tour=True,
        readonly=True,
    ),
)
BY_NAME = {s.name: s for s in SCENES}


async def save(scene: Scene, outdir: Path) -> Path:
    app = scene.app()
    async with app.run_test(size=scene.size) as pilot:
        await scene.run_before(pilot)
        path = outdir / f"{scene.name}.svg"
        app.save_screenshot(str(path))
    return path


def main(argv: list[str]) -> int:
    outdir = Path(argv[0] if argv else "screenshots")
    outdir.mkdir(parents=True, exist_ok=True)
    for scene in SCENES:
        path = asyncio.run(save(scene, outdir))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
