"""The keyboard model: moving around never writes, letters are commands unless you
are editing, and while editing every key reaches the field in order.

Bursts are posted all at once, as a held key or a slow SSH link delivers them, without waiting
for one key to be handled before the next (pilot.press waits; a real terminal does not).
"""

from __future__ import annotations

import asyncio
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual import events
from textual.widgets import Input

from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screens.modals import ConfirmScreen, UnsavedScreen
from msgsvc_tui.tui.widgets.service_form import ServiceForm
from msgsvc_tui.tui.widgets.service_table import ServiceTable

from .tui_helpers import SIZE, WIDE, ready, record_methods, sandbox_app, stored, table, wait_for

NAVIGATION = [
    "j", "k", "g", "G", "up", "down", "home", "end", "pageup", "pagedown",
    "ctrl+d", "ctrl+u", "ctrl+f", "ctrl+b", "1", "2", "tab", "shift+tab", "escape",
]  # fmt: skip


def _character(key: str) -> str | None:
    if len(key) == 1:
        return key
    try:
        return unicodedata.lookup(key.upper().replace("_", " "))
    except KeyError:
        return None


async def burst(pilot, *keys: str) -> None:
    """Every key posted at once, then wait until the app has handled them all."""
    for key in keys:
        pilot.app.post_message(events.Key(key, _character(key)))
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _form(app) -> ServiceForm:
    return app.screen.query_one(ServiceForm)


async def _in_the_form(pilot):
    """The app ready, then 1: the form, its first row focused."""
    await ready(pilot)
    await pilot.press("1")
    form = _form(pilot.app)
    await wait_for(pilot, lambda: form.focused_row() is not None)
    return form


@settings(max_examples=6, deadline=None)
@given(
    keys=st.lists(st.sampled_from(NAVIGATION), min_size=1, max_size=60),
    size=st.sampled_from([(80, 24), (120, 40)]),
)
def test_random_navigation_bursts_never_write_or_dirty(keys, size):
    async def scenario() -> None:
        app = sandbox_app()
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            methods = record_methods(app)
            await burst(pilot, *keys)
            await burst(pilot, *keys)  # and once more from wherever it ended
            assert not isinstance(app.screen, UnsavedScreen), keys
            main = app.screen_stack[1] if len(app.screen_stack) > 1 else app.screen
            assert isinstance(main, MainScreen)
            assert not main.query_one(ServiceForm).dirty, keys
            assert set(methods) <= {"GET"}, (keys, methods)

    asyncio.run(scenario())


async def test_twelve_j_in_one_burst_leave_everything_clean():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        methods = record_methods(app)
        await burst(pilot, *["j"] * 12)
        assert table(pilot).cursor == 12
        form = _form(app)
        assert form.service["sid"] == table(pilot).current["sid"]  # the form followed
        assert not form.dirty and isinstance(app.screen, MainScreen)
        assert "modified" not in str(app.screen.query_one("#detail-status").render())
        assert set(methods) <= {"GET"}


