"""Errors that stay until they are fixed, a failed profile switch that keeps the working one,
and the smaller bugs found by trying the app, each reproduced."""

from __future__ import annotations

import contextlib
import random
import socket
from typing import Any

import pytest

from msgsvc_tui.core.config import Config, Connection, Profile, Secret
from msgsvc_tui.emulator import demo
from msgsvc_tui.tui.app import MsgsvcApp
from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screens.profiles import ProfileEditor
from msgsvc_tui.tui.screens.sender_picker import AlphaSenderScreen
from msgsvc_tui.tui.screens.welcome import WelcomeScreen
from msgsvc_tui.tui.widgets.keybar import KeyBar
from msgsvc_tui.tui.widgets.panes.senders import SendersPane
from msgsvc_tui.tui.widgets.service_table import ServiceTable

from .tui_helpers import (
    SIZE,
    WIDE,
    app_with_profiles,
    notifications,
    open_profiles,
    painted,
    ready,
    sandbox_app,
    slowed,
    table,
    wait_for,
)


def _app_for(base_url: str, token: str = demo.DEMO_AUTH_TOKEN) -> MsgsvcApp:
    conn = Connection(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username=demo.DEMO_ACCOUNT_SID,
        password=Secret(token),
        base_url=base_url,
        profile="work",
        source="profile",
    )
    return MsgsvcApp(config=Config.load(), connection=conn)


def _list_text(app) -> str:
    main = next(s for s in app.screen_stack if isinstance(s, MainScreen))
    t = main.query_one(ServiceTable)
    lines = ["".join(seg.text for seg in t.render_line(y)) for y in range(3)]
    return "\n".join(lines) + "\n" + str(main.query_one("#list-status").render())


async def test_refused_credentials_stay_on_screen(server):
    app = _app_for(server.url, token="wrong")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_for(pilot, lambda: app.screen.list_error is not None)
        await wait_for(pilot, lambda: "p to switch" in _list_text(app))
        text = _list_text(app)
        assert "Twilio refused these credentials (20003)" in text and "p to switch" in text
        assert "0 services" not in text


async def test_an_unreachable_host_stays_on_screen(quick_retries):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = _app_for(f"http://127.0.0.1:{port}")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_for(pilot, lambda: app.screen.list_error is not None)
        text = _list_text(app)
        assert f"cannot connect to 127.0.0.1:{port}" in text and "r to retry" in text


async def test_a_failed_switch_keeps_the_working_profile(server):
    cfg = Config.load()
    sid = demo.DEMO_ACCOUNT_SID
    cfg.set_profile(
        Profile("emu", sid, auth_token=Secret(demo.DEMO_AUTH_TOKEN), base_url=server.url)
    )
    cfg.set_profile(Profile("broken", sid, auth_token=Secret("nope"), base_url=server.url))
    cfg.active_profile = "emu"
    cfg.save()
    app = MsgsvcApp(config=Config.load(), connection=Config.load().profiles["emu"].connection())
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.switch_profile("broken")
        await wait_for(pilot, lambda: any("Not switched" in n.title for n in notifications(app)))
        assert app.connection.profile == "emu" and isinstance(app.screen, MainScreen)
        assert len(app.screen.model) == demo.SERVICE_COUNT  # the working list is still there
        assert Config.load().active_profile == "emu"


async def test_add_profile_focuses_its_first_field_and_scrolls_at_80x24():
    app = MsgsvcApp(config=Config.load())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileEditor))
        await pilot.pause()
        assert app.focused is not None and app.focused.id == "profile-name"
        for _ in range(12):  # tab down to the buttons: each comes into view
            await pilot.press("tab")
        await pilot.pause()  # the places on screen are the next paint's, not the key's
        buttons = [w for w in app.screen.query("Button") if w.region.height]
        assert buttons, "Save/Cancel are reachable"


async def test_A_on_a_service_with_an_alpha_sender_opens_nothing_and_swallows_nothing():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        t = main.query_one(ServiceTable)
        rows = [t.model.visible_service(i) for i in range(len(t.model.visible))]
        t.cursor = next(i for i, s in enumerate(rows) if s["friendly_name"] == "Fraud Alerts")
        await pilot.pause()
        await pilot.press("2")
        pane = main.query_one(SendersPane)
        await wait_for(pilot, lambda: any(k.key == "alpha_senders" for k, _ in pane.members))
        await pilot.press("A")
        await pilot.pause()
        assert not isinstance(app.screen, AlphaSenderScreen)
        await pilot.press("escape", "j")  # the next keys still work
        assert table(pilot).current["friendly_name"] != "Fraud Alerts"


async def test_at_80_columns_the_footer_keeps_help_visible():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = await ready(pilot)
        await pilot.pause()
        shown = str(main.query_one(KeyBar).render())
        assert shown.rstrip().endswith("? help") and len(shown) <= 80, shown


