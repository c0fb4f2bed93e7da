"""A small loopback server that attacks its client: answers that never end, gzip bombs, a
byte at a time, paging links that never advance. Each test starts one with the attack it
needs (`MaliciousServer(attack)`) and reads `requests` to see how far the client went.

Every attack that would run for ever stops as soon as the client hangs up (a write fails),
so a client that defends itself leaves no thread behind.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer
from urllib.parse import parse_qs, urlsplit

SID = "MG" + "a" * 32
ATTACKS = (
    "gzip-bomb",  # 200, gzip: 64 MiB of spaces in ~64 KB
    "deflate-bomb",  # the same, deflate
    "huge-declared",  # 200 with Content-Length: 100 MB (sends on until the client leaves)
    "endless",  # 200, no length, a body that never ends (64 KB at a time)
    "endless-chunked",  # the same, chunked
    "drip",  # 200, headers at once, then one body byte every 20 ms, for ever
    "drip-headers",  # the status line and headers themselves, a byte every 20 ms
    "same-page",  # a list page whose next_page_url is itself
    "page-back",  # page 0 → Page=1 → a link back to Page=0 (a new token each time)
    "empty-pages",  # pages without items whose links advance for ever
)


def service(n: int) -> dict[str, object]:
    return {"sid": "MG" + f"{n:032x}", "friendly_name": f"svc {n}"}


@functools.cache
def _bomb(encoding: str) -> bytes:
    raw = b" " * (64 * 1024 * 1024)
    return gzip.compress(raw, 9) if encoding == "gzip" else zlib.compress(raw, 9)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.requests.append(self.path)
        attack = self.server.attack
        with contextlib.suppress(OSError):  # the client hung up: the attack is over
            getattr(self, "_" + attack.replace("-", "_"))()

    # ---- size -------------------------------------------------------------------------------
    def _bomb(self, encoding: str) -> None:
        data = _bomb(encoding)
        self._head(200, {"Content-Encoding": encoding, "Content-Length": str(len(data))})
        self.wfile.write(data)

    def _gzip_bomb(self) -> None:
        self._bomb("gzip")

    def _deflate_bomb(self) -> None:
        self._bomb("deflate")

    def _huge_declared(self) -> None:
        self._head(200, {"Content-Length": str(100 * 1000 * 1000)})
        self._forever(b'{"services": [' + b" " * 65536)

    def _endless(self) -> None:
        self.close_connection = True
        self._head(200, {"Connection": "close"})
        self._forever(b'{"meta": {"next_page_url": null}, "sid": "' + b"A" * 65536)

    def _endless_chunked(self) -> None:
        self._head(200, {"Transfer-Encoding": "chunked"})
        chunk = b"A" * 65536
        self.wfile.write(b'2\r\n{"\r\n')
        while True:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    def _forever(self, first: bytes) -> None:
        self.wfile.write(first)
        filler = b" " * 65536
        while True:
            self.wfile.write(filler)

    # ---- time -------------------------------------------------------------------------------
    def _drip(self) -> None:
        self._head(200, {"Content-Length": "1000000"})
        self._drip_bytes(b'{"sid": "' + b"A" * 999990)

    def _drip_headers(self) -> None:
        self._drip_bytes(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 1000000)

    def _drip_bytes(self, data: bytes) -> None:
        for i in range(len(data)):
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            time.sleep(0.02)

    # ---- paging -----------------------------------------------------------------------------
    def _list(self, items: list[dict[str, object]], next_url: str | None) -> None:
        body = {
            "meta": {"key": "services", "page": self._page(), "next_page_url": next_url},
            "services": items,
        }
        data = json.dumps(body).encode()
        self._head(200, {"Content-Length": str(len(data)), "Content-Type": "application/json"})
        self.wfile.write(data)

    def _page(self) -> int:
        return int(parse_qs(urlsplit(self.path).query).get("Page", ["0"])[0])

    def _link(self, page: int) -> str:
        host, port = self.server.server_address[:2]
        token = len(self.server.requests)  # a new token every time: each link is new text
        return f"http://{host}:{port}/v1/Services?PageSize=2&Page={page}&PageToken=T{token}"

    def _same_page(self) -> None:
        if "/Services/" in self.path:
            return self._one()
        host, port = self.server.server_address[:2]
        self._list([service(1), service(2)], f"http://{host}:{port}{self.path}")

    def _page_back(self) -> None:
        page = self._page()
        self._list([service(page * 2 + 1), service(page * 2 + 2)], self._link(1 - page))

    def _empty_pages(self) -> None:
        self._list([], self._link(self._page() + 1))

    def _one(self) -> None:
        data = json.dumps(service(1)).encode()
        self._head(200, {"Content-Length": str(len(data))})
        self.wfile.write(data)

    def _head(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        headers.setdefault("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    attack: str
    requests: list[str]
    lock: threading.Lock

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up mid-attack is the point, not a failure to print."""


def _serving_thread(httpd: BaseServer) -> threading.Thread:
    """A daemon thread to run `httpd`, which looks for a shutdown every 20 ms: at
    socketserver's default (0.5 s), every test that ended a server waited up to half a
    second for it."""
    return threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)


@contextlib.contextmanager
def serving(httpd: BaseServer) -> Iterator[str]:
    """`httpd` answering on loopback for the block, its URL; shut down and closed after."""
    _serving_thread(httpd).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class MaliciousServer:
    """`with MaliciousServer("gzip-bomb") as evil:` … `evil.url`, `evil.requests`."""

    def __init__(self, attack: str) -> None:
        assert attack in ATTACKS, attack
        if attack.endswith("-bomb"):
            _bomb(attack.split("-")[0])  # made before the client starts waiting
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.attack = attack
        self.httpd.requests = []
        self.httpd.lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = _serving_thread(self.httpd)

    @property
    def requests(self) -> list[str]:
        with self.httpd.lock:
            return list(self.httpd.requests)

    def __enter__(self) -> MaliciousServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
