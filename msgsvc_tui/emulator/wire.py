"""The emulator's wire details shared by its handlers: requests and responses, Twilio's error
shape, paging parameters, tokens and links, form bodies. No routes here (routes.py holds the
one table), so every handler module can use these without importing another."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator.db import EmulatorError

Scope = dict[str, Any]
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
_MAX_INT = 2**62  # paging values past this are malformed (SQLite's integers are 64-bit)
_ASCII_UINT = re.compile(r"[0-9]{1,19}")


@dataclass
class Fault:
    """An answer to give instead of the real one, for tests of retries and error handling."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-able, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)
    # Already-encoded JSON in pieces, sent as they are (the list's fast path: no 1.6 MB concat).
    raw: list[bytes] | None = None
    # Pieces made only once `raw` (the head) is on its way, the loop free between them: a
    # long page's paging fields reach the client first, and its next request is taken (its
    # round trip begun) while the rest of this page is still being rendered.
    rest: Iterator[bytes] | None = None

    def pieces(self) -> list[bytes]:
        """The whole encoded body at once, for callers in the same process (the later
        pieces made once, then kept)."""
        if self.rest is not None:
            self.raw, self.rest = [*(self.raw or []), *self.rest], None
        return list(self.raw or [])


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    base: str  # scheme://host of this request: the emulator's own address
    account_sid: str
    # every value of each form parameter (lists such as MessageSamples repeat a parameter)
    form_lists: dict[str, list[str]] = field(default_factory=dict)


def last_values(raw: bytes, where: str) -> dict[str, str]:
    """Form-encoded pairs, the last value of each name (as Twilio reads a single value)."""
    return {k: v[-1] for k, v in all_values(raw, where).items()}


def base_url(scope: Scope, headers: dict[str, str]) -> str:
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"


