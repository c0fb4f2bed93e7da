"""Which sender of a service's pool sends a message, and why — Twilio's rules, each cited.

Pure: the pool, the recipient and each sender's load come in, a `Choice` (the sender and a
sentence saying why) goes out. The engine (emulator/messaging.py) keeps the sticky mappings
and the queues; this module only decides.

The order, from https://www.twilio.com/docs/messaging/services ("Sender selection"): "the
Messaging Service selects a `From` sender from the pool by sender type, in this priority
order: … Short code … Alphanumeric Sender ID … Long code and toll-free phone numbers: In
Canada, toll-free numbers are prioritized over long codes." "Within a sender type, the
Messaging Service distributes traffic evenly by selecting a sender that isn't in use. Country
Code Geomatch, Area Code Geomatch, and Sticky Sender can each further influence which specific
sender is selected." Sticky Sender is looked up first (the page's flowchart).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

SenderKind = Literal["short_code", "alpha", "toll_free", "long_code", "channel"]

# Calling codes of the countries the emulator routes to (longest prefix wins). A number
# outside them gets no country: only "any number in the pool" can send to it.
CALLING_CODES: dict[str, str] = {
    "44": "GB", "61": "AU", "49": "DE", "33": "FR", "55": "BR", "34": "ES", "39": "IT",
    "31": "NL", "32": "BE", "41": "CH", "43": "AT", "45": "DK", "46": "SE", "47": "NO",
    "48": "PL", "351": "PT", "353": "IE", "358": "FI", "52": "MX", "91": "IN", "81": "JP",
    "82": "KR", "65": "SG", "64": "NZ", "27": "ZA", "971": "AE", "972": "IL", "852": "HK",
}  # fmt: skip
# Canada's area codes inside +1 (NANPA's assignments, https://nationalnanpa.com/area_codes/);
# every other +1 area code is taken as the US (the emulator has no Caribbean members).
CANADA_NPAS = frozenset({
    "204", "226", "236", "249", "250", "257", "263", "289", "306", "343", "354", "365", "367",
    "368", "382", "403", "416", "418", "428", "431", "437", "438", "450", "468", "474", "506",
    "514", "519", "548", "579", "581", "584", "587", "604", "613", "639", "647", "672", "683",
    "705", "709", "742", "753", "778", "780", "782", "807", "819", "825", "867", "873", "879",
    "902", "905",
})  # fmt: skip
# Toll-free area codes (https://www.twilio.com/docs/glossary/what-is-toll-free-number lists
# 800, 833, 844, 855, 866, 877, 888).
TOLL_FREE_NPAS = frozenset({"800", "833", "844", "855", "866", "877", "888"})
# Alphanumeric sender IDs: "When you send SMS messages to a country without Alphanumeric
# Sender ID support, Twilio uses a phone number from your messaging service"
# (https://www.twilio.com/docs/glossary/what-alphanumeric-sender-id). The US and Canada take
# none ("Operator network capability: Not Supported", https://www.twilio.com/guidelines/us/sms
# and /ca/sms). The docs give no machine-readable list: the emulator ships this one (README).
ALPHA_COUNTRIES = frozenset({
    "GB", "DE", "FR", "AU", "ES", "IT", "NL", "BE", "CH", "AT", "DK", "SE", "NO", "PL", "PT",
    "IE", "FI", "NZ", "ZA", "AE", "IL", "HK", "SG",
})  # fmt: skip
US_CA = frozenset({"US", "CA"})


def npa_of(number: str) -> str | None:
    """The area code of a +1 number."""
    return number[2:5] if number.startswith("+1") and len(number) == 12 else None


def country_of(number: str) -> str | None:
    """The ISO country of an E.164 number (None when the emulator does not know it)."""
    npa = npa_of(number)
    if npa is not None:
        return "CA" if npa in CANADA_NPAS else "US"
    if number.startswith("+1"):
        return None
    digits = number[1:]
    for length in (3, 2):
        country = CALLING_CODES.get(digits[:length])
        if country:
            return country
    return None


@dataclass(frozen=True)
class Sender:
    """One member of a service's pool, as selection sees it."""

    key: str  # the queue's name: the number's SID, or "alpha:<text>"
    address: str  # what the message's `from` shows
    kind: SenderKind
    country: str | None  # None: an alpha sender for every country, or unknown
    mms: bool
    order: int  # the pool's stable order, the last tie-break


@dataclass(frozen=True)
class Choice:
    sender: Sender | None
    why: str
    # no sender: Twilio's code for it (21612 nothing can reach this recipient; 30006 a short
    # code cannot reach the carrier and no long code is there to reroute through)
    error: int | None = None
    status: str = "failed"


def short_code_reaches(to: str) -> bool:
    """Whether the recipient's carrier takes short codes. "In the US and Canada, some smaller
    mobile carriers may not support short code messages" (Twilio, Best Practices for Scaling
    with Messaging Services, https://www.twilio.com/docs/messaging/guides/best-practices-at-scale).
    The emulator's designated small carrier: +1 numbers whose line is 555-99XX (README)."""
    return not (npa_of(to) is not None and to[5:10] == "55599")


def eligible(sender: Sender, to: str, to_country: str | None) -> bool:
    """Whether a sender can still reach this recipient (a sticky mapping is dropped when not:
    "Twilio invalidates an existing mapping and re-runs sender selection … when the stored
    sender fails routing validation", https://www.twilio.com/docs/messaging/services#sticky-sender)."""
    if sender.kind == "short_code":
        # "For Short Codes, the `From` number must be in the same country as the `To` number."
        # (https://www.twilio.com/docs/api/errors/21606)
        return sender.country == to_country and short_code_reaches(to)
    if sender.kind == "alpha":
        return to_country in ALPHA_COUNTRIES and sender.country in (None, to_country)
    # channel senders only answer channel addresses (whatsapp:…)
    return sender.kind != "channel"


