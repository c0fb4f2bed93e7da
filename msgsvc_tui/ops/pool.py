"""The sender pool's rules, away from widgets: who holds a number and what Twilio's refusals
mean in words (moving a sender is a write: ops/writes.py's move_sender).

Twilio's 2010 number lists do not say which Messaging Service holds a number, so `PoolIndex`
learns it from the services' own pools (a bounded number of concurrent requests).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.core import fields, senders

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]

ALREADY_HERE = senders.ALREADY_IN_SERVICE[0]
ALREADY_ELSEWHERE = senders.ALREADY_ELSEWHERE[0]
NOT_IN_SERVICE = senders.NOT_IN_SERVICE[0]
POOL_FULL = senders.POOL_FULL[0]
NO_MESSAGING_CAPABILITY = senders.NO_MESSAGING_CAPABILITY[0]
ALPHA_INVALID = senders.ALPHA_INVALID[0]


@dataclass
class Candidate:
    """A number or short code of the account, as the picker shows it."""

    sid: str
    kind: senders.SenderKind
    value: str
    country: str
    capabilities: list[str]
    holder: str | None = None  # service SID, when known

    @property
    def search_key(self) -> str:
        return f"{self.value} {self.sid} {self.country} {' '.join(self.capabilities)}".lower()


def candidates_from_account(
    numbers: Iterable[Json], short_codes: Iterable[Json]
) -> list[Candidate]:
    out = []
    for n in numbers:
        caps = n.get("capabilities") or {}
        out.append(
            Candidate(
                sid=n["sid"],
                kind=senders.PHONE_NUMBERS,
                value=n.get("phone_number", ""),
                country=country_of(n.get("phone_number", "")),
                capabilities=[k.upper() if k != "voice" else "Voice" for k, v in caps.items() if v],
            )
        )
    for sc in short_codes:
        out.append(
            Candidate(
                sid=sc["sid"],
                kind=senders.SHORT_CODES,
                value=sc.get("short_code", ""),
                country="",
                capabilities=["SMS"],
            )
        )
    return out


async def load_candidates(client: MessagingClient) -> list[Candidate]:
    """The account's numbers and short codes (2010 API), as the picker and `numbers list`
    show them."""
    numbers = await client.list_account_phone_numbers()
    codes = await client.list_account_short_codes()
    return candidates_from_account(numbers, codes)


async def with_holders(
    client: MessagingClient, candidates: list[Candidate], service_sids: list[str]
) -> PoolIndex:
    """Fill each candidate's `holder` from the services' pools; the index, for labels."""
    index = PoolIndex()
    await index.build(client, service_sids)
    for c in candidates:
        c.holder = index.holder(c.sid)
    return index


# Enough of the E.164 plan to label the demo's and most real numbers; unknown stays blank.
_COUNTRY_PREFIXES = (
    ("+1", "US/CA"),
    ("+44", "GB"),
    ("+61", "AU"),
    ("+49", "DE"),
    ("+33", "FR"),
    ("+55", "BR"),
    ("+34", "ES"),
    ("+39", "IT"),
    ("+31", "NL"),
    ("+46", "SE"),
    ("+52", "MX"),
    ("+81", "JP"),
    ("+91", "IN"),
)


def country_of(number: str) -> str:
    for prefix, country in _COUNTRY_PREFIXES:
        if number.startswith(prefix):
            return country
    return ""


@dataclass
class PoolIndex:
    """sender SID → service SID, learned from the services' pools."""

    holders: dict[str, str] = field(default_factory=dict)
    checked: set[str] = field(default_factory=set)  # service SIDs whose pools we read
    labels: dict[str, str] = field(default_factory=dict)  # sender SID → "+14155550101"

    def label(self, sender_sid: str) -> str:
        return self.labels.get(sender_sid, sender_sid)

    def learn(self, service_sid: str, members: Iterable[Json]) -> None:
        for sid, holder in list(self.holders.items()):
            if holder == service_sid:
                del self.holders[sid]
        for m in members:
            self.holders[m["sid"]] = service_sid
            value = m.get("phone_number") or m.get("short_code")
            if value:
                self.labels[m["sid"]] = value
        self.checked.add(service_sid)

    async def build(
        self,
        client: MessagingClient,
        service_sids: list[str],
        *,
        concurrency: int = 8,
        kinds: tuple[senders.SenderKind, ...] = (senders.PHONE_NUMBERS, senders.SHORT_CODES),
    ) -> None:
        """Learn who holds what from the services' own pools of `kinds` (an index is for one
        family of kinds: learning a service forgets what it held before)."""
        limit = asyncio.Semaphore(concurrency)

        async def one(service_sid: str) -> None:
            async with limit:
                members: list[Json] = []
                for kind in kinds:
                    members += await client.list_senders(service_sid, kind)
                self.learn(service_sid, members)

        todo = [s for s in service_sids if s not in self.checked]
        await asyncio.gather(*(one(s) for s in todo))

    def holder(self, sender_sid: str) -> str | None:
        return self.holders.get(sender_sid)


def explain(exc: errors.ApiError, sender: str, *, holder_name: str | None = None) -> str:
    """Twilio's refusal in words a user can act on, with the code and the link."""
    code = exc.code
    if code == ALREADY_ELSEWHERE:
        where = f"“{holder_name}”" if holder_name else "another Messaging Service"
        text = f"{sender} already belongs to {where}. A sender serves one service at a time."
    elif code == ALREADY_HERE:
        text = f"{sender} is already in this service."
    elif code == POOL_FULL:
        text = (
            "This service's sender pool is full (400 phone numbers and short codes by "
            "default). Remove one first, or ask Twilio support to raise the limit."
        )
    elif code == NOT_IN_SERVICE:
        text = f"{sender} is not in this service (someone may have removed it already)."
    elif code == NO_MESSAGING_CAPABILITY:
        text = (
            f"{sender} cannot send messages: it has neither SMS nor MMS capability (a "
            "voice-only number). Pick a number with SMS, or enable it on the number first."
        )
    elif code == ALPHA_INVALID:
        text = (
            f"{sender} is not accepted as an alpha sender ID here: at most 11 of A-Z a-z 0-9 "
            "space - + _ &, not only digits, and allowed for this account."
        )
    elif code == fields.USECASE_INVALID:
        text = f"Twilio refused the use case: {exc.message}"
    else:
        text = exc.message
    link = exc.more_info or ""
    return f"{text} (Twilio {code}{', ' + link if link else ''})"