def int_param(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only, and a bounded size: int() would take Arabic-Indic digits or "1_0",
    # and a huge number overflowed SQLite (a plain-text 500 instead of Twilio's 400).
    if not _ASCII_UINT.fullmatch(raw) or int(raw) > _MAX_INT:
        raise EmulatorError(400, fields.INVALID_PARAMETER, f"Invalid {name}: {raw[:40]!r}")
    return int(raw)


PAGE_SIZE_TOO_LARGE = 20007  # Twilio's error dictionary: "Page size too large"


def page_size(query: dict[str, str]) -> int:
    size = int_param(query, "PageSize", DEFAULT_PAGE_SIZE)
    if size < 1:
        raise EmulatorError(400, fields.INVALID_PARAMETER, "Invalid PageSize: must be at least 1")
    if size > MAX_PAGE_SIZE:
        raise EmulatorError(
            400, PAGE_SIZE_TOO_LARGE, f"Page size too large: at most {MAX_PAGE_SIZE}"
        )
    return size


def encode_token(direction: str, seq: int) -> str:
    raw = f"{direction}{seq}".encode()
    return "PA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str | None) -> tuple[int | None, int | None]:
    """(after, before) from an opaque PageToken."""
    if not token:
        return None, None
    try:
        if not token.startswith("PA"):
            raise ValueError
        body = token[2:]
        if len(body) > 40:
            raise ValueError
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
        direction, digits = raw[0], raw[1:]
        if direction not in "ab" or not _ASCII_UINT.fullmatch(digits) or int(digits) > _MAX_INT:
            raise ValueError
        seq = int(digits)
    except (ValueError, IndexError, binascii.Error, UnicodeDecodeError):
        raise EmulatorError(400, fields.INVALID_PARAMETER, "Invalid PageToken") from None
    return (seq, None) if direction == "a" else (None, seq)


def rfc2822(iso: str) -> str:
    moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return format_datetime(moment).replace("-0000", "+0000")


def missing(param: str) -> EmulatorError:
    """A required parameter not sent (twilio-ruby #674 quotes this message and code)."""
    return EmulatorError(
        400, fields.INVALID_PARAMETER, f"Missing required parameter {param} in the post body"
    )


def boolean(param: str, raw: str) -> bool:
    """A boolean parameter, by one rule for every resource: Twilio's `true` or `false` (its
    SDKs send them lowercase; the API reads either case); anything else (1, yes, maybe) is a
    400 naming the parameter, never a silent false."""
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    raise EmulatorError(
        400, fields.INVALID_PARAMETER, f"Invalid {param}: expected true or false, not {raw!r}"
    )


def check_booleans(form: Mapping[str, list[str]], params: Iterable[str]) -> None:
    """`boolean` for every value of each of `params` in a form."""
    for param in params:
        for raw in form.get(param, []):
            boolean(param, raw)


def sender_value(req: Request, kind: senders.SenderKind) -> str:
    """What a pool's POST adds: its parameter, required, and a SID of the kind's pattern
    unless the kind is added by its text (an alpha sender)."""
    value = req.form.get(kind.param, "")
    if not value:
        raise missing(kind.param)
    if not kind.by_value and not kind.sid_re.match(value):
        raise EmulatorError(
            400,
            fields.INVALID_PARAMETER,
            f"Invalid {kind.param}: {value!r} is not a {kind.prefix}… SID",
        )
    return value


def error_response(exc: EmulatorError, headers: dict[str, str] | None = None) -> Response:
    """Twilio's error body: {code, message, more_info, status}."""
    return Response(
        exc.status,
        {
            "code": exc.code,
            "message": exc.message,
            "more_info": f"https://www.twilio.com/docs/errors/{exc.code}",
            "status": exc.status,
        },
        headers or {},
    )


def all_values(raw: bytes, where: str) -> dict[str, list[str]]:
    """Form-encoded pairs with every value of each name (lists such as MessageSamples are
    repeated parameters); invalid UTF-8 and NUL are refused with a 400 rather than replaced
    (a replaced byte would store something nobody sent)."""
    try:
        text = raw.decode("utf-8")
        pairs = parse_qs(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise EmulatorError(
            400, fields.INVALID_PARAMETER, f"The request {where} is not valid UTF-8"
        ) from None
    for name, values in pairs.items():
        if "\x00" in name or any("\x00" in v for v in values):
            raise EmulatorError(
                400, fields.INVALID_PARAMETER, f"Invalid {name.replace(chr(0), '')}: contains NUL"
            )
    return pairs


@dataclass(frozen=True)
class PageAsk:
    """What a list request asks for: PageSize, Page, and its PageToken's place (rows after
    the seq `after`, or before the seq `before`)."""

    size: int
    page: int
    after: int | None
    before: int | None

    @classmethod
    def of(cls, req: Request) -> PageAsk:
        after, before = decode_token(req.query.get("PageToken"))
        return cls(page_size(req.query), int_param(req.query, "Page", 0), after, before)


@dataclass
class PageLinks:
    """A list page's links: the first page, the previous and next (None at either end), and
    this page's own; with the page's number and size."""

    first: str
    previous: str | None
    next: str | None
    url: str
    page: int
    size: int

    def v1_meta(self, key: str) -> dict[str, Any]:
        """A Messaging v1 list's `meta` (the spec's readFull examples)."""
        return {
            "page": self.page,
            "page_size": self.size,
            "first_page_url": self.first,
            "previous_page_url": self.previous,
            "next_page_url": self.next,
            "url": self.url,
            "key": key,
        }

    def v2010_envelope(self, count: int) -> dict[str, Any]:
        """A 2010 API list's paging fields (its SDKs follow next_page_uri as given)."""
        start = self.page * self.size
        return {
            "page": self.page,
            "page_size": self.size,
            "start": start,
            "end": start + max(count - 1, 0),
            "uri": self.url,
            "first_page_uri": self.first,
            "next_page_uri": self.next,
            "previous_page_uri": self.previous,
        }


def page_links(
    req: Request,
    ask: PageAsk,
    *,
    next_token: str | None,
    prev_token: str | None = None,
    prev_by_number: bool = False,
    absolute: bool = True,
) -> PageLinks:
    """The links of one list page, as Twilio gives them: PageSize, Page and a PageToken
    (the next page's from `next_token`, the previous page's from `prev_token`, or with
    `prev_by_number` the page number alone) and the request's filters (To, Channel,
    IsoCountryCode...) kept on every link, as in the spec's examples. The 2010 API's links
    are paths (`absolute=False`), Messaging v1's full URLs."""
    kept = {k: v for k, v in req.query.items() if k not in ("PageSize", "Page", "PageToken")}
    prefix = req.base if absolute else ""

    def link(number: int, token: str | None) -> str:
        query: dict[str, Any] = {"PageSize": ask.size, "Page": number}
        if token:
            query["PageToken"] = token
        return f"{prefix}{req.path}?{urlencode({**query, **kept})}"

    previous = None
    if prev_token:
        previous = link(ask.page - 1, prev_token)
    elif prev_by_number and ask.page > 0:
        previous = link(ask.page - 1, None)
    return PageLinks(
        first=link(0, None),
        previous=previous,
        next=link(ask.page + 1, next_token) if next_token else None,
        url=link(ask.page, req.query.get("PageToken")),
        page=ask.page,
        size=ask.size,
    )


def token_past(rows: Sequence[Any], more: bool, direction: str = "a") -> str | None:
    """The next page's PageToken when `more` rows lie past these, read in `direction`
    ("a": after the last row's seq, "b": before it)."""
    return encode_token(direction, rows[-1]["seq"]) if more else None


def paged_v1(
    req: Request,
    key: str,
    fetch: Callable[[int, int], Sequence[Any]],
    render: Callable[[Any], dict[str, Any]],
) -> Response:
    """A Messaging v1 list read forwards by `seq`: `fetch(after, limit)` gives rows, one more
    than the page to know whether a next page exists; `render` turns each into its JSON."""
    ask = PageAsk.of(req)
    rows = fetch(ask.after or 0, ask.size + 1)
    more = len(rows) > ask.size
    rows = rows[: ask.size]
    meta = page_links(req, ask, next_token=token_past(rows, more)).v1_meta(key)
    return Response(200, {"meta": meta, key: [render(r) for r in rows]})


def paged_2010(
    req: Request,
    ask: PageAsk,
    key: str,
    items: list[dict[str, Any]],
    token: str | None,
    *,
    items_first: bool = False,
) -> Response:
    """A 2010 API list page: `items`, and `token` the next page's PageToken (None: the
    last page). JSON objects are unordered and Twilio's own order is not documented: with
    the paging fields first a client can ask for the next page as soon as they arrive (as
    with a v1 list's leading `meta`); with `items_first`, only once the page is read."""
    links = page_links(req, ask, next_token=token, prev_by_number=True, absolute=False)
    paging = links.v2010_envelope(len(items))
    return Response(200, {key: items, **paging} if items_first else {**paging, key: items})


def streamed_2010(
    req: Request,
    ask: PageAsk,
    key: str,
    rows: Sequence[Any],
    render: Callable[[Any], dict[str, Any]],
    token: str | None,
    *,
    chunk: int = 100,
) -> Response:
    """A 2010 API list page as `paged_2010` makes it (paging fields first), its items
    rendered from `rows` a `chunk` at a time after the paging fields are sent."""
    links = page_links(req, ask, next_token=token, prev_by_number=True, absolute=False)
    paging = json.dumps(links.v2010_envelope(len(rows)))
    head = f'{paging[:-1]}, "{key}": ['

    def rest() -> Iterator[bytes]:
        for start in range(0, len(rows), chunk):
            items = ", ".join(json.dumps(render(r)) for r in rows[start : start + chunk])
            yield (items if start == 0 else ", " + items).encode()
        yield b"]}"

    return Response(200, raw=[head.encode()], rest=rest())