def choose(
    pool: Sequence[Sender],
    to: str,
    *,
    sticky: Sender | None,
    area_code_geomatch: bool,
    media: bool,
    load: Callable[[Sender], tuple[float, float]],
) -> Choice:
    """The sender for `to`. `load(sender)` is (seconds until it is free, when it was last
    used): the least busy sender of a group wins, then the least recently used, then the
    pool's order — Twilio's "a sender that isn't in use", made deterministic."""
    to_country = country_of(to)

    def least_busy(group: Sequence[Sender]) -> Sender:
        if media:  # a message with media goes from an MMS-capable sender where one exists
            group = [s for s in group if s.mms] or list(group)
        return min(group, key=lambda s: (*load(s), s.order))

    if to.startswith("whatsapp:"):
        # "WhatsApp senders are only chosen when `To` starts with `whatsapp:`"
        # (https://www.twilio.com/docs/messaging/services, Sender selection)
        channel = [s for s in pool if s.kind == "channel" and s.address.startswith("whatsapp:")]
        if channel:
            return Choice(least_busy(channel), "WhatsApp recipient: the pool's WhatsApp sender")
        return Choice(None, "WhatsApp recipient, and no WhatsApp sender in the pool", 21612)

    # Sticky Sender first: "All subsequent messages sent to that recipient from the Service
    # also use the same `From` number." (https://www.twilio.com/docs/messaging/services#sticky-sender)
    if sticky is not None:
        remapped = (
            # "When an SMS- or MMS-capable sender supporting a new country code is added …
            # Twilio automatically selects and remaps existing Sticky Sender mappings so that
            # the From number matches the same country as your recipient's phone number."
            sticky.kind in ("long_code", "toll_free")
            and sticky.country != to_country
            and any(s.kind in ("long_code", "toll_free") and s.country == to_country for s in pool)
        )
        if sticky in pool and eligible(sticky, to, to_country) and not remapped:
            return Choice(sticky, f"sticky sender: {sticky.address} sent to {to} before")

    notes: list[str] = []
    # 1. Short codes: "Twilio always prioritizes message delivery with your short code when
    # possible. If the short code cannot be used to reach your user, Twilio performs a Short
    # Code Reroute to send the message from a long code in your Messaging Service instead."
    # (https://www.twilio.com/docs/sms/services/api/short-codes)
    codes = [s for s in pool if s.kind == "short_code" and s.country == to_country]
    rerouted = False
    if codes:
        if short_code_reaches(to):
            pick = least_busy(codes)
            return Choice(pick, f"short code {pick.address}: preferred over alpha and long codes")
        rerouted = True
        notes.append("short code reroute: the recipient's carrier takes no short codes")

    # 2. Alphanumeric sender ID, where the country takes one (never the US or Canada).
    if to_country in ALPHA_COUNTRIES:
        alphas = [s for s in pool if s.kind == "alpha" and s.country == to_country]
        alphas = alphas or [s for s in pool if s.kind == "alpha" and s.country is None]
        if alphas:
            pick = least_busy(alphas)
            return Choice(pick, f"alpha sender {pick.address}: {to_country} takes alphanumeric IDs")

    # 3. Long codes and toll-free numbers, by Country Code Geomatch ("always active"), then
    # Area Code Geomatch (US/CA, when on), https://www.twilio.com/docs/messaging/services
    numbers = [s for s in pool if s.kind in ("long_code", "toll_free")]

    def done(group: Sequence[Sender], why: str) -> Choice:
        pick = least_busy(group)
        return Choice(pick, "; ".join([*notes, f"{pick.address}: {why}"]))

    local = [s for s in numbers if s.country == to_country and to_country is not None]
    if to_country == "CA":
        # "In Canada, toll-free numbers are prioritized over long codes."
        # (a toll-free number serves the US and Canada alike)
        free = [s for s in numbers if s.kind == "toll_free" and s.country in US_CA]
        if free:
            return done(free, "toll-free first for a Canadian recipient")
    npa = npa_of(to)
    if area_code_geomatch and npa is not None:
        # "Area Code Geomatch selects a local phone number with an area code that matches …
        # If no matching or overlay area code is available, the Messaging Service selects
        # another US or Canadian number." (#area-code-geomatch; no overlay table here)
        same_npa = [s for s in local if npa_of(s.address) == npa]
        if same_npa:
            return done(same_npa, f"area code geomatch: area code {npa} matches")
        north_america = [s for s in numbers if s.country in US_CA]
        if north_america:
            return done(north_america, f"area code geomatch on, no {npa} number: a US/CA number")
    if local:
        return done(local, f"country geomatch: a {to_country} number for a {to_country} recipient")
    # "If no matching number is available, Twilio first attempts to select a US number …
    # then falls back to any available number in the pool. The message fails if no numbers
    # are available." (#country-code-geomatch)
    us = [s for s in numbers if s.country == "US"]
    if us:
        return done(us, f"no {to_country or 'local'} number in the pool: a US number first")
    if numbers:
        return done(numbers, "no local or US number: any number in the pool")
    if rerouted:
        return Choice(
            None, notes[0] + ", and no long code to reroute through", 30006, "undelivered"
        )
    return Choice(None, f"no sender in the pool can reach {to}", 21612)
