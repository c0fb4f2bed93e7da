"""The base of the pickers that add a sender to a service: a list of the account's senders
marked free, in this service, or held by another (j/k move, enter chooses), and a filter that
`/` opens (or a typed SID). The list has the focus first: letters filter only once the filter
has it, so j/k move as in every other list; enter in the filter takes the matches back to the
list (as k9s's does), so only a second enter, on a line the user sees highlighted, adds (a
whole SID typed is added by name at once); esc clears the filter, then closes. The number
picker and the channel-sender picker subclass it; they differ in what
they list and how they learn who holds what."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from msgsvc_tui.api import errors
from msgsvc_tui.tui.keymode import focus_now
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.screens.modals import Dialog
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import name_of, put
from msgsvc_tui.tui.textual_private import TextInput
from msgsvc_tui.tui.widgets.nav import NavOptionList

Json = dict[str, Any]
HOLDER_LOOKUPS = 500  # services whose pools are read to learn holders
CandidateT = TypeVar("CandidateT")


class PickerScreen(ReportsWorkerErrors, Dialog["str | None"], Generic[CandidateT]):
    """Subclasses set PREFIX (widget ids: #PREFIX-filter, -error, -options, -status), the
    texts, and implement `fetch` and `find_holders` (which `load` calls), `rows`, `typed_sid`
    and `typed_problem`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="picker-cancel",
            tooltip="Clear the filter; close the picker",
        ),
        Binding("slash", "focus_filter", "Filter", id="picker-filter", tooltip="Filter or a SID"),
        Binding("down", "focus_list", "List", id="picker-list", show=False, tooltip="To list"),
    ]
    DEFAULT_CSS: ClassVar[str] = """
    /* with the frame's class: above DialogFrame's own .dialog-body (the list is one) */
    PickerScreen .picker OptionList { height: auto; max-height: 20; }
    PickerScreen .picker Input { margin-bottom: 1; }
    """
    FRAME_CLASSES = "wide picker"
    FOCUS = "OptionList"
    PREFIX: ClassVar[str] = "picker"
    WHAT: ClassVar[str] = "a sender"
    WHICH: ClassVar[str] = "the account's senders"  # "Loading WHICH…"
    PLACEHOLDER: ClassVar[str] = "filter"

    def __init__(self, session: Session, service: Json) -> None:
        super().__init__(f"Add {self.WHAT} to “{name_of(service)}”")
        self.session = session
        self.service = service
        self.candidates: list[CandidateT] = []
        self.holders_known = False
        self.unchecked = ""  # set when some services' holdings were not read

    def frame_id(self) -> str | None:
        return self.PREFIX

    def compose_body(self) -> ComposeResult:
        p = self.PREFIX
        yield TextInput(placeholder=self.PLACEHOLDER, id=f"{p}-filter")
        yield Static("", classes="error", id=f"{p}-error")
        yield NavOptionList(id=f"{p}-options", classes="dialog-body")
        yield Static(f"Loading {self.WHICH}…", id=f"{p}-status", classes="help")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="picker", exit_on_error=False)
    async def load(self) -> None:
        """The candidates first (listed as soon as they are in), then who holds each."""
        try:
            self.candidates = await self.fetch()
        except errors.MsgsvcError as exc:
            self.status(f"Cannot list {self.WHICH}: {errors.describe(exc)}")
            return
        self.render_options()
        count = len(self.candidates)
        sids = self.session.service_sids()
        self.status(f"{count} senders; checking which service holds each…")
        try:
            await self.find_holders(sids[:HOLDER_LOOKUPS])
        except errors.MsgsvcError as exc:
            self.status(f"Holders unknown: {errors.describe(exc)}")
            return
        unknown = (
            f" (services past the first {HOLDER_LOOKUPS} not checked)"
            if len(sids) > HOLDER_LOOKUPS
            else ""
        )
        self.unchecked = unknown
        self.holders_known = True
        self.render_options()

    # ---- what subclasses provide ------------------------------------------------------------
    async def fetch(self) -> list[CandidateT]:
        """Read the candidates (raises MsgsvcError)."""
        raise NotImplementedError

    async def find_holders(self, service_sids: list[str]) -> None:
        """Learn which of these services holds each candidate (raises MsgsvcError)."""
        raise NotImplementedError

    def rows(self, needle: str) -> list[tuple[Text, str]]:
        """(line, sender SID) for every candidate matching `needle` (lower case)."""
        raise NotImplementedError

    def typed_sid(self, text: str) -> str | None:
        """`text` when it is a whole, well-formed SID of a kind this picker adds."""
        raise NotImplementedError

    def typed_problem(self, text: str) -> str | None:
        """What is wrong with a SID being typed (None for a filter or a good SID)."""
        raise NotImplementedError

    # ---- shared ---------------------------------------------------------------------------
    def status(self, text: str) -> None:
        put(self.query_one(f"#{self.PREFIX}-status", Static), text)

    def holder_status(self, holder: str | None) -> tuple[str, str]:
        """(words, style) for who holds a sender: free, this service, or another by name."""
        if holder is None:
            return "free", "green"
        if holder == self.service["sid"]:
            return "in this service", "dim"
        held = self.session.service(holder)
        return f"held by {name_of(held) if held else holder}", "yellow"

    def render_options(self) -> None:
        options = self.query_one(OptionList)
        needle = self.query_one(f"#{self.PREFIX}-filter", Input).value.strip().lower()
        was = options.highlighted
        kept = options.get_option_at_index(was).id if was is not None else None
        options.clear_options()
        ids = []
        for line, sid in self.rows(needle):
            options.add_option(Option(line, id=sid))
            ids.append(sid)
        if options.option_count:
            # the line the user highlighted stays highlighted when the list is drawn again
            # (who holds what arrives after the list): enter adds what they see
            options.highlighted = ids.index(kept) if kept in ids else 0
        if not self.holders_known:
            return  # still loading, or who holds what is unknown: the status line says so
        count = len(self.candidates)
        shown = options.option_count
        what = f"{count} senders" if shown == count else f"{shown} of {count} senders match"
        self.status(f"{what} · enter adds · / filter{self.unchecked}")

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        self.say(self.typed_problem(event.value.strip()) or "", f"#{self.PREFIX}-error")
        self.render_options()

    def take_enter(self, line: Widget) -> bool:
        """Enter in the filter, read in order with the keys (the key machine calls this at
        once): the matches take the focus now, so a j or an enter typed right after moves in
        them or adds the highlighted one; once the keys typed before enter are in, a whole
        SID typed is added, a SID with a problem keeps the filter (its problem shown)."""
        box = self.query_one(f"#{self.PREFIX}-filter", Input)
        if line is not box:
            return False
        self.action_focus_list()
        box.call_later(self._filter_entered, box)
        return True

    def _filter_entered(self, box: Input) -> None:
        text = box.value.strip()
        sid = self.typed_sid(text)
        if sid:
            self.dismiss(sid)
        elif self.typed_problem(text):
            focus_now(box)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.take_enter(event.input)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        focus_now(self.query_one(OptionList))

    def action_focus_filter(self) -> None:
        focus_now(self.query_one(f"#{self.PREFIX}-filter", Input))

    def action_cancel(self) -> None:
        """esc backs out one level: the filter (cleared), then the picker."""
        box = self.query_one(f"#{self.PREFIX}-filter", Input)
        if box.has_focus or box.value:
            box.value = ""
            self.action_focus_list()
            return
        self.dismiss(None)
