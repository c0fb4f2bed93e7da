"""Messages through a service (2010 API): create, fetch, a service's recent ones, following
one to a final status.

Functions over a `MessagingClient`, as in compliance.py: they share its transport, its
retries and its write reconciliation (a create is sent once, resent only after a 429, and a
lost answer is settled by asking the server), and importing this module does not import
httpx. Sending is a write that bills: callers go through ops/send.py, which journals first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.api.outcome import Verdict as _Verdict
from msgsvc_tui.core import fields
from msgsvc_tui.core import messages as core_messages
from msgsvc_tui.core.messages import Incoming, Outgoing, parse_when

if TYPE_CHECKING:  # the client (and httpx) is imported by whoever made one
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]
PAGE = 1000
# A service's list reads at most this many of the account's messages: the API cannot filter
# by service, so on a busy account the rest of the window is left unread (and said so).
SCAN_LIMIT = 10_000
KEEP_LIMIT = 500  # messages of the service kept for showing
# A lost create is looked for among the recipient's messages created since the request
# began, by the server's clock; this covers its one-second resolution.
_CLOCK_SLACK = 2.0


def _messages_url(client: MessagingClient) -> str:
    return client.account_url("Messages.json")


def _message_url(client: MessagingClient, sid: str) -> str:
    return client.account_url(f"Messages/{checked_sid(sid)}.json")


def checked_sid(sid: str) -> str:
    """An SM… or MM… SID (the spec's ``^(SM|MM)[0-9a-fA-F]{32}$``), refused before a URL."""
    if fields.sid_problem(sid, "SM") is None or fields.sid_problem(sid, "MM") is None:
        return sid
    raise fields.ValidationError(
        [
            fields.FieldError(
                "sid", "Sid", fields.INVALID_PARAMETER, fields.sid_problem(sid, "SM") or ""
            )
        ]
    )


async def create_message(client: MessagingClient, outgoing: Outgoing) -> Json:
    """Send one message through its service; the new Message resource (status `accepted`,
    or `scheduled`). Checked first: a refused field never reaches Twilio."""
    core_messages.check(outgoing)

    def ours(m: Json) -> bool:
        return m.get("messaging_service_sid") == outgoing.service_sid

    created = await client.write(
        "send message",
        outgoing.to,
        "POST",
        _messages_url(client),
        outgoing.form(),
        _settle_by_listing(client, outgoing.to, outgoing.body, ours),
    )
    assert created is not None
    return created


async def emulator_inbound(client: MessagingClient, incoming: Incoming) -> Json:
    """Have the emulator play a handset texting one of the account's numbers: the new inbound
    Message resource (status `received`); the emulator then calls the service's (or the
    number's) inbound webhook and sends a TwiML reply back through the service. Refused on a
    real account, where only a handset can do this."""
    if is_real_account(client):
        raise errors.MsgsvcError(
            "Only the emulator can make up an inbound message: on a real account a handset "
            "sends it."
        )
    found = core_messages.incoming_problems(incoming)
    if found:
        raise fields.ValidationError(found)

    def theirs(m: Json) -> bool:
        return m.get("direction") == "inbound" and m.get("from") == incoming.from_

    created = await client.write(
        "inbound message",
        incoming.to,
        "POST",
        f"{client.api_base}/emulator/v1/Inbound",
        incoming.form(),
        _settle_by_listing(client, incoming.to, incoming.body, theirs),
    )
    assert created is not None
    return created


def _settle_by_listing(
    client: MessagingClient, to: str, body: str, keep: Callable[[Json], bool]
) -> Callable[[float], Awaitable[_Verdict]]:
    """How a message write whose answer was lost is settled: the messages to `to` created
    since it was sent, with its body, that `keep` recognises — one is it, none means it was
    not created, more cannot be told apart."""

    async def settle(started: float) -> _Verdict:
        since = client.server_time_at(started) - _CLOCK_SLACK
        answer = await client.request_json(
            "GET", _messages_url(client), params={"To": to, "PageSize": 50}
        )
        found = [
            m
            for m in answer.get("messages") or []
            if isinstance(m, dict)
            and keep(m)
            and (m.get("body") or "") == body
            and _epoch(m.get("date_created")) >= since
        ]
        if len(found) == 1:
            return _Verdict(True, found[0], f"found {found[0].get('sid')}")
        if not found:
            return _Verdict(False, detail=f"no message to {to} was created")
        sids = [str(m.get("sid")) for m in found]
        return _Verdict(None, detail=f"{len(found)} candidates: {', '.join(sids)}", candidates=sids)

    return settle


async def fetch_message(client: MessagingClient, sid: str) -> Json:
    return await client.request_json("GET", _message_url(client, sid))


@dataclass
class ServiceMessages:
    """A service's messages in a window, newest first, and how much of the account was read
    to find them (`truncated` when the scan stopped before the window's end)."""

    messages: list[Json] = field(default_factory=list)
    scanned: int = 0
    pages: int = 0
    truncated: bool = False


async def list_service_messages(
    client: MessagingClient,
    service_sid: str,
    *,
    since: datetime,
    status: str | None = None,
    limit: int = KEEP_LIMIT,
    scan_limit: int = SCAN_LIMIT,
    page_size: int = PAGE,
) -> ServiceMessages:
    """The service's messages sent since `since`, newest first.

    Twilio's list has no service filter, so the account's messages are paged with a
    `DateSent>` bound (pipelined as the services list is) and those whose
    `messaging_service_sid` is this service are kept. Bounded twice: at most `limit` kept and
    at most `scan_limit` read. A message still waiting for a sender has no `date_sent` yet,
    so Twilio leaves it out of a `DateSent` window; fetch it by SID to follow it.
    """
    if fields.sid_problem(service_sid, "MG"):
        _bad_service(service_sid)
    since = since.astimezone(UTC)
    params = {"DateSent>": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "PageSize": page_size}
    out = ServiceMessages()
    pages_iter = client.pages(_messages_url(client), "messages", params, limit=scan_limit)
    async with contextlib.aclosing(pages_iter) as pages:
        async for page in pages:
            out.pages += 1
            for m in page.items:
                out.scanned += 1
                if not isinstance(m, dict) or m.get("messaging_service_sid") != service_sid:
                    continue
                sent = parse_when(m.get("date_sent"))
                if sent is not None and sent < since:
                    continue  # a server that bounds by day only: trim to the instant
                if status is not None and m.get("status") != status:
                    continue
                out.messages.append(m)
                if len(out.messages) >= limit:
                    out.truncated = True
                    return out
            if out.scanned >= scan_limit:
                out.truncated = bool(page.meta.get("next_page_uri"))
                return out
    return out


def _bad_service(sid: str) -> None:
    problem = fields.sid_problem(sid, "MG") or ""
    raise fields.ValidationError(
        [fields.FieldError("service", "MessagingServiceSid", fields.INVALID_PARAMETER, problem)]
    )


@dataclass(frozen=True)
class Polling:
    """How a message is followed: every `interval` seconds (growing by `growth` up to
    `max_interval`), for at most `timeout` seconds in all."""

    interval: float = 1.0
    growth: float = 1.5
    max_interval: float = 10.0
    timeout: float = 120.0

    def delays(self) -> list[float]:
        """The waits between fetches, which add up to at most `timeout`: always finite."""
        out: list[float] = []
        wait, total = self.interval, 0.0
        while total + wait <= self.timeout and len(out) < 10_000:
            out.append(wait)
            total += wait
            wait = min(self.max_interval, wait * self.growth)
        return out


async def follow(
    client: MessagingClient,
    message: Json,
    *,
    polling: Polling | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_change: Callable[[Json], None] | None = None,
) -> tuple[Json, bool]:
    """Fetch `message` again until its status is final or the polling runs out:
    (the last state seen, whether it is final). `on_change` sees each new status."""
    current = message
    if current.get("status") in core_messages.FINAL:
        return current, True
    sid = str(current.get("sid"))
    for wait in (polling or Polling()).delays():
        await sleep(wait)
        fresh = await fetch_message(client, sid)
        if fresh.get("status") != current.get("status") and on_change is not None:
            on_change(fresh)
        current = fresh
        if current.get("status") in core_messages.FINAL:
            return current, True
    return current, False


async def emulator_why(client: MessagingClient, sid: str) -> Json | None:
    """The emulator's own account of a message — why the service chose its sender, its
    encoding, its queue — from an emulator-only endpoint beside Twilio's resource (it adds
    nothing to Twilio's fields). None off the emulator (never asked of a real account) or
    when the server does not have the endpoint."""
    if is_real_account(client):
        return None
    url = f"{client.api_base}/emulator/v1/Messages/{checked_sid(sid)}"
    try:
        return await client.request_json("GET", url)
    except (errors.NotFoundError, errors.BadResponseError):
        return None


def since_ago(ago: timedelta, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - ago


def _epoch(stamp: object) -> float:
    when = parse_when(stamp)
    return float("-inf") if when is None else when.timestamp()


def is_real_account(client: MessagingClient) -> bool:
    """Whether a message sent through this client reaches a phone and a bill: anything but
    the emulator on loopback (or the embedded sandbox)."""
    from urllib.parse import urlsplit

    from msgsvc_tui.api.protocol import is_loopback_host

    return not is_loopback_host(urlsplit(client.api_base).hostname)
