"""Async client for Messaging v1 (and the two 2010 account lists the sender pool needs).

Values go in and come out keyed by the catalogue's JSON names; the catalogue turns them into
form parameters, so no field list lives here.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import ssl
import time
import urllib.request
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Unpack

import httpx

from msgsvc_tui.api import errors, protocol
from msgsvc_tui.api.outcome import Verdict as _Verdict
from msgsvc_tui.api.outcome import checked_sender
from msgsvc_tui.api.outcome import checked_sid as _sid
from msgsvc_tui.api.protocol import (
    MAX_PAGE_SIZE,
    Page,
    check_secure,
    is_loopback_host,
    leading_meta,
    twilio_host,
)
from msgsvc_tui.api.protocol import READS as _READS
from msgsvc_tui.api.protocol import RETRY_READ_STATUSES as _RETRY_READ_STATUSES
from msgsvc_tui.api.protocol import decode as _decode
from msgsvc_tui.api.protocol import host as _host
from msgsvc_tui.core import fields, senders
from msgsvc_tui.core.config import Connection, Secret

__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_PAGE_SIZE",
    "USER_AGENT",
    "MessagingClient",
    "Page",
    "Reconciliation",
    "check_secure",
    "is_loopback_host",
    "leading_meta",
    "twilio_host",
]
USER_AGENT = protocol.user_agent(f"httpx {httpx.__version__}")
DEFAULT_TIMEOUT = httpx.Timeout(protocol.READ_TIMEOUT, connect=protocol.CONNECT_TIMEOUT)
# A create's result is looked for among services created since the request began, by the
# server's clock (its Date header); this much slack covers its one-second resolution.
_CLOCK_SLACK = 2.0

Json = dict[str, Any]


@dataclass
class Reconciliation:
    """A write whose answer was lost, and what the server said when asked afterwards."""

    action: str  # "create", "update", "delete", "add sender", "remove sender"
    target: str  # a SID or a name
    applied: bool | None  # True: it happened; False: it did not; None: still unknown
    cause: str  # the failure that lost the answer
    detail: str = ""


@dataclass
class _PageFetch:
    url: str
    task: asyncio.Task[Json | None]
    meta: asyncio.Future[Json | None]  # the page's meta as soon as its bytes are in, else None


# The TLS context of a client that never opens a TLS connection: it trusts no authority, so a
# handshake it were ever asked for would fail, never pass unchecked.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
# the proxy settings httpx honours for our requests (`no_proxy` names hosts to go around them)
_PROXIED = {"http", "https", "all"}


class MessagingClient(protocol.Attempts):
    """One account's Messaging API. Use as ``async with``; it keeps connections alive."""

    def __init__(
        self,
        *,
        account_sid: str,
        username: str,
        password: Secret | str,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        readonly: bool = False,
        **options: Unpack[protocol.AttemptOptions],
    ) -> None:
        super().__init__(**options)
        self.account_sid = account_sid
        self.readonly = readonly
        self.sleep = sleep  # the wait before an attempt again: a test counts the waits instead
        self._resume_at = 0.0  # shared back-off: one 429 slows every concurrent call
        secret = password.reveal() if isinstance(password, Secret) else password
        self._http = httpx.AsyncClient(
            auth=httpx.BasicAuth(username, secret),
            headers={"User-Agent": USER_AGENT, **protocol.ACCEPT_HEADERS},
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            verify=_NO_TLS if self._never_tls(transport) else True,
        )
        self.requests_made = 0
        self._fetches: set[asyncio.Task[Json | None]] = set()
        # Writes whose answers were lost and were settled by asking the server, in order:
        # callers (CLI, TUI) report "confirmed after a lost answer" from here.
        self.reconciliations: list[Reconciliation] = []
        self._server_clock: tuple[str, float] | None = None  # (its Date header, our monotonic)

    def _never_tls(self, transport: httpx.AsyncBaseTransport | None) -> bool:
        """Whether this client can never open a TLS connection: both its bases are plain
        http:// (allowed on loopback only), it follows no redirect, pages stay on its bases,
        and no proxy is set. httpx otherwise builds, for every client, a TLS context that
        loads each trusted authority (~25 ms of every command against the emulator)."""
        return (
            transport is None
            and all(base.startswith("http://") for base in (self.messaging_base, self.api_base))
            and not _PROXIED.intersection(urllib.request.getproxies())
        )

    @classmethod
    def from_connection(cls, conn: Connection, **kw: Any) -> MessagingClient:
        return cls(account_sid=conn.account_sid, **protocol.connection_args(conn), **kw)

    def __repr__(self) -> str:
        return f"MessagingClient(account_sid={self.account_sid!r}, base={self.messaging_base!r})"

    async def __aenter__(self) -> MessagingClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Cancels pages still in flight (an iterator nobody closed) before the connections."""
        for task in list(self._fetches):
            task.cancel()
        await asyncio.gather(*self._fetches, return_exceptions=True)
        await self._http.aclose()

    # ---- transport ------------------------------------------------------------------------
    async def _wait_for_shared_backoff(self) -> None:
        wait = self._resume_at - time.monotonic()
        if wait > 0:
            await self.sleep(wait)

    def _note_server_clock(self, response: httpx.Response) -> None:
        """Keep the last Date header as it came (parsed only if a lost create needs it)."""
        stamp = response.headers.get("Date")
        if stamp:
            self._server_clock = (stamp, time.monotonic())

    def server_time_at(self, monotonic: float) -> float:
        """The server's clock at our `monotonic` instant (ours when it never sent a Date)."""
        if self._server_clock is not None:
            stamp, seen_at = self._server_clock
            try:
                server_epoch = email.utils.parsedate_to_datetime(stamp).timestamp()
            except (TypeError, ValueError, IndexError, OverflowError):
                pass
            else:
                return server_epoch - (seen_at - monotonic)
        return time.time() - (time.monotonic() - monotonic)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, str | list[str]] | None = None,
        read: Callable[[httpx.Response], Awaitable[bytes]] | None = None,
    ) -> Json | None:
        """One request, its answer decoded (`_send` says how each attempt goes). A read
        answered 2xx with a body that is not JSON (cut, garbled, a proxy's page) is asked
        again like a dropped connection, within the same attempts: a read is safe to repeat.
        A write's garbled answer is the caller's to reconcile.

        `read` consumes the body of the answer that is kept (by default, whole)."""
        method = method.upper()
        check_secure(url)
        if self.readonly and method not in _READS:
            raise errors.ReadonlyError(f"read-only mode: {method} not sent")
        request = self._http.build_request(method, url, params=params, data=data)
        attempt = 0
        while True:
            status, content, attempt = await self._send(
                request, url, read or self._read_whole, start=attempt
            )
            try:
                return _decode(status, content, method, url)
            except errors.BadResponseError:
                garbled = method in _READS and 200 <= status < 300
                if not (garbled and attempt < self.max_retries):
                    raise
            await self.sleep(self.delay(attempt))
            attempt += 1

    async def _send(
        self,
        request: httpx.Request,
        url: str,
        read: Callable[[httpx.Response], Awaitable[bytes]],
        *,
        start: int,
    ) -> tuple[int, bytes, int]:
        """`request` (to `url`, as errors name it) with its retries: (status, body
        undecoded, the attempt it ended on), its attempts counted from `start` (those a
        caller spent already).

        A `read` of the body that breaks off is retried like the request itself. Each attempt
        is bounded: `deadline` seconds in all (a read that passes it fails at once; a write's
        answer is then lost, and reconciled), and `max_answer_bytes` of body, decompressed.
        """
        method = request.method
        reading = method in _READS
        for attempt in range(start, self.max_retries + 1):
            await self._wait_for_shared_backoff()
            try:
                self.requests_made += 1
                async with asyncio.timeout(self.deadline):
                    response = await self._http.send(request, stream=True)
                    try:
                        self._note_server_clock(response)
                        status = response.status_code
                        resend = status == 429 or (reading and status in _RETRY_READ_STATUSES)
                        if not (resend and attempt < self.max_retries):
                            return response.status_code, await read(response), attempt
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise _past_deadline(method, url, self.deadline) from None
            except httpx.HTTPError as exc:
                error = _transport_error(exc, method, url)
                healable = not isinstance(error, errors.TlsError)
                if reading and healable and attempt < self.max_retries:
                    await self.sleep(self.delay(attempt))
                    continue
                raise error from None
            delay = self.delay(attempt, response.headers.get("Retry-After"))
            if response.status_code == 429:
                self._resume_at = max(self._resume_at, time.monotonic() + delay)
            await self.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    # ---- paging ---------------------------------------------------------------------------
    def _start_page(self, url: str, params: Mapping[str, Any] | None) -> _PageFetch:
        """GET one list page in its own task, so the next one can start while it is read."""
        meta: asyncio.Future[Json | None] = asyncio.get_running_loop().create_future()

        def found(early: Json) -> None:
            if not meta.done():
                meta.set_result(early)

        async def fetch() -> Json | None:
            try:
                return await self.request(
                    "GET",
                    url,
                    params=params,
                    read=lambda r: _read_bounded(r, self.max_answer_bytes, found),
                )
            finally:
                if not meta.done():
                    meta.set_result(None)

        task = asyncio.create_task(fetch(), name=f"msgsvc-page {url}")
        self._fetches.add(task)
        task.add_done_callback(self._fetches.discard)
        return _PageFetch(url, task, meta)

    async def pages(
        self,
        url: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
    ) -> AsyncGenerator[Page, None]:
        """Follow ``meta.next_page_url`` (Messaging v1) or ``next_page_uri`` (2010 API).

        Pipelined: a v1 answer starts with its `meta` (as in the spec's example), so the next
        page is asked for as soon as that arrives, while the rest of this page is still on its
        way and being decoded. Over a real network that hides the transfer of each 1.6 MB page
        behind the next round trip. Otherwise the next page is asked for once this one is
        decoded, still before it is handed over. Nothing is asked for past `limit` items, and
        closing the iterator cancels whatever is in flight.
        """
        first = str(httpx.URL(url, params=params)) if params else url
        walk = protocol.PageWalk(
            int((params or {}).get("PageSize", 50)),
            limit,
            self.api_base,
            first_url=first,
            messaging_base=self.messaging_base,
        )
        current: _PageFetch | None = self._start_page(url, params)
        following: _PageFetch | None = None
        try:
            while current is not None:
                early = await current.meta
                following = self._follow(walk.link_now(early, current.url))
                page, link = walk.page(await current.task, key, current.url, early)
                following = following or self._follow(link)
                yield page
                walk.end_after(page, following=following is not None)
                current, following = following, None
        finally:
            pending = [f.task for f in (current, following) if f is not None]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def _follow(self, url: str | None) -> _PageFetch | None:
        """A fetch of `url`, a link PageWalk admitted (on our own host already)."""
        return self._start_page(url, None) if url else None

    async def _read_whole(self, response: httpx.Response) -> bytes:
        return await _read_bounded(response, self.max_answer_bytes)

    # ---- services -------------------------------------------------------------------------
    @property
    def services_url(self) -> str:
        return f"{self.messaging_base}/v1/Services"

    def iter_service_pages(
        self, page_size: int = MAX_PAGE_SIZE, *, limit: int | None = None
    ) -> AsyncGenerator[Page, None]:
        """Pages of services; with `limit`, no page is asked for once that many are in."""
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be from 1 to {MAX_PAGE_SIZE}")
        return self.pages(self.services_url, "services", {"PageSize": page_size}, limit=limit)

    async def list_services(
        self, page_size: int = MAX_PAGE_SIZE, limit: int | None = None
    ) -> list[Json]:
        out: list[Json] = []
        pages_iter = self.iter_service_pages(page_size, limit=limit)
        async with contextlib.aclosing(pages_iter) as pages:
            async for page in pages:
                out.extend(page.items)
                if limit is not None and len(out) >= limit:
                    return out[:limit]
        return out

    async def fetch_service(self, sid: str) -> Json:
        return await self.request_json("GET", f"{self.services_url}/{_sid(sid, 'MG')}")

    async def create_service(self, values: Mapping[str, Any]) -> Json:
        clean = fields.clean_values(values, creating=True)
        name = clean["friendly_name"]

        async def settle(started: float) -> _Verdict:
            since = self.server_time_at(started) - _CLOCK_SLACK
            found = [
                s
                for s in await self.list_services()
                if s.get("friendly_name") == name and _epoch(s.get("date_created")) >= since
            ]
            if len(found) == 1:
                return _Verdict(True, found[0], f"found {found[0]['sid']}")
            if not found:
                return _Verdict(False, detail=f"no service named {name!r} was created")
            sids = [s["sid"] for s in found]
            return _Verdict(
                None, detail=f"{len(found)} candidates: {', '.join(sids)}", candidates=sids
            )

        body = await self.write(
            "create", name, "POST", self.services_url, fields.to_params(clean), settle
        )
        assert body is not None
        return body

    async def update_service(self, sid: str, values: Mapping[str, Any]) -> Json:
        """Send only the fields given; an empty string (or None) clears a URL."""
        clean = fields.clean_values(values)
        sid = _sid(sid, "MG")

        async def settle(_: float) -> _Verdict:
            current = await self.fetch_service(sid)
            differ = [n for n, v in clean.items() if _same(current.get(n), v) is False]
            if not differ:
                return _Verdict(True, current, "the server holds every value sent")
            return _Verdict(False, detail="the server still differs in " + ", ".join(differ))

        body = await self.write(
            "update", sid, "POST", f"{self.services_url}/{sid}", fields.to_params(clean), settle
        )
        assert body is not None
        return body

    async def delete_service(self, sid: str) -> None:
        sid = _sid(sid, "MG")
        await self.write(
            "delete", sid, "DELETE", f"{self.services_url}/{sid}", None, self.settle_deleted(sid)
        )

    def settle_deleted(
        self, sid: str, url: str | None = None
    ) -> Callable[[float], Awaitable[_Verdict]]:
        """A lost DELETE settled by a GET: a 404 means it was deleted."""

        async def settle(_: float) -> _Verdict:
            try:
                await self.request_json("GET", url or f"{self.services_url}/{sid}")
            except errors.NotFoundError:
                return _Verdict(True, detail="it is gone")
            return _Verdict(False, detail="it is still there")

        return settle

    async def write(
        self,
        action: str,
        target: str,
        method: str,
        url: str,
        data: Mapping[str, str | list[str]] | None,
        settle: Callable[[float], Awaitable[_Verdict]],
    ) -> Json | None:
        """Send a write once (resent only after a 429, inside _send). If its outcome is
        unknown (connection lost after sending, a timeout, a cut or garbled answer, a 5xx),
        ask the server what happened: return the result when it happened, raise
        NotAppliedError when it did not, OutcomeUnknownError when that cannot be told."""
        started = time.monotonic()
        try:
            return await self.request(method, url, data=data)
        except errors.ApiError as exc:
            if exc.status < 500:
                raise  # Twilio refused it (a 429 was never processed): nothing happened
            cause: errors.MsgsvcError = exc
        except (errors.OutcomeUnknownError, errors.BadResponseError) as exc:
            cause = exc
        lost = errors.describe(cause)
        try:
            verdict = await settle(started)
        except errors.MsgsvcError as exc:
            self.reconciliations.append(Reconciliation(action, target, None, lost, str(exc)))
            raise errors.OutcomeUnknownError(
                f"{action} of {target}: outcome unknown. The answer was lost ({lost}), and "
                f"asking the server failed too ({errors.describe(exc)}). Check before retrying.",
                method=method,
                url=url,
            ) from None
        self.reconciliations.append(
            Reconciliation(action, target, verdict.applied, lost, verdict.detail)
        )
        if verdict.applied:
            return verdict.value
        if verdict.applied is False:
            raise errors.NotAppliedError(
                f"{action} of {target} did not happen (the answer was lost: {lost}; "
                f"asked afterwards, {verdict.detail}). It is safe to try again.",
                cause=cause,
            )
        raise errors.OutcomeUnknownError(
            f"{action} of {target}: outcome unknown after a lost answer ({lost}): "
            f"{verdict.detail}. Check before retrying.",
            candidates=verdict.candidates,
            method=method,
            url=url,
        )

    async def list_usecases(self) -> list[Json]:
        body = await self.request_json("GET", f"{self.services_url}/Usecases")
        return list(body.get("usecases", []))

    # ---- sender pool ----------------------------------------------------------------------
    def _senders_url(self, service_sid: str, kind: senders.SenderKind) -> str:
        return f"{self.services_url}/{_sid(service_sid, 'MG')}/{kind.path}"

    async def list_senders(self, service_sid: str, kind: senders.SenderKind) -> list[Json]:
        out: list[Json] = []
        url = self._senders_url(service_sid, kind)
        pages_iter = self.pages(url, kind.items_key, {"PageSize": MAX_PAGE_SIZE})
        async with contextlib.aclosing(pages_iter) as pages:
            async for page in pages:
                out.extend(page.items)
        return out

    async def fetch_sender(self, service_sid: str, kind: senders.SenderKind, sid: str) -> Json:
        url = f"{self._senders_url(service_sid, kind)}/{_sid(sid, kind.prefix)}"
        return await self.request_json("GET", url)

    async def add_sender(
        self,
        service_sid: str,
        kind: senders.SenderKind,
        value: str,
        *,
        country: str | None = None,
    ) -> Json:
        """`value` is a PN…/SC…/XE… SID, or the alpha sender text itself; `country` is a
        destination alpha sender's ISO country (None: the service's default one)."""
        value = checked_sender(kind, value, country)
        match = "alpha_sender" if kind.by_value else "sid"

        async def settle(_: float) -> _Verdict:
            members = await self.list_senders(service_sid, kind)
            found = [
                m
                for m in members
                if m.get(match) == value
                and (country is None or m.get("iso_country_code") == country)
            ]
            if found:
                return _Verdict(True, found[0], "it is in the service")
            return _Verdict(False, detail="it is not in the service")

        url = self._senders_url(service_sid, kind)
        form = {kind.param: value}
        if country is not None:
            form["IsoCountryCode"] = country
        body = await self.write("add sender", value, "POST", url, form, settle)
        assert body is not None
        return body

    async def remove_sender(self, service_sid: str, kind: senders.SenderKind, sid: str) -> None:
        url = f"{self._senders_url(service_sid, kind)}/{_sid(sid, kind.prefix)}"
        await self.write("remove sender", sid, "DELETE", url, None, self.settle_deleted(sid, url))

    # ---- the account's numbers (2010 API) -------------------------------------------------
    def account_url(self, tail: str) -> str:
        return f"{self.api_base}/2010-04-01/Accounts/{self.account_sid}/{tail}"

    async def list_account_phone_numbers(self, page_size: int = 1000) -> list[Json]:
        return await self.collect(
            self.account_url("IncomingPhoneNumbers.json"), "incoming_phone_numbers", page_size
        )

    async def list_account_short_codes(self, page_size: int = 1000) -> list[Json]:
        return await self.collect(self.account_url("SMS/ShortCodes.json"), "short_codes", page_size)

    async def collect(self, url: str, key: str, page_size: int) -> list[Json]:
        out: list[Json] = []
        async with contextlib.aclosing(self.pages(url, key, {"PageSize": page_size})) as pages:
            async for page in pages:
                out.extend(page.items)
        return out

    async def request_json(self, method: str, url: str, **kw: Any) -> Json:
        body = await self.request(method, url, **kw)
        if body is None:
            raise errors.BadResponseError(
                "empty answer where a resource was expected", status=204, method=method, url=url
            )
        return body


