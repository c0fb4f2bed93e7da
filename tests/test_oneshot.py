"""api/oneshot.py: CLI reads on the standard library, against the emulator over
real loopback HTTP. It must behave as MessagingClient does: same data, same output byte for
byte, same retries, same typed errors, and it must step aside for a proxy."""

from __future__ import annotations

import gzip
import json
import shlex
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest

from msgsvc_tui import cli
from msgsvc_tui.api import errors, oneshot
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.wire import Fault
from tests.malicious_server import serving


@pytest.fixture
def creds(monkeypatch, server):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", demo.DEMO_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", demo.DEMO_AUTH_TOKEN)
    return server


def reader(server, **kw) -> oneshot.Reader:
    sleeps: list[float] = []
    r = oneshot.Reader(
        username=demo.DEMO_ACCOUNT_SID,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=server.url,
        sleep=sleeps.append,
        **kw,
    )
    r.sleeps = sleeps  # type: ignore[attr-defined]
    return r


def async_client(server) -> MessagingClient:
    return MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username=demo.DEMO_ACCOUNT_SID,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=server.url,
    )


def run_cli(argv: list[str], client: MessagingClient | None = None) -> tuple[int, str]:
    out = StringIO()
    args = cli.build_parser().parse_args(argv)
    return cli_services.run(args, stdout=out, client=client), out.getvalue()


async def test_reads_give_what_the_async_client_gives(server):
    async with async_client(server) as client:
        expected = await client.list_services(page_size=7)
        one = await client.fetch_service(expected[3]["sid"])
    with reader(server) as r:
        pages = list(r.iter_service_pages(7))
        assert [s for p in pages for s in p.items] == expected
        assert [p.number for p in pages] == list(range(len(pages))) and len(pages) > 2
        assert r.fetch_service(expected[3]["sid"]) == one
        assert r.requests_made == len(pages) + 1


@pytest.mark.parametrize(
    "argv",
    [
        ["services", "list", "--json"],
        ["services", "list", "--tsv", "--page-size", "4"],
        ["services", "list", "--filter", "ALERT", "--page-size", "3"],
        ["services", "list", "--json", "--limit", "5", "--page-size", "2"],
        ["services", "get", "__SID__"],
        ["services", "get", "__SID__", "--json"],
    ],
)
def test_the_cli_writes_the_same_bytes_either_way(creds, argv):
    server = creds
    sid = server.app.store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=1)[
        0
    ].data["sid"]
    argv = ["--base-url", server.url, *(sid if a == "__SID__" else a for a in argv)]
    via_httpx = run_cli(argv, client=async_client(server))
    one_shot = run_cli(argv)
    assert one_shot == via_httpx and one_shot[0] == ExitCode.OK and one_shot[1]
    if "--json" in argv:
        json.loads(one_shot[1])  # well formed


def test_a_limit_asks_for_no_page_beyond_it(server):
    with reader(server) as r:
        pages = r.iter_service_pages(2, limit=5)
        got = [s for p in pages for s in p.items]
        pages.close()
        assert len(got) == 6 and r.requests_made == 3


def test_reads_are_resent_after_429_and_5xx_as_told(server):
    server.app.inject(
        Fault(429, b'{"code": 20429, "message": "Too Many Requests"}', {"Retry-After": "3"}),
        Fault(503, b"", {}),
    )
    with reader(server) as r:
        sid = next(r.iter_service_pages(1)).items[0]["sid"]
        assert r.sleeps[0] == 3.0 and len(r.sleeps) == 2  # type: ignore[attr-defined]
        assert r.fetch_service(sid)["sid"] == sid


def test_failures_are_the_clients_typed_errors(server):
    with reader(server, max_retries=1) as r:
        with pytest.raises(errors.NotFoundError):
            r.fetch_service("MG" + "0" * 32)
        server.app.inject(Fault(502, b"<html>bad gateway</html>"), Fault(502, b"<html>x</html>"))
        with pytest.raises(errors.BadResponseError, match="an HTML page"):
            r.fetch_service("MG" + "0" * 32)
        with pytest.raises(ValueError):
            r.fetch_service("not-a-sid")
    bad = oneshot.Reader(username=demo.DEMO_ACCOUNT_SID, password="wrong", base_url=server.url)
    with bad, pytest.raises(errors.AuthError):
        bad.fetch_service("MG" + "0" * 32)
    with pytest.raises(errors.InsecureUrlError):
        oneshot.Reader(username="u", password="p", base_url="http://example.com")


def test_no_server_is_a_connect_error_after_the_retries():
    closed = oneshot.Reader(
        username="u", password="p", base_url="http://127.0.0.1:9", sleep=lambda _: None
    )
    with closed, pytest.raises(errors.ConnectError, match=r"cannot connect to 127\.0\.0\.1:9"):
        closed.fetch_service("MG" + "0" * 32)
    assert closed.requests_made == 0  # nothing was sent


