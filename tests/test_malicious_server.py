"""A malicious or broken server (tests/malicious_server.py, on loopback): every answer is
bounded in size (while it arrives and while it inflates), in time (one deadline per attempt,
whatever trickles in), and paging must advance. Both transports: the one-shot reader (CLI
get/list) and MessagingClient (httpx: the app, every other command). Each refusal is a typed
error, and the CLI turns it into a clear message and its exit code: 7 with well-formed
partial output for a list that had started, 1 otherwise."""

from __future__ import annotations

import json
import threading
from io import StringIO
from typing import Any

import pytest

from msgsvc_tui import cli
from msgsvc_tui.api import errors, oneshot, protocol
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core.exit_codes import ExitCode
from tests.malicious_server import SID, MaliciousServer

LIMIT = 1024 * 1024  # small bounds, so each attack is over in a moment
DEADLINE = 0.5  # for the attacks on time only: any other answer has all the time it needs
PATIENT = 60.0
ACCOUNT = "AC" + "0" * 32


async def _no_sleep(_: float) -> None:
    return None


def _reader(url: str, deadline: float = PATIENT) -> oneshot.Reader:
    return oneshot.Reader(
        username=ACCOUNT,
        password="token",
        base_url=url,
        sleep=lambda _: None,
        max_answer_bytes=LIMIT,
        deadline=deadline,
    )


def _client(url: str, deadline: float = PATIENT) -> MessagingClient:
    return MessagingClient(
        account_sid=ACCOUNT,
        username=ACCOUNT,
        password="token",
        base_url=url,
        sleep=_no_sleep,
        max_answer_bytes=LIMIT,
        deadline=deadline,
    )


def _oneshot_get(url: str, deadline: float) -> Any:
    with _reader(url, deadline) as r:
        return r.fetch_service(SID)


def _oneshot_list(url: str, got: list[Any]) -> None:
    with _reader(url) as r:
        for page in r.iter_service_pages(2):
            got.extend(page.items)


async def _httpx_get(url: str, deadline: float) -> Any:
    async with _client(url, deadline) as c:
        return await c.fetch_service(SID)


async def _httpx_list(url: str, got: list[Any]) -> None:
    async with _client(url) as c:
        async for page in c.iter_service_pages(2):
            got.extend(page.items)


