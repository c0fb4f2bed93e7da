"""`?` at 80x24, the size promised over SSH: every line of the help is reached with the keys
alone and seen on screen, its scrollbar is on screen to say there is more, and the legends of
the list's columns (US, H) read in full at 80 columns."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable
from typing import Any

import pytest

from msgsvc_tui.core import health
from msgsvc_tui.tui.help import sections
from msgsvc_tui.tui.screens.help import HelpScreen
from msgsvc_tui.tui.widgets.nav import NavScroll
from msgsvc_tui.tui.widgets.service_table import health_mark

from .tui_helpers import SIZE, painted, ready, sandbox_app, slowed, wait_for

LAST_WORDS = "ctrl+p: command palette."  # the end of the help's last paragraph
US_COLUMN = "The list's US column"
H_COLUMN = "The list's H column"


def body_lines(app: Any, body: NavScroll) -> list[str]:
    """The lines of the help's body as painted: only those inside the screen."""
    lines = painted(app).split("\n")
    region = body.region
    return [
        lines[y][region.x : region.right]
        for y in range(region.y, region.bottom)
        if 0 <= y < len(lines)
    ]


async def open_help(pilot: Any) -> NavScroll:
    await ready(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
    body = pilot.app.screen.query_one("#help-body", NavScroll)
    await wait_for(pilot, lambda: body.has_focus and body.max_scroll_y > 0)
    return body


def painted_where_scrolled(app: Any, body: NavScroll) -> bool:
    """Whether the screen as painted shows the body where it is scrolled to: its first line
    on screen is the body's own line at `scroll_y`. The paint follows a scroll (later, on a
    loaded machine): what is seen is read once it has caught up."""
    top = round(body.scroll_y)
    line = next(
        (
            child.render_line(top - child.virtual_region.y).text
            for child in body.children
            if child.virtual_region.y <= top < child.virtual_region.bottom
        ),
        None,
    )
    painted = body_lines(app, body)
    return line is not None and bool(painted) and painted[0].startswith(line)


async def press_to(pilot: Any, body: NavScroll, key: str, end: Callable[[], float]) -> None:
    """`key` as a user presses it, again and again until the help is scrolled to `end()`
    (bounded by a count of keys, one per line of the help at most, never by a clock), and
    then painted there."""
    for _ in range(body.virtual_size.height):
        if body.scroll_y == end():
            break
        await pilot.press(key)
    await wait_for(pilot, lambda: body.scroll_y == end())
    await wait_for(pilot, lambda: painted_where_scrolled(pilot.app, body))


@pytest.mark.parametrize(
    ("key", "seed"),
    [("G", None), ("ctrl+d", None), ("j", None), ("pagedown", None), ("ctrl+d", 3)],
)
async def test_at_80x24_the_keys_scroll_the_help_to_its_last_line(key, seed):
    """The body was 30 lines tall in a frame with room for 15 at 80x24: the frame cut off its
    bottom, scrollbar included, so the keys scrolled the last lines (the quit keys, the
    paragraph on modes) to where nobody could see them, and nothing said more was there.
    Also on a slowed loop."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        body = await open_help(pilot)
        # the whole body is on screen, its scrollbar too, and the scrollbar is shown
        assert app.screen.region.contains_region(body.region), body.region
        assert body.show_vertical_scrollbar
        with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
            await press_to(pilot, body, key, lambda: body.max_scroll_y)
        shown = "\n".join(body_lines(app, body))
        assert LAST_WORDS in shown, shown
        assert "ctrl+q ctrl+c" in shown and "Quit (asks about unsaved edits)" in shown, shown
        with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
            await press_to(pilot, body, "k" if key == "j" else "g", lambda: 0)
        assert "Moving (every list and modal)" in "\n".join(body_lines(app, body))


async def test_at_80x24_paging_down_shows_every_section_and_legend_of_the_help():
    """Half a page at a time, every section's title and every legend's words pass by on
    screen; the legends' tables are two columns (a mark, what it means), not three with an
    empty one squeezing its header into `Wh…`."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        body = await open_help(pilot)
        seen: list[str] = body_lines(app, body)
        for _ in range(body.virtual_size.height):  # bounded: a key per line at most
            if body.scroll_y == body.max_scroll_y:
                break
            await pilot.press("ctrl+d")
            await wait_for(pilot, lambda: painted_where_scrolled(app, body))
            seen += body_lines(app, body)
        text = "\n".join(seen)
        for title, _ in sections():
            assert title in text, title
        for legend in (US_COLUMN, H_COLUMN):
            for mark, means, _ in dict(sections())[legend]:
                assert any(
                    line.split()[:1] == [mark] and means in " ".join(line.split()[1:])
                    for line in seen
                ), (mark, means)
        assert any(line.split() == ["Mark", "Means"] for line in seen)
        assert "Wh…" not in text and "do…" not in text
        assert LAST_WORDS in text


def test_the_help_explains_every_mark_the_h_column_shows():
    """Each verdict the doctor gives a service is drawn in the list's H column (by the
    table's own `health_mark`): each of those marks, and the blank, is explained under `?`."""
    rows = dict(sections())[H_COLUMN]
    marks = {mark for mark, _, _ in rows}
    for state in (*health.MARKS, "failed"):
        assert health_mark(state) in marks, state
    assert health_mark(None).strip() == "" and "blank" in marks  # not checked yet
    assert {"!", "✗"} <= marks
