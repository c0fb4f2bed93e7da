"""Every user action, driven by Pilot, end to end against the emulator."""

from __future__ import annotations

import contextlib
import html
import random

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Select, Static, Switch

from msgsvc_tui.core.config import Config, Profile, Secret
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import Fault
from msgsvc_tui.tui.app import MsgsvcApp
from msgsvc_tui.tui.screens.help import HelpScreen
from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screens.modals import (
    ConfirmScreen,
    ConflictScreen,
    ReportScreen,
    UnsavedScreen,
)
from msgsvc_tui.tui.screens.profiles import ProfileEditor
from msgsvc_tui.tui.screens.welcome import WelcomeScreen
from msgsvc_tui.tui.widgets.service_form import ServiceForm

from .tui_helpers import (
    SIZE,
    app_with_profiles,
    form,
    keybar_text,
    notifications,
    open_emulator,
    open_profiles,
    ready,
    record_methods,
    refuse_posts,
    row_by_keys,
    sandbox_app,
    slowed,
    store_count,
    stored,
    table,
    wait_for,
)


async def _type(pilot, widget_id: str, text: str) -> None:
    """As a user types into a field: its row, enter to edit, clear, the keys, esc."""
    form = pilot.app.screen.query_one(ServiceForm)
    form.focus_field(widget_id.removeprefix("field-"))
    await pilot.press("enter")
    field = pilot.app.screen.query_one(f"#{widget_id}", Input)
    assert field.has_focus, "enter did not start editing"
    field.value = ""
    await pilot.press(*text) if text else None
    await pilot.press("escape")
    assert not field.has_focus and form.focused_row() is not None
    await pilot.pause()


async def test_sandbox_is_visibly_the_sandbox():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        bar = str(screen.query_one("#topbar").render())
        assert "SANDBOX" in bar and "AC0123…cdef" in bar
        assert app.sub_title == "SANDBOX"
        assert len(screen.model) == demo.SERVICE_COUNT


async def test_create_is_listed_selected_and_stored():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("n")
        assert app.focused.id == "field-friendly_name"
        await pilot.press(*"Brand New Alerts")
        await _type(pilot, "field-validity_period", "900")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: len(screen.model) == demo.SERVICE_COUNT + 1)
        await wait_for(pilot, lambda: not form(pilot).creating)
        current = table(pilot).current
        assert current["friendly_name"] == "Brand New Alerts"  # selected
        saved = stored(app, current["sid"])
        assert saved["friendly_name"] == "Brand New Alerts" and saved["validity_period"] == 900
        assert store_count(app) == demo.SERVICE_COUNT + 1


async def test_edit_is_stored_and_only_changes_sent():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        before = stored(app, sid)
        await _type(pilot, "field-friendly_name", "Renamed From TUI")
        app.screen.query_one("#field-mms_converter", Switch).value = not before["mms_converter"]
        await pilot.pause()
        assert form(pilot).dirty
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["friendly_name"] == "Renamed From TUI")
        after = stored(app, sid)
        assert after["mms_converter"] is (not before["mms_converter"])
        assert after["status_callback"] == before["status_callback"]
        await wait_for(pilot, lambda: not form(pilot).dirty)
        assert table(pilot).current["friendly_name"] == "Renamed From TUI"


