"""ctrl+p: every action of the current screen, plus switching profiles and the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from msgsvc_tui.tui.messages import OpenDemo, SwitchProfile


class MsgsvcCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        screen = self.screen
        out: list[tuple[str, Callable[[], object], str]] = []
        from msgsvc_tui.tui.screens.main import ListPane, MainScreen

        if isinstance(screen, MainScreen):
            owners = [(MainScreen.BINDINGS, screen), (ListPane.BINDINGS, screen.list_pane)]
            for bindings, owner in owners:
                for b in bindings:
                    if isinstance(b, Binding):
                        run = partial(owner.run_action, b.action)
                        out.append((b.description, run, f"{b.tooltip} [{b.key.split(',')[0]}]"))
            from msgsvc_tui.tui.tabs import TABS

            for tab in TABS:
                show = partial(screen.run_action, f"tab('{tab.id}')")
                out.append((f"Tab: {tab.title}", show, f"{tab.tip} [{tab.key()}]"))
            session = screen.session
            for name in sorted(session.config.profiles):
                switch = partial(screen.post_message, SwitchProfile(name))
                out.append((f"Switch profile: {name}", switch, "Use this profile"))
            if not session.sandbox:
                demo = partial(screen.post_message, OpenDemo())
                out.append(("Open the demo sandbox", demo, "The local emulator with demos"))
            else:
                tour = partial(app.run_action, "app.tour")
                out.append(("Tour: a guided tour of the app", tour, "Steps in the real UI"))
                if not session.readonly:
                    reset = partial(app.run_action, "app.reset_sandbox")
                    out.append(("Reset the sandbox", reset, "Erase every edit: the demo as new"))
        profiles = partial(app.run_action, "app.profiles")
        out.append(("Profiles…", profiles, "List, add, edit and test profiles"))
        add = partial(app.run_action, "app.add_profile")
        out.append(("Add a Twilio profile", add, "Account SID and a secret"))
        out.append(("Help: every key", partial(app.run_action, "app.help"), "Every key binding"))
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
