"""The Messages tab end to end: the app on the sandbox, its Messages (2010 API) answered by a
server speaking Twilio's wire format; the composer's live counter, sending (journalled, asked
first on a real account, refused in --readonly), live statuses, server text sanitized."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input, Static

from msgsvc_tui.api import messages as api_messages
from msgsvc_tui.emulator.server import open_emulator
from msgsvc_tui.ops.journal import SEND_MESSAGE
from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screens.modals import ConfirmScreen
from msgsvc_tui.tui.screenshots import busy
from msgsvc_tui.tui.widgets.panes.messages import MessagesPane, counter_text
from tests.messages_fixture import ACCOUNT, MessagesServer

from .tui_helpers import (
    SIZE,
    WIDE,
    keybar_text,
    notifications,
    ready,
    sandbox_app,
    stored,
    table,
    wait_for,
)

ACCOUNT_PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages"


class WithMessages:
    """The sandbox's emulator, with `/…/Messages…` answered by the fixture."""

    def __init__(self, emulator: Any, fixture: MessagesServer) -> None:
        self._emulator = emulator
        self.fixture = fixture

    def __getattr__(self, name: str) -> Any:
        return getattr(self._emulator, name)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        target = self.fixture if "/Messages" in scope.get("path", "") else self._emulator
        await target(scope, receive, send)


def app_with_messages(*, readonly: bool = False) -> tuple[Any, MessagesServer]:
    fixture = MessagesServer()
    app = sandbox_app(readonly=readonly, emulator=WithMessages(open_emulator(":memory:"), fixture))
    return app, fixture


async def open_messages(pilot, name: str = "Acme Order Updates") -> tuple[str, MessagesPane]:
    screen = await ready(pilot)
    model = screen.model
    row = next(
        i for i in range(len(model.visible)) if model.visible_service(i)["friendly_name"] == name
    )
    table(pilot).cursor = row
    await wait_for(pilot, lambda: (screen.form.service or {}).get("friendly_name") == name)
    await pilot.press("7")
    pane = pilot.app.screen.query_one(MessagesPane)
    pane.poller.pause()  # no clock in tests: they call poll_once themselves
    sid = model.visible_service(row)["sid"]
    await wait_for(pilot, lambda: pane.shows({"sid": sid}) and not busy(pane))
    return sid, pane


def text_of(pilot, widget_id: str) -> str:
    return str(pilot.app.screen.query_one(f"#{widget_id}", Static).render())


