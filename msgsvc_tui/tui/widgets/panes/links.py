"""The Links tab: the service's link-shortening domain and its config (read-only: Twilio sets
link shortening up in the Console, so there is nothing here to write)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from msgsvc_tui.api import compliance
from msgsvc_tui.tui.text import put, shown
from msgsvc_tui.tui.widgets.nav import NavScroll
from msgsvc_tui.tui.widgets.panes.base import DROPPED, ServicePane


class LinksPane(ServicePane):
    DEFAULT_CSS: ClassVar[str] = """
    LinksPane #links-scroll { height: 1fr; }
    """
    TITLE = "The Links tab"
    SUMMARY_ID = "links-summary"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "Reload", id="links-reload", tooltip="Ask again"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="links-summary")
        yield NavScroll(Static("", id="links-body"), id="links-scroll")
        yield Static("Read-only: link shortening is set up in the Twilio Console.", classes="help")

    def main_widget(self) -> Widget:
        return self.query_one("#links-scroll")

    def clear(self) -> None:
        put(self.query_one("#links-body", Static), "")

    @work(exclusive=True, group="links", exit_on_error=False)
    async def load(self, service_sid: str) -> None:
        found = await self.answer(
            service_sid, compliance.link_shortening(self.session.client, service_sid)
        )
        if found is DROPPED:
            return
        self.summary("")
        body = self.query_one("#links-body", Static)
        if found is None:
            put(body, "No shortened-links domain: links in messages are sent as written.")
            return
        text = Text()
        text.append("Links in messages are shortened on this domain.", style="bold green")
        for label, key in (
            ("Domain", "domain_sid"),
            ("Config", "config_sid"),
            ("Fallback URL", "fallback_url"),
            ("Callback URL", "callback_url"),
            ("Continue on failure", "continue_on_failure"),
            ("Updated", "date_updated"),
        ):
            value = found.get(key)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            text.append(f"\n{label + ':':<21}", style="bold")
            text.append(shown("—" if value in (None, "") else str(value)))
        put(body, text)
