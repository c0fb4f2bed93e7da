"""Every use of Textual's private API, in one module.

Textual is pinned exactly (constraints.txt), but its underscored names may change in any
release. Each use the app cannot do without sits here, as one small function or class whose
docstring says why the public API does not suffice; tests/test_textual_private.py exercises
each one against the pinned Textual, so a pin bump that renames or removes one fails there,
by name, instead of as a strange keyboard bug. No other module may use these names
(tests/test_architecture.py walks the package's attribute names).

Where the pinned Textual offers a public way, the app uses it instead: an `on_key` handler
that calls `event.prevent_default()` in place of an `_on_key` override, `Widget.children` in
place of `_nodes`, `ToggleButton.BUTTON_INNER` in place of the `_button` property.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual._compositor import ChopsUpdate, Compositor, LayoutUpdate
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.css.model import RuleSet
from textual.css.query import NoMatches
from textual.css.stylesheet import Stylesheet
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import DataTable, Input, RadioButton, RadioSet, Select, Static, TabbedContent

# SelectOverlay (a Select's open menu) and SelectCurrent (its closed line) are exported by no
# public module, yet the key router must recognise an open menu, and the form must mark the
# closed line as holding a value when it opens its menu itself.
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay
from textual.widgets._tabbed_content import ContentTabs

from msgsvc_tui.tui.text import put

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.screen import Screen
    from textual.strip import Strip

ReturnType = TypeVar("ReturnType")
SelectType = TypeVar("SelectType")


# ---- frames on their way to the terminal -----------------------------------------------------
def map_frame_strips(update: object, change: Callable[[Strip], Strip]) -> object:
    """`update` (what the compositor hands to the driver) with `change` applied to each of
    its strips; anything else as it is.

    Private: `LayoutUpdate` and `ChopsUpdate` are the compositor's own types. Textual's public
    line filters (`App.get_line_filters`) run while each widget is rendered, before the
    compositor; a net there would also hide from the poisoned-store test the very strings it
    exists to catch, which reads the compositor's frames."""
    if isinstance(update, LayoutUpdate):
        update.strips = [[change(strip) for strip in line] for line in update.strips]
    elif isinstance(update, ChopsUpdate):
        update.chops = [
            {x: None if strip is None else change(strip) for x, strip in chop.items()}
            for chop in update.chops
        ]
    return update


class FrameFilterApp(App[ReturnType]):
    """An App whose every frame passes `filter_frame` just before it becomes terminal bytes.

    Private: `App._display` is the only point every frame passes after composition and before
    the driver writes it; Textual offers no public hook there."""

    def filter_frame(self, update: object) -> object:
        """The frame as it should be written (by default, unchanged)."""
        return update

    def frame_wanted(self) -> bool:
        """Whether to write a frame at all (by default, always)."""
        return True

    def _display(self, screen: Screen[object], renderable: RenderableType | None) -> None:
        if not self.frame_wanted():
            return
        # arg-type: Textual declares a RenderableType it only ever receives as a frame update
        super()._display(screen, self.filter_frame(renderable))  # type: ignore[arg-type]


# ---- focus -----------------------------------------------------------------------------------
class FocusRepaintsOnlyWhatChanged:
    """A Screen mixin: a change of focus repaints the widgets it changes, not the whole screen.

    Textual's `Screen.focused` is a reactive that repaints the entire screen whenever it is
    set, on top of restyling (and so repainting) the widget that lost the focus, the one that
    gained it and their `:focus-within` ancestors. In the service form, where `j` moves the
    focus from row to row, that whole-screen repaint was a sixth of the CPU of each key.
    Private in effect: it redeclares Textual's own reactive (same name, same default), minus
    the repaint; tests/test_textual_private.py checks that the pinned Textual still declares
    it with one, and that focus styles are still painted without it."""

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)


# ---- repaints out of sight -------------------------------------------------------------------
class _PlacedWidgetsCompositor(Compositor):
    """Textual's compositor, minus one guess: a widget repainted while out of sight is not new.

    Textual treats every repainted widget it cannot see as possibly new, and throws away its
    map of where every widget is; the next question about a widget's size rebuilds that map
    (every widget of the screen arranged again), and the next repaint throws it away again.
    The form's switches below the fold change with each service shown: `j` in the list
    rebuilt the map about 18 times, 40% of its CPU. A widget the map already places is not
    new: its place changes only through a layout, which rebuilds the map anyway."""

    def update_widgets(self, widgets: set[Widget]) -> None:
        placed = not self._full_map_invalidated and widgets <= self._full_map.keys()
        super().update_widgets(widgets)
        if placed:
            self._full_map_invalidated = False


