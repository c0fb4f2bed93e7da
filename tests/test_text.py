"""`put`, the one way text is set on a Static: made safe, set once, and laid out again only
when the widget's height changes. Small apps of Textual's own Static: what is checked is
which updates lay the screen out, and that the screen ends as a full layout would leave it."""

from __future__ import annotations

import html

from textual.app import App, ComposeResult
from textual.widgets import Static

from msgsvc_tui.tui.text import put

from .tui_helpers import wait_for


class Lines(App[None]):
    CSS = """
    #auto { height: auto; }
    #fixed { height: 1; }
    #hidden { display: none; height: auto; }
    """

    def compose(self) -> ComposeResult:
        yield Static("one line", id="auto")
        yield Static("fixed", id="fixed")
        yield Static("", id="hidden")
        yield Static("below", id="below")


class Counting:
    """The layouts of `app`'s screen from now on (Textual's public layout signal)."""

    def __init__(self, app: App[None]) -> None:
        self.layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, self.layouts.append)

    def __len__(self) -> int:
        return len(self.layouts)


async def test_text_of_the_same_height_is_painted_without_a_layout():
    app = Lines()
    async with app.run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        layouts = Counting(app)
        put(app.query_one("#auto", Static), "another line")
        put(app.query_one("#fixed", Static), "a longer fixed line")
        await pilot.pause()
        assert len(layouts) == 0
        assert str(app.query_one("#auto", Static).render()) == "another line"
        assert "a longer fixed line" in html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_a_hidden_widget_takes_its_text_without_a_layout_and_shows_it_when_shown():
    app = Lines()
    async with app.run_test(size=(30, 8)) as pilot:
        await pilot.pause()
        layouts = Counting(app)
        hidden = app.query_one("#hidden", Static)
        put(hidden, "two\nlines")
        await pilot.pause()
        assert len(layouts) == 0
        hidden.display = True
        await pilot.pause()
        assert hidden.size.height == 2


async def test_text_that_changes_the_height_lays_out_and_moves_what_is_below():
    app = Lines()
    async with app.run_test(size=(30, 8)) as pilot:
        below = app.query_one("#below", Static)
        await pilot.pause()
        top = below.region.y
        layouts = Counting(app)
        put(app.query_one("#auto", Static), "now\nthree\nlines")
        await wait_for(pilot, lambda: len(layouts) >= 1)  # the signal comes in a message
        assert len(layouts) >= 1
        assert app.query_one("#auto", Static).size.height == 3
        assert below.region.y == top + 2


async def test_unchanged_text_is_not_set_again():
    app = Lines()
    async with app.run_test(size=(30, 8)) as pilot:
        line = app.query_one("#fixed", Static)
        put(line, "same")
        await pilot.pause()
        first = line.visual
        put(line, "same")
        assert line.visual is first
