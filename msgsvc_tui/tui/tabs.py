"""The detail tabs, in one registry: adding a tab is one pane module plus one entry here.

Its key (`1`…`n`, by position), its label, the help screen's section, the footer's binding
and the command palette's "Tab: …" entries all come from this list.

A tab's pane is named, not imported: its module is imported, and the pane built, the first
time the tab opens (DetailPane), so the app's first frame pays for none of them.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from msgsvc_tui.tui.widgets.panes.base import ServicePane


@dataclass(frozen=True)
class DetailTab:
    id: str  # the TabPane's id: "tab-senders"
    title: str
    tip: str
    pane_path: str = ""  # "module:Class" of its ServicePane; "": the Settings form itself
    pane_id: str = ""

    @property
    def pane(self) -> type[ServicePane] | None:
        """The pane's class (its module imported now, once)."""
        if not self.pane_path:
            return None
        module, _, name = self.pane_path.partition(":")
        found: type[ServicePane] = getattr(importlib.import_module(module), name)
        return found

    def key(self) -> str:
        return str(TABS.index(self) + 1)

    def label(self) -> str:
        return f"{self.key()} {self.title}"


_W = "msgsvc_tui.tui.widgets.panes."
TABS: tuple[DetailTab, ...] = (
    DetailTab("tab-settings", "Settings", "The service's settings form"),
    DetailTab(
        "tab-senders",
        "Senders",
        "Numbers, short codes, alpha ID",
        _W + "senders:SendersPane",
        "senders",
    ),
    DetailTab(
        "tab-channels",
        "Channels",
        "WhatsApp, RCS senders",
        _W + "members:ChannelSendersPane",
        "channels",
    ),
    DetailTab(
        "tab-countries",
        "Countries",
        "Alpha sender per country",
        _W + "members:CountrySendersPane",
        "countries",
    ),
    DetailTab(
        "tab-campaign",
        "A2P",
        "The US A2P 10DLC campaign",
        _W + "campaign:CampaignPane",
        "campaign",
    ),
    DetailTab("tab-links", "Links", "Link shortening", _W + "links:LinksPane", "links"),
    DetailTab(
        "tab-messages",
        "Messages",
        "Send through the service, watch statuses",
        _W + "messages:MessagesPane",
        "messages",
    ),
    DetailTab(
        "tab-health",
        "Health",
        "Why messages would fail: the doctor's findings",
        _W + "health:HealthPane",
        "health",
    ),
)
BY_ID = {t.id: t for t in TABS}