class OffScreenRepaintsKeepTheMap:
    """A Screen mixin: repainting a widget out of sight does not rebuild the whole screen's map
    (see `_PlacedWidgetsCompositor`). Private: `Screen._compositor` and the compositor's own
    map; tests/test_textual_private.py checks that plain Textual rebuilds it, that this does
    not, and that the widget scrolled into sight shows its new content."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compositor: Compositor = _PlacedWidgetsCompositor()


# ---- styling -------------------------------------------------------------------------------
class StyledOnceWhenPushed:
    """A Screen mixin: a screen shown for the first time is not styled all over again.

    Textual restyles every widget of a screen each time the screen is resumed, the first time
    included, when each widget was styled moments before as it was mounted: at the app's
    start, a third of all the styling (207 of 557 style applications), a sixth of its CPU.
    Later resumes (a dialog closed) keep Textual's choice. Private in effect: it relies on the
    order Textual runs handlers (a subclass's `on_screen_resume` before Screen's own
    `_on_screen_resume`, which reads `refresh_styles`); tests/test_textual_private.py checks
    that order, and that every widget ends styled as a full restyle would leave it."""

    _styled_once = False

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        if not self._styled_once:
            self._styled_once = True
            event.refresh_styles = False


def give_breakpoint_classes(screen: Screen[Any], size: Size) -> None:
    """Give `screen` now the breakpoint classes its first resize to `size` would give.

    Textual gives them on each Resize, the first included, after every widget was mounted
    and styled: at start-up that first resize restyled them all again (a fifth of the
    start's work). Given when the screen is built, the resize changes nothing. Private:
    Textual's rule for which class a dimension reaches (`Screen._get_breakpoint_classes`)
    and its choice of the screen's breakpoints over the app's, as `Screen._on_resize` makes
    it; tests/test_textual_private.py checks that a resize then gives the same classes."""
    horizontal = screen.HORIZONTAL_BREAKPOINTS
    vertical = screen.VERTICAL_BREAKPOINTS
    horizontal = (screen.app.HORIZONTAL_BREAKPOINTS if horizontal is None else horizontal) or []
    vertical = (screen.app.VERTICAL_BREAKPOINTS if vertical is None else vertical) or []
    given = screen._get_breakpoint_classes(size.width, horizontal)
    given |= screen._get_breakpoint_classes(size.height, vertical)
    for _, name in [*horizontal, *vertical]:
        screen.set_class(name in given, name)


class PaintsWhatChanged(
    FocusRepaintsOnlyWhatChanged, OffScreenRepaintsKeepTheMap, StyledOnceWhenPushed
):
    """The app's screens' mixin: the three savings above, together, so that every screen (the
    main one, the welcome, each dialog) paints the same way."""


# ---- many apps in one process ---------------------------------------------------------------
def share_parsed_css() -> None:
    """From now on, every App of this process shares what Textual parsed of each CSS source.

    Each App parses its CSS (the app's own and every widget class's DEFAULT_CSS) into rules,
    caching them for itself only: a process that starts hundreds of apps, as the test suite
    does, parsed the same 28 sources 40 times per app, a sixteenth of each start. The rules
    depend on the source, where it was read from, and the theme's variables, all in the key.
    Private: `Stylesheet._parse_rules`; tests/test_textual_private.py checks that a second
    app parses nothing, is styled the same, and that other variables parse again. For the
    suite (tests/conftest.py): the app itself starts once per process."""
    original = Stylesheet._parse_rules
    if getattr(original, "across_apps", False):
        return
    parsed: dict[tuple[Any, ...], list[RuleSet]] = {}

    def parse_rules(
        self: Stylesheet,
        css: str,
        read_from: Any,
        is_default_rules: bool = False,
        tie_breaker: int = 0,
        scope: str = "",
    ) -> list[RuleSet]:
        variables = tuple(sorted(self._variables.items()))
        key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = original(
                self, css, read_from, is_default_rules, tie_breaker, scope
            )
        return rules

    parse_rules.across_apps = True  # type: ignore[attr-defined]  # a mark, read above
    Stylesheet._parse_rules = parse_rules  # type: ignore[method-assign]  # the patch itself


# ---- content sizes ---------------------------------------------------------------------------
class ContentSizeLaysOutNothing:
    """A mixin for a widget whose size its parent fixes: when its content grows or shrinks, it
    repaints and scrolls, and the screen is not laid out again for it.

    `Widget.virtual_size` (the size of a widget's content, what it scrolls over) is a Textual
    reactive that lays out the whole screen, hundreds of widgets, each time it changes. Two of
    the app's widgets change it often, and neither's size follows it:
    - the one-line input (`TextInput`) sets it, the width of its text, on every character
      typed: a layout per character, a quarter of the layouts of tests/test_tui.py (where an
      Input's width does follow its text, `width: auto`, Input asks for that layout itself);
    - the service form, a scrolling column of height `1fr`, whose content grows or shrinks as
      it shows or hides the webhook rows (`j` in the list, between services that take incoming
      messages differently): the layout that moved the rows gave the form its new content
      size, and Textual then laid the screen out a second time for it, 8 layouts per 10 keys
      where 4 do.
    A scrollbar that comes or goes still lays the screen out (Textual's own reactives for it).
    Private in effect: it redeclares Textual's reactive (same name, same default) minus the
    layout; tests/test_textual_private.py checks that the pinned Textual still declares it
    with one, that a long value still scrolls, and that a column paints and scrolls the same."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class TextInput(ContentSizeLaysOutNothing, Input):
    """The app's one-line input: Textual's, typing without a layout per character."""


# ---- bindings --------------------------------------------------------------------------------
def binding_chain(screen: Screen[Any]) -> list[tuple[DOMNode, BindingsMap]]:
    """The (namespace, bindings) a key is looked up in on `screen`, from the focused widget up
    to the App, stopping at the topmost modal.

    Private: `Screen.active_bindings` (public) keeps one binding per key and reorders priority
    ones, so it cannot say which binding would run first, nor try the next when one declines."""
    return screen._modal_binding_chain


def action_state(app: App[Any], action: str, namespace: DOMNode) -> bool | None:
    """What the node owning `action` says of it now: True (enabled), None (shown disabled),
    False (hidden).

    Private: `DOMNode.check_action` (public) takes an already parsed action on its own node;
    `App._check_action_state` parses the action string and resolves its namespace as a key
    press would."""
    return app._check_action_state(action, namespace)


async def run_priority_bindings(app: App[Any], key: str) -> bool:
    """Run `key`'s priority bindings (App first, then down to the focus) at once; True when
    one handled it.

    Private: `App._check_bindings` is how Textual itself runs them; the only public way in is
    `App.simulate_key`, which posts the key to the back of the App's queue, behind keys already
    typed."""
    return await app._check_bindings(key, priority=True)


def own_bindings(node: DOMNode, key: str) -> tuple[Binding, ...]:
    """The bindings `node` itself has for `key` (its class's BINDINGS, merged up its MRO).

    Private: `DOMNode._bindings`; no public attribute exposes a node's own bindings map, and
    its class's `BINDINGS` lists are not merged or parsed into keys."""
    return tuple(node._bindings.key_to_bindings.get(key, ()))


async def default_key_handling(widget: Widget, event: events.Key) -> None:
    """Let `widget` handle `event` the way Textual would when no binding takes it (an Input or
    TextArea inserts the character), now.

    Private: `Widget._on_key`; the public routes (`post_message`, `simulate_key`) queue the key
    behind others already typed, and keys must be read in order, as they arrive."""
    await widget._on_key(event)


# ---- a Select's menu -------------------------------------------------------------------------
def select_values(select: Select[Any]) -> list[Any]:
    """The values of `select`'s menu, line by line (the blank line's first when the Select
    allows one).

    Private: `Select._options`; the public API sets the value, but a menu line can be turned
    into its value only through the Select's own list. Choosing a line the public way
    (`SelectOverlay.action_select`) posts a message, applied later: the next key would run
    before the choice."""
    return [value for _prompt, value in select._options]


class _LabelLaidOutWhenTaller(SelectCurrent):
    """A Select's closed line whose label, changed, lays the screen out only if it grows or
    shrinks (`tui.text.put`), as every other line of the app."""

    def update(self, label: RenderableType | NoSelection) -> None:
        self.label = label
        self.has_value = label is not Select.NULL
        shown = self.placeholder if isinstance(label, NoSelection) else label
        put(
            self.query_one("#label", Static), shown if isinstance(shown, str | Text) else str(shown)
        )


class SelectLabelKeepsTheLayout(Select[SelectType]):
    """A Select whose value, changed, does not lay the whole screen out.

    Textual's closed Select shows its value's label with `Static.update`, which lays out the
    screen by default: the form's four menus did so for each service shown, most of the
    layouts of `j` in the list, although a label of one line keeps its size. Private: the
    closed line, `SelectCurrent`, is exported by no public module; this swaps it, as Textual's
    `compose` yields it, for one that updates its label through `put`.
    tests/test_textual_private.py checks that the pinned Textual still composes one and lays
    out for a label, and that this shows the same label without the layout."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if type(widget) is SelectCurrent:
                widget = _LabelLaidOutWhenTaller(widget.placeholder)
            yield widget


class ImmediateFocusSelect(Select[SelectType]):
    """A Select whose menu opening or closing is handled by `expanded_changed`, in place of
    Textual's own handling.

    Private: Textual's `Select._watch_expanded` moves the focus with `Widget.focus()`, later,
    from the App's queue; a public `watch_expanded` would run after it, too late to stop that
    move. Overriding the private watcher is the only way to move the focus at once."""

    def expanded_changed(self, expanded: bool) -> None:
        """The menu opened or closed (by default, Textual's own handling)."""
        super()._watch_expanded(expanded)

    def _watch_expanded(self, expanded: bool) -> None:
        self.expanded_changed(expanded)


# ---- tables ----------------------------------------------------------------------------------
class LinesFollowColumnWidths(DataTable[Any]):
    """A DataTable whose lines painted before its columns were measured are painted again.

    DataTable measures the columns of new rows later, when it is idle, and keeps the lines it
    painted meanwhile (keyed by its update count, which the measuring does not change): a
    table of fixed height, filled while on screen (the Health tab), could keep its header at
    the old widths above rows at the new ones, as its snapshot caught in two full runs.
    Private: `DataTable._update_dimensions` and its caches of painted cells, rows and lines;
    tests/test_textual_private.py checks that plain Textual keeps the old header and that
    this one does not."""

    def _update_dimensions(self, new_rows: Iterable[Any]) -> None:
        # before measuring, which renders (and pads) the cells of rows of automatic height
        self._cell_render_cache.clear()  # cells at the old widths, the header's too
        self._row_render_cache.clear()
        self._line_cache.clear()
        super()._update_dimensions(new_rows)


# ---- tabs ------------------------------------------------------------------------------------
def center_active_tab(tabbed: TabbedContent) -> None:
    """Scroll the tab strip so that the active tab is in its middle, wherever the strip was.

    Where the tabs do not all fit, Textual centres the active one with `scroll_to_center`,
    whose answer can be a column off, and which column depends on where the strip was when
    it asked: the tour's snapshot at 120x40 came out either way, by the timing of earlier
    moves (2 runs in 12 under an artificially slowed loop). This computes the place
    from the tab's own offset in the strip, and scrolls there after Textual's own scroll (the
    last scroll of an attribute replaces an earlier one still pending). Private:
    `ContentTabs` and its strip, `#tabs-scroll`, are exported by no public module;
    tests/test_textual_private.py checks that the strip comes to the same place, the middle,
    from either end."""
    if not tabbed.is_attached:
        return  # removed before the refresh this waited for
    try:
        tabs = tabbed.query_one(ContentTabs)
        strip = tabs.query_one("#tabs-scroll")
    except NoMatches:
        return
    tab = tabs.active_tab
    if tab is None:
        return
    place = tab.virtual_region.x + tab.virtual_region.width // 2 - strip.size.width // 2
    strip.scroll_to(x=max(0, min(place, strip.max_scroll_x)), animate=True, force=True)


# ---- a RadioSet used as a menu ---------------------------------------------------------------
def radio_highlighted(radio_set: RadioSet) -> int | None:
    """The index of the highlighted (not necessarily pressed) button.

    Private: `RadioSet._selected`; its public actions only step one button at a time with
    wrap-around, while the app's menus jump (g/G, ctrl+d/ctrl+u) and stop at the ends."""
    return radio_set._selected


def highlight_radio(radio_set: RadioSet, index: int | None) -> None:
    """Highlight the `index`-th button (None: none), without pressing it. Private: see
    `radio_highlighted`."""
    radio_set._selected = index


def record_pressed(radio_set: RadioSet, button: RadioButton) -> None:
    """Tell `radio_set` that `button` is its pressed one, now.

    Private: `RadioSet._pressed_button`; set publicly (a button's `value`), the RadioSet
    learns of it from a message handled later, and meanwhile reports the previous choice
    (a form loading another service would show the old one's)."""
    radio_set._pressed_button = button


__all__ = [
    "ContentSizeLaysOutNothing",
    "ContentTabs",
    "FocusRepaintsOnlyWhatChanged",
    "FrameFilterApp",
    "ImmediateFocusSelect",
    "LinesFollowColumnWidths",
    "OffScreenRepaintsKeepTheMap",
    "PaintsWhatChanged",
    "SelectCurrent",
    "SelectLabelKeepsTheLayout",
    "SelectOverlay",
    "StyledOnceWhenPushed",
    "TextInput",
    "action_state",
    "binding_chain",
    "center_active_tab",
    "default_key_handling",
    "give_breakpoint_classes",
    "highlight_radio",
    "map_frame_strips",
    "own_bindings",
    "radio_highlighted",
    "record_pressed",
    "run_priority_bindings",
    "select_values",
    "share_parsed_css",
]