def cells(pane: MessagesPane) -> list[list[str]]:
    t = pane.query_one(DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


def posts(fixture: MessagesServer) -> list[dict]:
    return [form for method, _, form in fixture.requests if method == "POST"]


# ---- the counter ------------------------------------------------------------------------------
def test_counter_says_encoding_segments_and_why() -> None:
    assert (
        "GSM-7 · 5 chars · 1 segment (160/segment, 155 left) · Smart Encoding off"
        in counter_text("hello", smart_encoding=False).plain
    )
    ucs2 = counter_text("ça va 😀", smart_encoding=False).plain
    assert "UCS-2 · 8 UTF-16 units · 1 segment (70/segment" in ucs2
    assert "UCS-2 because of: ç U+00E7, 😀 U+1F600" in ucs2
    curly = "\u201cHi\u201d \u2014 see you\u2026"
    on = counter_text(curly, smart_encoding=True).plain
    assert on.startswith("GSM-7")
    assert 'Smart Encoding: \u201c U+201C → " · \u201d U+201D → " · \u2014 U+2014 → -' in on
    off = counter_text(curly, smart_encoding=False).plain
    assert off.startswith("UCS-2") and "(Smart Encoding would make it GSM-7)" in off
    stuck = counter_text("\u201cHi\u201d 😀", smart_encoding=True).plain
    assert "Smart Encoding has no GSM-7 stand-in for 😀" in stuck
    assert (
        "2 segments (153/segment) · Smart Encoding off"
        in counter_text("a" * 161, smart_encoding=False).plain
    )
    assert "Too long: 1,601 characters" in counter_text("a" * 1601, smart_encoding=False).plain
    hostile = counter_text("\x1b]52;c;x\x07", smart_encoding=False)
    assert isinstance(hostile, Text) and "\x1b" not in hostile.plain


# ---- the tab ----------------------------------------------------------------------------------
async def test_lists_the_services_messages_with_errors_in_words() -> None:
    app, fixture = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        sid = next(
            s["sid"]
            for s in (screen.model.visible_service(i) for i in range(len(screen.model.visible)))
            if s["friendly_name"] == "Acme Order Updates"
        )
        fixture.seed(sid, 3, ago=timedelta(minutes=20))
        fixture.seed("MG" + "0" * 32, 5, ago=timedelta(minutes=20))  # another service's
        fixture.seed(sid, 1, ago=timedelta(minutes=4), status="undelivered")
        fixture.messages[0]["error_code"] = 30003  # the newest
        _, pane = await open_messages(pilot)
        await wait_for(pilot, lambda: len(pane.messages) == 4)
        rows = cells(pane)
        assert len(rows) == 4
        assert rows[0][1] == "undelivered" and rows[0][6] == "30003 Unreachable destination handset"
        assert rows[1][3] == "+14155550100" and rows[1][5] == "-0.00790 USD"
        summary = text_of(pilot, "messages-summary")
        assert "4 messages in the last 24 h · 1 failed" in summary
        assert "the phone is off" in text_of(pilot, "messages-detail")
        assert "docs/api/errors/30003" in text_of(pilot, "messages-detail")


@pytest.mark.parametrize("size", [SIZE, WIDE])
async def test_where_the_panes_stack_the_composer_shows_only_while_it_is_used(size) -> None:
    """At 80x24 the tab's few lines go to the messages, not to an empty composer: `m` shows
    it with the focus in it, `esc` hides it again. Wider, it is always there."""
    app, _ = app_with_messages()
    async with app.run_test(size=size) as pilot:
        _, pane = await open_messages(pilot, "Appointment Reminders")
        composer = pane.query_one("#composer")
        messages = pane.query_one(DataTable)
        narrow = size == SIZE
        assert (composer.region.height == 0) is narrow
        if narrow:
            assert messages.region.height >= 5  # a header and four messages
        await pilot.press("m")
        assert app.focused is pane.query_one("#compose-to", Input)
        await pilot.pause()
        assert composer.region.height >= 4 and "EDIT" in keybar_text(pilot)
        await pilot.press("escape")
        assert app.focused is messages
        await pilot.pause()
        assert (composer.region.height == 0) is narrow
        # a click on the table below keeps it open (its rows stay under the pointer) ...
        await pilot.press("m")
        messages.focus()
        await pilot.pause()
        assert composer.region.height >= 4
        # ... leaving the tab closes it
        table(pilot).focus()
        await pilot.pause()
        assert (composer.region.height == 0) is narrow


async def test_typing_in_the_composer_is_text_not_commands() -> None:
    app, fixture = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot, "Appointment Reminders")  # smart encoding off
        await pilot.press("m")
        assert app.focused is pane.query_one("#compose-to", Input)
        await pilot.press(*"+14155550123", "enter")
        assert app.focused is pane.query_one("#compose-body", Input)
        await pilot.press(*"map q n p 7 j k ç")
        assert pane.query_one("#compose-body", Input).value == "map q n p 7 j k ç"
        assert isinstance(app.screen, MainScreen) and app.is_running
        counter = text_of(pilot, "compose-counter")
        assert "UCS-2 because of: ç U+00E7" in counter
        assert "Smart Encoding off" in counter  # this service's setting
        await pilot.press("escape")  # one level up: the messages list
        assert app.focused is pane.query_one(DataTable)
        await pilot.press("escape")  # then the services list
        assert app.focused is table(pilot)
        assert posts(fixture) == []


async def test_a_draft_stays_with_its_service_and_the_mode_line_names_the_line() -> None:
    """What is typed in the composer is written for one service: under another one the
    composer is empty (one enter would have sent the draft through that one). While a line
    is typed in, the mode line names it."""
    app, fixture = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        first, pane = await open_messages(pilot, "Appointment Reminders")
        await pilot.press("m", *"+14155550123")
        assert keybar_text(pilot).startswith(" EDIT Message to ")
        await pilot.press("enter", *"draft")
        assert keybar_text(pilot).startswith(" EDIT Message body ")
        await pilot.press("escape", "escape")  # the messages, then the services list
        assert app.focused is table(pilot)
        await pilot.press("j", "7")
        await wait_for(pilot, lambda: not busy(pane) and not pane.shows({"sid": first}))
        assert pane.query_one("#compose-to", Input).value == ""
        assert pane.query_one("#compose-body", Input).value == ""
        await pilot.press("m", "enter")  # nothing to send: To is named, nothing is sent
        await pilot.pause()
        assert posts(fixture) == []


