"""The keyboard as one explicit state machine: which mode a key is read in, and where the focus
goes on every transition.

Why it exists: Textual resolves a key's binding only once the key has bubbled through the
queue of every ancestor of the widget that had the focus *when the key arrived*, and
`Widget.focus()` moves the focus only later, from the App's queue. On a loaded machine a burst
of keys therefore ran against a stale focus — `esc enter` on a switch's row went back to the
list and then flipped the switch — and keys could even overtake each other. Here every key is
read once, as it arrives, in order, against a focus that each transition sets at once
(`focus_now`), never later. Moving around therefore cannot edit, however slow the machine.

Modes (`state_of(screen)`, always shown by the key bar at the bottom of the main screen):

    BROWSE   letters are commands: the list, a form row (a thick bar), a tab's pane
    EDIT     a text field has the focus: every key it takes is typed, in order; `esc` stops
    MENU     a choice is open (a Select's menu, the incoming-messages choice): j/k and the
             arrows move, `enter`/`space` chooses, `esc` closes without choosing
    DIALOG   a modal question or picker: its own keys (shown on its buttons)

Transitions, and where the focus goes:

    BROWSE list   --enter / 1-->        BROWSE form, the Friendly name row
    BROWSE row    --enter, i, e-->      EDIT the field (cursor at the end), MENU for a choice,
                                        a switch flips in place (space does too)
    EDIT          --esc-->              BROWSE, the same row
    MENU          --enter/space/esc-->  BROWSE, the same row (the choice made, or not)
    BROWSE row    --esc-->              BROWSE list (the cursor where it was)
    BROWSE list   --esc-->              the filter cleared (if any), still the list
    any           --2..n-->             BROWSE, the tab's pane (its table or text)
    any           --a dialog opens-->   DIALOG; closing it returns to what had the focus
    a failed save                       EDIT the first invalid field, cursor at its end
    a reload while editing              EDIT the same field of the fresh values, if the
                                        service is the same and nothing was typed
    a worker finishing                  never moves the focus; if what had it is gone, the
                                        list takes it (`ensure_focus`): never on nothing

The small API other modules use (the tour, --show-keys, new panes and screens):

- `state_of(screen) -> State`: the mode and where (`State.badge()`: "EDIT Friendly name").
- `focus_now(widget)`: move the focus at once (use it instead of `Widget.focus()` on the
  main screen and its dialogs).
- `observe(callback)`: `callback(key, state, handled)` for every key, after it was read
  (--show-keys shows what a key did; the tour follows the user).
- `describe(screen, key) -> str | None`: what `key` would do now (a binding's description).
- `is_write(binding)`: a key that writes (hidden from the key bar in --readonly).
- A widget names its place with a `key_place` attribute or property (str); the nearest one
  from the focused widget up is shown ("list", a field's label, a tab's title).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, OptionList, RadioButton, RadioSet, Select, TextArea

from msgsvc_tui.tui import textual_private as private
from msgsvc_tui.tui.textual_private import SelectOverlay
from msgsvc_tui.tui.widgets.nav import NAV_KEYS, nav_target

if TYPE_CHECKING:
    from textual.app import App


class Mode(StrEnum):
    BROWSE = "BROWSE"
    EDIT = "EDIT"
    MENU = "MENU"
    DIALOG = "DIALOG"


@dataclass(frozen=True)
class State:
    mode: Mode
    where: str = ""

    def badge(self) -> str:
        """What the key bar shows: "BROWSE list", "EDIT Friendly name", "MENU Use case"."""
        return f"{self.mode.value} {self.where}".strip()


# The actions of keys that write: hidden from the key bar in --readonly (they say why when
# pressed anyway), so a read-only session never offers them.
WRITE_ACTIONS: frozenset[str] = frozenset(
    {
        "save",
        "new",
        "undo",
        "delete",
        "flip",
        "add",
        "add_alpha",
        "remove",
        "register",
        "attach",
        "edit",
        "fix",  # the Health tab applies a finding's fix
        "submit",  # the campaign form registers
        "compose",  # a message is written to be sent
        "inbound",  # the sandbox's handset texts in
    }
)

_NAV_ACTIONS: dict[str, str] = {
    key.strip(): action for keys, _, action in NAV_KEYS for key in keys.split(",")
}
_CHOOSE_KEYS = ("enter", "space")


# Textual's key names → what people write
_SHOWN = {
    "question_mark": "?",
    "slash": "/",
    "escape": "esc",
    "space": "space",
    "pagedown": "pgdn",
    "pageup": "pgup",
    "delete": "del",
}


def key_label(key: str) -> str:
    """`question_mark` → `?`, `slash` → `/`, `ctrl+s` stays `ctrl+s`."""
    key = key.strip()
    return _SHOWN.get(key, key)


def keys_label(keys: str) -> str:
    return " ".join(key_label(k) for k in keys.split(","))


def is_write(binding: Binding) -> bool:
    return binding.action.split("(", 1)[0] in WRITE_ACTIONS


def _is_text(widget: Widget | None) -> bool:
    return isinstance(widget, (Input, TextArea))


def _menu_of(widget: Widget | None) -> Select[Any] | RadioSet | None:
    """The choice `widget` belongs to when it is an open menu."""
    if isinstance(widget, SelectOverlay) and isinstance(widget.parent, Select):
        return widget.parent
    if isinstance(widget, RadioSet):
        return widget
    return None


def place_of(widget: Widget | None) -> str:
    node: Any = widget
    while node is not None:
        place = getattr(node, "key_place", None)
        if isinstance(place, str) and place:
            return place
        node = node.parent
    return ""


def state_of(screen: Screen[Any]) -> State:
    """The mode a key would be read in now."""
    if isinstance(screen, ModalScreen):
        name = getattr(screen, "mode_name", "")  # a Dialog's (tui/screens/modals.py)
        return State(Mode.DIALOG, name if isinstance(name, str) else "")
    focused = screen.focused
    where = place_of(focused)
    if (
        _menu_of(focused) is not None
        and focused is not None
        and getattr(focused, "can_focus", False)
    ):
        # a RadioSet takes the focus only while it is being edited (a form row otherwise)
        return State(Mode.MENU, where)
    if _is_text(focused):
        return State(Mode.EDIT, where)
    return State(Mode.BROWSE, where)


def focus_now(widget: Widget, *, scroll_visible: bool = True) -> None:
    """Move the focus to `widget` at once (Textual's `focus()` waits for the App's queue,
    behind keys already typed: they would run against the old focus)."""
    try:
        screen = widget.screen
    except Exception:  # not mounted (any more): nothing to focus
        return
    if not widget.can_focus:
        widget.can_focus = True
    screen.set_focus(widget, scroll_visible=scroll_visible)


def focus_return(widget: Widget) -> None:
    """A menu or field closes: the focus goes to its nearest focusable ancestor (its row)."""
    for node in widget.ancestors:
        if isinstance(node, Widget) and node.can_focus and not isinstance(node, Screen):
            focus_now(node)
            return
    ensure_focus(widget.screen)


def ensure_focus(screen: Screen[Any]) -> None:
    """The focus is never on nothing: a screen whose focus was lost (its widget hidden or
    removed) gives it to its `default_focus()`, or to the first focusable widget."""
    focused = screen.focused
    if focused is not None and focused.is_attached and focused.display and focused.focusable:
        return
    default = getattr(screen, "default_focus", None)
    target = default() if callable(default) else None
    if isinstance(target, Widget):
        focus_now(target)
    else:
        screen.focus_next()


# ---- reading a key ---------------------------------------------------------------------------
Observer = Callable[[str, State, bool], object]
_observers: list[Observer] = []
_reads = 0  # keys read so far: a focus move asked for later is stale once another key was read
_routed: weakref.WeakSet[events.Key] = weakref.WeakSet()


def observe(callback: Observer) -> Callable[[], None]:
    """Call `callback(key, state_before, handled)` after every key; returns an unsubscribe."""
    _observers.append(callback)
    return lambda: _observers.remove(callback) if callback in _observers else None


def reads() -> int:
    """A token for "now": pass it to `focus_if_current` from work that finishes later."""
    return _reads


def focus_if_current(widget: Widget, token: int) -> bool:
    """A transition that completes later (a pane built when its tab first opens) moves the
    focus only if no key was read since it was asked for: a later key already decided
    where the user is, and a late focus would run the next keys somewhere else."""
    if token != _reads:
        return False
    focus_now(widget)
    return True


def was_routed(event: events.Key) -> bool:
    """The key was already read by `route_key`: no binding may run for it a second time."""
    return event in _routed


def describe(screen: Screen[Any], key: str) -> str | None:
    """What `key` would do now, in words (the first binding that would run)."""
    app = screen.app
    for namespace, bindings in private.binding_chain(screen):
        for binding in bindings.key_to_bindings.get(key, ()):
            if private.action_state(app, binding.action, namespace) is not False:
                return binding.description or binding.action
    return None


async def route_key(app: App[Any], event: events.Key) -> bool:
    """Read one key, now, in order (the App calls this for every key that arrives).

    True when it was handled here; False lets Textual deliver it to the focused widget's
    own key handling (type-to-search in a list), with no binding run again later."""
    global _reads
    _reads += 1
    screen = app.screen
    state = state_of(screen)
    handled = await _route(app, screen, event)
    _routed.add(event)
    for callback in list(_observers):
        callback(event.key, state, handled)
    return handled


async def _route(app: App[Any], screen: Screen[Any], event: events.Key) -> bool:
    key = event.key
    if await private.run_priority_bindings(app, key):
        return True
    ensure_focus(screen)
    focused = screen.focused
    menu = _menu_of(focused)
    if menu is not None and focused is not None and focused.can_focus:
        if await _in_menu(menu, focused, key):
            return True
    elif isinstance(focused, OptionList) and key in _NAV_ACTIONS:
        count = focused.option_count
        if count:
            current = focused.highlighted if focused.highlighted is not None else 0
            height = focused.scrollable_content_region.height
            focused.highlighted = nav_target(_NAV_ACTIONS[key], current, count, height)
        return True
    if key == "enter" and isinstance(focused, Input):
        # a form of lines (a dialog, the composer) moves on at once, in order with the keys:
        # a key typed right after enter belongs to the next line, not the one it left
        for node in focused.ancestors:
            take_enter = getattr(node, "take_enter", None)
            if callable(take_enter) and take_enter(focused):
                return True
    if focused is not None and _is_text(focused) and _takes(focused, event):
        # typed: to the field's own queue, in order with the keys before it
        focused.call_later(_type_into, focused, event)
        return True
    for namespace, bindings in private.binding_chain(screen):
        for binding in bindings.key_to_bindings.get(key, ()):
            if not binding.priority and await app.run_action(binding.action, namespace):
                return True
    return False


def _takes(control: Widget, event: events.Key) -> bool:
    """Does a text field take this key (a character, or one of its own editing keys)?"""
    if event.is_printable:
        return True
    for binding in private.own_bindings(control, event.key):
        if binding.action.split("(", 1)[0] in ("stop_editing",):
            return False  # its way out is the machine's transition, read now
        if control.check_action(binding.action, ()) is not False:
            return True
    return False


async def _type_into(control: Widget, event: events.Key) -> None:
    for binding in private.own_bindings(control, event.key):
        if not binding.priority and control.check_action(binding.action, ()) is not False:
            await control.run_action(binding.action)
            return
    if event.is_printable:
        await private.default_key_handling(control, event)


async def _in_menu(menu: Select[Any] | RadioSet, focused: Widget, key: str) -> bool:
    """An open choice: movement, choosing and closing, all at once."""
    if isinstance(menu, Select) and isinstance(focused, SelectOverlay):
        overlay = focused
        if key in _NAV_ACTIONS:
            count = overlay.option_count
            current = overlay.highlighted if overlay.highlighted is not None else 0
            height = max(overlay.scrollable_content_region.height, 1)
            overlay.highlighted = nav_target(_NAV_ACTIONS[key], current, count, height)
            return True
        if key in _CHOOSE_KEYS or key == "escape":
            if key != "escape" and overlay.highlighted is not None:
                value = private.select_values(menu)[overlay.highlighted]
                if value != menu.value:
                    menu.value = value
            menu.expanded = False
            focus_return(menu)
            return True
        return False  # a letter: the menu's type-to-search
    if isinstance(menu, RadioSet):
        buttons = list(menu.children)
        highlighted = private.radio_highlighted(menu)
        if key in _NAV_ACTIONS and buttons:
            current = highlighted if highlighted is not None else 0
            target = nav_target(_NAV_ACTIONS[key], current, len(buttons), len(buttons))
            private.highlight_radio(menu, target)
            return True
        if key in _CHOOSE_KEYS or key == "escape":
            if key != "escape" and highlighted is not None:
                chooser = _chooser_of(menu)
                button = buttons[highlighted]
                if chooser is not None:
                    chooser(menu, button)
                elif isinstance(button, RadioButton):
                    button.value = True
            focus_return(menu)
            menu.can_focus = False
            return True
        return True  # letters never leak out of an open choice
    return False


def _chooser_of(widget: Widget) -> Callable[[RadioSet, Widget], object] | None:
    """An ancestor's `choose(radio_set, button)`: it applies the choice at once (a late
    RadioSet.Changed could otherwise land after the form loaded another service)."""
    for node in widget.ancestors:
        choose = getattr(node, "choose_radio", None)
        if callable(choose):
            return cast(Callable[[RadioSet, Widget], object], choose)
    return None


__all__ = [
    "WRITE_ACTIONS",
    "Mode",
    "State",
    "describe",
    "ensure_focus",
    "focus_if_current",
    "focus_now",
    "focus_return",
    "is_write",
    "key_label",
    "keys_label",
    "observe",
    "place_of",
    "reads",
    "route_key",
    "state_of",
    "was_routed",
]
