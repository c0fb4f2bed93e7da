"""`?`: every key, generated from the bindings themselves so it can never fall out of date."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


def _rows(bindings: list[BindingType]) -> list[tuple[str, str, str]]:
    out = []
    for b in bindings:
        if not isinstance(b, Binding):
            continue
        keys = " ".join(k.strip() for k in b.key.split(","))
        out.append((keys, b.description, b.tooltip))
    return out


def help_sections() -> list[tuple[str, list[tuple[str, str, str]]]]:
    from msgsvc_tui.tui.app import MsgsvcApp
    from msgsvc_tui.tui.screens.main import ListPane, MainScreen
    from msgsvc_tui.tui.widgets.senders_pane import SendersPane
    from msgsvc_tui.tui.widgets.service_table import ServiceTable

    return [
        ("The list", _rows(ServiceTable.BINDINGS) + _rows(ListPane.BINDINGS)),
        ("The Senders tab", _rows(SendersPane.BINDINGS)),
        ("Anywhere on the main screen", _rows(MainScreen.BINDINGS)),
        ("Everywhere", _rows(MsgsvcApp.BINDINGS)),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help-close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                for title, rows in help_sections():
                    table = Table(title=title, title_justify="left", expand=True, box=None)
                    table.add_column("Key", style="bold", no_wrap=True)
                    table.add_column("Action", no_wrap=True)
                    table.add_column("What it does", ratio=1)
                    for keys, desc, tip in rows:
                        table.add_row(keys, desc, tip)
                    yield Static(table)
                yield Static(
                    "space marks services; a flag key with marks flips them all after one "
                    "confirm. Mouse works too, but is never needed. ctrl+p: command palette."
                )

    def action_close(self) -> None:
        self.dismiss(None)