async def test_a_flag_flipped_from_the_list_reaches_the_open_composers_counter() -> None:
    """The counter says what this service's Smart Encoding does to the text typed: flipped
    from the list with the Messages tab open, the counter follows the server, and what was
    typed stays."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_messages(pilot, "Event Tickets")  # every flag on, many messages
        await pilot.press("m", *"+14155550123", "enter", *"Hi there")
        body = pane.query_one("#compose-body", Input)
        assert "Smart Encoding on" in text_of(pilot, "compose-counter")
        await pilot.press("escape", "escape")
        assert app.focused is table(pilot)
        listed = pane.query_one(DataTable)
        rows, shown = listed.row_count, list(pane.messages)
        assert rows  # the service has messages: they must not be cleared by the write
        await pilot.press("E")  # the list's key for Smart Encoding: written at once
        await wait_for(pilot, lambda: stored(app, sid)["smart_encoding"] is False)
        await wait_for(pilot, lambda: "Smart Encoding off" in text_of(pilot, "compose-counter"))
        assert body.value == "Hi there"
        assert listed.row_count == rows and pane.messages == shown  # nothing loaded again


async def test_with_edits_held_the_tabs_follow_the_server_not_the_forms_copy() -> None:
    """A flip from the list while the form holds an edit: the edit stays, and a tab opened
    afterwards shows the service as the server now has it, not the form's older copy."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, _ = await open_messages(pilot, "Appointment Reminders")  # smart encoding off
        await pilot.press("1")
        form = app.screen.form
        form.focus_field("sticky_sender")
        await pilot.pause()
        await pilot.press("space")
        await wait_for(pilot, lambda: form.dirty)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is table(pilot))
        await pilot.press("E")
        await wait_for(pilot, lambda: stored(app, sid)["smart_encoding"] is True)
        await pilot.press("7")
        await wait_for(pilot, lambda: "Smart Encoding on" in text_of(pilot, "compose-counter"))
        await pilot.press("1", "7")
        await pilot.pause()
        assert "Smart Encoding on" in text_of(pilot, "compose-counter")
        assert form.dirty  # the edit held all along


async def test_the_message_just_sent_is_the_one_in_sight_and_in_the_detail() -> None:
    """At 80x24 the composer leaves the list a few lines: after a send, the cursor is on
    the new message (its detail shown), wherever it was on the older ones."""
    app, _ = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot)
        pane.query_one("#compose-to", Input).value = "+14155550123"
        pane.query_one("#compose-body", Input).focus()
        for n in (1, 2):
            await pilot.press(*f"older {n}", "enter")
            await wait_for(pilot, lambda n=n: len(pane.messages) == n)
        messages = pane.query_one(DataTable)
        messages.move_cursor(row=1)  # on the oldest
        await pilot.press(*"the newest", "enter")
        await wait_for(pilot, lambda: len(pane.messages) == 3)
        newest = str(pane.messages[0]["sid"])
        assert messages.cursor_row == 0
        assert newest in text_of(pilot, "messages-detail")
        region = messages.scrollable_content_region
        assert messages.scroll_offset.y <= 0 < region.height  # its row is in sight
        # a message that arrives on top (a poll, a reply) leaves the cursor on its message
        messages.move_cursor(row=1)
        on = str(pane.messages[1]["sid"])
        arrived = {**pane.messages[0], "sid": "SM" + "f" * 32, "body": "arrived"}
        pane.messages.insert(0, arrived)
        pane._render_messages()
        assert str(pane.messages[messages.cursor_row]["sid"]) == on


