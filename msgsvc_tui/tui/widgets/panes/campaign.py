"""The A2P tab: the service's 10DLC campaign (status in words, use case, texts, flags, rate
limits, errors explained), its brand, and registering, attaching or deleting a campaign."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widget import Widget
from textual.widgets import Static

from msgsvc_tui.api import compliance, errors
from msgsvc_tui.core import a2p
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.tui.messages import CampaignSeen
from msgsvc_tui.tui.text import name_of, put, shown
from msgsvc_tui.tui.widgets.nav import NavScroll
from msgsvc_tui.tui.widgets.panes.base import DROPPED, ServicePane

Json = dict[str, Any]

# A campaign in review is asked about again this often while its tab is on screen, at most
# this many times per service (ten minutes), so a tab left open costs a bounded number of
# requests; ctrl+r starts the count again.
REVIEW_POLL_SECONDS = 10.0
MAX_REVIEW_POLLS = 60
_STATUS_STYLE = {"VERIFIED": "bold green", "FAILED": "bold red"}


def campaign_text(campaign: Json | None, brand: Json | None) -> Text:
    """Everything about a campaign, as lines (server text made safe)."""
    if campaign is None:
        text = Text()
        text.append(a2p.status_words(None), style="bold yellow")
        text.append("\n\na registers a campaign · P attaches one registered elsewhere")
        return text
    status = str(campaign.get("campaign_status") or "")
    text = Text()
    text.append(
        f"{shown(status)}: {shown(a2p.status_words(status))}",
        style=_STATUS_STYLE.get(status, "bold yellow"),
    )
    for line in a2p.explain_errors(campaign):
        text.append(f"\n✗ {shown(line)}", style="red")
    rows: list[tuple[str, str]] = [
        ("Use case", str(campaign.get("us_app_to_person_usecase") or "—")),
        ("Campaign", f"{campaign.get('campaign_id') or '—'} · {campaign.get('sid')}"),
        (
            "Brand",
            a2p.brand_line(brand)
            if brand
            else str(campaign.get("brand_registration_sid") or "external"),
        ),
    ]
    if campaign.get("is_externally_registered"):
        rows.append(("Registered", "elsewhere (attached by campaign ID)"))
    for f in a2p.FIELDS:
        value = campaign.get(f.name)
        if f.kind == "bool":
            shown_value = "yes" if value else "no"
        elif f.kind == "samples":
            shown_value = "".join(f"\n  {i}. {s}" for i, s in enumerate(value or [], 1)) or "—"
        elif f.kind == "list":
            shown_value = ", ".join(map(str, value or [])) or "—"
        else:
            shown_value = "—" if value in (None, "") else str(value)
        rows.append((f.label, shown_value))
    limits = campaign.get("rate_limits") or {}
    if isinstance(limits, dict) and limits:
        parts = []
        for carrier, values in limits.items():
            if isinstance(values, dict):
                inner = ", ".join(f"{k} {v}" for k, v in values.items())
                parts.append(f"{carrier}: {inner}")
        rows.append(("Rate limits", "; ".join(parts)))
    for label, value in rows:
        text.append(f"\n{label + ':':<20}", style="bold")
        text.append(safe(value, newlines=True))
    return text


class CampaignPane(ServicePane):
    DEFAULT_CSS: ClassVar[str] = """
    CampaignPane #campaign-scroll { height: 1fr; }
    """
    TITLE = "The A2P tab"
    SUMMARY_ID = "campaign-summary"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "register", "Register", id="campaign-add", tooltip="Register a campaign"),
        Binding("e", "edit", "Edit", id="campaign-edit", tooltip="Edit the campaign's texts"),
        Binding("P", "attach", "Attach", id="campaign-attach", tooltip="Attach by campaign ID"),
        Binding("x,delete", "delete", "Delete", id="campaign-delete", tooltip="Delete it"),
        Binding("ctrl+r", "reload", "Reload", id="campaign-reload", tooltip="Ask again"),
    ]

    def __init__(self, session: Any, **kw: Any) -> None:
        super().__init__(session, **kw)
        self.campaign: Json | None = None
        self.brand: Json | None = None
        self.review_polls: dict[str, int] = {}  # service SID -> times asked while in review

    def on_mount(self) -> None:
        super().on_mount()
        # the review's clock; tests pause it and call review_tick themselves
        self.poller = self.set_interval(REVIEW_POLL_SECONDS, self.review_tick)

    @property
    def reading(self) -> bool:
        """The campaign is being read (loaded, or asked again while in review)."""
        return any(w.group == "campaign" and not w.is_finished for w in self.workers)

    @property
    def in_review(self) -> bool:
        return bool(self.campaign and self.campaign.get("campaign_status") == "IN_PROGRESS")

    def review_tick(self) -> None:
        """While the campaign shown is in review and its tab is on screen, ask again; the
        answer (verified or failed) replaces it, and the list's US column follows."""
        service = self.service
        if service is None or not self.in_review or not self.region.area:
            return
        if self.reading:
            return
        sid = str(service["sid"])
        asked = self.review_polls.get(sid, 0)
        if asked >= MAX_REVIEW_POLLS:
            return
        self.review_polls[sid] = asked + 1
        self.load(sid)

    def compose(self) -> ComposeResult:
        yield Static("", id="campaign-summary")
        yield NavScroll(Static("", id="campaign-body"), id="campaign-scroll")
        yield Static(
            "a register · e edit · P attach by ID · x delete · ctrl+r reload", classes="help"
        )

    def main_widget(self) -> Widget:
        return self.query_one("#campaign-scroll")

    def clear(self) -> None:
        self.campaign = self.brand = None
        put(self.query_one("#campaign-body", Static), "")

    @work(exclusive=True, group="campaign", exit_on_error=False)
    async def load(self, service_sid: str) -> None:
        found = await self.answer(
            service_sid, self._campaign_and_brand(service_sid), failing="Cannot load the campaign"
        )
        if found is DROPPED:
            return
        campaign, brand = found
        self.campaign, self.brand = found
        self.summary(self._review_note(service_sid))
        put(self.query_one("#campaign-body", Static), campaign_text(campaign, brand))
        status = (campaign or {}).get("campaign_status")
        self.post_message(CampaignSeen(service_sid, str(status) if status else None))

    async def _brands(self) -> list[Json]:
        cache = self.session.cache
        if "brands" not in cache:
            cache["brands"] = await compliance.list_brands(self.session.client)
        brands: list[Json] = cache["brands"]
        return brands

    async def _campaign_and_brand(self, service_sid: str) -> tuple[Json | None, Json | None]:
        campaign = await compliance.campaign_of(self.session.client, service_sid)
        brand_sid = (campaign or {}).get("brand_registration_sid")
        if not brand_sid:
            return campaign, None
        return campaign, next((b for b in await self._brands() if b.get("sid") == brand_sid), None)

    def _review_note(self, service_sid: str) -> str:
        if not self.in_review:
            return ""
        if self.review_polls.get(service_sid, 0) >= MAX_REVIEW_POLLS:
            return "In review: no longer asked by itself (ctrl+r asks again)"
        return f"In review: this tab asks again every {REVIEW_POLL_SECONDS:.0f} s while open"

    def action_reload(self) -> None:
        self.session.cache.pop("brands", None)
        if self.service is not None:
            self.review_polls.pop(str(self.service["sid"]), None)
        super().action_reload()

    # ---- writes ---------------------------------------------------------------------------
    def action_register(self) -> None:
        if self.writable_service() is None:
            return
        if self.campaign is not None:
            self.app.notify(
                "This service has a campaign: a service holds one. Delete it first (x), or "
                "edit it (e).",
                severity="warning",
                title="One campaign per service",
            )
            return
        self._open_form(None)

    def action_edit(self) -> None:
        if self.writable_service() is None:
            return
        if self.campaign is None:
            self.app.notify("No campaign to edit: a registers one", timeout=3)
            return
        self._open_form(self.campaign)

    @work(group="campaign-form", exit_on_error=False)
    async def _open_form(self, campaign: Json | None) -> None:
        from msgsvc_tui.tui.screens.campaign_form import CampaignForm

        service = self.service
        assert service is not None
        try:
            brands = await self._brands() if campaign is None else []
        except errors.MsgsvcError as exc:
            self.app.notify(errors.describe(exc), severity="error", title="No brands")
            return
        typed: Json | None = None
        problem = ""
        while True:  # a refusal reopens the form with what was typed: nothing is lost
            typed = await self.app.push_screen_wait(
                CampaignForm(self.session, service, brands, campaign, typed=typed, problem=problem)
            )
            if not typed:
                return
            problem = await self._save(service, campaign, typed)
            if not problem:
                return

    async def _save(self, service: Json, campaign: Json | None, values: Json) -> str:
        """Send the form; returns what Twilio (or the network) said when it failed, else ""."""
        writes = self.session.writes
        if campaign is None:
            call = writes.create_campaign(service, values)
        else:
            call = writes.update_campaign(service, campaign, values)
        done, saved = await self.attempt(call, title="Not saved")
        if not done or saved is None:
            return self.last_failure
        if campaign is None:
            self.app.notify(f"Registered the campaign of {name_of(service)}: in review")
        else:
            self.app.notify(f"Saved the campaign of {name_of(service)}")
        if self.current(service["sid"]):
            self.show(self.service)
        return ""

    def action_attach(self) -> None:
        service = self.writable_service()
        if service is None:
            return
        from msgsvc_tui.tui.screens.campaign_form import AttachScreen

        def typed(campaign_id: str | None) -> None:
            if campaign_id:
                self.attach(service, campaign_id)

        self.app.push_screen(AttachScreen(), typed)

    @work(group="campaign-write", exit_on_error=False)
    async def attach(self, service: Json, campaign_id: str) -> None:
        call = self.session.writes.attach_campaign(service, campaign_id)
        done, attached = await self.attempt(call, title="Not attached")
        if not done or attached is None:
            return
        self.app.notify(f"Attached campaign {shown(campaign_id)} to {name_of(service)}")
        if self.current(service["sid"]):
            self.show(self.service)

    def action_delete(self) -> None:
        campaign = self.campaign
        service = self.writable_service()
        if service is None:
            return
        if campaign is None:
            self.app.notify(
                "Still reading the campaign: x works once it is shown"
                if self.reading
                else "No campaign to delete: a registers one",
                timeout=3,
            )
            return
        self.confirm_then(
            "Delete campaign",
            f"Delete the {campaign.get('us_app_to_person_usecase')} campaign of "
            f"“{name_of(service)}”?\n\nThe service stops sending to US numbers over 10DLC. "
            "Undo cannot bring it back: registering again is a new review.",
            "Delete",
            lambda: self.delete(service, campaign),
        )

    @work(group="campaign-write", exit_on_error=False)
    async def delete(self, service: Json, campaign: Json) -> None:
        call = self.session.writes.delete_campaign(service, campaign)
        done, _ = await self.attempt(call, title="Not deleted")
        if not done:
            return
        self.app.notify(f"Deleted the campaign of {name_of(service)}")
        if self.current(service["sid"]):
            self.show(self.service)
