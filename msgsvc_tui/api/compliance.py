"""A service's A2P 10DLC campaign, the account's brands, link shortening, and the account's
Messaging v2 channel senders: the client's calls for them, beside the core ones in client.py.

Functions over a `MessagingClient` rather than more methods on it: they share its transport,
retries and write reconciliation (`write`: sent once, resent only after a 429, a lost
answer settled by asking the server), and keep client.py to the service itself. Importing
this module does not import httpx.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.api.outcome import Verdict as _Verdict
from msgsvc_tui.api.outcome import checked_sid as _sid
from msgsvc_tui.core import a2p, fields, senders

if TYPE_CHECKING:  # the client (and httpx) is imported by whoever made one
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]
PAGE = 1000


def _campaigns_url(client: MessagingClient, service_sid: str) -> str:
    return f"{client.services_url}/{_sid(service_sid, 'MG')}/Compliance/Usa2p"


# ---- campaigns ----------------------------------------------------------------------------
async def list_campaigns(client: MessagingClient, service_sid: str) -> list[Json]:
    return await client.collect(_campaigns_url(client, service_sid), "compliance", PAGE)


async def campaign_of(client: MessagingClient, service_sid: str) -> Json | None:
    """The service's campaign (a service has at most one), or None."""
    found = await list_campaigns(client, service_sid)
    return found[0] if found else None


async def fetch_campaign(client: MessagingClient, service_sid: str, sid: str) -> Json:
    url = f"{_campaigns_url(client, service_sid)}/{_sid(sid, a2p.CAMPAIGN_PREFIX)}"
    return await client.request_json("GET", url)


def _checked_body(values: Mapping[str, Any], *, creating: bool) -> dict[str, str | list[str]]:
    refused = a2p.refusal(values, creating=creating)
    if refused is not None:
        raise refused
    body: dict[str, str | list[str]] = {}
    for param, value in a2p.form_body(values, creating=creating):
        held = body.get(param)
        if held is None:
            body[param] = [value] if param in _LIST_PARAMS else value
        elif isinstance(held, list):
            held.append(value)
    return body


_LIST_PARAMS = frozenset(f.param for f in a2p.FIELDS if f.kind in ("list", "samples"))


async def create_campaign(
    client: MessagingClient, service_sid: str, values: Mapping[str, Any]
) -> Json:
    """Register the service's campaign. A lost answer is settled by listing the service's
    campaigns: a service holds one, so a campaign there with our use case is ours."""
    body = _checked_body(values, creating=True)
    url = _campaigns_url(client, service_sid)

    async def settle(_: float) -> _Verdict:
        found = await list_campaigns(client, service_sid)
        mine = [
            c
            for c in found
            if c.get("us_app_to_person_usecase") == values.get("us_app_to_person_usecase")
            and c.get("brand_registration_sid") == values.get("brand_registration_sid")
        ]
        if mine:
            return _Verdict(True, mine[0], "the service now has that campaign")
        if found:
            return _Verdict(False, detail="the service has a different campaign")
        return _Verdict(False, detail="the service has no campaign")

    created = await client.write("create campaign", service_sid, "POST", url, body, settle)
    assert created is not None
    return created


async def update_campaign(
    client: MessagingClient, service_sid: str, sid: str, values: Mapping[str, Any]
) -> Json:
    body = _checked_body(values, creating=False)
    url = f"{_campaigns_url(client, service_sid)}/{_sid(sid, a2p.CAMPAIGN_PREFIX)}"

    async def settle(_: float) -> _Verdict:
        current = await client.request_json("GET", url)
        differ = [n for n, v in values.items() if n in a2p.BY_NAME and current.get(n) != v]
        if differ:
            return _Verdict(False, detail="the campaign does not hold the new values")
        return _Verdict(True, current, "the campaign holds the new values")

    updated = await client.write("update campaign", sid, "POST", url, body, settle)
    assert updated is not None
    return updated


async def delete_campaign(client: MessagingClient, service_sid: str, sid: str) -> None:
    url = f"{_campaigns_url(client, service_sid)}/{_sid(sid, a2p.CAMPAIGN_PREFIX)}"
    await client.write("delete campaign", sid, "DELETE", url, None, client.settle_deleted(sid, url))


async def campaign_usecases(
    client: MessagingClient, service_sid: str, brand_sid: str | None = None
) -> list[Json]:
    """The use cases a campaign may have, for `brand_sid` when given."""
    params = {"BrandRegistrationSid": _sid(brand_sid, a2p.BRAND_PREFIX)} if brand_sid else None
    url = f"{_campaigns_url(client, service_sid)}/Usecases"
    body = await client.request_json("GET", url, params=params)
    return list(body.get("us_app_to_person_usecases", []))


