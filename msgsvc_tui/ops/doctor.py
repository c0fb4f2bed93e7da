"""The doctor's reading: everything core/health.py's rules look at, for one service or many.

Per service it reads the sender pool (numbers, short codes, alpha sender) and the A2P
campaign; once per run, the account's brands and toll-free verifications. Reads run on at
most `concurrency` connections at once (the configured bulk_concurrency), and a 429 on any of
them slows all of them together (the client's shared back-off), so a run over 1,000 services
takes about (requests x round trip / concurrency) and never hammers the account.

A service that cannot be read gets its error in its report, never stops the others; a
resource the account cannot read (no toll-free access, no Messages) is named in
`Report.unavailable` and its checks are skipped, not guessed. Recent failures come from one
bounded read of the account's messages per run, not one per service.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.core import health, senders, tollfree, twilio_errors

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]
ACCOUNT_CACHE = "doctor-account"  # where a UI session keeps the last Account it read
# "What actually happened": the account's messages sent in the last FAILURE_DAYS, at most
# FAILURE_SCAN of them read (newest first), grouped by service and error code.
FAILURE_DAYS = 7
FAILURE_SCAN = 5000
FAILED = frozenset({"failed", "undelivered"})


@dataclass
class Report:
    service: Json
    findings: list[health.Finding] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    error: BaseException | None = None

    @property
    def sid(self) -> str:
        return str(self.service.get("sid") or "")

    @property
    def health(self) -> str:
        """ "error", "warning", "ok", or "failed" (it could not be read)."""
        return "failed" if self.error is not None else health.worst(self.findings)


@dataclass
class Account:
    """What one run reads once for every service."""

    brands: dict[str, Json] | None = None  # BN SID → brand; None: could not be read
    verifications: dict[str, Any] | None = None  # PN SID → newest verification
    # MG SID → error code → failed/undelivered messages; None: messages could not be read
    failures: dict[str, Counter[int | None]] | None = None
    failures_window: str = ""
    unavailable: list[str] = field(default_factory=list)


async def read_account(client: MessagingClient) -> Account:
    from msgsvc_tui.api import compliance
    from msgsvc_tui.api import tollfree as tf_api

    account = Account()
    brands, verifications, failures = await asyncio.gather(
        compliance.list_brands(client),
        tf_api.list_verifications(client),
        read_failures(client),
        return_exceptions=True,
    )
    if isinstance(brands, errors.MsgsvcError):
        account.unavailable.append(f"A2P brands: {errors.describe(brands)}")
    elif isinstance(brands, BaseException):
        raise brands
    else:
        account.brands = {str(b.get("sid")): b for b in brands}
    if isinstance(verifications, errors.MsgsvcError):
        account.unavailable.append(f"toll-free verifications: {errors.describe(verifications)}")
    elif isinstance(verifications, BaseException):
        raise verifications
    else:
        account.verifications = dict(tollfree.latest_by_number(verifications))
    if isinstance(failures, errors.MsgsvcError):
        account.unavailable.append(f"recent messages: {errors.describe(failures)}")
    elif isinstance(failures, BaseException):
        raise failures
    else:
        account.failures, account.failures_window = failures
    return account


async def read_failures(
    client: MessagingClient, *, days: int = FAILURE_DAYS, scan: int = FAILURE_SCAN
) -> tuple[dict[str, Counter[int | None]], str]:
    """The account's failed and undelivered messages of the last `days`, by service and
    error code, and the window in words. One paged read of the account's messages (Twilio's
    list has no service filter), bounded by a `DateSent>` and by `scan` messages."""
    since = datetime.now(UTC) - timedelta(days=days)
    url = f"{client.api_base}/2010-04-01/Accounts/{client.account_sid}/Messages.json"
    params = {"DateSent>": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "PageSize": 1000}
    out: dict[str, Counter[int | None]] = {}
    read = 0
    more = False
    pages_iter = client.pages(url, "messages", params, limit=scan)
    async with contextlib.aclosing(pages_iter) as pages:
        async for page in pages:
            for m in page.items:
                read += 1
                service = m.get("messaging_service_sid") if isinstance(m, dict) else None
                if service and m.get("status") in FAILED:
                    code = twilio_errors.code_of(m.get("error_code"))
                    out.setdefault(str(service), Counter())[code] += 1
            if read >= scan:
                more = bool(page.meta.get("next_page_uri") or page.meta.get("next_page_url"))
                break
    window = f"the last {days} days"
    if more:
        window = f"the newest {read:,} messages of the last {days} days"
    return out, window


def failure_words(codes: Iterable[int | None]) -> dict[int, str]:
    """Each code's title and meaning, from the one table of Twilio's codes."""
    out: dict[int, str] = {}
    for code in codes:
        found = twilio_errors.explain(code)
        if code is not None and found is not None:
            out[code] = f"{found.title}: {found.meaning}"
    return out


async def read_facts(
    client: MessagingClient,
    service: Json,
    account: Account,
    destinations: Iterable[str] = (),
) -> health.Facts:
    """One service's facts: four reads, one after another (the run's concurrency is across
    services), and what `account` read once for all."""
    from msgsvc_tui.api import compliance

    sid = str(service["sid"])
    numbers = await client.list_senders(sid, senders.PHONE_NUMBERS)
    codes = await client.list_senders(sid, senders.SHORT_CODES)
    alphas = await client.list_senders(sid, senders.ALPHA_SENDERS)
    campaign = await compliance.campaign_of(client, sid)
    brand = None
    if campaign is not None and account.brands is not None:
        brand = account.brands.get(str(campaign.get("brand_registration_sid")))
    failures = None if account.failures is None else account.failures.get(sid, Counter())
    wanted = {d.upper() for d in destinations}
    if campaign is not None:
        wanted.add("US")  # a 10DLC campaign is for US traffic
    return health.Facts(
        service=service,
        phone_numbers=numbers,
        short_codes=codes,
        alpha_senders=alphas,
        campaign=campaign,
        brand=brand,
        verifications=account.verifications,
        destinations=frozenset(wanted),
        failures=failures,
        failure_words=failure_words(failures or ()),
        failures_window=account.failures_window,
    )


async def examine(
    client: MessagingClient,
    services: list[Json],
    *,
    concurrency: int = 8,
    destinations: Iterable[str] = (),
    account: Account | None = None,
    on_done: Callable[[Report], None] | None = None,
) -> list[Report]:
    """A report per service, in the order given. At most `concurrency` requests in flight:
    that many workers, each reading one service at a time."""
    if account is None:
        account = await read_account(client)
    wanted = tuple(destinations)
    reports: list[Report | None] = [None] * len(services)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(len(services)):
        queue.put_nowait(i)

    async def worker() -> None:
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            service = services[i]
            report = Report(service, unavailable=list(account.unavailable))
            try:
                facts = await read_facts(client, service, account, wanted)
            except errors.MsgsvcError as exc:
                report.error = exc
            else:
                report.findings = health.examine(facts)
            reports[i] = report
            if on_done is not None:
                on_done(report)

    await asyncio.gather(*(worker() for _ in range(max(1, min(concurrency, len(services))))))
    return [r for r in reports if r is not None]


async def examine_one(
    client: MessagingClient,
    service_sid: str,
    destinations: Iterable[str] = (),
    *,
    account: Account | None = None,
) -> Report:
    """One service, fetched afresh (the Health tab; after a fix)."""
    service = await client.fetch_service(service_sid)
    reports = await examine(
        client, [service], concurrency=1, destinations=destinations, account=account
    )
    return reports[0]
