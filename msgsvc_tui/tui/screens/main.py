"""The main screen: the services list beside the detail form.

Every network call runs in a worker; the screen only decides what to ask and how to show the
answer. Rules (what changed, what a conflict is, what a bulk flip sets) live in
`msgsvc_tui.editing` and `msgsvc_tui.listing`.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane

from msgsvc_tui import bulk, editing, fields, journal
from msgsvc_tui.api import errors
from msgsvc_tui.config import mask_sid
from msgsvc_tui.journal import apply_undo, plan_undo
from msgsvc_tui.journal import writable as _writable
from msgsvc_tui.listing import SORT_CYCLE, ServiceList, bulk_plan
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.screens.modals import ConfirmScreen, ConflictScreen, ReportScreen, UnsavedScreen
from msgsvc_tui.tui.text import as_text, name_of
from msgsvc_tui.tui.widgets.senders_pane import SendersPane
from msgsvc_tui.tui.widgets.service_form import ServiceForm
from msgsvc_tui.tui.widgets.service_table import ServiceTable, format_header

if TYPE_CHECKING:
    from msgsvc_tui.tui.app import MsgsvcApp

Json = dict[str, Any]
NARROW = 100  # below this many columns the panes stack


def _flag_bindings() -> list[BindingType]:
    return [
        Binding(
            f.flag_key or "",
            f"screen.flip('{f.name}')",
            f.label,
            id=f"flip-{f.name}",
            tooltip=f"Flip {f.label.lower()} on the selected (or marked) services",
            show=False,  # one letter per flag, listed under ? and in the list's header
        )
        for f in fields.FLAGS
    ]


def list_error_text(exc: errors.MsgsvcError) -> str:
    """Why the list is empty, and what to do about it."""
    if isinstance(exc, errors.AuthError):
        code = f" ({exc.code})" if exc.code else ""
        return f"Twilio refused these credentials{code} — p to switch profile"
    if isinstance(exc, errors.ConnectError):
        return f"{errors.describe(exc)} — r to retry, p to switch profile"
    if isinstance(exc, errors.TransportError):
        return f"No answer: {errors.describe(exc)} — r to retry"
    return f"The list did not load: {errors.describe(exc)} — r to retry"


class ListPane(Vertical):
    """Keys that act on the list; active while the list (or its filter) has focus."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space", "screen.mark", "Mark", id="mark", tooltip="Mark for bulk flips", show=False
        ),
        *_flag_bindings(),
        Binding("d", "screen.delete", "Delete", id="delete", tooltip="Delete after a confirm"),
        Binding(
            "y", "screen.copy_sid", "Copy SID", id="copy-sid", tooltip="Copy (OSC 52)", show=False
        ),
        Binding(
            "o",
            "screen.sort",
            "Sort",
            id="sort",
            tooltip="Cycle the order: " + " / ".join(k.value for k in SORT_CYCLE),
            show=False,
        ),
        Binding(
            "x",
            "screen.clear_marks",
            "Unmark all",
            id="clear-marks",
            tooltip="Clear every mark",
            show=False,
        ),
    ]


