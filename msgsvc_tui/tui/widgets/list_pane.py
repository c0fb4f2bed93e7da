"""The left pane: the services list, its filter and status, and every write made from it
(flag flips, bulk flips, delete). What a write changes for the form, it says with a message
(ServiceWritten, ServiceRemoved); the screen routes it."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Input

from msgsvc_tui.api import errors
from msgsvc_tui.core import fields, files
from msgsvc_tui.core.listing import SORT_CYCLE, ServiceList, bulk_plan
from msgsvc_tui.ops import ascode, bulk
from msgsvc_tui.tui.keymode import focus_now
from msgsvc_tui.tui.messages import ListLoaded, ServiceRemoved, ServiceWritten
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.screens.modals import ReportScreen, confirm_then
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import name_of
from msgsvc_tui.tui.textual_private import TextInput
from msgsvc_tui.tui.widgets.keybar import KeyBar
from msgsvc_tui.tui.widgets.list_status import ListState, ListStatus
from msgsvc_tui.tui.widgets.service_table import ListHeader, ServiceTable

Json = dict[str, Any]


def _flag_bindings() -> list[BindingType]:
    return [
        Binding(
            f.flag_key or "",
            f"flip('{f.name}')",
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


class FilterBox(TextInput):
    key_place = "filter"  # what the mode indicator names while typing here


class ListPane(ReportsWorkerErrors, Vertical):
    """Keys that act on the list; active while the list (or its filter) has focus."""

    list_state: reactive[ListState] = reactive(ListState)  # the status line's (data_bind)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "mark",
            "Mark",
            id="mark",
            tooltip="Mark (or unmark) for bulk flips and export, then move down one row",
            show=False,
        ),
        *_flag_bindings(),
        Binding("d", "delete", "Delete", id="delete", tooltip="Delete after a confirm"),
        Binding("y", "copy_sid", "Copy SID", id="copy-sid", tooltip="Copy (OSC 52)", show=False),
        Binding(
            "o",
            "sort",
            "Sort",
            id="sort",
            tooltip="Cycle the order: " + " / ".join(k.value for k in SORT_CYCLE),
            show=False,
        ),
        Binding(
            "X",
            "export_marked",
            "Export",
            id="export-marked",
            tooltip="Write the marked services (or the selected one) to a TOML file: asks where",
            show=False,
        ),
        Binding(
            "H",
            "check_health",
            "Check health",
            id="check-health",
            tooltip="Run the doctor on the marked services (or every listed one): the H column",
            show=False,
        ),
        Binding(
            "x",
            "clear_marks",
            "Unmark all",
            id="clear-marks",
            tooltip="Clear every mark",
            show=False,
        ),
    ]

    key_place = "list"

    def __init__(self, session: Session, model: ServiceList, **kw: Any) -> None:
        super().__init__(**kw)
        self.session = session
        self.model = model
        # Not `loading`: that is Textual's reactive for a cover over a widget.
        self.list_loading = False
        # Why the latest load failed, shown in the list and its status line until a load works.
        self.list_error: str | None = None
        self.filtered_from: str | None = None  # the service the cursor was on as a filter began
        self.filter_placed: str | None = None  # where the filter's last change put the cursor

    def compose(self) -> ComposeResult:
        yield FilterBox(placeholder="/ filter by name, SID or use case", id="filter")
        table = ServiceTable(self.model, id="services")
        yield ListHeader(table, id="list-header")
        yield table
        yield ListStatus(id="list-status").data_bind(state=ListPane.list_state)

    @property
    def table(self) -> ServiceTable:
        return self.query_one(ServiceTable)

    def show_status(self) -> None:
        """The status line from the model's state (its fields write the text)."""
        self.list_state = replace(
            self.list_state,
            total=len(self.model),
            shown=len(self.model.visible),
            loading=self.list_loading,
            filter_text=self.model.filter_text,
            marked=len(self.model.marked),
            sort=self.model.sort.value,
            error=self.list_error,
        )
        for bar in self.screen.query_children(KeyBar):  # the marks count shows there too
            bar.refresh_keys()

    def upsert(self, service: Json, *, select: bool = False) -> None:
        """A service as the server now has it; `select` puts the cursor on it."""
        self.model.upsert(service)
        table = self.table
        keep = service["sid"] if select else (table.current or {}).get("sid")
        table.refresh_rows(keep_sid=keep)
        self.show_status()

    @on(ServiceTable.ColumnsChanged)
    def _render_header(self, event: ServiceTable.ColumnsChanged) -> None:
        """The header follows the table's own columns, whenever its width settles."""
        self.query_one(ListHeader).refresh()

    # ---- the doctor over many services ----------------------------------------------------
    def action_check_health(self) -> None:
        marked = [self.model.get(sid) for sid in self.model.marked]
        targets = [s for s in marked if s] or [
            s for i in range(len(self.model.visible)) if (s := self.model.visible_service(i))
        ]
        if targets:
            self._health_worker(targets)

    @work(exclusive=True, group="health", exit_on_error=False)
    async def _health_worker(self, targets: list[Json]) -> None:
        """Read-only: it writes nothing, so it needs no confirm, and --readonly allows it."""
        from msgsvc_tui.ops import doctor

        table = self.table
        done = 0

        def progress(text: str | None) -> None:
            self.list_state = replace(self.list_state, progress=text)

        def finished(report: doctor.Report) -> None:
            nonlocal done
            done += 1
            table.set_health(report.sid, report.health)
            progress(f"Health: {done}/{len(targets)} checked")

        progress(f"Health: 0/{len(targets)} checked")
        try:
            account = await doctor.read_account(self.session.client)
            self.session.cache[doctor.ACCOUNT_CACHE] = account
            reports = await doctor.examine(
                self.session.client,
                targets,
                concurrency=self.session.config.preferences.bulk_concurrency,
                account=account,
                on_done=finished,
            )
        except errors.MsgsvcError as exc:
            self.notify(f"Health check stopped: {errors.describe(exc)}", severity="error")
            return
        finally:
            progress(None)
        by = {h: sum(1 for r in reports if r.health == h) for h in ("error", "warning", "failed")}
        text = f"Health: {len(reports)} checked · {by['error']} with errors · "
        text += f"{by['warning']} with warnings"
        if by["failed"]:
            text += f" · {by['failed']} could not be checked"
        self.notify(text, timeout=6)

    # ---- loading --------------------------------------------------------------------------
    def cancel_load(self) -> None:
        self.workers.cancel_group(self, "list")  # the load's `finally` resets the state

    @work(exclusive=True, group="list", exit_on_error=False)
    async def load(self) -> None:
        table = self.table
        keep = table.current["sid"] if table.current else None
        self.list_loading = True
        self.show_status()
        # A first load shows each page as it lands. A refresh updates rows in place and drops
        # only what the server no longer lists, so the cursor, the scroll and the marks stay.
        table.show_placeholder("Loading services…")
        seen: set[str] = set()
        finished = False
        self.list_error = None
        try:
            pages_iter = self.session.client.iter_service_pages(
                self.session.config.preferences.page_size
            )
            # aclosing: a load stopped by esc or a profile switch cancels the page in flight
            async with contextlib.aclosing(pages_iter) as pages:
                async for page in pages:
                    self.model.extend(page.items)
                    seen.update(s["sid"] for s in page.items)
                    table.refresh_rows(keep_sid=keep)
                    self.show_status()
            finished = True
        except errors.MsgsvcError as exc:
            # A state that stays until it is fixed, in the list itself: not "0 services"
            # and a toast that fades.
            self.list_error = list_error_text(exc)
        finally:
            self.list_loading = False
            empty = "No services yet" + ("" if self.session.readonly else ": n creates one")
            table.show_placeholder(self.list_error or (empty if finished else ""))
            table.set_class(self.list_error is not None, "-error")
            if finished:
                table.unknown.clear()  # what the server lists now is the truth
                self.model.retain(seen)
                table.refresh_rows(keep_sid=keep)
            self.show_status()
        self.post_message(ListLoaded())

    # ---- filter, sort, marks --------------------------------------------------------------
    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> None:
        if text == self.model.filter_text:
            return
        table = self.table
        current = table.current["sid"] if table.current else None
        if not self.model.filter_text:  # a filter begins
            self.filtered_from = self.filter_placed = current
        # The cursor goes back to the service it was on when the filter began (or the one
        # the user then chose among the matches) whenever that one is among the matches
        # again: the filter cleared, a letter taken back. A filter that matched nothing, or
        # matched another service on its way, sent it to the first row, where a key would
        # act on a service nobody chose.
        if current is not None and current != self.filter_placed:
            self.filtered_from = current  # chosen among the matches: the place to keep now
        self.model.set_filter(text)
        table.refresh_rows(keep_sid=self.filtered_from)
        self.filter_placed = table.current["sid"] if table.current else None
        self.show_status()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        focus_now(self.table)

    def action_sort(self) -> None:
        table = self.table
        keep = table.current["sid"] if table.current else None
        key = self.model.cycle_sort()
        table.refresh_rows(keep_sid=keep)
        self.show_status()
        self.notify(f"Sorted by {key.value}", timeout=2)

    def action_mark(self) -> None:
        table = self.table
        if table.current is None:
            return
        self.model.toggle_mark(table.current["sid"])
        table.cursor += 1
        table.refresh()
        self.show_status()

    def action_clear_marks(self) -> None:
        self.model.marked.clear()
        self.table.refresh()
        self.show_status()

    def action_copy_sid(self) -> None:
        service = self.table.current
        if service is None:
            return
        self.app.copy_to_clipboard(service["sid"])
        self.notify(f"Copied {service['sid']}", timeout=3)

    def action_export_marked(self) -> None:
        """Asks where first (prefilled with a stamped name in the current folder); an
        existing file is replaced only after a confirm."""
        from msgsvc_tui.tui.screens.export_path import Choice, ExportPathScreen

        current = self.table.current
        chosen = self.model.marked_services() or ([current] if current else [])
        if not chosen:
            return
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        default = Path.cwd() / f"msgsvc-services-{stamp}.toml"
        what = f"{len(chosen)} service{'s' * (len(chosen) != 1)}"

        def answered(choice: Choice | None) -> None:
            if choice is not None:
                self._export_worker(chosen, *choice)

        self.app.push_screen(ExportPathScreen(what, default), answered)

    @work(group="export", exit_on_error=False)
    async def _export_worker(self, services: list[Json], path: Path, replace: bool) -> None:
        """As `services export` does (same file format), where the user said."""
        document = ascode.export_services(services, account=self.session.client.account_sid)
        try:
            files.atomic_write(path, ascode.render(document, "toml"), replace=replace)
        except files.FileRefusedError as exc:
            self.notify(f"not written: {exc}", severity="error", markup=False)
            return
        self.notify(
            f"Exported {len(services)} service{'s' * (len(services) != 1)} to {path}\n"
            f"apply elsewhere with: msgsvc-tui services apply {path.name}",
            timeout=8,
        )

    # ---- delete ---------------------------------------------------------------------------
    def action_delete(self) -> None:
        if self.session.refuses_writes(self.notify):
            return
        service = self.table.current
        if service is None:
            return
        body = (
            f"Delete the Messaging Service “{name_of(service)}” ({service['sid']})?\n\n"
            "Its phone numbers and short codes return to the account; its alpha sender ID is "
            "removed. u undoes it (a new SID; the senders stay with the account)."
        )
        marked = len(self.model.marked)
        if marked:
            # marks choose what a flip or an export acts on; a delete takes one service, the
            # one under the cursor, and says so, asked even where deletes are not asked
            many = f"{marked} marked services stay" if marked > 1 else "the marked service stays"
            body += f"\n\nThis one only: the {many} (d deletes one service at a time)."
        if not self.session.config.preferences.confirm_delete and not marked:
            self._delete_worker(service)
            return
        confirm_then(
            self,
            "Delete service",
            body,
            lambda: self._delete_worker(service),
            yes="Delete",
            danger=True,
        )

    @work(group="delete", exit_on_error=False)
    async def _delete_worker(self, service: Json) -> None:
        outcome = await self.session.writes.delete_service(service["sid"], service=service)
        if not outcome.ok:
            self.notify(outcome.words, severity="error", title="Not deleted")
            return
        table = self.table
        row = table.cursor
        self.model.remove(service["sid"])
        table.refresh_rows()
        table.cursor = min(row, max(len(self.model.visible) - 1, 0))
        self.show_status()
        self.post_message(ServiceRemoved(service["sid"]))
        self.notify(f"Deleted {name_of(service)}")

    # ---- fast flags -----------------------------------------------------------------------
    def action_flip(self, flag: str) -> None:
        if self.session.refuses_writes(self.notify):
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
            confirm_then(
                self, f"{f.label} {word}", body, lambda: self._bulk_worker(flag, value, targets)
            )
            return
        service = self.table.current
        if service is not None:
            self._flip_worker(service["sid"], flag)

    @work(group="flip", exit_on_error=False)
    async def _flip_worker(self, sid: str, flag: str) -> None:
        original = self.model.get(sid)
        if original is None:
            return
        value = not bool(original.get(flag))
        label = fields.get(flag).label
        table = self.table
        self.model.upsert({**original, flag: value})
        table.mark_pending(sid, flag)
        try:
            outcome = await self.session.writes.update_service(sid, {flag: value}, current=original)
        finally:
            table.settle(sid, flag)
        if outcome.status == "unknown":
            # Neither rolled back nor kept: the server could not say. The row shows "?"
            # until a refresh (or the next flip) learns the truth.
            table.mark_unknown(sid, flag)
            self.notify(
                f"{label} on {name_of(original)}: {outcome.words} Press r to refresh.",
                severity="warning",
                title="Outcome unknown",
                timeout=10,
            )
            return
        updated = outcome.result
        if not outcome.ok or updated is None:
            current = self.model.get(sid) or original
            self.model.upsert({**current, flag: original.get(flag)})  # roll back: it failed
            self.notify(
                f"{label} not changed on {name_of(original)}: {outcome.words}",
                severity="error",
                title="Flag not saved",
            )
            return
        self.model.upsert(updated)
        table.refresh()
        self.post_message(ServiceWritten(updated))
        lost = any(n.startswith("confirmed after a lost answer") for n in outcome.notes)
        confirmed = " (confirmed after a lost answer)" if lost else ""
        word = "on" if value else "off"
        self.notify(f"{label} {word} · {name_of(updated)}{confirmed}", timeout=2)

    @work(group="bulk", exit_on_error=False)
    async def _bulk_worker(self, flag: str, value: bool, targets: list[Json]) -> None:
        label = fields.get(flag).label
        table = self.table
        names = {s["sid"]: name_of(s) for s in targets}
        done = 0

        def started(sid: str) -> None:
            table.mark_pending(sid, flag)

        def finished(outcome: bulk.Outcome) -> None:
            nonlocal done
            done += 1
            table.settle(outcome.sid, flag)
            if outcome.updated is not None:
                self.model.upsert(outcome.updated)
                self.post_message(ServiceWritten(outcome.updated))
            self.list_state = replace(
                self.list_state, progress=f"{label}: {done}/{len(targets)} done"
            )

        try:
            outcomes = await bulk.update_many(
                self.session.writes,
                targets,
                {flag: value},
                concurrency=self.session.config.preferences.bulk_concurrency,
                on_start=started,
                on_done=finished,
            )
        finally:
            self.list_state = replace(self.list_state, progress=None)
        # the marks were for this action: kept, a later flip would hit them again unseen
        self.model.marked.clear()
        table.refresh()
        failed = [o for o in outcomes if not o.ok]
        lines = [
            f"{'✓' if o.ok else '✗'} {names[o.sid]} ({o.sid})"
            + (f"\n    {o.words}" if not o.ok else "")
            for o in outcomes
        ]
        word = "on" if value else "off"
        title = f"{label} {word}: {len(outcomes) - len(failed)} updated, {len(failed)} failed"
        self.show_status()
        if failed:
            self.app.push_screen(ReportScreen(title, lines))
        else:
            self.notify(title, timeout=4)