async def test_validation_inline_and_blocks_save():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        sid = table(pilot).current["sid"]
        requests_before = app.emulator.requests_served
        await _type(pilot, "field-validity_period", "99999")
        error = screen.query_one("#error-validity_period")
        assert "1 to 36,000" in str(error.render())  # inline, as typed
        await _type(pilot, "field-friendly_name", "x" * 65)
        assert "at most 64 characters" in str(screen.query_one("#error-friendly_name").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        # the first bad field is being edited, cursor at its end: what is typed next is text
        assert app.focused.id == "field-friendly_name"
        assert app.focused.cursor_position == len(app.focused.value)
        status = str(screen.query_one("#detail-status").render())
        assert "Not saved: 2 fields need attention" in status
        assert app.emulator.requests_served == requests_before  # nothing sent
        assert stored(app, sid)["friendly_name"] != "x" * 65


async def test_server_400_lands_on_its_field_and_keeps_edits():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await _type(pilot, "field-status_callback", "https://ok.example/status")
        refuse_posts(
            app,
            {
                "code": 20001,
                "message": "Invalid StatusCallback: rejected by server",
                "more_info": "https://www.twilio.com/docs/errors/20001",
                "status": 400,
            },
        )
        await pilot.press("ctrl+s")
        error = screen.query_one("#error-status_callback")
        await wait_for(pilot, lambda: "rejected by server" in str(error.render()))
        assert "20001" in str(error.render())
        status = str(screen.query_one("#detail-status").render())
        assert "20001" in status and "twilio.com/docs/errors/20001" in status
        assert app.focused.id == "field-status_callback"  # editing it again
        kept = screen.query_one("#field-status_callback", Input).value
        assert kept == "https://ok.example/status"  # the edit is kept
        assert form(pilot).dirty


async def _delete_asked(pilot) -> str:
    """d on the list, and what its question says."""
    await pilot.press("d")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    return str(pilot.app.screen.query_one(".dialog-body").render())


async def test_delete_with_confirm_and_cancel():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        victim = table(pilot).current
        body = await _delete_asked(pilot)
        assert victim["friendly_name"] in body and "return to the account" in body
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert store_count(app) == demo.SERVICE_COUNT
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert store_count(app) == demo.SERVICE_COUNT
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(screen.model) == demo.SERVICE_COUNT - 1)
        assert store_count(app) == demo.SERVICE_COUNT - 1
        assert screen.model.get(victim["sid"]) is None


