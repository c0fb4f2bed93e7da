"""The detail form, built from the field catalogue and grouped as the Twilio Console groups it.

The form never decides what is valid: every check is `Field.clean` from the catalogue, the same
code the client and the emulator run. Dirtiness is computed (current values vs the loaded
service), not tracked from events, so a programmatic load can never mark the form dirty; and a
load is one atomic step that posts no change events at all (`prevent`), however fast the user
moves on.

The keyboard model (letters are commands unless you are clearly editing):

- What takes the focus is a *row* (`FieldRow`), never the control inside it. On a row, j/k,
  the arrows and tab move between rows; letters reach the screen's commands, never a field.
- enter, i or e starts editing the row's control: an input gets the focus with the cursor at
  the end and nothing selected; a select opens its menu; the incoming-messages choice opens
  as a menu (j/k or the arrows, enter or space chooses). space (or enter) flips a switch.
- While editing, every key goes to the control, in order. esc stops editing (back to the row);
  a second esc goes back to the list. Closing a menu, choosing or not, returns to the row.

Every one of these transitions is the keyboard state machine's (tui/keymode.py): the focus
moves at once (`focus_now`), so a key typed right after another is read where the first left
the user, never against a focus still on its way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, RadioButton, RadioSet, Select, Static, Switch

from msgsvc_tui.core import editing, fields, senders
from msgsvc_tui.core.editing import Incoming
from msgsvc_tui.core.fields import Field, FieldError, Group, Kind
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.tui.keymode import focus_now, focus_return
from msgsvc_tui.tui.text import put
from msgsvc_tui.tui.textual_private import (
    ContentSizeLaysOutNothing,
    ImmediateFocusSelect,
    SelectCurrent,
    SelectLabelKeepsTheLayout,
    SelectOverlay,
    TextInput,
    highlight_radio,
    own_bindings,
    record_pressed,
    select_values,
)
from msgsvc_tui.tui.widgets.nav import nav_bindings, nav_target

Json = dict[str, Any]
# Shown by the incoming-messages choice rather than as its own switch.
_FOLDED = {"use_inbound_webhook_on_number"}
_INCOMING_URL = "inbound_request_url"


def _change_line(f: Field, old: Any, new: Any) -> str:
    shown_old = f.display(old) if old not in (None, "") else "—"
    shown_new = f.display(new) if new not in (None, "") else "—"
    return f"  {f.label}: {shown_old} → {shown_new}"


class CatalogueValidator(Validator):
    """Textual's Input validation, answered by the catalogue."""

    def __init__(self, field: Field) -> None:
        super().__init__()
        self.field = field

    def validate(self, value: str) -> ValidationResult:
        try:
            self.field.clean(value)
        except FieldError as exc:
            return self.failure(exc.message)
        return self.success()


def widget_id(name: str) -> str:
    return f"field-{name}"


class FieldRow(Vertical, can_focus=True):
    """One field: what the focus rests on outside edit mode. A thick bar on its left shows
    the focus by shape, not by colour alone."""

    def __init__(self, *children: Widget, field_name: str, label: str = "", **kw: Any) -> None:
        super().__init__(*children, **kw)
        self.field_name = field_name
        self.key_place = label or field_name  # what the mode indicator names


class FieldSelect(SelectLabelKeepsTheLayout[str], ImmediateFocusSelect[str]):
    """A Select whose menu takes the focus the moment it opens, and gives it back to the row
    the moment it closes (chosen by key or by mouse). Textual's own moves the focus later,
    from the App's queue: keys typed meanwhile went to a closed menu, and the focus was left
    on nothing."""

    def expanded_changed(self, expanded: bool) -> None:
        try:
            overlay = self.query_one(SelectOverlay)
        except Exception:  # removed
            return
        self.set_class(expanded, "-expanded")
        if expanded:
            for index, value in enumerate(select_values(self)):
                if value == self.value:
                    overlay.select(index)
                    break
            self.query_one(SelectCurrent).has_value = True
            focus_now(overlay, scroll_visible=False)
        elif overlay.has_focus:
            focus_return(self)


