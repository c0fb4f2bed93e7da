"""`--show-keys`: each key pressed, shown in a corner for a few seconds, as screencasting tools
do, so an audience can follow a presenter's keyboard.

It floats over the screen (it takes no room from the layout), and never shows what is typed
into a secret field: a password input's keys are shown as •.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.timer import Timer
from textual.widgets import Input, Static

from msgsvc_tui.tui.text import put

SHOWN_SECONDS = 3.0
MAX_KEYS = 8  # the last few keys, oldest first

# How a key reads for an audience (Textual's names otherwise: "ctrl+s", "f5")
_NAMES = {
    "escape": "esc",
    "space": "space",
    "enter": "enter",
    "tab": "tab",
    "shift+tab": "shift+tab",
    "backspace": "⌫",
    "delete": "del",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "pgup",
    "pagedown": "pgdn",
}


def key_label(event: events.Key, *, secret: bool = False) -> str:
    if secret and (event.is_printable or event.key in ("backspace", "delete")):
        return "•"
    if event.key in _NAMES:
        return _NAMES[event.key]
    if event.is_printable and event.character and event.character.isprintable():
        return event.character
    return event.key


class KeyCaster(Static):
    DEFAULT_CSS: ClassVar[str] = """
    KeyCaster {
        overlay: screen;
        position: absolute;
        width: auto;
        height: 1;
        padding: 0 1;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """

    def __init__(self) -> None:
        super().__init__(id="keycast")
        self.keys: list[str] = []
        self._timer: Timer | None = None

    def show_key(self, event: events.Key) -> None:
        focused = self.app.focused
        secret = isinstance(focused, Input) and focused.password
        self.keys = [*self.keys, key_label(event, secret=secret)][-MAX_KEYS:]
        text = " ".join(self.keys)
        put(self, text)
        self.display = True
        self._place(len(text) + 2)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SHOWN_SECONDS, self.fade)

    def _place(self, width: int) -> None:
        size = self.screen.size
        # bottom right, above the footer's line
        self.styles.offset = (max(0, size.width - width - 1), max(0, size.height - 2))

    def fade(self) -> None:
        """After a few quiet seconds the keys go (the next key starts a new line)."""
        self.keys = []
        self.display = False
