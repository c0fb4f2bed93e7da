"""`?`: every key, generated from the bindings themselves so it can never fall out of date."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.widgets import Static

from msgsvc_tui.tui.help import LEGENDS, sections
from msgsvc_tui.tui.screens.modals import ReadingDialog


class HelpScreen(ReadingDialog):
    FRAME_ID = "help"
    CLOSE_KEYS = "q,question_mark"

    def __init__(self) -> None:
        super().__init__("Keys  (j/k scroll, esc closes)")

    def compose_text(self) -> ComposeResult:
        for title, rows in sections():
            table = Table(title=title, title_justify="left", expand=True, box=None)
            if title in LEGENDS:  # a mark and what it means, the meaning wrapped to the width
                table.add_column("Mark", style="bold", no_wrap=True)
                table.add_column("Means", ratio=1)
                for mark, means, _ in rows:
                    table.add_row(mark, means)
            else:
                table.add_column("Key", style="bold", no_wrap=True)
                table.add_column("Action", no_wrap=True)
                table.add_column("What it does", ratio=1)
                for keys, desc, tip in rows:
                    table.add_row(keys, desc, tip)
            yield Static(table)
        yield Static(
            "The bottom line always shows the mode: BROWSE (letters are commands), "
            "EDIT (keys are typed into the field; esc stops), MENU (j/k move, enter "
            "chooses, esc closes), DIALOG. space marks a service and moves down; a "
            "flag key with marks flips them all after one confirm, and the marks are "
            "then cleared. esc in the list clears its filter. In a picker, / opens the "
            "filter. ctrl+c or ctrl+q quits (asking about unsaved edits). Mouse works "
            "too, but is never needed. ctrl+p: command palette."
        )
