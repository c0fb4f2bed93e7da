"""A handset texts one of the service's numbers (the sandbox only): From, To and Body, checked
as they are typed with the rules the write path applies (core.messages.incoming_problems)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Label

from msgsvc_tui.core.messages import Incoming, incoming_problems
from msgsvc_tui.tui.screens.modals import CheckedDialog
from msgsvc_tui.tui.text import shown
from msgsvc_tui.tui.textual_private import TextInput

_LABELS = {"from": "From", "to": "To", "body": "Body"}


def well_formed(number: str) -> str:
    """`number` when it could be a From or a To, else "": a line is filled in only with a
    value that passes, never with what a server said verbatim."""
    probe = Incoming(from_=number, to=number, body="x")
    return number if not incoming_problems(probe) else ""


class InboundScreen(CheckedDialog["Incoming | None"]):
    """Enter moves to the next line and, on Body, delivers; escape cancels."""

    DEFAULT_CSS = """
    InboundScreen .inbound-row { height: 1; margin-bottom: 1; }
    InboundScreen .inbound-row Label { width: 6; }
    InboundScreen .inbound-row Input { height: 1; border: none; padding: 0 1; width: 1fr; }
    InboundScreen .inbound-row Input:focus { background: $primary 25%; }
    """
    ID = "inbound"
    FRAME_ID = "inbound-dialog"
    FRAME_CLASSES = "wide"
    FOCUS = "#inbound-body"

    def __init__(self, handset: str, number: str, numbers: list[str]) -> None:
        super().__init__("A handset texts the service (sandbox)")
        self.handset = well_formed(handset)
        self.number = well_formed(number)
        self.numbers = numbers

    def help_text(self) -> str:
        pool = ", ".join(shown(n) for n in self.numbers[:6]) or "none: add a number first"
        if len(self.numbers) > 6:
            pool += f" … {len(self.numbers) - 6} more"
        return (
            f"The service's numbers: {pool}. The emulator stores the message as Twilio does, "
            "calls the inbound webhook (loopback only) and sends its TwiML reply. Enter moves "
            "on, and on Body delivers; escape cancels."
        )

    def compose_inputs(self) -> ComposeResult:
        for name, value, hint in (
            ("from", self.handset, "the handset, e.g. +16175550123"),
            ("to", self.number, "one of the service's numbers"),
            ("body", "", "what the handset says (STOP opts it out)"),
        ):
            with Horizontal(classes="inbound-row"):
                yield Label(_LABELS[name])
                yield TextInput(
                    value, placeholder=hint, id=f"inbound-{name}", select_on_focus=False
                )

    def incoming(self) -> Incoming:
        return Incoming(
            from_=self.query_one("#inbound-from", Input).value.strip(),
            to=self.query_one("#inbound-to", Input).value.strip(),
            body=self.query_one("#inbound-body", Input).value,
        )

    def check(self, *, typing: bool) -> tuple[Input, str] | None:
        for problem in incoming_problems(self.incoming(), pool=self.numbers):
            line = self.query_one(f"#inbound-{problem.field_name}", Input)
            if typing and not line.value:
                continue  # nothing typed there yet: no scolding
            return line, f"{_LABELS.get(problem.field_name, problem.field_name)}: {problem.message}"
        return None

    def submit(self) -> None:
        self.dismiss(self.incoming())
