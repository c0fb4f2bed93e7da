"""The keys people from k9s, lazygit, htop and vim expect, in every list and modal.

    j / k, down / up            one row
    g / G, home / end           first / last
    ctrl+d / ctrl+u             half a page
    ctrl+f / ctrl+b, pgdn/pgup  a page

One table of keys (`NAV_KEYS`) feeds the bindings of each kind of list here, the services
list, the help screen and the README, so they cannot drift apart. No command key may use one
of these keys (tests/test_keyboard.py checks every screen).
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, OptionList

from msgsvc_tui.tui.textual_private import LinesFollowColumnWidths

# (keys, what they do, the generic action: one of down, up, first, last, half-down, half-up,
# page-down, page-up)
NAV_KEYS: tuple[tuple[str, str, str], ...] = (
    ("j,down", "Down", "down"),
    ("k,up", "Up", "up"),
    ("g,home", "First", "first"),
    ("G,end", "Last", "last"),
    ("ctrl+d", "Half page down", "half-down"),
    ("ctrl+u", "Half page up", "half-up"),
    ("ctrl+f,pagedown", "Page down", "page-down"),
    ("ctrl+b,pageup", "Page up", "page-up"),
)
NAV_KEY_NAMES: frozenset[str] = frozenset(
    key.strip() for keys, _, _ in NAV_KEYS for key in keys.split(",")
)


def nav_target(action: str, current: int, count: int, height: int) -> int:
    """Where a movement key takes a cursor at `current` in `count` rows, `height` visible."""
    half = max(height // 2, 1)
    page = max(height - 1, 1)
    last = max(count - 1, 0)
    target = {
        "down": current + 1,
        "up": current - 1,
        "first": 0,
        "last": last,
        "half-down": current + half,
        "half-up": current - half,
        "page-down": current + page,
        "page-up": current - page,
    }[action]
    return max(0, min(last, target))


def nav_bindings(prefix: str) -> list[BindingType]:
    """Bindings calling `action_nav(<generic action>)`, with ids `<prefix>-<action>`."""
    return [
        Binding(keys, f"nav('{action}')", description, id=f"{prefix}-{action}", show=False)
        for keys, description, action in NAV_KEYS
    ]


class NavDataTable(LinesFollowColumnWidths, DataTable[str]):
    BINDINGS: ClassVar[list[BindingType]] = nav_bindings("table")

    def action_nav(self, action: str) -> None:
        height = self.scrollable_content_region.height
        if self.row_count:
            self.move_cursor(row=nav_target(action, self.cursor_row, self.row_count, height))


class NavOptionList(OptionList):
    BINDINGS: ClassVar[list[BindingType]] = nav_bindings("options")

    def action_nav(self, action: str) -> None:
        if self.option_count:
            current = self.highlighted if self.highlighted is not None else 0
            height = self.scrollable_content_region.height
            self.highlighted = nav_target(action, current, self.option_count, height)


class NavScroll(VerticalScroll, can_focus=True):
    """A scrolling body (help, reports) that j/k and friends scroll."""

    BINDINGS: ClassVar[list[BindingType]] = nav_bindings("scroll")

    def action_nav(self, action: str) -> None:
        height = max(self.scrollable_content_region.height, 1)
        step = {
            "down": 1,
            "up": -1,
            "half-down": height // 2,
            "half-up": -(height // 2),
            "page-down": height - 1,
            "page-up": -(height - 1),
        }
        if action == "first":
            self.scroll_home(animate=False)
        elif action == "last":
            self.scroll_end(animate=False)
        else:
            self.scroll_to(y=self.scroll_y + step[action], animate=False)
