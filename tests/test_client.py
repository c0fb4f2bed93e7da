"""The API client against the emulator over real loopback HTTP."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgsvc_tui.api import errors
from msgsvc_tui.api.client import USER_AGENT, MessagingClient, twilio_host
from msgsvc_tui.api.protocol import leading_meta as _leading_meta
from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import Fault, Response
from msgsvc_tui.emulator.faults import FaultKind, FaultyTransport


async def test_list_follows_every_page(client, server):
    pages = [p async for p in client.iter_service_pages(page_size=7)]
    n = demo.SERVICE_COUNT
    sizes = [7] * (n // 7) + ([n % 7] if n % 7 else [])
    assert [len(p.items) for p in pages] == sizes
    assert [p.number for p in pages] == list(range(len(sizes)))
    sids = [s["sid"] for p in pages for s in p.items]
    assert len(set(sids)) == demo.SERVICE_COUNT
    assert pages[0].meta["next_page_url"].startswith(server.url)
    assert pages[-1].meta["next_page_url"] is None
    assert client.requests_made == len(sizes)


async def test_list_limit_and_page_size_bounds(client):
    assert len(await client.list_services(page_size=10, limit=12)) == 12
    with pytest.raises(ValueError):
        client.iter_service_pages(page_size=1001)


async def test_crud_round_trip(client, emulator):
    created = await client.create_service(
        {"friendly_name": "Round trip", "sticky_sender": False, "validity_period": 120}
    )
    assert created["sid"].startswith("MG") and created["sticky_sender"] is False
    assert created["smart_encoding"] is True  # Twilio's default
    fetched = await client.fetch_service(created["sid"])
    assert fetched == created
    updated = await client.update_service(
        created["sid"], {"friendly_name": "Renamed", "status_callback": "https://x.example/s"}
    )
    assert updated["friendly_name"] == "Renamed"
    assert updated["validity_period"] == 120  # only the given fields changed
    assert updated["date_updated"] >= created["date_updated"]  # to the second, as Twilio
    cleared = await client.update_service(created["sid"], {"status_callback": ""})
    assert cleared["status_callback"] is None
    stored = emulator.store.get_service(demo.DEMO_ACCOUNT_SID, created["sid"])
    assert stored["friendly_name"] == "Renamed" and stored["status_callback"] is None
    await client.delete_service(created["sid"])
    with pytest.raises(errors.NotFoundError) as err:
        await client.fetch_service(created["sid"])
    assert err.value.code == 20404 and err.value.status == 404


async def test_update_sends_only_given_fields(server):
    seen: list[bytes] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.content)

    async with demo_client(server.url) as c:
        c._http.event_hooks["request"].append(hook)
        sid = (await c.list_services(limit=1))[0]["sid"]
        await c.update_service(sid, {"mms_converter": False, "fallback_url": None})
    assert seen[-1] == b"MmsConverter=false&FallbackUrl="


async def test_validation_happens_before_sending(client):
    with pytest.raises(fields.ValidationError) as err:
        await client.create_service({"friendly_name": "x" * 65})
    assert err.value.errors[0].code == 20002
    assert client.requests_made == 0


@pytest.mark.parametrize(
    ("form", "code", "field"),
    [
        ({"FriendlyName": "x" * 65}, 20002, "friendly_name"),
        ({"FriendlyName": "ok", "ValidityPeriod": "0"}, 90007, "validity_period"),
        ({"FriendlyName": "ok", "StatusCallback": "nope"}, 20001, "status_callback"),
        ({"FriendlyName": "ok", "InboundMethod": "PUT"}, 20001, "inbound_method"),
        ({}, 20001, "friendly_name"),  # missing: "Missing required parameter …"
    ],
)
async def test_server_400_names_the_parameter(client, server, form, code, field):
    with pytest.raises(errors.ApiError) as err:
        await client.request("POST", f"{server.url}/v1/Services", data=form)
    e = err.value
    assert (e.status, e.code, e.field) == (400, code, field)
    assert e.more_info == f"https://www.twilio.com/docs/errors/{code}"
    assert str(code) in str(e)


async def test_wrong_credentials_are_refused(server):
    async with demo_client(server.url, password="wrong") as c:
        with pytest.raises(errors.AuthError) as err:
            await c.list_services()
    assert err.value.code == 20003 and err.value.status == 401
    assert "wrong" not in str(err.value)


async def test_retries_429_and_503_honouring_retry_after(client, emulator):
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    client.sleep = sleep
    emulator.inject(
        Fault(
            429,
            b'{"code": 20429, "message": "Too Many Requests", "status": 429}',
            {"Retry-After": "2", "Content-Type": "application/json"},
        ),
        Fault(503, b"", {}),
    )
    services = await client.list_services()
    assert len(services) == demo.SERVICE_COUNT
    assert slept[0] == 2.0  # Retry-After honoured
    assert 0 < slept[-1] <= client.max_backoff
    assert client.requests_made == 3


async def test_retries_are_bounded(client, emulator):
    emulator.inject(*[Fault(503) for _ in range(client.max_retries + 1)])
    with pytest.raises(errors.BadResponseError) as err:
        await client.list_services()
    assert err.value.status == 503
    assert client.requests_made == client.max_retries + 1


async def test_429_is_retried_for_writes_too(client, emulator):
    emulator.inject(Fault(429, b'{"code": 20429, "message": "Too Many Requests"}'))
    created = await client.create_service({"friendly_name": "after 429"})
    assert created["friendly_name"] == "after 429"
    assert (
        emulator.store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT + 1
    )  # created once


async def test_429_exhausted_becomes_typed(client, emulator):
    body = b'{"code": 20429, "message": "Too Many Requests", "status": 429}'
    emulator.inject(*[Fault(429, body) for _ in range(client.max_retries + 1)])
    with pytest.raises(errors.RateLimitedError) as err:
        await client.fetch_service("MG" + "0" * 32)
    assert err.value.code == 20429


async def test_non_json_error_bodies(client, emulator):
    # a read is asked again after a 502 (a gateway's hiccup), so every try gets one here
    tries = client.max_retries + 1
    emulator.inject(
        *[Fault(502, b"<html><body>Bad Gateway</body></html>", {"Content-Type": "text/html"})]
        * tries
    )
    with pytest.raises(errors.BadResponseError) as err:
        await client.fetch_service("MG" + "0" * 32)
    assert err.value.status == 502 and "HTML page" in str(err.value)
    emulator.inject(*[Fault(502)] * tries)
    with pytest.raises(errors.BadResponseError, match="empty body"):
        await client.fetch_service("MG" + "0" * 32)
    # a garbled 200 is asked again like any failed read: every try gets one here
    emulator.inject(*[Fault(200, b"not json")] * tries)
    with pytest.raises(errors.BadResponseError, match="not JSON"):
        await client.fetch_service("MG" + "0" * 32)


def demo_client(url: str, **kw) -> MessagingClient:
    kw.setdefault("password", demo.DEMO_AUTH_TOKEN)
    return MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID, username=demo.DEMO_ACCOUNT_SID, base_url=url, **kw
    )


def _faulty(server) -> tuple[MessagingClient, FaultyTransport]:
    """A client whose requests pass a fault injector on their way to the real server.

    Faults are raised, not waited for: no test here depends on the clock."""
    transport = FaultyTransport(httpx.AsyncHTTPTransport())
    return demo_client(server.url, transport=transport, sleep=_no_sleep), transport


async def test_read_timeout_is_retried_for_get(server):
    c, faults = _faulty(server)
    faults.script(FaultKind.STALL_BEFORE)
    async with c:
        services = await c.list_services()
    assert len(services) == demo.SERVICE_COUNT and c.requests_made == 2


async def test_write_timeout_is_never_resent(server, emulator):
    c, faults = _faulty(server)
    faults.script(FaultKind.STALL_BEFORE)
    async with c:
        with pytest.raises(errors.NotAppliedError, match="did not happen"):
            await c.create_service({"friendly_name": "maybe"})
    posts = [e for e in faults.log if e.method == "POST"]
    assert len(posts) == 1  # asked about afterwards with a GET, never sent again
    assert emulator.store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT


async def test_connection_refused():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username="u",
        password="p",
        base_url=f"http://127.0.0.1:{port}",
        sleep=_no_sleep,
        max_retries=2,
    ) as c:
        with pytest.raises(errors.ConnectError, match="cannot connect"):
            await c.list_services()
        assert c.requests_made == 3  # GET retried
        with pytest.raises(errors.ConnectError):
            await c.create_service({"friendly_name": "x"})
        assert c.requests_made == 4  # POST never retried


async def test_tls_failure_is_typed(server):
    async with MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username="u",
        password="p",
        base_url=f"https://127.0.0.1:{server.port}",  # TLS to a plain-HTTP port
        sleep=_no_sleep,
    ) as c:
        with pytest.raises(errors.TlsError, match="TLS"):
            await c.list_services()
        assert c.requests_made == 1  # a TLS failure will not heal on retry


@pytest.mark.parametrize(
    "url", ["http://api.example.com", "http://10.0.0.5:8765", "ftp://127.0.0.1"]
)
def test_plain_http_refused_off_loopback(url):
    with pytest.raises(errors.InsecureUrlError):
        MessagingClient(account_sid="AC", username="u", password="p", base_url=url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1", "http://localhost", "http://[::1]:9"])
async def test_plain_http_allowed_on_loopback(url):
    """Loopback may be plain http (the emulator); the same URL keeps its scheme and host."""
    c = MessagingClient(account_sid="AC", username="u", password="p", base_url=url)
    try:
        assert c.messaging_base.startswith(url)
    finally:
        await c.aclose()


@pytest.mark.parametrize(
    ("region", "edge", "host"),
    [
        (None, None, "messaging.twilio.com"),
        ("ie1", None, "messaging.ie1.twilio.com"),
        ("ie1", "dublin", "messaging.dublin.ie1.twilio.com"),
        (None, "sydney", "messaging.sydney.us1.twilio.com"),
    ],
)
async def test_hostnames_as_the_sdks_build_them(region, edge, host):
    assert twilio_host("messaging", region, edge) == host
    c = MessagingClient(account_sid="AC", username="u", password="p", region=region, edge=edge)
    assert c.messaging_base == f"https://{host}"
    await c.aclose()


async def test_user_agent_and_basic_auth(server):
    seen: list[httpx.Request] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request)

    async with demo_client(server.url) as c:
        c._http.event_hooks["request"].append(hook)
        await c.list_usecases()
    assert seen[0].headers["User-Agent"] == USER_AGENT
    assert seen[0].headers["User-Agent"].startswith("msgsvc-tui/")
    assert seen[0].headers["Authorization"].startswith("Basic ")


async def test_secret_not_in_repr():
    c = MessagingClient(account_sid="AC1", username="u", password="hunter2")
    assert "hunter2" not in repr(c)
    await c.aclose()


async def test_usecases(client):
    names = [u["usecase"] for u in await client.list_usecases()]
    assert tuple(names) == fields.USECASE_NAMES


async def test_sender_pool_operations(client):
    service = (await client.list_services(limit=1))[0]
    sid = service["sid"]
    numbers = await client.list_account_phone_numbers(page_size=5)  # several 2010 pages
    assert len(numbers) == 33 + 14  # the demo's 26, the playground's 7, the doctor's 14
    short_codes = await client.list_account_short_codes()
    assert len(short_codes) == 5
    before = await client.list_senders(sid, senders.PHONE_NUMBERS)
    free = numbers[-1]  # the demo leaves the last numbers free
    added = await client.add_sender(sid, senders.PHONE_NUMBERS, free["sid"])
    assert added["service_sid"] == sid and added["phone_number"] == free["phone_number"]
    fetched = await client.fetch_sender(sid, senders.PHONE_NUMBERS, free["sid"])
    assert fetched["sid"] == free["sid"]
    after = await client.list_senders(sid, senders.PHONE_NUMBERS)
    assert len(after) == len(before) + 1
    await client.remove_sender(sid, senders.PHONE_NUMBERS, free["sid"])
    assert len(await client.list_senders(sid, senders.PHONE_NUMBERS)) == len(before)

    alpha = await client.add_sender(sid, senders.ALPHA_SENDERS, "Acme Co")
    assert alpha["alpha_sender"] == "Acme Co" and alpha["sid"].startswith("AI")
    with pytest.raises(errors.ApiError, match="already has the alpha sender"):
        await client.add_sender(sid, senders.ALPHA_SENDERS, "Second")
    await client.remove_sender(sid, senders.ALPHA_SENDERS, alpha["sid"])
    with pytest.raises(fields.ValidationError, match="at most 11"):
        await client.add_sender(sid, senders.ALPHA_SENDERS, "TwelveLetter")


async def test_malformed_sid_never_reaches_the_url(client):
    with pytest.raises(fields.ValidationError, match="not a MG"):
        await client.fetch_service("../../2010-04-01/Accounts")
    assert client.requests_made == 0


async def _no_sleep(_: float) -> None:
    return None


async def test_stopping_early_leaves_no_request_running(client):
    pages = client.iter_service_pages(page_size=5)
    await anext(pages)
    await pages.aclose()
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    assert not [t for t in others if t.get_name().startswith("msgsvc-page")]
    assert not client._fetches
    assert len(await client.list_services(page_size=5, limit=7)) == 7


async def test_error_on_a_prefetched_page_surfaces_in_order(client, emulator):
    original = emulator.handle
    gets = []

    def fail_second_get(scope, raw):
        gets.append(scope["query_string"])
        if len(gets) == 2:
            return Response(404, {"code": 20404, "message": "gone", "status": 404})
        return original(scope, raw)

    emulator.handle = fail_second_get
    pages = client.iter_service_pages(page_size=10)
    first = await anext(pages)
    assert len(first.items) == 10  # page 0 arrives intact
    with pytest.raises(errors.NotFoundError):
        await anext(pages)


# ---- pipelined paging -------------------------------------------------------------------------
class _HeldBodies(httpx.AsyncBaseTransport):
    """Real loopback HTTP, but each answer's body stops after its first bytes until released.

    That is a slow network in slow motion: it shows what the client asks for while a page is
    still arriving.
    """

    def __init__(self, *, split: bytes, fail_first_read: bool = False) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.split = split
        self.fail_first_read = fail_first_read
        self.urls: list[str] = []
        self.release = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        response = await self.inner.handle_async_request(request)
        body = b"".join([chunk async for chunk in response.stream])
        cut = body.find(self.split)
        fail, self.fail_first_read = self.fail_first_read, False
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_HeldStream(body, cut if cut > 0 else len(body), self.release, fail),
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class _HeldStream(httpx.AsyncByteStream):
    def __init__(self, body: bytes, cut: int, release: asyncio.Event, fail: bool) -> None:
        self.body, self.cut, self.release, self.fail = body, cut, release, fail

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.body[: self.cut]
        await self.release.wait()
        if self.fail:
            raise httpx.ReadError("connection reset mid-body")
        yield self.body[self.cut :]


def _held_client(server, transport: _HeldBodies) -> MessagingClient:
    return MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username=demo.DEMO_ACCOUNT_SID,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=server.url,
        transport=transport,
        sleep=_no_sleep,
        timeout=5.0,
    )


async def _until(condition, what: str) -> None:
    try:
        async with asyncio.timeout(5):
            while not condition():
                await asyncio.sleep(0.01)
    except TimeoutError:
        raise AssertionError(f"waited 5 s for {what}") from None


async def test_next_page_is_asked_for_while_this_one_still_arrives(server):
    transport = _HeldBodies(split=b'"services": [')
    async with _held_client(server, transport) as client:
        pages = client.iter_service_pages(page_size=10)
        first = asyncio.ensure_future(anext(pages))
        # page 0 has sent only its meta: page 1 is asked for already, page 0 not handed over
        await _until(lambda: len(transport.urls) == 2, "a request for page 1")
        assert "PageToken=" in transport.urls[1] and not first.done()
        transport.release.set()
        assert len((await first).items) == 10
        rest = [p async for p in pages]
        left = demo.SERVICE_COUNT - 10
        sizes = [10] * (left // 10) + ([left % 10] if left % 10 else [])
        assert [len(p.items) for p in rest] == sizes
        assert client.requests_made == 1 + len(sizes)  # nothing asked for past the last page


async def test_an_answer_without_a_leading_meta_is_paged_after_it_is_read(server):
    """The 2010 API (and any v1 answer with its meta last) still pages, one after another."""
    transport = _HeldBodies(split=b'"incoming_phone_numbers": [')
    async with _held_client(server, transport) as client:
        listing = asyncio.ensure_future(client.list_account_phone_numbers(page_size=10))
        await _until(lambda: len(transport.urls) == 1, "the first request")
        await asyncio.sleep(0.1)
        assert len(transport.urls) == 1 and not listing.done()
        transport.release.set()
        numbers = await listing
        assert len(numbers) == len({n["sid"] for n in numbers}) > 10
        assert len(transport.urls) == client.requests_made > 1


async def test_a_page_cut_off_mid_body_is_asked_for_again(server):
    transport = _HeldBodies(split=b'"services": [', fail_first_read=True)
    transport.release.set()
    async with _held_client(server, transport) as client:
        services = await client.list_services(page_size=10)
    assert len({s["sid"] for s in services}) == len(services) == demo.SERVICE_COUNT
    assert transport.urls.count(transport.urls[0]) == 2  # page 0 twice, the rest once


async def test_a_limit_asks_for_no_page_beyond_it(client):
    assert len(await client.list_services(page_size=5, limit=5)) == 5
    assert client.requests_made == 1
    assert len(await client.list_services(page_size=5, limit=6)) == 6
    assert client.requests_made == 3


async def test_closing_the_client_stops_pages_nobody_closed(client):
    pages = client.iter_service_pages(page_size=5)
    await anext(pages)  # page 1 is in flight now; the iterator is never closed
    await client.aclose()
    assert not client._fetches
    await pages.aclose()


_META_VALUES = st.dictionaries(
    st.sampled_from(["page", "page_size", "next_page_url", "url", "key", "previous_page_url"]),
    st.none() | st.integers() | st.text(),
)


@given(meta=_META_VALUES, items=st.lists(st.dictionaries(st.text(), st.text()), max_size=3))
def test_a_leading_meta_is_found_once_its_bytes_are_in(meta, items):
    body = json.dumps({"meta": meta, "services": items}, ensure_ascii=False).encode()
    end = len(b'{"meta": ' + json.dumps(meta, ensure_ascii=False).encode())
    for cut in range(len(body) + 1):
        found = _leading_meta(body[:cut])
        assert found == (meta if cut >= end else None)
    assert _leading_meta(json.dumps({"services": items, "meta": meta}).encode()) is None


async def test_requests_search_for_no_module(client, monkeypatch):
    """A request imports nothing: httpcore's ask for sniffio, which is not installed, is
    answered from sys.modules (msgsvc_tui.api marks it missing once) instead of searching
    every directory of sys.path again, a few times per request."""
    import importlib.machinery
    import sys

    searched: list[str] = []
    find_spec = importlib.machinery.PathFinder.find_spec

    def counted(name, path=None, target=None):  # type: ignore[no-untyped-def]
        searched.append(name)
        return find_spec(name, path, target)

    await client.list_services(page_size=5, limit=5)  # the first request's own imports
    monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", counted)
    for _ in range(3):
        await client.list_services(page_size=5, limit=10)
    assert searched == []
    assert "sniffio" in sys.modules


@pytest.mark.parametrize(
    ("base", "proxy", "loads"),
    [
        ("http://127.0.0.1:8765", None, False),  # the emulator: TLS can never be asked for
        ("https://messaging.twilio.com", None, True),
        ("http://127.0.0.1:8765", "http://proxy.example:3128", True),  # a proxy: httpx's way
    ],
)
async def test_a_client_that_never_opens_tls_loads_no_authorities(monkeypatch, base, proxy, loads):
    """httpx builds, for each client, a TLS context that loads every trusted authority (~25 ms
    of each command); a client whose bases are plain loopback HTTP skips it. Its context
    trusts nothing, so a TLS handshake, were one ever asked for, would fail."""
    import ssl

    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")  # going around: no proxy either
    if proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy)
    loaded: list[object] = []
    load = ssl.SSLContext.load_verify_locations

    def counted(self, *args, **kw):  # type: ignore[no-untyped-def]
        loaded.append(args or kw)
        return load(self, *args, **kw)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counted)
    client = MessagingClient(account_sid="AC" + "0" * 32, username="u", password="p", base_url=base)
    try:
        assert bool(loaded) is loads
    finally:
        await client.aclose()
