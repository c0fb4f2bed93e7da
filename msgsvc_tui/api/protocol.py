"""What every way of talking to Twilio shares, and no HTTP library: hosts, the clear-text
guard, which requests may be resent, back-off, and turning an answer into JSON or a typed
error.

Two transports use it: MessagingClient (httpx, async: the app, writes, long lists) and
oneshot.Reader (the standard library: a CLI read in one process). Keeping this here
is what makes them behave alike.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from msgsvc_tui import __version__
from msgsvc_tui.api import errors

if TYPE_CHECKING:
    from msgsvc_tui.core.config import Connection

Json = dict[str, Any]

MAX_PAGE_SIZE = 1000
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
# Only reads are resent after a failure. A write is resent only after a 429, which Twilio
# never processed; any other failed write is reconciled by asking the server (see _write).
READS = frozenset({"GET", "HEAD"})
RETRY_READ_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0


@dataclass
class Page:
    items: list[Json]
    meta: Json
    number: int


def user_agent(transport: str) -> str:
    python = ".".join(map(str, sys.version_info[:3]))  # what platform.python_version() says
    return f"msgsvc-tui/{__version__} (Python {python}; {transport})"


def twilio_host(product: str, region: str | None, edge: str | None) -> str:
    """The hostname as Twilio's SDKs build it: product[.edge][.region].twilio.com.

    An edge without a region means region us1, as the SDKs do.
    """
    region = region or ("us1" if edge else None)
    return ".".join(p for p in (product, edge, region, "twilio.com") if p)


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_secure(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return
    if parts.scheme == "http":
        raise errors.InsecureUrlError(
            f"refusing plain http:// to {parts.hostname}: credentials would travel in clear "
            "text; use https://, or http:// only on loopback (127.0.0.1, localhost)"
        )
    raise errors.InsecureUrlError(
        f"base URL must be http(s)://, got {errors.mask_credentials(url)!r}"
    )


def connection_args(conn: Connection) -> dict[str, Any]:
    """What both transports take from a profile's connection (the account SID aside)."""
    return {
        "username": conn.username,
        "password": conn.password,
        "base_url": conn.base_url,
        "region": conn.region,
        "edge": conn.edge,
    }


def bases(base_url: str | None, region: str | None, edge: str | None) -> tuple[str, str]:
    """(Messaging base, 2010 API base): the one base given (the emulator, a proxy) for both,
    else Twilio's hosts for the region and edge. A clear-text base off loopback is refused."""
    if base_url:
        base = base_url.rstrip("/")
        check_secure(base)
        return base, base
    return (
        f"https://{twilio_host('messaging', region, edge)}",
        f"https://{twilio_host('api', region, edge)}",
    )


def same_origin(absolute: str, messaging_base: str, api_base: str) -> str:
    """Keep paging on our own host: the path and query of a next-page link, on our base.

    This keeps region/edge and never sends credentials to a host the server names.
    """
    parts = urlsplit(absolute)
    base = api_base if parts.path.startswith("/2010-04-01") else messaging_base
    return f"{base}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def retry_delay(
    attempt: int, retry_after: str | None, *, backoff: float, max_backoff: float
) -> float:
    """Seconds before attempt `attempt + 1`: the server's Retry-After when it sent one,
    else exponential back-off with "equal jitter" (never zero, never in lock-step)."""
    told = parse_retry_after(retry_after)
    if told is not None:
        return min(told, MAX_RETRY_AFTER)
    ceiling = min(max_backoff, backoff * (2**attempt))
    return float(ceiling / 2 + random.uniform(0, ceiling / 2))


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def host(url: str) -> str:
    """host[:port] of `url`, never its user:password."""
    return urlsplit(url).netloc.rpartition("@")[2]


META_FIRST = re.compile(rb'\s*\{\s*"meta"\s*:\s*')
META_SEARCH_LIMIT = 64 * 1024  # a meta object is ~600 bytes; past this, stop looking
_JSON = json.JSONDecoder()


def leading_meta(head: bytes) -> Json | None:
    """The `meta` object an answer starts with, once all of its bytes are in `head`."""
    match = META_FIRST.match(head)
    if match is None:
        return None
    # the matched prefix is ASCII, so its byte length is also its length in characters; a
    # multi-byte character cut at the end of `head` lies past an incomplete meta anyway
    try:
        meta, _ = _JSON.raw_decode(head.decode("utf-8", "replace"), match.end())
    except ValueError:
        return None
    return meta if isinstance(meta, dict) else None


def decode(status: int, content: bytes, method: str, url: str) -> Json | None:
    if status == 204:
        return None
    text = content.decode("utf-8", "replace")
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if 200 <= status < 300:
        if not isinstance(body, dict):
            raise errors.BadResponseError(
                f"HTTP {status} from {host(url)} is not JSON",
                status=status,
                body=text[:500],
                method=method,
                url=url,
            )
        return body
    if isinstance(body, dict) and ("code" in body or "message" in body):
        raise errors.api_error_for(status, body, method=method, url=url)
    kind = "an empty body" if not text.strip() else "an HTML page" if "<" in text else "text"
    raise errors.BadResponseError(
        f"HTTP {status} from {host(url)} with {kind} instead of Twilio's JSON "
        "(a proxy or gateway answered?)",
        status=status,
        body=text[:500],
        method=method,
        url=url,
    )


def worth_looking(head: bytes) -> bool:
    """Whether a leading `meta` may still come: the head is short, or starts like one."""
    return len(head) < META_SEARCH_LIMIT and (
        len(head.lstrip()) < 16 or META_FIRST.match(head) is not None
    )


def page_parts(body: Json | None, key: str, url: str) -> tuple[list[Json], Json]:
    """(items, meta) of a list answer: Messaging v1's `meta`, or the 2010 API's top-level
    paging keys."""
    if body is None or key not in body:
        raise errors.BadResponseError(
            f"list answer without {key!r}", status=200, method="GET", url=url
        )
    meta = body.get("meta") or {
        k: v for k, v in body.items() if k != key and not isinstance(v, list)
    }
    return list(body[key]), meta


def next_link(meta: Json, api_base: str) -> str | None:
    """The next page: v1's absolute `next_page_url`, or the 2010 API's `next_page_uri`."""
    uri = meta.get("next_page_uri")
    return meta.get("next_page_url") or (f"{api_base}{uri}" if uri else None)


class PageWalk:
    """When to ask for which page: the rules both transports follow, one awaiting
    (MessagingClient), one blocking (oneshot.Reader). The next page is asked for as soon as
    this one's leading `meta` is in, unless `limit` items are in by then; an answer without a
    leading meta (the 2010 API) is followed once decoded."""

    def __init__(self, page_size: int, limit: int | None, api_base: str) -> None:
        self.size = page_size
        self.limit = limit
        self.api_base = api_base
        self.received = 0
        self.number = 0

    def link_now(self, early: Json | None) -> str | None:
        """On a page's first bytes: the next page's link, when it may be asked for already."""
        if early is not None and (self.limit is None or self.received + self.size < self.limit):
            link = early.get("next_page_url")
            return str(link) if link else None
        return None

    def page(
        self, body: Json | None, key: str, url: str, early: Json | None
    ) -> tuple[Page, str | None]:
        """The page, and the link to follow now when it was not asked for early."""
        items, meta = page_parts(body, key, url)
        self.received += len(items)
        link = None
        if early is None and (self.limit is None or self.received < self.limit):
            link = next_link(meta, self.api_base)
        page = Page(items=items, meta=meta, number=self.number)
        self.number += 1
        return page, link
