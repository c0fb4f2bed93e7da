"""The right pane: the selected service's title and status, its tabs (the form, the senders),
and saving the form. A save that lands says so with ServiceSaved; the screen updates the list
and then runs what the user asked for after saving."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static, TabbedContent, TabPane

from msgsvc_tui.api import errors
from msgsvc_tui.core import editing, fields
from msgsvc_tui.tui.messages import ServiceSaved
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.screens.modals import ConflictScreen
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import as_text, name_of, put
from msgsvc_tui.tui.textual_private import center_active_tab
from msgsvc_tui.tui.widgets.panes.base import ServicePane
from msgsvc_tui.tui.widgets.service_form import ServiceForm

if TYPE_CHECKING:
    from msgsvc_tui.ops.writes import Outcome

Json = dict[str, Any]
Then = Callable[[], object] | None


class DetailPane(ReportsWorkerErrors, Vertical):
    def __init__(self, session: Session, **kw: Any) -> None:
        super().__init__(**kw)
        self.session = session
        self._built: dict[str, ServicePane] = {}  # pane id -> the pane, once its tab opened
        self.latest: Json | None = None  # the service shown, as last read from the server

    def compose(self) -> ComposeResult:
        from msgsvc_tui.tui.tabs import TABS

        yield Static("", id="detail-title")
        yield Static("", id="detail-status")
        with TabbedContent(id="detail-tabs"):
            for tab in TABS:
                with TabPane(tab.label(), id=tab.id):
                    if not tab.pane_path:
                        yield ServiceForm(id="form", readonly=self.session.readonly)
                    # the other tabs' panes are built when first opened (_pane_of)

    def panes(self) -> list[ServicePane]:
        """The panes built so far (a tab never opened has none). Kept as they are built, not
        queried: this is asked for every service shown, and a query walks the whole form."""
        return list(self._built.values())

    def _pane_of(self, tab_id: str, *, build: bool = False) -> ServicePane | None:
        """The pane of a tab (None for Settings); `build`: make it if it is not there yet."""
        from msgsvc_tui.tui.tabs import BY_ID

        tab = BY_ID.get(tab_id)
        pane_class = tab.pane if tab is not None else None
        if tab is None or pane_class is None:
            return None
        found = self._built.get(tab.pane_id)
        if found is not None or not build:
            return found
        pane = pane_class(self.session, id=tab.pane_id)
        self.query_one(f"#{tab.id}", TabPane).mount(pane)
        self._built[tab.pane_id] = pane
        return pane

    @property
    def form(self) -> ServiceForm:
        return self.query_one(ServiceForm)

    # ---- what it shows --------------------------------------------------------------------
    def show(self, service: Json | None) -> None:
        """Show `service` (None: nothing selected, the pane hides)."""
        form = self.form
        if service is None:
            self.display = False
            form.service = None
            return
        self.display = True
        form.load(service)
        self.set_title(name_of(service))
        self.set_status("")
        self.follow(service)

    def follow(self, service: Json) -> None:
        """The tabs follow `service` as last read, the form left as it is (a write to a
        service being edited keeps the edits): the open tab loads again when what it shows
        is outdated by it (tabs are lazy: the others forget and load when opened)."""
        self.latest = service
        active = self._pane_of(self.query_one(TabbedContent).active)
        for pane in self.panes():
            if pane is active:
                pane.follow(service)
            else:
                pane.forget()

    def start_new(self) -> None:
        self.display = True
        self.form.load(None, creating=True)
        self.set_title("New service")
        self.set_status("Fill in at least the friendly name; ctrl+s creates it.")
        self.form.edit_field("friendly_name")  # n means "I am about to type a name"

    def set_title(self, text: str) -> None:
        put(self.query_one("#detail-title", Static), as_text(text, style="bold"))

    def set_status(self, text: str | Text, *, error: bool = False) -> None:
        widget = self.query_one("#detail-status", Static)
        put(widget, text)
        widget.set_class(error, "-error")
        widget.set_class(bool(str(text)), "-shown")

    def remote_change(self, updated: Json) -> None:
        """The service changed on the server by a write of ours elsewhere (a flip)."""
        form = self.form
        if form.service and form.service.get("sid") == updated["sid"] and not form.creating:
            if form.dirty:
                self.notify(
                    "Another of your commands wrote this service while this form holds "
                    "edits: the edits stay, and ctrl+s sends only what you changed",
                    severity="warning",
                )
                self.follow(updated)
            else:
                self.show(updated)

    def active_tab(self) -> str:
        return self.query_one(TabbedContent).active

    def show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab
        pane = self._pane_of(tab, build=True)
        if pane is not None:
            pane.take_focus()
        else:
            self.form.focus_field("friendly_name")

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.call_after_refresh(center_active_tab, event.tabbed_content)
        pane = self._pane_of(event.pane.id or "", build=True)
        current = self.form.service
        if current and self.latest and self.latest.get("sid") == current.get("sid"):
            current = self.latest  # as last read: the form may hold an older copy under edits
        if pane is not None and current and not self.form.creating:
            pane.follow(current)

    @on(ServiceForm.Edited)
    def _edited(self) -> None:
        """While the form holds edits, the status shows what ctrl+s would send, old → new."""
        if self.form.dirty:
            changes = self.form.change_lines()
            shown = changes[:3] + ([f"  … and {len(changes) - 3} more"] if len(changes) > 3 else [])
            status = Text("● modified — ctrl+s saves:", style="bold yellow")
            for line in shown:
                status.append("\n" + line)
            self.set_status(status)
        elif not self.form.creating:
            self.set_status("")

    # ---- save -----------------------------------------------------------------------------
    def save(self, then: Then = None) -> None:
        form = self.form
        if form.service is None and not form.creating:
            self.notify("Nothing to save: select a service or press n", timeout=3)
            return
        _, problems = form.validate_all()
        if problems:
            form.clear_errors()
            for p in problems:
                form.show_error(p.field_name, p.message)
            form.edit_invalid(problems[0].field_name)  # typing goes on in the field
            count = len(problems)
            first = f"{fields.get(problems[0].field_name).label}: {problems[0].message}"
            self.set_status(
                Text(
                    f"Not saved: {count} field{'s need' if count > 1 else ' needs'} attention"
                    f" — {first}",
                    style="bold red",
                ),
                error=True,
            )
            return
        self._save_worker(then)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def _save_worker(self, then: Then) -> None:
        form = self.form
        changes = form.pending_changes()
        try:
            if form.creating:
                await self._create(changes, then)
            else:
                await self._update(changes, then)
        except errors.ApiError as exc:
            self._show_api_error(exc)
        except fields.ValidationError as exc:
            for e in exc.errors:
                form.show_error(e.field_name, e.message)
            self.set_status(Text(f"Not saved: {exc}", style="bold red"), error=True)
        except errors.MsgsvcError as exc:
            self.set_status(
                Text(f"Not saved: {errors.describe(exc)}", style="bold red"), error=True
            )
            self.notify(errors.describe(exc), severity="error", title="Not saved")

    async def _create(self, changes: Json, then: Then) -> None:
        self.set_status("Creating…")
        created = _done(await self.session.writes.create_service(changes))
        self.form.creating = False
        self.show(created)
        self.notify(f"Created {name_of(created)} ({created['sid']})")
        self.post_message(ServiceSaved(created, then))

    async def _update(self, changes: Json, then: Then) -> None:
        client = self.session.client
        loaded = self.form.service or {}
        if not changes:
            self.notify("No changes to save", timeout=2)
            if then:
                then()
            return
        self.set_status("Checking for changes on the server…")
        current = await client.fetch_service(loaded["sid"])
        # a field already equal to the server's value is no change (a flip from the list
        # may have set it meanwhile): it is not sent, and journalled as nothing
        changes = {k: v for k, v in changes.items() if editing.changes(current, {k: v})}
        if not changes:
            self.show(current)
            self.set_status("Nothing to save: the server already has these values")
            self.post_message(ServiceSaved(current, then))
            return
        clashes = editing.conflicts(loaded, current, changes)
        if clashes:
            choice = await self.app.push_screen_wait(ConflictScreen(name_of(loaded), clashes))
            if choice == "reload":
                self.show(current)
                self.notify("Reloaded the server's version; your edits were dropped")
                self.post_message(ServiceSaved(current))
                return
            if choice != "overwrite":
                self.set_status(Text("● modified — not saved", style="bold yellow"))
                return
        self.set_status("Saving…")
        updated = _done(
            await self.session.writes.update_service(loaded["sid"], changes, current=current)
        )
        self.show(updated)
        self.notify(f"Saved {name_of(updated)}", timeout=3)
        self.post_message(ServiceSaved(updated, then))

    def _show_api_error(self, exc: errors.ApiError) -> None:
        form = self.form
        code = f"Twilio {exc.code}" if exc.code else f"HTTP {exc.status}"
        message = f"{exc.message} ({code})"
        if exc.field and exc.field in fields.BY_NAME:
            form.show_error(exc.field, message)
            form.edit_invalid(exc.field)
        status = Text(f"Not saved — {message}", style="bold red")
        if exc.more_info:
            status.append(f"\n{exc.more_info}", style="underline")
        self.set_status(status, error=True)


def _done(outcome: Outcome) -> Json:
    """The written service; a write that did not happen raises what stopped it (the save's
    handlers show a refused field at the field, anything else in the status line)."""
    if outcome.ok and outcome.result is not None:
        return outcome.result
    if isinstance(outcome.error, errors.ApiError | fields.ValidationError):
        raise outcome.error
    raise errors.MsgsvcError(outcome.words)
