"""The Messages tab: write a message through the service and watch what the service does.

A composer (To, Body, media URL) counts segments as the user types — GSM-7 or UCS-2, how
many characters a segment holds, which characters force UCS-2 and, with the service's Smart
Encoding on, what they become — with the same code the emulator uses (core/segments.py).
Below it, the service's recent messages: status, the sender the service chose, segments,
price, and the error code in words; statuses not final yet are fetched again every few
seconds, each message a bounded number of times.

Sending goes through ops/send.py (checked, journalled before it is sent, sent once); on a
real account it asks first, and in --readonly it is refused. Typing in the composer never
triggers a command: letters are text there, `esc` leaves it, `m` comes back to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static

from msgsvc_tui.api import errors
from msgsvc_tui.api import messages as api_messages
from msgsvc_tui.core import messages as core_messages
from msgsvc_tui.core import segments, twilio_errors
from msgsvc_tui.core.messages import Outgoing
from msgsvc_tui.ops import send as ops_send
from msgsvc_tui.tui.keymode import focus_now
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import put, shown
from msgsvc_tui.tui.textual_private import TextInput
from msgsvc_tui.tui.widgets.nav import NavDataTable
from msgsvc_tui.tui.widgets.panes.base import ServicePane

Json = dict[str, Any]
WINDOW = timedelta(hours=24)  # "recent": what the list asks for
KEEP = 200  # rows kept
POLL_SECONDS = 2.0
MAX_POLLS = 150  # per message: five minutes at 2 s, then it is left as last seen
POLL_BATCH = 20  # messages fetched per tick
STATUS_STYLES = {
    "delivered": "green",
    "read": "green",
    "received": "green",
    "sent": "cyan",
    "failed": "bold red",
    "undelivered": "bold red",
    "canceled": "dim",
}
_INPUTS = {"compose-to": "to", "compose-body": "body", "compose-media": "media"}


def counter_text(body: str, *, smart_encoding: bool) -> Text:
    """The live segment counter for `body` under the service's Smart Encoding setting: one
    line of figures, then (when there is something to say) why it is UCS-2 or what Smart
    Encoding replaced."""
    s = segments.segment(body, smart_encoding=smart_encoding)
    smart = f" · Smart Encoding {'on' if smart_encoding else 'off'}"
    text = Text()
    if not body:
        text.append(f"GSM-7: {segments.GSM7_SINGLE} chars in one segment, ")
        text.append(f"UCS-2: {segments.UCS2_SINGLE}")
        text.append(smart, style="dim")
        return text
    plural = "s" * (s.segments != 1)
    text.append(f"{s.encoding}", style="bold green" if s.encoding == "GSM-7" else "bold yellow")
    unit = "chars" if s.encoding == "GSM-7" else "UTF-16 units"
    text.append(f" · {s.units} {unit} · {s.segments} segment{plural}")
    text.append(f" ({s.per_segment}/segment", style="dim")
    if s.segments <= 1:
        text.append(f", {s.single_limit - s.units} left", style="dim")
    text.append(")" + smart, style="dim")
    if s.replacements:
        text.append("\nSmart Encoding: ", style="bold")
        text.append(
            " · ".join(
                f"{shown(segments.describe_char(a))} → {shown(b) if b.strip() else repr(b)}"
                for a, b in s.replacements[:6]
            )
        )
        if len(s.replacements) > 6:
            text.append(f" … {len(s.replacements) - 6} more")
    elif s.forcing:
        text.append("\nUCS-2 because of: ", style="bold yellow")
        text.append(", ".join(shown(segments.describe_char(c)) for c in s.forcing[:6]))
        if len(s.forcing) > 6:
            text.append(f" … {len(s.forcing) - 6} more")
        if smart_encoding and s.unreplaceable:
            text.append(" (Smart Encoding has no GSM-7 stand-in for ", style="dim")
            text.append(", ".join(shown(c) for c in s.unreplaceable[:3]), style="dim")
            text.append(")", style="dim")
        elif not smart_encoding and segments.smart_encode(body) is not None:
            text.append(" (Smart Encoding would make it GSM-7)", style="dim")
    if s.too_long:
        text.append(
            f"\nToo long: {s.body_units:,} characters, at most {segments.MAX_BODY_UNITS:,}",
            style="bold red",
        )
    return text


def when_text(stamp: object) -> str:
    when = core_messages.parse_when(stamp)
    return when.astimezone(UTC).strftime("%m-%d %H:%M:%S") if when else "—"


def error_title(message: Json) -> str:
    entry = twilio_errors.explain(message.get("error_code"))
    return f"{entry.code} {entry.title}" if entry else ""


class ComposeRow(Horizontal):
    """One line of the composer; the mode line names it while it is typed in ("EDIT
    Message to"), as the form names its field."""

    def __init__(self, key_place: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.key_place = key_place


class Composer(Vertical):
    """The composer's fields: `esc` leaves them for the list below (one level up).

    Open (`-open`) from the moment the focus comes into it until `esc` or the focus leaves
    the tab. Where the panes stack (80x24 over SSH) a closed composer is hidden (app.tcss),
    so that the messages table gets its four lines: `m` opens it, `esc` closes it; wider, it
    is always shown. A click on the table below keeps it open: closing it there would move
    the table's rows under the pointer between the press and the release."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave", "Leave", id="compose-leave", show=False),
    ]

    def action_leave(self) -> None:
        self.screen.query_one("#messages-table").focus()
        self.remove_class("-open")

    def on_descendant_focus(self) -> None:
        self.add_class("-open")

    def take_enter(self, line: Widget) -> bool:
        """Enter read in order with the keys (the key machine calls this at once): in To the
        Body has the focus now, so what is typed right after lands there; in Body or Media
        the send waits behind the keys typed before enter."""
        if line.id == "compose-to":
            focus_now(self.query_one("#compose-body", Input))
            return True
        pane = next((n for n in self.ancestors if isinstance(n, MessagesPane)), None)
        if line.id in ("compose-body", "compose-media") and pane is not None:
            line.call_later(pane.action_send)
            return True
        return False


class MessagesPane(ServicePane):
    TITLE = "The Messages tab"
    SUMMARY_ID = "messages-summary"
    LOADING = "Loading the service's recent messages…"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "compose", "Compose", id="messages-compose", tooltip="Write a message"),
        Binding("ctrl+r", "reload", "Reload", id="messages-reload", tooltip="Ask again"),
        Binding(
            "i",
            "inbound",
            "Inbound",
            id="messages-inbound",
            tooltip="A handset texts one of the service's numbers (sandbox)",
        ),
    ]
    DEFAULT_CSS = """
    MessagesPane Composer { height: auto; }
    MessagesPane .compose-row { height: 1; }
    MessagesPane .compose-row Label { width: 7; }
    MessagesPane .compose-row Input { height: 1; border: none; padding: 0 1; width: 1fr; }
    MessagesPane .compose-row Input:focus { background: $primary 25%; }
    MessagesPane #compose-counter { height: auto; color: $text; }
    MessagesPane #messages-table { height: 1fr; min-height: 3; }
    MessagesPane #messages-detail { height: auto; max-height: 4; color: $text-muted; }
    """

    def __init__(self, session: Session, **kw: Any) -> None:
        super().__init__(session, **kw)
        self.messages: list[Json] = []
        self.pending: dict[str, int] = {}  # SID → fetches so far, while not final
        self.scan_note = ""
        self.reasons: dict[str, str] = {}  # SID → the emulator's "why this sender"
        self.draft_of: str | None = None  # the service the composer's text is written for
        # after an inbound message: the list is asked again on this many ticks, so the reply
        # the webhook's TwiML makes (sent on the emulator's own thread) shows up
        self.reloads_left = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="messages-summary")
        with Composer(id="composer"):
            for label, input_id, hint in (
                ("To", "compose-to", "e.g. +14155550123"),
                ("Body", "compose-body", "the message — enter sends it"),
                ("Media", "compose-media", "https://… (optional: makes it an MMS)"),
            ):
                with ComposeRow(f"Message {label.lower()}", classes="compose-row"):
                    yield Label(label)
                    yield TextInput(placeholder=hint, id=input_id, select_on_focus=False)
            yield Static("", id="compose-counter")
        table = NavDataTable(id="messages-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Sent (UTC)", "Status", "To", "From", "Segs", "Price", "Error")
        yield table
        yield Static("", id="messages-detail")
        yield Static(
            "m compose · enter in Body sends · esc leaves it · ctrl+r reload"
            + (" · i a handset texts in" if self.session.sandbox else ""),
            classes="help",
        )

    def on_mount(self) -> None:
        super().on_mount()
        self._render_counter()
        # the live statuses' clock; tests pause it and call poll_once themselves
        self.poller = self.set_interval(POLL_SECONDS, self.tick)

    def main_widget(self) -> Widget:
        return self.query_one("#messages-table")

    @property
    def smart_encoding(self) -> bool:
        return bool((self.service or {}).get("smart_encoding"))

    def settings_changed(self, service: Json) -> None:
        """The counter says what the service's Smart Encoding does: said again, the list,
        the message followed and what is typed kept."""
        super().settings_changed(service)
        self._render_counter()

    # ---- loading --------------------------------------------------------------------------
    def clear(self) -> None:
        self.messages = []
        self.pending = {}
        self.reasons = {}
        # a draft belongs to its service: shown under another one, one enter would send it
        # through that one instead
        sid = self.service["sid"] if self.service else None
        if sid != self.draft_of:
            for input_id in _INPUTS:
                self.query_one(f"#{input_id}", Input).value = ""
            self.draft_of = sid
        self.query_one(DataTable).clear()
        put(self.query_one("#messages-detail", Static), "")
        self._render_counter()

    def action_reload(self) -> None:
        self.show(self.service)

    @work(exclusive=True, group="messages", exit_on_error=False)
    async def load(self, service_sid: str) -> None:
        since = datetime.now(UTC) - WINDOW
        try:
            found = await api_messages.list_service_messages(
                self.session.client, service_sid, since=since, limit=KEEP
            )
        except errors.MsgsvcError as exc:
            if self.current(service_sid):
                self.summary(Text(f"Cannot load messages: {errors.describe(exc)}", style="red"))
            return
        if not self.current(service_sid):
            return
        self.scan_note = (
            f" (stopped after {found.scanned:,} of the account's messages)"
            if found.truncated
            else ""
        )
        sent_here = {m["sid"]: m for m in self.messages if m.get("sid") in self.pending}
        listed = {m.get("sid") for m in found.messages}
        self.messages = [m for m in sent_here.values() if m["sid"] not in listed]
        self.messages += found.messages
        for m in found.messages:
            if m.get("status") not in core_messages.FINAL:
                self.pending.setdefault(str(m.get("sid")), 0)
        self._render_messages()

    def _render_messages(self, select: str | None = None) -> None:
        """The list again; the cursor on `select` (a message just sent), else on the message
        it was on (a new one above it moves it down a row), kept in sight."""
        table = self.query_one(DataTable)
        keep = table.cursor_row
        target = select
        if target is None and table.row_count and 0 <= keep < table.row_count:
            # the message the cursor is on, read from the rows shown: `self.messages` has
            # already changed (a reload, a message put on top)
            target = table.coordinate_to_cell_key(Coordinate(keep, 0)).row_key.value
        table.clear()
        for m in self.messages:
            status = str(m.get("status") or "")
            price = m.get("price")
            table.add_row(
                Text(when_text(m.get("date_sent") or m.get("date_created"))),
                Text(shown(status), style=STATUS_STYLES.get(status, "yellow")),
                Text(shown(m.get("to"))),
                Text(shown(m.get("from") or "choosing…")),
                Text(shown(m.get("num_segments") or "")),
                Text(shown(f"{price} {m.get('price_unit') or ''}".strip() if price else "—")),
                Text(shown(error_title(m)), style="red"),
                key=str(m.get("sid")),
            )
        rows = [str(m.get("sid")) for m in self.messages]
        if self.messages and target in rows:
            table.move_cursor(row=rows.index(target), scroll=True)
        elif self.messages and keep is not None:
            table.move_cursor(row=min(keep, len(self.messages) - 1), scroll=True)
        self._render_summary()
        self._render_detail()

    def _render_summary(self) -> None:
        failed = sum(m.get("status") in core_messages.FAILED for m in self.messages)
        text = Text(f"{len(self.messages)} message{'s' * (len(self.messages) != 1)}")
        text.append(f" in the last {WINDOW.total_seconds() / 3600:g} h")
        if failed:
            text.append(f" · {failed} failed", style="bold red")
        if self.pending:
            text.append(f" · following {len(self.pending)}", style="yellow")
        text.append(self.scan_note, style="dim")
        if self.session.readonly:
            text.append(" · read-only: sending is off", style="bold")
        elif not self.messages:
            text.append(" · m writes one", style="dim")
        self.summary(text)

    def _selected(self) -> Json | None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        if self.messages and row is not None and 0 <= row < len(self.messages):
            return self.messages[row]
        return None

    def _render_detail(self) -> None:
        m = self._selected()
        detail = self.query_one("#messages-detail", Static)
        if m is None:
            put(detail, "")
            return
        text = Text()
        text.append(shown(m.get("sid")), style="bold")
        text.append(f" · {shown(m.get('direction') or '')}")
        if m.get("body"):
            text.append(" · ")
            text.append(shown(str(m.get("body"))[:120]))
        why = self.reasons.get(str(m.get("sid")))
        if why:
            text.append("\nWhy this sender (emulator): ", style="bold")
            text.append(shown(why))
        words = twilio_errors.describe(m.get("error_code"))
        if words:
            text.append("\n")
            text.append(shown(words), style="red")
        elif m.get("error_message"):
            text.append("\n")
            text.append(shown(m.get("error_message")), style="red")
        put(detail, text)

    @on(DataTable.RowHighlighted, "#messages-table")
    def _highlighted(self) -> None:
        self._render_detail()
        m = self._selected()
        if self.session.sandbox and m is not None and m.get("from"):
            sid = str(m.get("sid"))
            if sid not in self.reasons:
                self.explain(sid)

    @work(group="messages-why", exit_on_error=False)
    async def explain(self, sid: str) -> None:
        """In the sandbox: ask the emulator why the service chose this message's sender."""
        try:
            info = await api_messages.emulator_why(self.session.client, sid)
        except errors.MsgsvcError:
            return
        why = (info or {}).get("why")
        if isinstance(why, str) and why:
            self.reasons[sid] = why
            self._render_detail()

    # ---- live statuses --------------------------------------------------------------------
    def tick(self) -> None:
        """Follow what is not final, only while the tab is on screen (a hidden pane has no
        region): another tab, or another app screen, costs no requests."""
        visible = bool(self.region.area)
        if self.reloads_left and self.service is not None and visible:
            self.reloads_left -= 1
            self.load(str(self.service["sid"]))
        if self.pending and self.service is not None and visible and not self._polling():
            self.poll_once()

    def _polling(self) -> bool:
        return any(w.group == "messages-poll" and not w.is_finished for w in self.workers)

    @work(group="messages-poll", exit_on_error=False)
    async def poll_once(self) -> None:
        """Fetch the messages not final yet (a batch), once each: the timer calls it every
        few seconds; each message is followed at most MAX_POLLS times."""
        service = self.service
        changed = False
        for sid in list(self.pending)[:POLL_BATCH]:
            try:
                fresh = await api_messages.fetch_message(self.session.client, sid)
            except errors.MsgsvcError:
                fresh = None
            if service is not self.service:
                return  # the user moved on
            self.pending[sid] = self.pending.get(sid, 0) + 1
            if fresh is not None:
                changed = self._replace(fresh) or changed
                if fresh.get("status") in core_messages.FINAL:
                    self.pending.pop(sid, None)
            if self.pending.get(sid, 0) >= MAX_POLLS:
                self.pending.pop(sid, None)
        if changed:
            self._render_messages()
        else:
            self._render_summary()

    def _replace(self, fresh: Json) -> bool:
        for i, m in enumerate(self.messages):
            if m.get("sid") == fresh.get("sid"):
                if m == fresh:
                    return False
                self.messages[i] = fresh
                return True
        self.messages.insert(0, fresh)
        return True

    # ---- composing ------------------------------------------------------------------------
    def on_descendant_blur(self) -> None:
        self.call_later(self._close_composer_if_left)

    def _close_composer_if_left(self) -> None:
        """The focus left the tab (not for the table below, nor the terminal's own blur):
        the composer closes, as `esc` closes it."""
        focused = self.screen.focused
        if focused is not None and focused is not self and self not in focused.ancestors:
            self.query_one(Composer).remove_class("-open")

    def action_compose(self) -> None:
        if self.writable_service() is None:
            return  # said at once, not after a whole message was typed
        target = "compose-body" if self.query_one("#compose-to", Input).value else "compose-to"
        self.query_one(f"#{target}", Input).focus()

    @on(Input.Changed, "#compose-body")
    def _body_changed(self) -> None:
        self._render_counter()

    def _render_counter(self, problems: list[str] | None = None) -> None:
        body = self.query_one("#compose-body", Input).value
        text = counter_text(body, smart_encoding=self.smart_encoding)
        for problem in problems or []:
            text.append("\n" + problem, style="bold red")
        put(self.query_one("#compose-counter", Static), text)

    @on(Input.Submitted, "#compose-to")
    def _to_submitted(self) -> None:
        self.query_one("#compose-body", Input).focus()

    @on(Input.Submitted, "#compose-body")
    @on(Input.Submitted, "#compose-media")
    def _submitted(self) -> None:
        self.action_send()

    def outgoing(self) -> Outgoing | None:
        if self.service is None:
            return None
        media = self.query_one("#compose-media", Input).value.strip()
        return Outgoing(
            service_sid=str(self.service["sid"]),
            to=self.query_one("#compose-to", Input).value.strip(),
            body=self.query_one("#compose-body", Input).value,
            media_urls=(media,) if media else (),
        )

    def action_send(self) -> None:
        if self.writable_service() is None:
            return
        outgoing = self.outgoing()
        if outgoing is None:
            return
        problems = core_messages.problems(outgoing)
        if problems:
            labels = {"to": "To", "body": "Body", "media": "Media"}
            self._render_counter(
                [f"{labels.get(p.field_name, p.field_name)}: {p.message}" for p in problems]
            )
            first = next((i for i, name in _INPUTS.items() if name == problems[0].field_name), None)
            if first:
                self.query_one(f"#{first}", Input).focus()
            return
        question = ops_send.confirmation(self.session.client, outgoing)
        if question is None:
            self.send(outgoing)
            return
        self.confirm_then("Send a real message?", question, "Send", lambda: self.send(outgoing))

    @work(group="messages-send", exit_on_error=False)
    async def send(self, outgoing: Outgoing) -> None:
        service = self.service
        call = self.session.writes.send_message(outgoing, service or {})
        done, created = await self.attempt(call, title="Not sent", explain=_explain)
        if not done or created is None:
            return
        self.app.notify(
            f"{shown(created.get('status'))}: {shown(created.get('sid'))} to {shown(outgoing.to)}",
            title="Sent",
        )
        if service is not self.service:
            return
        # the composer is emptied of what was sent, and only of that: what was typed while
        # the message was on its way is the next message, kept
        sent = {"#compose-body": outgoing.body, "#compose-media": ",".join(outgoing.media_urls)}
        for line_id, text in sent.items():
            line = self.query_one(line_id, Input)
            if line.value.strip() == text.strip():
                line.value = ""
        self.messages.insert(0, created)
        if created.get("status") not in core_messages.FINAL:
            self.pending[str(created.get("sid"))] = 0
        self._render_messages(select=str(created.get("sid")))  # in sight, its detail shown

    # ---- inbound (the sandbox) ------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`i` exists on the sandbox only: on a real account handsets send, not the app."""
        if action == "inbound":
            return self.session.sandbox
        return True

    def action_inbound(self) -> None:
        service = self.writable_service()
        if service is None:
            return
        if not self.session.sandbox:
            self.app.notify(
                "Only the demo sandbox can make up an incoming message: on a real account a "
                "handset sends it (ctrl+p, Open the demo sandbox).",
                severity="warning",
                title="Sandbox only",
            )
            return
        self._inbound(self.service)

    @work(group="messages-inbound", exit_on_error=False)
    async def _inbound(self, service: Json) -> None:
        from msgsvc_tui.core import senders
        from msgsvc_tui.tui.screens.inbound import InboundScreen

        numbers: list[str] = []
        try:
            for kind in (senders.PHONE_NUMBERS, senders.SHORT_CODES):
                listed = await self.session.client.list_senders(str(service["sid"]), kind)
                numbers += [str(n.get(kind.value_field) or "") for n in listed]
        except errors.MsgsvcError as exc:
            self.app.notify(errors.describe(exc), severity="error", title="No numbers")
            return
        numbers = [n for n in numbers if n]
        selected = self._selected() or {}
        replying = selected.get("direction") != "inbound" and selected.get("from") in numbers
        handset = str(selected.get("to") if replying else selected.get("from") or "")
        if not handset or handset in numbers:
            handset = self.query_one("#compose-to", Input).value.strip() or "+16175550123"
        if replying:
            number = str(selected.get("from"))
        elif selected.get("direction") == "inbound" and selected.get("to") in numbers:
            number = str(selected.get("to"))  # the same number texted again
        else:
            number = numbers[0] if numbers else ""
        incoming = await self.app.push_screen_wait(InboundScreen(handset, number, numbers))
        if incoming is None:
            return
        done, received = await self.attempt(
            self.session.writes.deliver_inbound(incoming, service, numbers),
            title="Not delivered",
        )
        if not done or received is None:
            return
        sid = str(received.get("sid"))
        try:
            info = await api_messages.emulator_why(self.session.client, sid)
        except errors.MsgsvcError:
            info = None  # delivered all the same: only the emulator's account of it is missing
        where = str((info or {}).get("why") or "").removeprefix("inbound: ")
        self.app.notify(
            f"{shown(received.get('status'))}: {shown(sid)} from {shown(incoming.from_)} to "
            f"{shown(incoming.to)}" + (f"\n{shown(where)}" if where else ""),
            title="Inbound message",
        )
        if service is not self.service:
            return
        if where:
            self.reasons[sid] = f"inbound: {where}"
        self._replace(received)
        self._render_messages()
        self.reloads_left = 2


def _explain(exc: errors.ApiError) -> str:
    entry = twilio_errors.KNOWN.get(exc.code or 0)
    return entry.sentence() if entry else exc.describe()
