"""The guided tour, followed from start to end as a newcomer would (only the keys each step
asks for), at 80x24 and 120x40; esc leaves it at any point; --show-keys shows each key."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot

from msgsvc_tui.core.config import Config
from msgsvc_tui.tui.app import MsgsvcApp
from msgsvc_tui.tui.screens.modals import ConfirmScreen
from msgsvc_tui.tui.tour import TourPanel
from tests.tui_helpers import painted, ready, wait_for


def tour_app(*, readonly: bool = False, show_keys: bool = False) -> MsgsvcApp:
    return MsgsvcApp(
        config=Config.load(),
        demo=True,
        readonly=readonly,
        emulator_db=":memory:",
        tour=True,
        show_keys=show_keys,
    )


async def on_tour(pilot: Pilot) -> TourPanel:
    await ready(pilot)
    await wait_for(pilot, lambda: pilot.app.tour is not None)
    tour = pilot.app.tour
    assert tour is not None
    await wait_for(pilot, lambda: tour.start is not None and tour.start.service is not None)
    return tour


def visible(tour: TourPanel) -> None:
    """The panel is on screen, whole, and names the key to press."""
    region = tour.region
    screen = tour.screen.size
    assert region.width > 0 and region.height >= 4
    assert region.right <= screen.width and region.bottom <= screen.height
    assert str(tour.query_one("#tour-press").render()).startswith("Press ")


async def next_step(pilot: Pilot, tour: TourPanel, before: int) -> None:
    await wait_for(pilot, lambda: tour.index == before + 1)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_tour_is_followed_from_start_to_end(size):
    app = tour_app()
    async with app.run_test(size=size) as pilot:
        tour = await on_tour(pilot)
        titles = [s.title for s in tour.steps]
        assert titles[0] == "What a Messaging Service is" and titles[-1] == "That's the tour"
        keys_for = {
            "What a Messaging Service is": ["j"],
            "The sender pool": ["2"],
            "The flags": ["1"],
            "Flip a flag": ["S"],
            "Undo": ["u", "y"],
            "What the flags do to a message": [],  # its tab's key, read from the step
            "A2P 10DLC: a verified campaign": ["5"],
            "A campaign in review": [],  # j or k: the step says which
            "A failed campaign": [],
            "Health": [],
        }
        for index, title in enumerate(titles[:-1]):
            assert tour.index == index, (title, tour.step.title)
            visible(tour)
            # the mode line stays in sight below the panel, as painted
            await wait_for(pilot, lambda: painted(app).split("\n")[-1].startswith(" BROWSE "))
            keys = keys_for[title] or tour.keys_to_press()
            if title in ("Flip a flag",) and not app.main_screen.table.has_focus:
                keys = ["escape", *keys]
            for key in keys:
                if key == "y":
                    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
                await pilot.press(key)
            await next_step(pilot, tour, index)
        assert tour.step.title == "That's the tour"
        visible(tour)
        if not app.main_screen.table.has_focus:  # the last tab shown: esc backs out first
            # the panel reads the focus as keys land and every 0.3 s: it may lag the last key
            press = tour.query_one("#tour-press")
            await wait_for(pilot, lambda: "esc (back to the list)" in str(press.render()))
            await pilot.press("escape")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.tour is None)


async def test_the_steps_select_what_they_talk_about():
    app = tour_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tour = await on_tour(pilot)
        screen = app.main_screen
        await pilot.press("j")
        await next_step(pilot, tour, 0)
        assert screen.table.current["friendly_name"] == "Acme Order Updates"
        # the in-review step puts the cursor next to its service: the key it names lands there
        while tour.step.title != "A campaign in review":
            tour.advance()
        await pilot.pause()
        keys = tour.keys_to_press()
        assert keys[-1] in ("j", "k")
        assert screen.table.current["friendly_name"] != "Acme Spring Promo"
        at = tour.index
        await pilot.press(*keys)
        await next_step(pilot, tour, at)  # it was on Acme Spring Promo
        assert tour.start.name == "Event Tickets"  # the failed step: next to Black Friday Blast
        assert tour.keys_to_press()[-1] == "j"


async def test_esc_leaves_the_tour_at_any_step_and_the_palette_brings_it_back():
    app = tour_app()
    async with app.run_test(size=(80, 24)) as pilot:
        tour = await on_tour(pilot)
        await pilot.press("j")
        await next_step(pilot, tour, 0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.tour is None)
        assert app.main_screen.table.has_focus  # the app is where the tour left it
        await pilot.press("ctrl+p")
        await pilot.press(*"Tour")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.tour is not None)
        assert app.tour.index == 0


async def test_a_readonly_tour_leaves_out_the_writes():
    app = tour_app(readonly=True)
    async with app.run_test(size=(80, 24)) as pilot:
        tour = await on_tour(pilot)
        titles = [s.title for s in tour.steps]
        assert "Flip a flag" not in titles and "Undo" not in titles
        assert "A2P 10DLC: a verified campaign" in titles


async def test_the_tour_binds_no_key_of_the_app():
    """The tour only watches: a key it is waiting for does what it does anyway."""
    app = tour_app()
    async with app.run_test(size=(120, 40)) as pilot:
        tour = await on_tour(pilot)
        assert not tour.BINDINGS
        await pilot.press("2")
        await pilot.pause()
        assert tour.index == 0  # "2" is not this step's key, but the tab still opened
        assert tour.seen().tab == "tab-senders"


# ---- --show-keys -----------------------------------------------------------------------------
async def test_show_keys_shows_each_key_in_a_corner_until_it_fades(monkeypatch):
    from msgsvc_tui.tui.widgets import keycast
    from msgsvc_tui.tui.widgets.keycast import KeyCaster

    # the fade is the test's to call: no wall clock (a loaded machine is slow between keys)
    monkeypatch.setattr(keycast, "SHOWN_SECONDS", 10_000.0)
    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:", show_keys=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("j", "j", "k", "2")
        await pilot.pause()
        caster = screen.query_one(KeyCaster)
        assert caster.display and str(caster.render()) == "j j k 2"
        assert caster.region.right <= 80 and caster.region.y >= 20  # the bottom right corner
        assert screen.table.current is not None  # the keys still did what they do
        assert screen.detail.query_one("TabbedContent").active == "tab-senders"
        caster.fade()  # what its timer does after a few quiet seconds
        await pilot.pause()
        assert not caster.display
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert caster.display and str(caster.render()) == "ctrl+d"


def test_a_secret_field_shows_no_key():
    from textual import events

    from msgsvc_tui.tui.widgets.keycast import key_label

    assert key_label(events.Key("a", "a"), secret=True) == "•"
    assert key_label(events.Key("enter", "\r"), secret=True) == "enter"
    assert key_label(events.Key("a", "a")) == "a"
    assert key_label(events.Key("question_mark", "?")) == "?"
    assert key_label(events.Key("escape", None)) == "esc"


async def test_without_show_keys_no_key_is_shown():
    from msgsvc_tui.tui.widgets.keycast import KeyCaster

    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.press("j")
        await pilot.pause()
        assert not screen.query(KeyCaster)


async def test_starting_the_tour_over_an_open_form_ends_the_form_s_worker():
    """The tour closes what is open above the list as escape would: the worker waiting on the
    form's answer gets "cancel" and ends, instead of waiting for ever."""
    from msgsvc_tui.tui.screens.campaign_form import CampaignForm
    from msgsvc_tui.tui.widgets.panes.campaign import CampaignPane

    from .tui_helpers import sandbox_app, table

    app = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(pilot)
        row = next(
            i
            for i in range(len(screen.model.visible))
            if screen.model.visible_service(i)["friendly_name"] == "Driver Dispatch"
        )
        table(pilot).cursor = row
        await pilot.press("5")
        pane = screen.query_one(CampaignPane)
        await wait_for(pilot, lambda: pane.service is not None and pane.campaign is None)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignForm))
        app.action_tour()
        await wait_for(pilot, lambda: app.tour is not None)
        await wait_for(
            pilot, lambda: not any(w.is_running for w in app.workers if w.group == "campaign-form")
        )
        assert app.screen is screen