async def attach_preregistered(
    client: MessagingClient, service_sid: str, campaign_id: str, *, cnp_migration: bool = False
) -> Json:
    """Attach a campaign registered elsewhere (its TCR campaign ID) to the service."""
    campaign_id = campaign_id.strip()
    if not campaign_id or not campaign_id.isalnum():
        raise fields.ValidationError(
            [
                fields.FieldError(
                    "campaign_id",
                    "CampaignId",
                    fields.INVALID_PARAMETER,
                    "A campaign ID is letters and digits, such as CABC123",
                )
            ]
        )
    service_sid = _sid(service_sid, "MG")
    url = f"{client.services_url}/PreregisteredUsa2p"
    body: dict[str, str | list[str]] = {
        "CampaignId": campaign_id,
        "MessagingServiceSid": service_sid,
    }
    if cnp_migration:
        body["CnpMigration"] = "true"

    async def settle(_: float) -> _Verdict:
        found = await list_campaigns(client, service_sid)
        mine = [c for c in found if c.get("campaign_id") == campaign_id]
        if mine:
            return _Verdict(True, mine[0], "the service now has that campaign")
        return _Verdict(False, detail="the service does not have that campaign")

    attached = await client.write("attach campaign", campaign_id, "POST", url, body, settle)
    assert attached is not None
    return attached


# ---- brands -------------------------------------------------------------------------------
# A brand registration has no name: the business's name is its customer profile's
# friendly_name, in TrustHub (https://www.twilio.com/docs/trust-hub/trusthub-rest-api/
# customer-profiles). At most this many are asked for, this many at a time.
MAX_NAMED_BRANDS = 100
NAME_LOOKUPS_AT_ONCE = 8


async def list_brands(client: MessagingClient) -> list[Json]:
    """The account's brands, each with `name` (its customer profile's friendly name) when
    TrustHub gave one: a brand is found by its business's name, not its BN… SID."""
    brands = await client.collect(
        f"{client.messaging_base}/v1/a2p/BrandRegistrations", "data", PAGE
    )
    names = await brand_names(client, brands[:MAX_NAMED_BRANDS])
    for brand in brands:
        brand["name"] = names.get(str(brand.get("sid")))
    return brands


def trusthub_base(client: MessagingClient) -> str:
    """TrustHub's host at Twilio; the one base given otherwise (the emulator, a proxy)."""
    base = client.messaging_base
    if base.startswith("https://messaging.") and base.endswith(".twilio.com"):
        return "https://trusthub.twilio.com"
    return base


async def brand_name(client: MessagingClient, brand_sid: str) -> str | None:
    """One brand's business name (None when it has none, or it cannot be read)."""
    if fields.sid_problem(brand_sid, "BN"):
        return None  # server text that is no SID is never put in a path
    url = f"{client.messaging_base}/v1/a2p/BrandRegistrations/{brand_sid}"
    try:
        brand = await client.request_json("GET", url)
    except errors.MsgsvcError:
        return None
    return (await brand_names(client, [brand])).get(brand_sid)


async def brand_names(client: MessagingClient, brands: list[Json]) -> dict[str, str]:
    """Brand SID -> its business's name; a brand whose profile cannot be read has none (its
    SID is shown instead): a missing name never stops the brands being listed."""
    import asyncio

    gate = asyncio.Semaphore(NAME_LOOKUPS_AT_ONCE)
    base = trusthub_base(client)

    async def one(brand: Json) -> tuple[str, str | None]:
        sid = str(brand.get("sid"))
        profile = brand.get("customer_profile_bundle_sid")
        if not isinstance(profile, str) or not profile.isalnum():
            return sid, None
        async with gate:
            try:
                found = await client.request_json("GET", f"{base}/v1/CustomerProfiles/{profile}")
            except errors.MsgsvcError:
                return sid, None
        name = found.get("friendly_name") if isinstance(found, dict) else None
        return sid, name if isinstance(name, str) and name.strip() else None

    pairs = await asyncio.gather(*(one(b) for b in brands))
    return {sid: name for sid, name in pairs if name}


# ---- link shortening ----------------------------------------------------------------------
async def link_shortening(client: MessagingClient, service_sid: str) -> Json | None:
    """The service's shortened-links domain with its config merged in, or None when the
    service has no domain (Twilio answers 404)."""
    sid = _sid(service_sid, "MG")
    base = f"{client.messaging_base}/v1/LinkShortening"
    try:
        domain = await client.request_json("GET", f"{base}/MessagingServices/{sid}/Domain")
    except errors.NotFoundError:
        return None
    try:
        config = await client.request_json("GET", f"{base}/MessagingService/{sid}/DomainConfig")
    except errors.NotFoundError:
        config = {}
    return {**config, **domain}


# ---- the account's channel senders (Messaging v2) -----------------------------------------
async def list_account_channel_senders(
    client: MessagingClient, channels: tuple[str, ...] = senders.CHANNELS
) -> list[Json]:
    """Every WhatsApp and RCS sender of the account (v2 lists one channel at a time)."""
    out: list[Json] = []
    for channel in channels:
        url = f"{client.messaging_base}/v2/Channels/Senders"
        params = {"PageSize": PAGE, "Channel": channel}
        async with contextlib.aclosing(client.pages(url, "senders", params)) as pages:
            async for page in pages:
                out.extend(page.items)
    return out
