"""Reads for one-shot commands, on the standard library alone.

Why a second transport: `services get` is one request, and importing httpx and asyncio costs
~110 ms here, more than the official SDK's whole fetch as a process (~0.14 s). A read may be
sent again, so it needs none of what MessagingClient's write path is for (settling a lost
answer by asking the server); it does need the same hosts, clear-text guard, retries,
decoding and typed errors, and api/protocol.py holds those for both transports.

`services get` and `services list` come here when `usable()` says so; every write, and
everything else, goes through MessagingClient.

Paging is pipelined as MessagingClient's is: a list answer starts with its `meta`, so the
next page is asked for (by a thread, on a second keep-alive connection) as soon as that is
in, while the rest of this page is still arriving and being decoded.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import socket
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any, Unpack
from urllib.parse import urlencode, urlsplit

from msgsvc_tui.api import errors, protocol
from msgsvc_tui.api.outcome import checked_sid
from msgsvc_tui.api.protocol import Json, Page
from msgsvc_tui.core.config import Connection, Secret

USER_AGENT = protocol.user_agent("http.client")
# httpx (MessagingClient) honours these; http.client does not, so with any of them set the
# CLI keeps to MessagingClient rather than bypass a proxy the user configured.
_PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy"})
_IDLE_KEPT = 2  # keep-alive connections kept per reader: a page in flight and the next


def usable(environ: Mapping[str, str] | None = None) -> bool:
    """Whether a read can go this way: not when a proxy is configured."""
    env = os.environ if environ is None else environ
    return not any(k.lower() in _PROXY_VARIABLES and v for k, v in env.items())


def _ssl_context() -> Any:
    """Verification as httpx sets it up (its create_ssl_context): SSL_CERT_FILE, then
    SSL_CERT_DIR, else certifi's bundle. Built on the first https request only."""
    import ssl

    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class _Connections:
    """Keep-alive connections per origin, shared by the threads of one reader."""

    def __init__(self, connect_timeout: float, read_timeout: float) -> None:
        self._idle: dict[tuple[str, str, int | None], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self._ssl: Any = None
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout

    def take(self, origin: tuple[str, str, int | None]) -> tuple[http.client.HTTPConnection, bool]:
        """(connection, reused): an idle one, or a new one connected here, so that a failure
        here means nothing was sent."""
        scheme, host, port = origin
        with self._lock:
            idle = self._idle.get(origin)
            if idle:
                return idle.pop(), True
            if scheme == "https" and self._ssl is None:
                self._ssl = _ssl_context()
        conn: http.client.HTTPConnection
        if scheme == "https":
            conn = http.client.HTTPSConnection(
                host, port, timeout=self.connect_timeout, context=self._ssl
            )
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.connect_timeout)
        conn.connect()
        if conn.sock is not None:
            conn.sock.settimeout(self.read_timeout)
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, False

    def give(self, origin: tuple[str, str, int | None], conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if not self._closed and len(idle) < _IDLE_KEPT:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            held = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for conn in held:
            conn.close()


class Reader(protocol.Attempts):
    """GETs with MessagingClient's rules (same errors, same retries), and nothing else."""

    def __init__(
        self,
        *,
        username: str,
        password: Secret | str,
        sleep: Callable[[float], None] = time.sleep,
        connect_timeout: float = protocol.CONNECT_TIMEOUT,
        read_timeout: float = protocol.READ_TIMEOUT,
        **options: Unpack[protocol.AttemptOptions],
    ) -> None:
        super().__init__(**options)
        secret = password.reveal() if isinstance(password, Secret) else password
        token = base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")
        self._headers = {
            "Authorization": f"Basic {token}",
            "User-Agent": USER_AGENT,
            **protocol.ACCEPT_HEADERS,
        }
        self.sleep = sleep  # the wait before an attempt again: a test counts the waits instead
        self._connections = _Connections(connect_timeout, read_timeout)
        self.requests_made = 0  # sent, retries included (page threads count here too)
        self._counting = threading.Lock()

    @classmethod
    def from_connection(cls, conn: Connection, **kw: Any) -> Reader:
        return cls(**protocol.connection_args(conn), **kw)

    def __repr__(self) -> str:
        return f"oneshot.Reader(base={self.messaging_base!r})"

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._connections.close()

    # ---- reads ----------------------------------------------------------------------------
    def fetch_service(self, sid: str) -> Json:
        url = f"{self.messaging_base}/v1/Services/{checked_sid(sid, 'MG')}"
        body = self._get_json(url)
        if body is None:
            raise errors.BadResponseError(
                "empty answer where a resource was expected", status=204, method="GET", url=url
            )
        return body

    def iter_service_pages(
        self, page_size: int = protocol.MAX_PAGE_SIZE, *, limit: int | None = None
    ) -> Generator[Page, None, None]:
        """Pages of services; with `limit`, no page is asked for once that many are in."""
        if not 1 <= page_size <= protocol.MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be from 1 to {protocol.MAX_PAGE_SIZE}")
        url = f"{self.messaging_base}/v1/Services"
        return self._pages(url, "services", {"PageSize": page_size}, limit=limit)

    def _pages(
        self, url: str, key: str, params: Mapping[str, Any], *, limit: int | None
    ) -> Generator[Page, None, None]:
        walk = protocol.PageWalk(
            int(params.get("PageSize", 50)),
            limit,
            self.api_base,
            first_url=f"{url}?{urlencode(params)}" if params else url,
            messaging_base=self.messaging_base,
        )
        # without a limit, each page's thread asks for the next itself the moment its meta is
        # in, not when this loop (busy writing the page before) gets round to it
        chain = walk if limit is None else None
        current: _PageFetch | None = _PageFetch(self, url, params, chain=chain)
        following: _PageFetch | None = None
        try:
            while current is not None:
                early = current.early_meta()
                following = current.successor or self._follow(walk.link_now(early, current.url))
                page, link = walk.page(current.body(), key, current.url, early)
                following = following or self._follow(link)
                yield page
                walk.end_after(page, following=following is not None)
                current, following = following, None
        finally:
            for fetch in (current, following):
                if fetch is not None:
                    fetch.abandon()

    def _follow(self, url: str | None) -> _PageFetch | None:
        """A fetch of `url`, a link PageWalk admitted (on our own host already)."""
        return _PageFetch(self, url) if url else None

    # ---- transport ------------------------------------------------------------------------
    def _get_json(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        found: Callable[[Json], None] | None = None,
        abandoned: threading.Event | None = None,
    ) -> Json | None:
        """One GET with its retries, decoded. `found(meta)` is called as soon as a 200
        answer's leading `meta` is in. A 2xx answer whose body is not JSON (cut, garbled) is
        asked again like a dropped connection, within the same attempts (as MessagingClient
        does). Each attempt is bounded: `deadline` seconds in all, `max_answer_bytes` of body
        (decompressed); past either it fails at once, unretried (the same server would do the
        same again)."""
        protocol.check_secure(url)
        target = f"{url}?{urlencode(params)}" if params else url
        parts = urlsplit(target)
        origin = (parts.scheme, parts.hostname or "", parts.port)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        attempt = 0
        while True:
            conn: http.client.HTTPConnection | None = None
            connected = reused = answered = False
            deadline = _Deadline(self.deadline)
            try:
                conn, reused = self._connections.take(origin)
                connected = True
                deadline.arm(conn)
                self._count()
                conn.request("GET", path, headers=self._headers)
                response = conn.getresponse()
                answered = True
                status = response.status
                if status in protocol.RETRY_READ_STATUSES and attempt < self.max_retries:
                    _read_body(response, None, self.max_answer_bytes, url)
                    told = response.getheader("Retry-After")
                    self._release(origin, conn, response, deadline)
                    self._back_off(attempt, abandoned, told)
                    attempt += 1
                    continue
                found_now = found if status == 200 else None
                content = _read_body(response, found_now, self.max_answer_bytes, url)
                self._release(origin, conn, response, deadline)
            except _Abandoned:
                raise
            except errors.MsgsvcError:  # too large, or an encoding not asked for: mid-body
                deadline.disarm()
                if conn is not None:
                    conn.close()
                if deadline.expired:
                    raise deadline.error(url) from None
                raise
            except (OSError, http.client.HTTPException) as exc:
                deadline.disarm()
                if conn is not None:
                    conn.close()
                if deadline.expired:
                    raise deadline.error(url) from None
                if reused and not answered and isinstance(exc, _STALE):
                    continue  # the server had closed that idle connection: a fresh one, now
                error = _transport_error(exc, url, connected=connected)
                retry = attempt < self.max_retries and not isinstance(error, errors.TlsError)
                if not retry or (abandoned is not None and abandoned.is_set()):
                    raise error from None
                self.sleep(self.delay(attempt))
                attempt += 1
                continue
            try:
                return protocol.decode(status, content, "GET", url)
            except errors.BadResponseError:
                if not (200 <= status < 300 and attempt < self.max_retries):
                    raise
            self._back_off(attempt, abandoned)
            attempt += 1

    def _back_off(
        self, attempt: int, abandoned: threading.Event | None, retry_after: str | None = None
    ) -> None:
        """Wait before attempt `attempt + 1`, unless the page was abandoned meanwhile."""
        if abandoned is not None and abandoned.is_set():
            raise _Abandoned
        self.sleep(self.delay(attempt, retry_after))

    def _count(self) -> None:
        with self._counting:
            self.requests_made += 1

    def _release(
        self,
        origin: tuple[str, str, int | None],
        conn: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        deadline: _Deadline,
    ) -> None:
        """Keep the connection for the next request, unless it is done for; an answer whose
        deadline passed while it was read is a timeout, even if its end looked clean (the
        watchdog's shutdown reads as the end of a body sent without a length)."""
        deadline.disarm()
        if deadline.expired:
            conn.close()
            raise deadline.error(str(conn.host))
        if response.will_close:
            conn.close()
        else:
            self._connections.give(origin, conn)


class _Deadline:
    """One attempt's time limit, whatever the server does: at the deadline a watchdog shuts
    the socket down, which wakes a read blocked on a server that sends a byte now and then
    (each byte would restart the socket's own timeout). One timer thread per request, about
    0.1 ms; it never touches a connection once the attempt is over."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._over = False
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def arm(self, conn: http.client.HTTPConnection) -> None:
        self._timer = threading.Timer(self.seconds, self._fire, args=(conn,))
        self._timer.daemon = True
        self._timer.start()

    def _fire(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if self._over:
                return
            self.expired = True
            sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def disarm(self) -> None:
        with self._lock:
            self._over = True
        if self._timer is not None:
            self._timer.cancel()

    def error(self, url: str) -> errors.RequestTimeout:
        host = protocol.host(url) if "//" in url else url
        return errors.RequestTimeout(
            f"{host} did not finish answering within {self.seconds:g} s: stopped waiting",
            method="GET",
            url=errors.mask_credentials(url),
        )


# What a keep-alive connection the server closed while it sat idle gives on its next use:
# like httpx, take a fresh connection at once rather than count it as a failed attempt.
_STALE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)


class _Abandoned(Exception):
    """A page nobody will read any more (the list was closed): stop retrying it."""


class _PageFetch:
    """One list page, fetched by its own thread so the next can start while it is read."""

    def __init__(
        self,
        reader: Reader,
        url: str,
        params: Mapping[str, Any] | None = None,
        *,
        chain: protocol.PageWalk | None = None,
    ) -> None:
        self.url = url
        self.successor: _PageFetch | None = None  # started by this page's thread (`chain`)
        self._chain = chain
        self._reader = reader
        self._meta: Json | None = None
        self._meta_in = threading.Event()
        self._abandoned = threading.Event()
        self._result: Json | None = None
        self._error: BaseException | None = None
        # a daemon: a command that stops early (`--limit`, a closed pipe) exits without it
        self._thread = threading.Thread(
            target=self._run, args=(params,), name=f"msgsvc-page {url}", daemon=True
        )
        self._thread.start()

    def _run(self, params: Mapping[str, Any] | None) -> None:
        try:
            self._result = self._reader._get_json(self.url, params, self._found, self._abandoned)
        except BaseException as exc:  # handed to the reader of this page, in its thread
            self._error = exc
        finally:
            self._meta_in.set()

    def _found(self, meta: Json) -> None:
        link = meta.get("next_page_url")
        walk = self._chain
        if walk and link and not self._abandoned.is_set() and self.successor is None:
            url = walk.admit(str(link), self.url)  # None when refused: the reader raises it
            if url is not None:
                self.successor = _PageFetch(self._reader, url, chain=walk)
        self._meta = meta
        self._meta_in.set()

    def early_meta(self) -> Json | None:
        """The page's meta as soon as its first bytes are in; None if the answer had none."""
        self._meta_in.wait()
        return self._meta

    def body(self) -> Json | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result

    def abandon(self) -> None:
        self._abandoned.set()
        if self.successor is not None:
            self.successor.abandon()


def _read_body(
    response: http.client.HTTPResponse,
    found: Callable[[Json], None] | None,
    limit: int,
    url: str,
) -> bytes:
    """The whole body, decompressed and bounded (protocol.BodyDecoder), calling `found(meta)`
    once a leading `meta` is in."""
    decoder = protocol.BodyDecoder(response.getheader("Content-Encoding"), limit, url)
    decoder.check_length(response.getheader("Content-Length"))
    head = b""
    looking = found is not None
    while True:
        raw = response.read1(256 * 1024)
        if not raw:
            break
        chunk = decoder.feed(raw)
        if looking and found is not None:
            head += chunk
            meta = protocol.leading_meta(head)
            if meta is not None:
                found(meta)
            looking = meta is None and protocol.worth_looking(head)
    # read1 stops at the body's end without marking the answer done; read() marks it (and
    # returns nothing), so the connection can carry the next request
    rest = response.read()
    if rest:
        decoder.feed(rest)
    return decoder.body()


def _transport_error(exc: BaseException, url: str, *, connected: bool) -> errors.TransportError:
    """The same typed errors MessagingClient raises for the same failures (reads only)."""
    import ssl

    host = protocol.host(url)
    where = errors.mask_credentials(url)
    if isinstance(exc, ssl.SSLError):
        return errors.TlsError(
            f"TLS failure talking to {host}: {exc.reason or exc}", method="GET", url=where
        )
    if not connected:
        if isinstance(exc, TimeoutError):
            return errors.ConnectError(
                f"timed out connecting to {host}; nothing was sent", method="GET", url=where
            )
        reason = errors.mask_credentials(str(exc)) or "refused"
        return errors.ConnectError(f"cannot connect to {host}: {reason}", method="GET", url=where)
    if isinstance(exc, TimeoutError):
        return errors.RequestTimeout(f"{host} did not answer in time", method="GET", url=where)
    reason = errors.mask_credentials(str(exc))
    return errors.TransportError(f"{host}: {type(exc).__name__}: {reason}", method="GET", url=where)
