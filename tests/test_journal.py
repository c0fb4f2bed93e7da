"""The write journal and undo: every write recorded with before and after, `u`
undoes this session's last after showing what it will do, and refuses when the server changed."""

from __future__ import annotations

from msgsvc_tui.core import senders
from msgsvc_tui.core.config import data_dir
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.server import open_emulator
from msgsvc_tui.ops import journal
from msgsvc_tui.tui.screens.journal import JournalScreen
from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screens.modals import ConfirmScreen
from msgsvc_tui.tui.widgets.panes.senders import SendersPane

from .tui_helpers import (
    SIZE,
    dialog_text,
    notifications,
    ready,
    record_methods,
    refuse_posts,
    sandbox_app,
    store_count,
    stored,
    table,
    wait_for,
)

ACCOUNT = demo.DEMO_ACCOUNT_SID


async def _undo(pilot, *, confirm: bool = True) -> None:
    await pilot.press("u")
    if confirm:
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, MainScreen))


def _notes(app) -> str:
    return "\n".join(n.message for n in notifications(app))


async def test_a_flip_is_journalled_and_undone():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        before = stored(app, sid)["sticky_sender"]
        await pilot.press("S")
        await wait_for(pilot, lambda: stored(app, sid)["sticky_sender"] is not before)
        (entry,) = app.journal.recent()
        assert (entry.action, entry.before, entry.after) == (
            "update",
            {"sticky_sender": before},
            {"sticky_sender": not before},
        )
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = str(app.screen.query_one(".dialog-body").render())
        assert "Sticky sender" in body and "→" in body  # it says what it will do
        await pilot.press("y")
        await wait_for(pilot, lambda: stored(app, sid)["sticky_sender"] is before)
        latest = app.journal.recent()[0]
        assert latest.undoes == entry.id and app.journal.get(entry.id).undone_by == latest.id
        await pilot.press("u")
        await wait_for(pilot, lambda: "Nothing to undo" in _notes(app))


def _undo_notes(app) -> list[str]:
    return [n.message for n in notifications(app) if n.title == "Undo"]


async def _flip_sticky_sender(pilot) -> tuple[str, str, bool]:
    """`S` on the list's first service, written: its SID, name and the value before."""
    await ready(pilot)
    app = pilot.app
    sid = table(pilot).current["sid"]
    name = stored(app, sid)["friendly_name"]
    before = stored(app, sid)["sticky_sender"]
    await pilot.press("S")
    await wait_for(pilot, lambda: stored(app, sid)["sticky_sender"] is not before)
    return sid, name, before


async def test_an_undo_says_each_change_once():
    """The plan promises the change; once done, the outcome line names the service and the
    write path's own words say the change: never the promise and the words both."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, name, before = await _flip_sticky_sender(pilot)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = str(app.screen.query_one(".dialog-body").render())
        assert body.count("Sticky sender") == 1, body
        await pilot.press("y")
        await wait_for(pilot, lambda: _undo_notes(app))
        old, new = ("on", "off") if not before else ("off", "on")
        assert _undo_notes(app) == [f"✓ {name}: Sticky sender: {old} → {new}"]

        app.clear_notifications()
        await pilot.press("1", "enter")
        await pilot.press(*["backspace"] * 40, *"Renamed", "escape", "ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["friendly_name"] == "Renamed")
        await pilot.press("escape")
        await _undo(pilot)
        await wait_for(pilot, lambda: _undo_notes(app))
        assert _undo_notes(app) == [f"✓ Renamed: Friendly name: Renamed → {name}"]


async def test_a_failed_undo_names_the_change_it_tried():
    """Refused by the server, the undo's line says which change did not happen, then why:
    the service's name alone would leave the user guessing."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, name, before = await _flip_sticky_sender(pilot)
        refuse_posts(app, {"code": 20001, "message": "Refused for the test", "status": 400})
        await _undo(pilot)
        await wait_for(pilot, lambda: _undo_notes(app))
        old, new = ("on", "off") if not before else ("off", "on")
        (note,) = _undo_notes(app)
        assert note.startswith(f"✗ {name}: Sticky sender: {old} → {new}: "), note
        assert "Refused for the test" in note
        assert stored(app, sid)["sticky_sender"] is not before  # nothing was undone


async def test_undo_refuses_when_the_server_changed_since():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        before = stored(app, sid)["smart_encoding"]
        await pilot.press("E")
        await wait_for(pilot, lambda: stored(app, sid)["smart_encoding"] is not before)
        app.emulator.store.update_service(ACCOUNT, sid, {"smart_encoding": before})  # someone
        methods = record_methods(app)
        await pilot.press("u")
        await wait_for(pilot, lambda: "changed on the server since" in _notes(app))
        assert not isinstance(app.screen, ConfirmScreen) and set(methods) <= {"GET"}


async def test_undo_refuses_when_the_service_was_deleted():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        await pilot.press("M")
        await wait_for(pilot, lambda: app.journal.recent())
        app.emulator.store.delete_service(ACCOUNT, sid)
        await pilot.press("u")
        await wait_for(pilot, lambda: "has been deleted since" in _notes(app))