async def test_with_marks_d_says_it_deletes_only_the_service_under_the_cursor():
    """Marks choose what a flip acts on; d takes the one service under the cursor and says
    so, asking even where deletes are set not to ask (which service goes is not obvious)."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        app.config.preferences.confirm_delete = False
        await pilot.press("g", "space", "space")
        victim = table(pilot).current
        body = await _delete_asked(pilot)
        assert victim["friendly_name"] in body and "2 marked services stay" in body
        await pilot.press("y")
        await wait_for(pilot, lambda: len(screen.model) == demo.SERVICE_COUNT - 1)
        assert screen.model.get(victim["sid"]) is None and len(screen.model.marked) == 2


async def test_each_flag_key_flips_and_saves():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        from msgsvc_tui.core import fields

        for f in fields.FLAGS:
            before = stored(app, sid)[f.name]
            await pilot.press(f.flag_key)
            await wait_for(pilot, lambda f=f, b=before: stored(app, sid)[f.name] is (not b))
            await wait_for(pilot, lambda f=f: not table(pilot).pending.get(sid))
            assert app.screen.model.get(sid)[f.name] is (not before)


async def test_flag_rolled_back_when_server_refuses():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        sid = table(pilot).current["sid"]
        before = stored(app, sid)["sticky_sender"]
        app.emulator.inject(Fault(403, b'{"code": 20403, "message": "Forbidden", "status": 403}'))
        await pilot.press("S")
        await wait_for(pilot, lambda: not table(pilot).pending.get(sid))
        assert screen.model.get(sid)["sticky_sender"] is before
        assert stored(app, sid)["sticky_sender"] is before
        assert any("20403" in n.message for n in notifications(app))


async def test_marks_and_bulk_flip_report_per_service():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("space", "space", "space")
        assert len(screen.model.marked) == 3
        marked = set(screen.model.marked)
        # all three have geomatch on, so the bulk flip turns it off for all
        assert all(stored(app, sid)["area_code_geomatch"] for sid in marked)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "for 3 of 3 marked" in str(app.screen.query_one(".dialog-body").render())
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: all(stored(app, sid)["area_code_geomatch"] is False for sid in marked),
        )
        # the marks were used: cleared, so a later flip cannot hit them again unseen
        await wait_for(pilot, lambda: not screen.model.marked)
        await pilot.press("g", "space", "space", "space")
        # one fails: the report names it
        app.emulator.inject(Fault(500, b'{"code": 20500, "message": "Internal error"}'))
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ReportScreen))
        assert "2 updated, 1 failed" in app.screen.title_text
        assert "20500" in "\n".join(app.screen.lines)


async def test_filter_as_you_type_and_escape_clears():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("slash")
        assert app.focused.id == "filter"
        await pilot.press(*"ACME")
        assert {s["friendly_name"] for s in map(screen.model.visible_service, range(3))} == {
            "Acme Order Updates",
            "Acme Login Codes",
            "Acme Spring Promo",
        }
        assert len(screen.model.visible) == 3
        await pilot.press("escape")
        assert len(screen.model.visible) == demo.SERVICE_COUNT
        await pilot.press("slash", *"verification")
        assert len(screen.model.visible) == 5  # by use case (3, and 2 of the doctor's)
        sid = screen.model.visible_service(0)["sid"]
        await pilot.press("escape", "slash", *sid[:10].lower())
        assert [screen.model.visible_service(0)["sid"]] == [sid]  # by SID, any case


async def test_sort_copy_and_navigation():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("o")  # name
        names = [
            screen.model.visible_service(i)["friendly_name"] for i in range(demo.SERVICE_COUNT)
        ]
        assert names == sorted(names, key=str.lower)
        await pilot.press("home", "j", "j", "k")
        assert table(pilot).cursor == 1
        copied = []
        app.copy_to_clipboard = copied.append
        await pilot.press("y")
        assert copied == [screen.model.visible_service(1)["sid"]]
        await pilot.press("enter")
        assert app.focused.id == "row-friendly_name"  # the form, not a field being edited


async def test_refresh_keeps_selection():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press("j", "j", "j")
        sid = table(pilot).current["sid"]
        app.emulator.store.create_service(
            "AC0123456789abcdef0123456789abcdef", {"friendly_name": "Z"}
        )
        await pilot.press("r")
        await wait_for(
            pilot, lambda: len(screen.model) == demo.SERVICE_COUNT + 1 and not screen.list_loading
        )
        assert table(pilot).current["sid"] == sid


async def test_dirty_leave_asks_save_discard_cancel():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        first = table(pilot).current["sid"]
        await _type(pilot, "field-friendly_name", "Unsaved Name")
        table(pilot).focus()
        await pilot.press("j")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        await pilot.press("c")  # cancel: back on the edited service, edit intact
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert table(pilot).current["sid"] == first
        assert screen.query_one("#field-friendly_name", Input).value == "Unsaved Name"
        await pilot.press("j")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        await pilot.press("s")  # save, then move on
        await wait_for(pilot, lambda: stored(app, first)["friendly_name"] == "Unsaved Name")
        await wait_for(pilot, lambda: form(pilot).service["sid"] != first)
        await _type(pilot, "field-friendly_name", "Will Be Dropped")
        second = form(pilot).service["sid"]
        table(pilot).focus()
        await pilot.press("j")
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        await pilot.press("d")  # discard
        await wait_for(pilot, lambda: form(pilot).service["sid"] != second)
        assert stored(app, second)["friendly_name"] != "Will Be Dropped"


@pytest.mark.parametrize("keys", [["ctrl+q"], ["q"], ["ctrl+p", *"quit", "enter"]])
async def test_quit_with_unsaved_edits_asks(keys):
    """Every way out asks, the command palette's Quit too (Textual's own quit exits at once)."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _type(pilot, "field-friendly_name", "Quit Test")
        if keys[0] == "q":
            await pilot.press("escape")  # q is a command on a row, typed in a field
        for key in keys:
            await pilot.press(key)
            if key == "ctrl+p":
                await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await wait_for(pilot, lambda: isinstance(app.screen, UnsavedScreen))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.is_running


