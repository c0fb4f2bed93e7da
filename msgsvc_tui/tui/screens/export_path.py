"""Where `X` writes its export: a path asked for (prefilled, editable), checked before it is
taken, and an existing file replaced only after a confirm. Writing without asking once put
files into whatever folder the app was started from (a git checkout, under `make demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from msgsvc_tui.core import files
from msgsvc_tui.tui.keymode import focus_now
from msgsvc_tui.tui.screens.modals import ConfirmScreen
from msgsvc_tui.tui.text import as_text

# (the file, whether an existing one may be replaced): what the writer is told
Choice = tuple[Path, bool]


class ExportPathScreen(ModalScreen["Choice | None"]):
    """enter writes there (asking first if a file is there), esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export-cancel", tooltip="Export nothing"),
    ]

    def __init__(self, what: str, default: Path) -> None:
        super().__init__()
        self.title_text = f"Export {what}"
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="export-dialog"):
            yield Label(as_text(self.title_text), classes="dialog-title")
            yield Input(str(self.default), id="export-path", select_on_focus=False)
            yield Static("", classes="error", id="export-error")
            yield Static(
                "A TOML file, as `services export` writes it. enter writes it (asking "
                "before replacing a file); esc cancels.",
                classes="help",
            )

    def on_mount(self) -> None:
        box = self.query_one("#export-path", Input)
        focus_now(box)
        box.cursor_position = len(box.value)

    def _problem(self, text: str) -> None:
        error = self.query_one("#export-error", Static)
        error.update(as_text(text))
        error.set_class(bool(text), "-shown")

    @on(Input.Changed, "#export-path")
    def _typed(self) -> None:
        self._problem("")

    @on(Input.Submitted, "#export-path")
    def _chosen(self, event: Input.Submitted) -> None:
        raw = event.value.strip()
        if not raw:
            self._problem("A file name is needed")
            return
        path = Path(raw).expanduser()
        try:
            where = files.target(path)
        except files.FileRefusedError as exc:
            self._problem(str(exc))
            return
        if not where.exists:
            self.dismiss((path, False))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss((path, True))

        self.app.push_screen(
            ConfirmScreen(
                "Replace the file?",
                f"{where.path} already exists. Replace it with this export?",
                yes="Replace",
                danger=True,
            ),
            answered,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