async def test_the_chosen_theme_is_saved():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.theme = "nord"
        await pilot.pause()
    assert Config.load().preferences.theme == "nord"


async def test_sort_is_named_the_same_in_help_and_on_screen():
    from msgsvc_tui.core.listing import SortKey
    from msgsvc_tui.tui.help import sections

    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("o")
        status = str(main.query_one("#list-status").render())
    tips = " ".join(tip for _, rows in sections() for _, d, tip in rows if d == "Sort")
    for key in SortKey:
        assert key.value in tips  # help names every order the status line can show
    assert f"sort: {SortKey.NAME.value}" in status


async def test_profiles_list_moves_with_j_and_k(server):
    app = app_with_profiles(
        *(
            Profile(name, demo.DEMO_ACCOUNT_SID, auth_token=Secret("t"), base_url=server.url)
            for name in ("a", "b", "c")
        )
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_profiles(pilot)
        options = app.screen.query_one("#profile-list")
        await pilot.press("G")
        last = options.highlighted
        await pilot.press("k")
        assert options.highlighted == last - 1
        await pilot.press("g")
        assert options.highlighted == 0


async def test_a_bulk_flip_skips_services_already_there_and_says_so():
    from msgsvc_tui.tui.screens.modals import ConfirmScreen

    from .tui_helpers import record_methods, stored

    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("space", "space", "space")
        marked = main.model.marked_services()
        # the demo's first three rows: two with sticky sender on, one off (marks are a set)
        assert sorted(s["sticky_sender"] for s in marked) == [False, True, True]
        methods = record_methods(app)
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = str(app.screen.query_one(".dialog-body").render())
        assert "ON for 1 of 3 marked; 2 are already ON" in body
        await pilot.press("y")
        await wait_for(pilot, lambda: all(stored(app, s["sid"])["sticky_sender"] for s in marked))
        assert methods.count("POST") == 1  # only the one that changes


async def test_export_marked_writes_a_file_that_plans_cleanly(tmp_path, monkeypatch):
    from msgsvc_tui.ops import ascode

    monkeypatch.chdir(tmp_path)
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("space", "space", "X", "enter")  # the path asked for: as offered
        await wait_for(pilot, lambda: list(tmp_path.glob("msgsvc-services-*.toml")))
        (path,) = tmp_path.glob("msgsvc-services-*.toml")
        desired = ascode.load(path)
        assert sorted(d.name for d in desired) == sorted(
            s["friendly_name"] for s in main.model.marked_services()
        )


async def test_the_form_shows_old_and_new_before_saving():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        await pilot.press("1", "enter", *["backspace"] * 40, *"Renamed", "escape")
        status = str(main.query_one("#detail-status").render())
        assert "ctrl+s saves" in status
        assert "Friendly name: Acme Order Updates → Renamed" in status


async def test_the_list_header_matches_its_columns_right_after_a_profile_switch(server):
    """It was wrong for about a second after a switch: computed before the new list had its
    width. It follows the table's own ColumnsChanged now."""
    from msgsvc_tui.tui.widgets.service_table import format_header, layout_columns

    cfg = Config.load()
    token = Secret(demo.DEMO_AUTH_TOKEN)
    cfg.set_profile(Profile("emu", demo.DEMO_ACCOUNT_SID, auth_token=token, base_url=server.url))
    cfg.save()
    app = sandbox_app()
    app.config = Config.load()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.switch_profile("emu")
        await wait_for(
            pilot, lambda: app.connection is not None and app.connection.profile == "emu"
        )
        main = await ready(pilot)
        t = main.query_one(ServiceTable)
        expected = format_header(layout_columns(t.scrollable_content_region.width))
        assert str(main.query_one("#list-header").render()).rstrip() == expected.rstrip()


async def test_the_profiles_list_shows_which_is_active():
    """`[active]` was read as markup and vanished: the list never said which profile is active."""
    app = app_with_profiles(
        Profile("work", demo.DEMO_ACCOUNT_SID, auth_token=Secret("t")), active="work"
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_profiles(pilot)
        await pilot.pause()
        assert "[active]" in app.export_screenshot()  # as painted, not as stored


async def test_the_panes_stack_below_the_breakpoint_and_follow_a_resize(monkeypatch):
    """The breakpoint class is given when the screen is built (so its first resize restyles
    nothing); a terminal resized across the breakpoint still moves the panes, both ways."""
    composed_with: list[set[str]] = []
    compose = MainScreen.compose

    def watched(self: MainScreen) -> Any:
        composed_with.append({c for c in ("-narrow", "-wide") if self.has_class(c)})
        return compose(self)

    monkeypatch.setattr(MainScreen, "compose", watched)

    def placement(main: MainScreen) -> tuple[set[str], bool]:
        classes = {c for c in ("-narrow", "-wide") if main.has_class(c)}
        lists, details = main.list_pane.region, main.detail.region
        return classes, details.y >= lists.bottom  # stacked: the details under the list

    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        main = await ready(pilot)
        assert placement(main) == ({"-narrow"}, True)
        await pilot.resize_terminal(120, 40)
        await wait_for(pilot, lambda: placement(main) == ({"-wide"}, False))
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: placement(main) == ({"-narrow"}, True))
    app = sandbox_app()
    async with app.run_test(size=WIDE) as pilot:
        main = await ready(pilot)
        assert placement(main) == ({"-wide"}, False)
    assert composed_with == [{"-narrow"}, {"-wide"}]  # before any resize reached the screen


@pytest.mark.parametrize("seed", [None, 4])
async def test_the_lists_cursor_stays_in_sight_when_the_list_gets_shorter(seed):
    """At 80x24 the list gives the form its room when the focus goes into the details (8
    lines for the list, 3 of them rows): the row the cursor is on, near the bottom of the
    taller list, stays in sight, as the tour's step on the Health tab showed it did not.
    Also on a slowed loop."""
    with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
        app = sandbox_app()
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            services = table(pilot)
            await pilot.press(*["j"] * 11)
            tall = services.scrollable_content_region.height
            await pilot.press("1")  # the focus into the form: the list shrinks
            await wait_for(pilot, lambda: services.scrollable_content_region.height < tall)

            def in_sight() -> bool:
                top = services.scroll_offset.y
                return top <= services.cursor < top + services.scrollable_content_region.height

            await wait_for(pilot, in_sight)
            assert services.cursor == 11


@pytest.mark.parametrize("seed", [None, 6])
async def test_the_mode_line_as_painted_follows_a_dialog_opened_over_a_dialog(seed):
    """The bottom line is repainted when its keys change, not only when its own screen's
    focus moves: the profiles, then `a` for their editor over them, and the line painted on
    the terminal says the editor's keys, then the profiles' again once it closes."""
    with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
        app = sandbox_app()
        async with app.run_test(size=SIZE) as pilot:
            await open_profiles(pilot)

            def bottom() -> str:
                return painted(app).split("\n")[-1]

            await wait_for(pilot, lambda: "a add" in bottom())
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, ProfileEditor))
            await wait_for(pilot, lambda: "ctrl+s save" in bottom())
            assert "a add" not in bottom() and bottom().lstrip().startswith("DIALOG")
            await pilot.press("escape")
            await wait_for(pilot, lambda: "a add" in bottom())