async def test_send_in_the_sandbox_journals_and_follows_to_delivered() -> None:
    app, fixture = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_messages(pilot)
        pane.query_one("#compose-to", Input).value = "+14155550123"
        pane.query_one("#compose-body", Input).focus()
        await pilot.press(*"Your order shipped", "enter")
        await wait_for(pilot, lambda: len(pane.messages) == 1)
        [form] = posts(fixture)
        assert form["MessagingServiceSid"] == [sid]
        assert form["To"] == ["+14155550123"] and form["Body"] == ["Your order shipped"]
        assert not isinstance(app.screen, ConfirmScreen)  # the sandbox never bills: no question
        assert pane.query_one("#compose-body", Input).value == ""
        assert cells(pane)[0][1] == "accepted" and cells(pane)[0][3] == "choosing…"
        await pilot.press("escape", "1")  # another tab: the clock's tick asks nothing
        await pilot.pause()
        pane.tick()
        assert not busy(pane)
        await pilot.press("7")
        await pilot.pause()
        pane.tick()  # on screen again: it follows the message
        assert busy(pane)
        await wait_for(pilot, lambda: not busy(pane))
        assert cells(pane)[0][1] == "queued"
        entry = app.journal.recent()[0]
        assert (entry.action, entry.after["state"]) == (SEND_MESSAGE, "sent")
        seen = []
        for _ in range(6):
            pane.poll_once()
            await wait_for(pilot, lambda: not busy(pane))
            seen.append(cells(pane)[0][1])
        assert seen[:3] == ["sending", "sent", "delivered"]
        assert pane.pending == {}  # final: no longer fetched
        assert cells(pane)[0][3] == "+14155550100"
        fetches = [
            r for r in fixture.requests if r[0] == "GET" and r[1].startswith(f"{ACCOUNT_PATH}/SM")
        ]
        assert len(fetches) == 4


class HeldSends(MessagesServer):
    """Sends wait at the server until `release` is set: a message on its way."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.holding = 0

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("method") == "POST":
            self.holding += 1
            await self.release.wait()
        await super().__call__(scope, receive, send)


async def test_what_is_typed_while_a_message_is_on_its_way_is_kept() -> None:
    fixture = HeldSends()
    app = sandbox_app(emulator=WithMessages(open_emulator(":memory:"), fixture))
    async with app.run_test(size=SIZE) as pilot:
        _sid, pane = await open_messages(pilot)
        pane.query_one("#compose-to", Input).value = "+14155550123"
        body = pane.query_one("#compose-body", Input)
        body.focus()
        await pilot.press(*"first", "enter")
        await wait_for(pilot, lambda: fixture.holding == 1)  # on its way
        body.focus()
        await pilot.press("ctrl+u", *"second")
        fixture.release.set()
        await wait_for(pilot, lambda: len(pane.messages) == 1)
        await pilot.pause()
        assert [m["body"] for m in fixture.messages] == ["first"]
        assert body.value == "second"  # the next message, not lost


async def test_bad_input_is_named_and_nothing_is_sent() -> None:
    app, fixture = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot)
        pane.query_one("#compose-to", Input).value = "555-1234"
        pane.query_one("#compose-body", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        counter = text_of(pilot, "compose-counter")
        assert "To: must be a phone number in E.164 form" in counter
        assert "Body: required" in counter
        assert app.focused is pane.query_one("#compose-to", Input)
        assert posts(fixture) == []


async def test_readonly_never_sends() -> None:
    app, fixture = app_with_messages(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot)
        assert "read-only: sending is off" in text_of(pilot, "messages-summary")
        pane.focus_main()
        bar = keybar_text(pilot)
        assert "READ-ONLY" in bar and "compose" not in bar and "inbound" not in bar, bar
        await pilot.press("m")  # refused at once, not after a message is typed
        await wait_for(pilot, lambda: any("Read-only" in n.title for n in notifications(app)))
        assert app.focused is pane.query_one(DataTable)
        pane.query_one("#compose-to", Input).value = "+14155550123"
        pane.query_one("#compose-body", Input).focus()
        await pilot.press(*"hi", "enter")
        await pilot.pause()
        assert posts(fixture) == []


async def test_a_real_account_asks_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_messages, "is_real_account", lambda client: True)
    app, fixture = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot)
        pane.query_one("#compose-to", Input).value = "+14155550123"
        pane.query_one("#compose-body", Input).focus()
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = str(app.screen.query_one(".dialog-body", Static).render())
        assert "This sends a real SMS to +14155550123, billed to AC" in body
        await pilot.press("n")
        await pilot.pause()
        assert posts(fixture) == []
        pane.query_one("#compose-body", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(posts(fixture)) == 1)


async def test_server_text_is_sanitized() -> None:
    app, fixture = app_with_messages()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        sid = screen.model.visible_service(0)["sid"]
        name = screen.model.visible_service(0)["friendly_name"]
        fixture.seed(sid, 1, ago=timedelta(minutes=5), status="failed")
        m = fixture.messages[0]
        m.update(
            {"to": "+1\x1b]52;c;aGk=\x07", "from": "\x1b[2J", "body": "\x9b31m", "price": "[b]x"}
        )
        m["error_code"] = None
        m["error_message"] = "\x1b]0;title\x07"
        _, pane = await open_messages(pilot, name)
        await wait_for(pilot, lambda: len(pane.messages) == 1)
        shown = " ".join(" ".join(r) for r in cells(pane)) + text_of(pilot, "messages-detail")
        for bad in ("\x1b", "\x07", "\x9b"):
            assert bad not in shown
        assert "[b]x" in shown  # taken literally, never as markup


async def test_in_the_sandbox_the_emulator_says_why_this_sender() -> None:
    """On the real embedded emulator (its clock injected): send, watch it delivered, and the
    emulator's reason for the sender under the list."""
    from tests.test_emulator_messages import Clock

    emulator = open_emulator(":memory:")
    clock = Clock()
    emulator.store.clock = clock
    app = sandbox_app(emulator=emulator)
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot)
        pane.query_one("#compose-to", Input).value = "+14155550123"
        pane.query_one("#compose-body", Input).focus()
        await pilot.press(*"On its way", "enter")
        await wait_for(pilot, lambda: len(pane.messages) == 1)
        for _ in range(10):
            clock.now += 30
            pane.poll_once()
            await wait_for(pilot, lambda: not busy(pane))
            if not pane.pending:
                break
        assert cells(pane)[0][1] == "delivered"
        assert cells(pane)[0][3].startswith("+")  # the sender the service chose
        pane.focus_main()
        pane.query_one(DataTable).move_cursor(row=0)
        pane._highlighted()
        await wait_for(pilot, lambda: "Why this sender" in text_of(pilot, "messages-detail"))


