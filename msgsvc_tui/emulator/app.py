"""The emulator's HTTP side: a plain ASGI app speaking Twilio's wire format.

No web framework: the routes are few and the wire details (form bodies, Twilio's error
shape, absolute URLs built from the request's own host) are easier to get exactly right by
hand. It runs in-process through `httpx.ASGITransport` or behind uvicorn on loopback.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator.resource_routes import ResourceRoutes
from msgsvc_tui.emulator.resources import Resources
from msgsvc_tui.emulator.store import EmulatorError, Store
from msgsvc_tui.emulator.wire import (
    MAX_PAGE_SIZE,
    Fault,
    Request,
    Response,
    _base_url,
    _decode_token,
    _encode_token,
    _int_param,
    _last_values,
    _page_size,
    _rfc2822,
    all_values,
    error_response,
    missing,
    sender_value,
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# A Messaging Service's whole form body is well under 8 KB; a megabyte is generous. Beyond it
# the answer is a 413 in Twilio's error shape (its code for this is not documented: the
# generic 20001 is used rather than a code that means something else).
MAX_BODY_BYTES = 1024 * 1024

_SID = r"([A-Za-z0-9]+)"
_POOL = "|".join(k.path for k in senders.KINDS)


class EmulatorApp:
    def __init__(
        self,
        store: Store,
        *,
        account_sid: str,
        auth_token: str,
        api_key: str | None = None,
        api_secret: str | None = None,
        latency_ms: float = 0.0,
        review_seconds: float | None = None,
    ) -> None:
        self.store = store
        self.account_sid = account_sid
        self._credentials = {(account_sid, auth_token)}
        if api_key and api_secret:
            self._credentials.add((api_key, api_secret))
        self.latency = latency_ms / 1000.0
        self.faults: deque[Fault] = deque()
        self.requests_served = 0
        self.resources = Resources(store)
        if review_seconds is not None:
            self.resources.review_seconds = review_seconds
        self._resource_routes = ResourceRoutes(self.resources)
        self._routes: list[tuple[re.Pattern[str], dict[str, Callable[..., Response]]]] = [
            # first: /v1/Services/PreregisteredUsa2p would otherwise read as a service SID
            *self._resource_routes.routes(),
            (re.compile(r"^/v1/Services\Z"), {"GET": self.list_services, "POST": self.create}),
            (re.compile(r"^/v1/Services/Usecases\Z"), {"GET": self.usecases}),
            (
                re.compile(rf"^/v1/Services/{_SID}\Z"),
                {"GET": self.fetch, "POST": self.update, "DELETE": self.delete},
            ),
            (
                re.compile(rf"^/v1/Services/{_SID}/({_POOL})\Z"),
                {"GET": self.list_pool, "POST": self.add_to_pool},
            ),
            (
                re.compile(rf"^/v1/Services/{_SID}/({_POOL})/{_SID}\Z"),
                {"GET": self.fetch_pool_member, "DELETE": self.remove_from_pool},
            ),
            (
                re.compile(rf"^/2010-04-01/Accounts/{_SID}/IncomingPhoneNumbers\.json\Z"),
                {"GET": self.account_phone_numbers},
            ),
            (
                re.compile(rf"^/2010-04-01/Accounts/{_SID}/SMS/ShortCodes\.json\Z"),
                {"GET": self.account_short_codes},
            ),
        ]

    def inject(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    # ---- ASGI -----------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        self.requests_served += 1
        if body is None:
            too_large = EmulatorError(
                413, fields.INVALID_PARAMETER, f"Request body larger than {MAX_BODY_BYTES} bytes"
            )
            response = self._error(too_large)
            await _send(send, 413, [json.dumps(response.body).encode()], _JSON_HEADERS)
            return
        if self.latency:
            await _wait_precisely(self.latency)
        if self.faults:
            fault = self.faults.popleft()
            if fault.delay:
                await asyncio.sleep(fault.delay)
            await _send(send, fault.status, [fault.body], fault.headers)
            return
        response = self.handle(scope, body)
        if response.raw is not None:
            payload = response.raw
        else:
            payload = [b"" if response.body is None else json.dumps(response.body).encode()]
        has_body = response.body is not None or response.raw is not None
        headers = {"Content-Type": "application/json"} if has_body else {}
        headers.update(response.headers)
        await _send(send, response.status, payload, headers)

    def handle(self, scope: Scope, body: bytes) -> Response:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            account = self._authenticate(headers.get("authorization", ""))
            method = scope["method"].upper()
            path = scope["path"].rstrip("/") or "/"
            for pattern, handlers in self._routes:
                m = pattern.match(path)
                if not m:
                    continue
                handler = handlers.get(method)
                if handler is None:
                    # RFC 9110 §15.5.6: a 405 names the methods the resource does allow.
                    allow = ", ".join(sorted(handlers))
                    return self._error(
                        EmulatorError(405, 20004, f"Method {method} not allowed on {path}"),
                        {"Allow": allow},
                    )
                form_lists = all_values(body, "body") if method == "POST" else {}
                request = Request(
                    method=method,
                    path=path,
                    query=_last_values(scope.get("query_string", b""), "query string"),
                    form={k: v[-1] for k, v in form_lists.items()},
                    base=_base_url(scope, headers),
                    account_sid=account,
                    form_lists=form_lists,
                )
                self.resources.advance()  # campaigns under review move on the clock
                return handler(request, *m.groups())
            raise EmulatorError(404, 20404, f"The requested resource {path} was not found")
        except EmulatorError as exc:
            extra = {"WWW-Authenticate": 'Basic realm="Twilio API"'} if exc.status == 401 else {}
            return self._error(exc, extra)

    _error = staticmethod(error_response)

    def _authenticate(self, header: str) -> str:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic" or not token:
            raise EmulatorError(401, 20003, "Authenticate")
        try:
            user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise EmulatorError(401, 20003, "Authenticate") from None
        if (user, password) not in self._credentials:
            raise EmulatorError(401, 20003, "Authentication Error - invalid username or password")
        return self.account_sid

    # ---- services -------------------------------------------------------------------------
    @staticmethod
    def _links(url: str) -> dict[str, str]:
        """Only what this emulator answers (a test follows every link): a link that 404s
        would send a client after something that is not there (so no `messages`)."""
        links = {k.key: f"{url}/{k.path}" for k in senders.KINDS}
        links.update(ResourceRoutes.links(url))
        return dict(sorted(links.items()))

    def _render_service(self, req: Request, data: dict[str, Any]) -> dict[str, Any]:
        url = f"{req.base}/v1/Services/{data['sid']}"
        out = {f.name: data.get(f.name, f.default) for f in fields.FIELDS}
        out["url"] = url
        out["links"] = self._links(url)
        return out

    def _render_service_text(self, req: Request, rows: list[tuple[Any, ...]]) -> bytes:
        """The same JSON as `_render_service`, spliced from stored text (10x faster).

        Stored bodies hold every catalogue value (Store._complete_bodies), so only the
        identity, dates, url and links are added around them. Each item is encoded while it
        is still in cache and joined once: at 100k services the page's bytes are cold, and
        every pass over 1.6 MB costs ~0.4 ms.
        """
        marker = "{{SID}}"  # JSON-safe, never in a real base URL
        url_parts = json.dumps(f"{req.base}/v1/Services/{marker}").split(marker)
        links_parts = json.dumps(self._links(f"{req.base}/v1/Services/{marker}")).split(marker)
        return b", ".join(
            [
                (
                    f'{{"sid": "{sid}", "account_sid": "{account}", "date_created": "{created}", '
                    f'"date_updated": "{updated}", {body[1:-1]}, "url": {sid.join(url_parts)}, '
                    f'"links": {sid.join(links_parts)}}}'
                ).encode()
                for _seq, sid, account, created, updated, body in rows
            ]
        )

    def _clean_form(self, req: Request, *, creating: bool) -> dict[str, Any]:
        """Known parameters through the catalogue; unknown ones ignored, as Twilio does."""
        values: dict[str, Any] = {}
        for param, raw in req.form.items():
            f = fields.BY_PARAM.get(param)
            if f is None:
                continue
            try:
                values[f.name] = f.clean(raw)
            except fields.FieldError as exc:
                raise EmulatorError(400, exc.code, f"Invalid {exc.param}: {exc.message}") from None
        if creating:
            for f in fields.WRITABLE:
                if f.required_on_create and f.name not in values:
                    raise missing(f.param or f.name)
        return values

    def create(self, req: Request) -> Response:
        values = self._clean_form(req, creating=True)
        data = self.store.create_service(req.account_sid, values)
        return Response(201, self._render_service(req, data))

    def fetch(self, req: Request, sid: str) -> Response:
        return Response(
            200, self._render_service(req, self.store.get_service(req.account_sid, sid))
        )

    def update(self, req: Request, sid: str) -> Response:
        values = self._clean_form(req, creating=False)
        data = self.store.update_service(req.account_sid, sid, values)
        return Response(200, self._render_service(req, data))

    def delete(self, req: Request, sid: str) -> Response:
        self.store.delete_service(req.account_sid, sid)
        return Response(204)

    def usecases(self, req: Request) -> Response:
        return Response(
            200,
            {
                "usecases": [
                    {"usecase": u, "purpose": p, "description": d} for u, p, d in fields.USECASES
                ]
            },
        )

    def list_services(self, req: Request) -> Response:
        size = _page_size(req.query)
        page = _int_param(req.query, "Page", 0)
        after, before = _decode_token(req.query.get("PageToken"))
        rows, more = self.store.list_services_raw(
            req.account_sid, after=after, before=before, limit=size
        )
        path = "/v1/Services"

        def link(number: int, token: str | None) -> str:
            query: dict[str, Any] = {"PageSize": size, "Page": number}
            if token:
                query["PageToken"] = token
            return f"{req.base}{path}?{urlencode(query)}"

        next_url = prev_url = None
        if rows:
            first_seq, last_seq = rows[0][0], rows[-1][0]
            if before is None:  # read forwards: `more` is about the next page
                has_next = more
                has_prev = page > 0 and self.store.has_services_before(req.account_sid, first_seq)
            else:
                has_next = self.store.has_services_after(req.account_sid, last_seq)
                has_prev = page > 0 and more
            if has_next:
                next_url = link(page + 1, _encode_token("a", last_seq))
            if has_prev:
                prev_url = link(page - 1, _encode_token("b", first_seq))
        meta = json.dumps(
            {
                "page": page,
                "page_size": size,
                "first_page_url": link(0, None),
                "previous_page_url": prev_url,
                "next_page_url": next_url,
                "url": link(page, req.query.get("PageToken")),
                "key": "services",
            }
        )
        # meta first, as in the spec's own example (readFull): a client can ask for the next
        # page as soon as these first bytes arrive, while the rest (1.6 MB at 1000 a page) is
        # still on its way. (Streaming the rows after the meta measured slower: rendering
        # them blocks this loop while the next request arrives, so its round trip starts late.)
        head = f'{{"meta": {meta}, "services": ['
        items = self._render_service_text(req, rows)
        return Response(200, raw=[head.encode(), items, b"]}"])

    # ---- sender pool ----------------------------------------------------------------------
    def _render_pool_member(
        self, req: Request, kind: senders.SenderKind, row: Any
    ) -> dict[str, Any]:
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

    def list_pool(self, req: Request, service_sid: str, path: str) -> Response:
        kind = senders.BY_PATH[path]
        size = _page_size(req.query)
        page = _int_param(req.query, "Page", 0)
        after, _ = _decode_token(req.query.get("PageToken"))
        rows = self.store.list_pool(
            req.account_sid, service_sid, kind, after=after or 0, limit=size + 1
        )
        more = len(rows) > size
        rows = rows[:size]
        base_path = f"/v1/Services/{service_sid}/{kind.path}"

        def link(number: int, token: str | None) -> str:
            query: dict[str, Any] = {"PageSize": size, "Page": number}
            if token:
                query["PageToken"] = token
            return f"{req.base}{base_path}?{urlencode(query)}"

        return Response(
            200,
            {
                "meta": {
                    "page": page,
                    "page_size": size,
                    "first_page_url": link(0, None),
                    "previous_page_url": None,
                    "next_page_url": link(page + 1, _encode_token("a", rows[-1]["seq"]))
                    if more
                    else None,
                    "url": link(page, req.query.get("PageToken")),
                    "key": kind.key,
                },
                kind.key: [self._render_pool_member(req, kind, r) for r in rows],
            },
        )

    def add_to_pool(self, req: Request, service_sid: str, path: str) -> Response:
        kind = senders.BY_PATH[path]
        value = sender_value(req, kind)
        row = self.store.add_to_pool(req.account_sid, service_sid, kind, value)
        return Response(201, self._render_pool_member(req, kind, row))

    def fetch_pool_member(self, req: Request, service_sid: str, path: str, sid: str) -> Response:
        kind = senders.BY_PATH[path]
        row = self.store.get_pool_member(req.account_sid, service_sid, kind, sid)
        return Response(200, self._render_pool_member(req, kind, row))

    def remove_from_pool(self, req: Request, service_sid: str, path: str, sid: str) -> Response:
        kind = senders.BY_PATH[path]
        self.store.remove_from_pool(req.account_sid, service_sid, kind, sid)
        return Response(204)

    # ---- the account's numbers (2010 API) -------------------------------------------------
    def _account_list(
        self, req: Request, account: str, kind: senders.SenderKind, key: str, tail: str
    ) -> Response:
        if account != req.account_sid:
            raise EmulatorError(404, 20404, f"The requested resource {req.path} was not found")
        size = _page_size(req.query)
        page = _int_param(req.query, "Page", 0)
        after, _ = _decode_token(req.query.get("PageToken"))
        # Real Twilio pages the 2010 lists with a PageToken in next_page_uri (its SDKs follow
        # the URI as given); without a token, Page alone still works, as there.
        if after is None:
            rows, more = self.store.list_account_numbers(
                account, kind, offset=page * size, limit=size
            )
        else:
            rows, more = self.store.list_account_numbers(
                account, kind, offset=0, limit=size, after=after
            )
        uri = f"/2010-04-01/Accounts/{account}/{tail}"

        def link(number: int, token: str | None = None) -> str:
            query: dict[str, Any] = {"PageSize": size, "Page": number}
            if token:
                query["PageToken"] = token
            return f"{uri}?{urlencode(query)}"

        items = []
        for r in rows:
            caps = json.loads(r["capabilities"])
            item: dict[str, Any] = {
                "sid": r["sid"],
                "account_sid": account,
                "friendly_name": r["friendly_name"],
                kind.value_field: r["value"],
                "date_created": _rfc2822(r["date_created"]),
                "date_updated": _rfc2822(r["date_updated"]),
                "api_version": "2010-04-01",
                "sms_method": "POST",
                "sms_url": "",
                "uri": f"/2010-04-01/Accounts/{account}/{tail.split('.')[0]}/{r['sid']}.json",
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
        return Response(
            200,
            {
                key: items,
                "page": page,
                "page_size": size,
                "start": page * size,
                "end": page * size + max(len(items) - 1, 0),
                "uri": link(page, req.query.get("PageToken")),
                "first_page_uri": link(0),
                "next_page_uri": link(page + 1, _encode_token("a", rows[-1]["seq"]))
                if more
                else None,
                "previous_page_uri": link(page - 1) if page > 0 else None,
            },
        )

    def account_phone_numbers(self, req: Request, account: str) -> Response:
        return self._account_list(
            req,
            account,
            senders.PHONE_NUMBERS,
            "incoming_phone_numbers",
            "IncomingPhoneNumbers.json",
        )

    def account_short_codes(self, req: Request, account: str) -> Response:
        return self._account_list(
            req, account, senders.SHORT_CODES, "short_codes", "SMS/ShortCodes.json"
        )


async def _wait_precisely(seconds: float) -> None:
    """Sleep `seconds` to within ~0.1 ms, so --latency-ms N means N.

    asyncio's timer alone wakes 0.3-2 ms late (a core that slept is slow to pick up); the last
    2 ms are spent yielding to the loop instead, so other requests still run meanwhile.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    if seconds > _SPIN:
        await asyncio.sleep(seconds - _SPIN)
    while loop.time() < deadline:
        await asyncio.sleep(0)


_SPIN = 0.002


async def _send(send: Send, status: int, body: list[bytes], headers: dict[str, str]) -> None:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(sum(map(len, body))).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    for i, piece in enumerate(body, 1):
        await send({"type": "http.response.body", "body": piece, "more_body": i < len(body)})


_JSON_HEADERS = {"Content-Type": "application/json"}


async def _read_body(receive: Receive) -> bytes | None:
    """The request body in linear time (chunks joined once), or None past MAX_BODY_BYTES
    (the rest is still drained, so the connection stays usable)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY_BYTES:
            chunks.append(chunk)
        if not message.get("more_body"):
            break
    return b"".join(chunks) if size <= MAX_BODY_BYTES else None


__all__ = ["MAX_BODY_BYTES", "MAX_PAGE_SIZE", "EmulatorApp", "Fault", "Response"]
