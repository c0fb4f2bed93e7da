"""The services list: a line-API ScrollView that paints only the rows on screen.

A DataTable with every row added costs seconds at 10k rows; this widget keeps no per-row
widgets at all: `render_line` formats one row from the `ServiceList` model on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from msgsvc_tui.core import a2p, fields, health
from msgsvc_tui.core.listing import ServiceList
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.tui.widgets.nav import nav_bindings, nav_target

Json = dict[str, Any]


def short_sid(sid: str) -> str:
    return f"{sid[:6]}…{sid[-4:]}" if len(sid) > 12 else sid


def a2p_mark(service: Json, status: str | None = None) -> str:
    """Can it send to US numbers over 10DLC? ✓ registered, · not; once its campaign has been
    seen (the A2P tab), … in review and ✗ failed."""
    if status:
        return a2p.STATUS_MARKS.get(status, "·")
    return "✓" if service.get("us_app_to_person_registered") else "·"


def health_mark(state: str | None) -> str:
    """The doctor's verdict once the service was checked (the Health tab, or `H` on the
    list): ✓ healthy, ! warnings, ✗ errors, ? could not be checked; blank until then."""
    if state is None:
        return " "
    return health.MARKS.get(state, "?")


def flag_glyphs(
    service: Json, pending: set[str] | None = None, unknown: set[str] | None = None
) -> str:
    """One glyph per flag: its letter when on, · off, … being saved, ? outcome unknown."""
    out = []
    for f in fields.FLAGS:
        if pending and f.name in pending:
            out.append("…")
        elif unknown and f.name in unknown:
            out.append("?")
        else:
            out.append((f.glyph or "") if service.get(f.name) else "·")
    return "".join(out)


@dataclass
class Columns:
    name: int
    sid: int  # 0 hides the column
    full_sid: bool
    usecase: int  # 0 hides the column (the name keeps room first)
    flags: int
    updated: int
    a2p: int = 3  # the US/10DLC mark and a space
    health: int = 2  # the doctor's mark and a space


def layout_columns(width: int) -> Columns:
    flags = len(fields.FLAGS)
    usecase, updated = 13, 10
    fixed = 2 + flags + 1 + 3 + 2 + usecase + 1 + updated + 1
    if width - fixed >= 34 + 1 + 24:
        return Columns(width - fixed - 35, 34, True, usecase, flags, updated)
    if width - fixed >= 11 + 1 + 14:
        return Columns(width - fixed - 12, 11, False, usecase, flags, updated)
    if width - fixed >= 16:  # a name of 16 (the H column took 2 of its old 18)
        return Columns(width - fixed, 0, False, usecase, flags, updated)
    # narrower still: the use case goes (the form shows it) before the name is cut short
    fixed -= usecase + 1
    return Columns(max(width - fixed, 8), 0, False, 0, flags, updated)


def _fit(text: str, width: int) -> str:
    """`text` in `width` columns; one cut short ends in "…", so two names that differ
    after the cut do not look the same."""
    if len(text) > width:
        return text[: max(width - 1, 0)] + "…" if width else ""
    return text.ljust(width)


def format_row(
    service: Json,
    cols: Columns,
    marked: bool,
    pending: set[str] | None,
    unknown: set[str] | None = None,
    a2p_status: str | None = None,
    health_state: str | None = None,
) -> str:
    """One row as plain text; every server value through the sanitizer (a name is anyone's
    text: raw, an ESC in it would reach the terminal)."""
    name = _fit(safe(service.get("friendly_name") or ""), cols.name)
    parts = ["●" if marked else " ", " ", name]
    if cols.sid:
        sid = safe(service.get("sid", ""))
        parts += [" ", (sid if cols.full_sid else short_sid(sid))[: cols.sid].ljust(cols.sid)]
    if cols.usecase:
        parts += [" ", _fit(safe(service.get("usecase") or ""), cols.usecase)]
    parts += [
        " ",
        flag_glyphs(service, pending, unknown),
        " ",
        a2p_mark(service, a2p_status).ljust(cols.a2p),
        health_mark(health_state).ljust(cols.health),
        safe(service.get("date_updated") or "")[:10].ljust(cols.updated),
    ]
    return "".join(parts)


def format_header(cols: Columns) -> str:
    parts = ["  ", "Name"[: cols.name].ljust(cols.name)]
    if cols.sid:
        parts += [" ", "SID".ljust(cols.sid)]
    flags = "".join(f.glyph or "" for f in fields.FLAGS)
    if cols.usecase:
        parts += [" ", "Use case".ljust(cols.usecase)]
    parts += [
        " ",
        flags,
        " ",
        "US ",
        "H ",
        "Updated".ljust(cols.updated),
    ]
    return "".join(parts)


@dataclass
class TableMessage(Message):
    """What a ServiceTable tells its screen: `control` is the table, so a handler can be
    chosen by the table's id (`@on(ServiceTable.Selected, "#services")`)."""

    table: ServiceTable

    @property
    def control(self) -> ServiceTable:
        return self.table


class ListHeader(Widget):
    """The column titles over a ServiceTable, laid out from the table's width each time it is
    painted: never from a message about a width that may since have changed again (on a
    loaded machine the header stayed laid out for an old width above rows drawn for the new
    one). The table asks for a repaint whenever its columns change."""

    def __init__(self, table: ServiceTable, **kw: Any) -> None:
        super().__init__(**kw)
        self.table = table

    def render(self) -> Text:
        return Text(format_header(layout_columns(self.table.scrollable_content_region.width)))


