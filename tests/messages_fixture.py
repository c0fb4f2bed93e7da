"""A small server that speaks the 2010 API's Messages wire format, for the client's tests.

It answers as Twilio's spec and docs describe (`POST/GET …/Messages.json`,
`GET …/Messages/{Sid}.json`; RFC 2822 stamps; `next_page_uri` paging; `DateSent>` bounds;
statuses accepted → queued → sending → sent → delivered), served by uvicorn on a free
loopback port so the client is tested over real HTTP. Each fetch of a message moves it one
status on, so a test follows a message without any clock.
"""

from __future__ import annotations

import base64
import email.utils
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from msgsvc_tui.core import segments
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.server import RunningServer, start_in_thread

ACCOUNT = demo.DEMO_ACCOUNT_SID
TOKEN = demo.DEMO_AUTH_TOKEN
FLOW = ("accepted", "queued", "sending", "sent", "delivered")
SENDER = "+14155550100"


def rfc2822(when: datetime) -> str:
    return email.utils.format_datetime(when.astimezone(UTC), usegmt=False).replace("-0000", "+0000")


def sid(prefix: str = "SM") -> str:
    return prefix + secrets.token_hex(16)


class MessagesServer:
    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime.now(UTC)
        self.messages: list[dict[str, Any]] = []  # newest first
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.outcomes: dict[str, tuple[str, int]] = {}  # To → final (status, error code)
        self.lose_next_create = False
        self.smart_encoding = True

    # ---- data ---------------------------------------------------------------------------
    def message(self, service: str, to: str, body: str, **over: Any) -> dict[str, Any]:
        m_sid = sid()
        base = f"/2010-04-01/Accounts/{ACCOUNT}/Messages/{m_sid}"
        m: dict[str, Any] = {
            "account_sid": ACCOUNT,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": rfc2822(self.now),
            "date_sent": None,
            "date_updated": rfc2822(self.now),
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": None,
            "messaging_service_sid": service,
            "num_media": "0",
            "num_segments": "0",
            "price": None,
            "price_unit": "USD",
            "sid": m_sid,
            "status": "accepted",
            "subresource_uris": {"media": f"{base}/Media.json"},
            "to": to,
            "uri": f"{base}.json",
        }
        m.update(over)
        return m

    def seed(self, service: str, count: int, *, ago: timedelta, status: str = "delivered") -> None:
        """`count` sent messages, spread over the last `ago`, newest first."""
        for i in range(count):
            when = self.now - ago * (i + 1) / (count + 1)
            m = self.message(service, f"+1415555{i % 10000:04d}", f"seeded {i}")
            m.update(
                status=status,
                date_sent=rfc2822(when),
                date_created=rfc2822(when),
                num_segments="1",
                price="-0.00790",
                **{"from": SENDER},
            )
            self.messages.append(m)
        self.messages.sort(key=lambda m: email.utils.parsedate_to_datetime(m["date_created"]))
        self.messages.reverse()

    def advance(self, m: dict[str, Any]) -> None:
        i = FLOW.index(m["status"]) if m["status"] in FLOW else len(FLOW) - 1
        if i >= len(FLOW) - 1:
            return
        status = FLOW[i + 1]
        if status == "queued":
            s = segments.segment(m["body"] or "", smart_encoding=self.smart_encoding)
            m["from"] = SENDER
            m["num_segments"] = str(max(s.segments, 1))
        if status == "sent":
            m["date_sent"] = rfc2822(self.now)
            m["price"] = "-0.00790"
        if status == "delivered" and m["to"] in self.outcomes:
            status, code = self.outcomes[m["to"]]
            m["error_code"] = code
            m["error_message"] = "Unreachable destination handset"
        m["status"] = status
        m["date_updated"] = rfc2822(self.now)

    # ---- ASGI ---------------------------------------------------------------------------
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        headers = dict(scope["headers"])
        status, payload = self.handle(
            scope["method"],
            scope["path"],
            parse_qs(scope["query_string"].decode(), keep_blank_values=True),
            parse_qs(body.decode(), keep_blank_values=True),
            headers.get(b"authorization", b"").decode(),
        )
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        kind = b"text/html" if isinstance(payload, bytes) else b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(data)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": data})

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        form: dict[str, list[str]],
        auth: str,
    ) -> tuple[int, Any]:
        self.requests.append((method, path, {**query, **form}))
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        if auth != expected:
            return 401, {"code": 20003, "message": "Authenticate", "status": 401}
        if path.startswith("/v1/Services/MG") and method == "GET":
            return 200, {
                "sid": path.rsplit("/", 1)[1],
                "account_sid": ACCOUNT,
                "friendly_name": "Fixture service",
                "smart_encoding": self.smart_encoding,
            }
        root = f"/2010-04-01/Accounts/{ACCOUNT}/Messages"
        if path == f"{root}.json" and method == "POST":
            return self.create(form)
        if path == f"{root}.json" and method == "GET":
            return self.list(query)
        if path.startswith(root + "/") and path.endswith(".json") and method == "GET":
            wanted = path[len(root) + 1 : -5]
            for m in self.messages:
                if m["sid"] == wanted:
                    self.advance(m)
                    return 200, m
        return 404, {
            "code": 20404,
            "message": "The requested resource was not found",
            "status": 404,
        }

    def create(self, form: dict[str, list[str]]) -> tuple[int, Any]:
        to = (form.get("To") or [""])[0]
        if to == "+15005550001":
            return 400, {
                "code": 21211,
                "message": f"The 'To' number {to} is not a valid phone number.",
                "more_info": "https://www.twilio.com/docs/errors/21211",
                "status": 400,
            }
        service = (form.get("MessagingServiceSid") or [""])[0]
        m = self.message(service, to, (form.get("Body") or [""])[0])
        m["num_media"] = str(len(form.get("MediaUrl") or []))
        if form.get("ScheduleType") == ["fixed"]:
            m["status"] = "scheduled"
        self.messages.insert(0, m)
        if self.lose_next_create:
            self.lose_next_create = False
            return 502, b"<html>Bad Gateway</html>"
        return 201, m

    def list(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        size = int((query.get("PageSize") or ["50"])[0])
        page = int((query.get("Page") or ["0"])[0])
        found = self.messages
        if query.get("To"):
            found = [m for m in found if m["to"] == query["To"][0]]
        if query.get("DateSent>"):
            since = datetime.fromisoformat(query["DateSent>"][0].replace("Z", "+00:00"))
            found = [
                m
                for m in found
                if m["date_sent"] and email.utils.parsedate_to_datetime(m["date_sent"]) >= since
            ]
        chunk = found[page * size : (page + 1) * size]
        uri = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
        keep = {k: v[0] for k, v in query.items() if k not in ("Page", "PageToken")}
        more = (page + 1) * size < len(found)
        next_q = urlencode({**keep, "Page": page + 1, "PageToken": f"PA{page + 1}"})
        return 200, {
            "end": page * size + len(chunk) - 1,
            "first_page_uri": f"{uri}?{urlencode({**keep, 'Page': 0})}",
            "next_page_uri": f"{uri}?{next_q}" if more else None,
            "page": page,
            "page_size": size,
            "previous_page_uri": None,
            "start": page * size,
            "uri": f"{uri}?{urlencode({**keep, 'Page': page})}",
            "messages": chunk,
        }


@contextmanager
def running(fixture: MessagesServer) -> Iterator[RunningServer]:
    server = start_in_thread(fixture)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
