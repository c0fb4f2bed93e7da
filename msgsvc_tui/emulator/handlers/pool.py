"""The service's sender pool (numbers, short codes, its alpha sender) and the account's own
numbers and short codes as the 2010 API lists them."""

from __future__ import annotations

import json
from typing import Any

from msgsvc_tui.core import senders
from msgsvc_tui.emulator.db import not_found
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.wire import (
    PageAsk,
    Request,
    Response,
    paged_2010,
    paged_v1,
    rfc2822,
    sender_value,
    token_past,
)


class PoolHandlers:
    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _render(req: Request, kind: senders.SenderKind, row: Any) -> dict[str, Any]:
        row = dict(row)
        service_sid = row["service_sid"]
        out: dict[str, Any] = {
            "sid": row["sid"],
            "account_sid": row["account_sid"],
            "service_sid": service_sid,
            "date_created": row.get("date_added"),
            "date_updated": row.get("date_added"),
            "url": f"{req.base}/v1/Services/{service_sid}/{kind.path}/{row['sid']}",
        }
        if kind is senders.ALPHA_SENDERS:
            out["date_created"] = row["date_created"]
            out["date_updated"] = row["date_updated"]
            out["alpha_sender"] = row["alpha_sender"]
            out["capabilities"] = ["SMS"]
        else:
            out[kind.value_field] = row["value"]
            out["country_code"] = row["country_code"]
            out["capabilities"] = json.loads(row["capabilities"])
        return out

    def list(self, req: Request, service_sid: str, path: str) -> Response:
        kind = senders.BY_PATH[path]
        return paged_v1(
            req,
            kind.key,
            lambda after, limit: self.store.list_members(
                req.account_sid, service_sid, kind, after=after, limit=limit
            ),
            lambda r: self._render(req, kind, r),
        )

    def add(self, req: Request, service_sid: str, path: str) -> Response:
        kind = senders.BY_PATH[path]
        value = sender_value(req, kind)
        row = self.store.add_to_pool(req.account_sid, service_sid, kind, value)
        return Response(201, self._render(req, kind, row))

    def fetch(self, req: Request, service_sid: str, path: str, sid: str) -> Response:
        kind = senders.BY_PATH[path]
        row = self.store.get_member(req.account_sid, service_sid, kind, sid)
        return Response(200, self._render(req, kind, row))

    def remove(self, req: Request, service_sid: str, path: str, sid: str) -> Response:
        kind = senders.BY_PATH[path]
        self.store.remove_from_pool(req.account_sid, service_sid, kind, sid)
        return Response(204)

    # ---- the account's numbers (2010 API) -------------------------------------------------
    def _account_list(
        self, req: Request, account: str, kind: senders.SenderKind, key: str
    ) -> Response:
        if account != req.account_sid:
            raise not_found(req.path)
        ask = PageAsk.of(req)
        # Real Twilio pages the 2010 lists with a PageToken in next_page_uri (its SDKs follow
        # the URI as given); without a token, Page alone still works, as there.
        if ask.after is None:
            rows, more = self.store.list_account_numbers(
                account, kind, offset=ask.page * ask.size, limit=ask.size
            )
        else:
            rows, more = self.store.list_account_numbers(
                account, kind, offset=0, limit=ask.size, after=ask.after
            )
        item_uri = req.path.removesuffix(".json")
        items = []
        for r in rows:
            caps = json.loads(r["capabilities"])
            item: dict[str, Any] = {
                "sid": r["sid"],
                "account_sid": account,
                "friendly_name": r["friendly_name"],
                kind.value_field: r["value"],
                "date_created": rfc2822(r["date_created"]),
                "date_updated": rfc2822(r["date_updated"]),
                "api_version": "2010-04-01",
                "sms_method": "POST",
                "sms_url": "",
                "uri": f"{item_uri}/{r['sid']}.json",
            }
            if kind is senders.PHONE_NUMBERS:
                item["capabilities"] = {
                    "sms": "SMS" in caps,
                    "mms": "MMS" in caps,
                    "voice": "Voice" in caps,
                    "fax": False,
                }
                item["status"] = "in-use"
            items.append(item)
        # items first: clients must page an answer whose paging comes last too (this is it)
        return paged_2010(req, ask, key, items, token_past(rows, more), items_first=True)

    def phone_numbers(self, req: Request, account: str) -> Response:
        return self._account_list(req, account, senders.PHONE_NUMBERS, "incoming_phone_numbers")

    def short_codes(self, req: Request, account: str) -> Response:
        return self._account_list(req, account, senders.SHORT_CODES, "short_codes")
