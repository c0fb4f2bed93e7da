"""The Textual application: which account we talk to, and the screens that show it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from msgsvc_tui.api import errors
from msgsvc_tui.core.config import (
    Config,
    ConfigError,
    Connection,
    Profile,
    mask_sid,
    resolve_connection,
)
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.ops.pool import PoolIndex
from msgsvc_tui.tui import guard, hangup, keymode, messages
from msgsvc_tui.tui.bindings import APP_BINDINGS
from msgsvc_tui.tui.commands import MsgsvcCommands
from msgsvc_tui.tui.config_io import save_config, save_profile
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.textual_private import FrameFilterApp

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.emulator.app import EmulatorApp
    from msgsvc_tui.ops.journal import Journal
    from msgsvc_tui.tui.screens.main import MainScreen
    from msgsvc_tui.tui.tour import TourPanel


class MsgsvcApp(FrameFilterApp[int]):
    CSS_PATH = Path(__file__).parent / "app.tcss"  # absolute: subclasses elsewhere still find it
    TITLE = "msgsvc-tui"
    COMMANDS = App.COMMANDS | {MsgsvcCommands}
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    def __init__(
        self,
        *,
        config: Config,
        connection: Connection | None = None,
        demo: bool = False,
        readonly: bool = False,
        emulator_db: str | Path | None = None,
        sandbox_only: bool = False,
        tour: bool = False,
        show_keys: bool = False,
    ) -> None:
        super().__init__()
        self.config = config
        self.connection = connection
        self.readonly = readonly
        self.start_in_demo = demo
        self.emulator_db = emulator_db
        # A visitor of `serve` (or any --sandbox-db run): the sandbox and nothing else, so
        # nobody reaches a real account, or the host's profiles, through it.
        self.sandbox_only = sandbox_only
        self.tour_on_start = tour  # --tour: the sandbox, with the tour on its first screen
        self.show_keys = show_keys  # --show-keys: each key shown in a corner (keycast.py)
        self.emulator: EmulatorApp | None = None
        self._client: MessagingClient | None = None
        self.is_sandbox = False
        self.pool_index = PoolIndex()
        self._journal: Journal | None = None
        self.journal_problem: str | None = None
        self.session: Session | None = None
        # the streams a hangup closes (tui/hangup.py), asked now: once it has hung up, a
        # terminal no longer says it is one
        self._terminal: list[int] = hangup.terminal_fds()
        self._hung_up = False
        if config.preferences.theme in self.available_themes:
            self.theme = config.preferences.theme

    @property
    def journal(self) -> Journal | None:
        """Every write of the app, kept in the data folder; None with --readonly (nothing is
        written, so nothing is recorded)."""
        if self.readonly:
            return None
        if self._journal is None and self.journal_problem is None:
            # imported here: sqlite3 and uuid would delay the first frame for nothing
            from msgsvc_tui.ops.journal import Journal, JournalError

            try:
                self._journal = Journal.default()
            except JournalError as exc:  # every write is refused, saying this
                self.journal_problem = str(exc)
        return self._journal

    # ---- the connection -------------------------------------------------------------------
    @property
    def client(self) -> MessagingClient:
        if self._client is None:
            raise errors.MsgsvcError("not connected")
        return self._client

    def compose(self) -> ComposeResult:
        # The first frame: cheap, and already says where we are going. Everything heavy
        # (httpx, the main screen's widgets, the first request) waits until it is painted.
        if self.start_in_demo:
            where = "opening the demo sandbox (local emulator)…"
        elif self.connection is not None:
            who = self.connection.profile or self.connection.source
            where = f"connecting to {who} ({mask_sid(self.connection.account_sid)})…"
        else:
            where = "looking for credentials…"
        # a profile's name comes from a file: shown as text, never parsed as markup
        yield Static(safe(f" msgsvc-tui  {where}"), id="splash", markup=False)

    def on_mount(self) -> None:
        self.call_after_refresh(self._start)
        # a real terminal only: a test's headless driver (and a browser's) paints on none
        if self.is_headless:
            self._terminal = []
        if self._terminal:
            self.set_interval(hangup.CHECK_SECONDS, self._leave_if_hung_up)

    def _leave_if_hung_up(self) -> bool:
        """The terminal is gone (see tui/hangup.py): nobody can answer a question any more,
        so the app leaves as it would on ctrl+c twice; what is saved stays saved, and every
        write sent is in the journal. True when it is gone."""
        if not self._hung_up and hangup.hung_up(self._terminal):
            self._hung_up = True
            self.exit(return_code=ExitCode.HANGUP)
        return self._hung_up

    def frame_wanted(self) -> bool:
        """No frame for a terminal that has hung up: Textual's writer thread dies on the
        first write that fails, and once its queue of 30 is full the next write would block
        the app for ever, the check above never to run again. So the terminal is asked
        before every frame (one `poll`, a few microseconds)."""
        return not (self._terminal and self._leave_if_hung_up())

    def _start(self) -> None:
        for warning in self.config.warnings:
            self.notify(warning, severity="warning", title="Config file", timeout=15)
        if self.start_in_demo:
            self.start_demo()
        elif self.connection is not None:
            self.connect(self.connection)
        else:
            from msgsvc_tui.tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen(self.config.path))

    @property
    def main_screen(self) -> MainScreen | None:
        from msgsvc_tui.tui.screens.main import MainScreen

        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def start_demo(self) -> None:
        from msgsvc_tui.emulator.server import demo_connection, embedded_client, open_emulator

        if self.emulator is None:
            self.emulator = open_emulator(self.emulator_db)
        client = embedded_client(self.emulator, readonly=self.readonly)
        self.is_sandbox = True
        self._open(demo_connection(), client)

    # ---- onboarding: the tour, the keys shown ------------------------------------------------
    @property
    def tour(self) -> TourPanel | None:
        main = self.main_screen
        if main is None:
            return None
        from msgsvc_tui.tui.tour import TourPanel

        # among the screen's own children (where it is mounted), not the whole tree: this is
        # asked on every key
        found = main.query_children(TourPanel)
        return found.first() if found else None

    def action_tour(self) -> None:
        """The guided tour, on the sandbox's main screen (its steps name demo services)."""
        main = self.main_screen
        if main is None or not self.is_sandbox:
            self.notify(
                "The tour runs on the demo sandbox: ctrl+p, Open the demo sandbox, then the "
                "tour (or msgsvc-tui --tour).",
                severity="warning",
                timeout=6,
            )
            return
        if self.tour is not None:
            return
        from msgsvc_tui.tui.tour import TourPanel

        while self.screen is not main:
            # dismissed, not popped: a worker waiting on the dialog's answer gets "cancel"
            # and ends, where a pop would leave it waiting for ever
            self.screen.dismiss(None)
        main.mount(TourPanel(main, readonly=self.readonly))

    def end_tour(self) -> None:
        tour = self.tour
        if tour is not None:
            tour.remove()
            self.notify("Tour closed: ctrl+p, Tour, to take it again.", timeout=4)

    async def on_event(self, event: events.Event) -> None:
        """Every key, before anything handles it: shown with --show-keys, seen by the tour
        (which only watches, but for esc: that leaves it)."""
        # a key arrives once from the terminal, and may come back up to the App after the
        # focused widget saw it (forwarded): only the first counts
        if isinstance(event, events.Key) and not event.is_forwarded:
            if self.show_keys:
                self._cast(event)
            tour = self.tour
            if tour is not None:
                main = self.main_screen
                # esc backs out one level: a field, a tab, then (from the list) the tour
                on_list = main is not None and self.screen is main and main.table.has_focus
                if event.key == "escape" and on_list:
                    self.end_tour()
                    return
                tour.key_pressed(event.key)
            # then read once, now, by the keyboard's state machine (tui/keymode.py)
            if self.screen_stack and await keymode.route_key(self, event):
                return
        await super().on_event(event)

    def _cast(self, event: events.Key) -> None:
        from msgsvc_tui.tui.widgets.keycast import KeyCaster

        screen = self.screen
        found = screen.query(KeyCaster)
        caster = found.first() if found else None
        if caster is None:
            caster = KeyCaster()
            screen.mount(caster)
            screen.call_after_refresh(caster.show_key, event)
        else:
            caster.show_key(event)

    def action_reset_sandbox(self) -> None:
        """The sandbox as new (every edit in it lost), after a confirm: between two demos."""
        if not self.is_sandbox or self.emulator is None:
            self.notify("Only the demo sandbox can be reset.", severity="warning", timeout=4)
            return
        if self.readonly:
            self.notify(
                "Read-only mode (--readonly): the sandbox is not reset.",
                severity="warning",
                title="Read-only",
                timeout=4,
            )
            return
        from msgsvc_tui.tui.screens.modals import confirm_then

        def reset() -> None:
            if self.emulator is not None:
                from msgsvc_tui.emulator import demo

                count = demo.reset_demo(self.emulator.store)
                self.start_demo()
                self.notify(f"The sandbox is as new: {count} services.", timeout=4)

        self._leave_main(
            lambda: confirm_then(
                self,
                "Reset the sandbox?",
                "Every edit in the demo sandbox is erased and its demo data seeded again.",
                reset,
                yes="Reset",
                danger=True,
            )
        )

    def connect(self, connection: Connection) -> None:
        from msgsvc_tui.api.client import MessagingClient

        try:
            client = MessagingClient.from_connection(connection, readonly=self.readonly)
        except errors.MsgsvcError as exc:
            self.notify(errors.describe(exc), severity="error", title="Cannot connect")
            return
        self.is_sandbox = False
        self._open(connection, client)

    def _open(self, connection: Connection, client: MessagingClient) -> None:
        from msgsvc_tui.tui.screens.main import MainScreen

        old = self._client
        self._client = client
        self.pool_index = PoolIndex()
        self.connection = connection
        self.sub_title = "SANDBOX" if self.is_sandbox else safe(connection.profile or "")
        if old is not None:
            self.run_worker(old.aclose(), exit_on_error=False)
        # a fresh session and main screen per connection: no state leaks between accounts
        self.session = Session(
            client=client,
            config=self.config,
            connection=connection,
            readonly=self.readonly,
            sandbox=self.is_sandbox,
            journal=self.journal,
            journal_problem=self.journal_problem,
            pool_index=self.pool_index,
        )
        while len(self.screen_stack) > 1:
            self.pop_screen()
        main = MainScreen(self.session)
        self.push_screen(main)
        if self.tour_on_start and self.is_sandbox:
            self.tour_on_start = False
            main.call_after_refresh(self.action_tour)

    def _refuses_profiles(self) -> bool:
        if self.sandbox_only:
            self.notify(
                "This is a sandbox of its own (a workshop's, or --sandbox-db): profiles and "
                "real accounts are not reachable from it.",
                severity="warning",
                title="Sandbox only",
                timeout=5,
            )
        return self.sandbox_only

    def switch_profile(self, name: str) -> None:
        if self._refuses_profiles():
            return

        def go() -> None:
            try:
                conn = resolve_connection(self.config, profile=name, env={})
            except ConfigError as exc:
                self.notify(str(exc), severity="error")
                return
            if conn is not None:
                self._try_profile(name, conn)

        self._leave_main(go)

    @work(exclusive=True, group="switch", exit_on_error=False)
    async def _try_profile(self, name: str, conn: Connection) -> None:
        """Ask the new account for one service before letting go of the current one: a
        profile that fails (refused, unreachable) leaves the working one active."""
        from msgsvc_tui.api.client import MessagingClient

        try:
            client = MessagingClient.from_connection(conn, readonly=self.readonly, max_retries=1)
        except errors.MsgsvcError as exc:
            self.notify(errors.describe(exc), severity="error", title=f"Not switched to {name}")
            return
        try:
            async with contextlib.aclosing(client.iter_service_pages(1, limit=1)) as pages:
                async for _ in pages:
                    break
        except errors.MsgsvcError as exc:
            await client.aclose()
            kept = self.connection.profile if self.connection else "the current one"
            self.notify(
                f"{errors.describe(exc)}\nKept {kept}.",
                severity="error",
                title=f"Not switched to {name}",
                timeout=10,
            )
            return
        self.config.active_profile = name
        self.save_config()
        self.is_sandbox = False
        self._open(conn, client)
        self.notify(f"Switched to {name}", timeout=3)

    def save_config(self) -> bool:
        return save_config(self.config, self.notify)

    def watch_theme(self, theme: str) -> None:
        if self.config.preferences.theme != theme:
            self.config.preferences.theme = theme
            self.save_config()  # a chosen theme is kept, config file or not yet

    # ---- actions --------------------------------------------------------------------------
    def action_help(self) -> None:
        from msgsvc_tui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_profiles(self) -> None:
        if self._refuses_profiles():
            return
        from msgsvc_tui.tui.screens.profiles import ProfilesScreen

        current = self.connection.profile if self.connection else None
        self.push_screen(ProfilesScreen(self.config, current))

    def action_add_profile(self) -> None:
        if self._refuses_profiles():
            return
        from msgsvc_tui.tui.screens.profiles import ProfileEditor

        def saved(profile: Profile | None) -> None:
            if profile is None or not save_profile(self.config, profile, self.notify):
                return
            self.config.active_profile = profile.name
            self.save_config()
            self.switch_profile(profile.name)

        self.push_screen(ProfileEditor(), saved)

    def action_quit_app(self) -> None:
        self._leave_main(self.exit)

    async def action_quit(self) -> None:
        """Every way out asks about unsaved edits: Textual's own quit (the palette's "Quit",
        any `app.quit`) exits at once, and took the form's edits with it."""
        self.action_quit_app()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            if command.callback == self.action_quit:
                command = command._replace(help="Quit (asks about unsaved edits)")
            yield command

    def _leave_main(self, then: Callable[[], object]) -> None:
        main = self.main_screen
        if main is None:
            then()
        else:
            main.confirm_leave(then)

    def filter_frame(self, update: object) -> object:
        """Every frame passes the guard (tui/guard.py) on its way to the terminal."""
        return guard.clean_update(update)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of the app (screens and widgets delegate here): shown as plain text,
        never parsed as markup, control characters made visible. Messages quote server text
        (names, Twilio's error messages); a `[/]` in a name once crashed the app here."""
        super().notify(
            safe(message, newlines=True),
            title=safe(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    # ---- keys: each read once, as it arrives, by the one state machine (tui/keymode.py) ----
    def on_key(self, event: events.Key) -> None:
        if keymode.was_routed(event):
            # its bindings were looked up when it arrived; never again, later: Textual's own
            # handler (App._on_key, after this one) would run them a second time
            event.prevent_default()

    # ---- messages up from screens and widgets ----------------------------------------------
    @on(messages.SwitchProfile)
    def _switch_asked(self, message: messages.SwitchProfile) -> None:
        self.switch_profile(message.name)

    @on(messages.ProfileSaved)
    def _profile_saved(self, message: messages.ProfileSaved) -> None:
        if message.connect:
            self.switch_profile(message.profile.name)

    @on(messages.OpenDemo)
    def _demo_asked(self) -> None:
        self.start_demo()

    @on(messages.AddProfile)
    def _add_asked(self) -> None:
        self.action_add_profile()

    # ---- one place for worker failures ----------------------------------------------------
    @on(messages.WorkerFailed)
    def _worker_failed(self, message: messages.WorkerFailed) -> None:
        self.report_failure(message.error)

    @on(Worker.StateChanged)
    def _own_worker(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_failure(event.worker.error)

    def report_failure(self, error: BaseException) -> None:
        """The one handler for a worker that failed unexpectedly, in any screen or widget."""
        self.notify(errors.describe(error), severity="error", title="Request failed", timeout=8)

    async def on_unmount(self) -> None:
        if self._client is not None:
            await self._client.aclose()
