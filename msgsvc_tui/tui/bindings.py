"""The App's own keys, in a module of their own so that help can list them without
importing the App (screens never import it: see the import contracts in pyproject.toml)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding("question_mark", "help", "Help", id="help", tooltip="Every key"),
    Binding("p", "profiles", "Profiles", id="profiles", tooltip="Switch, add, test profiles"),
    Binding("q", "quit_app", "Quit", id="quit", tooltip="Quit (asks about unsaved edits)"),
    Binding(
        "ctrl+q,ctrl+c",
        "quit_app",
        "Quit",
        id="quit-ctrl",
        tooltip="Quit from anywhere, even while typing (asks about unsaved edits)",
        show=False,
        priority=True,
    ),
]
