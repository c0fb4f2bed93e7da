"""Messaging v1 Tollfree Verifications: list (filters `Status`, `TollfreePhoneNumberSid`;
PageToken paging), fetch, create (the spec's required parameters) and delete.

Wire format from the spec (twilio_messaging_v1.json): list key "verifications", statuses
PENDING_REVIEW / IN_REVIEW / TWILIO_APPROVED / TWILIO_REJECTED.
"""

from __future__ import annotations

import json
import re
from typing import Any

from msgsvc_tui.core import fields, tollfree
from msgsvc_tui.emulator.db import EmulatorError
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.wire import Request, Response, missing, paged_v1

# CreateTollfreeVerification's required parameters (the spec), in its order.
REQUIRED = (
    "BusinessName",
    "BusinessWebsite",
    "NotificationEmail",
    "UseCaseCategories",
    "UseCaseSummary",
    "ProductionMessageSample",
    "OptInImageUrls",
    "OptInType",
    "MessageVolume",
    "TollfreePhoneNumberSid",
)
_LISTS = frozenset({"UseCaseCategories", "OptInImageUrls", "OptInKeywords"})


def _json_name(param: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", param).lower()


class TollfreeHandlers:
    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def _render(req: Request, body: dict[str, Any]) -> dict[str, Any]:
        out = dict(body)
        out["url"] = f"{req.base}/v1/Tollfree/Verifications/{body['sid']}"
        out.setdefault("resource_links", {})
        return out

    def list(self, req: Request) -> Response:
        status = req.query.get("Status") or None
        if status is not None and status not in tollfree.STATUSES:
            raise EmulatorError(400, fields.INVALID_PARAMETER, f"Invalid Status: {status[:30]!r}")
        number = req.query.get("TollfreePhoneNumberSid") or None
        return paged_v1(
            req,
            "verifications",
            lambda after, limit: self.store.list_tollfree(
                req.account_sid, after=after, limit=limit, status=status, phone_number_sid=number
            ),
            lambda row: self._render(req, json.loads(row["body"])),
        )

    def fetch(self, req: Request, sid: str) -> Response:
        return Response(200, self._render(req, self.store.get_tollfree(req.account_sid, sid)))

    def delete(self, req: Request, sid: str) -> Response:
        self.store.delete_tollfree(req.account_sid, sid)
        return Response(204)

    def create(self, req: Request) -> Response:
        form = req.form
        for param in REQUIRED:
            if not form.get(param):
                raise missing(param)
        values: dict[str, Any] = {}
        for param, value in form.items():
            if param in _LISTS:
                values[_json_name(param)] = list(req.form_lists.get(param) or [value])
            else:
                values[_json_name(param)] = value
        pn = values.pop("tollfree_phone_number_sid")
        number = self.store.db.execute(
            "SELECT value FROM numbers WHERE sid = ? AND account_sid = ?", (pn, req.account_sid)
        ).fetchone()
        if number is None:
            raise EmulatorError(
                400, fields.INVALID_PARAMETER, f"TollfreePhoneNumberSid {pn[:40]} is not yours"
            )
        values["tollfree_phone_number_sid"] = pn
        values["tollfree_phone_number"] = number["value"]
        created = self.store.add_tollfree(req.account_sid, values)
        return Response(201, self._render(req, created))
