"""Messages (2010 API): create, list, fetch — the resource exactly as the spec's
`api.v2010.account.message` has it — and the emulator's own endpoints beside them: why a
sender was chosen, a message arriving from a handset, and the webhook calls made.

The emulator's own answers never go inside Twilio's fields: the reason is an
`X-Emulator-Why-Sender` header on create and fetch, and `/emulator/v1/…` endpoints.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from typing import Any

from msgsvc_tui.core import twilio_errors
from msgsvc_tui.emulator.db import EmulatorError, not_found
from msgsvc_tui.emulator.messaging import API_VERSION, Messaging
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.wire import (
    PageAsk,
    Request,
    Response,
    streamed_2010,
    token_past,
)

WHY_HEADER = "X-Emulator-Why-Sender"
# Before a sender is chosen Twilio shows no `from` and no segments: "For messages sent via a
# Messaging Service, `num_segments` is initially `0`, since a sender hasn't yet been
# assigned" (the spec's num_segments).
UNASSIGNED = frozenset({"accepted", "scheduled"})


def rfc2822(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(int(moment), UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


def render(row: sqlite3.Row) -> dict[str, Any]:
    """The Message resource: the spec's 20 fields, nothing more."""
    account = row["account_sid"]
    uri = f"/2010-04-01/Accounts/{account}/Messages/{row['sid']}"
    unassigned = row["status"] in UNASSIGNED
    code = row["error_code"]
    return {
        "account_sid": account,
        "api_version": API_VERSION,
        "body": row["body"],
        "date_created": rfc2822(row["created"]),
        "date_sent": rfc2822(row["sent"]),
        "date_updated": rfc2822(row["updated"]),
        "direction": row["direction"],
        "error_code": code,
        "error_message": explained.title if (explained := twilio_errors.explain(code)) else None,
        "from": None if unassigned else row["from_addr"],
        "messaging_service_sid": row["service_sid"],
        "num_media": str(row["num_media"]),
        "num_segments": "0" if unassigned else str(row["num_segments"]),
        "price": row["price"],
        "price_unit": "USD",
        "sid": row["sid"],
        "status": row["status"],
        "subresource_uris": {
            "media": f"{uri}/Media.json",
            "feedback": f"{uri}/Feedback.json",
        },
        "to": row["to_addr"],
        "uri": f"{uri}.json",
    }


def _why(row: sqlite3.Row) -> dict[str, Any]:
    info: dict[str, Any] = json.loads(row["why"] or "{}")
    return info


def _header(row: sqlite3.Row) -> dict[str, str]:
    why = str(_why(row).get("why") or "")
    # a header is latin-1: anything else is escaped so the reason still reads
    return {WHY_HEADER: why.encode("latin-1", "backslashreplace").decode("latin-1")} if why else {}


def _bound(value: str, name: str) -> tuple[float, float]:
    """A DateSent filter's value: a day (YYYY-MM-DD, the whole day) or an instant
    (YYYY-MM-DDTHH:MM:SSZ, as the SDKs send it) as [start, end) on the clock."""
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC).timestamp()
            return day, day + 86400
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise EmulatorError(400, 20001, f"Invalid {name}: {value[:40]!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp(), moment.timestamp() + 1


class MessageHandlers:
    def __init__(self, store: Store, messaging: Messaging) -> None:
        self.store = store
        self.messaging = messaging

    def _account(self, req: Request, account: str) -> None:
        if account != req.account_sid:
            raise not_found(req.path)

    def create(self, req: Request, account: str) -> Response:
        self._account(req, account)
        row = self.messaging.create(account, req.form_lists)
        return Response(201, render(row), _header(row))

    def fetch(self, req: Request, account: str, sid: str) -> Response:
        self._account(req, account)
        row = self.store.get_message(account, sid)
        return Response(200, render(row), _header(row))

    def update(self, req: Request, account: str, sid: str) -> Response:
        self._account(req, account)
        row = self.messaging.update(account, sid, req.form)
        return Response(200, render(row), _header(row))

    def list(self, req: Request, account: str) -> Response:
        """Newest first; `DateSent`, `DateSent<`, `DateSent>` ("`YYYY-MM-DD` …, `<=YYYY-MM-DD`
        …, `>=YYYY-MM-DD`", the spec; both ends inclusive, a day or an instant), `To`, `From`,
        PageSize, and a PageToken in next_page_uri, as the other 2010 lists."""
        self._account(req, account)
        ask = PageAsk.of(req)
        sent_from = sent_to = None
        if req.query.get("DateSent"):
            sent_from, sent_to = _bound(req.query["DateSent"], "DateSent")
        if req.query.get("DateSent>"):
            sent_from = _bound(req.query["DateSent>"], "DateSent>")[0]
        if req.query.get("DateSent<"):
            sent_to = _bound(req.query["DateSent<"], "DateSent<")[1]
        rows = self.store.list_messages(
            account,
            before=ask.before,
            limit=ask.size + 1,
            to=req.query.get("To") or None,
            from_=req.query.get("From") or None,
            sent_from=sent_from,
            sent_to=sent_to,
        )
        more = len(rows) > ask.size
        rows = rows[: ask.size]
        return streamed_2010(req, ask, "messages", rows, render, token_past(rows, more, "b"))

    # ---- the emulator's own ------------------------------------------------------------------
    def why(self, req: Request, sid: str) -> Response:
        """Why this sender, the encoding, and the timeline still to come (emulator only)."""
        row = self.store.get_message(req.account_sid, sid)
        info = _why(row)
        info.pop("smart", None)
        plan = json.loads(row["plan"])
        return Response(
            200,
            {
                "sid": sid,
                "from": row["from_addr"],
                **info,
                "upcoming": [
                    {"at": rfc2822(at), "status": st, "error_code": c} for at, st, c in plan
                ],
                "webhooks": [
                    c.as_json() for c in self.messaging.webhooks.calls() if c.message_sid == sid
                ],
            },
        )

    def inbound(self, req: Request) -> Response:
        """A handset sends `Body` (and `MediaUrl`s) from `From` to the account's number `To`."""
        to = req.form.get("To", "")
        from_ = req.form.get("From", "")
        if not to or not from_:
            raise EmulatorError(
                400, 20001, "Missing required parameter To or From in the post body"
            )
        media = [u for u in req.form_lists.get("MediaUrl", []) if u]
        row, where = self.messaging.inbound(
            req.account_sid, from_, to, req.form.get("Body", ""), media
        )
        safe = where.encode("latin-1", "backslashreplace").decode("latin-1")
        return Response(201, render(row), {"X-Emulator-Webhook": safe})

    def webhooks(self, req: Request) -> Response:
        """Every webhook call made or described, newest last (bounded)."""
        return Response(200, {"calls": [c.as_json() for c in self.messaging.webhooks.calls()]})
