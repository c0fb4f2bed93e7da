"""The base of every detail tab but the form: a pane that shows one service's resources.

Every pane is built with the session (client, read-only flag, journal, lookups) and loads
lazily: `show(service)` is called only when its tab is open (opening a service costs one
request, not one per tab), and `forget()` when another service is selected while the tab is
closed, so it loads afresh when opened. Writes use `refuses_writes` first (--readonly), and
journal through the session. A stale answer (the user moved on) is dropped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static

from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import as_text

Json = dict[str, Any]


class ServicePane(ReportsWorkerErrors, Vertical):
    """Subclasses set TITLE (the help section's name) and implement `load` (a worker)."""

    TITLE: ClassVar[str] = ""
    SUMMARY_ID: ClassVar[str] = ""  # the Static that shows the pane's state line

    def __init__(self, session: Session, **kw: Any) -> None:
        super().__init__(**kw)
        self.session = session
        self.service: Json | None = None

    def forget(self) -> None:
        """Drop what it showed: the next time its tab opens, it loads again."""
        self.service = None

    def shows(self, service: Json | None) -> bool:
        return bool(service and self.service and self.service.get("sid") == service.get("sid"))

    def show(self, service: Json | None) -> None:
        self.service = service
        self.clear()
        if service is None:
            self.summary("")
            return
        self.summary("Loading…")
        self.load(service["sid"])

    def clear(self) -> None:
        """Empty what it shows (before a load)."""

    def load(self, service_sid: str) -> object:
        """Start loading (a worker in each subclass)."""
        raise NotImplementedError

    def focus_main(self) -> None:
        """Put the focus where this tab's keys work (its table or text)."""
        self.focus()

    def current(self, service_sid: str) -> bool:
        """Is `service_sid` still the one shown (else an answer is stale)?"""
        return bool(self.service and self.service["sid"] == service_sid)

    def summary(self, text: str | Text) -> None:
        if self.SUMMARY_ID:
            self.query_one(f"#{self.SUMMARY_ID}", Static).update(as_text(text))

    def main_widget(self) -> Widget | None:
        return None

    def is_busy(self) -> bool:
        """A load still running (scenes and tests wait for it, not for a clock)."""
        return any(w.node is self and not w.is_finished for w in self.workers)