def test_a_stalled_answer_is_a_timeout_not_a_hang(server):
    server.app.inject(Fault(200, b"{}", delay=2.0))
    with reader(server, max_retries=0, read_timeout=0.2) as r, pytest.raises(errors.RequestTimeout):
        r.fetch_service("MG" + "0" * 32)


def test_a_proxy_in_the_environment_sends_the_cli_through_httpx(creds, monkeypatch):
    server = creds
    assert oneshot.usable({"PATH": "/bin"})
    assert not oneshot.usable({"HTTPS_PROXY": "http://proxy:3128"})
    assert not oneshot.usable({"all_proxy": "socks5://proxy"})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # httpx then goes direct

    def refuse(*_, **__):
        raise AssertionError("the one-shot reader ignores proxies: it must not be used")

    monkeypatch.setattr(oneshot.Reader, "__init__", refuse)
    code, out = run_cli(["--base-url", server.url, "services", "list", "--json"])
    assert code == ExitCode.OK and len(json.loads(out)) == demo.SERVICE_COUNT


class _Gzipped(BaseHTTPRequestHandler):
    """Twilio compresses when asked; the emulator does not. This server always does."""

    def do_GET(self) -> None:
        body = {
            "meta": {"key": "services", "next_page_url": None},
            "services": [{"sid": "MG" + "a" * 32, "friendly_name": "Zipped ✓"}],
        }
        data = gzip.compress(json.dumps(body).encode())
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: object) -> None:
        pass


def test_a_compressed_answer_is_read():
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _Gzipped)) as url:
        with oneshot.Reader(username="u", password="p", base_url=url) as r:
            (page,) = list(r.iter_service_pages(50))
        assert page.items == [{"sid": "MG" + "a" * 32, "friendly_name": "Zipped ✓"}]


def test_get_and_list_import_neither_httpx_nor_asyncio(server):
    """A whole `services get` was slower than the SDK's, ~110 ms of it importing
    httpx and asyncio. (Packages only: api/__init__ puts None in `httpx._main`'s place.)"""
    sid = server.app.store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=1)[
        0
    ].data["sid"]
    heavy = "{'httpx', 'asyncio', 'anyio', 'textual', 'rich', 'uvicorn'}"
    for action in (["get", sid, "--json"], ["list", "--json"]):
        argv = ["--base-url", server.url, "services", *action]
        code = (
            f"import sys; from msgsvc_tui import cli; rc = cli.main({argv!r}); "
            f"print(rc, sorted(set(sys.modules) & {heavy}), "
            "file=sys.stderr)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                "PATH": "/usr/bin:/bin",
                "TWILIO_ACCOUNT_SID": demo.DEMO_ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": demo.DEMO_AUTH_TOKEN,
                "MSGSVC_TUI_CONFIG": "/nonexistent/config.toml",
            },
        )
        assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr[-2000:]


class _ClosesWhenIdle(BaseHTTPRequestHandler):
    """Answers keep-alive, then closes the connection: what a server does to a connection
    left idle past its keep-alive timeout."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        data = json.dumps({"sid": "MG" + "b" * 32, "friendly_name": "Fresh"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def log_message(self, *_: object) -> None:
        pass


def test_a_connection_the_server_closed_while_idle_is_replaced_without_a_retry():
    sleeps: list[float] = []
    with serving(ThreadingHTTPServer(("127.0.0.1", 0), _ClosesWhenIdle)) as url:
        with oneshot.Reader(username="u", password="p", base_url=url, sleep=sleeps.append) as r:
            first = r.fetch_service("MG" + "b" * 32)
            second = r.fetch_service("MG" + "b" * 32)  # its kept connection is dead by now
        assert first == second == {"sid": "MG" + "b" * 32, "friendly_name": "Fresh"}
        assert sleeps == []  # no back-off: nothing failed but a stale connection


def test_a_one_shot_read_leaves_without_finalization_yet_says_everything(server):
    """`services get`/`list` end with os._exit (the interpreter's finalization is ~12 ms of a
    ~70 ms `get`, which `make bench` row 7 needs). What that skips must not be missed: the
    output is whole through a pipe, the exit code is the command's, and a reader that closes
    the pipe early gets no traceback."""
    env = {
        "PATH": "/usr/bin:/bin",
        "TWILIO_ACCOUNT_SID": demo.DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": demo.DEMO_AUTH_TOKEN,
        "MSGSVC_TUI_CONFIG": "/nonexistent/config.toml",
    }
    base = [sys.executable, "-m", "msgsvc_tui", "--base-url", server.url, "services"]
    listed = subprocess.run([*base, "list", "--json"], capture_output=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert (
        len(json.loads(listed.stdout)) == demo.SERVICE_COUNT
    )  # whole, though the process skipped finalizing

    missing = subprocess.run(
        [*base, "get", "MG" + "0" * 32], capture_output=True, text=True, env=env, timeout=60
    )
    assert missing.returncode == ExitCode.NOT_FOUND, missing.stderr
    assert "not found" in missing.stderr.lower()

    closed_early = subprocess.run(
        f"{shlex.join(base)} list --tsv | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert len(closed_early.stdout) == 10 and "Traceback" not in closed_early.stderr
