"""Type an alpha sender ID and the country it is for (blank: every other country), checked
as you type: the alpha sender rules, an ISO 3166-1 alpha-2 code, one per country."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.widgets import Input

from msgsvc_tui.core import countries, senders
from msgsvc_tui.tui.screens.modals import CheckedDialog
from msgsvc_tui.tui.textual_private import TextInput


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


class CountrySenderScreen(CheckedDialog["tuple[str, str | None]"]):
    DEFAULT_CSS: ClassVar[str] = """
    CountrySenderScreen Input { margin-bottom: 1; }
    """
    ID = "country"
    FRAME_ID = "country-dialog"
    HELP = f"{senders.ALPHA_RULE}; the country as ISO 3166-1 alpha-2. Enter adds; escape cancels."

    def __init__(self, taken: set[str | None]) -> None:
        super().__init__("Add an alpha sender for a country")
        self.taken = taken

    def compose_inputs(self) -> ComposeResult:
        yield TextInput(placeholder="alpha sender ID, e.g. AcmeShop", id="country-alpha")
        yield TextInput(placeholder="country, e.g. FR (blank: every other)", id="country-code")

    def _values(self) -> tuple[str, str]:
        alpha = self.query_one("#country-alpha", Input).value
        country = self.query_one("#country-code", Input).value.strip()
        return alpha, country

    def check(self, *, typing: bool) -> tuple[Input, str] | None:
        alpha, country = self._values()
        problem = problem_of(alpha, country, self.taken)
        if problem is None or (typing and problem[0] == "country-alpha" and not alpha):
            return None  # nothing typed yet: no scolding
        return self.query_one(f"#{problem[0]}", Input), problem[1]

    def submit(self) -> None:
        alpha, country = self._values()
        self.dismiss((alpha, country or None))