@pytest.mark.parametrize(("opener", "then"), [("1", "d"), ("enter", "2"), ("1", "x")])
async def test_opening_the_form_types_nothing(opener, then):
    """`1` then `d` renamed the service "d"; `enter` then `2` renamed it "2"."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        name = stored(app, sid)["friendly_name"]
        await pilot.press(opener, then)
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)  # d in the form deletes nothing
        assert app.screen.query_one("#field-friendly_name", Input).value == name
        assert not _form(app).dirty and stored(app, sid)["friendly_name"] == name


async def test_letters_on_a_row_are_never_typed():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await _in_the_form(pilot)
        methods = record_methods(app)
        await burst(pilot, *"abcxyzqwrtuv")
        assert not form.dirty and set(methods) <= {"GET"}


async def test_j_and_k_move_between_fields_and_enter_edits():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        form = await _in_the_form(pilot)
        assert form.focused_row().field_name == "friendly_name"
        await pilot.press("j")
        assert form.focused_row().field_name == "usecase"
        await pilot.press("k")
        assert form.focused_row().field_name == "friendly_name"
        await pilot.press("e")
        name = app.screen.query_one("#field-friendly_name", Input)
        assert name.has_focus and form.editing
        assert name.selection.is_empty and name.cursor_position == len(name.value)
        await pilot.press("j")  # while editing, j is a letter
        assert name.value.endswith("j")
        await pilot.press("escape")  # stop editing …
        assert form.focused_row().field_name == "friendly_name" and not form.editing
        await pilot.press("escape")  # … and a second esc goes back to the list
        assert table(pilot).has_focus


@pytest.mark.parametrize("size", [SIZE, WIDE])
async def test_the_form_pages_with_the_keys_every_list_has(size):
    """ctrl+d / ctrl+u move half of the rows in sight, ctrl+f a page, G and g to the ends:
    the help lists them for every list, and the form is one."""
    app = sandbox_app()
    async with app.run_test(size=size) as pilot:
        form = await _in_the_form(pilot)
        rows = form.rows()

        def at() -> int:
            return rows.index(form.focused_row())

        await pilot.press("ctrl+d")
        half = at()
        assert half >= 1
        await pilot.press("ctrl+u")
        assert at() == 0
        await pilot.press("ctrl+f")
        assert at() >= half
        await pilot.press("G")
        assert at() == len(rows) - 1
        await pilot.press("g")
        assert at() == 0
        assert not form.dirty


async def test_a_burst_while_editing_reaches_the_field_in_order():
    """18 backspaces then "abc" in one burst gave "Aab"."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        name = app.screen.query_one("#field-friendly_name", Input)
        assert name.value == "Acme Order Updates"
        await pilot.press("1", "enter")
        assert name.has_focus
        await burst(pilot, *["backspace"] * 18, "a", "b", "c")
        assert name.value == "abc"
        await burst(pilot, *"the quick brown fox jumps over the lazy dog")
        assert name.value == "abcthe quick brown fox jumps over the lazy dog"
        # ctrl+s at the end of a burst saves what was typed before it, all of it
        sid = _form(app).service["sid"]
        await burst(pilot, *["backspace"] * 60, *"Saved in order", "ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["friendly_name"] == "Saved in order")


async def test_space_flips_a_switch_on_its_row():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("1")
        form = _form(app)
        form.focus_field("sticky_sender")
        await pilot.pause()
        before = form.raw_values()["sticky_sender"]
        await pilot.press("space")
        assert form.raw_values()["sticky_sender"] is not before and form.dirty


async def test_G_goes_to_the_bottom_and_writes_nothing():
    """G once flipped area code geomatch and saved; it is vim's "last row" now."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        methods = record_methods(app)
        await pilot.press("G")
        await pilot.pause()
        assert table(pilot).cursor == len(table(pilot).model.visible) - 1
        assert set(methods) <= {"GET"}
        await pilot.press("g", "ctrl+d")
        assert table(pilot).cursor > 1
        await pilot.press("ctrl+u")
        assert table(pilot).cursor == 0


async def test_a_failed_save_from_the_prompt_keeps_list_and_form_together():
    """/x in the webhook, esc, j, s: the save failed, the list showed another service, and
    y and d then acted on that one."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        main = await ready(pilot)
        the_table = main.query_one(ServiceTable)
        first = the_table.current["sid"]
        form = _form(app)
        form.focus_field("status_callback")
        await pilot.press("enter")
        field = app.screen.query_one("#field-status_callback", Input)
        field.value = ""
        await pilot.press("/", "x", "escape", "escape")
        assert the_table.has_focus
        await pilot.press("j")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        assert the_table.current["sid"] == first  # held while the question is open
        assert any("Status callback URL" in c and "/x" in c for c in app.screen.changes)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await pilot.pause()
        assert table(pilot).current["sid"] == form.service["sid"] == first
        copied: list[str] = []
        app.copy_to_clipboard = copied.append
        # a failed save leaves the bad field being edited: esc ends that, esc goes to the list
        await pilot.press("escape", "escape", "y")
        assert copied == [first]


async def test_the_prompt_shows_old_and_new_values():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("1", "enter")
        await burst(pilot, *["backspace"] * 30, *"Renamed")
        await pilot.press("escape", "escape", "j")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        assert app.screen.changes == ["  Friendly name: Acme Order Updates → Renamed"]
        await pilot.press("c")


async def test_creating_from_the_prompt_leaves_a_clean_form_and_esc_does_not_loop():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("n")
        await burst(pilot, *"Brand new")
        await pilot.press("escape", "escape", "j")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_for(pilot, lambda: not _form(app).creating)
        assert not _form(app).dirty
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "modified" not in str(app.screen.query_one("#detail-status").render())


def test_the_readme_keys_table_is_the_apps_own():
    from pathlib import Path

    from msgsvc_tui.tui.help import markdown_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("<!-- keys:start -->\n", 1)[1].split("\n<!-- keys:end -->", 1)[0]
    assert section == markdown_table(), "run: python -m msgsvc_tui.tui.help, paste into README"


def test_no_command_key_collides_with_a_navigation_key():
    from msgsvc_tui.tui.app import MsgsvcApp
    from msgsvc_tui.tui.screens.campaign_form import AttachScreen, CampaignForm
    from msgsvc_tui.tui.screens.country_sender import CountrySenderScreen
    from msgsvc_tui.tui.screens.main import ListPane, MainScreen
    from msgsvc_tui.tui.screens.picker import PickerScreen
    from msgsvc_tui.tui.tabs import TABS
    from msgsvc_tui.tui.widgets.nav import NAV_KEY_NAMES
    from msgsvc_tui.tui.widgets.panes.senders import SendersPane

    for bindings in (
        ListPane.BINDINGS,
        MainScreen.BINDINGS,
        SendersPane.BINDINGS,
        MsgsvcApp.BINDINGS,
        # every detail tab (from the registry) and the modals they open
        *(t.pane.BINDINGS for t in TABS if t.pane is not None),
        PickerScreen.BINDINGS,
        CountrySenderScreen.BINDINGS,
        CampaignForm.BINDINGS,
        AttachScreen.BINDINGS,
    ):
        for b in bindings:
            if b.action == "focus_list":  # a picker's down: moving from its filter to its list
                continue
            for key in b.key.split(","):
                assert key.strip() not in NAV_KEY_NAMES, (b.key, b.action)
