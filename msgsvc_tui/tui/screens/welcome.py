"""First run with no credentials anywhere: offer the sandbox or a profile, never a blank."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Static

from msgsvc_tui.tui.messages import AddProfile, OpenDemo
from msgsvc_tui.tui.screens.modals import DialogFrame
from msgsvc_tui.tui.text import as_text
from msgsvc_tui.tui.textual_private import PaintsWhatChanged

WELCOME = (
    "No Twilio credentials were found: no profile in the config file, and no "
    "TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET) in "
    "the environment.\n\n"
    "Try the demo sandbox: 25 example Messaging Services on a local emulator of the "
    "Messaging v1 API. Nothing leaves this machine, and your edits are kept between runs.\n\n"
    "Or add a Twilio profile: your Account SID and an auth token or API key, saved to "
    "{path} (readable only by you)."
)


class WelcomeScreen(PaintsWhatChanged, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Try the demo", id="welcome-demo", tooltip="Open the sandbox"),
        Binding("a", "add_profile", "Add profile", id="welcome-add", tooltip="Add credentials"),
        Binding("q", "app.quit", "Quit", id="welcome-quit"),
    ]

    def __init__(self, config_path: Path) -> None:
        super().__init__()
        self.config_path = config_path

    def compose(self) -> ComposeResult:
        with DialogFrame(id="welcome", classes="wide"):
            yield Label("Welcome to msgsvc-tui", classes="dialog-title")
            yield Static(as_text(WELCOME.format(path=self.config_path)), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Try the demo sandbox \\[d]", id="demo", variant="primary")
                yield Button("Add a Twilio profile \\[a]", id="add")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#demo", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "demo":
            self.action_demo()
        else:
            self.action_add_profile()

    def action_demo(self) -> None:
        self.post_message(OpenDemo())

    def action_add_profile(self) -> None:
        self.post_message(AddProfile())