# ---- inbound: a handset texts the service (the sandbox only) ---------------------------------
async def open_inbound(pilot, pane: MessagesPane | None = None) -> tuple[MessagesPane, Any]:
    """The Messages tab's `i`, from its list: the handset dialog, open."""
    from msgsvc_tui.tui.screens.inbound import InboundScreen

    if pane is None:
        _, pane = await open_messages(pilot)
    pane.focus_main()
    await pilot.press("i")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, InboundScreen))
    return pane, pilot.app.screen


async def test_a_handset_texts_in_on_the_sandbox_and_stop_opts_it_out() -> None:
    """`i` on the Messages tab: the dialog offers the service's numbers, checks what is typed
    with the write path's rules, and the emulator stores the message as Twilio does
    (received, inbound), journalled with its target; STOP then keeps a send from going."""
    from msgsvc_tui.ops.journal import INBOUND_MESSAGE
    from msgsvc_tui.tui.screens.inbound import InboundScreen

    app = sandbox_app(emulator=open_emulator(":memory:"))
    async with app.run_test(size=SIZE) as pilot:
        pane, dialog = await open_inbound(pilot)
        assert dialog.numbers and dialog.query_one("#inbound-to", Input).value == dialog.numbers[0]
        assert app.focused is dialog.query_one("#inbound-body", Input)
        # letters are text in the dialog, never commands; a bad From is named, nothing is sent
        dialog.query_one("#inbound-from", Input).value = "555-1234"
        await pilot.press(*"STOP", "enter")
        await pilot.pause()
        assert isinstance(app.screen, InboundScreen)
        assert "From: must be a phone number" in str(
            dialog.query_one("#inbound-error", Static).render()
        )
        assert app.focused is dialog.query_one("#inbound-from", Input)
        assert app.journal.recent() == []
        dialog.query_one("#inbound-from", Input).value = "+16175550123"
        dialog.query_one("#inbound-body", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: bool(pane.messages))
        received = pane.messages[0]
        assert (received["direction"], received["status"]) == ("inbound", "received")
        assert (received["from"], received["body"]) == ("+16175550123", "STOP")
        entry = app.journal.recent()[0]
        assert (entry.action, entry.after["state"]) == (INBOUND_MESSAGE, "received")
        assert entry.target and entry.after["from"] == "+16175550123"
        assert "inbound from +16175550123" in entry.describe()
        assert entry.describe().endswith(f"received {received['sid']}")
        await wait_for(pilot, lambda: str(received["sid"]) in pane.reasons)
        # the demo's inbound URL is not loopback: described, never called, and said so
        reason = pane.reasons[str(received["sid"])]
        assert "would call" in reason or "nowhere" in reason, reason
        # the handset said STOP: the service may no longer send to it (Twilio's 21610)
        pane.query_one("#compose-to", Input).value = "+16175550123"
        pane.query_one("#compose-body", Input).focus()
        await pilot.press(*"hi", "enter")
        await wait_for(pilot, lambda: bool(pane.last_failure))
        assert "21610" in pane.last_failure or "unsubscribed" in pane.last_failure


