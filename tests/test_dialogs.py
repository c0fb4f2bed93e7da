"""The dialogs' one mechanism (tui/screens/modals.py), on a bare App (no emulator): what the
base gives every dialog, the one confirm-then-act, and buttons that do what their keys do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Button, Input

from msgsvc_tui.tui import keymode
from msgsvc_tui.tui.screens.country_sender import CountrySenderScreen
from msgsvc_tui.tui.screens.export_path import ExportPathScreen
from msgsvc_tui.tui.screens.help import HelpScreen
from msgsvc_tui.tui.screens.modals import (
    ConfirmScreen,
    Dialog,
    DialogFrame,
    ReportScreen,
    UnsavedScreen,
    confirm_then,
)
from msgsvc_tui.tui.screens.profiles import ProfileEditor
from msgsvc_tui.tui.screens.sender_picker import AlphaSenderScreen
from tests.tui_helpers import SIZE, WIDE, dialog_text, painted, wait_for


class Bare(App[None]):
    """Only the screens under test; every answer a dialog gives is kept."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[Any] = []

    def open(self, dialog: Dialog[Any]) -> None:
        self.push_screen(dialog, self.answers.append)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ConfirmScreen("Delete?", "Sure?"),
        lambda: UnsavedScreen("Svc", ["Friendly name: a → b"]),
        lambda: ReportScreen("Done", ["ok"]),
        HelpScreen,
        AlphaSenderScreen,
        lambda: CountrySenderScreen(set()),
        ProfileEditor,
    ],
)
async def test_escape_answers_none_and_the_focus_is_never_on_nothing(make):
    app = Bare()
    async with app.run_test() as pilot:
        dialog = make()
        app.open(dialog)
        await wait_for(pilot, lambda: app.screen is dialog)
        assert dialog.focused is not None  # the focus on open
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not dialog)
        assert app.answers == [None]


async def test_confirm_then_acts_on_yes_only():
    app = Bare()
    acted: list[str] = []
    async with app.run_test() as pilot:
        for key in ("n", "escape", "y"):
            confirm_then(app.screen, "Delete?", "Sure?", lambda k=key: acted.append(k))
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert keymode.state_of(app.screen).badge() == "DIALOG Delete?"
            await pilot.press(key)
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        confirm_then(app.screen, "Delete?", "Sure?", lambda: acted.append("button"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#no")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        confirm_then(app.screen, "Delete?", "Sure?", lambda: acted.append("yes button"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#yes")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
    assert acted == ["y", "yes button"]


async def test_a_long_title_wraps_inside_the_frame_at_80_columns():
    """A title holding a service's name (Twilio allows 64 characters) is wider than a dialog
    at 80 columns: it wraps, and no word of it is cut at the frame."""
    name = "Acme Holiday Season Order and Delivery Notifications (EU and UK)"
    title = f"Add a sender to “{name}”"
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        dialog = ConfirmScreen(title, "Sure?")
        app.open(dialog)
        await wait_for(pilot, lambda: app.screen is dialog)
        await pilot.pause()
        assert len(name) == 64 and dialog_text(app).startswith(title + " Sure?")


async def test_a_button_answers_as_its_key_does():
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        for button in ("#discard", "#save", "#cancel"):
            dialog = UnsavedScreen("Svc", ["Friendly name: a → b"])
            app.open(dialog)
            await wait_for(pilot, lambda d=dialog: app.screen is d)
            await pilot.click(button)
            await wait_for(pilot, lambda d=dialog: app.screen is not d)
    assert app.answers == ["discard", "save", None]


async def test_the_checked_dialogs_say_the_problem_and_answer_once_it_is_gone():
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        dialog = CountrySenderScreen({None})
        app.open(dialog)
        await wait_for(pilot, lambda: app.screen is dialog)
        error = dialog.query_one("#country-error")
        assert "-shown" not in error.classes  # nothing typed: no scolding
        await pilot.press(*"Acme", "enter")  # to the country
        assert dialog.query_one("#country-code", Input).has_focus
        await pilot.press("enter")  # blank: every other country, which is taken
        assert "already has an alpha sender" in str(error.render())
        await pilot.press(*"FR", "enter")
        await wait_for(pilot, lambda: app.screen is not dialog)
    assert app.answers == [("Acme", "FR")]


async def test_the_export_path_asks_before_replacing(tmp_path: Path):
    there = tmp_path / "kept.toml"
    there.write_text("kept\n")
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        dialog = ExportPathScreen("1 service", there)
        app.open(dialog)
        await wait_for(pilot, lambda: app.screen is dialog)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # not replaced: back in the path dialog, nothing answered
        await wait_for(pilot, lambda: app.screen is dialog)
        assert app.answers == []
        await pilot.press("ctrl+u", "enter")
        assert "A file name is needed" in str(dialog.query_one("#export-error").render())
        await pilot.press(*str(tmp_path / "new.toml"), "enter")
        await wait_for(pilot, lambda: app.screen is not dialog)
    assert app.answers == [(tmp_path / "new.toml", False)]


@pytest.mark.parametrize("size", [SIZE, WIDE])
@pytest.mark.parametrize(
    "make",
    [
        lambda: ReportScreen("Done", [f"line {i}" for i in range(100)]),
        lambda: UnsavedScreen("Svc", [f"Field {i}: a → b" for i in range(100)]),
    ],
    ids=["report", "unsaved"],
)
async def test_a_long_body_takes_the_room_left_and_scrolls_to_its_last_line(make, size):
    """A body of many lines is as tall as the frame has room for beside its title and
    buttons, at any size: its scrollbar and the buttons are on screen (a body of 30 lines
    pushed them out of the frame at 80x24, and the buttons at 120x40 too), and `G` shows
    its last line."""
    app = Bare()
    async with app.run_test(size=size) as pilot:
        dialog = make()
        app.open(dialog)
        await wait_for(pilot, lambda: app.screen is dialog)
        body = dialog.query_one(".dialog-body")
        await wait_for(pilot, lambda: body.has_focus and body.max_scroll_y > 0)
        frame = dialog.query_one(DialogFrame)
        assert app.screen.region.contains_region(frame.region)
        for widget in (body, *dialog.query(Button)):
            assert frame.content_region.contains_region(widget.region), widget
        assert body.show_vertical_scrollbar
        await pilot.press("G")
        await pilot.pause()
        last = dialog.lines()[-1] if isinstance(dialog, UnsavedScreen) else "line 99"
        assert any(last in line for line in painted(app).split("\n")), last