class FieldInput(TextInput):
    """An input that takes the focus only while it is being edited (see the module doc)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop_editing", "Stop editing", id="stop-editing", show=True),
    ]

    def __init__(self, **kw: Any) -> None:
        super().__init__(select_on_focus=False, **kw)
        self.can_focus = False

    def action_stop_editing(self) -> None:
        form = next(a for a in self.ancestors if isinstance(a, ServiceForm))
        form.stop_editing()

    async def on_key(self, event: events.Key) -> None:
        """Run this input's own key bindings (backspace, delete, arrows, esc…) here, as the
        key arrives. Left to Textual, a binding runs only once the key has bubbled up to the
        App through every ancestor's queue, while a printable key is inserted at once: in a
        burst, "abc" typed after 18 backspaces overtook some of them ("Aab"). A key no binding
        takes goes on to Input's own handler (which inserts it), called after this one."""
        for binding in own_bindings(self, event.key):
            if binding.priority:
                continue
            if self.check_action(binding.action, ()) is False:
                continue
            event.stop()
            event.prevent_default()  # Input's own handler is not called
            await self.run_action(binding.action)
            return


class ShapeRadioButton(RadioButton):
    """A radio button whose state shows by shape (● chosen, ○ not), not by colour alone."""

    BUTTON_INNER = "○"  # a button starts off

    def watch_value(self) -> None:
        self.BUTTON_INNER = "●" if self.value else "○"
        super().watch_value()


@dataclass
class _FormMessage(Message):
    """What the form says of itself; `control` is the form, for `on(…, selector)`."""

    form: ServiceForm

    @property
    def control(self) -> ServiceForm:
        return self.form


