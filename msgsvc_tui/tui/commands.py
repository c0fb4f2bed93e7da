"""ctrl+p: every action of the current screen, plus switching profiles and the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from msgsvc_tui.tui.app import MsgsvcApp


class MsgsvcCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: MsgsvcApp = self.app  # type: ignore[assignment]
        screen = self.screen
        out: list[tuple[str, Callable[[], object], str]] = []
        from msgsvc_tui.tui.screens.main import ListPane, MainScreen

        if isinstance(screen, MainScreen):
            for b in [*MainScreen.BINDINGS, *ListPane.BINDINGS]:
                if not isinstance(b, Binding):
                    continue
                action = b.action.removeprefix("screen.")
                if screen.check_action(action.split("(")[0], ()) is None:
                    continue  # disabled (read-only)
                out.append(
                    (
                        b.description,
                        partial(screen.run_action, action),
                        f"{b.tooltip} [{b.key.split(',')[0]}]",
                    )
                )
        for name in sorted(app.config.profiles):
            out.append(
                (f"Switch profile: {name}", partial(app.switch_profile, name), "Use this profile")
            )
        out.append(("Profiles…", app.action_profiles, "List, add, edit and test profiles"))
        out.append(("Add a Twilio profile", app.action_add_profile, "Account SID and a secret"))
        if not app.is_sandbox:
            out.append(("Open the demo sandbox", app.start_demo, "The local emulator with demos"))
        out.append(("Help: every key", app.action_help, "The list of key bindings"))
        return out

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