async def test_conflict_detected_and_overwrite_or_reload():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        await _type(pilot, "field-friendly_name", "Mine")
        # someone else changes another field meanwhile: no question, their value is kept
        app.emulator.store.update_service(
            "AC0123456789abcdef0123456789abcdef", sid, {"validity_period": 77}
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["friendly_name"] == "Mine")
        assert stored(app, sid)["validity_period"] == 77  # their change kept: only ours sent
        await wait_for(
            pilot, lambda: app.screen.query_one("#field-validity_period", Input).value == "77"
        )

        # the same field, changed by both within the same second as the load: asked
        await _type(pilot, "field-friendly_name", "Mine again")
        stamp = stored(app, sid)["date_updated"]
        app.emulator.store.update_service(
            "AC0123456789abcdef0123456789abcdef", sid, {"friendly_name": "Theirs"}
        )
        app.emulator.store.db.execute(
            "UPDATE services SET date_updated = ? WHERE sid = ?", (stamp, sid)
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen))
        clash = [(d.field.name, d.mine, d.theirs) for d in app.screen.differences]
        assert clash == [("friendly_name", "Mine again", "Theirs")]
        await pilot.press("o")
        await wait_for(pilot, lambda: stored(app, sid)["friendly_name"] == "Mine again")

        await _type(pilot, "field-friendly_name", "Mine once more")
        app.emulator.store.update_service(
            "AC0123456789abcdef0123456789abcdef", sid, {"friendly_name": "Theirs"}
        )
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConflictScreen))
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_for(
            pilot, lambda: app.screen.query_one("#field-friendly_name", Input).value == "Theirs"
        )
        assert stored(app, sid)["friendly_name"] == "Theirs"


async def test_incoming_messages_choice():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        sid = table(pilot).current["sid"]
        url = stored(app, sid)["inbound_request_url"]
        assert url
        screen.query_one("#incoming-drop").value = True
        await pilot.pause()
        assert not screen.query_one("#row-inbound_request_url").display
        # what the save will send, shown before it is: the URL drop clears, untouched, too
        status = lambda: str(screen.query_one("#detail-status").render())  # noqa: E731
        await wait_for(pilot, lambda: f"Incoming webhook URL: {url} → —" in status())
        assert "Incoming messages: Send to a webhook URL → Drop" in status()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["inbound_request_url"] is None)
        screen.query_one("#incoming-webhook").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")  # webhook without URL: refused inline
        await pilot.pause()
        assert "required" in str(screen.query_one("#error-inbound_request_url").render())
        screen.query_one("#incoming-defer").value = True
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["use_inbound_webhook_on_number"] is True)


async def test_readonly_sends_no_write():
    app = sandbox_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        sid = table(pilot).current["sid"]
        before = stored(app, sid)
        methods = record_methods(app)
        await pilot.press("S", "E", "d", "n", "space", "M")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()  # whatever those keys started has ended
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "READ-ONLY" in str(screen.query_one("#topbar").render())
        assert all(m == "GET" for m in methods), methods
        assert stored(app, sid) == before
        assert screen.query_one("#field-friendly_name", Input).disabled
        await pilot.press("S")
        await wait_for(pilot, lambda: any("Read-only" in n.message for n in notifications(app)))
        assert all(m == "GET" for m in methods), methods


async def test_help_lists_every_binding():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        from msgsvc_tui.tui.help import sections

        keys = {k for _, rows in sections() for k, _, _ in rows}
        expected_keys = ("S", "E", "M", "C", "L", "W", "space", "d", "y", "/", "?", "ctrl+s", "G")
        for expected in expected_keys:
            assert any(expected in k.split() for k in keys), expected
        shown = " ".join(keys)
        assert "slash" not in shown and "question_mark" not in shown  # as people write keys
        # the help scrolls with j/k
        body = app.screen.query_one("#help-body")
        assert body.has_focus
        await pilot.press("j", "j")
        assert body.scroll_y > 0
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))


async def test_every_binding_has_id_and_description():
    from msgsvc_tui.tui.help import sections

    for _, rows in sections():
        for keys, desc, _ in rows:
            assert desc, keys
    from msgsvc_tui.tui.screens.main import ListPane, MainScreen

    for b in [*MainScreen.BINDINGS, *ListPane.BINDINGS, *MsgsvcApp.BINDINGS]:
        assert b.id and b.tooltip, b


