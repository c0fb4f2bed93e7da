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
from typing import TYPE_CHECKING, Any, TypedDict, Unpack
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
# never processed; any other failed write is reconciled by asking the server
# (MessagingClient.write).
READS = frozenset({"GET", "HEAD"})
RETRY_READ_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0
# Every answer is bounded, whatever the server does. A page of 1,000 services is ~1.6 MB and
# one of 1,000 messages at most ~10 MB (1,600-character bodies, escaped): 32 MiB, counted
# after decompression (a gzip bomb of 261 KB inflates to 256 MB), refuses nothing real.
MAX_ANSWER_BYTES = 32 * 1024 * 1024
# The read timeout bounds each wait for bytes; this bounds one whole exchange (connect, send,
# headers, body), so a server dripping a byte a second cannot hold a command for ever.
REQUEST_DEADLINE = 60.0
ACCEPT_ENCODING = "gzip, deflate"  # what BodyDecoder can inflate, and nothing else
ACCEPT_HEADERS = {"Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING}


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


class AttemptOptions(TypedDict, total=False):
    """What both transports take about where a request goes and how it is tried."""

    base_url: str | None  # instead of Twilio's hosts (the emulator's address)
    region: str | None
    edge: str | None
    max_retries: int  # attempts after the first (4)
    backoff: float  # the first back-off's ceiling, doubled each attempt (0.5 s)
    max_backoff: float  # (20 s)
    max_answer_bytes: int | None  # (MAX_ANSWER_BYTES)
    deadline: float | None  # one attempt's whole time (REQUEST_DEADLINE)


class Attempts:
    """How one request is bounded and retried, the same for both transports: where it goes
    (the Messaging and 2010 API bases), how many attempts it gets and the back-off between
    them, and the size and whole time every answer is held to."""

    def __init__(self, **options: Unpack[AttemptOptions]) -> None:
        self.messaging_base, self.api_base = bases(
            options.get("base_url"), options.get("region"), options.get("edge")
        )
        self.max_retries = options.get("max_retries", 4)
        self.backoff = options.get("backoff", 0.5)
        self.max_backoff = options.get("max_backoff", 20.0)
        self.max_answer_bytes = options.get("max_answer_bytes") or MAX_ANSWER_BYTES
        self.deadline = options.get("deadline") or REQUEST_DEADLINE

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds before attempt `attempt + 1`: the server's Retry-After when it sent one,
        else exponential back-off with "equal jitter" (never zero, never in lock-step)."""
        told = parse_retry_after(retry_after)
        if told is not None:
            return min(told, MAX_RETRY_AFTER)
        ceiling = min(self.max_backoff, self.backoff * (2**attempt))
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


_NEXT_URI = re.compile(rb'"next_page_uri"\s*:\s*')


def leading_envelope(head: bytes) -> Json | None:
    """A 2010 list's `next_page_uri` when its paging fields come before its items (the
    emulator's Messages pages do): {"next_page_uri": …} once that value's bytes are in, so
    the next page can be asked for while this one is still arriving, as with v1's `meta`."""
    if not head.lstrip().startswith(b"{"):
        return None
    match = _NEXT_URI.search(head)
    if match is None or b"[" in head[: match.start()]:
        return None  # the items came first: the link is known only once they are read
    start = len(head[: match.end()].decode("utf-8", "replace"))
    try:
        value, _ = _JSON.raw_decode(head.decode("utf-8", "replace"), start)
    except ValueError:
        return None
    return {"next_page_uri": value} if value is None or isinstance(value, str) else None


def leading_meta(head: bytes) -> Json | None:
    """The `meta` object an answer starts with, once all of its bytes are in `head` (or a
    2010 envelope's leading `next_page_uri`)."""
    match = META_FIRST.match(head)
    if match is None:
        return leading_envelope(head)
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
        len(head.lstrip()) < 16 or META_FIRST.match(head) is not None or b"[" not in head
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


class BodyDecoder:
    """An answer's bytes as they arrive → its body, decompressed and bounded.

    The limit is checked on every chunk, before and after inflating (zlib is asked for at most
    one byte past what is left), so a body that never ends or a gzip bomb stops at `limit`
    bytes held, never more. Only gzip and deflate are accepted (we ask for nothing else)."""

    def __init__(self, content_encoding: str | None, limit: int, url: str) -> None:
        import zlib

        encoding = (content_encoding or "").strip().lower()
        self._inflate: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflate = zlib.decompressobj()
        elif encoding not in ("", "identity"):
            raise errors.BadResponseError(
                f"{host(url)} answered with Content-Encoding {safe_header(encoding)!r}, "
                "which was not asked for",
                status=0,
                method="GET",
                url=url,
            )
        self.limit = limit
        self.url = url
        self.size = 0
        self._chunks: list[bytes] = []

    def check_length(self, content_length: str | None) -> None:
        """Refuse at once an answer that says it is too large (uncompressed only: a gzip
        length says nothing of what it inflates to)."""
        length = (content_length or "").strip()
        if self._inflate is None and length.isdigit() and int(length) > self.limit:
            self._too_large(int(length))

    def feed(self, raw: bytes) -> bytes:
        """Take raw bytes; returns what they decode to (also kept for `body`)."""
        if self._inflate is None:
            chunk = raw
        else:
            import zlib

            try:
                chunk = self._inflate.decompress(raw, self.limit - self.size + 1)
            except zlib.error as exc:
                raise self._corrupt(exc) from None
            if self._inflate.unconsumed_tail:  # more would come out than the limit allows
                self._too_large(self.size + len(chunk) + 1)
        self.size += len(chunk)
        if self.size > self.limit:
            self._too_large(self.size)
        self._chunks.append(chunk)
        return chunk

    def body(self) -> bytes:
        """Everything, once the raw stream has ended."""
        if self._inflate is not None:
            import zlib

            try:
                rest = self._inflate.flush()
            except zlib.error as exc:
                raise self._corrupt(exc) from None
            self.size += len(rest)
            if self.size > self.limit:
                self._too_large(self.size)
            self._chunks.append(rest)
        return b"".join(self._chunks)

    def _too_large(self, size: int) -> None:
        raise errors.AnswerTooLargeError(
            f"{host(self.url)} sent an answer larger than {self.limit:,} bytes "
            f"(at least {size:,}): refused, not read further",
            status=0,
            method="GET",
            url=errors.mask_credentials(self.url),
        )

    def _corrupt(self, exc: Exception) -> errors.BadResponseError:
        return errors.BadResponseError(
            f"{host(self.url)} sent a compressed answer that does not inflate: {exc}",
            status=0,
            method="GET",
            url=errors.mask_credentials(self.url),
        )


def safe_header(value: str) -> str:
    """A header value quoted in a message: short, and only printable ASCII."""
    return "".join(c if " " <= c <= "~" else "?" for c in value[:40])


def page_number(url: str) -> int:
    """A list link's `Page` (0 when it has none, as a first page has none)."""
    from urllib.parse import parse_qs

    values = parse_qs(urlsplit(url).query).get("Page")
    try:
        return int(values[0]) if values else 0
    except ValueError:
        return 0


def page_key(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A page's identity: its path and its query, order aside, `Page=0` when absent."""
    from urllib.parse import parse_qsl

    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.setdefault("Page", "0")
    return parts.path, tuple(sorted(query.items()))


class PageWalk:
    """When to ask for which page: the rules both transports follow, one awaiting
    (MessagingClient), one blocking (oneshot.Reader). The next page is asked for as soon as
    this one's leading `meta` is in, unless `limit` items are in by then; an answer without a
    leading meta (the 2010 API) is followed once decoded.

    Paging must advance, or a server could keep a command (or the app) busy for ever: a link
    back to a page already asked for, one whose `Page` number does not grow, or one from a
    page that held nothing, is refused. The refusal is kept in `refused` (the transports raise
    it once the pages before it are handed over: a partial list, well formed) and the link is
    never followed. `admit` is where every link passes, from whichever thread asks.
    """

    def __init__(
        self,
        page_size: int,
        limit: int | None,
        api_base: str,
        *,
        first_url: str = "",
        messaging_base: str = "",
    ) -> None:
        import threading

        self.size = page_size
        self.limit = limit
        self.api_base = api_base
        self.messaging_base = messaging_base
        self.received = 0
        self.number = 0
        self.refused: errors.PagingError | None = None
        self._seen = {page_key(first_url)} if first_url else set()
        self._lock = threading.Lock()

    def admit(self, link: str | None, came_from: str) -> str | None:
        """The URL to ask for next (on our own host), or None: no link, or one refused."""
        if not link:
            return None
        url = same_origin(link, self.messaging_base or self.api_base, self.api_base)
        key = page_key(url)
        with self._lock:
            if key in self._seen:
                problem = "points back to a page already read"
            elif page_number(url) <= page_number(came_from):
                numbers = f"Page {page_number(url)} after {page_number(came_from)}"
                problem = f"does not advance ({numbers})"
            else:
                self._seen.add(key)
                return url
            self.refused = errors.PagingError(
                f"{host(url)}: the next-page link {problem}: paging stopped there",
                method="GET",
                url=errors.mask_credentials(url),
            )
        return None

    def link_now(self, early: Json | None, came_from: str) -> str | None:
        """On a page's first bytes: the next page's URL, when it may be asked for already."""
        if early is not None and (self.limit is None or self.received + self.size < self.limit):
            link = next_link(early, self.api_base)
            return self.admit(link, came_from) if link else None
        return None

    def page(
        self, body: Json | None, key: str, url: str, early: Json | None
    ) -> tuple[Page, str | None]:
        """The page, and the URL to follow now when it was not asked for early."""
        items, meta = page_parts(body, key, url)
        self.received += len(items)
        link = None
        if early is None and (self.limit is None or self.received < self.limit):
            link = self.admit(next_link(meta, self.api_base), url)
        if not items and next_link(meta, self.api_base) and self.refused is None:
            self.refused = errors.PagingError(
                f"{host(url)}: an empty page links to another: paging does not advance, "
                "stopped there",
                method="GET",
                url=errors.mask_credentials(url),
            )
            link = None
        page = Page(items=items, meta=meta, number=self.number)
        self.number += 1
        return page, link

    def end_after(self, page: Page, *, following: bool) -> None:
        """Raise the refusal that ends the list after `page` (handed over already), if one
        does: a link from this page refused (nothing follows it), or this page empty."""
        if self.refused is not None and (not following or not page.items):
            raise self.refused
