"""The emulator's routes for what a service owns beyond settings and numbers: channel senders,
country alpha senders, the A2P campaign (+ its use cases, the account's brands, attaching a
preregistered campaign), link shortening, and Messaging v2's account list of channel senders.

Wire format from the spec's own examples (twilio_messaging_v1.json, _v2.json): list keys
("senders", "alpha_senders", "compliance", "data"), paging meta, field names.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from msgsvc_tui.core import a2p, fields, senders
from msgsvc_tui.emulator.resources import USECASES, Resources
from msgsvc_tui.emulator.store import EmulatorError
from msgsvc_tui.emulator.wire import (
    Request,
    Response,
    _decode_token,
    _encode_token,
    _int_param,
    _page_size,
    missing,
    page_links,
    sender_value,
)

Handler = Callable[..., Response]
Route = tuple[re.Pattern[str], dict[str, Handler]]
_SID = r"([A-Za-z0-9]+)"
INVALID = fields.INVALID_PARAMETER
# Twilio's sender_type for each channel prefix (the spec's ChannelSenders readFull example).
SENDER_TYPES = {"whatsapp": "WhatsApp", "rcs": "RCS", "messenger": "Messenger"}


class ResourceRoutes:
    def __init__(self, resources: Resources) -> None:
        self.res = resources

    def routes(self) -> list[Route]:
        svc = rf"^/v1/Services/{_SID}"
        return [
            (
                re.compile(rf"{svc}/ChannelSenders\Z"),
                {"GET": self.list_channel, "POST": self.add_channel},
            ),
            (
                re.compile(rf"{svc}/ChannelSenders/{_SID}\Z"),
                {"GET": self.fetch_channel, "DELETE": self.remove_channel},
            ),
            (
                re.compile(rf"{svc}/DestinationAlphaSenders\Z"),
                {"GET": self.list_country, "POST": self.add_country},
            ),
            (
                re.compile(rf"{svc}/DestinationAlphaSenders/{_SID}\Z"),
                {"GET": self.fetch_country, "DELETE": self.remove_country},
            ),
            (
                re.compile(r"^/v1/Services/PreregisteredUsa2p\Z"),
                {"POST": self.preregistered},
            ),
            (
                re.compile(rf"{svc}/Compliance/Usa2p\Z"),
                {"GET": self.list_campaigns, "POST": self.create_campaign},
            ),
            (re.compile(rf"{svc}/Compliance/Usa2p/Usecases\Z"), {"GET": self.campaign_usecases}),
            (
                re.compile(rf"{svc}/Compliance/Usa2p/{_SID}\Z"),
                {
                    "GET": self.fetch_campaign,
                    "POST": self.update_campaign,
                    "DELETE": self.delete_campaign,
                },
            ),
            (re.compile(r"^/v1/a2p/BrandRegistrations\Z"), {"GET": self.list_brands}),
            (re.compile(rf"^/v1/a2p/BrandRegistrations/{_SID}\Z"), {"GET": self.fetch_brand}),
            (
                re.compile(rf"^/v1/LinkShortening/MessagingServices/{_SID}/Domain\Z"),
                {"GET": self.link_domain},
            ),
            (
                re.compile(rf"^/v1/LinkShortening/MessagingService/{_SID}/DomainConfig\Z"),
                {"GET": self.link_domain_config},
            ),
            (re.compile(r"^/v2/Channels/Senders\Z"), {"GET": self.list_account_channel}),
            (re.compile(rf"^/v2/Channels/Senders/{_SID}\Z"), {"GET": self.fetch_account_channel}),
        ]

    @staticmethod
    def links(url: str) -> dict[str, str]:
        """A service's links to what these routes serve."""
        return {
            "channel_senders": f"{url}/ChannelSenders",
            "destination_alpha_senders": f"{url}/DestinationAlphaSenders",
            "us_app_to_person": f"{url}/Compliance/Usa2p",
            "us_app_to_person_usecases": f"{url}/Compliance/Usa2p/Usecases",
        }

    # ---- paging ---------------------------------------------------------------------------
    @staticmethod
    def _paged(
        req: Request,
        key: str,
        fetch: Callable[[int, int], list[sqlite3.Row]],
        render: Callable[[sqlite3.Row], dict[str, Any]],
    ) -> Response:
        size = _page_size(req.query)
        page = _int_param(req.query, "Page", 0)
        after, _ = _decode_token(req.query.get("PageToken"))
        rows = fetch(after or 0, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        token = _encode_token("a", rows[-1]["seq"]) if more else None
        meta = page_links(req, req.path, size, page, token, key)
        return Response(200, {"meta": meta, key: [render(r) for r in rows]})

    # ---- channel senders ------------------------------------------------------------------
    def _channel(self, req: Request, row: sqlite3.Row) -> dict[str, Any]:
        service = row["service_sid"]
        return {
            "account_sid": row["account_sid"],
            "country_code": row["country_code"],
            "date_created": row["date_added"],
            "date_updated": row["date_added"],
            "messaging_service_sid": service,
            "sender": row["sender_id"],
            "sender_type": SENDER_TYPES.get(row["channel"], row["channel"]),
            "sid": row["sid"],
            "url": f"{req.base}/v1/Services/{service}/ChannelSenders/{row['sid']}",
        }

    def list_channel(self, req: Request, service: str) -> Response:
        kind = senders.CHANNEL_SENDERS
        return self._paged(
            req,
            kind.items_key,
            lambda after, limit: self.res.list_members(
                req.account_sid, service, kind, after=after, limit=limit
            ),
            lambda r: self._channel(req, r),
        )

    def add_channel(self, req: Request, service: str) -> Response:
        sid = sender_value(req, senders.CHANNEL_SENDERS)
        row = self.res.add_channel_sender(req.account_sid, service, sid)
        return Response(201, self._channel(req, row))

    def fetch_channel(self, req: Request, service: str, sid: str) -> Response:
        row = self.res.get_member(req.account_sid, service, senders.CHANNEL_SENDERS, sid)
        return Response(200, self._channel(req, row))

    def remove_channel(self, req: Request, service: str, sid: str) -> Response:
        self.res.remove_channel_sender(req.account_sid, service, sid)
        return Response(204)

    def _account_channel(self, req: Request, row: sqlite3.Row) -> dict[str, Any]:
        return {
            "sid": row["sid"],
            "status": row["status"],
            "sender_id": row["sender_id"],
            "configuration": {"waba_id": None, "verification_method": "sms"},
            "webhook": {"callback_url": None, "callback_method": "POST"},
            "profile": {"name": row["profile_name"], "about": None, "vertical": None},
            "properties": {"quality_rating": "HIGH", "messaging_limit": "10K Customers/24hr"},
            "offline_reasons": None,
            "compliance": None,
            "url": f"{req.base}/v2/Channels/Senders/{row['sid']}",
        }

    def list_account_channel(self, req: Request) -> Response:
        channel = req.query.get("Channel", "")
        if not channel:
            raise EmulatorError(400, INVALID, "Missing required parameter Channel")
        if channel not in senders.CHANNELS:
            raise EmulatorError(
                400, INVALID, f"Invalid Channel: {channel[:20]!r} (whatsapp or rcs)"
            )
        return self._paged(
            req,
            "senders",
            lambda after, limit: self.res.list_account_channel_senders(
                req.account_sid, channel, after=after, limit=limit
            ),
            lambda r: self._account_channel(req, r),
        )

    def fetch_account_channel(self, req: Request, sid: str) -> Response:
        row = self.res.get_account_channel_sender(req.account_sid, sid)
        return Response(200, self._account_channel(req, row))

    # ---- country alpha senders ------------------------------------------------------------
    @staticmethod
    def _country(req: Request, row: sqlite3.Row) -> dict[str, Any]:
        service = row["service_sid"]
        return {
            "account_sid": row["account_sid"],
            "alpha_sender": row["alpha_sender"],
            "capabilities": ["SMS"],
            "date_created": row["date_created"],
            "date_updated": row["date_updated"],
            "iso_country_code": row["iso_country_code"],
            "service_sid": service,
            "sid": row["sid"],
            "url": f"{req.base}/v1/Services/{service}/DestinationAlphaSenders/{row['sid']}",
        }

    def list_country(self, req: Request, service: str) -> Response:
        kind = senders.DESTINATION_ALPHA_SENDERS
        country = req.query.get("IsoCountryCode") or None
        return self._paged(
            req,
            kind.items_key,
            lambda after, limit: self.res.list_members(
                req.account_sid, service, kind, after=after, limit=limit, country=country
            ),
            lambda r: self._country(req, r),
        )

    def add_country(self, req: Request, service: str) -> Response:
        alpha = sender_value(req, senders.DESTINATION_ALPHA_SENDERS)
        country = req.form.get("IsoCountryCode") or None
        row = self.res.add_destination_alpha(req.account_sid, service, alpha, country)
        return Response(201, self._country(req, row))

    def fetch_country(self, req: Request, service: str, sid: str) -> Response:
        kind = senders.DESTINATION_ALPHA_SENDERS
        return Response(
            200, self._country(req, self.res.get_member(req.account_sid, service, kind, sid))
        )

    def remove_country(self, req: Request, service: str, sid: str) -> Response:
        self.res.remove_destination_alpha(req.account_sid, service, sid)
        return Response(204)

    # ---- campaigns ------------------------------------------------------------------------
    @staticmethod
    def _campaign(req: Request, row: sqlite3.Row) -> dict[str, Any]:
        service = row["service_sid"]
        out: dict[str, Any] = json.loads(row["body"])
        # write-only on Twilio: the spec's us_app_to_person response has no such fields
        out.pop("privacy_policy_url", None)
        out.pop("terms_and_conditions_url", None)
        out.update(
            account_sid=row["account_sid"],
            campaign_status=row["status"],
            date_created=row["date_created"],
            date_updated=row["date_updated"],
            messaging_service_sid=service,
            sid=row["sid"],
            url=f"{req.base}/v1/Services/{service}/Compliance/Usa2p/{row['sid']}",
        )
        return out

    def list_campaigns(self, req: Request, service: str) -> Response:
        rows = self.res.list_campaigns(req.account_sid, service)
        return self._paged(
            req,
            "compliance",
            lambda after, limit: [r for r in rows if r["seq"] > after][:limit],
            lambda r: self._campaign(req, r),
        )

    def create_campaign(self, req: Request, service: str) -> Response:
        values = a2p.from_form(req.form_lists)
        for param, name in (
            ("BrandRegistrationSid", "brand_registration_sid"),
            ("UsAppToPersonUsecase", "us_app_to_person_usecase"),
        ):
            if not req.form.get(param):
                raise missing(param)
            values[name] = req.form[param]
        for f in a2p.FIELDS:
            if f.required and f.name not in values:
                raise missing(f.param)
        row = self.res.create_campaign(req.account_sid, service, values)
        return Response(201, self._campaign(req, row))

    def fetch_campaign(self, req: Request, service: str, sid: str) -> Response:
        return Response(
            200, self._campaign(req, self.res.get_campaign(req.account_sid, service, sid))
        )

    def update_campaign(self, req: Request, service: str, sid: str) -> Response:
        values = a2p.from_form(req.form_lists)
        for name in a2p.UPDATE_REQUIRED:
            if name not in values:
                raise missing(a2p.BY_NAME[name].param)
        row = self.res.update_campaign(req.account_sid, service, sid, values)
        return Response(200, self._campaign(req, row))

    def delete_campaign(self, req: Request, service: str, sid: str) -> Response:
        self.res.delete_campaign(req.account_sid, service, sid)
        return Response(204)

    def campaign_usecases(self, req: Request, service: str) -> Response:
        self.res.store.get_service(req.account_sid, service)
        brand_sid = req.query.get("BrandRegistrationSid")
        codes = [u[0] for u in USECASES]
        if brand_sid:
            brand = json.loads(self.res.get_brand(req.account_sid, brand_sid)["body"])
            codes = self.res.usecases_for(brand)
        return Response(
            200,
            {
                "us_app_to_person_usecases": [
                    {"code": c, "name": n, "description": d, "post_approval_required": p}
                    for c, n, d, p in USECASES
                    if c in codes
                ]
            },
        )

    def preregistered(self, req: Request) -> Response:
        campaign_id = req.form.get("CampaignId", "")
        service = req.form.get("MessagingServiceSid", "")
        if not campaign_id:
            raise missing("CampaignId")
        if not service:
            raise missing("MessagingServiceSid")
        row = self.res.create_campaign(
            req.account_sid,
            service,
            {"campaign_id": campaign_id, "brand_registration_sid": None},
            external=True,
        )
        return Response(
            201,
            {
                "account_sid": row["account_sid"],
                "campaign_id": campaign_id,
                "date_created": row["date_created"],
                "messaging_service_sid": service,
                "sid": row["sid"],
            },
        )

    # ---- brands ---------------------------------------------------------------------------
    @staticmethod
    def _brand(req: Request, row: sqlite3.Row) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(row["body"])
        url = f"{req.base}/v1/a2p/BrandRegistrations/{row['sid']}"
        out["url"] = url
        # no links: the emulator does not serve a brand's vettings or OTPs
        out["links"] = {}
        return out

    def list_brands(self, req: Request) -> Response:
        return self._paged(
            req,
            "data",
            lambda after, limit: self.res.list_brands(req.account_sid, after=after, limit=limit),
            lambda r: self._brand(req, r),
        )

    def fetch_brand(self, req: Request, sid: str) -> Response:
        return Response(200, self._brand(req, self.res.get_brand(req.account_sid, sid)))

    # ---- link shortening ------------------------------------------------------------------
    def link_domain(self, req: Request, service: str) -> Response:
        row = self.res.get_link_domain(req.account_sid, service, req.path)
        return Response(
            200,
            {
                "domain_sid": row["domain_sid"],
                "messaging_service_sid": service,
                "url": f"{req.base}{req.path}",
            },
        )

    def link_domain_config(self, req: Request, service: str) -> Response:
        row = self.res.get_link_domain(req.account_sid, service, req.path)
        return Response(
            200,
            {
                "callback_url": row["callback_url"],
                "config_sid": row["config_sid"],
                "continue_on_failure": bool(row["continue_on_failure"]),
                "date_created": row["date_created"],
                "date_updated": row["date_updated"],
                "domain_sid": row["domain_sid"],
                "fallback_url": row["fallback_url"],
                "messaging_service_sid": service,
                "url": f"{req.base}{req.path}",
            },
        )