async def test_reading_the_screen_leaves_what_the_app_paints_next_alone():
    """The tests' `painted()` reads the screen the way the app renders it: read while the
    screen under a dialog is being repainted, it draws that screen (not a blank, which the
    dialog would then keep and the terminal show from then on), and the next read, once the
    app has painted, still shows it."""
    from textual.app import App, ComposeResult
    from textual.screen import ModalScreen
    from textual.widgets import Static

    class Over(ModalScreen[None]):
        DEFAULT_CSS = "Over { align: center middle; } Over Static { width: 8; height: 1; }"

        def compose(self) -> ComposeResult:
            yield Static("dialog")

    class Under(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("the screen below")

    app = Under()
    async with app.run_test(size=(30, 5)) as pilot:
        await app.push_screen(Over())
        await wait_for(pilot, lambda: "the screen below" in painted(app))
        app.screen.refresh()  # as a change below the dialog makes it repaint
        assert "the screen below" in painted(app)
        await pilot.pause()
        assert "the screen below" in painted(app) and "dialog" in painted(app)


@pytest.mark.parametrize("seed", [None, 3])
async def test_ctrl_s_is_offered_while_there_is_something_to_save(seed):
    """The bottom line offers `ctrl+s save` while the form holds an edit or a new service,
    not on a form the server already matches (where it took the room of `q quit` at 80
    columns): a switch flipped on its row brings it, the save takes it away, `n` brings it
    back. Read as painted: the line follows without the focus moving. Also on a slowed loop."""
    with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
        app = sandbox_app()
        async with app.run_test(size=SIZE) as pilot:
            main = await ready(pilot)

            def bottom() -> str:
                return painted(app).split("\n")[-1]

            await wait_for(pilot, lambda: "q quit" in bottom())
            assert "ctrl+s" not in bottom()
            await pilot.press("1")  # the form: its first row
            await wait_for(pilot, lambda: main.form.focused_row() is not None)
            main.form.focus_field("mms_converter")
            await pilot.press("space")  # flipped on its row: no focus moves
            await wait_for(pilot, lambda: "ctrl+s save" in bottom())
            assert main.form.dirty
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: not main.form.dirty and "ctrl+s" not in bottom())
            await pilot.press("escape", "n")
            await wait_for(pilot, lambda: main.form.creating and "ctrl+s save" in bottom())
