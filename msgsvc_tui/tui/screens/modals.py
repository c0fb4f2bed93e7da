"""Dialogs: the one base every modal screen derives from (`Dialog`), the small questions built
on it, the inputs checked as typed (`CheckedDialog`, `PromptScreen` for one line), a text to
read (`ReadingDialog`), and the one way to ask before acting (`confirm_then`). Each dialog
answers with a typed result through `dismiss`; escape answers None."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.geometry import Region, Size
from textual.layout import DockArrangeResult, WidgetPlacement
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static
from textual.widgets.button import ButtonVariant

from msgsvc_tui.core.editing import Difference
from msgsvc_tui.tui.keymode import focus_now, key_label
from msgsvc_tui.tui.text import as_text, put
from msgsvc_tui.tui.textual_private import PaintsWhatChanged, TextInput
from msgsvc_tui.tui.widgets.nav import NavScroll

ResultT = TypeVar("ResultT")

# escape backs out one level: a dialog that does not bind it itself gets this one, last (so
# the key bar's order of the dialog's own keys stays as the dialog lists them)
_ESCAPE = Binding("escape", "cancel", "Cancel", show=False, id="dialog-cancel", tooltip="Close")


def _bound_keys(cls: type) -> set[str]:
    """Every key a class or one of its bases binds."""
    out: set[str] = set()
    for klass in cls.__mro__:
        for b in klass.__dict__.get("BINDINGS", []):
            keys = b.key if isinstance(b, Binding) else b[0]
            out.update(k.strip() for k in keys.split(","))
    return out


def key_button(
    binding: Binding, label: str = "", *, id: str, variant: ButtonVariant = "default"
) -> Button:
    """A button that does what `binding` does, its key in its label ("Save [s]"): the
    mouse's way to a dialog's command, never a second implementation of it."""
    key = key_label(binding.key.split(",")[0])
    return Button(
        f"{label or binding.description} \\[{key}]",
        id=id,
        variant=variant,
        action=f"screen.{binding.action}",
    )


# a choice dialog's answer: (key, answer, words, button variant)
Answer = tuple[str, str, str, ButtonVariant]


def _answer_action(answer: str) -> str:
    return "cancel" if answer == "cancel" else f"answer('{answer}')"


def answer_bindings(prefix: str, answers: tuple[Answer, ...]) -> list[BindingType]:
    """A key per answer (id `prefix-answer`); "cancel" answers None, as escape does."""
    return [
        Binding(key, _answer_action(answer), words, id=f"{prefix}-{answer}")
        for key, answer, words, _ in answers
    ]


class DialogFrame(Vertical):
    """The box a dialog (and the welcome screen) is drawn in: a bold title line, a body that
    scrolls past 30 lines (or sooner, on a screen too short for them: see `arrange`), buttons
    on the right. `wide` for lists and long texts."""

    DEFAULT_CSS: ClassVar[str] = """
    DialogFrame {
        width: 64;
        max-width: 95%;
        margin: 0;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    DialogFrame.wide {
        width: 90%;
        max-width: 100;
    }
    DialogFrame .dialog-title {
        width: 100%;  /* a long title (a service's name in it) wraps, never cut at the frame */
        text-style: bold;
        margin-bottom: 1;
    }
    DialogFrame .dialog-body {
        height: auto;
        max-height: 30;
    }
    DialogFrame .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    DialogFrame .dialog-buttons Button {
        margin-left: 1;
        min-width: 10;
    }
    """

    def arrange(self, size: Size, optimal: bool = False) -> DockArrangeResult:
        """The frame's children, its body (`.dialog-body`) cut to the room the frame has.

        The frame is as tall as what it holds, up to 90% of the screen; the body's own cap is
        a number of lines, which knows nothing of the title and buttons beside it nor of the
        screen's height. Textual never shrinks a child to fit: where the three together are
        taller than the frame (the help at 80x24: a body of 30 lines in a frame of 17), the
        frame cut off the bottom of the body, scrollbar included, and the body scrolled its
        last lines to where they could not be seen. Cut here instead, the body is only as
        tall as the room left: a body that scrolls (all but the confirm's and the welcome's
        few lines) reaches every line, its scrollbar shows how much is left, and what is
        under it (the buttons) moves up into sight."""
        arrangement = super().arrange(size, optimal)
        overflow = arrangement.total_region.bottom - size.height
        if not size.height or overflow <= 0:  # measured for its height, or it all fits
            return arrangement
        placements: list[WidgetPlacement] = []
        cut = 0  # lines taken from the bodies above so far: what is below them moves up
        for p in arrangement.placements:
            region = p.region
            if cut and not (p.fixed or p.overlay or p.absolute):
                region = region.translate((0, -cut))
            if cut < overflow and p.widget.has_class("dialog-body"):
                lines = max(0, min(overflow - cut, region.height - 1))
                region = Region(region.x, region.y, region.width, region.height - lines)
                cut += lines
            placements.append(WidgetPlacement(region, *p[1:]))
        return DockArrangeResult(placements, arrangement.widgets, arrangement.scroll_spacing)


class Dialog(PaintsWhatChanged, ModalScreen[ResultT]):
    """A modal screen over the app: its frame and title, escape answering None (one level
    back), the focus on open, how the key bar names it, and its error line.

    A subclass yields its content from `compose_body` and may set FRAME_ID (the frame's id,
    which the stylesheet and tests use), FRAME_CLASSES ("wide", …), FOCUS (a selector: the
    first focusable match has the focus once it opens) and TITLE_IN_KEY_BAR (the key bar says
    "DIALOG <title>", else just "DIALOG": for a title that is a question asked now, not a
    place whose keys already say what it is)."""

    DEFAULT_CSS: ClassVar[str] = """
    Dialog {
        align: center middle;
    }
    """
    FRAME_ID: ClassVar[str | None] = None
    FRAME_CLASSES: ClassVar[str] = ""
    FOCUS: ClassVar[str] = "*"
    TITLE_IN_KEY_BAR: ClassVar[bool] = False

    def __init_subclass__(cls, **kw: Any) -> None:
        # before Textual's own __init_subclass__, which merges the classes' BINDINGS
        if "escape" not in _bound_keys(cls):
            cls.BINDINGS = [*cls.__dict__.get("BINDINGS", []), _ESCAPE]
        super().__init_subclass__(**kw)

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.title_text = title

    @property
    def mode_name(self) -> str:
        """What the key bar names after DIALOG."""
        return self.title_text if self.TITLE_IN_KEY_BAR else ""

    def frame_id(self) -> str | None:
        return self.FRAME_ID

    def compose(self) -> ComposeResult:
        with DialogFrame(classes=self.FRAME_CLASSES, id=self.frame_id()):
            yield Label(as_text(self.title_text), classes="dialog-title")
            yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        """What the dialog shows under its title."""
        yield from ()

    def first_focus(self) -> Widget | None:
        """What has the focus when the dialog opens: never nothing."""
        return next((w for w in self.query(self.FOCUS) if w.focusable), None)

    def on_mount(self) -> None:
        # after the subclass's own on_mount (Textual calls each class's handler, the
        # subclass's first): whatever it built is there to take the focus. At once, for
        # keys typed right after; not scrolled to, as nothing is laid out yet (and what
        # takes the focus first is at the top)
        target = self.first_focus()
        if target is not None:
            focus_now(target, scroll_visible=False)

    def say(self, message: str | Text, where: str = ".error") -> None:
        """Show `message` on the error line `where` (a selector); "" hides the line."""
        line = self.query_one(where, Static)
        put(line, message)  # checked as typed: an unchanged line is not laid out again
        line.set_class(bool(message), "-shown")

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(Dialog[bool]):
    """Yes/no: `y` confirms, `n` or escape cancels. Asked only by `confirm_then`."""

    TITLE_IN_KEY_BAR = True
    YES = Binding("y", "answer(True)", "Yes", id="confirm-yes", tooltip="Confirm")
    NO = Binding("n", "answer(False)", "No", id="confirm-no", tooltip="Cancel")
    BINDINGS: ClassVar[list[BindingType]] = [YES, NO]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", danger: bool = False) -> None:
        super().__init__(title)
        self.body = body
        self.yes = yes
        self.danger = danger

    def compose_body(self) -> ComposeResult:
        yield Static(as_text(self.body), classes="dialog-body")
        with Horizontal(classes="dialog-buttons"):
            variant: ButtonVariant = "error" if self.danger else "primary"
            yield key_button(self.YES, self.yes, id="yes", variant=variant)
            yield key_button(self.NO, "Cancel", id="no")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def confirm_then(
    node: DOMNode,
    title: str,
    body: str,
    act: Callable[[], object],
    *,
    yes: str = "Yes",
    danger: bool = False,
) -> None:
    """Ask `title`/`body` over whatever is on screen; `act` runs on yes only (`n`, escape or
    a dismissed dialog leave everything as it is). The one way the app asks before acting:
    work that goes on after the answer is `act` (a worker, when it waits on the network)."""

    def answered(ok: bool | None) -> None:
        if ok:
            act()

    node.app.push_screen(ConfirmScreen(title, body, yes=yes, danger=danger), answered)


class _ChoiceScreen(Dialog[str]):
    """A question answered by a key or its button (ANSWERS, in the buttons' order; BINDINGS
    made from them by `answer_bindings`); escape (and "cancel") answers None."""

    FRAME_CLASSES = "wide"
    ANSWERS: ClassVar[tuple[Answer, ...]] = ()

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    def compose_body(self) -> ComposeResult:
        yield NavScroll(Static(as_text("\n".join(self.lines()))), classes="dialog-body")
        bindings = [b for b in self.BINDINGS if isinstance(b, Binding)]
        with Horizontal(classes="dialog-buttons"):
            for binding, (_, answer, _, variant) in zip(bindings, self.ANSWERS, strict=True):
                yield key_button(binding, id=answer, variant=variant)

    def lines(self) -> list[str]:
        raise NotImplementedError


class UnsavedScreen(_ChoiceScreen):
    """Unsaved edits: save, discard or cancel — never a silent loss."""

    ANSWERS = (
        ("s", "save", "Save", "primary"),
        ("d", "discard", "Discard", "error"),
        ("c", "cancel", "Cancel", "default"),
    )
    BINDINGS = answer_bindings("unsaved", ANSWERS)

    def __init__(self, name: str, changes: list[str]) -> None:
        super().__init__("Unsaved changes")
        self.service_name = name
        self.changes = changes  # "Label: old → new", what s would send

    def lines(self) -> list[str]:
        return [f"{self.service_name} has unsaved changes (s sends these):", *self.changes]


class ConflictScreen(_ChoiceScreen):
    """The service changed on the server since the form loaded it."""

    ANSWERS = (
        ("o", "overwrite", "Overwrite", "warning"),
        ("r", "reload", "Reload", "default"),
        ("c", "cancel", "Cancel", "default"),
    )
    BINDINGS = answer_bindings("conflict", ANSWERS)

    def __init__(self, name: str, differences: list[Difference]) -> None:
        super().__init__("Changed on the server")
        self.service_name = name
        self.differences = differences

    def lines(self) -> list[str]:
        lines = [f"{self.service_name}: someone changed what you are changing:"]
        for d in self.differences:
            show = d.field.display
            lines.append(
                f"  {d.field.label}: was {show(d.loaded) or '—'}; "
                f"yours {show(d.mine) or '—'}; server now {show(d.theirs) or '—'}"
            )
        lines.append(
            "Overwrite sends your changes over theirs; reload shows the server's version "
            "and drops your edits. Fields you did not change keep the server's values."
        )
        return lines


class ReadingDialog(Dialog[None]):
    """A text to read: it scrolls (j/k, the list keys), and esc closes it, as does each key
    of CLOSE_KEYS ("q,J": the key that opened it closes it too)."""

    FRAME_CLASSES = "wide"
    FOCUS = "NavScroll"
    CLOSE_KEYS: ClassVar[str] = "q"
    CLOSE: ClassVar[Binding]  # made from CLOSE_KEYS

    def __init_subclass__(cls, **kw: Any) -> None:
        keys = f"escape,{cls.CLOSE_KEYS}"
        cls.CLOSE = Binding(keys, "cancel", "Close", id=f"{cls.FRAME_ID}-close")
        cls.BINDINGS = [cls.CLOSE]
        super().__init_subclass__(**kw)

    def compose_body(self) -> ComposeResult:
        with NavScroll(classes="dialog-body", id=f"{self.FRAME_ID}-body"):
            yield from self.compose_text()
        yield from self.compose_after()

    def compose_text(self) -> ComposeResult:
        raise NotImplementedError

    def compose_after(self) -> ComposeResult:
        """What comes under the text (buttons)."""
        yield from ()


class ReportScreen(ReadingDialog):
    """A per-item report (bulk flips): what worked and what did not, and why."""

    FRAME_ID = "report"
    TITLE_IN_KEY_BAR = True
    CLOSE_KEYS = "enter,q"

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(title)
        self.lines = lines

    def compose_text(self) -> ComposeResult:
        yield Static(as_text("\n".join(self.lines)))

    def compose_after(self) -> ComposeResult:
        with Horizontal(classes="dialog-buttons"):
            yield key_button(self.CLOSE, id="close", variant="primary")


class CheckedDialog(Dialog[ResultT]):
    """Lines to type, checked as they are typed (when CHECK_AS_TYPED) and on enter, with one
    error line under them; enter in a line that is not the last moves to the next one.

    ID prefixes the ids (`ID-error`, and the inputs' own); HELP is the line under the error.
    A subclass yields its inputs from `compose_inputs`, finds the first problem in `check`
    and makes its answer in `submit` (which may ask more first)."""

    ID: ClassVar[str] = "prompt"
    HELP: ClassVar[str] = ""
    CHECK_AS_TYPED: ClassVar[bool] = True
    FOCUS = "Input"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="prompt-cancel", tooltip="Close"),
    ]

    def compose_body(self) -> ComposeResult:
        yield from self.compose_inputs()
        yield Static("", classes="error", id=f"{self.ID}-error")
        if help_text := self.help_text():  # no empty line where there is nothing to say
            yield Static(as_text(help_text), classes="help")

    def help_text(self) -> str:
        """The line under the error line: HELP, or what a subclass makes of what it was
        given (taken literally, never as markup)."""
        return self.HELP

    def compose_inputs(self) -> ComposeResult:
        raise NotImplementedError

    def check(self, *, typing: bool) -> tuple[Input, str] | None:
        """The first problem: the input it is in and what is wrong, or None. `typing`: asked
        as a line changes, when an input with nothing typed yet is not scolded."""
        raise NotImplementedError

    def submit(self) -> None:
        """Everything checks out: answer (`dismiss`)."""
        raise NotImplementedError

    def say_problem(self, problem: tuple[Input, str] | None) -> None:
        self.say(problem[1] if problem else "", f"#{self.ID}-error")

    def checks_as_typed(self) -> bool:
        """Check each change as it is typed: CHECK_AS_TYPED, or what a subclass decides
        (from the first refused answer on, say, so a problem fixed is no longer shown)."""
        return self.CHECK_AS_TYPED

    @on(Input.Changed)
    def _changed(self) -> None:
        if self.checks_as_typed():
            self.say_problem(self.check(typing=True))

    def take_enter(self, line: Widget) -> bool:
        """Enter in one of the lines, read in order with the keys (the key machine calls this
        at once): the next line has the focus now, so keys typed right after go there; on the
        last line the check and the answer wait behind the keys typed before enter."""
        inputs = list(self.query(Input))
        if line not in inputs:
            return False
        if line is not inputs[-1]:
            focus_now(inputs[inputs.index(line) + 1])
        else:
            line.call_later(self.finish)
        return True

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.take_enter(event.input)

    def finish(self) -> None:
        """Check everything; show the first problem, or answer."""
        problem = self.check(typing=False)
        self.say_problem(problem)
        if problem:
            focus_now(problem[0])
            return
        self.submit()


class PromptScreen(CheckedDialog[str]):
    """One line to type: `problem` says why a text cannot be the answer; enter answers
    `answer(text)`, escape None. A subclass sets its words (TITLE, PLACEHOLDER, HELP), its
    ids' prefix (ID: the dialog, `ID-input`, `ID-error`) and its check."""

    TITLE: ClassVar[str] = ""
    PLACEHOLDER: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__(self.TITLE)

    def frame_id(self) -> str | None:
        return self.ID

    def compose_inputs(self) -> ComposeResult:
        yield TextInput(placeholder=self.PLACEHOLDER, id=f"{self.ID}-input")

    def problem(self, text: str) -> str | None:
        """Why `text` cannot be the answer, or None."""
        return None

    def answer(self, text: str) -> str:
        """The answer `text` gives (a subclass may trim it)."""
        return text

    @property
    def text(self) -> str:
        return self.query_one(f"#{self.ID}-input", Input).value

    def check(self, *, typing: bool) -> tuple[Input, str] | None:
        text = self.text
        problem = None if typing and not text else self.problem(text)
        return (self.query_one(f"#{self.ID}-input", Input), problem) if problem else None

    def submit(self) -> None:
        self.dismiss(self.answer(self.text))
