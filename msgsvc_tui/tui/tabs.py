"""The detail tabs, in one registry: adding a tab is one pane module plus one entry here.

Its key (`1`…`n`, by position), its label, the help screen's section, the footer's binding
and the command palette's "Tab: …" entries all come from this list.
"""

from __future__ import annotations

from dataclasses import dataclass

from msgsvc_tui.tui.widgets.campaign_pane import CampaignPane, LinksPane
from msgsvc_tui.tui.widgets.member_pane import ChannelSendersPane, CountrySendersPane
from msgsvc_tui.tui.widgets.senders_pane import SendersPane
from msgsvc_tui.tui.widgets.service_pane import ServicePane


@dataclass(frozen=True)
class DetailTab:
    id: str  # the TabPane's id: "tab-senders"
    title: str
    tip: str
    pane: type[ServicePane] | None  # None: the Settings form itself
    pane_id: str = ""

    def key(self) -> str:
        return str(TABS.index(self) + 1)

    def label(self) -> str:
        return f"{self.key()} {self.title}"


TABS: tuple[DetailTab, ...] = (
    DetailTab("tab-settings", "Settings", "The service's settings form", None),
    DetailTab("tab-senders", "Senders", "Numbers, short codes, alpha ID", SendersPane, "senders"),
    DetailTab("tab-channels", "Channels", "WhatsApp, RCS senders", ChannelSendersPane, "channels"),
    DetailTab(
        "tab-countries", "Countries", "Alpha sender per country", CountrySendersPane, "countries"
    ),
    DetailTab("tab-campaign", "A2P", "The US A2P 10DLC campaign", CampaignPane, "campaign"),
    DetailTab("tab-links", "Links", "Link shortening", LinksPane, "links"),
)
BY_ID = {t.id: t for t in TABS}
