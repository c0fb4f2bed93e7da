"""Each use of Textual's private API (msgsvc_tui/tui/textual_private.py), exercised against the
pinned Textual. A pin bump that renames, removes or changes what one of them does fails here,
naming the private name and the function that wraps it, rather than as a keyboard bug.

Small apps of Textual's own widgets only: what is checked is Textual, not the app."""

from __future__ import annotations

import html
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.segment import Segment
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import (
    DataTable,
    Input,
    RadioButton,
    RadioSet,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from msgsvc_tui.tui import textual_private as private

PIN = f"textual=={version('textual')}"


@contextmanager
def relies_on(private_name: str, wrapper: str) -> Iterator[None]:
    """A failure inside names what changed in Textual and which wrapper needs a new way."""
    try:
        yield
    except (AttributeError, ImportError, TypeError, KeyError, IndexError) as error:
        pytest.fail(
            f"{PIN}: Textual's private {private_name} changed ({error!r}); "
            f"textual_private.{wrapper} needs another way"
        )


def changed(private_name: str, wrapper: str, what: str) -> str:
    return f"{PIN}: Textual's private {private_name} {what}; textual_private.{wrapper} relies on it"


# ---- frames ----------------------------------------------------------------------------------
def shout(strip: Strip) -> Strip:
    return Strip([Segment(t.upper(), style, c) for t, style, c in strip], strip.cell_length)


class Recording(private.FrameFilterApp[None]):
    def __init__(self, *, shouting: bool = False) -> None:
        super().__init__()
        self.shouting = shouting
        self.frames: list[object] = []

    def compose(self) -> ComposeResult:
        yield Static("abc", id="text")

    def filter_frame(self, update: object) -> object:
        self.frames.append(update)
        return private.map_frame_strips(update, shout) if self.shouting else update


def _text(update: Any, console: Any) -> str:
    """What a compositor update writes (Textual also displays None: nothing)."""
    return "" if update is None else str(update.render_segments(console))


async def test_frame_filter_app_sees_every_frame_textual_displays(monkeypatch):
    displayed: list[object] = []
    original = App._display

    def display(self: App[Any], screen: Any, renderable: Any) -> None:
        displayed.append(renderable)
        original(self, screen, renderable)

    monkeypatch.setattr(App, "_display", display)
    app = Recording(shouting=True)
    async with app.run_test(size=(20, 3)) as pilot:
        await pilot.pause()
        with relies_on("App._display", "FrameFilterApp"):
            assert any("ABC" in _text(f, app.console) for f in displayed), changed(
                "App._display", "FrameFilterApp", "no longer receives the frames"
            )
        seen = len(displayed)
        app.query_one("#text", Static).update("xyz")
        await pilot.pause()
        assert any("XYZ" in _text(f, app.console) for f in displayed[seen:]), changed(
            "App._display", "FrameFilterApp", "no longer receives a widget's partial update"
        )
    # every frame Textual displayed went through filter_frame, and left it filtered
    assert len(displayed) == len(app.frames) > 0
    assert list(inspect.signature(original).parameters) == ["self", "screen", "renderable"], (
        changed("App._display", "FrameFilterApp", "takes other arguments")
    )


async def test_map_frame_strips_changes_full_and_partial_frames():
    app = Recording()
    async with app.run_test(size=(20, 3)) as pilot:
        await pilot.pause()
        app.query_one("#text", Static).update("xyz")
        await pilot.pause()
        kinds = {type(f).__name__ for f in app.frames}
        assert {"LayoutUpdate", "ChopsUpdate"} <= kinds, changed(
            "_compositor.LayoutUpdate/ChopsUpdate", "map_frame_strips", f"became {kinds}"
        )
        for frame in app.frames:
            before = _text(frame, app.console)
            with relies_on("_compositor.LayoutUpdate.strips/ChopsUpdate.chops", "map_frame_strips"):
                after = _text(private.map_frame_strips(frame, shout), app.console)
            if "abc" in before or "xyz" in before:
                assert "ABC" in after or "XYZ" in after, changed(
                    "compositor updates", "map_frame_strips", "keep their text elsewhere"
                )
    assert private.map_frame_strips("not a frame", shout) == "not a frame"


# ---- focus -----------------------------------------------------------------------------------
class Cell(Static, can_focus=True):
    DEFAULT_CSS = "Cell:focus { background: red; }"


class PlainCells(Screen[None]):
    def compose(self) -> ComposeResult:
        for name in "abcd":
            yield Cell(name, id=name)


class Cells(private.FocusRepaintsOnlyWhatChanged, PlainCells):
    pass


class CellApp(Recording):
    """The cells as the app's own screen. Pushed over the default screen, they left that
    screen's first layout to its update timer, whose full frame could land after the start,
    amid the move being counted."""

    def __init__(self, screen: Screen[None]) -> None:
        super().__init__()
        self.cells = screen

    def compose(self) -> ComposeResult:
        yield from ()

    def get_default_screen(self) -> Screen[None]:
        return self.cells


def _lines_written(frame: Any) -> set[int]:
    """The screen lines a compositor update writes: all of them for a full frame."""
    if type(frame).__name__ == "LayoutUpdate":
        return set(range(frame.region.y, frame.region.bottom))
    return {y for y, chop in enumerate(frame.chops) if any(s is not None for s in chop.values())}


async def _lines_written_by_a_focus_move(screen: Screen[None]) -> tuple[set[int], str]:
    """Moving the focus from a (line 0) to b (line 1) of four cells."""
    app = CellApp(screen)
    async with app.run_test(size=(20, 4)) as pilot:
        screen.set_focus(screen.query_one("#a"))
        await pilot.pause()
        app.frames.clear()
        screen.set_focus(screen.query_one("#b"))
        await pilot.pause()
        assert screen.focused is screen.query_one("#b")
        with relies_on("_compositor.LayoutUpdate/ChopsUpdate", "FocusRepaintsOnlyWhatChanged"):
            written = set().union(*(_lines_written(f) for f in app.frames if f is not None))
        painted = app.export_screenshot()
    return written, painted


async def test_a_focus_move_writes_the_two_widgets_lines_not_the_whole_screen():
    written, plain = await _lines_written_by_a_focus_move(PlainCells())
    assert written == {0, 1, 2, 3}, changed(
        "Screen.focused", "FocusRepaintsOnlyWhatChanged", "no longer repaints the whole screen"
    )
    with relies_on("Screen.focused", "FocusRepaintsOnlyWhatChanged"):
        declared = Screen.focused
        assert isinstance(declared, Reactive) and declared._repaint
    # the widget that lost the focus and the one that gained it (restyled) are written again,
    # and the screen ends the same
    written, painted = await _lines_written_by_a_focus_move(Cells())
    assert written == {0, 1}
    assert painted == plain


# ---- bindings --------------------------------------------------------------------------------
class Keyed(Widget, can_focus=True):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "mark('widget')", "Mark"),
        Binding("y", "app.hidden", "Hidden"),
    ]

    def action_mark(self, who: str) -> None:
        self.app.marks.append(who)  # type: ignore[attr-defined]


class Dialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("z", "app.mark('dialog')", "Mark")]

    def compose(self) -> ComposeResult:
        yield Keyed()


class KeyApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "mark('app')", "Mark"),
        Binding("ctrl+t", "mark('priority')", "Priority", priority=True),
        Binding("d", "dimmed", "Dimmed"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[str] = []

    def compose(self) -> ComposeResult:
        yield Keyed(id="keyed")

    def action_mark(self, who: str) -> None:
        self.marks.append(who)

    def action_hidden(self) -> None:
        self.marks.append("hidden")

    def action_dimmed(self) -> None:
        self.marks.append("dimmed")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return {"hidden": False, "dimmed": None}.get(action, True)


async def test_binding_chain_runs_from_the_focus_up_and_stops_at_a_modal():
    app = KeyApp()
    async with app.run_test() as pilot:
        keyed = app.query_one("#keyed", Keyed)
        keyed.focus()
        await pilot.pause()
        with relies_on("Screen._modal_binding_chain", "binding_chain"):
            chain = private.binding_chain(app.screen)
            namespaces = [node for node, _ in chain]
            assert namespaces[0] is keyed and namespaces[-1] is app, changed(
                "Screen._modal_binding_chain", "binding_chain", f"is ordered {namespaces}"
            )
            assert [b.action for b in chain[0][1].key_to_bindings["x"]] == ["mark('widget')"]
        app.push_screen(Dialog())
        await pilot.pause()
        with relies_on("Screen._modal_binding_chain", "binding_chain"):
            namespaces = [node for node, _ in private.binding_chain(app.screen)]
        assert app not in namespaces and namespaces[-1] is app.screen, changed(
            "Screen._modal_binding_chain", "binding_chain", "no longer stops at a modal"
        )


async def test_action_state_asks_the_namespace_that_owns_the_action():
    app = KeyApp()
    async with app.run_test():
        keyed = app.query_one("#keyed", Keyed)
        with relies_on("App._check_action_state", "action_state"):
            assert private.action_state(app, "hidden", app) is False
            assert private.action_state(app, "dimmed", app) is None
            assert private.action_state(app, "mark('app')", app) is True
            # "app.hidden" bound on a widget is the App's action: the App is asked
            assert private.action_state(app, "app.hidden", keyed) is False


async def test_run_priority_bindings_runs_them_at_once_and_only_them():
    app = KeyApp()
    async with app.run_test():
        with relies_on("App._check_bindings", "run_priority_bindings"):
            assert await private.run_priority_bindings(app, "ctrl+t") is True
            assert app.marks == ["priority"]  # now, not after the App's queue
            assert await private.run_priority_bindings(app, "x") is False
        assert app.marks == ["priority"], changed(
            "App._check_bindings", "run_priority_bindings", "ran a binding without priority"
        )


async def test_own_bindings_are_the_widget_classes_merged_bindings():
    app = KeyApp()
    async with app.run_test():
        keyed = app.query_one("#keyed", Keyed)
        with relies_on("DOMNode._bindings", "own_bindings"):
            assert [b.action for b in private.own_bindings(keyed, "x")] == ["mark('widget')"]
            assert private.own_bindings(keyed, "q") == ()
            field = Input()
            actions = {b.action for b in private.own_bindings(field, "backspace")}
        assert "delete_left" in actions, changed(
            "DOMNode._bindings", "own_bindings", f"gives Input's backspace {actions}"
        )


class Typing(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="input")
        yield TextArea(id="area")


async def test_default_key_handling_types_a_character_now():
    app = Typing()
    async with app.run_test() as pilot:
        field = app.query_one("#input", Input)
        area = app.query_one("#area", TextArea)
        field.focus()
        await pilot.pause()
        with relies_on("Widget._on_key", "default_key_handling"):
            await private.default_key_handling(field, events.Key("x", "x"))
            assert field.value == "x", changed(
                "Input._on_key", "default_key_handling", "no longer types a character"
            )
            area.focus()
            await pilot.pause()
            await private.default_key_handling(area, events.Key("y", "y"))
        assert area.text == "y", changed(
            "TextArea._on_key", "default_key_handling", "no longer types a character"
        )


# ---- a Select's menu -------------------------------------------------------------------------
class Menus(App[None]):
    def compose(self) -> ComposeResult:
        yield Select([("A", "a"), ("B", "b")], id="blank")
        yield Select([("A", "a"), ("B", "b")], allow_blank=False, id="full")


async def test_select_values_are_the_menu_lines_values_in_order():
    app = Menus()
    async with app.run_test() as pilot:
        await pilot.pause()
        blank = app.query_one("#blank", Select)
        full = app.query_one("#full", Select)
        with relies_on("Select._options", "select_values"):
            assert private.select_values(blank) == [Select.NULL, "a", "b"]
            assert private.select_values(full) == ["a", "b"]
        for select in (blank, full):
            overlay = select.query_one(private.SelectOverlay)
            assert overlay.option_count == len(private.select_values(select)), changed(
                "Select._options", "select_values", "no longer matches the menu's lines"
            )


class Opening(private.ImmediateFocusSelect[str]):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.seen: list[bool] = []

    def expanded_changed(self, expanded: bool) -> None:
        self.seen.append(expanded)


class OpeningApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Opening([("A", "a")], allow_blank=False, id="opening")
        yield private.ImmediateFocusSelect([("A", "a")], allow_blank=False, id="textual")


async def test_immediate_focus_select_replaces_textuals_expanded_watcher():
    app = OpeningApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        opening = app.query_one("#opening", Opening)
        opening.expanded = True
        assert opening.seen == [True], changed(
            "Select._watch_expanded", "ImmediateFocusSelect", "is no longer called on opening"
        )
        await pilot.pause()
        overlay = opening.query_one(private.SelectOverlay)
        assert not overlay.has_focus, changed(
            "Select._watch_expanded", "ImmediateFocusSelect", "is not the only opening handler"
        )
        opening.expanded = False
        assert opening.seen == [True, False]
        # left alone, expanded_changed is Textual's own: the menu opens and takes the focus
        plain = app.query_one("#textual", private.ImmediateFocusSelect)
        plain.expanded = True
        await pilot.pause()
        assert plain.query_one(private.SelectOverlay).has_focus
        assert plain.has_class("-expanded")


async def test_select_current_is_the_closed_selects_line():
    app = Menus()
    async with app.run_test() as pilot:
        await pilot.pause()
        current = app.query_one("#full", Select).query_one(private.SelectCurrent)
        with relies_on("SelectCurrent.has_value", "SelectCurrent"):
            assert current.has_value is True
            assert current.has_class("-has-value")


# ---- a RadioSet used as a menu ---------------------------------------------------------------
class Radios(App[None]):
    def compose(self) -> ComposeResult:
        with RadioSet(id="radios"):
            yield RadioButton("one", value=True, id="one")
            yield RadioButton("two", id="two")
            yield RadioButton("three", id="three")


async def test_radio_highlight_is_the_one_textuals_own_keys_move_and_press():
    app = Radios()
    async with app.run_test() as pilot:
        radios = app.query_one("#radios", RadioSet)
        radios.focus()
        await pilot.pause()
        buttons = list(radios.children)
        with relies_on("RadioSet._selected", "highlight_radio/radio_highlighted"):
            private.highlight_radio(radios, 2)
            assert private.radio_highlighted(radios) == 2
            assert buttons[2].has_class("-selected"), changed(
                "RadioSet._selected", "highlight_radio", "no longer shows the highlight"
            )
            assert radios.pressed_button is buttons[0]  # highlighted, not pressed
            radios.action_next_button()  # Textual's own key: from the highlight, wrapping
            assert private.radio_highlighted(radios) == 0, changed(
                "RadioSet._selected", "radio_highlighted", "is not what Textual's keys move"
            )
            private.highlight_radio(radios, 1)
            radios.action_toggle_button()
            await pilot.pause()
        assert radios.pressed_button is buttons[1], changed(
            "RadioSet._selected", "highlight_radio", "is not what Textual's enter presses"
        )
        private.highlight_radio(radios, None)
        assert private.radio_highlighted(radios) is None


async def test_record_pressed_is_what_the_radio_set_reports_at_once():
    app = Radios()
    async with app.run_test() as pilot:
        radios = app.query_one("#radios", RadioSet)
        one, two, three = radios.query(RadioButton)
        await pilot.pause()
        with radios.prevent(RadioButton.Changed):  # as a form's load: no message at all
            one.value = False
            two.value = True
        with relies_on("RadioSet._pressed_button", "record_pressed"):
            private.record_pressed(radios, two)
            assert radios.pressed_button is two and radios.pressed_index == 1
        # the record is the one Textual turns off when another button is pressed
        three.value = True
        await pilot.pause()
        assert not two.value and radios.pressed_button is three, changed(
            "RadioSet._pressed_button", "record_pressed", "is not what a press turns off"
        )


def test_every_wrapper_is_tested_here():
    """A new wrapper in textual_private comes with its test in this file."""
    source = Path(__file__).read_text()
    untested = [name for name in private.__all__ if f"private.{name}" not in source]
    assert not untested, f"no test uses textual_private.{untested}"


# ---- repaints out of sight -------------------------------------------------------------------
class Tall(Screen[None]):
    """Ten lines on a screen of three: the last ones are out of sight until scrolled to."""

    def compose(self) -> ComposeResult:
        for n in range(10):
            yield Static(f"line {n}", id=f"line{n}")


class TallKeepingTheMap(private.OffScreenRepaintsKeepTheMap, Tall):
    pass


class TallApp(App[None]):
    CSS = "Screen { overflow-y: auto; } Static { height: 1; }"

    def __init__(self, tall: Screen[None]) -> None:
        super().__init__()
        self.tall = tall

    def on_mount(self) -> None:
        self.push_screen(self.tall)


async def _maps_rebuilt_by_repaints_out_of_sight(tall: Screen[None]) -> tuple[int, str]:
    """Whole-screen maps rebuilt while the last line, out of sight, is repainted five times;
    then the screen scrolled to the end."""
    app = TallApp(tall)
    async with app.run_test(size=(12, 3)) as pilot:
        await pilot.pause()
        last = tall.query_one("#line9", Static)
        with relies_on("Screen._compositor", "OffScreenRepaintsKeepTheMap"):
            compositor = tall._compositor
            arrange = compositor._arrange_root
            rebuilt: list[bool] = []

            def counted(*args: Any, **kwargs: Any) -> Any:
                rebuilt.append(kwargs.get("visible_only", True) is False)
                return arrange(*args, **kwargs)

            compositor._arrange_root = counted  # type: ignore[method-assign]
        for n in range(5):
            last.update(f"new {n}", layout=False)
            await pilot.pause()
            assert last.size.width  # a question about its size, as a repaint asks
        count = sum(rebuilt)
        tall.scroll_end(animate=False)
        await pilot.pause()
        return count, app.export_screenshot()


async def test_a_repaint_out_of_sight_keeps_the_screens_map_and_shows_once_in_sight():
    plain, plain_screen = await _maps_rebuilt_by_repaints_out_of_sight(Tall())
    assert plain >= 4, changed(
        "Compositor.update_widgets", "OffScreenRepaintsKeepTheMap", "no longer rebuilds its map"
    )
    kept, kept_screen = await _maps_rebuilt_by_repaints_out_of_sight(TallKeepingTheMap())
    assert kept == 0
    assert "new 4" in html.unescape(kept_screen).replace("\xa0", " ")
    assert kept_screen == plain_screen


# ---- styling -------------------------------------------------------------------------------
class Rows(Screen[None]):
    def compose(self) -> ComposeResult:
        for name in "abcd":
            yield Static(name, classes="row")


class RowsStyledOnce(private.StyledOnceWhenPushed, Rows):
    pass


class RowsApp(App[None]):
    CSS = (
        ".row { color: red; } .row:first-child { background: blue; } .row:last-child { height: 2; }"
    )

    def __init__(self, rows: Screen[None]) -> None:
        super().__init__()
        self.rows = rows

    def on_mount(self) -> None:
        self.push_screen(self.rows)


async def _restyles_at_start(rows: Screen[None]) -> tuple[int, list[str], str, list[str]]:
    """Nodes restyled as a whole (`Stylesheet.update_nodes`) while `rows` is first shown; the
    rows' styles and the screen then, and the rows' styles after a full restyle."""
    app = RowsApp(rows)
    restyled: list[object] = []
    update_nodes = app.stylesheet.update_nodes

    def counted(nodes: Any, animate: bool = False) -> None:
        nodes = list(nodes)
        restyled.extend(nodes)
        update_nodes(nodes, animate=animate)

    app.stylesheet.update_nodes = counted  # type: ignore[method-assign]
    async with app.run_test(size=(10, 6)) as pilot:
        await pilot.pause()
        count = len(restyled)
        styles = [row.styles.css for row in rows.query(".row")]
        painted = app.export_screenshot()
        rows.update_node_styles(animate=False)
        await pilot.pause()
        assert app.export_screenshot() == painted
        return count, styles, painted, [row.styles.css for row in rows.query(".row")]


async def test_a_screen_shown_the_first_time_is_styled_once_and_completely():
    count, styles, painted, full = await _restyles_at_start(Rows())
    assert count >= 10, changed(
        "Screen._on_screen_resume", "StyledOnceWhenPushed", "no longer restyles a new screen"
    )
    assert styles == full
    once, once_styles, once_painted, once_full = await _restyles_at_start(RowsStyledOnce())
    assert count - once == 5  # the screen and its four rows are not styled all over again
    assert once_styles == once_full == full  # and each is styled as a full restyle leaves it
    assert once_painted == painted


# ---- breakpoints -----------------------------------------------------------------------------
BREAKPOINT_CLASSES = ("-narrow", "-mid", "-wide", "-short", "-tall")


class Breakpoints(Screen[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-mid"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]


class AppBreakpoints(Screen[None]):
    """No breakpoints of its own: the app's apply."""


class BreakpointsApp(App[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (70, "-wide")]

    def __init__(self, shown: Screen[None]) -> None:
        super().__init__()
        self.shown = shown

    def on_mount(self) -> None:
        self.push_screen(self.shown)


@pytest.mark.parametrize("size", [(59, 29), (60, 30), (99, 24), (100, 40), (130, 10)])
@pytest.mark.parametrize("kind", [Breakpoints, AppBreakpoints])
async def test_breakpoint_classes_given_when_built_are_those_a_resize_gives(kind, size):
    app = BreakpointsApp(kind())
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        textuals = {c for c in BREAKPOINT_CLASSES if app.shown.has_class(c)}
        assert textuals, "Textual's resize gave the pushed screen no breakpoint class"
        built = kind()
        private.give_breakpoint_classes(built, Size(*size))
        assert {c for c in BREAKPOINT_CLASSES if built.has_class(c)} == textuals


async def test_the_app_screens_mixin_has_all_three_savings_together():
    class CellsTogether(private.PaintsWhatChanged, PlainCells):
        pass

    class RowsTogether(private.PaintsWhatChanged, Rows):
        pass

    class TallTogether(private.PaintsWhatChanged, Tall):
        pass

    written, _ = await _lines_written_by_a_focus_move(CellsTogether())
    assert written == {0, 1}
    plain, *_ = await _restyles_at_start(Rows())
    together, styles, _, full = await _restyles_at_start(RowsTogether())
    assert plain - together == 5 and styles == full
    kept, _ = await _maps_rebuilt_by_repaints_out_of_sight(TallTogether())
    assert kept == 0


# ---- typing ----------------------------------------------------------------------------------
class TypingApp(App[None]):
    CSS = "Input { width: 12; border: none; height: 1; padding: 0; }"

    def __init__(self, field: Input) -> None:
        super().__init__()
        self.field = field

    def compose(self) -> ComposeResult:
        yield self.field
        yield Static("below", id="below")


async def _typing(field: Input, text: str) -> tuple[int, str, float]:
    """Layouts while `text` is typed into `field`, then the painted screen and the scroll."""
    app = TypingApp(field)
    async with app.run_test(size=(20, 3)) as pilot:
        field.focus()
        await pilot.pause()
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append)
        await pilot.press(*text)
        await pilot.pause()
        assert field.value == text
        return len(layouts), app.export_screenshot(), field.scroll_x


async def test_typing_into_a_text_input_lays_out_nothing_and_paints_the_same():
    plain, _, _ = await _typing(Input(), "abcdef")
    assert plain >= 1, changed(
        "Widget.virtual_size", "ContentSizeLaysOutNothing", "no longer lays out when an Input types"
    )
    with relies_on("Widget.virtual_size", "ContentSizeLaysOutNothing"):
        declared = Widget.virtual_size
        assert isinstance(declared, Reactive) and declared._layout
    quiet, _, _ = await _typing(private.TextInput(), "abcdef")
    assert quiet == 0
    # a value longer than the field scrolls to the cursor exactly as Textual's own Input does
    long = "a value longer than the field"
    _, plain_screen, plain_scroll = await _typing(Input(), long)
    _, quiet_screen, quiet_scroll = await _typing(private.TextInput(), long)
    assert quiet_scroll == plain_scroll > 0
    assert quiet_screen == plain_screen


class QuietColumn(private.ContentSizeLaysOutNothing, VerticalScroll):
    pass


class ColumnApp(App[None]):
    """A scrolling column of a fixed height: four rows, four more hidden, a line below."""

    def __init__(self, column: VerticalScroll, height: int) -> None:
        super().__init__()
        self.column = column
        self.CSS = f"VerticalScroll {{ height: {height}; }} .extra {{ display: none; }}"

    def compose(self) -> ComposeResult:
        with self.column:
            for n in range(4):
                yield Static(f"row {n}")
            for n in range(4):
                yield Static(f"extra {n}", classes="extra")
        yield Static("below", id="below")


async def _rows_shown(column: VerticalScroll, height: int) -> tuple[int, list[Any]]:
    """Layouts while two hidden rows are shown, hidden and shown again (the form's webhook
    rows as `j` moves between services), then scrolled to the end and hidden there; after
    each step, the painted screen, whether the column shows a scrollbar, and its scroll."""
    app = ColumnApp(column, height)
    async with app.run_test(size=(20, 8)) as pilot:
        await pilot.pause()
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append)
        states: list[Any] = []
        extras = list(column.query(".extra"))

        async def show(shown: int) -> None:
            for n, extra in enumerate(extras):
                extra.display = n < shown
            await pilot.pause()
            await pilot.pause()  # and the layout asked for during the last one, if any
            states.append(
                (app.export_screenshot(), column.show_vertical_scrollbar, column.scroll_y)
            )

        for shown in (2, 0, 2):
            await show(shown)
        column.scroll_end(animate=False)
        await pilot.pause()
        states.append((app.export_screenshot(), column.show_vertical_scrollbar, column.scroll_y))
        await show(0)  # the rows go while the column is scrolled to its end
        return len(layouts), states


async def test_a_column_whose_rows_come_and_go_lays_out_once_and_paints_the_same():
    """In a column already scrolling (3 lines for 4 rows, as the form at 80x24), Textual lays
    the screen out a second time for the column's new content size alone; a column that
    starts to scroll (5 lines for 6 rows) still lays out for the scrollbar that comes and
    goes. Either way the screens, scrollbars and scroll are Textual's own, rows hidden while
    scrolled to the end included."""
    plain, plain_states = await _rows_shown(VerticalScroll(), 3)
    quiet, quiet_states = await _rows_shown(QuietColumn(), 3)
    assert quiet < plain, changed(
        "Widget.virtual_size",
        "ContentSizeLaysOutNothing",
        "no longer lays out again for a content size",
    )
    assert quiet_states == plain_states
    assert [scroll for *_, scroll in quiet_states] == [0, 0, 0, 3, 1]
    plain, plain_states = await _rows_shown(VerticalScroll(), 5)
    quiet, quiet_states = await _rows_shown(QuietColumn(), 5)
    assert quiet_states == plain_states
    assert [(bar, scroll) for _, bar, scroll in quiet_states] == [
        (True, 0),
        (False, 0),
        (True, 0),
        (True, 1),
        (False, 0),
    ]


# ---- a Select's label -----------------------------------------------------------------------
async def _laid_out(pilot: Any, screen: Screen[None]) -> None:
    """Until no layout is asked for by the screen or any of its widgets (a pause ends with the
    layout asked for by then; one asked for during it is asked after)."""
    for _ in range(50):
        await pilot.pause()
        with relies_on("Widget._layout_required", "SelectLabelKeepsTheLayout"):
            nodes = screen.walk_children(Widget, with_self=True)
            if not any(node._layout_required for node in nodes):
                return
    raise AssertionError("the screen kept asking for layouts")


class Choosing(App[None]):
    CSS = "Select { width: 16; }"

    def __init__(self, select: Select[str]) -> None:
        super().__init__()
        self.select = select

    def compose(self) -> ComposeResult:
        yield self.select
        yield Static("below", id="below")


async def _layouts_as_the_value_changes(select: Select[str]) -> tuple[int, str, list[str]]:
    """Layouts while the closed Select is set to three values in turn; then the screen, and
    the label shown after each value."""
    app = Choosing(select)
    async with app.run_test(size=(20, 6)) as pilot:
        screen = app.screen
        await _laid_out(pilot, screen)
        layouts: list[object] = []
        with relies_on("Screen._refresh_layout", "SelectLabelKeepsTheLayout"):
            refresh_layout = screen._refresh_layout

            def counted(size: Any = None, scroll: bool = False) -> None:
                if not scroll or screen._layout_widgets:
                    layouts.append(size)
                refresh_layout(size, scroll)

            screen._refresh_layout = counted  # type: ignore[method-assign]
        labels: list[str] = []
        for value in ("b", "c", "a"):
            select.value = value
            await _laid_out(pilot, screen)
            label = select.query_one(private.SelectCurrent).query_one("#label", Static)
            labels.append(str(label.render()))
        return len(layouts), app.export_screenshot(), labels


async def test_a_select_shows_a_new_value_without_laying_the_screen_out():
    options = [("GET", "a"), ("POST", "b"), ("PUT", "c")]
    plain, plain_screen, plain_labels = await _layouts_as_the_value_changes(
        Select(options, allow_blank=False)
    )
    assert plain >= 3, changed(
        "SelectCurrent.update", "SelectLabelKeepsTheLayout", "no longer lays out for a label"
    )
    quiet, quiet_screen, quiet_labels = await _layouts_as_the_value_changes(
        private.SelectLabelKeepsTheLayout(options, allow_blank=False)
    )
    assert quiet == 0
    assert quiet_labels == plain_labels == ["POST", "PUT", "GET"]
    assert quiet_screen == plain_screen


# ---- many apps in one process ----------------------------------------------------------------
class Painted(App[None]):
    CSS = ".painted-once { color: red; background: $primary; height: 2; }"

    def compose(self) -> ComposeResult:
        yield Static("x", classes="painted-once")


async def _parses_of_own_css(app: App[None], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """How often Textual parses `app`'s own CSS while it starts; its line's styles then."""
    import textual.css.stylesheet as stylesheet

    parsed: list[str] = []
    with relies_on("textual.css.stylesheet.parse", "share_parsed_css"):
        parse = stylesheet.parse

    def counted(scope: str, css: str, *args: Any, **kw: Any) -> Any:
        if "painted-once" in css:
            parsed.append(css)
        return parse(scope, css, *args, **kw)

    monkeypatch.setattr(stylesheet, "parse", counted)
    async with app.run_test(size=(10, 3)) as pilot:
        await pilot.pause()
        styles = app.query_one(".painted-once").styles.css
    monkeypatch.setattr(stylesheet, "parse", parse)
    return len(parsed), styles


async def test_apps_of_one_process_parse_each_css_once_per_theme(monkeypatch):
    with relies_on("Stylesheet._parse_rules", "share_parsed_css"):
        private.share_parsed_css()
        private.share_parsed_css()  # twice is once
    _, first_styles = await _parses_of_own_css(Painted(), monkeypatch)
    again, again_styles = await _parses_of_own_css(Painted(), monkeypatch)
    assert again == 0
    assert again_styles == first_styles and "height: 2" in first_styles
    other = Painted()
    other.theme = "nord" if Painted().theme != "nord" else "gruvbox"  # other variables
    parsed, other_styles = await _parses_of_own_css(other, monkeypatch)
    assert parsed >= 1
    assert other_styles != first_styles  # $primary is the other theme's


# ---- tabs ------------------------------------------------------------------------------------
class ManyTabs(App[None]):
    """Eight tabs in a strip narrower than they are; `centred` centres as the app does."""

    def __init__(self, centred: bool) -> None:
        super().__init__()
        self.centred = centred

    def compose(self) -> ComposeResult:
        names = ["Settings", "Senders", "Channels", "Countries", "A2P", "Links", "Messages"]
        with TabbedContent():
            for n, name in enumerate([*names, "Health"], 1):
                yield TabPane(f"{n} {name}", Static(name), id=f"t{n}")

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if self.centred:
            self.call_after_refresh(private.center_active_tab, event.tabbed_content)


async def _strip_after(centred: bool, *tabs: str) -> tuple[float, int]:
    """The strip's scroll once each of `tabs` was made active in turn; the centred place."""
    app = ManyTabs(centred)
    async with app.run_test(size=(40, 6)) as pilot:
        tabbed = app.query_one(TabbedContent)
        for tab in tabs:
            tabbed.active = tab
            await pilot.pause()
            await pilot.wait_for_scheduled_animations()
            await pilot.pause()
        with relies_on("ContentTabs #tabs-scroll", "center_active_tab"):
            strip = app.query_one(private.ContentTabs).query_one("#tabs-scroll")
            active = app.query_one(private.ContentTabs).active_tab
            assert active is not None
            region = active.virtual_region
        centre = region.x + region.width // 2 - strip.size.width // 2
        return strip.scroll_x, max(0, min(centre, strip.max_scroll_x))


async def test_the_active_tab_comes_to_the_middle_of_the_strip_from_either_end():
    from_start, centre = await _strip_after(True, "t5")
    from_end, same_centre = await _strip_after(True, "t8", "t5")
    from_start_again, _ = await _strip_after(True, "t1", "t5")
    assert centre == same_centre > 0
    assert from_start == from_end == from_start_again == centre
    # asked after its tabs were removed (the refresh it waited for came later): nothing
    app = ManyTabs(centred=False)
    async with app.run_test(size=(40, 6)) as pilot:
        tabbed = app.query_one(TabbedContent)
        await tabbed.remove()
        await pilot.pause()
        private.center_active_tab(tabbed)


# ---- tables ----------------------------------------------------------------------------------
class Table(App[None]):
    CSS = "DataTable { height: 6; }"  # a fixed height: new rows do not resize it

    def __init__(self, table: DataTable[str]) -> None:
        super().__init__()
        self.table = table

    def compose(self) -> ComposeResult:
        self.table.add_columns("Severity", "Check", "What")
        yield self.table


async def _header_after_rows_painted_early(table: DataTable[str]) -> str:
    """The header once a row wider than it was added and a frame painted before the table
    was idle (as a busy screen does), then the table left to measure its columns."""
    app = Table(table)
    async with app.run_test(size=(60, 8)) as pilot:
        await pilot.pause()
        table.clear()
        table.add_row("error", "TF-UNVERIFIED", "Toll-free number not verified")
        table.render_line(0)  # the frame painted before the table measured its columns
        await pilot.pause()
        return table.render_line(0).text


async def test_a_table_paints_its_header_again_once_its_columns_are_measured():
    plain = await _header_after_rows_painted_early(DataTable())
    assert "Check  What" in plain, changed(
        "DataTable._update_dimensions", "LinesFollowColumnWidths", "no longer keeps old lines"
    )
    with relies_on("DataTable._cell_render_cache", "LinesFollowColumnWidths"):
        fresh = await _header_after_rows_painted_early(private.LinesFollowColumnWidths())
    assert "Check          What" in fresh  # "TF-UNVERIFIED" is 13 wide
