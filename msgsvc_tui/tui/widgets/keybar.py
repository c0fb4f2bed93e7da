"""The bottom line of the main screen: the keyboard's mode, always (like vim's -- INSERT --),
then the keys that work now, then `? help`, which never drops.

Textual's Footer cuts its last hint in half at 80 columns and loses `?` with it; this one
drops whole hints from the end until the rest fits. In --readonly it says READ-ONLY next to
the mode and offers no key that writes (tui/keymode.py names them)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import OptionList

from msgsvc_tui.tui import keymode

_MODE_STYLE = {
    keymode.Mode.BROWSE: "bold black on #5fafd7",
    keymode.Mode.EDIT: "bold black on #87d75f",
    keymode.Mode.MENU: "bold black on #d7af5f",
    keymode.Mode.DIALOG: "bold black on #af87d7",
}
HELP = ("?", "help")


def _chosen_by(screen: Screen[object], key: str) -> Binding | None:
    """The screen's own shown binding for `key`. An option list takes enter itself (hidden:
    it chooses the highlighted option), and the screen it is on names what choosing does
    ("enter switch" in the profiles)."""
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.show and key in binding.key.split(","):
            return binding
    return None


class KeyBar(Widget):
    """Set `readonly`; call `refresh_keys()` when what it shows may have changed (the screen
    does on every change of bindings, which every change of focus makes).

    The line is made in `render()`, from the state at paint: a key changes the bar's words,
    never its size, so a refresh repaints this one line instead of laying out the screen (as
    `Static.update` would, on every key)."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
        color: $text-muted;
    }
    """

    def __init__(self, *, readonly: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.readonly = readonly
        # extra words after the mode (marks: "3 marked"), set by the screen
        self.extra: Callable[[], list[str]] = list
        self.hints: Callable[[], list[tuple[str, str]]] = list
        # a binding of its own screen that works but has nothing to act on now (save, on a
        # form without edits), set by the screen: left out, so the keys that matter fit
        self.idle: Callable[[Binding], bool] = lambda _binding: False

    def on_mount(self) -> None:
        self._watched: weakref.WeakSet[Screen[Any]] = weakref.WeakSet()
        self._watch(self.screen)
        # The line says the keys of the screen on top: a dialog opened over a dialog (the
        # profiles, then their editor) moves no focus on this screen, so the app's screen
        # change repaints it, and the keys of each screen that comes on top are followed too.
        self.app.screen_change_signal.subscribe(self, self._screen_changed)
        self.refresh_keys()

    def _watch(self, screen: Screen[Any]) -> None:
        if screen not in self._watched:
            self._watched.add(screen)
            screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh_keys())

    def _screen_changed(self, screen: Screen[Any]) -> None:
        if screen.is_running:
            self._watch(screen)
        self.refresh_keys()

    def on_resize(self) -> None:
        self.refresh_keys()

    def state(self) -> keymode.State:
        """The mode of the screen the keys go to: a dialog over this one says DIALOG."""
        top = self.app.screen
        return keymode.state_of(top if isinstance(top, ModalScreen) else self.screen)

    def shown_keys(self) -> list[tuple[str, str]]:
        """(key, description) of each binding that works now and is meant to be shown."""
        out: list[tuple[str, str]] = []
        seen: set[str] = set()
        typing = self.state().mode in (keymode.Mode.EDIT, keymode.Mode.MENU)
        top = self.app.screen
        keys_of = top if isinstance(top, ModalScreen) else self.screen  # a dialog's own keys
        try:
            active = keys_of.active_bindings
        except Exception:  # not on a screen (any more)
            return out
        for key, active_binding in active.items():
            binding: Binding = active_binding.binding
            if not binding.show and isinstance(keys_of.focused, OptionList):
                binding = _chosen_by(keys_of, key) or binding
            if not binding.show or not active_binding.enabled:
                continue
            if self.readonly and keymode.is_write(binding):
                continue
            if binding.action == "help":
                continue
            if keys_of is self.screen and self.idle(binding):
                continue
            label = keymode.keys_label(binding.key_display or binding.key).split(" ")[0]
            if typing and (len(label) == 1 or label == "space"):
                continue  # while a field is edited, a character is typed, never a command
            if binding.description in seen:
                continue
            seen.add(binding.description)
            out.append((label, binding.description.lower()))
        return out + self.hints()

    def line(self, width: int) -> Text:
        """The whole line at `width` columns: what the tests read and the screen shows."""
        state = self.state()
        text = Text()
        text.append(f" {state.badge()} ", style=_MODE_STYLE[state.mode])
        if self.readonly:
            text.append(" READ-ONLY ", style="bold white on dark_red")
        for word in self.extra():
            text.append(f" {word} ", style="bold")
        help_text = Text.assemble(" ", (HELP[0], "bold"), f" {HELP[1]} ")
        room = width - text.cell_len - help_text.cell_len
        for key, description in self.shown_keys():
            hint = Text.assemble(" ", (key, "bold"), f" {description}")
            if hint.cell_len > room:
                break  # whole hints drop, from the end; ? stays
            text.append_text(hint)
            room -= hint.cell_len
        text.append(" " * max(room, 0))
        text.append_text(help_text)
        return text

    def refresh_keys(self) -> None:
        self.refresh()

    def render(self) -> Text:
        if not self.is_attached:
            return Text()
        width = self.size.width or self.app.size.width
        try:
            return self.line(width)
        except NoMatches:  # the screen is still being built: it paints again once mounted
            return Text()