async def test_welcome_screen_then_demo():
    app = MsgsvcApp(config=Config.load(), emulator_db=":memory:")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen))
        text = str(app.screen.query_one(".dialog-body").render())
        assert "TWILIO_ACCOUNT_SID" in text
        await pilot.press("d")
        screen = await ready(pilot)
        assert app.is_sandbox and len(screen.model) == demo.SERVICE_COUNT


async def _add_a_profile_from_the_welcome(pilot) -> ProfileEditor:
    """No profile yet: the welcome, then `a` opens the editor."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, WelcomeScreen))
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ProfileEditor))
    return pilot.app.screen


async def test_welcome_add_profile_saves_and_connects(server):
    app = MsgsvcApp(config=Config.load())
    async with app.run_test(size=SIZE) as pilot:
        editor = await _add_a_profile_from_the_welcome(pilot)
        editor.query_one("#profile-name", Input).value = "local"
        editor.query_one("#profile-account_sid", Input).value = "AC0123456789abcdef0123456789abcdef"
        editor.query_one("#profile-auth_token", Input).value = "demo-token-for-the-local-emulator"
        editor.query_one("#profile-base_url", Input).value = server.url
        assert editor.query_one("#profile-auth_token", Input).password  # masked as typed
        await pilot.press("ctrl+s")
        screen = await ready(pilot)  # over real loopback HTTP this time
        assert not app.is_sandbox and len(screen.model) == demo.SERVICE_COUNT
        saved = Config.load()
        assert saved.active_profile == "local"
        assert saved.profiles["local"].base_url == server.url


def text_of(app: MsgsvcApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render()).strip()


async def test_profile_editor_validates_inline():
    app = MsgsvcApp(config=Config.load())
    async with app.run_test(size=SIZE) as pilot:
        await _add_a_profile_from_the_welcome(pilot)
        app.screen.query_one("#profile-name", Input).value = "bad"
        app.screen.query_one("#profile-account_sid", Input).value = "AC123"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ProfileEditor)
        error = str(app.screen.query_one("#profile-error-account_sid").render())
        assert "32 hex" in error
        assert app.focused.id == "profile-account_sid"
        assert not Config.load().profiles  # nothing written
        # the token's problem names the other fields as the dialog labels them
        token_error = str(app.screen.query_one("#profile-error-auth_token").render())
        assert "API key SID and API key secret" in token_error, token_error
        # once refused, a problem fixed goes as it is typed away; another one stays
        app.screen.query_one("#profile-account_sid", Input).value = "AC" + "0123456789abcdef" * 2
        await wait_for(pilot, lambda: "32 hex" not in text_of(app, "#profile-error-account_sid"))
        assert "required" in text_of(app, "#profile-error-auth_token")
        app.screen.query_one("#profile-auth_token", Input).value = "secret"
        await wait_for(pilot, lambda: text_of(app, "#profile-error-auth_token") == "")


@pytest.mark.parametrize("seed", [None, 5])
async def test_profile_editor_is_typed_line_by_line_and_names_each_problem(seed):
    """Typed as a user types: enter moves to the next line (as in every dialog typed in),
    ctrl+s checks everything, each problem under its own field, the focus on the first.
    Also on a slowed loop: the keys after enter land in the next line."""
    with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
        await _profile_typed_line_by_line()


async def _profile_typed_line_by_line() -> None:
    app = MsgsvcApp(config=Config.load())
    async with app.run_test(size=SIZE) as pilot:
        editor = await _add_a_profile_from_the_welcome(pilot)
        await pilot.press(*"bad name", "enter", *"AC123", "enter")
        assert app.focused is not None and app.focused.id == "profile-auth_token"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "profile-name")
        assert app.screen is editor
        name_error = str(editor.query_one("#profile-error-name").render())
        sid_error = str(editor.query_one("#profile-error-account_sid").render())
        assert name_error and "32 hex" in sid_error
        assert not Config.load().profiles  # nothing written


async def test_a_profile_problem_of_no_field_still_refuses_the_save(monkeypatch):
    """A rule about the profile as a whole (no field to put it under) is said on the
    editor's one error line, and nothing is saved."""
    from msgsvc_tui.core.config import ProfileProblem

    monkeypatch.setattr(
        Profile, "problems", lambda self: [ProfileProblem("whole", "not allowed here")]
    )
    app = MsgsvcApp(config=Config.load())
    async with app.run_test(size=SIZE) as pilot:
        editor = await _add_a_profile_from_the_welcome(pilot)
        await pilot.press("ctrl+s")
        line = editor.query_one("#profile-error", Static)
        await wait_for(pilot, lambda: "not allowed here" in str(line.render()))
        assert app.screen is editor and not Config.load().profiles


