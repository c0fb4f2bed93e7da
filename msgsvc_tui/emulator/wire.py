"""The emulator's wire details shared by its routes: requests and responses, Twilio's error
shape, paging parameters and tokens, form bodies. No routes here (app.py and
resource_routes.py hold them), so both can use these without importing each other."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator.store import EmulatorError

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


def _last_values(raw: bytes, where: str) -> dict[str, str]:
    """Form-encoded pairs, the last value of each name (as Twilio reads a single value)."""
    return {k: v[-1] for k, v in all_values(raw, where).items()}


def _base_url(scope: Scope, headers: dict[str, str]) -> str:
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only, and a bounded size: int() would take Arabic-Indic digits or "1_0",
    # and a huge number overflowed SQLite (a plain-text 500 instead of Twilio's 400).
    if not _ASCII_UINT.fullmatch(raw) or int(raw) > _MAX_INT:
        raise EmulatorError(400, fields.INVALID_PARAMETER, f"Invalid {name}: {raw[:40]!r}")
    return int(raw)


PAGE_SIZE_TOO_LARGE = 20007  # Twilio's error dictionary: "Page size too large"


def _page_size(query: dict[str, str]) -> int:
    size = _int_param(query, "PageSize", DEFAULT_PAGE_SIZE)
    if size < 1:
        raise EmulatorError(400, fields.INVALID_PARAMETER, "Invalid PageSize: must be at least 1")
    if size > MAX_PAGE_SIZE:
        raise EmulatorError(
            400, PAGE_SIZE_TOO_LARGE, f"Page size too large: at most {MAX_PAGE_SIZE}"
        )
    return size


def _encode_token(direction: str, seq: int) -> str:
    raw = f"{direction}{seq}".encode()
    return "PA" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str | None) -> tuple[int | None, int | None]:
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


def _rfc2822(iso: str) -> str:
    moment = datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return format_datetime(moment).replace("-0000", "+0000")


def missing(param: str) -> EmulatorError:
    """A required parameter not sent (twilio-ruby #674 quotes this message and code)."""
    return EmulatorError(
        400, fields.INVALID_PARAMETER, f"Missing required parameter {param} in the post body"
    )


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


def page_links(
    req: Request, path: str, size: int, page: int, next_token: str | None, key: str
) -> dict[str, Any]:
    """A Messaging v1 list's `meta`, with a PageToken in next_page_url as Twilio gives it."""

    # filters (Channel, IsoCountryCode) stay on every link, as in the spec's examples
    kept = {k: v for k, v in req.query.items() if k not in ("PageSize", "Page", "PageToken")}

    def link(number: int, token: str | None) -> str:
        query: dict[str, Any] = {"PageSize": size, "Page": number}
        if token:
            query["PageToken"] = token
        return f"{req.base}{path}?{urlencode({**query, **kept})}"

    return {
        "page": page,
        "page_size": size,
        "first_page_url": link(0, None),
        "previous_page_url": None,
        "next_page_url": link(page + 1, next_token) if next_token else None,
        "url": link(page, req.query.get("PageToken")),
        "key": key,
    }