async def test_inbound_is_refused_in_readonly_and_absent_off_the_sandbox() -> None:
    from msgsvc_tui.tui.screens.inbound import InboundScreen

    app = sandbox_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot)
        pane.focus_main()
        await pilot.press("i")
        await pilot.pause()
        assert not isinstance(app.screen, InboundScreen)
        assert any("read-only" in str(n.message).lower() for n in notifications(app))
        app.session.sandbox = False  # a real account: the key is not offered at all
        assert pane.check_action("inbound", ()) is False


async def test_inbound_to_a_number_outside_the_pool_is_named_not_sent() -> None:
    """A To of another service's pool would reach that service (and be journalled under
    this one): refused in the dialog, naming To, and by the write path itself."""
    from msgsvc_tui.core.messages import Incoming
    from msgsvc_tui.tui.screens.inbound import InboundScreen

    app = sandbox_app(emulator=open_emulator(":memory:"))
    async with app.run_test(size=SIZE) as pilot:
        pane, dialog = await open_inbound(pilot)
        dialog.query_one("#inbound-to", Input).value = "+16045550131"  # Spring Promo's
        dialog.query_one("#inbound-body", Input).focus()
        await pilot.press(*"hi", "enter")
        await pilot.pause()
        assert isinstance(app.screen, InboundScreen)
        error = str(dialog.query_one("#inbound-error", Static).render())
        assert error.startswith("To: is not one of this service's numbers"), error
        outcome = await app.session.writes.deliver_inbound(
            Incoming("+16175550123", "+16045550131", "hi"), pane.service, dialog.numbers
        )
        assert not outcome.ok and "to: is not one of this service" in outcome.words
        assert all(e.after.get("state") != "received" for e in app.journal.recent())


@pytest.mark.parametrize("seed", range(3))
async def test_keys_typed_right_after_enter_go_to_the_next_line(seed: int) -> None:
    """Enter in a line moves on at once, in order with the keys: on a slowed loop, what is
    typed right after it lands in the next line (it went on into the line it left)."""
    import random

    from textual import events

    from .test_keyboard import burst
    from .tui_helpers import slowed

    app = sandbox_app(emulator=open_emulator(":memory:"))
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_messages(pilot)
        to, body = pane.query_one("#compose-to", Input), pane.query_one("#compose-body", Input)
        to.focus()
        await pilot.pause()
        with slowed(random.Random(seed)):
            await burst(pilot, *"+14155550123", "enter", *"hello")
        assert (to.value, body.value) == ("+14155550123", "hello")
        assert app.focused is body
        _, dialog = await open_inbound(pilot, pane)
        lines = [dialog.query_one(f"#inbound-{n}", Input) for n in ("from", "to", "body")]
        for line in lines[:2]:
            line.value = ""
        lines[0].focus()
        await pilot.pause()
        with slowed(random.Random(seed)):
            # posted at once (burst's wait for every worker would wait on the dialog's own)
            for key in [*"+16175550123", "enter", *"+1999"]:
                app.post_message(events.Key(key, None if key == "enter" else key))
            typed = len("+16175550123+1999")
            await wait_for(pilot, lambda: len(lines[0].value) + len(lines[1].value) == typed)
        assert (lines[0].value, lines[1].value) == ("+16175550123", "+1999")
        assert app.focused is lines[1]
