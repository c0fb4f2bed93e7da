"""The Health tab: the doctor's findings for one service (ops/doctor.py reads, core/health.py
judges), worst first, the highlighted one explained below the list; `f` applies a finding's
fix when the fix is a setting of the service.

A fix is a write like any other: shown old → new and confirmed, then the one write path
(ops/writes.py: journalled before it is sent, sent once, a lost answer settled with the
server, refused if the field changed since it was read; undone with `u`); the list and the
form take the server's version, and the findings are read again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from msgsvc_tui.api import errors
from msgsvc_tui.core import fields, health
from msgsvc_tui.ops import doctor
from msgsvc_tui.tui.messages import HealthSeen, ServiceSaved, ServiceWritten
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import name_of, put, shown
from msgsvc_tui.tui.widgets.nav import NavDataTable, NavScroll
from msgsvc_tui.tui.widgets.panes.base import DROPPED, ServicePane

Json = dict[str, Any]
_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "cyan"}
_WORD = {"error": "✗ error", "warning": "! warning", "info": "· info"}


def value_words(name: str, value: Any) -> str:
    """A setting's value as the form shows it (the catalogue's words), or "(none)"."""
    if value is None or value == "":
        return "(none)"
    try:
        return shown(fields.get(name).display(value))
    except KeyError:
        return shown(value)


def change_lines(finding: health.Finding, service: Json) -> list[str]:
    """`Label: old → new` for each setting the fix changes."""
    out = []
    for name, old, new in finding.changes(service):
        try:
            label = fields.get(name).label
        except KeyError:
            label = name
        out.append(f"{label}: {value_words(name, old)} → {value_words(name, new)}")
    return out


class HealthPane(ServicePane):
    DEFAULT_CSS: ClassVar[str] = """
    HealthPane #health-table { height: auto; max-height: 12; overflow-x: hidden; }
    HealthPane #health-scroll { height: 1fr; }
    """
    TITLE = "The Health tab"
    SUMMARY_ID = "health-summary"
    LOADING = "Checking the service…"
    FOLLOWS_SETTINGS = True  # a finding judges a setting: a write to it is checked again

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "fix", "Apply fix", id="health-fix", tooltip="Apply the finding's fix"),
        Binding("ctrl+r", "reload", "Check again", id="health-reload", tooltip="Check again"),
    ]

    def __init__(self, session: Session, **kw: Any) -> None:
        super().__init__(session, **kw)
        self.report: doctor.Report | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="health-summary")
        table = NavDataTable(id="health-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("Severity", "Check", "What")
        yield table
        yield NavScroll(Static("", id="health-detail"), id="health-scroll")
        yield Static(
            "f apply the fix (when it is a setting) · ctrl+r check again",
            classes="help",
            id="health-help",
        )

    def focus_main(self) -> None:
        self.query_one("#health-table").focus()

    def clear(self) -> None:
        self.report = None
        self.query_one("#health-table", DataTable).clear()
        put(self.query_one("#health-detail", Static), "")

    def action_reload(self) -> None:
        self.session.cache.pop(doctor.ACCOUNT_CACHE, None)  # brands, verifications afresh
        super().action_reload()

    # ---- loading --------------------------------------------------------------------------
    @work(exclusive=True, group="health", exit_on_error=False)
    async def load(self, service_sid: str) -> None:
        report = await self.answer(service_sid, self._examine(service_sid), failing="Cannot check")
        if report is DROPPED:
            return
        self.report = report
        self._render_report()

    async def _examine(self, service_sid: str) -> doctor.Report:
        """The service's report, said to whoever shows its health (even once stale)."""
        client = self.session.client
        account = self.session.cache.get(doctor.ACCOUNT_CACHE)
        if not isinstance(account, doctor.Account):
            account = await doctor.read_account(client)
            self.session.cache[doctor.ACCOUNT_CACHE] = account
        report = await doctor.examine_one(client, service_sid, account=account)
        self.post_message(HealthSeen(service_sid, report.health))
        return report

    def _render_report(self) -> None:
        report = self.report
        if report is None:
            return
        table = self.query_one("#health-table", DataTable)
        table.clear()
        if report.error is not None:
            self.summary(Text(f"Cannot check: {errors.describe(report.error)}", style="red"))
            return
        for i, f in enumerate(report.findings):
            what = f.title + (f" — {f.subject}" if f.subject else "")
            table.add_row(
                Text(_WORD[f.severity], style=_STYLE[f.severity]),
                Text(f.check),
                Text(shown(what)),
                key=str(i),
            )
        counts = health.counts(report.findings)
        state = report.health
        line = Text()
        if state == "ok":
            line.append("✓ healthy", style="bold green")
            if counts["info"]:
                line.append(f" · {counts['info']} to know")
        else:
            parts = [f"{counts[s]} {s}{'s' * (counts[s] != 1)}" for s in health.SEVERITIES]
            line.append(
                f"{health.MARKS[state]} " + ", ".join(p for p in parts if not p.startswith("0")),
                style=_STYLE[state],
            )
        for note in report.unavailable:
            line.append(f"\nNot checked: {shown(note)}", style="dim")
        self.summary(line)
        self._render_detail()

    def _selected(self) -> health.Finding | None:
        report = self.report
        if report is None or not report.findings:
            return None
        row = self.query_one("#health-table", DataTable).cursor_row
        if row is None or not 0 <= row < len(report.findings):
            return None
        return report.findings[row]

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._render_detail()

    def _render_detail(self) -> None:
        detail = self.query_one("#health-detail", Static)
        finding = self._selected()
        if finding is None or self.report is None:
            empty = self.report is not None and not self.report.findings
            put(detail, "Nothing found: messages through this service should go out." * empty)
            return
        text = Text()
        text.append(shown(finding.title), style=_STYLE[finding.severity])
        if finding.subject:
            text.append(f" — {shown(finding.subject)}")
        text.append("\nMessages: ", style="bold")
        text.append(shown(finding.effect))
        for line in finding.details:
            text.append(f"\n  · {shown(line)}")
        text.append("\nFix: ", style="bold")
        text.append(shown(finding.fix))
        if finding.setting:
            text.append("\nf applies: ", style="bold green")
            text.append(shown("; ".join(change_lines(finding, self.report.service))))
        text.append(f"\n{finding.source}", style="dim")
        put(detail, text)

    # ---- the fix ----------------------------------------------------------------------------
    def action_fix(self) -> None:
        finding = self._selected()
        report = self.report
        if finding is None or report is None:
            return
        if not finding.setting:
            self.notify("This fix is not a setting: " + shown(finding.fix), title="No fix to apply")
            return
        if self.session.refuses_writes(self.notify):
            return
        service = report.service
        body = "\n".join(
            [f"On {name_of(service)}:", *(f"  {c}" for c in change_lines(finding, service))]
        )

        from msgsvc_tui.tui.screens.modals import confirm_then

        confirm_then(
            self,
            f"Fix: {finding.title}",
            body,
            lambda: self._fix_worker(service, finding),
            yes="Save",
        )

    @work(exclusive=True, group="health-fix", exit_on_error=False)
    async def _fix_worker(self, service: Json, finding: health.Finding) -> None:
        sid = str(service["sid"])
        values = dict(finding.setting or {})
        # `loaded`: the finding was judged on this reading; a field someone changed since
        # is a conflict, reported, never overwritten
        ok, updated = await self.attempt(
            self.session.writes.update_service(sid, values, current=service, loaded=service),
            title="Fix not saved",
        )
        if not ok or updated is None:
            return
        self.post_message(ServiceSaved(updated))
        self.post_message(ServiceWritten(updated))
        self.notify(
            "; ".join(change_lines(finding, service)) + f" · {name_of(updated)}",
            title="Fix saved",
            timeout=4,
        )
        if self.current(sid):
            self.show(updated)  # and check again