async def test_profiles_screen_switches_and_tests(server):
    token = Secret("demo-token-for-the-local-emulator")
    sid = "AC0123456789abcdef0123456789abcdef"
    app = app_with_profiles(
        Profile("emu", sid, auth_token=token, base_url=server.url),
        Profile("broken", sid, auth_token=Secret("nope"), base_url=server.url),
        active="broken",
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_profiles(pilot)
        profiles = app.screen
        options = profiles.query_one("#profile-list")
        options.highlighted = options.get_option_index("broken")
        await pilot.press("t")
        status = profiles.query_one("#profiles-status")
        await wait_for(pilot, lambda: "20003" in str(status.render()))
        await pilot.press("x")  # removed: what its test said goes with it
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Removed broken" in str(status.render()))
        assert "20003" not in str(status.render()) and options.option_count == 1
        options.highlighted = options.get_option_index("emu")
        await pilot.press("t")
        await wait_for(pilot, lambda: "connected" in str(status.render()))
        # the list has the focus and takes enter itself; the bar still says what enter does
        assert options.has_focus and "enter switch" in keybar_text(pilot)
        await pilot.press("enter")
        screen = await ready(pilot)
        assert app.connection.profile == "emu" and not app.is_sandbox
        assert "emu" in str(screen.query_one("#topbar").render())
        assert Config.load().active_profile == "emu"


async def test_network_failure_never_crashes(quick_retries):
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        app.emulator.inject(
            *[Fault(502, b"<html>bad gateway</html>") for _ in range(5)]
        )  # 1 + 4 retries
        await pilot.press("r")
        await wait_for(pilot, lambda: not screen.list_loading)
        # the failure stays on screen until a load works; the old list stays too
        await wait_for(pilot, lambda: "502" in str(screen.query_one("#list-status").render()))
        assert app.is_running and len(screen.model) == demo.SERVICE_COUNT
        assert len(quick_retries) == 4
        await pilot.press("r")  # the next load works: the warning goes
        await wait_for(pilot, lambda: screen.list_error is None and not screen.list_loading)


async def test_narrow_terminal_stacks_panes():
    app = sandbox_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(pilot)
        await pilot.pause()
        assert screen.has_class("-narrow")
        await pilot.press("enter")
        await pilot.pause()
        assert screen.detail.has_class("-editing") and screen.list_pane.has_class("-editing")
        await wait_for(pilot, lambda: screen.list_pane.outer_size.height == 8)
        assert screen.query_one("#detail-pane").size.height > 10
        await pilot.press("escape", "escape")
        await wait_for(pilot, lambda: screen.list_pane.outer_size.height > 8)
        assert not screen.detail.has_class("-editing")


@pytest.mark.parametrize("seed", [None, 3])
async def test_select_fields_are_editable_with_keyboard(seed):
    """A menu field changed with keys alone: its row reached with `j`, `enter` opens the menu,
    `down` moves to a choice, `enter` takes it, `ctrl+s` saves it to the server. Also on a
    slowed loop."""
    with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
        await _select_field_by_keys()


async def _select_field_by_keys() -> None:
    from msgsvc_tui.tui import keymode

    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        sid = table(pilot).current["sid"]
        choices = ("inherit", "enable", "disable")
        before = stored(app, sid)["scan_message_content"]
        assert before != "disable"
        await pilot.press("1")  # the form, on its first row
        await row_by_keys(pilot, "scan_message_content")
        await pilot.press("enter")
        assert keymode.state_of(app.screen).mode is keymode.Mode.MENU
        await pilot.press(*["down"] * (choices.index("disable") - choices.index(before)), "enter")
        assert screen.query_one("#field-scan_message_content", Select).value == "disable"
        assert keymode.state_of(app.screen).mode is keymode.Mode.BROWSE
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["scan_message_content"] == "disable")


