"""The guided tour: a few steps in the real UI of the demo sandbox, for a newcomer or a room.

Each step is a panel beside the app (below it on a normal terminal, to its right on a very wide
one) that says what to look at and which key to press, then waits until the app shows that the
user did it: the tab is open, the service is selected, the flag flipped. The tour binds no key
of its own: it only watches, and every step is done with the app's own keys. `esc` leaves it
from any step, as the outermost level `esc` backs out of: on the list it closes the tour; in a
tab or a field, `esc` first goes back to the list, as everywhere in the app.

Steps about tabs that are not in the registry (tabs.py) are left out, so the tour follows the
app as tabs are added. The tour runs on the demo sandbox only: its steps name demo services.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static, TabbedContent

from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.tabs import BY_ID
from msgsvc_tui.tui.text import as_text, put

Json = dict[str, Any]

VERIFIED_SERVICE = "Acme Order Updates"
IN_REVIEW_SERVICE = "Acme Spring Promo"
FAILED_SERVICE = "Black Friday Blast"


@dataclass
class Seen:
    """What the app shows now, as the steps test it."""

    service: Json | None
    tab: str
    key: str  # the last key pressed ("" before any)

    @property
    def name(self) -> str:
        return str((self.service or {}).get("friendly_name") or "")


@dataclass
class Step:
    title: str
    body: str
    press: str  # the key(s) to press and what they do
    done: Callable[[Seen, Seen], bool]  # (at the step's start, now)
    service: str | None = None  # the demo service the step is about
    # True: the tour selects the service next to `service`, and the user moves onto it
    approach: bool = False
    needs_tab: str | None = None  # left out unless this tab is in the registry
    writes: bool = False  # left out in --readonly, where nothing is written
    on_list: bool = False  # its key works on the list: from elsewhere, esc goes there first


def _tab_key(tab_id: str) -> str:
    return BY_ID[tab_id].key() if tab_id in BY_ID else "?"


def _on_tab(tab_id: str) -> Callable[[Seen, Seen], bool]:
    return lambda _start, now: now.tab == tab_id


def _on_service(name: str) -> Callable[[Seen, Seen], bool]:
    return lambda _start, now: now.name == name


def _moved(start: Seen, now: Seen) -> bool:
    return bool(now.name) and now.name != start.name


def _sticky_flipped(start: Seen, now: Seen) -> bool:
    return (
        now.service is not None
        and start.service is not None
        and now.name == start.name
        and now.service.get("sticky_sender") != start.service.get("sticky_sender")
    )


def _never(_start: Seen, _now: Seen) -> bool:
    return False


def steps(*, readonly: bool) -> list[Step]:
    """The tour's steps for this app: tabs it has, writes only when it may write."""
    every = [
        Step(
            "What a Messaging Service is",
            "Each row is a Messaging Service: one 'from' for your app. It holds a pool of "
            "senders and the settings that decide which sender Twilio picks and how each "
            "message goes out. You send from the service, not from a number.",
            "j (down) or k (up): move in the list",
            _moved,
        ),
        Step(
            "The sender pool",
            "Senders is the service's pool: phone numbers, short codes, an alpha sender ID. "
            "For each message Twilio picks one from it (by the recipient's country, sticky "
            "sender, area code). a adds a number, x removes one.",
            f"{_tab_key('tab-senders')}: the Senders tab",
            _on_tab("tab-senders"),
            service=VERIFIED_SERVICE,
        ),
        Step(
            "The flags",
            "Settings ends with the flags. Sticky sender: one number per recipient. Smart "
            "encoding: look-alike Unicode swapped so a text stays GSM-7 (fewer segments). "
            "MMS converter: MMS sent as SMS + link where MMS fails. Area code geomatch: a "
            "local number. Fallback to long code: a short code's failure retried.",
            f"{_tab_key('tab-settings')}: the Settings tab",
            _on_tab("tab-settings"),
            service=VERIFIED_SERVICE,
        ),
        Step(
            "Flip a flag",
            "The list shows the flags as letters, W S E M C L (· when off). The same "
            "capital flips one on the selected service (on every marked one after space). "
            "It is a real write to the sandbox: journalled (J), and undoable.",
            "S: flip sticky sender",
            _sticky_flipped,
            writes=True,
            on_list=True,
        ),
        Step(
            "Undo",
            "The S column changed. u takes back the last write, after showing what it will "
            "do; it refuses, saying why, if the service changed since.",
            "u, then y: undo the flip",
            _sticky_flipped,  # back as it was
            writes=True,
        ),
        Step(
            "What the flags do to a message",
            "Messages sends through the service and shows which sender Twilio picked and "
            "why. m writes one; flip sticky sender (S) or smart encoding (E) in the list, "
            "send again, and compare the sender and the segments.",
            f"{_tab_key('tab-messages')}: the Messages tab",
            _on_tab("tab-messages"),
            service=VERIFIED_SERVICE,
            needs_tab="tab-messages",
        ),
        Step(
            "A2P 10DLC: a verified campaign",
            "To text US numbers from local numbers, a service needs an A2P 10DLC campaign: "
            "a brand (the company) and a campaign (what it sends), reviewed by carriers. "
            f"{VERIFIED_SERVICE}'s campaign is VERIFIED: ✓ in the list's US column.",
            f"{_tab_key('tab-campaign')}: the A2P tab",
            _on_tab("tab-campaign"),
            service=VERIFIED_SERVICE,
        ),
        Step(
            "A campaign in review",
            f"{IN_REVIEW_SERVICE}'s campaign is IN_PROGRESS: carriers take days to weeks. "
            "While it is in review the tab asks again by itself, and the US column shows …",
            "",  # set when the step starts: j or k, whichever leads there
            _on_service(IN_REVIEW_SERVICE),
            service=IN_REVIEW_SERVICE,
            approach=True,
            on_list=True,
        ),
        Step(
            "A failed campaign",
            f"{FAILED_SERVICE}'s campaign FAILED: its errors say why (30897, disallowed "
            "content) and which field to fix. e edits its texts; x deletes it, and a new "
            "registration is a new review.",
            "",
            _on_service(FAILED_SERVICE),
            service=FAILED_SERVICE,
            approach=True,
            on_list=True,
        ),
        Step(
            "Health",
            "Health checks the service for what would stop or slow its messages: an empty "
            "pool, a missing campaign, webhooks that fail. Each finding says how to fix it.",
            f"{_tab_key('tab-health')}: the Health tab",
            _on_tab("tab-health"),
            service=FAILED_SERVICE,
            needs_tab="tab-health",
        ),
        Step(
            "That's the tour",
            "You have seen the services, their sender pool, the flags and A2P 10DLC. "
            "? lists every key; ctrl+p finds every command, this tour and a sandbox reset "
            "among them. The sandbox is yours: try anything.",
            "esc: leave the tour",
            _never,
            on_list=True,  # from a tab, esc first backs out to the list
        ),
    ]
    return [
        s
        for s in every
        if (s.needs_tab is None or s.needs_tab in BY_ID) and not (s.writes and readonly)
    ]


