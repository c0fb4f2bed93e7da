"""The line under the list: how many, what matches, what is marked, how it is sorted, or why
it could not load. Set its fields; it writes itself (no string-building by its callers)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from msgsvc_tui.tui.text import as_text


class ListStatus(Static):
    total: reactive[int] = reactive(0)
    shown: reactive[int] = reactive(0)
    loading: reactive[bool] = reactive(False)
    filter_text: reactive[str] = reactive("")
    marked: reactive[int] = reactive(0)
    sort: reactive[str] = reactive("")
    error: reactive[str | None] = reactive(None)  # why the list could not load, until it can
    progress: reactive[str | None] = reactive(None)  # a bulk flip under way: "Sticky: 3/8"

    def text(self) -> str:
        if self.progress:
            return self.progress
        if self.error and not self.loading:
            return f"⚠ {self.error}"
        parts = [
            f"loading… {self.total} so far (esc stops)"
            if self.loading
            else f"{self.total} services"
        ]
        if self.filter_text:
            parts.append(f"{self.shown} match “{self.filter_text}”")
        if self.marked:
            parts.append(f"{self.marked} marked")
        parts.append(f"sort: {self.sort}")
        return " · ".join(parts)

    def _refresh_text(self) -> None:
        self.update(as_text(self.text()))

    def watch_total(self) -> None:
        self._refresh_text()

    watch_shown = watch_loading = watch_filter_text = watch_total
    watch_marked = watch_sort = watch_error = watch_progress = watch_total
