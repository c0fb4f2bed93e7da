"""Pick one of the account's numbers or short codes (or type its SID); type an alpha ID."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from msgsvc_tui import pool, senders
from msgsvc_tui.api import errors
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import as_text, name_of, shown
from msgsvc_tui.tui.widgets.nav import NavOptionList

Json = dict[str, Any]


def typed_sid_problem(text: str) -> str | None:
    """A typed PN…/SC… SID must be well formed; anything else is a filter, not a SID."""
    text = text.strip()
    for kind in (senders.PHONE_NUMBERS, senders.SHORT_CODES):
        if text[:2].upper() == kind.prefix and len(text) >= 10 and not kind.sid_re.match(text):
            return f"A {kind.label} SID is {kind.prefix} followed by 32 hex digits"
    return None


class SenderPicker(ReportsWorkerErrors, ModalScreen["str | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="picker-cancel", tooltip="Close the picker"),
        Binding("down", "focus_list", "List", id="picker-list", show=False, tooltip="To list"),
    ]

    def __init__(self, session: Session, service: Json) -> None:
        super().__init__()
        self.session = session
        self.service = service
        self.candidates: list[pool.Candidate] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="picker"):
            yield Label(
                as_text(f"Add a sender to “{name_of(self.service)}”"), classes="dialog-title"
            )
            yield Input(placeholder="filter, or type a PN… / SC… SID", id="picker-filter")
            yield Static("", classes="error", id="picker-error")
            yield NavOptionList(id="picker-options")
            yield Static("Loading the account's numbers…", id="picker-status", classes="help")

    def on_mount(self) -> None:
        self.query_one("#picker-filter", Input).focus()
        self.load()

    @work(exclusive=True, group="picker", exit_on_error=False)
    async def load(self) -> None:
        client = self.session.client
        status = self.query_one("#picker-status", Static)
        try:
            numbers = await client.list_account_phone_numbers()
            codes = await client.list_account_short_codes()
        except errors.MsgsvcError as exc:
            status.update(as_text(f"Cannot list the account's numbers: {errors.describe(exc)}"))
            return
        self.candidates = pool.candidates_from_account(numbers, codes)
        self.session.pool_index.labels.update({c.sid: c.value for c in self.candidates})
        self._render_options()
        sids = self.session.service_sids()
        status.update(f"{len(self.candidates)} senders; checking which service holds each…")
        try:
            await self.session.pool_index.build(client, sids[:500])
        except errors.MsgsvcError as exc:
            status.update(as_text(f"Holders unknown: {errors.describe(exc)}"))
            return
        unknown = " (services past the first 500 not checked)" if len(sids) > 500 else ""
        status.update(f"{len(self.candidates)} senders · enter adds · type to filter{unknown}")
        self._render_options()

    def _status_of(self, c: pool.Candidate) -> tuple[str, str]:
        holder = self.session.pool_index.holder(c.sid)
        if holder is None:
            return "free", "green"
        if holder == self.service["sid"]:
            return "in this service", "dim"
        holder_service = self.session.service(holder)
        return f"held by {name_of(holder_service) if holder_service else holder}", "yellow"

    def _render_options(self) -> None:
        options = self.query_one(OptionList)
        needle = self.query_one("#picker-filter", Input).value.strip().lower()
        options.clear_options()
        for c in self.candidates:
            if needle and needle not in c.search_key:
                continue
            status, style = self._status_of(c)
            caps = " ".join(c.capabilities)
            line = Text(f"{shown(c.value):<16} {shown(c.country):<6} {shown(caps):<14} ")
            line.append(status, style=style)
            options.add_option(Option(line, id=c.sid))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        problem = typed_sid_problem(event.value)
        error = self.query_one("#picker-error", Static)
        error.update(as_text(problem or ""))
        error.set_class(bool(problem), "-shown")
        self._render_options()

    @on(Input.Submitted, "#picker-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if senders.PHONE_NUMBERS.sid_re.match(text) or senders.SHORT_CODES.sid_re.match(text):
            self.dismiss(text)
            return
        if typed_sid_problem(text):
            return
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class AlphaValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        problem = senders.alpha_sender_problem(value)
        return self.failure(problem) if problem else self.success()


class AlphaSenderScreen(ModalScreen["str | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="alpha-cancel", tooltip="Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="alpha"):
            yield Label("Add an alpha sender ID", classes="dialog-title")
            yield Input(
                placeholder="e.g. AcmeShop",
                validators=[AlphaValidator()],
                validate_on=["changed", "submitted"],
                id="alpha-input",
            )
            yield Static("", classes="error", id="alpha-error")
            yield Static(
                "Up to 11 characters: A-Z a-z 0-9 space - + _ &, not only digits. "
                "Enter adds it; escape cancels.",
                classes="help",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        error = self.query_one("#alpha-error", Static)
        result = event.validation_result
        message = "" if result is None or result.is_valid else result.failure_descriptions[0]
        error.update(message)
        error.set_class(bool(message), "-shown")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        problem = senders.alpha_sender_problem(event.value)
        if problem:
            error = self.query_one("#alpha-error", Static)
            error.update(problem)
            error.add_class("-shown")
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