class ServiceForm(ContentSizeLaysOutNothing, VerticalScroll):
    DEFAULT_CSS: ClassVar[str] = """
    ServiceForm { height: 1fr; padding: 0 1; }
    ServiceForm .group-title { margin-top: 1; text-style: bold underline; color: $accent; }
    ServiceForm .field-row { height: auto; border-left: blank; }
    ServiceForm .field-label { color: $text; text-style: bold; }
    /* the focused field: a thick bar (a shape, not just a colour) and a marked label */
    ServiceForm .field-row:focus { border-left: thick $accent; background: $accent 10%; }
    ServiceForm .field-row:focus > .field-label { text-style: bold reverse; }
    ServiceForm .field-row Input, ServiceForm .field-row Select { width: 100%; max-width: 70; }
    ServiceForm .field-row Input:focus { background: $primary 25%; }
    ServiceForm .field-row Input.-invalid { background: $error 25%; }
    ServiceForm .details { color: $text-muted; height: auto; }
    ServiceForm RadioSet { width: 100%; max-width: 70; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        *nav_bindings("form"),  # a row at a time, first/last, half a page, a page
        Binding("enter,i,e", "edit", "Edit", id="form-edit", tooltip="Edit the focused field"),
        Binding(
            "space", "flip_switch", "Toggle", id="form-toggle", tooltip="Flip a switch", show=False
        ),
        Binding(
            "question_mark",
            "field_help",
            "Field help",
            id="form-help",
            tooltip="This field's help, at any width; ? again: every key",
            show=False,
        ),
    ]

    class Edited(_FormMessage):
        """A value changed by the user: the edits (what a save would send) changed."""

    class Loaded(_FormMessage):
        """A service (or an empty new form) is the new baseline: no edits any more. Not an
        Edited: a handler of edits (the status line's "modified") must not take a load."""

    def __init__(self, *, readonly: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.readonly = readonly
        self.baseline: Json = {}
        self.creating = False
        self.service: Json | None = None
        self._mode = Incoming.DROP  # the incoming-messages choice: ours, not RadioSet's
        self._help_shown_for: str | None = None  # the row whose help `?` just showed
        self._loaded_raw: Json = {}
        self._loaded_mode = Incoming.DROP
        self._found_rows: list[FieldRow] = []
        self._found_error_lines: dict[str, Static] = {}

    # ---- building -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        for group in Group:
            yield Label(group.value, classes="group-title")
            if group is Group.DETAILS:
                yield Static(id="details", classes="details")
                continue
            if group is Group.INTEGRATION:
                yield from self._incoming_row()
            for f in fields.WRITABLE:
                if f.group is group and f.name not in _FOLDED:
                    yield self._row(f)

    def _incoming_row(self) -> ComposeResult:
        with FieldRow(
            classes="field-row",
            id="row-incoming",
            field_name="incoming",
            label="Incoming messages",
        ):
            yield Label("Incoming messages", classes="field-label")
            with RadioSet(id="incoming", disabled=self.readonly, compact=True):
                for mode in Incoming:
                    yield ShapeRadioButton(mode.label, id=f"incoming-{mode.value}")
            yield Static("What happens to messages your senders receive.", classes="help")
            yield Static("", classes="error", id="error-incoming")

    def on_mount(self) -> None:
        # Only rows take the focus; a control does while it is edited.
        for control in self.query("Switch, Select, RadioSet, RadioButton"):
            control.can_focus = False

    def _row(self, f: Field) -> Widget:
        widget: Widget
        if f.kind is Kind.BOOL:
            widget = Switch(value=bool(f.default), id=widget_id(f.name), disabled=self.readonly)
        elif f.kind in (Kind.METHOD, Kind.CHOICE):
            widget = FieldSelect(
                [(c, c) for c in f.choices],
                allow_blank=False,
                value=f.default or f.choices[0],
                id=widget_id(f.name),
                disabled=self.readonly,
                compact=True,
            )
        else:
            widget = FieldInput(
                placeholder="https://…" if f.kind is Kind.URL else "",
                validators=[CatalogueValidator(f)],
                validate_on=["changed", "blurred", "submitted"],
                id=widget_id(f.name),
                disabled=self.readonly,
                compact=True,
            )
        widget.tooltip = f.help
        row = FieldRow(
            Label(f.label, classes="field-label"),
            widget,
            Static(f.help, classes="help"),
            Static("", classes="error", id=f"error-{f.name}"),
            classes="field-row",
            id=f"row-{f.name}",
            field_name=f.name,
            label=f.label,
        )
        return row

    # ---- values ---------------------------------------------------------------------------
    def load(self, service: Json | None, *, creating: bool = False) -> None:
        """Show `service` (or an empty form for a new one) as the new baseline.

        One atomic step: no change event leaves it (Textual's `prevent`), so nothing that
        arrives later can take a loaded value for an edit, however fast the user moves on.

        A reload while a field is being edited (nothing typed: a dirty form is never
        reloaded) keeps that field in edit mode when it is the same service, cursor at the
        end; another service ends editing on the field's row.
        """
        edited = self.edited_row()
        same = (
            bool(service and self.service and service.get("sid") == self.service.get("sid"))
            and not creating
        )
        with self.prevent(
            Input.Changed, Switch.Changed, Select.Changed, RadioButton.Changed, RadioSet.Changed
        ):
            self._load(service, creating=creating)
        if edited is not None:
            control = self._control(edited)
            if same and isinstance(control, Input) and control.has_focus:
                control.cursor_position = len(control.value)
            else:
                self.stop_editing()
        self.post_message(self.Loaded(self))

    def _load(self, service: Json | None, *, creating: bool) -> None:
        self.creating = creating
        self.service = service
        base = fields.defaults()
        if service:
            base.update({f.name: service.get(f.name) for f in fields.WRITABLE})
        if creating:
            base["friendly_name"] = ""
        for f in fields.WRITABLE:
            if f.kind in (Kind.TEXT, Kind.URL) and isinstance(base.get(f.name), str):
                # The field shows (and the baseline holds) the safe spelling, so a hostile
                # name is visible, not emitted, and is no edit until the user edits it.
                base[f.name] = safe(base[f.name])
        self.baseline = base
        for f in fields.WRITABLE:
            if f.name in _FOLDED:
                continue
            self._set_widget(f, base.get(f.name))
        mode = editing.incoming_mode(base)
        self._show_mode(mode)
        self._loaded_raw = self.raw_values()  # the snapshot edits are measured against
        self._loaded_mode = mode
        self.clear_errors()
        self._update_details()
        self._sync_incoming(mode)

    def _set_widget(self, f: Field, value: Any) -> None:
        widget = self.query_one(f"#{widget_id(f.name)}")
        if isinstance(widget, Switch):
            widget.value = bool(value)
        elif isinstance(widget, Select):
            widget.value = value if value in f.choices else (f.default or f.choices[0])
        elif isinstance(widget, Input):
            widget.value = "" if value is None else str(value)
            widget.remove_class("-invalid")

    def _show_mode(self, mode: Incoming) -> None:
        """Set the choice and every button at once. RadioSet would otherwise learn of the
        change later, from a message, and meanwhile report the previous service's choice."""
        self._mode = mode
        radio_set = self.query_one("#incoming", RadioSet)
        for button in radio_set.query(RadioButton):
            button.value = button.id == f"incoming-{mode.value}"
            if button.value:
                record_pressed(radio_set, button)  # its own record, kept in step

    def incoming(self) -> Incoming:
        return self._mode

    def raw_values(self) -> Json:
        """What the widgets hold, as typed (strings for inputs)."""
        out: Json = {}
        for f in fields.WRITABLE:
            if f.name in _FOLDED:
                continue
            widget = self.query_one(f"#{widget_id(f.name)}")
            if isinstance(widget, (Switch, Select, Input)):
                out[f.name] = widget.value
        return out

    def validate_all(self) -> tuple[Json, list[FieldError]]:
        """(clean values, errors): every field through the catalogue, plus the incoming rule."""
        raw = self.raw_values()
        clean: Json = {}
        problems: list[FieldError] = []
        for name, value in raw.items():
            try:
                clean[name] = fields.get(name).clean(value)
            except FieldError as exc:
                problems.append(exc)
        mode = self.incoming()
        problem = editing.incoming_problem(mode, str(raw.get(_INCOMING_URL) or ""))
        if problem:
            f = fields.get(_INCOMING_URL)
            problems.append(FieldError(f.name, f.param or "", f.error_code, problem))
        clean = editing.apply_incoming(mode, clean)
        return clean, problems

    def pending_changes(self) -> Json:
        """Clean values that differ from the baseline (what a save sends)."""
        clean, _ = self.validate_all()
        changed = editing.changes(self.baseline, clean)
        if self.creating:
            changed["friendly_name"] = clean.get("friendly_name", "")
        return changed

    def change_lines(self) -> list[str]:
        """What a save would send, each field as "Label: old → new", and each edited value
        the save would refuse, marked invalid: for the status line, the question asked before
        leaving and the save. Read from the values sent, not from the controls touched: a
        field the incoming choice changes untouched (drop clears the webhook URL) is listed,
        and a URL typed under drop shows as cleared, as it will be."""
        raw = self.raw_values()
        touched = self.touched()
        sent = self.pending_changes()
        base_mode = editing.incoming_mode(self.baseline)
        lines = []
        if self.incoming() is not base_mode:
            lines.append(f"  Incoming messages: {base_mode.label} → {self.incoming().label}")
        for f in fields.WRITABLE:
            if f.name in _FOLDED:
                continue  # the incoming choice's own field: its line says it
            old = self.baseline.get(f.name)
            if f.name in raw and f.name in touched:
                try:
                    f.clean(raw[f.name])
                except FieldError as exc:  # refused as typed: shown so, whatever is sent
                    lines.append(f"{_change_line(f, old, raw[f.name])}  (invalid: {exc.message})")
                    continue
            if f.name in sent and (old not in (None, "") or sent[f.name] not in (None, "")):
                lines.append(_change_line(f, old, sent[f.name]))
        return lines

    def touched(self) -> set[str]:
        """Fields whose control no longer holds what the load put there (the snapshot)."""
        raw = self.raw_values()
        return {name for name, value in raw.items() if self._loaded_raw.get(name) != value}

    @property
    def dirty(self) -> bool:
        """Computed, never tracked: a field is an edit only if its control no longer holds
        what the load put there *and* it now means something else (or is invalid). Nothing
        a load or a late event does can make it true; an untouched new form is not dirty."""
        if self.service is None and not self.creating:
            return False
        touched = self.touched()
        raw = self.raw_values()
        clean: Json = {}
        for name, value in raw.items():
            try:
                clean[name] = fields.get(name).clean(value)
            except FieldError:
                if name in touched:
                    return True  # an invalid edit is still an edit
                clean[name] = self.baseline.get(name)
        if self.incoming() is not self._loaded_mode:
            return True
        clean = editing.apply_incoming(self.incoming(), clean)
        return bool(editing.changes(self.baseline, clean))

    # ---- its rows, found once ---------------------------------------------------------------
    # The form is built once, and its rows and error lines are asked for on every key and
    # every service shown: a query would walk its hundred widgets each time.
    @property
    def _rows(self) -> list[FieldRow]:
        if not self._found_rows:
            self._found_rows = list(self.query(FieldRow))
        return self._found_rows

    @property
    def _error_lines(self) -> dict[str, Static]:
        if not self._found_error_lines:
            self._found_error_lines = {
                label.id.removeprefix("error-"): label
                for label in self.query(".error").results(Static)
                if label.id is not None
            }
        return self._found_error_lines

    # ---- errors ---------------------------------------------------------------------------
    def show_error(self, name: str, message: str) -> None:
        target = "incoming" if name == "use_inbound_webhook_on_number" else name
        label = self._error_lines.get(target)
        if label is not None:
            put(label, message)  # often the server's own words: made safe like any other
            label.add_class("-shown")
        for control in self.query(f"#{widget_id(target)}"):
            control.add_class("-invalid")

    def clear_error(self, name: str) -> None:
        label = self._error_lines.get(name)
        if label is not None:
            put(label, "")
            label.remove_class("-shown")

    def clear_errors(self) -> None:
        for label in self._error_lines.values():
            put(label, "")
            label.remove_class("-shown")

    def on_resize(self) -> None:
        """The form resized (made smaller as the status above it grew with a change's old →
        new lines, or the terminal shrank): the focused row stays in sight."""
        self._keep_focused_row_in_sight()

    def watch_virtual_size(self) -> None:
        """The form's content grew or shrank (the webhook rows come or go on a reload when
        another writer changed the choice, an error line shows): the focused row stays in
        sight. Called from the layout that placed the rows anew (Textual sends no Resize for
        it), so the scroll is measured against where the rows are now, however late a loaded
        machine runs it."""
        self._keep_focused_row_in_sight()

    def _keep_focused_row_in_sight(self) -> None:
        """The focus is never on a row the user cannot see."""
        focused = self.screen.focused
        if focused is None or (focused is not self and self not in focused.ancestors):
            return
        row = next((n for n in (focused, *focused.ancestors) if isinstance(n, FieldRow)), None)
        if row is not None:
            self.call_after_refresh(self.scroll_to_widget, row, animate=False)

    def focus_field(self, name: str) -> None:
        """Put the focus on a field's row (not in its control: see the module doc)."""
        target = "incoming" if name == "use_inbound_webhook_on_number" else name
        rows = [r for r in self._rows if r.field_name == target]
        if rows:
            focus_now(rows[0])
            self.scroll_to_widget(rows[0], animate=False)

    def edit_invalid(self, name: str) -> None:
        """A failed save: edit the first invalid field, cursor at its end (its row, for a
        choice), so what the user types next is text, never a command."""
        target = "incoming" if name == "use_inbound_webhook_on_number" else name
        rows = [r for r in self._rows if r.field_name == target]
        if not rows:
            return
        if isinstance(self._control(rows[0]), Input):
            self.edit_field(target)
        else:
            self.focus_field(target)

    # ---- the keyboard model ---------------------------------------------------------------
    def rows(self) -> list[FieldRow]:
        return [r for r in self._rows if r.display]

    def focused_row(self) -> FieldRow | None:
        focused = self.screen.focused
        if isinstance(focused, FieldRow) and focused in self.rows():
            return focused
        return None

    @property
    def editing(self) -> bool:
        """Whether a control (not a row) has the focus: then every key is the control's."""
        focused = self.screen.focused
        return (
            focused is not None and not isinstance(focused, FieldRow) and self in focused.ancestors
        )

    async def action_field_help(self) -> None:
        """`?` on a field's row shows that field's help, at any width (at 80 columns the
        inline help is hidden); `?` again on the same row opens every key, as elsewhere."""
        row = self.focused_row()
        if row is None or self._help_shown_for == row.field_name:
            self._help_shown_for = None
            await self.run_action("app.help")
            return
        self._help_shown_for = row.field_name
        f = fields.BY_NAME.get(row.field_name)
        text = f.help if f is not None else "What happens to messages your senders receive."
        label = f.label if f is not None else row.key_place
        self.app.notify(f"{text}\n(? again: every key)", title=label, timeout=10)

    def on_descendant_focus(self) -> None:
        row = self.focused_row()
        if row is None or row.field_name != self._help_shown_for:
            self._help_shown_for = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # while a control is edited, the key is the control's
        return not (action in ("nav", "edit", "flip_switch", "field_help") and self.editing)

    def action_nav(self, action: str) -> None:
        """The list's movement keys over the form's rows; a page is as many rows as are in
        sight now (rows are one or two lines, and group titles sit between them)."""
        rows = self.rows()
        if not rows:
            return
        current = self.focused_row()
        index = rows.index(current) if current is not None else -1
        view = self.scrollable_content_region
        in_sight = sum(1 for row in rows if view.contains_region(row.region))
        if index < 0 and action == "down":
            target = 0
        else:
            target = nav_target(action, max(index, 0), len(rows), max(in_sight, 1))
        self._go(rows[target])

    def _go(self, row: FieldRow) -> None:
        focus_now(row)
        self.scroll_to_widget(row, animate=False)

    def _control(self, row: FieldRow) -> Widget:
        if row.field_name == "incoming":
            return self.query_one("#incoming", RadioSet)
        return self.query_one(f"#{widget_id(row.field_name)}")

    def action_edit(self, row: FieldRow | None = None) -> None:
        row = row or self.focused_row()
        if row is None or self.readonly:
            return
        control = self._control(row)
        if isinstance(control, Switch):
            control.toggle()
            return
        if isinstance(control, Select):
            control.expanded = True  # its menu takes the focus now (FieldSelect)
            return
        if isinstance(control, RadioSet):
            buttons = list(control.query(RadioButton))
            chosen = f"incoming-{self._mode.value}"
            highlight_radio(control, next((i for i, b in enumerate(buttons) if b.id == chosen), 0))
        focus_now(control)
        if isinstance(control, Input):
            control.cursor_position = len(control.value)

    def edit_field(self, name: str) -> None:
        """Start editing a field by name."""
        rows = [r for r in self._rows if r.field_name == name]
        if rows:
            self.scroll_to_widget(rows[0], animate=False)
            self.action_edit(rows[0])

    def action_flip_switch(self) -> None:
        row = self.focused_row()
        control = self._control(row) if row is not None else None
        if isinstance(control, Switch) and not self.readonly:
            control.toggle()

    def edited_row(self) -> FieldRow | None:
        """The row whose control is being edited (None when not editing)."""
        if not self.is_mounted:
            return None
        focused = self.screen.focused
        if focused is None or isinstance(focused, FieldRow) or self not in focused.ancestors:
            return None
        return next((a for a in focused.ancestors if isinstance(a, FieldRow)), None)

    def stop_editing(self, *, refocus: bool = True) -> None:
        """Leave edit mode: the focus goes back to the control's row, at once."""
        row = self.edited_row()
        if row is None:
            return
        focused = self.screen.focused
        if refocus:
            focus_now(row)
        if focused is not None and isinstance(focused, (Input, RadioSet)):
            focused.can_focus = False

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """A control that lost the focus (a click elsewhere) is no longer being edited; read
        when the blur arrives, so a control edited again since keeps its focus."""
        widget = event.widget
        if isinstance(widget, (Input, RadioSet)) and not widget.has_focus:
            widget.can_focus = False

    def choose_radio(self, radio_set: RadioSet, button: Widget) -> None:
        """The incoming-messages choice, made by key: applied now, not by a RadioSet.Changed
        that could land after another service was loaded."""
        if not button.id:
            return
        mode = Incoming(button.id.removeprefix("incoming-"))
        with self.prevent(RadioButton.Changed, RadioSet.Changed):
            self._show_mode(mode)
        self._sync_incoming(mode)
        self.clear_error("incoming")
        self.post_message(self.Edited(self))

    # ---- live feedback --------------------------------------------------------------------
    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.show_error(name, "; ".join(result.failure_descriptions))
        else:
            self.clear_error(name)
        if name == _INCOMING_URL:
            self.clear_error("incoming")
        self.post_message(self.Edited(self))

    @on(Input.Blurred)
    def _input_blurred(self, event: Input.Blurred) -> None:
        result = event.validation_result
        name = (event.input.id or "").removeprefix("field-")
        if result is not None and not result.is_valid:
            self.show_error(name, "; ".join(result.failure_descriptions))

    @on(Switch.Changed)
    @on(Select.Changed)
    def _other_changed(self, event: Switch.Changed | Select.Changed) -> None:
        self.post_message(self.Edited(self))

    @on(RadioSet.Changed)
    def _incoming_changed(self, event: RadioSet.Changed) -> None:
        if event.pressed.id and event.pressed.value:  # a user's choice (loads post nothing)
            self._mode = Incoming(event.pressed.id.removeprefix("incoming-"))
        if event.radio_set.has_focus:
            self.stop_editing()  # a choice made: back to the row
        self._sync_incoming(self.incoming())
        self.clear_error("incoming")
        self.post_message(self.Edited(self))

    def _sync_incoming(self, mode: Incoming) -> None:
        webhook = mode is Incoming.WEBHOOK
        for name in (_INCOMING_URL, "inbound_method", "fallback_url", "fallback_method"):
            self.query_one(f"#row-{name}").display = webhook

    def _update_details(self) -> None:
        s = self.service or {}
        lines = []
        for f in fields.FIELDS:
            if f.writable or f.name == "links":
                continue
            value = s.get(f.name)
            lines.append(f"{f.label:<18} {safe(f.display(value)) if value is not None else '—'}")
        # the list keeps no `links` (listing._Packer): each is the service's url + a path,
        # as Twilio's own links are (the spec's examples)
        url = s.get("url")
        if url:
            for kind in senders.KINDS:
                lines.append(f"{kind.key.replace('_', ' '):<18} {safe(f'{url}/{kind.path}')}")
        if self.creating:
            lines = ["(new service: details appear after it is created)"]
        put(self.query_one("#details", Static), "\n".join(lines))