class TourPanel(Vertical):
    """The tour: its panel, and the steps it follows on the main screen."""

    DEFAULT_CSS: ClassVar[str] = """
    TourPanel {
        dock: bottom;
        margin-bottom: 1;  /* above the mode line, which stays in sight (it docks there too) */
        height: auto;
        max-height: 10;
        border: round $accent;
        border-title-color: $accent;
        border-title-style: bold;
        padding: 0 1;
        background: $boost;
    }
    TourPanel.-side { dock: right; width: 40; height: 100%; max-height: 100%; }
    TourPanel #tour-body { height: auto; }
    TourPanel #tour-press { height: auto; color: $text-accent; text-style: bold; }
    TourPanel #tour-hint { height: 1; color: $text-muted; }
    """
    SIDE_FROM = 150  # columns: from here the panel stands beside the app, not below it

    def __init__(self, main: MainScreen, *, readonly: bool) -> None:
        super().__init__(id="tour")
        self.main = main
        self.steps = steps(readonly=readonly)
        self.index = 0
        self.start: Seen | None = None
        self.last_key = ""
        self.press = ""  # what the step asks, once it has begun: "S: flip sticky sender"
        self.finished = False

    def compose(self) -> ComposeResult:
        yield Static(id="tour-body")
        yield Static(id="tour-press")
        yield Static(as_text("esc on the list leaves the tour"), id="tour-hint")

    def on_mount(self) -> None:
        self._layout()
        self._enter()
        # the app's own changes (a tab loaded, a write's answer) are seen as they land
        self.set_interval(0.3, self.check)

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        self.set_class(self.app.size.width >= self.SIDE_FROM, "-side")

    @property
    def step(self) -> Step:
        return self.steps[self.index]

    def seen(self) -> Seen:
        service = self.main.table.current if self.main.is_mounted else None
        if service is not None:
            service = self.main.model.get(str(service.get("sid"))) or service
        try:
            tab = str(self.main.detail.query_one(TabbedContent).active)
        except Exception:  # the detail pane is being rebuilt
            tab = ""
        return Seen(service, tab, self.last_key)

    def key_pressed(self, key: str) -> None:
        self.last_key = key
        self.call_after_refresh(self.check)

    def check(self) -> None:
        if self.finished or self.start is None:
            return
        now = self.seen()
        if self.start.service is None and now.service is not None:
            self._enter()  # the list has loaded since the step began: begin it again
            return
        if self.step.done(self.start, now):
            self.advance()
        else:
            self._show_press()

    def advance(self) -> None:
        if self.index + 1 < len(self.steps):
            self.index += 1
            self._enter()

    def _enter(self) -> None:
        """A step starts: its service selected (or the one next to it), its text shown."""
        step = self.step
        self.press = step.press
        if step.service:
            target = self._row_named(step.service)
            filt = self.main.query_one("#filter", Input)
            if target is None and filt.value:
                filt.value = ""  # hidden by a filter: every service shown again, then begin
                self.call_after_refresh(self._enter)
                return
            if target is not None:
                if step.approach:
                    self.press = self._approach(target)
                else:
                    self._select(target)
        self.start = self.seen()
        self._show_step()

    def _row_named(self, name: str) -> int | None:
        model = self.main.model
        for sid in model.sids():
            service = model.get(sid)
            if service is not None and service.get("friendly_name") == name:
                return model.row_of(sid)
        return None

    def _select(self, row: int) -> None:
        if self.main.table.cursor != row:
            self.main.table.cursor = row

    def _approach(self, row: int) -> str:
        name = self.step.service
        if self.main.table.cursor == row:
            return f"(already on {name}: press j then k to come back to it)"
        if row > 0:
            self._select(row - 1)
            return f"j: down one row, to {name}"
        self._select(row + 1)
        return f"k: up one row, to {name}"

    def keys_to_press(self) -> list[str]:
        """The keys the step asks for now, in order (esc first when away from the list)."""
        keys = [self.press.split(":")[0].split(",")[0].split()[0]]
        if self.step.on_list and not self.main.table.has_focus:
            keys.insert(0, "escape")
        return keys

    def press_text(self) -> str:
        if self.step.on_list and not self.main.table.has_focus:
            return f"esc (back to the list), then {self.press}"
        return self.press

    def _show_step(self) -> None:
        step = self.step
        self.border_title = f"Tour {self.index + 1}/{len(self.steps)} · {step.title}"
        put(self.query_one("#tour-body", Static), step.body)
        self._shown_press = ""
        self._show_press()

    def _show_press(self) -> None:
        text = self.press_text()
        if text != getattr(self, "_shown_press", None):
            self._shown_press = text
            press = Text("Press ", style="bold")
            press.append_text(as_text(text, style="bold"))
            put(self.query_one("#tour-press", Static), press)
