"""Channel senders (WhatsApp, RCS: the service's pool and Messaging v2's account list) and
country alpha senders.

Wire format from the spec's own examples (twilio_messaging_v1.json, _v2.json): list keys
("senders", "alpha_senders"), paging meta, field names.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator.db import EmulatorError
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.wire import Request, Response, paged_v1, sender_value

INVALID = fields.INVALID_PARAMETER
# Twilio's sender_type for each channel prefix (the spec's ChannelSenders readFull example).
SENDER_TYPES = {"whatsapp": "WhatsApp", "rcs": "RCS", "messenger": "Messenger"}


class ChannelHandlers:
    def __init__(self, store: Store) -> None:
        self.store = store

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
        return paged_v1(
            req,
            kind.items_key,
            lambda after, limit: self.store.list_members(
                req.account_sid, service, kind, after=after, limit=limit
            ),
            lambda r: self._channel(req, r),
        )

    def add_channel(self, req: Request, service: str) -> Response:
        sid = sender_value(req, senders.CHANNEL_SENDERS)
        row = self.store.add_channel_sender(req.account_sid, service, sid)
        return Response(201, self._channel(req, row))

    def fetch_channel(self, req: Request, service: str, sid: str) -> Response:
        row = self.store.get_member(req.account_sid, service, senders.CHANNEL_SENDERS, sid)
        return Response(200, self._channel(req, row))

    def remove_channel(self, req: Request, service: str, sid: str) -> Response:
        self.store.remove_channel_sender(req.account_sid, service, sid)
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
        return paged_v1(
            req,
            "senders",
            lambda after, limit: self.store.list_account_channel_senders(
                req.account_sid, channel, after=after, limit=limit
            ),
            lambda r: self._account_channel(req, r),
        )

    def fetch_account_channel(self, req: Request, sid: str) -> Response:
        row = self.store.get_account_channel_sender(req.account_sid, sid)
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
        return paged_v1(
            req,
            kind.items_key,
            lambda after, limit: self.store.list_members(
                req.account_sid, service, kind, after=after, limit=limit, country=country
            ),
            lambda r: self._country(req, r),
        )

    def add_country(self, req: Request, service: str) -> Response:
        alpha = sender_value(req, senders.DESTINATION_ALPHA_SENDERS)
        country = req.form.get("IsoCountryCode") or None
        row = self.store.add_destination_alpha(req.account_sid, service, alpha, country)
        return Response(201, self._country(req, row))

    def fetch_country(self, req: Request, service: str, sid: str) -> Response:
        kind = senders.DESTINATION_ALPHA_SENDERS
        return Response(
            200, self._country(req, self.store.get_member(req.account_sid, service, kind, sid))
        )

    def remove_country(self, req: Request, service: str, sid: str) -> Response:
        self.store.remove_destination_alpha(req.account_sid, service, sid)
        return Response(204)
