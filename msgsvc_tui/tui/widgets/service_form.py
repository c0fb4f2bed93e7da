"""The detail form, built from the field catalogue and grouped as the Twilio Console groups it.

The form never decides what is valid: every check is `Field.clean` from the catalogue, the same
code the client and the emulator run. Dirtiness is computed (current values vs the loaded
service), not tracked from events, so a programmatic load can never mark the form dirty.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Label, RadioButton, RadioSet, Select, Static, Switch

from msgsvc_tui import editing, fields
from msgsvc_tui.editing import Incoming
from msgsvc_tui.fields import Field, FieldError, Group, Kind
from msgsvc_tui.sanitize import safe

Json = dict[str, Any]
# Shown by the incoming-messages choice rather than as its own switch.
_FOLDED = {"use_inbound_webhook_on_number"}
_INCOMING_URL = "inbound_request_url"


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


class ServiceForm(VerticalScroll):
    @dataclass
    class Edited(Message):
        form: ServiceForm

        @property
        def control(self) -> ServiceForm:
            return self.form

    def __init__(self, *, readonly: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.readonly = readonly
        self.baseline: Json = {}
        self.creating = False
        self.service: Json | None = None

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
        with Vertical(classes="field-row", id="row-incoming"):
            yield Label("Incoming messages", classes="field-label")
            with RadioSet(id="incoming", disabled=self.readonly, compact=True):
                for mode in Incoming:
                    yield RadioButton(mode.label, id=f"incoming-{mode.value}")
            yield Static("What happens to messages your senders receive.", classes="help")
            yield Static("", classes="error", id="error-incoming")

    def _row(self, f: Field) -> Widget:
        widget: Widget
        if f.kind is Kind.BOOL:
            widget = Switch(value=bool(f.default), id=widget_id(f.name), disabled=self.readonly)
        elif f.kind in (Kind.METHOD, Kind.CHOICE):
            widget = Select(
                [(c, c) for c in f.choices],
                allow_blank=False,
                value=f.default or f.choices[0],
                id=widget_id(f.name),
                disabled=self.readonly,
                compact=True,
            )
        else:
            widget = Input(
                placeholder="https://…" if f.kind is Kind.URL else "",
                validators=[CatalogueValidator(f)],
                validate_on=["changed", "blurred", "submitted"],
                id=widget_id(f.name),
                disabled=self.readonly,
                compact=True,
            )
        widget.tooltip = f.help
        row = Vertical(
            Label(f.label, classes="field-label"),
            widget,
            Static(f.help, classes="help"),
            Static("", classes="error", id=f"error-{f.name}"),
            classes="field-row",
            id=f"row-{f.name}",
        )
        return row

    # ---- values ---------------------------------------------------------------------------
    def load(self, service: Json | None, *, creating: bool = False) -> None:
        """Show `service` (or an empty form for a new one) as the new baseline."""
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
        self.query_one(f"#incoming-{mode.value}", RadioButton).value = True
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

    def incoming(self) -> Incoming:
        pressed = self.query_one("#incoming", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return editing.incoming_mode(self.baseline)
        return Incoming(pressed.id.removeprefix("incoming-"))

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

    @property
    def dirty(self) -> bool:
        if self.service is None and not self.creating:
            return False
        raw = self.raw_values()
        clean: Json = {}
        for name, value in raw.items():
            try:
                clean[name] = fields.get(name).clean(value)
            except FieldError:
                return True  # an invalid edit is still an edit
        clean = editing.apply_incoming(self.incoming(), clean)
        return bool(editing.changes(self.baseline, clean))

    # ---- errors ---------------------------------------------------------------------------
    def show_error(self, name: str, message: str) -> None:
        target = "incoming" if name == "use_inbound_webhook_on_number" else name
        try:
            label = self.query_one(f"#error-{target}", Static)
        except Exception:
            return
        label.update(Text(message))
        label.add_class("-shown")
        with contextlib.suppress(Exception):
            self.query_one(f"#{widget_id(target)}").add_class("-invalid")

    def clear_error(self, name: str) -> None:
        try:
            label = self.query_one(f"#error-{name}", Static)
        except Exception:
            return
        label.update("")
        label.remove_class("-shown")

    def clear_errors(self) -> None:
        for label in self.query(".error"):
            if isinstance(label, Static):
                label.update("")
                label.remove_class("-shown")

    def focus_field(self, name: str) -> None:
        target = "incoming" if name == "use_inbound_webhook_on_number" else widget_id(name)
        try:
            widget = self.query_one(f"#{target}")
        except Exception:
            return
        widget.focus()
        self.scroll_to_widget(widget, animate=False)

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
    def _other_changed(self) -> None:
        self.post_message(self.Edited(self))

    @on(RadioSet.Changed)
    def _incoming_changed(self) -> None:
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
        links = s.get("links") or {}
        for key in ("phone_numbers", "short_codes", "alpha_senders"):
            if key in links:
                lines.append(f"{key.replace('_', ' '):<18} {safe(links[key])}")
        if self.creating:
            lines = ["(new service: details appear after it is created)"]
        self.query_one("#details", Static).update(Text("\n".join(lines)))