async def test_a_save_a_create_and_a_delete_are_undone():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        name = stored(app, sid)["friendly_name"]
        await pilot.press("1", "enter")
        await pilot.press(*["backspace"] * 40, *"Renamed", "escape", "ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["friendly_name"] == "Renamed")
        await pilot.press("escape")
        await _undo(pilot)
        await wait_for(pilot, lambda: stored(app, sid)["friendly_name"] == name)

        await pilot.press("n", *"Short lived", "ctrl+s")
        await wait_for(pilot, lambda: store_count(app) == demo.SERVICE_COUNT + 1)
        await pilot.press("escape")
        await _undo(pilot)
        await wait_for(pilot, lambda: store_count(app) == demo.SERVICE_COUNT)

        await pilot.press("escape", "g")
        victim = table(pilot).current
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: store_count(app) == demo.SERVICE_COUNT - 1)
        await _undo(pilot)
        await wait_for(pilot, lambda: store_count(app) == demo.SERVICE_COUNT)
        rows = app.emulator.store.list_services(ACCOUNT, after=None, before=None, limit=99)
        again = [r.data for r in rows if r.data["friendly_name"] == victim["friendly_name"]]
        assert len(again) == 1 and again[0]["usecase"] == victim["usecase"]


async def test_a_bulk_flip_is_undone_as_one():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("space", "space", "space")
        marked = list(app.screen.model.marked)
        before = {sid: stored(app, sid)["fallback_to_long_code"] for sid in marked}
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(app.journal.recent()) == 3)
        await _undo(pilot)
        await wait_for(
            pilot,
            lambda: all(stored(app, s)["fallback_to_long_code"] == v for s, v in before.items()),
        )


async def test_sender_add_is_journalled_and_undone():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        free = app.emulator.store.db.execute(
            "SELECT sid, capabilities FROM numbers WHERE kind='phone_numbers'"
            " AND service_sid IS NULL"
        ).fetchall()
        number = next(r["sid"] for r in free if "SMS" in r["capabilities"])
        await pilot.press("2")
        pane = app.screen.query_one(SendersPane)
        await wait_for(pilot, lambda: pane.service is not None)
        pane.add_member(pane.service, number)
        await wait_for(pilot, lambda: app.journal.recent() and app.journal.recent()[0].after)
        entry = app.journal.recent()[0]
        assert entry.action == journal.ADD_SENDER and entry.after["sender_sid"] == number

        def holder() -> str | None:
            row = app.emulator.store.db.execute(
                "SELECT service_sid FROM numbers WHERE sid = ?", (number,)
            )
            return row.fetchone()[0]

        assert holder() == sid
        await pilot.press("escape")
        await _undo(pilot)
        await wait_for(pilot, lambda: holder() is None)


async def test_the_journal_survives_a_restart_and_undo_stays_in_its_session():
    emulator = open_emulator(":memory:")
    first = sandbox_app(emulator=emulator)
    async with first.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("W")
        await wait_for(pilot, lambda: first.journal.recent())
    assert (data_dir() / "journal.sqlite3").exists()

    second = sandbox_app(emulator=emulator)
    async with second.run_test(size=SIZE) as pilot:
        await ready(pilot)
        (earlier,) = second.journal.recent()
        assert earlier.action == "update" and "use_inbound_webhook_on_number" in earlier.after
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(second.screen, JournalScreen))
        text = str(second.screen.query_one("#journal-body Static").render())
        assert f"#{earlier.id}" in text and "earlier" in text
        await pilot.press("escape", "u")
        await wait_for(pilot, lambda: "Nothing to undo" in _notes(second))


async def test_the_journal_dialog_shows_its_title_and_target_whole_at_80_columns():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("S")
        await wait_for(pilot, lambda: app.journal.recent())
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, JournalScreen))
        await pilot.pause()
        target, path = app.screen.target, app.journal.path
        words = dialog_text(app)
        # every character shown, whatever the wrapping (a path longer than a line is folded)
        whole = "".join(words.split())
        said = f"Recent writes u undoes this session's last write to {target} Kept in {path} #1 "
        assert whole.startswith("".join(said.split())), words
        assert words.endswith("[this session · here]"), words


async def test_readonly_records_nothing_and_says_why_a_write_key_does_nothing():
    app = sandbox_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        methods = record_methods(app)
        await pilot.press("S", "d", "n", "u")
        await wait_for(pilot, lambda: "Read-only mode" in _notes(app))
        assert app.journal is None and set(methods) <= {"GET"}


async def test_journal_bounded_and_plain_core_use(tmp_path):
    j = journal.Journal(tmp_path / "j.sqlite3", limit=5)
    service = {"sid": "MG" + "1" * 32, "friendly_name": "x", "account_sid": ACCOUNT}
    for i in range(12):
        j.record(
            journal.UPDATE, service, before={"validity_period": i}, after={"validity_period": i + 1}
        )
    assert len(j.recent()) == 5 and j.recent()[0].after == {"validity_period": 12}
    kind = senders.PHONE_NUMBERS
    data = journal.sender_data(kind, {"sid": "PN" + "2" * 32, "phone_number": "+15550001"})
    assert data == {"kind": "phone_numbers", "sender_sid": "PN" + "2" * 32, "label": "+15550001"}
