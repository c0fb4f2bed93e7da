"""Register or edit a service's A2P 10DLC campaign: a form with the spec's rules checked as
you type (a2p.py), brand and use case chosen from the account's own lists; and attaching a
campaign registered elsewhere by its ID.

Enter moves to the next field; ctrl+s registers (or saves) once every rule holds; esc
cancels. The values go back to the pane, which writes and journals them.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from msgsvc_tui.api import compliance, errors
from msgsvc_tui.core import a2p
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.screens.modals import Dialog, PromptScreen
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import name_of, shown
from msgsvc_tui.tui.textual_private import TextInput

Json = dict[str, Any]
SAMPLE_SLOTS = a2p.SAMPLES_MAX
# The campaign's long texts (up to 4,096 and 2,048 characters) get a multi-line editor: enter
# starts a new line there, tab moves on.
LONG_TEXTS = frozenset({"description", "message_flow"})


class CampaignForm(ReportsWorkerErrors, Dialog[Json]):
    DEFAULT_CSS: ClassVar[str] = """
    CampaignForm #campaign-dialog { max-height: 95%; }
    CampaignForm #campaign-fields { height: auto; max-height: 24; }
    CampaignForm TextArea.cf-long { height: 6; }
    CampaignForm .field-error { display: none; color: $error; height: auto; }
    CampaignForm .field-error.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="campaign-cancel", tooltip="Close, nothing sent"),
        Binding("ctrl+s", "submit", "Send", id="campaign-submit", priority=True),
    ]
    FRAME_ID = "campaign-dialog"
    FRAME_CLASSES = "wide"

    def __init__(
        self,
        session: Session,
        service: Json,
        brands: list[Json],
        campaign: Json | None,
        *,
        typed: Json | None = None,
        problem: str = "",
    ) -> None:
        """`typed`: values the user sent before, shown again after Twilio refused them (with
        `problem`, what it said), so nothing typed is lost."""
        verb = "Register a campaign for" if campaign is None else "Edit the campaign of"
        super().__init__(f"{verb} “{name_of(service)}”")
        self.session = session
        self.service = service
        self.brands = brands
        self.campaign = campaign  # None: registering a new one
        self.typed = typed
        self.problem = problem
        self.usecases: list[str] | None = None
        # Server text is shown safe (control characters visible); a field left as shown
        # sends the server's own value back, so opening and saving changes nothing unasked.
        self.originals: Json = {}
        self.shown: dict[str, str] = {}

    @property
    def creating(self) -> bool:
        return self.campaign is None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="campaign-problems", classes="error")
        with VerticalScroll(id="campaign-fields", classes="dialog-body"):
            if self.creating:
                yield Label("Brand")
                yield Select(
                    [(Text(shown(a2p.brand_line(b))), str(b.get("sid"))) for b in self.brands],
                    prompt="choose an approved brand",
                    id="cf-brand_registration_sid",
                )
                yield Static("", classes="field-error", id="cf-brand_registration_sid-error")
                yield Label("Use case")
                yield Select([], prompt="choose a brand first", id="cf-us_app_to_person_usecase")
                yield Static("", classes="field-error", id="cf-us_app_to_person_usecase-error")
            for f in a2p.FIELDS:
                if not self.creating and not f.updatable:
                    continue
                value = (self.typed or self.campaign or {}).get(f.name)
                if f.kind == "bool":
                    yield Checkbox(f.label, bool(value), id=f"cf-{f.name}")
                elif f.kind == "samples":
                    samples = list(value or [])
                    for i in range(SAMPLE_SLOTS):
                        yield Label(
                            f"Sample {i + 1}" + ("" if i < a2p.SAMPLES_MIN else " (optional)")
                        )
                        yield TextInput(
                            self._display(f"sample-{i}", samples[i] if i < len(samples) else ""),
                            placeholder="20-1024 characters",
                            id=f"cf-sample-{i}",
                        )
                elif f.name in LONG_TEXTS:
                    yield Label(f"{f.label}: {f.help}" if f.help else f.label)
                    yield TextArea(
                        self._display(f.name, "" if value is None else str(value)),
                        soft_wrap=True,
                        tab_behavior="focus",
                        show_line_numbers=False,
                        id=f"cf-{f.name}",
                        classes="cf-long",
                    )
                else:
                    yield Label(f.label + ("" if f.required else " (optional)"))
                    text = ", ".join(map(str, value or [])) if f.kind == "list" else value
                    yield TextInput(
                        self._display(f.name, "" if text is None else str(text)),
                        placeholder=f.help,
                        id=f"cf-{f.name}",
                    )
                yield Static("", classes="field-error", id=f"cf-{f.name}-error")
        with Horizontal(classes="dialog-buttons"):
            yield Button(
                "Register" if self.creating else "Save", id="campaign-send", variant="primary"
            )
            yield Button("Cancel", id="campaign-close")
        yield Static(
            "tab next field (enter too, but in the long texts: a new line) · ctrl+s send · "
            "esc cancel",
            classes="help",
        )

    def _display(self, key: str, text: str) -> str:
        self.originals[key] = text
        self.shown[key] = safe(text, newlines=key in LONG_TEXTS)
        return self.shown[key]

    def _input(self, key: str) -> str:
        """What the field holds: the server's own text when the shown one was not edited."""
        if key in LONG_TEXTS:
            value = self.query_one(f"#cf-{key}", TextArea).text
        else:
            value = self.query_one(f"#cf-{key}", Input).value
        return self.originals[key] if value == self.shown.get(key) else value

    def first_focus(self) -> Widget | None:
        return self.query_one("#cf-brand_registration_sid" if self.creating else "#cf-description")

    def on_mount(self) -> None:
        brand = (self.typed or {}).get("brand_registration_sid")
        if self.creating and brand:
            self.query_one("#cf-brand_registration_sid", Select).value = brand
        self._check(quiet=True)

    # ---- values and rules -----------------------------------------------------------------
    def values(self) -> Json:
        out: Json = {}
        if self.creating:
            for name in ("brand_registration_sid", "us_app_to_person_usecase"):
                chosen = self.query_one(f"#cf-{name}", Select).value
                out[name] = chosen if isinstance(chosen, str) else None
        for f in a2p.FIELDS:
            if not self.creating and not f.updatable:
                continue
            if f.kind == "bool":
                out[f.name] = self.query_one(f"#cf-{f.name}", Checkbox).value
            elif f.kind == "samples":
                texts = [self._input(f"sample-{i}") for i in range(SAMPLE_SLOTS)]
                out[f.name] = [t for t in texts if t.strip()]
            elif f.kind == "list":
                out[f.name] = a2p.parse_keywords(self._input(f.name))
            else:
                out[f.name] = self._input(f.name)
        return out

    def problems(self) -> dict[str, str]:
        return a2p.problems(self.values(), creating=self.creating, usecases=self.usecases)

    def _check(self, *, quiet: bool = False) -> dict[str, str]:
        """Show each field's problem under it (only for fields with something typed, unless
        sending); the top line counts them."""
        found = self.problems()
        values = self.values()
        for name in [*a2p.BY_NAME, "brand_registration_sid", "us_app_to_person_usecase"]:
            nodes = self.query(f"#cf-{name}-error")
            if not nodes:
                continue
            message = found.get(name, "")
            if quiet and values.get(name) in (None, "", [], False):
                message = ""
            self.say(message, f"#cf-{name}-error")
        count = len(found)
        text = "" if quiet or not count else f"{count} field{'s' * (count != 1)} to fix"
        if self.problem:  # Twilio's refusal of the last send stays in sight
            text = f"Not saved: {self.problem}" + (f" · {text}" if text else "")
        self.say(text, "#campaign-problems")
        return found

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._check(quiet=True)

    @on(Select.Changed, "#cf-brand_registration_sid")
    def _brand_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            brand = next((b for b in self.brands if b.get("sid") == event.value), {})
            refusal = a2p.brand_can_register(brand)
            if refusal:
                self.say(refusal, "#cf-brand_registration_sid-error")
            self.load_usecases(event.value)
        self._check(quiet=True)

    @on(Select.Changed, "#cf-us_app_to_person_usecase")
    def _usecase_chosen(self) -> None:
        self._check(quiet=True)

    @work(exclusive=True, group="usecases", exit_on_error=False)
    async def load_usecases(self, brand_sid: str) -> None:
        select = self.query_one("#cf-us_app_to_person_usecase", Select)
        try:
            found = await compliance.campaign_usecases(
                self.session.client, self.service["sid"], brand_sid
            )
        except errors.MsgsvcError as exc:
            self.notify(errors.describe(exc), severity="error", title="No use cases")
            return
        self.usecases = [str(u.get("code")) for u in found]
        wanted = (self.typed or {}).get("us_app_to_person_usecase")
        select.set_options(
            [
                (Text(f"{shown(u.get('name'))} ({shown(u.get('code'))})"), str(u.get("code")))
                for u in found
            ]
        )
        select.prompt = "choose a use case"
        if wanted in self.usecases:
            select.value = wanted

    @on(Input.Submitted)
    def _next(self) -> None:
        self.focus_next()

    # ---- answers --------------------------------------------------------------------------
    @on(Button.Pressed, "#campaign-send")
    def action_submit(self) -> None:
        found = self._check()
        if found:
            first = next(iter(found))
            target = "#cf-sample-0" if first == "message_samples" else f"#cf-{first}"
            nodes = self.query(target)
            if nodes:
                nodes.first().focus()
            return
        values = self.values()
        if not self.creating:  # the update takes every updatable field
            values = {k: v for k, v in values.items() if k in a2p.BY_NAME}
        self.dismiss(values)

    @on(Button.Pressed, "#campaign-close")
    def _close(self) -> None:
        self.action_cancel()


class AttachScreen(PromptScreen):
    """A campaign registered elsewhere (TCR), attached by its ID (PreregisteredUsa2p)."""

    DEFAULT_CSS: ClassVar[str] = """
    AttachScreen Input { margin-bottom: 1; }
    """

    ID = "attach"
    TITLE = "Attach a campaign registered elsewhere"
    PLACEHOLDER = "campaign ID, e.g. CABC123"
    HELP = "The campaign's TCR ID. Enter attaches; escape cancels."
    CHECK_AS_TYPED = False

    def problem(self, text: str) -> str | None:
        text = text.strip()
        if not text or not text.isalnum():
            return "A campaign ID is letters and digits, such as CABC123"
        return None

    def answer(self, text: str) -> str:
        return text.strip()