def _alive(action: Any) -> BaseException | None:
    """Run `action` in a thread; a liveness check, not a timing one: an attack that is not
    defended against runs for ever (or until memory runs out), so the thread must end."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "the client is still reading what the server sends"
    return outcome[0]


def _get(transport: str, url: str, deadline: float = PATIENT) -> BaseException | None:
    if transport == "oneshot":
        return _alive(lambda: _oneshot_get(url, deadline))
    import asyncio

    return _alive(lambda: asyncio.run(_httpx_get(url, deadline)))


def _list(transport: str, url: str) -> tuple[BaseException | None, list[Any]]:
    got: list[Any] = []
    if transport == "oneshot":
        return _alive(lambda: _oneshot_list(url, got)), got
    import asyncio

    return _alive(lambda: asyncio.run(_httpx_list(url, got))), got


TRANSPORTS = ["oneshot", "httpx"]
SIZE_ATTACKS = ["gzip-bomb", "deflate-bomb", "huge-declared", "endless", "endless-chunked"]


# ---- size ------------------------------------------------------------------------------------
@pytest.mark.parametrize("attack", SIZE_ATTACKS)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_answer_past_the_size_limit_is_refused_while_it_arrives(transport, attack):
    with MaliciousServer(attack) as evil:
        error = _get(transport, evil.url)
        assert isinstance(error, errors.AnswerTooLargeError), repr(error)
        assert f"larger than {LIMIT:,} bytes" in str(error)
        assert len(evil.requests) == 1  # not retried: the same server would send the same


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_gzip_bomb_in_a_list_is_refused_before_it_inflates(transport):
    with MaliciousServer("gzip-bomb") as evil:
        error, got = _list(transport, evil.url)
        assert isinstance(error, errors.AnswerTooLargeError) and got == []


def test_the_size_check_counts_inflated_bytes_and_holds_no_more_than_the_limit():
    import gzip

    decoder = protocol.BodyDecoder("gzip", 1000, "https://example.test/x")
    data = gzip.compress(b"x" * 10_000_000)
    with pytest.raises(errors.AnswerTooLargeError):
        decoder.feed(data)
    assert decoder.size <= 1000
    exact = protocol.BodyDecoder("gzip", 1000, "https://example.test/x")
    exact.feed(gzip.compress(b"y" * 1000))
    assert exact.body() == b"y" * 1000  # at the limit is fine


# ---- time ------------------------------------------------------------------------------------
@pytest.mark.parametrize("attack", ["drip", "drip-headers"])
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_server_sending_a_byte_at_a_time_meets_the_deadline(transport, attack):
    with MaliciousServer(attack) as evil:
        error = _get(transport, evil.url, DEADLINE)
        assert isinstance(error, errors.RequestTimeout), repr(error)
        assert f"within {DEADLINE:g} s" in str(error)
        assert len(evil.requests) == 1


# ---- paging ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("attack", "items", "words"),
    [
        ("same-page", 2, "already read"),
        ("page-back", 4, "does not advance"),
        ("empty-pages", 0, "empty page"),
    ],
)
@pytest.mark.parametrize("transport", TRANSPORTS)
def test_paging_that_does_not_advance_is_refused_after_the_pages_before_it(
    transport, attack, items, words
):
    with MaliciousServer(attack) as evil:
        error, got = _list(transport, evil.url)
        assert isinstance(error, errors.PagingError), repr(error)
        assert words in str(error)
        assert len(got) == items
        assert len(evil.requests) <= 3  # was 42,441 requests in 20 s


# ---- the CLI: messages and exit codes --------------------------------------------------------
@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_ANSWER_BYTES", LIMIT)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")


def _cli(url: str, *argv: str, client: MessagingClient | None = None) -> tuple[int, str]:
    out = StringIO()
    args = cli.build_parser().parse_args(["--base-url", url, "services", *argv])
    result: list[int] = []
    error = _alive(lambda: result.append(cli_services.run(args, stdout=out, client=client)))
    assert error is None, repr(error)
    return result[0], out.getvalue()


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("attack", "argv", "code", "words"),
    [
        ("gzip-bomb", ["get", SID], ExitCode.API, "larger than"),
        ("drip", ["get", SID, "--json"], ExitCode.API, "did not finish answering"),
        ("endless", ["list", "--json"], ExitCode.API, "larger than"),
    ],
)
def test_the_cli_says_what_the_server_did_and_exits_1(
    small_bounds, monkeypatch, capsys, transport, attack, argv, code, words
):
    if attack == "drip":
        monkeypatch.setattr(protocol, "REQUEST_DEADLINE", DEADLINE)
    with MaliciousServer(attack) as evil:
        client = _client(evil.url, protocol.REQUEST_DEADLINE) if transport == "httpx" else None
        got, out = _cli(evil.url, *argv, client=client)
    err = capsys.readouterr().err
    assert got == code and out == "" and words in err
    assert "Traceback" not in err and len(err.splitlines()) == 1


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("form", ["--json", "--tsv", ""])
def test_a_list_that_loops_exits_7_with_well_formed_partial_output(
    small_bounds, capsys, transport, form
):
    with MaliciousServer("page-back") as evil:
        client = _client(evil.url) if transport == "httpx" else None
        argv = ["list", "--page-size", "2", *([form] if form else [])]
        code, out = _cli(evil.url, *argv, client=client)
    err = capsys.readouterr().err
    assert code == ExitCode.PARTIAL
    assert "partial: 4 services before the error" in err and "does not advance" in err
    if form == "--json":
        assert [s["sid"] for s in json.loads(out)] == [f"MG{n:032x}" for n in range(1, 5)]
    else:
        assert len(out.splitlines()) == 1 + 4  # the header and 4 whole rows
