"""The main screen: the services list beside the detail form.

It composes the two panes and routes between them: the list pane owns the list and the writes
made from it, the detail pane owns the form and its save; what one does that matters to the
other arrives here as a message (tui/messages.py) and is passed on as a method call. Rules
(what changed, what a conflict is, what a bulk flip sets) live in the core, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Static

from msgsvc_tui.core.config import mask_sid
from msgsvc_tui.core.listing import ServiceList
from msgsvc_tui.tui.keymode import ensure_focus, focus_now
from msgsvc_tui.tui.messages import (
    CampaignSeen,
    HealthSeen,
    ListLoaded,
    ServiceRemoved,
    ServiceSaved,
    ServiceWritten,
)
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.screens.modals import UnsavedScreen, confirm_then
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.tabs import TABS
from msgsvc_tui.tui.text import name_of, put, shown
from msgsvc_tui.tui.textual_private import PaintsWhatChanged, give_breakpoint_classes
from msgsvc_tui.tui.widgets.detail_pane import DetailPane
from msgsvc_tui.tui.widgets.keybar import KeyBar
from msgsvc_tui.tui.widgets.list_pane import ListPane
from msgsvc_tui.tui.widgets.service_form import ServiceForm
from msgsvc_tui.tui.widgets.service_table import ServiceTable

Json = dict[str, Any]
NARROW = 104  # below this many columns the panes stack (list ≥ 40, details ≥ 62)

__all__ = ["ListPane", "MainScreen"]


def _tab(key: str, tab: str, label: str, tip: str) -> Binding:
    return Binding(key, f"tab('{tab}')", label, id=tab, tooltip=tip, show=False)


if TYPE_CHECKING:
    from msgsvc_tui.ops.undo import UndoPlan


class MainScreen(PaintsWhatChanged, ReportsWorkerErrors, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="save", tooltip="Save the form", priority=True),
        Binding("n", "new", "New", id="new", tooltip="Create a service"),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter by name, SID, use case"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Reload the list", show=False),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the list", show=False),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo the last write (asks first)"),
        Binding("J", "journal", "Journal", id="journal", tooltip="Recent writes", show=False),
        *(_tab(t.key(), t.id, t.title, t.tip) for t in TABS),
    ]
    # Below NARROW columns the panes stack (app.tcss: MainScreen.-narrow).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW, "-wide")]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.model = ServiceList()
        session.service = self.model.get
        session.service_sids = self.model.sids
        give_breakpoint_classes(self, self.app.size)  # the first resize restyles nothing

    # ---- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="panes"):
            yield ListPane(self.session, self.model, id="list-pane")
            yield DetailPane(self.session, id="detail-pane")
        # the mode, always; then the keys that fit, whole; then ? (help lists everything)
        bar = KeyBar(readonly=self.session.readonly, id="keybar")
        bar.extra = self._bar_extra
        bar.hints = self._bar_hints
        bar.idle = self._bar_idle
        yield bar

    def _bar_extra(self) -> list[str]:
        marked = len(self.model.marked)
        return [f"● {marked} marked"] if marked else []

    def _bar_idle(self, binding: Binding) -> bool:
        """ctrl+s is offered while there is something to save: edits, a new service, a
        field being edited. The key itself always works (a switch flipped and ctrl+s at
        once, in one burst, reach the form in that order: the save is never dropped)."""
        form = self.form
        return binding.id == "save" and not (form.editing or form.creating or form.dirty)

    @on(ServiceForm.Edited)
    @on(ServiceForm.Loaded)
    def _form_changed(self) -> None:
        # what there is to save changed without the focus moving (a switch flipped on its
        # row, a save done, another service shown): the bar's ctrl+s follows
        self.refresh_keybar()

    def _bar_hints(self) -> list[tuple[str, str]]:
        """With the list focused and another tab open, how to reach that tab's keys; none
        while a dialog over this screen takes the keys."""
        from msgsvc_tui.tui.tabs import BY_ID

        if self.app.screen is not self or not self.table.has_focus or not self.detail.display:
            return []
        tab = BY_ID.get(self.detail.active_tab())
        if tab is None or not tab.pane_path:
            return []
        return [(tab.key(), f"{tab.title.lower()} keys")]

    def default_focus(self) -> Widget:
        """Where the focus goes when what had it is gone (never on nothing): the list."""
        return self.table

    def refresh_keybar(self) -> None:
        for bar in self.query_children(KeyBar):  # one of the screen's own children
            bar.refresh_keys()

    @property
    def list_pane(self) -> ListPane:
        return self.query_one(ListPane)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def form(self) -> ServiceForm:
        return self.detail.form

    @property
    def table(self) -> ServiceTable:
        return self.list_pane.table

    # what the list pane knows about its load, read here by callers and tests
    @property
    def list_loading(self) -> bool:
        return self.list_pane.list_loading

    @property
    def list_error(self) -> str | None:
        return self.list_pane.list_error

    def on_mount(self) -> None:
        self._render_topbar()
        self.detail.display = False
        focus_now(self.table)
        self.list_pane.load()

    def _render_topbar(self) -> None:
        session = self.session
        conn = session.connection
        bar = Text()
        bar.append(" msgsvc-tui ", style="bold")
        if session.sandbox:
            bar.append(" SANDBOX ", style="bold black on yellow")
            bar.append(" local emulator, demo data ")
        if conn is not None:
            bar.append(f" {shown(conn.profile or conn.source)} ", style="bold")
            bar.append(f" {mask_sid(conn.account_sid)} ")
        if session.readonly:  # first, so that no width cuts it off
            bar = Text.assemble((" READ-ONLY ", "bold white on dark_red"), bar)
        put(self.query_one("#topbar", Static), bar)

    def on_descendant_focus(self) -> None:
        focused = self.focused
        in_detail = focused is not None and any(
            node.id == "detail-pane" for node in focused.ancestors_with_self
        )
        for pane in (self.list_pane, self.detail):
            if pane.has_class("-editing") != in_detail:
                # the pane alone, not its hundred widgets: no rule keyed on `-editing` styles
                # what is inside a pane (app.tcss; test_architecture checks)
                pane.set_class(in_detail, "-editing", update=False)
                self.app.stylesheet.update_nodes([pane], animate=False)
        self.refresh_keybar()

    def on_descendant_blur(self) -> None:
        # a worker that hid or removed what had the focus: the list takes it
        self.call_after_refresh(self._keep_focus)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # a dialog closed: Textual gives the focus back to what had it; if a worker removed
        # that meanwhile, the list takes it
        self.call_after_refresh(self._keep_focus)

    def on_screen_suspend(self) -> None:
        # a dialog opened over it: its mode line, still visible beneath, says DIALOG
        self.refresh_keybar()

    def _keep_focus(self) -> None:
        if self.is_current:
            ensure_focus(self)
            self.refresh_keybar()

    # ---- the form follows the list --------------------------------------------------------
    @on(ServiceTable.Highlighted)
    def _highlighted(self, event: ServiceTable.Highlighted) -> None:
        """The form follows the cursor, unless it holds edits: then the cursor goes back to
        the form's service at once (list and form never disagree, so y and d act on what
        the form shows) and a question decides. Reads the cursor now, not the event's row:
        a burst of keys leaves a queue of stale events."""
        if self.app.screen is not self:
            return  # a question is open: its answer decides where the list goes
        form = self.form
        target = self.table.current
        showing = form.service["sid"] if form.service else None
        if target is not None and target.get("sid") == showing and not form.creating:
            return
        if form.dirty:
            self._hold_cursor()
            self._ask_unsaved(lambda: self._go_to(target))
            return
        self.detail.show(target)

    def _hold_cursor(self) -> None:
        form = self.form
        row = self.model.row_of(form.service["sid"]) if form.service else None
        if row is not None:
            self.table.cursor = row  # its event finds the form there: a no-op

    def _go_to(self, service: Json | None) -> None:
        """Show `service` in the form, then put the cursor on it."""
        if service is None:
            self.detail.show(None)
            return
        current = self.model.get(service["sid"])
        row = self.model.row_of(service["sid"])
        if current is None or row is None:
            return
        self.detail.show(current)
        self.table.cursor = row

    @on(ServiceTable.Selected)
    def _selected(self, event: ServiceTable.Selected) -> None:
        self.action_open_form()  # a double click

    def action_open_form(self) -> None:
        """enter on the list: the form, its first row. At once, not from a message: a key
        typed right after enter is read in the form (tui/keymode.py)."""
        if self.table.current is None:
            return
        self.detail.display = True
        self.detail.show_tab("tab-settings")

    def _ask_unsaved(self, then: Callable[[], object]) -> None:
        form = self.form
        name = name_of(form.service) if form.service else "The new service"

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.detail.save(then=then)
            elif choice == "discard":
                form.creating = False
                if form.service:
                    form.load(form.service)
                self.detail.set_status("")
                then()

        self.app.push_screen(UnsavedScreen(name, form.change_lines()), answered)

    # ---- what the panes report ------------------------------------------------------------
    @on(ListLoaded)
    def _list_loaded(self) -> None:
        # the list's own A2P bit is fresher than a campaign status seen before this load
        self.table.a2p_status.clear()
        current = self.table.current
        if current is None:
            return
        if not self.form.dirty:
            self.detail.show(current)
        elif self.form.service and self.form.service.get("sid") == current.get("sid"):
            self.detail.follow(current)  # the edits stay; the open tab shows the server's

    @on(ServiceWritten)
    def _written(self, message: ServiceWritten) -> None:
        self.detail.remote_change(message.service)

    @on(ServiceRemoved)
    def _removed(self, message: ServiceRemoved) -> None:
        form = self.form
        if form.service and form.service.get("sid") == message.sid:
            self.detail.show(self.table.current)

    @on(ServiceSaved)
    def _saved(self, message: ServiceSaved) -> None:
        service = message.service
        self.list_pane.upsert(service, select=self.model.get(str(service["sid"])) is None)
        if message.then:
            message.then()

    # ---- undo and the journal -------------------------------------------------------------
    def action_undo(self) -> None:
        if not self.session.refuses_writes(self.notify):
            self._undo_worker()

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def _undo_worker(self) -> None:
        from msgsvc_tui.ops.undo import apply_undo, plan_undo  # when first needed: not at start

        writes = self.session.writes
        journal = writes.journal
        if journal is None:
            why = self.session.journal_problem or "there is no journal"
            self.notify(f"Nothing to undo: {why}", severity="warning", timeout=6)
            return
        entries = journal.last_undoable(writes.target.key)
        if not entries:
            self.notify("Nothing to undo: no write of this session is left", timeout=4)
            return
        self.notify("Checking the server before undoing…", timeout=2)
        plan = await plan_undo(writes, entries)
        lines = plan.lines()
        if not plan.doable:
            await apply_undo(writes, plan)  # marks what needs nothing any more
            title = "Undo refused:" if plan.refused else "Nothing left to undo:"
            self.notify("\n".join([title, *lines]), severity="warning", timeout=10)
            return
        body = "\n".join(["This will:", *lines])
        confirm_then(self, "Undo", body, lambda: self._apply_undo(plan), yes="Undo")

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def _apply_undo(self, plan: UndoPlan) -> None:
        from msgsvc_tui.ops.undo import apply_undo

        done = await apply_undo(self.session.writes, plan)
        failed = any(o.exit_code for o in done)
        self.notify(
            "\n".join(o.line() for o in done),
            title="Undo",
            severity="warning" if failed else "information",
            timeout=8 if failed else 6,
        )
        self.list_pane.load()

    def action_journal(self) -> None:
        from msgsvc_tui.tui.screens.journal import JournalScreen

        self.app.push_screen(JournalScreen(self.session.journal, self.session.writes.target.key))

    @on(CampaignSeen)
    def _campaign_seen(self, event: CampaignSeen) -> None:
        self.table.set_a2p_status(event.sid, event.status)

    @on(HealthSeen)
    def _health_seen(self, event: HealthSeen) -> None:
        self.table.set_health(event.sid, event.state)

    # ---- keys -----------------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        self.detail.show_tab(tab)

    def action_back(self) -> None:
        form = self.form
        if form.editing:  # the first esc stops editing; the next goes back to the list
            form.stop_editing()
            return
        if self.list_loading and self.table.has_focus:
            self.list_pane.cancel_load()
            self.notify(f"Loading stopped at {len(self.model)} services; r loads again")
            return
        filt = self.query_one("#filter", Input)
        if (filt.has_focus or self.table.has_focus) and filt.value:
            filt.value = ""  # esc clears an active filter, from the box or the list (k9s)
            self.list_pane.apply_filter("")
        focus_now(self.table)

    def action_filter(self) -> None:
        focus_now(self.query_one("#filter", Input))

    def action_refresh(self) -> None:
        self.list_pane.load()

    def action_new(self) -> None:
        if self.session.refuses_writes(self.notify):
            return
        if self.form.dirty:
            self._ask_unsaved(self.detail.start_new)
            return
        self.detail.start_new()

    def action_save(self) -> None:
        if self.session.refuses_writes(self.notify):
            return
        focused = self.focused
        if focused is not None and self.form.editing:
            # ctrl+s is handled by the App the moment it arrives, ahead of keys still queued
            # for the field being edited: save once the field has taken them all.
            focused.call_later(self.detail.save)
            return
        self.detail.save()

    def confirm_leave(self, then: Callable[[], object]) -> None:
        """Run `then` now, or after the user saved or discarded unsaved edits."""
        if self.form.dirty:
            self._ask_unsaved(then)
        else:
            then()
