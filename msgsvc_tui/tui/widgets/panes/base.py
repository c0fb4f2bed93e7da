"""The base of every detail tab but the form: a pane that shows one service's resources.

Every pane is built with the session (client, read-only flag, journal, lookups) when its tab
first opens, and loads lazily: `show(service)` is called only when its tab is open (opening a
service costs one request, not one per tab), and `forget()` when another service is selected
while the tab is closed, so it loads afresh when opened. Writes use `refuses_writes` first
(--readonly), and go through the session's write path (journalled there). A stale answer
(the user moved on) is dropped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

from rich.text import Text
from textual.containers import ScrollableContainer, Vertical
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Static, TextArea

from msgsvc_tui.api import errors
from msgsvc_tui.core import editing
from msgsvc_tui.tui import keymode
from msgsvc_tui.tui.keymode import focus_now
from msgsvc_tui.tui.screens.base import ReportsWorkerErrors
from msgsvc_tui.tui.session import Session
from msgsvc_tui.tui.text import put

if TYPE_CHECKING:
    from msgsvc_tui.ops.writes import Outcome

Json = dict[str, Any]
T = TypeVar("T")


class Dropped(Enum):
    """An answer a pane does not show: the read failed (said on its summary line) or the
    user moved on to another service."""

    DROPPED = "dropped"


DROPPED = Dropped.DROPPED


class ServicePane(ReportsWorkerErrors, Vertical):
    """Subclasses set TITLE (the help section's name) and implement `load` (a worker)."""

    DEFAULT_CSS: ClassVar[str] = """
    ServicePane { height: 1fr; padding: 0 1; }
    """

    TITLE: ClassVar[str] = ""
    SUMMARY_ID: ClassVar[str] = ""  # the Static that shows the pane's state line
    LOADING: ClassVar[str] = "Loading…"
    # What the pane shows is judged from the service's settings (the Health tab's findings):
    # the same service back with other settings (a flip, a save, an undo) is loaded again.
    # Other panes list what the service holds, which a settings write leaves as it was: they
    # take the new settings as they are (`settings_changed`).
    FOLLOWS_SETTINGS: ClassVar[bool] = False

    # The service shown: setting it (show) loads it, once the pane is composed. Set before
    # that (a pane is built when its tab first opens), on_mount loads it.
    service: reactive[Json | None] = reactive(None, always_update=True, repaint=False)

    def __init__(self, session: Session, **kw: Any) -> None:
        super().__init__(**kw)
        self.session = session
        self.last_failure = ""  # what the last failed write was told, in words
        self._composed = False
        self._focus_on_mount: int | None = None  # keymode.reads() when the focus was asked
        self.presented_sid: str | None = None  # the service last shown (a reload keeps its scroll)

    def forget(self) -> None:
        """Drop what it showed: the next time its tab opens, it loads again."""
        self.set_reactive(ServicePane.service, None)

    def shows(self, service: Json | None) -> bool:
        return bool(service and self.service and self.service.get("sid") == service.get("sid"))

    def follow(self, service: Json) -> None:
        """`service` as last read from the server: another service is loaded; this one, as a
        write left it (a flip, a save, an undo), is loaded again by a pane that judges the
        settings, and handed as it is to the others, which keep what they list."""
        if not self.shows(service):
            self.show(service)
        elif editing.server_changes(self.service or {}, service):
            if self.FOLLOWS_SETTINGS:
                self.show(service)
            else:
                self.settings_changed(service)

    def settings_changed(self, service: Json) -> None:
        """The same service with other settings: kept without a load (what the pane lists
        does not depend on them; a pane whose words do says them again)."""
        self.set_reactive(ServicePane.service, service)

    def on_mount(self) -> None:
        self._composed = True
        if self.service is not None:
            self._present(self.service)
        if self._focus_on_mount is not None:
            keymode.focus_if_current(self.main_widget(), self._focus_on_mount)

    def show(self, service: Json | None) -> None:
        """Show `service` (again: a reload), asking the server for what this tab lists."""
        self.service = service

    def watch_service(self, service: Json | None) -> None:
        if self._composed:
            self._present(service)

    def _present(self, service: Json | None) -> None:
        sid = str(service["sid"]) if service else None
        if sid != self.presented_sid:
            # another service starts at its top: a scroll kept from the last one hid the
            # first lines (the A2P tab's status) of this one
            for scroll in self.query(ScrollableContainer):
                scroll.scroll_home(animate=False, immediate=True)
            self.presented_sid = sid
        self.clear()
        if service is None:
            self.summary("")
            return
        self.summary(self.LOADING)
        self.load(service["sid"])

    def clear(self) -> None:
        """Empty what it shows (before a load)."""

    def load(self, service_sid: str) -> object:
        """Start loading (a worker in each subclass)."""
        raise NotImplementedError

    @property
    def key_place(self) -> str:
        """What the mode indicator names while this pane has the focus."""
        return self.TITLE.removeprefix("The ").removesuffix(" tab")

    def main_widget(self) -> Widget:
        """Where this tab's keys work: its first focusable widget that is not a text field
        (opening a tab must leave letters as commands: typing is chosen, never landed in)."""
        for widget in self.query("*"):
            if (
                isinstance(widget, Widget)
                and widget.can_focus
                and widget.display
                and not isinstance(widget, (Input, TextArea))
            ):
                return widget
        return self

    def focus_main(self) -> None:
        """Put the focus on `main_widget()`, at once (tui/keymode.py). A pane names where
        its keys work by overriding `main_widget`, not this."""
        focus_now(self.main_widget())

    def take_focus(self) -> None:
        """focus_main, now or once mounted (a pane is built when its tab first opens)."""
        if self._composed:
            self.focus_main()
        else:
            self._focus_on_mount = keymode.reads()

    def writable_service(self) -> Json | None:
        """The service a key that writes acts on; None once it has said why there is none:
        a new service not created yet (its tabs list nothing until ctrl+s creates it), or
        read-only mode."""
        if self.service is None:
            self.app.notify(
                "No service to act on yet: ctrl+s on the form creates it first",
                title="Nothing to act on",
                severity="warning",
                timeout=4,
            )
            return None
        if self.session.refuses_writes(self.app.notify):
            return None
        return self.service

    def current(self, service_sid: str) -> bool:
        """Is `service_sid` still the one shown (else an answer is stale)?"""
        return bool(self.service and self.service["sid"] == service_sid)

    def action_reload(self) -> None:
        """Ask the server again for what this tab shows."""
        if self.service is not None:
            self.show(self.service)

    async def answer(
        self, service_sid: str, read: Awaitable[T], *, failing: str = "Cannot load"
    ) -> T | Literal[Dropped.DROPPED]:
        """What `read` (a load's reads for `service_sid`) found, or DROPPED: when it fails,
        the summary line says so (`failing`: the reason) while the service is still shown;
        when the user has moved on, the stale answer is dropped."""
        try:
            found = await read
        except errors.MsgsvcError as exc:
            if self.current(service_sid):
                self.summary(Text(f"{failing}: {errors.describe(exc)}", style="red"))
            return DROPPED
        return found if self.current(service_sid) else DROPPED

    def summary(self, text: str | Text) -> None:
        if self.SUMMARY_ID:
            put(self.query_one(f"#{self.SUMMARY_ID}", Static), text)

    def confirm_then(self, title: str, question: str, yes: str, act: Callable[[], object]) -> None:
        """A removal's question (`y` goes ahead, `n`/esc leaves everything as it is); `act`
        runs on yes only."""
        from msgsvc_tui.tui.screens.modals import confirm_then

        confirm_then(self, title, question, act, yes=yes, danger=True)

    async def attempt(
        self,
        call: Awaitable[Outcome],
        *,
        title: str,
        explain: Callable[[errors.ApiError], str] | None = None,
    ) -> tuple[bool, Json | None]:
        """Run a write through the write path; on failure say why in a toast titled `title`
        (Twilio's refusal in words through `explain`, else the outcome's words) and return
        (False, None). The write path already journalled it and settled a lost answer: what
        it reports is the truth."""
        outcome = await call
        if outcome.ok:
            return True, outcome.result
        if isinstance(outcome.error, errors.ApiError) and explain is not None:
            words = explain(outcome.error)
        else:
            words = outcome.words
        self.last_failure = words
        self.app.notify(words, severity="error", title=title, timeout=10)
        return False, None
