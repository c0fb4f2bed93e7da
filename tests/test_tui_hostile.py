"""Hostile names in the TUI: shown visibly, never emitted, never parsed as markup."""

from __future__ import annotations

import unicodedata

from textual.widgets import Input

from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.server import open_emulator
from msgsvc_tui.tui.widgets.service_form import ServiceForm

from .test_tui import _type
from .tui_helpers import (
    WIDE,
    notifications,
    ready,
    refuse_posts,
    sandbox_app,
    stored,
    table,
    wait_for,
)

HOSTILE = {
    "osc52": "\x1b]52;c;cHduZWQ=\x07",
    "title": "\x1b]0;PWNED\x07",
    "clear": "\x1b[2J\x1b[?1049h",
    "markup": "markup [/] x",
    "bidi": "\u202eevil",
}


def _raw(text: str) -> list[str]:
    return [c for c in text if unicodedata.category(c) == "Cc" or 0x202A <= ord(c) <= 0x202E]


def _rows(t) -> list[dict]:
    return [t.model.visible_service(i) for i in range(len(t.model.visible))]


def _hostile_app():
    emulator = open_emulator(":memory:")
    for name in HOSTILE.values():
        emulator.store.create_service(demo.DEMO_ACCOUNT_SID, {"friendly_name": name})
    return sandbox_app(emulator=emulator)


async def test_hostile_names_reach_the_screen_only_as_visible_text():
    app = _hostile_app()
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        t = table(pilot)
        t.cursor = len(t.model.visible) - 1
        await pilot.pause()
        painted = []
        for y in range(t.size.height):
            painted.append("".join(seg.text for seg in t.render_line(y)))
        assert all(_raw(line) == [] for line in painted)
        screen_text = "\n".join(painted)
        assert "␛]52;c;" in screen_text and "⟨U+202E⟩evil" in screen_text
        # the form shows the safe spelling, and showing it is no edit
        for name in HOSTILE.values():
            row = next(i for i, s in enumerate(_rows(t)) if s["friendly_name"] == name)
            t.cursor = row
            await pilot.pause()
            form = app.screen.query_one(ServiceForm)
            await wait_for(
                pilot, lambda f=form, n=name: f.service and f.service["friendly_name"] == n
            )
            value = app.screen.query_one("#field-friendly_name", Input).value
            assert _raw(value) == [] and not form.dirty
            title = str(app.screen.query_one("#detail-title").render())
            assert _raw(title) == []


async def test_a_markup_name_flips_without_crashing_and_is_shown_literally():
    app = _hostile_app()
    async with app.run_test(size=WIDE) as pilot:
        await ready(pilot)
        t = table(pilot)
        row = next(i for i, s in enumerate(_rows(t)) if s["friendly_name"] == HOSTILE["markup"])
        t.cursor = row
        await pilot.pause()
        sid = t.current["sid"]
        before = stored(app, sid)["sticky_sender"]
        await pilot.press("S")
        await wait_for(pilot, lambda: stored(app, sid)["sticky_sender"] is not before)
        await wait_for(pilot, lambda: any("markup [/] x" in n.message for n in notifications(app)))
        assert app.is_running
        for note in notifications(app):
            assert _raw(note.message) == []


async def test_a_refusal_naming_a_field_shows_the_servers_words_only_as_visible_text():
    """The server's error text lands on the field it names: as visible text, never emitted."""
    app = sandbox_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await ready(pilot)
        await _type(pilot, "field-status_callback", "https://ok.example/status")
        hostile = "Invalid StatusCallback: " + "".join(HOSTILE.values())
        refuse_posts(app, {"code": 20001, "message": hostile, "status": 400})
        await pilot.press("ctrl+s")
        error = screen.query_one("#error-status_callback")
        await wait_for(pilot, lambda: "Invalid" in str(error.render()))
        shown = str(error.render())
        assert _raw(shown) == [] and "␛]52;c;" in shown and "markup [/] x" in shown
        status = str(screen.query_one("#detail-status").render())
        assert "␛]0;PWNED" in status and all(_raw(line) == [] for line in status.splitlines())
