"""The emulator's calls out: status callbacks and inbound webhooks, signed as Twilio signs them.

"Twilio signs all HTTP requests to your app with an `X-Twilio-Signature` HTTP header. … The
signature uses the HMAC-SHA1 hashing algorithm with your Twilio account's auth token as the
secret key." (https://www.twilio.com/docs/usage/webhooks/webhooks-security). The string
signed is the exact URL followed by each POST parameter's name and value, names sorted
(the official SDK's `RequestValidator`, twilio-python `twilio/request_validator.py`).

Only loopback is called (127.0.0.1, ::1, localhost) unless a host is allowed
(`--allow-webhook HOST`); any other call is recorded as "would call …" with everything it
would have sent, so a demo's example.com hooks never leave the machine. Calls run on one
background thread, off the request path, in the order they were made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import queue
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

from msgsvc_tui.api.protocol import is_loopback_host

# "Twilio will try for 10 seconds to establish a TCP connection … wait for a total of 15
# seconds to receive an HTTP response" (https://www.twilio.com/docs/api/errors/11205)
TIMEOUT_SECONDS = 15.0
MAX_ANSWER_BYTES = 64 * 1024  # a TwiML answer is small; more is not read
LOG_LIMIT = 1000  # the most recent calls kept for `GET /emulator/v1/Webhooks`
IDLE_SECONDS = 2.0


def signature(auth_token: str, url: str, params: Mapping[str, str | list[str]]) -> str:
    """X-Twilio-Signature for a form POST to `url` (the SDK's RequestValidator computes it so)."""
    text = url
    for name in sorted(set(params)):
        values = params[name]
        for value in sorted(set(values if isinstance(values, list) else [values])):
            text += name + value
    digest = hmac.new(auth_token.encode(), text.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class Call:
    """One webhook call, made or only described."""

    url: str
    method: str
    params: dict[str, str]
    signature: str
    purpose: str  # "status callback", "inbound", "inbound fallback"
    message_sid: str
    at: float = 0.0
    status: int | None = None  # the answer's HTTP status; None: not called / no answer
    outcome: str = ""  # "called: 200", "would call https://… (not loopback)", "error: …"
    answer: str = ""  # the body (TwiML for inbound), bounded

    def as_json(self) -> dict[str, object]:
        return {
            "at": self.at,
            "purpose": self.purpose,
            "message_sid": self.message_sid,
            "method": self.method,
            "url": self.url,
            "params": self.params,
            "x_twilio_signature": self.signature,
            "status": self.status,
            "outcome": self.outcome,
        }


@dataclass
class Webhooks:
    """Signs, calls (or describes) and records; `submit` queues work for the one thread."""

    auth_token: str
    allow_hosts: frozenset[str] = frozenset()
    log: list[Call] = field(default_factory=list)
    _jobs: queue.Queue[Callable[[], None]] = field(default_factory=queue.Queue)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allowed(self, url: str) -> bool:
        host = urlsplit(url).hostname or ""
        return is_loopback_host(host) or host in self.allow_hosts

    def call(
        self,
        url: str,
        params: Mapping[str, str],
        *,
        purpose: str,
        message_sid: str,
        method: str = "POST",
    ) -> Call:
        """One call now, on this thread (the worker's): signed, bounded, recorded."""
        params = dict(params)
        target = url
        if method == "GET":
            target = url + ("&" if "?" in url else "?") + urlencode(params)
            sig = signature(self.auth_token, target, {})
        else:
            sig = signature(self.auth_token, url, params)
        record = Call(url, method, params, sig, purpose, message_sid, at=time.time())
        if not self.allowed(url):
            record.outcome = f"would call {method} {url} (not loopback; --allow-webhook HOST)"
        else:
            data = urlencode(params).encode() if method == "POST" else None
            request = urllib.request.Request(target, data=data, method=method)
            request.add_header("X-Twilio-Signature", sig)
            request.add_header("User-Agent", "TwilioProxy/1.1 (msgsvc-tui emulator)")
            if data is not None:
                request.add_header("Content-Type", "application/x-www-form-urlencoded")
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:
                    record.status = answer.status
                    record.answer = answer.read(MAX_ANSWER_BYTES).decode("utf-8", "replace")
                record.outcome = f"called: {record.status}"
            except urllib.error.HTTPError as exc:
                record.status = exc.code
                record.outcome = f"called: {exc.code}"
            except (OSError, ValueError) as exc:
                record.outcome = f"error: {exc}"
        with self._lock:
            self.log.append(record)
            del self.log[:-LOG_LIMIT]
        return record

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            self._jobs.put(job)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="emulator-webhooks", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        """Runs jobs in order; leaves after IDLE_SECONDS with nothing to do (an emulator
        that sends nothing keeps no thread)."""
        while True:
            try:
                job = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._thread = None
                        return
                continue
            try:
                job()
            except Exception as exc:  # a job's failure must not stop the others
                with self._lock:
                    self.log.append(
                        Call("", "", {}, "", "internal", "", time.time(), None, f"error: {exc}")
                    )
            finally:
                self._jobs.task_done()

    def drain(self) -> None:
        """Wait until every submitted call has been made, so that the log holds them all."""
        self._jobs.join()

    def calls(self, purposes: Iterable[str] | None = None) -> list[Call]:
        with self._lock:
            wanted = set(purposes) if purposes is not None else None
            return [c for c in self.log if wanted is None or c.purpose in wanted]
