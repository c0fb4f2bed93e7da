"""Type an alpha sender ID and the country it is for (blank: every other country), checked
as you type: the alpha sender rules, an ISO 3166-1 alpha-2 code, one per country."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from msgsvc_tui.core import countries, senders


def problem_of(alpha: str, country: str, taken: set[str | None]) -> tuple[str, str] | None:
    """(field id, message) of the first problem, or None when both are good."""
    problem = senders.alpha_sender_problem(alpha)
    if problem:
        return "country-alpha", problem
    code = country or None
    if code is not None:
        problem = countries.country_problem(code)
        if problem:
            return "country-code", problem
    if code in taken:
        where = code or "every other country (the default)"
        return "country-code", f"This service already has an alpha sender for {where}"
    return None


class CountrySenderScreen(ModalScreen["tuple[str, str | None] | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="country-cancel", tooltip="Close"),
    ]

    def __init__(self, taken: set[str | None]) -> None:
        super().__init__()
        self.taken = taken

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="country-dialog"):
            yield Label("Add an alpha sender for a country", classes="dialog-title")
            yield Input(placeholder="alpha sender ID, e.g. AcmeShop", id="country-alpha")
            yield Input(placeholder="country, e.g. FR (blank: every other)", id="country-code")
            yield Static("", classes="error", id="country-error")
            yield Static(
                "Up to 11 characters: A-Z a-z 0-9 space - + _ &, not only digits; the "
                "country as ISO 3166-1 alpha-2. Enter adds; escape cancels.",
                classes="help",
            )

    def on_mount(self) -> None:
        self.query_one("#country-alpha", Input).focus()

    def _values(self) -> tuple[str, str]:
        alpha = self.query_one("#country-alpha", Input).value
        country = self.query_one("#country-code", Input).value.strip()
        return alpha, country

    def _show(self, problem: tuple[str, str] | None, *, partial: bool) -> None:
        error = self.query_one("#country-error", Static)
        message = problem[1] if problem else ""
        if partial and problem and problem[0] == "country-alpha" and not self._values()[0]:
            message = ""  # nothing typed yet: no scolding
        error.update(message)
        error.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _changed(self) -> None:
        alpha, country = self._values()
        self._show(problem_of(alpha, country, self.taken), partial=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "country-alpha":
            self.query_one("#country-code", Input).focus()
            return
        alpha, country = self._values()
        problem = problem_of(alpha, country, self.taken)
        if problem:
            self._show(problem, partial=False)
            self.query_one(f"#{problem[0]}", Input).focus()
            return
        self.dismiss((alpha, country or None))

    def action_cancel(self) -> None:
        self.dismiss(None)
