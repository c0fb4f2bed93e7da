"""Profiles: list, add, edit, switch, test. Secrets are masked as typed, never shown again."""

from __future__ import annotations

import contextlib
import re
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.button import ButtonVariant
from textual.widgets.option_list import Option

from msgsvc_tui.api import errors
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core.config import Config, Profile, Secret, mask_sid
from msgsvc_tui.tui.config_io import save_config, save_profile
from msgsvc_tui.tui.messages import SwitchProfile
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.screens.modals import CheckedDialog, Dialog, confirm_then, key_button
from msgsvc_tui.tui.text import as_text, put
from msgsvc_tui.tui.textual_private import TextInput
from msgsvc_tui.tui.widgets.nav import NavOptionList

# (attribute, label, secret?, help)
_FIELDS: tuple[tuple[str, str, bool, str], ...] = (
    ("name", "Profile name", False, "Letters, digits, . _ - (e.g. work, staging)"),
    ("account_sid", "Account SID", False, "AC followed by 32 hex digits"),
    ("auth_token", "Auth token", True, "Or leave empty and use an API key below"),
    ("api_key", "API key SID", False, "SK…; wins over the auth token when set"),
    ("api_secret", "API key secret", True, "The secret shown once when the key was made"),
    ("region", "Region", False, "Optional: us1, ie1, au1"),
    ("edge", "Edge", False, "Optional: ashburn, dublin, sydney, …"),
    ("base_url", "Base URL", False, "Optional: a non-Twilio base, e.g. the emulator"),
)
_ATTRS = frozenset(attr for attr, *_ in _FIELDS)
_LABELS = {attr: label for attr, label, *_ in _FIELDS}


def _labelled(message: str) -> str:
    """A profile's problem in the words of this dialog: a field named by its key in the
    file ("api_key and api_secret") is named by the label the dialog shows it with."""
    return re.sub(r"\b[a-z]+_[a-z_]+\b", lambda m: _LABELS.get(m[0], m[0]), message)


class ProfileEditor(CheckedDialog[Profile]):
    """The profile's lines, checked on ctrl+s or enter in the last one (enter in another
    moves on, as in every dialog that is typed in): each problem on its own field's line,
    the focus on the first."""

    DEFAULT_CSS: ClassVar[str] = """
    ProfileEditor .field-label { color: $text; text-style: bold; }
    /* by the frame's id: above Input's own :focus and -invalid borders */
    ProfileEditor #profile-editor Input {
        height: 1; border: none; background: $boost; padding: 0 1;
    }
    """
    ID = "profile"
    FRAME_ID = "profile-editor"
    FRAME_CLASSES = "wide"
    CHECK_AS_TYPED = False  # a half-typed SID is no problem yet
    SAVE = Binding("ctrl+s", "save", "Save", id="profile-save", priority=True)
    CANCEL = Binding("escape", "cancel", "Cancel", id="profile-cancel")
    BINDINGS: ClassVar[list[BindingType]] = [SAVE, CANCEL]

    def __init__(self, existing: Profile | None = None) -> None:
        super().__init__(f"Edit profile {existing.name}" if existing else "Add a Twilio profile")
        self.existing = existing
        self.refused = False  # a save was refused: from then on each line is checked as typed

    def checks_as_typed(self) -> bool:
        return self.refused

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        with Horizontal(classes="dialog-buttons"):
            yield key_button(self.SAVE, id="save", variant="primary")
            yield key_button(self.CANCEL, id="cancel")

    def compose_inputs(self) -> ComposeResult:
        with VerticalScroll(classes="dialog-body"):
            for attr, label, secret, help_text in _FIELDS:
                value = getattr(self.existing, attr, None) if self.existing else None
                placeholder = help_text
                if secret and value:
                    placeholder = "•••••••• unchanged (type to replace)"
                yield Label(label, classes="field-label")
                yield TextInput(
                    value="" if secret or value is None else str(value),
                    placeholder=placeholder,
                    password=secret,
                    id=f"profile-{attr}",
                    disabled=attr == "name" and self.existing is not None,
                )
                yield Static("", classes="error", id=f"profile-error-{attr}")

    def _value(self, attr: str) -> str:
        return self.query_one(f"#profile-{attr}", Input).value.strip()

    def build(self) -> Profile:
        def secret(attr: str) -> Secret | None:
            typed = self._value(attr)
            if typed:
                return Secret(typed)
            return getattr(self.existing, attr, None) if self.existing else None

        return Profile(
            name=self.existing.name if self.existing else self._value("name"),
            account_sid=self._value("account_sid"),
            auth_token=secret("auth_token"),
            api_key=self._value("api_key") or None,
            api_secret=secret("api_secret"),
            region=self._value("region") or None,
            edge=self._value("edge") or None,
            base_url=self._value("base_url") or None,
        )

    def check(self, *, typing: bool) -> tuple[Input, str] | None:
        """Every problem of a field on that field's line, the focus to go to the first; a
        problem of no field (none today) is the answer's words, for the dialog's one line."""
        problems = self.build().problems()
        for attr in _ATTRS:
            mine = [_labelled(p.message) for p in problems if p.attr == attr]
            self.say(mine[0] if mine else "", f"#profile-error-{attr}")
        if not problems:
            return None
        self.refused = self.refused or not typing
        placed = [p for p in problems if p.attr in _ATTRS]
        if placed:
            return self.query_one(f"#profile-{placed[0].attr}", Input), ""
        return self.query_one(Input), str(problems[0])

    def say_problem(self, problem: tuple[Input, str] | None) -> None:
        """A field's problem is on its own line already (`check`); the one line says any other."""
        super().say_problem(problem if problem and problem[1] else None)

    def action_save(self) -> None:
        self.finish()

    def submit(self) -> None:
        self.dismiss(self.build())


