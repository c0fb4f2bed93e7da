"""The line under the list: how many, what matches, what is marked, how it is sorted, or why
it could not load. The list pane holds one `ListState` reactive and binds it here
(`data_bind`, as Textual's Header does); this widget renders whatever state it is given."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from msgsvc_tui.tui.text import as_text


@dataclass(frozen=True)
class ListState:
    total: int = 0
    shown: int = 0
    loading: bool = False
    filter_text: str = ""
    marked: int = 0
    sort: str = ""
    error: str | None = None  # why the list could not load, until it can
    progress: str | None = None  # a bulk flip under way: "Sticky: 3/8 done"


class ListStatus(Widget):
    DEFAULT_CSS = """
    ListStatus {
        height: 1;
        color: $text-muted;
    }
    """

    state: reactive[ListState] = reactive(ListState)

    def text(self) -> str:
        s = self.state
        if s.progress:
            return s.progress
        if s.error and not s.loading:
            return f"⚠ {s.error}"
        parts = [f"loading… {s.total} so far (esc stops)" if s.loading else f"{s.total} services"]
        if s.filter_text:
            parts.append(f"{s.shown} match “{s.filter_text}”")
        if s.marked:
            parts.append(f"{s.marked} marked")
        parts.append(f"sort: {s.sort}")
        return " · ".join(parts)

    def render(self) -> Text:
        return as_text(self.text())
