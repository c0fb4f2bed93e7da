"""Where `X` writes its export: a path asked for (prefilled, editable), checked before it is
taken, and an existing file replaced only after a confirm. Writing without asking once put
files into whatever folder the app was started from (a git checkout, under `make demo`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from msgsvc_tui.core import files
from msgsvc_tui.tui.screens.modals import CheckedDialog, confirm_then
from msgsvc_tui.tui.textual_private import TextInput

# (the file, whether an existing one may be replaced): what the writer is told
Choice = tuple[Path, bool]


class ExportPathScreen(CheckedDialog[Choice]):
    """enter writes there (asking first if a file is there), esc cancels."""

    ID = "export"
    FRAME_ID = "export-dialog"
    FRAME_CLASSES = "wide"
    TITLE_IN_KEY_BAR = True
    HELP = (
        "A TOML file, as `services export` writes it. enter writes it (asking "
        "before replacing a file); esc cancels."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export-cancel", tooltip="Export nothing"),
    ]

    def __init__(self, what: str, default: Path) -> None:
        super().__init__(f"Export {what}")
        self.default = default
        self.chosen: files.Target | None = None

    def compose_inputs(self) -> ComposeResult:
        yield TextInput(str(self.default), id="export-path", select_on_focus=False)

    def on_mount(self) -> None:
        box = self.query_one("#export-path", Input)
        box.cursor_position = len(box.value)

    def check(self, *, typing: bool) -> tuple[Input, str] | None:
        """Nothing while typing (a problem said on enter goes as the path changes)."""
        box = self.query_one("#export-path", Input)
        self.chosen = None
        if typing:
            return None
        raw = box.value.strip()
        if not raw:
            return box, "A file name is needed"
        try:
            self.chosen = files.target(Path(raw).expanduser())
        except files.FileRefusedError as exc:
            return box, str(exc)
        return None

    def submit(self) -> None:
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        if self.chosen is None or not self.chosen.exists:
            self.dismiss((path, False))
            return
        confirm_then(
            self,
            "Replace the file?",
            f"{self.chosen.path} already exists. Replace it with this export?",
            lambda: self.dismiss((path, True)),
            yes="Replace",
            danger=True,
        )