class MainScreen(ReportsWorkerErrors, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="save", tooltip="Save the form", priority=True),
        Binding("n", "new", "New", id="new", tooltip="Create a service"),
        Binding("slash", "filter", "Filter", id="filter", tooltip="Filter by name, SID, use case"),
        Binding("r", "refresh", "Refresh", id="refresh", tooltip="Reload the list", show=False),
        Binding("escape", "back", "Back", id="back", tooltip="Back to the list", show=False),
        Binding("u", "undo", "Undo", id="undo", tooltip="Undo the last write (asks first)"),
        Binding("J", "journal", "Journal", id="journal", tooltip="Recent writes", show=False),
        Binding(
            "1",
            "tab('tab-settings')",
            "Settings",
            id="tab-settings",
            tooltip="The form",
            show=False,
        ),
        Binding(
            "2",
            "tab('tab-senders')",
            "Senders",
            id="tab-senders",
            tooltip="Sender pool",
            show=False,
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model = ServiceList()
        # Not `loading`: on a Screen that is Textual's reactive for a cover over everything,
        # and a screen laid out under it was never laid out again (a blank list over a network).
        self.list_loading = False
        self.loaded_count = 0
        # (services on screen, list status) after each page of the latest load was painted:
        # lets a test see the first page shown before the rest, without racing the load.
        self.pages_painted: list[tuple[int, str]] = []
        self.list_error: str | None = None  # why the list could not load, until it can

    @property
    def msgsvc(self) -> MsgsvcApp:
        return self.app  # type: ignore[return-value]

    # ---- layout ---------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="panes"):
            with ListPane(id="list-pane"):
                yield Input(placeholder="/ filter by name, SID or use case", id="filter")
                yield Static(id="list-header")
                yield ServiceTable(self.model, id="services")
                yield Static("", id="list-status")
            with Vertical(id="detail-pane"):
                yield Static("", id="detail-title")
                yield Static("", id="detail-status")
                with TabbedContent(id="detail-tabs"):
                    with TabPane("Settings \\[1]", id="tab-settings"):
                        yield ServiceForm(id="form", readonly=self.msgsvc.readonly)
                    with TabPane("Senders \\[2]", id="tab-senders"):
                        yield SendersPane(id="senders")
        # compact: at 80 columns the footer must still show ? (help lists everything else)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._apply_width()
        self._render_topbar()
        self.query_one("#detail-pane").display = False
        self.query_one(ServiceTable).focus()
        self.load_services()

    def on_resize(self) -> None:
        self._apply_width()

    def on_screen_resume(self) -> None:
        # A pushed or resumed screen gets no Resize event (only the App does, when the
        # terminal changes), so the width class must be set here too, not left to a race.
        self._apply_width()

    def _apply_width(self) -> None:
        self.set_class(self.app.size.width < NARROW, "-narrow")

    def _render_topbar(self) -> None:
        app = self.msgsvc
        conn = app.connection
        bar = Text()
        bar.append(" msgsvc-tui ", style="bold")
        if app.is_sandbox:
            bar.append(" SANDBOX ", style="bold black on yellow")
            bar.append(" local emulator, demo data ")
        if conn is not None:
            who = conn.profile or conn.source
            bar.append(f" {who} ", style="bold")
            bar.append(f" {mask_sid(conn.account_sid)} ")
        if app.readonly:
            bar.append(" READ-ONLY ", style="bold white on dark_red")
        self.query_one("#topbar", Static).update(bar)

    @on(ServiceTable.ColumnsChanged)
    def _render_header(self, event: ServiceTable.ColumnsChanged) -> None:
        """The header follows the table's own columns, whenever its width settles.

        (Computed from the screen instead, it was wrong whenever the table had not been laid
        out yet, as when the first answer takes a network round trip.)
        """
        self.query_one("#list-header", Static).update(format_header(event.columns))

    def _set_list_status(self) -> None:
        total = len(self.model)
        shown = len(self.model.visible)
        parts = []
        if self.list_error and not self.list_loading:
            self.query_one("#list-status", Static).update(as_text(f"⚠ {self.list_error}"))
            return
        if self.list_loading:
            parts.append(f"loading… {total} so far (esc stops)")
        else:
            parts.append(f"{total} services")
        if self.model.filter_text:
            parts.append(f"{shown} match “{self.model.filter_text}”")
        if self.model.marked:
            parts.append(f"{len(self.model.marked)} marked")
        parts.append(f"sort: {self.model.sort.value}")
        self.query_one("#list-status", Static).update(" · ".join(parts))

    # ---- loading --------------------------------------------------------------------------
    @work(exclusive=True, group="list", exit_on_error=False)
    async def load_services(self) -> None:
        table = self.query_one(ServiceTable)
        keep = table.current["sid"] if table.current else None
        self.list_loading = True
        self._set_list_status()
        # A first load shows each page as it lands. A refresh updates rows in place and drops
        # only what the server no longer lists, so the cursor, the scroll and the marks stay.
        table.show_placeholder("Loading services…")
        seen: set[str] = set()
        finished = False
        self.pages_painted = []
        self.list_error = None
        try:
            pages_iter = self.msgsvc.client.iter_service_pages(
                self.msgsvc.config.preferences.page_size
            )
            # aclosing: a load stopped by esc or a profile switch cancels the page in flight
            async with contextlib.aclosing(pages_iter) as pages:
                async for page in pages:
                    self.model.extend(page.items)
                    seen.update(s["sid"] for s in page.items)
                    table.refresh_rows(keep_sid=keep)
                    self._set_list_status()
                    status = str(self.query_one("#list-status", Static).render())
                    self.pages_painted.append((len(self.model), status))
            finished = True
        except errors.MsgsvcError as exc:
            # A state that stays until it is fixed, in the list itself: not "0 services"
            # and a toast that fades.
            self.list_error = list_error_text(exc)
        finally:
            self.list_loading = False
            empty = "No services yet" + ("" if self.msgsvc.readonly else ": n creates one")
            table.show_placeholder(self.list_error or (empty if finished else ""))
            table.set_class(self.list_error is not None, "-error")
            if finished:
                table.unknown.clear()  # what the server lists now is the truth
                self.model.retain(seen)
                table.refresh_rows(keep_sid=keep)
            self._set_list_status()
        if table.current is not None and not self.query_one(ServiceForm).dirty:
            self._show_service(table.current)

    # ---- selection and the form -----------------------------------------------------------
    @on(ServiceTable.Highlighted)
    def _highlighted(self, event: ServiceTable.Highlighted) -> None:
        """The form follows the cursor, unless it holds edits: then the cursor goes back to
        the form's service at once (list and form never disagree, so y and d act on what
        the form shows) and a question decides. Reads the cursor now, not the event's row:
        a burst of keys leaves a queue of stale events."""
        if self.app.screen is not self:
            return  # a question is open: its answer decides where the list goes
        form = self.query_one(ServiceForm)
        target = self.query_one(ServiceTable).current
        showing = form.service["sid"] if form.service else None
        if target is not None and target.get("sid") == showing and not form.creating:
            return
        if form.dirty:
            self._hold_cursor()
            self._ask_unsaved(lambda: self._go_to(target))
            return
        self._show_service(target)

    def _hold_cursor(self) -> None:
        form = self.query_one(ServiceForm)
        row = self.model.row_of(form.service["sid"]) if form.service else None
        if row is not None:
            self.query_one(ServiceTable).cursor = row  # its event finds the form there: a no-op

    def _go_to(self, service: Json | None) -> None:
        """Show `service` in the form, then put the cursor on it."""
        if service is None:
            self._show_service(None)
            return
        current = self.model.get(service["sid"])
        row = self.model.row_of(service["sid"])
        if current is None or row is None:
            return
        self._show_service(current)
        self.query_one(ServiceTable).cursor = row

    @on(ServiceTable.Selected)
    def _selected(self, event: ServiceTable.Selected) -> None:
        self.query_one("#detail-pane").display = True
        self.query_one(ServiceForm).focus_field("friendly_name")

    def _show_service(self, service: Json | None) -> None:
        form = self.query_one(ServiceForm)
        pane = self.query_one("#detail-pane")
        if service is None:
            pane.display = False
            form.service = None
            return
        pane.display = True
        form.load(service)
        self._title(name_of(service))
        self._status("")
        senders_pane = self.query_one(SendersPane)
        if self.query_one(TabbedContent).active == "tab-senders":
            if (senders_pane.service or {}).get("sid") != service["sid"]:
                senders_pane.show(service)
        else:
            senders_pane.service = None  # loaded when its tab opens

    def _title(self, text: str) -> None:
        self.query_one("#detail-title", Static).update(as_text(text, style="bold"))

    def _status(self, text: str | Text, *, error: bool = False) -> None:
        widget = self.query_one("#detail-status", Static)
        widget.update(as_text(text))
        widget.set_class(error, "-error")
        widget.set_class(bool(str(text)), "-shown")

    def on_descendant_focus(self) -> None:
        focused = self.focused
        editing_now = focused is not None and any(
            node.id == "detail-pane" for node in focused.ancestors_with_self
        )
        self.set_class(editing_now, "-editing")

    def _ask_unsaved(self, then: Any) -> None:
        form = self.query_one(ServiceForm)
        name = name_of(form.service) if form.service else "The new service"

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.save(then=then)
            elif choice == "discard":
                form.creating = False
                if form.service:
                    form.load(form.service)
                self._status("")
                then()

        self.app.push_screen(UnsavedScreen(name, form.change_lines()), answered)

    @on(ServiceForm.Edited)
    def _edited(self) -> None:
        form = self.query_one(ServiceForm)
        if form.dirty:
            self._status(Text("● modified — ctrl+s saves", style="bold yellow"))
        elif not form.creating:
            self._status("")

    # ---- actions --------------------------------------------------------------------------
    def _record(
        self,
        action: str,
        service: Json,
        *,
        before: Json | None,
        after: Json | None,
        batch: str | None = None,
    ) -> None:
        journal = self.msgsvc.journal
        if journal is not None:
            journal.record(action, service, before=before, after=after, batch=batch)

    # ---- undo and the journal ---------------------------------------------------------------
    def action_undo(self) -> None:
        if self.msgsvc.refuse_if_readonly():
            return
        self._undo_worker()

    @work(exclusive=True, group="undo", exit_on_error=False)
    async def _undo_worker(self) -> None:
        journal = self.msgsvc.journal
        client = self.msgsvc.client
        entries = journal.last_undoable(client.account_sid) if journal else []
        if not entries:
            self.notify("Nothing to undo: no write of this session is left", timeout=4)
            return
        self.notify("Checking the server before undoing…", timeout=2)
        plan = await plan_undo(client, entries)
        lines = [f"  {s.what}" for s in plan.doable]
        lines += [f"  ✗ cannot: {s.entry.label}: {s.refusal}" for s in plan.refused]
        if not plan.doable:
            self.notify("\n".join(["Undo refused:", *lines]), severity="warning", timeout=10)
            return
        body = "\n".join(["This will:", *lines])
        if not await self.app.push_screen_wait(ConfirmScreen("Undo", body, yes="Undo")):
            return
        done = await apply_undo(client, journal, plan)  # type: ignore[arg-type]
        self.notify("\n".join(done), title="Undo", timeout=6)
        self.load_services()

    def action_journal(self) -> None:
        from msgsvc_tui.tui.screens.journal import JournalScreen

        self.app.push_screen(JournalScreen(self.msgsvc.journal))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In --readonly the write keys stay live so that each can say why it does nothing.
        return True

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one(TabbedContent)
        tabs.active = tab
        if tab == "tab-senders":
            self.query_one("#senders-table").focus()
        else:
            self.query_one(ServiceForm).focus_field("friendly_name")

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "tab-senders":
            current = self.query_one(ServiceForm).service
            pane = self.query_one(SendersPane)
            if current and (pane.service or {}).get("sid") != current["sid"]:
                pane.show(current)

    def action_back(self) -> None:
        form = self.query_one(ServiceForm)
        if form.editing:  # the first esc stops editing; the next goes back to the list
            form.stop_editing()
            return
        if self.list_loading and self.query_one(ServiceTable).has_focus:
            self.workers.cancel_group(self, "list")  # its `finally` resets the list state
            self.notify(f"Loading stopped at {len(self.model)} services; r loads again")
            return
        filt = self.query_one("#filter", Input)
        if filt.has_focus and filt.value:
            filt.value = ""
        self.query_one(ServiceTable).focus()

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        table = self.query_one(ServiceTable)
        keep = table.current["sid"] if table.current else None
        self.model.set_filter(event.value)
        table.refresh_rows(keep_sid=keep)
        self._set_list_status()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(ServiceTable).focus()

    def action_refresh(self) -> None:
        self.load_services()

    def action_sort(self) -> None:
        table = self.query_one(ServiceTable)
        keep = table.current["sid"] if table.current else None
        key = self.model.cycle_sort()
        table.refresh_rows(keep_sid=keep)
        self._set_list_status()
        self.notify(f"Sorted by {key.value}", timeout=2)

    def action_mark(self) -> None:
        table = self.query_one(ServiceTable)
        if table.current is None:
            return
        self.model.toggle_mark(table.current["sid"])
        table.cursor += 1
        table.refresh()
        self._set_list_status()

    def action_clear_marks(self) -> None:
        self.model.marked.clear()
        self.query_one(ServiceTable).refresh()
        self._set_list_status()

    def action_copy_sid(self) -> None:
        service = self.query_one(ServiceTable).current
        if service is None:
            return
        self.app.copy_to_clipboard(service["sid"])
        self.notify(f"Copied {service['sid']}", timeout=3)

    def action_new(self) -> None:
        if self.msgsvc.refuse_if_readonly():
            return
        form = self.query_one(ServiceForm)
        if form.dirty:
            self._ask_unsaved(self._start_new)
            return
        self._start_new()

    def _start_new(self) -> None:
        form = self.query_one(ServiceForm)
        self.query_one("#detail-pane").display = True
        form.load(None, creating=True)
        self._title("New service")
        self._status("Fill in at least the friendly name; ctrl+s creates it.")
        form.edit_field("friendly_name")  # n means "I am about to type a name"

    # ---- save -----------------------------------------------------------------------------
    def action_save(self) -> None:
        if self.msgsvc.refuse_if_readonly():
            return
        focused = self.focused
        if focused is not None and self.query_one(ServiceForm).editing:
            # ctrl+s is handled by the App the moment it arrives, ahead of keys still queued
            # for the field being edited: save once the field has taken them all.
            focused.call_later(self.save)
            return
        self.save()

    def save(self, then: Any = None) -> None:
        form = self.query_one(ServiceForm)
        if form.service is None and not form.creating:
            self.notify("Nothing to save: select a service or press n", timeout=3)
            return
        _, problems = form.validate_all()
        if problems:
            form.clear_errors()
            for p in problems:
                form.show_error(p.field_name, p.message)
            form.focus_field(problems[0].field_name)
            count = len(problems)
            self._status(
                Text(
                    f"Not saved: {count} field{'s' if count > 1 else ''} need attention — "
                    f"{fields.get(problems[0].field_name).label}: {problems[0].message}",
                    style="bold red",
                ),
                error=True,
            )
            return
        self._save_worker(then)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _save_worker(self, then: Any) -> None:
        form = self.query_one(ServiceForm)
        client = self.msgsvc.client
        changes = form.pending_changes()
        try:
            if form.creating:
                self._status("Creating…")
                created = await client.create_service(changes)
                self._record(journal.CREATE, created, before=None, after=_writable(created))
                self.model.upsert(created)
                table = self.query_one(ServiceTable)
                table.refresh_rows(keep_sid=created["sid"])
                form.creating = False
                self._show_service(created)
                self._set_list_status()
                self.notify(f"Created {name_of(created)} ({created['sid']})")
            else:
                loaded = form.service or {}
                if not changes:
                    self.notify("No changes to save", timeout=2)
                    if then:
                        then()
                    return
                self._status("Checking for changes on the server…")
                current = await client.fetch_service(loaded["sid"])
                clashes = editing.conflicts(loaded, current, changes)
                if clashes:
                    choice = await self.app.push_screen_wait(
                        ConflictScreen(name_of(loaded), clashes)
                    )
                    if choice == "reload":
                        self.model.upsert(current)
                        self.query_one(ServiceTable).refresh()
                        self._show_service(current)
                        self.notify("Reloaded the server's version; your edits were dropped")
                        return
                    if choice != "overwrite":
                        self._status(Text("● modified — not saved", style="bold yellow"))
                        return
                self._status("Saving…")
                updated = await client.update_service(loaded["sid"], changes)
                self._record(
                    journal.UPDATE,
                    updated,
                    before={n: current.get(n) for n in changes},
                    after={n: updated.get(n) for n in changes},
                )
                self.model.upsert(updated)
                table = self.query_one(ServiceTable)
                # keep the cursor where the user is (they may have moved on while saving)
                table.refresh_rows(keep_sid=table.current["sid"] if table.current else None)
                self._show_service(updated)
                self.notify(f"Saved {name_of(updated)}", timeout=3)
        except errors.ApiError as exc:
            self._show_api_error(exc)
            return
        except fields.ValidationError as exc:
            for e in exc.errors:
                form.show_error(e.field_name, e.message)
            self._status(Text(f"Not saved: {exc}", style="bold red"), error=True)
            return
        except errors.MsgsvcError as exc:
            self._status(Text(f"Not saved: {errors.describe(exc)}", style="bold red"), error=True)
            self.notify(errors.describe(exc), severity="error", title="Not saved")
            return
        if then:
            then()

    def _show_api_error(self, exc: errors.ApiError) -> None:
        form = self.query_one(ServiceForm)
        code = f"Twilio {exc.code}" if exc.code else f"HTTP {exc.status}"
        message = f"{exc.message} ({code})"
        if exc.field and exc.field in fields.BY_NAME:
            form.show_error(exc.field, message)
            form.focus_field(exc.field)
        status = Text(f"Not saved — {message}", style="bold red")
        if exc.more_info:
            status.append(f"\n{exc.more_info}", style="underline")
        self._status(status, error=True)

    # ---- delete ---------------------------------------------------------------------------
    def action_delete(self) -> None:
        if self.msgsvc.refuse_if_readonly():
            return
        service = self.query_one(ServiceTable).current
        if service is None:
            return
        name = name_of(service)
        body = (
            f"Delete the Messaging Service “{name}” ({service['sid']})?\n\n"
            "Its phone numbers and short codes return to the account; its alpha sender ID is "
            "removed. This cannot be undone."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete_worker(service)

        if not self.msgsvc.config.preferences.confirm_delete:
            answered(True)
            return
        self.app.push_screen(
            ConfirmScreen("Delete service", body, yes="Delete", danger=True), answered
        )

    @work(group="delete", exit_on_error=False)
    async def _delete_worker(self, service: Json) -> None:
        try:
            await self.msgsvc.client.delete_service(service["sid"])
        except errors.MsgsvcError as exc:
            self.notify(errors.describe(exc), severity="error", title="Not deleted")
            return
        self._record(journal.DELETE, service, before=_writable(service), after=None)
        table = self.query_one(ServiceTable)
        row = table.cursor
        self.model.remove(service["sid"])
        table.refresh_rows()
        table.cursor = min(row, max(len(self.model.visible) - 1, 0))
        form = self.query_one(ServiceForm)
        if form.service and form.service.get("sid") == service["sid"]:
            self._show_service(table.current)
        self._set_list_status()
        self.notify(f"Deleted {name_of(service)}")

    # ---- fast flags -----------------------------------------------------------------------
    def action_flip(self, flag: str) -> None:
        if self.msgsvc.refuse_if_readonly():
            return
        f = fields.get(flag)
        if self.model.marked:
            marked = self.model.marked_services()
            value, targets, already = bulk_plan(marked, flag)
            word = "ON" if value else "OFF"
            body = f"Turn {f.label} {word} for {len(targets)} of {len(marked)} marked"
            if already:
                body += f"; {len(already)} {'is' if len(already) == 1 else 'are'} already {word}"
            body += "?\n\n" + "\n".join(f"  {name_of(s)}" for s in targets[:12])
            if len(targets) > 12:
                body += f"\n  … and {len(targets) - 12} more"

            def answered(yes: bool | None) -> None:
                if yes:
                    self._bulk_worker(flag, value, targets)

            self.app.push_screen(ConfirmScreen(f"{f.label} {word}", body), answered)
            return
        service = self.query_one(ServiceTable).current
        if service is None:
            return
        self._flip_worker(service["sid"], flag)

    @work(group="flip", exit_on_error=False)
    async def _flip_worker(self, sid: str, flag: str) -> None:
        original = self.model.get(sid)
        if original is None:
            return
        value = not bool(original.get(flag))
        label = fields.get(flag).label
        table = self.query_one(ServiceTable)
        self.model.upsert({**original, flag: value})
        table.pending.setdefault(sid, set()).add(flag)
        table.unknown.get(sid, set()).discard(flag)
        table.refresh()
        client = self.msgsvc.client
        settled = len(client.reconciliations)
        try:
            updated = await client.update_service(sid, {flag: value})
        except errors.OutcomeUnknownError as exc:
            # Neither rolled back nor kept: the server could not say. The row shows "?"
            # until a refresh (or the next flip) learns the truth.
            table.unknown.setdefault(sid, set()).add(flag)
            self.notify(
                f"{label} on {name_of(original)}: {errors.describe(exc)} Press r to refresh.",
                severity="warning",
                title="Outcome unknown",
                timeout=10,
            )
            return
        except (errors.MsgsvcError, fields.ValidationError) as exc:
            current = self.model.get(sid) or original
            self.model.upsert({**current, flag: original.get(flag)})  # roll back: it failed
            self.notify(
                f"{label} not changed on {name_of(original)}: {errors.describe(exc)}",
                severity="error",
                title="Flag not saved",
            )
            return
        finally:
            table.pending.get(sid, set()).discard(flag)
            table.refresh()
        self._record(
            journal.UPDATE, updated, before={flag: original.get(flag)}, after={flag: value}
        )
        self.model.upsert(updated)
        table.refresh()
        self._after_remote_change(updated)
        confirmed = (
            " (confirmed after a lost answer)" if len(client.reconciliations) > settled else ""
        )
        self.notify(
            f"{label} {'on' if value else 'off'} · {name_of(updated)}{confirmed}", timeout=2
        )

    def _after_remote_change(self, updated: Json) -> None:
        form = self.query_one(ServiceForm)
        if form.service and form.service.get("sid") == updated["sid"] and not form.creating:
            if form.dirty:
                self.notify(
                    "This service changed while you edit it; saving will show what differs",
                    severity="warning",
                )
            else:
                self._show_service(updated)

    @work(group="bulk", exit_on_error=False)
    async def _bulk_worker(self, flag: str, value: bool, targets: list[Json]) -> None:
        label = fields.get(flag).label
        table = self.query_one(ServiceTable)
        status = self.query_one("#list-status", Static)
        names = {s["sid"]: name_of(s) for s in targets}
        before = {s["sid"]: s.get(flag) for s in targets}
        batch = self.msgsvc.journal.new_batch() if self.msgsvc.journal else None
        done = 0

        def started(sid: str) -> None:
            table.pending.setdefault(sid, set()).add(flag)
            table.refresh()

        def finished(outcome: bulk.Outcome) -> None:
            nonlocal done
            done += 1
            table.pending.get(outcome.sid, set()).discard(flag)
            if outcome.updated is not None:
                self._record(
                    journal.UPDATE,
                    outcome.updated,
                    before={flag: before[outcome.sid]},
                    after={flag: value},
                    batch=batch,
                )
                self.model.upsert(outcome.updated)
                self._after_remote_change(outcome.updated)
            status.update(f"{label}: {done}/{len(targets)} done")
            table.refresh()

        outcomes = await bulk.update_many(
            self.msgsvc.client,
            [s["sid"] for s in targets],
            {flag: value},
            concurrency=self.msgsvc.config.preferences.bulk_concurrency,
            on_start=started,
            on_done=finished,
        )
        failed = [o for o in outcomes if not o.ok]
        lines = [
            f"{'✓' if o.ok else '✗'} {names[o.sid]} ({o.sid})"
            + ("" if o.ok else f"\n    {errors.describe(o.error)}")  # type: ignore[arg-type]
            for o in outcomes
        ]
        word = "on" if value else "off"
        title = f"{label} {word}: {len(outcomes) - len(failed)} updated, {len(failed)} failed"
        self._set_list_status()
        if failed:
            self.app.push_screen(ReportScreen(title, lines))
        else:
            self.notify(title, timeout=4)

    # ---- quitting -------------------------------------------------------------------------
    def confirm_leave(self, then: Any) -> None:
        """Run `then` now, or after the user saved or discarded unsaved edits."""
        if self.query_one(ServiceForm).dirty:
            self._ask_unsaved(then)
        else:
            then()