async def test_command_palette_offers_actions_and_profiles():
    from msgsvc_tui.tui.commands import MsgsvcCommands

    cfg = Config.load()
    cfg.set_profile(
        Profile("work", "AC" + "a" * 32, auth_token=Secret("t"), base_url="http://127.0.0.1:1")
    )
    app = sandbox_app()
    app.config = cfg
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        provider = MsgsvcCommands(app.screen)
        names = [name for name, _, _ in provider._commands()]
        assert "Switch profile: work" in names
        assert "Delete" in names and "Sticky sender" in names and "Save" in names


async def test_paging_in_the_app_shows_first_page_then_appends(monkeypatch):
    """Each page is painted as it lands (recorded as the status line is drawn during the load,
    not by catching the load mid-way: that raced on a busy machine)."""
    from msgsvc_tui.tui.widgets.list_pane import ListPane
    from msgsvc_tui.tui.widgets.list_status import ListStatus

    painted: dict[int, str] = {}
    show_status = ListPane.show_status

    def recording(pane: ListPane) -> None:
        show_status(pane)
        if pane.list_loading and len(pane.model):
            painted.setdefault(len(pane.model), pane.query_one(ListStatus).text())

    monkeypatch.setattr(ListPane, "show_status", recording)
    app = sandbox_app()
    app.config.preferences.page_size = 5
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await wait_for(
            pilot, lambda: not screen.list_loading and len(screen.model) == demo.SERVICE_COUNT
        )
        assert list(painted) == list(
            range(5, demo.SERVICE_COUNT + 1, 5)
        )  # the first page on screen before the rest
        first_status = painted[5]
        assert "loading" in first_status and "esc stops" in first_status
        assert app.client.requests_made >= 5


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_screen_paints_the_list_when_answers_take_time(size):
    """Over a real network the list arrives after the screen is up, and must still show.

    (The screen once named its own list state `loading`, which is Textual's reactive for a
    loading cover: the screen was laid out under that cover and never again.)
    """
    app = sandbox_app()
    app.emulator = open_emulator(":memory:", latency_ms=30)
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)

        def aligned() -> bool:  # the header and the rows laid out for the same width
            header = str(screen.query_one("#list-header").render())
            row = table(pilot).render_line(0).text
            usecase = table(pilot).current["usecase"]
            return "Use case" in header and header.index("Use case") == row.find(usecase)

        # the resize to the terminal's size may still be on its way on a loaded machine: a
        # header that never matches its rows fails here, a late one is waited for
        await wait_for(pilot, aligned)
        assert screen.size == size and not screen.loading
        shot = html.unescape(app.export_screenshot()).replace("\xa0", " ")
        first = table(pilot).current["friendly_name"]
        assert "filter by name" in shot and first in shot, first
        # the list keeps the focus (esc must reach it)
        assert screen.focused is table(pilot)


async def test_the_list_says_it_is_loading_then_that_it_is_empty(monkeypatch):
    """Recorded as the table is told, not caught on screen during a load: a loaded machine
    may not look while the answer is still on its way."""
    from msgsvc_tui.tui.widgets.service_table import ServiceTable

    said: list[str] = []
    show_placeholder = ServiceTable.show_placeholder

    def recording(self: ServiceTable, text: str) -> None:
        show_placeholder(self, text)
        said.append(self._empty_note())  # what its empty rows say now

    monkeypatch.setattr(ServiceTable, "show_placeholder", recording)
    emulator = open_emulator(":memory:", seed=False, latency_ms=50)
    app = sandbox_app(emulator=emulator)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_for(pilot, lambda: len(said) >= 2 and not app.screen.list_loading)
        assert "Loading services" in said[0]
        assert "No services yet: n creates one" in table(pilot).render_line(0).text


async def test_a_filter_that_matches_nothing_says_so():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"zzzz")
        await wait_for(pilot, lambda: "Nothing matches “zzzz”" in table(pilot).render_line(0).text)


