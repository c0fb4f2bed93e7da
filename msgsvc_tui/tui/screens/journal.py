"""`J`: the recent writes of every session, newest first, each with its target (server and
account), how it ended, and what undid what."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from msgsvc_tui.ops.journal import Journal
from msgsvc_tui.tui.screens.modals import ReadingDialog
from msgsvc_tui.tui.text import as_text, shown


def journal_lines(journal: Journal | None, limit: int = 200, here: str = "") -> Text:
    """The entries as lines; those written to another target than `here` say so, since
    undo here never touches them."""
    if journal is None:
        return Text("Read-only mode: nothing is written, so nothing is recorded.")
    entries = journal.recent(limit)
    if not entries:
        return Text(
            "No writes recorded yet. Every save, flip, delete and sender change lands here."
        )
    out = Text()
    for e in entries:
        mine = "this session" if e.session == journal.session else "earlier"
        out.append(f"#{e.id} {e.at} ", style="dim")
        out.append(shown(e.describe()))
        if e.undoes is not None:
            out.append(f"  (undo of #{e.undoes})", style="italic")
        if e.undone_by is not None:
            out.append(f"  (undone by #{e.undone_by})", style="italic")
        if e.state != "done":
            out.append(f"  ({e.state})", style="bold yellow")
        where = "here" if e.target == here else (e.target or "target not recorded")
        out.append(f"  [{mine} · {shown(where)}]\n", style="dim")
    return out


class JournalScreen(ReadingDialog):
    FRAME_ID = "journal"
    CLOSE_KEYS = "q,J"
    DEFAULT_CSS: ClassVar[str] = """
    #journal-note {
        margin-bottom: 1;
    }
    """

    def __init__(self, journal: Journal | None, target: str = "") -> None:
        super().__init__("Recent writes")
        self.journal = journal
        self.target = target

    def compose_body(self) -> ComposeResult:
        # Under the title, not in it: a target and a path are as long as they are, and this
        # line wraps to the dialog's width (at 80 columns the title alone fits).
        where = self.journal.path if self.journal else "—"
        note = f"u undoes this session's last write to {shown(self.target)}\nKept in {where}"
        yield Static(as_text(note), classes="help", id="journal-note")
        yield from super().compose_body()

    def compose_text(self) -> ComposeResult:
        yield Static(journal_lines(self.journal, here=self.target))