def _epoch(stamp: object) -> float:
    """Seconds since the epoch of Twilio's ISO 8601 stamp; -inf when absent or unreadable."""
    if not isinstance(stamp, str):
        return float("-inf")
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return float("-inf")


def _same(held: object, sent: object) -> bool:
    """Whether the server's value is the value a write sent (None and "" both clear)."""
    return (None if held == "" else held) == (None if sent == "" else sent)


def _transport_error(exc: httpx.HTTPError, method: str, url: str) -> errors.TransportError:
    host = _host(url)
    where = errors.mask_credentials(url)
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return errors.TlsError(
                f"TLS failure talking to {host}: {cause.reason or cause}", method=method, url=where
            )
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectTimeout):
        return errors.ConnectError(
            f"timed out connecting to {host}; nothing was sent", method=method, url=where
        )
    if isinstance(exc, httpx.ConnectError):
        reason = errors.mask_credentials(str(exc)) or "refused"
        return errors.ConnectError(f"cannot connect to {host}: {reason}", method=method, url=where)
    if method not in _READS:
        return errors.OutcomeUnknownError(
            f"{method} to {host} got no answer ({type(exc).__name__}); it may or may not have "
            "been applied",
            method=method,
            url=where,
        )
    if isinstance(exc, httpx.TimeoutException):
        return errors.RequestTimeout(f"{host} did not answer in time", method=method, url=where)
    reason = errors.mask_credentials(str(exc))
    return errors.TransportError(
        f"{host}: {type(exc).__name__}: {reason}", method=method, url=where
    )