class ProfilesScreen(ReportsWorkerErrors, Dialog[None]):
    FRAME_ID = "profiles"
    FRAME_CLASSES = "wide"
    FOCUS = "OptionList"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "switch", "Switch", id="profiles-switch", tooltip="Use this profile"),
        Binding("a", "add", "Add", id="profiles-add", tooltip="Add a profile"),
        Binding("e", "edit", "Edit", id="profiles-edit", tooltip="Edit the profile"),
        Binding("t", "test", "Test", id="profiles-test", tooltip="Test the connection"),
        Binding("x", "remove", "Remove", id="profiles-remove", tooltip="Remove the profile"),
        Binding("escape", "cancel", "Close", id="profiles-close"),
    ]
    BUTTONS: ClassVar[tuple[str, ...]] = (
        "switch",
        "add",
        "edit",
        "test",
        "close",
    )  # the first: primary

    def __init__(self, config: Config, in_use: str | None) -> None:
        super().__init__("Profiles")
        self.config = config
        self.in_use = in_use  # the profile the app is connected with
        self.tested: str | None = None  # the profile the status line's test is about

    def compose_body(self) -> ComposeResult:
        yield NavOptionList(id="profile-list", classes="dialog-body")
        yield Static(as_text(f"Saved in {self.config.path}"), id="profiles-status", classes="help")
        by_id = {b.id: b for b in self.BINDINGS if isinstance(b, Binding)}
        with Horizontal(classes="dialog-buttons"):
            for name in self.BUTTONS:
                variant: ButtonVariant = "primary" if name == self.BUTTONS[0] else "default"
                yield key_button(by_id[f"profiles-{name}"], id=name, variant=variant)

    def on_mount(self) -> None:
        self.refresh_list()

    def refresh_list(self, select: str | None = None) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        config = self.config
        current = self.in_use
        for name, p in sorted(config.profiles.items()):
            marks = []
            if name == config.active_profile:
                marks.append("active")
            if name == current:
                marks.append("in use")
            auth = "API key" if p.api_key else "auth token"
            where = p.base_url or ".".join(x for x in (p.edge, p.region) if x) or "twilio.com"
            extra = f"  [{', '.join(marks)}]" if marks else ""
            options.add_option(
                # Text: a URL such as http://[::1]:8765 is never read as markup; a profile's
                # name comes from a file anyone may have edited
                Option(
                    as_text(f"{name:<14} {mask_sid(p.account_sid)}  {auth}  {where}{extra}"),
                    id=name,
                )
            )
        if not config.profiles:
            options.add_option(Option("(no profiles yet: press a to add one)", disabled=True))
        if select:
            with contextlib.suppress(Exception):
                options.highlighted = options.get_option_index(select)

    def _selected(self) -> Profile | None:
        options = self.query_one(OptionList)
        if options.highlighted is None:
            return None
        option = options.get_option_at_index(options.highlighted)
        return self.config.profiles.get(option.id or "")

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.action_switch()

    def action_switch(self) -> None:
        profile = self._selected()
        if profile is None:
            return
        self.post_message(SwitchProfile(profile.name))

    def action_add(self) -> None:
        self.app.push_screen(ProfileEditor(), self._saved)

    def action_edit(self) -> None:
        profile = self._selected()
        if profile is not None:
            self.app.push_screen(ProfileEditor(profile), self._saved)

    def _saved(self, profile: Profile | None) -> None:
        if profile is None:
            return
        if save_profile(self.config, profile, self.notify):
            self.refresh_list(select=profile.name)

    def action_remove(self) -> None:
        profile = self._selected()
        if profile is None:
            return

        def remove() -> None:
            self.config.remove_profile(profile.name)
            if save_config(self.config, self.notify):
                # a test of it said earlier (or still under way) is about a profile gone;
                # a test of another profile goes on, and says its result
                if self.tested == profile.name:
                    self.workers.cancel_group(self, "profile-test")
                    put(
                        self.query_one("#profiles-status", Static),
                        as_text(f"Removed {profile.name} · saved in {self.config.path}"),
                    )
                self.refresh_list()

        confirm_then(
            self,
            "Remove profile",
            f"Remove the profile {profile.name!r} from {self.config.path}?",
            remove,
            yes="Remove",
            danger=True,
        )

    def action_test(self) -> None:
        profile = self._selected()
        if profile is not None:
            self.test_connection(profile)

    @work(exclusive=True, group="profile-test", exit_on_error=False)
    async def test_connection(self, profile: Profile) -> None:
        self.tested = profile.name
        status = self.query_one("#profiles-status", Static)
        put(status, f"Testing {profile.name}…")
        conn = profile.connection()
        try:
            async with MessagingClient.from_connection(conn, max_retries=1) as client:
                first = client.iter_service_pages(page_size=1, limit=1)
                async with contextlib.aclosing(first) as pages:
                    page = await anext(pages)
        except (errors.MsgsvcError, StopAsyncIteration) as exc:
            put(status, as_text(f"✗ {profile.name}: {errors.describe(exc)}", "bold red"))
            return
        found = "at least one service" if page.items else "no services yet"
        put(status, as_text(f"✓ {profile.name}: connected, {found}", "bold green"))
