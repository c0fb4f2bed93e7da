"""A2P 10DLC: a service's campaign (+ its use cases, attaching a preregistered campaign) and
the account's brands.

Wire format from the spec's own examples (twilio_messaging_v1.json): list keys ("compliance",
"data"), paging meta, field names.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from msgsvc_tui.core import a2p
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.stores.a2p import USECASES
from msgsvc_tui.emulator.wire import Request, Response, check_booleans, missing, paged_v1

_BOOLEANS = tuple(f.param for f in a2p.FIELDS if f.kind == "bool")


class A2PHandlers:
    def __init__(self, store: Store) -> None:
        self.store = store

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
        rows = self.store.list_campaigns(req.account_sid, service)
        return paged_v1(
            req,
            "compliance",
            lambda after, limit: [r for r in rows if r["seq"] > after][:limit],
            lambda r: self._campaign(req, r),
        )

    def create_campaign(self, req: Request, service: str) -> Response:
        check_booleans(req.form_lists, _BOOLEANS)
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
        row = self.store.create_campaign(req.account_sid, service, values)
        return Response(201, self._campaign(req, row))

    def fetch_campaign(self, req: Request, service: str, sid: str) -> Response:
        return Response(
            200, self._campaign(req, self.store.get_campaign(req.account_sid, service, sid))
        )

    def update_campaign(self, req: Request, service: str, sid: str) -> Response:
        check_booleans(req.form_lists, _BOOLEANS)
        values = a2p.from_form(req.form_lists)
        for name in a2p.UPDATE_REQUIRED:
            if name not in values:
                raise missing(a2p.BY_NAME[name].param)
        row = self.store.update_campaign(req.account_sid, service, sid, values)
        return Response(200, self._campaign(req, row))

    def delete_campaign(self, req: Request, service: str, sid: str) -> Response:
        self.store.delete_campaign(req.account_sid, service, sid)
        return Response(204)

    def campaign_usecases(self, req: Request, service: str) -> Response:
        self.store.service_row(req.account_sid, service)
        brand_sid = req.query.get("BrandRegistrationSid")
        codes = [u[0] for u in USECASES]
        if brand_sid:
            brand = json.loads(self.store.get_brand(req.account_sid, brand_sid)["body"])
            codes = self.store.usecases_for(brand)
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
        row = self.store.create_campaign(
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
        return paged_v1(
            req,
            "data",
            lambda after, limit: self.store.list_brands(req.account_sid, after=after, limit=limit),
            lambda r: self._brand(req, r),
        )

    def fetch_brand(self, req: Request, sid: str) -> Response:
        return Response(200, self._brand(req, self.store.get_brand(req.account_sid, sid)))

    def fetch_customer_profile(self, req: Request, sid: str) -> Response:
        """TrustHub's Customer Profile, the fields a brand's name is read from. Shape from
        https://www.twilio.com/docs/trust-hub/trusthub-rest-api/customer-profiles (served on
        the emulator's one host; Twilio's is trusthub.twilio.com)."""
        row = self.store.get_customer_profile(req.account_sid, sid)
        return Response(
            200,
            {
                "sid": row["sid"],
                "account_sid": row["account_sid"],
                "policy_sid": None,
                "friendly_name": row["friendly_name"],
                "status": row["status"],
                "valid_until": None,
                "email": None,
                "status_callback": None,
                "date_created": row["date_created"],
                "date_updated": row["date_created"],
                "url": f"{req.base}/v1/CustomerProfiles/{row['sid']}",
                "links": {},
            },
        )