def _past_deadline(method: str, url: str, seconds: float) -> errors.TransportError:
    """A read that passed its deadline times out; a write's answer is lost (then reconciled)."""
    host = _host(url)
    where = errors.mask_credentials(url)
    if method not in _READS:
        return errors.OutcomeUnknownError(
            f"{method} to {host} did not finish answering within {seconds:g} s; it may or may "
            "not have been applied",
            method=method,
            url=where,
        )
    return errors.RequestTimeout(
        f"{host} did not finish answering within {seconds:g} s: stopped waiting",
        method=method,
        url=where,
    )


async def _read_bounded(
    response: httpx.Response, limit: int, found: Callable[[Json], None] | None = None
) -> bytes:
    """The body, decompressed by protocol.BodyDecoder (bounded while it arrives and while it
    inflates; httpx's own decoders would inflate a whole chunk first), calling `found(meta)`
    as soon as a leading `meta` object of a 200 list answer is in."""
    url = str(response.request.url)
    head = b""
    looking = found is not None and response.status_code == 200
    if response.is_stream_consumed:  # built whole in memory (a transport of our own): decoded
        chunks: AsyncIterator[bytes] = _once(response.content)
        encoding = None
    else:
        chunks = response.aiter_raw()
        encoding = response.headers.get("Content-Encoding")
    decoder = protocol.BodyDecoder(encoding, limit, url)
    decoder.check_length(response.headers.get("Content-Length"))
    async for raw in chunks:
        chunk = decoder.feed(raw)
        if looking and found is not None:
            head += chunk
            meta = leading_meta(head)
            if meta is not None:
                found(meta)
            looking = meta is None and protocol.worth_looking(head)
    return decoder.body()


async def _once(content: bytes) -> AsyncIterator[bytes]:
    yield content