async def test_cancel_a_long_load_keeps_what_arrived():
    app = sandbox_app()
    app.config.preferences.page_size = 2
    app.emulator = open_emulator(":memory:", latency_ms=100)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        screen = app.screen
        await wait_for(pilot, lambda: len(screen.model) >= 2)
        await pilot.press("escape")  # the list has the focus from the start
        await wait_for(pilot, lambda: not screen.list_loading)  # however slow the machine
        kept = len(screen.model)
        assert 2 <= kept < demo.SERVICE_COUNT
        await app.workers.wait_for_complete()  # no load is left running to add to it
        await pilot.pause()
        assert len(screen.model) == kept  # nothing more arrives after the stop
        assert any("stopped" in n.message for n in notifications(app))
        await pilot.press("r")
        await wait_for(
            pilot,
            lambda: len(screen.model) == demo.SERVICE_COUNT and not screen.list_loading,
        )


async def test_header_stays_aligned_when_the_scrollbar_goes():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await ready(pilot)
        await pilot.press("slash", *"poll")
        await wait_for(pilot, lambda: "poll" in table(pilot).render_line(0).text)
        header = str(screen.query_one("#list-header").render())
        row = table(pilot).render_line(0).text
        assert header.index("Use case") == row.index("poll"), (header, row)


async def test_no_color_is_respected(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert app.no_color  # Textual renders through its monochrome filter
        assert "SANDBOX" in str(screen.query_one("#topbar").render())  # still said in words


async def test_refresh_over_many_pages_keeps_cursor_marks_and_edits():
    app = sandbox_app()
    app.config.preferences.page_size = 5  # the demo in pages of 5
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await pilot.press(*["j"] * 17, "space", "space")  # marks rows 17 and 18
        marked = set(screen.model.marked)
        await pilot.press("j")
        current = table(pilot).current["sid"]
        gone = screen.model.visible_service(2)["sid"]
        app.emulator.store.delete_service("AC0123456789abcdef0123456789abcdef", gone)
        await _type(pilot, "field-friendly_name", "Edit In Progress")
        table(pilot).focus()
        await pilot.press("r")
        await wait_for(
            pilot, lambda: not screen.list_loading and len(screen.model) == demo.SERVICE_COUNT - 1
        )
        assert not isinstance(app.screen, UnsavedScreen)  # the cursor never left the row
        assert table(pilot).current["sid"] == current
        assert screen.model.marked == marked
        assert screen.model.get(gone) is None
        assert screen.query_one("#field-friendly_name", Input).value == "Edit In Progress"


async def test_the_header_is_laid_out_from_the_tables_width_not_from_a_late_message():
    """The header reads the table's width when it is painted: a message about a width that
    has since changed again (late, on a loaded machine) cannot leave it laid out for the old
    width above rows drawn for the new one."""
    from msgsvc_tui.tui.widgets.service_table import ServiceTable, format_header, layout_columns

    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        t = table(pilot)
        width = t.scrollable_content_region.width
        t.post_message(ServiceTable.ColumnsChanged(t, layout_columns(width * 3)))  # long gone
        await pilot.pause()
        header = str(pilot.app.screen.query_one("#list-header").render())
        assert header == format_header(layout_columns(width))
        row = t.render_line(0).text
        assert header.index("Use case") == row.index(t.current["usecase"])


def test_a_name_cut_to_its_column_ends_in_an_ellipsis():
    """Two long names that differ after the cut must not look the same in the list."""
    from msgsvc_tui.tui.widgets.service_table import format_row, layout_columns

    cols = layout_columns(80)
    long = {"sid": "MG" + "a" * 32, "friendly_name": "N" * (cols.name + 5)}
    short = {"sid": "MG" + "b" * 32, "friendly_name": "Short"}
    cut, kept = (format_row(s, cols, False, None) for s in (long, short))
    assert len(cut) == len(kept)  # the columns stay aligned
    assert cut[2 : 2 + cols.name] == "N" * (cols.name - 1) + "…"
    assert kept[2 : 2 + cols.name] == "Short".ljust(cols.name)
