"""Small modal questions. Each answers with a typed result through `dismiss`."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from msgsvc_tui.core.editing import Difference
from msgsvc_tui.tui.keymode import focus_now
from msgsvc_tui.tui.text import as_text
from msgsvc_tui.tui.widgets.nav import NavScroll


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no: `y` confirms, `n` or `escape` cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes", tooltip="Confirm"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no", tooltip="Cancel"),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", danger: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.body = body
        self.yes = yes
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(as_text(self.title_text), classes="dialog-title")
            yield Static(as_text(self.body), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(
                    f"{self.yes} \\[y]", id="yes", variant="error" if self.danger else "primary"
                )
                yield Button("Cancel \\[n]", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class _ChoiceScreen(ModalScreen[str]):
    """A question answered by a key or a button whose id is the answer."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "cancel")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


class UnsavedScreen(_ChoiceScreen):
    """Unsaved edits: save, discard or cancel — never a silent loss."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "answer('save')", "Save", id="unsaved-save"),
        Binding("d", "answer('discard')", "Discard", id="unsaved-discard"),
        Binding("c,escape", "answer('cancel')", "Cancel", id="unsaved-cancel"),
    ]

    def __init__(self, name: str, changes: list[str]) -> None:
        super().__init__()
        self.service_name = name
        self.changes = changes  # "Label: old → new", what s would send

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Unsaved changes", classes="dialog-title")
            body = "\n".join(
                [f"{self.service_name} has unsaved changes (s sends these):", *self.changes]
            )
            yield NavScroll(Static(as_text(body)), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save \\[s]", id="save", variant="primary")
                yield Button("Discard \\[d]", id="discard", variant="error")
                yield Button("Cancel \\[c]", id="cancel")


class ConflictScreen(_ChoiceScreen):
    """The service changed on the server since the form loaded it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "answer('overwrite')", "Overwrite", id="conflict-overwrite"),
        Binding("r", "answer('reload')", "Reload", id="conflict-reload"),
        Binding("c,escape", "answer('cancel')", "Cancel", id="conflict-cancel"),
    ]

    def __init__(self, name: str, differences: list[Difference]) -> None:
        super().__init__()
        self.service_name = name
        self.differences = differences

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Changed on the server", classes="dialog-title")
            lines = [f"{self.service_name}: someone changed what you are changing:"]
            for d in self.differences:
                show = d.field.display
                lines.append(
                    f"  {d.field.label}: was {show(d.loaded) or '—'}; "
                    f"yours {show(d.mine) or '—'}; server now {show(d.theirs) or '—'}"
                )
            lines.append(
                "Overwrite sends your changes over theirs; reload shows the server's version "
                "and drops your edits. Fields you did not change keep the server's values."
            )
            yield NavScroll(Static(as_text("\n".join(lines))), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Overwrite \\[o]", id="overwrite", variant="warning")
                yield Button("Reload \\[r]", id="reload")
                yield Button("Cancel \\[c]", id="cancel")


class ReportScreen(ModalScreen[None]):
    """A per-item report (bulk flips): what worked and what did not, and why."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "close", "Close", id="report-close"),
    ]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(as_text(self.title_text), classes="dialog-title")
            yield NavScroll(Static(as_text("\n".join(self.lines))), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Close \\[esc]", id="close", variant="primary")

    def on_button_pressed(self) -> None:
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)


class PromptScreen(ModalScreen["str | None"]):
    """One line to type: checked (`problem`) as it is typed when CHECK_AS_TYPED, and on enter,
    which answers the text; escape answers None. A subclass sets its words, its ids' prefix
    (`ID`: the dialog, `ID-input`, `ID-error`) and its check; the error line is this one."""

    ID: ClassVar[str] = "prompt"
    TITLE: ClassVar[str] = ""
    PLACEHOLDER: ClassVar[str] = ""
    HELP: ClassVar[str] = ""
    CHECK_AS_TYPED: ClassVar[bool] = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt-cancel", tooltip="Close"),
    ]

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be the answer, or None."""
        return None

    def answer(self, text: str) -> str:
        """The answer `text` gives (a subclass may trim it)."""
        return text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id=self.ID):
            yield Label(self.TITLE, classes="dialog-title")
            yield Input(placeholder=self.PLACEHOLDER, id=f"{self.ID}-input")
            yield Static("", classes="error", id=f"{self.ID}-error")
            yield Static(self.HELP, classes="help")

    def on_mount(self) -> None:
        focus_now(self.query_one(Input))

    def _say(self, message: str) -> None:
        error = self.query_one(f"#{self.ID}-error", Static)
        error.update(as_text(message))
        error.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self.CHECK_AS_TYPED:
            self._say((self.problem(event.value) or "") if event.value else "")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        problem = self.problem(event.value)
        if problem:
            self._say(problem)
            return
        self.dismiss(self.answer(event.value))

    def action_cancel(self) -> None:
        self.dismiss(None)