class ServiceTable(ScrollView, can_focus=True):
    # The table's own look, the Textual way: its CSS and component classes live here.
    DEFAULT_CSS = """
    ServiceTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* same width with or without a scrollbar: rows match */
        overflow-x: hidden;
    }
    ServiceTable > .service-table--cursor {
        background: $primary;
        color: $text;
        text-style: bold;
    }
    ServiceTable:blur > .service-table--cursor {
        background: $primary 50%;
        text-style: dim bold;
    }
    ServiceTable > .service-table--marked { color: $warning; }
    ServiceTable > .service-table--dim { color: $text-muted; text-style: italic; }
    ServiceTable.-error > .service-table--dim { color: $error; text-style: bold; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "service-table--cursor",
        "service-table--marked",
        "service-table--dim",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        *nav_bindings("list"),
        # the screen's: it opens the form at once (a Selected message would arrive late)
        Binding(
            "enter",
            "screen.open_form",
            "Edit",
            id="edit",
            tooltip="Jump to the detail form",
            show=False,
        ),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Highlighted(TableMessage):
        """The cursor rests on a service (the detail pane follows)."""

        service: Json | None

    @dataclass
    class Selected(TableMessage):
        """Enter on a service: the user wants its form."""

        service: Json

    @dataclass
    class ColumnsChanged(TableMessage):
        """The table's width gave it new columns: the header above must follow."""

        columns: Columns

    def __init__(self, model: ServiceList, **kw: Any) -> None:
        super().__init__(**kw)
        self.model = model
        self.pending: dict[str, set[str]] = {}  # sid → flags being saved
        self.unknown: dict[str, set[str]] = {}  # sid → flags whose last write is unknown
        self.a2p_status: dict[str, str] = {}  # sid → campaign status, once the A2P tab saw it
        self.health: dict[str, str] = {}  # sid → the doctor's verdict, once checked
        self.columns: Columns | None = None
        # Shown in place of rows while there are none. Not Textual's `loading` cover: that
        # takes the focus away, so esc could no longer stop a load.
        self.placeholder = ""

    def show_placeholder(self, text: str) -> None:
        self.placeholder = text
        self.refresh()

    def _empty_note(self) -> str:
        if len(self.model) and self.model.filter_text:
            return f"Nothing matches “{safe(self.model.filter_text)}”"
        return "" if len(self.model) else self.placeholder

    # ---- data changes ---------------------------------------------------------------------
    def refresh_rows(self, keep_sid: str | None = None) -> None:
        """Call after the model changed; keeps the cursor on `keep_sid` when still visible."""
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.model.visible))
        row = self.model.row_of(keep_sid) if keep_sid else None
        if row is not None:
            self.cursor = row
        else:
            self.cursor = min(self.cursor, max(len(self.model.visible) - 1, 0))
        self.refresh()

    @property
    def current(self) -> Json | None:
        return self.model.visible_service(self.cursor)

    # ---- painting -------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        self.virtual_size = Size(width, len(self.model.visible))
        columns = layout_columns(width)
        if width and columns != self.columns:
            self.columns = columns
            self.post_message(self.ColumnsChanged(self, columns))
        # shorter now (the panes stack, the list gives the form room): the cursor's row stays
        # in sight, as a move would have left it
        if self.model.visible:
            self.scroll_to_region(Region(0, self.cursor, 1, 1), animate=False, force=True)

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        service = self.model.visible_service(row)
        base = self.rich_style
        if service is None:
            note = self._empty_note() if row == 0 and not self.model.visible else ""
            if note:
                dim = base + self.get_component_rich_style("service-table--dim")
                return Strip([Segment(f"  {note}"[:width].ljust(width), dim)], width)
            return Strip.blank(width, base)
        cols = layout_columns(width)
        sid = service.get("sid", "")
        text = format_row(
            service,
            cols,
            sid in self.model.marked,
            self.pending.get(sid),
            self.unknown.get(sid),
            self.a2p_status.get(sid),
            self.health.get(sid),
        )
        style = base
        if sid in self.model.marked:
            style = style + self.get_component_rich_style("service-table--marked")
        if row == self.cursor:
            style = style + self.get_component_rich_style("service-table--cursor")
        return Strip([Segment(text[:width].ljust(width), style)], width)

    def validate_cursor(self, cursor: int) -> int:
        """The cursor stays on a row (0 when there is none)."""
        return max(0, min(cursor, len(self.model.visible) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        if not self.model.visible:
            self.post_message(self.Highlighted(self, None))
            self.refresh()
            return
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, force=True)
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    # ---- writes under way, shown in the flags column -----------------------------------------
    def set_a2p_status(self, sid: str, status: str | None) -> None:
        """The A2P tab saw this service's campaign (None: it has none)."""
        if status is None:
            self.a2p_status[sid] = "NONE"
        else:
            self.a2p_status[sid] = status
        self.refresh()

    def set_health(self, sid: str, state: str) -> None:
        """The doctor checked this service: "error", "warning", "ok" or "failed"."""
        self.health[sid] = state
        self.refresh()

    def mark_pending(self, sid: str, flag: str) -> None:
        """A write of `flag` is on its way: its glyph shows …"""
        self.pending.setdefault(sid, set()).add(flag)
        self.unknown.get(sid, set()).discard(flag)
        self.refresh()

    def settle(self, sid: str, flag: str) -> None:
        self.pending.get(sid, set()).discard(flag)
        self.refresh()

    def mark_unknown(self, sid: str, flag: str) -> None:
        """Its outcome is unknown (the server could not say): ? until a refresh."""
        self.unknown.setdefault(sid, set()).add(flag)
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # ---- actions --------------------------------------------------------------------------
    def action_nav(self, action: str) -> None:
        self.cursor = nav_target(action, self.cursor, len(self.model.visible), self.size.height)

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.model.visible):
            self.cursor = row
            if event.chain >= 2:
                self.action_select()
