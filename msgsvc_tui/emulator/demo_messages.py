"""Demo data for Messages: a service whose pool makes every selection rule visible, and a few
hundred past messages in every status, made by the emulator's own rules.

The playground is "Event Tickets" (every flag on): a US short code, long codes in area codes
415, 212 and 404, a toll-free number, Canadian, British, Australian and Brazilian numbers, an
alpha sender and a French country alpha sender. Which recipient shows which rule is in the
README's emulator section.

The messages are sent through the real engine (emulator/messaging.py) on a clock set in the
past — three days up to the moment of seeding — so their senders, segments, statuses, error
codes and sticky mappings are exactly what the rules give; nobody's webhook is called.
Deterministic content (fixed seed); the times follow the seeding moment, so "recent" means
recent.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from msgsvc_tui.core import senders
from msgsvc_tui.core.messages import VALIDITY_PARAM
from msgsvc_tui.emulator.db import EmulatorError, iso_at
from msgsvc_tui.emulator.messaging import Messaging
from msgsvc_tui.emulator.seed import Seeder
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.webhooks import Webhooks

MESSAGES_KEY = "seeded_demo_messages"
PLAYGROUND = "Event Tickets"
SPAN_SECONDS = 3 * 86400

# (value, kind, country, capabilities)
_POOL: tuple[tuple[str, senders.SenderKind, str, list[str]], ...] = (
    ("55010", senders.SHORT_CODES, "US", ["SMS", "MMS"]),
    ("+14155550140", senders.PHONE_NUMBERS, "US", ["SMS", "MMS", "Voice"]),
    ("+12125550141", senders.PHONE_NUMBERS, "US", ["SMS", "MMS"]),
    ("+18885550142", senders.PHONE_NUMBERS, "US", ["SMS"]),
    ("+16475550143", senders.PHONE_NUMBERS, "CA", ["SMS", "MMS"]),
    ("+447700900144", senders.PHONE_NUMBERS, "GB", ["SMS"]),
    ("+61491570145", senders.PHONE_NUMBERS, "AU", ["SMS"]),
    ("+5511987650146", senders.PHONE_NUMBERS, "BR", ["SMS"]),
)
_ALPHA = "TixNow"
_OTHERS = ("Support Desk (2-way)", "Acme Login Codes", "Delivery ETA", "NPS Survey Q2")
_COUNTRY_ALPHA = ("Billets", "FR")

# Recipients: each shows a rule (README); +1 500 555 30NN are the designated undelivered ones.
RECIPIENTS = (
    "+14155550123",  # US 415: the short code
    "+14155559901",  # US 415, 555-99XX: no short codes on this carrier -> area code 415
    "+12125559902",  # US 212, 555-99XX: -> area code 212
    "+17735559903",  # US 773, 555-99XX: no 773 number -> another US/CA number
    "+16475550188",  # Canada: toll-free first
    "+447700900777",  # UK: the alpha sender
    "+33612340000",  # France: the French alpha sender
    "+5511912340000",  # Brazil (no alpha IDs): the Brazilian number
    "+819012340000",  # Japan: no local number -> a US number first
    "+15005553003",  # undelivered 30003
    "+15005553005",  # undelivered 30005
    "+15005553007",  # undelivered 30007
    "+15005553000",  # sent, and no delivery receipt ever comes
)
_BODIES = (
    "Your tickets for Saturday are ready: show this code at gate B.",
    "\u201cDoors open at 7pm\u201d \u2014 see you there!",
    "Reminder: the show starts in 2 hours. Reply STOP to opt out.",
    "Your seats moved to row F \U0001f3ab enjoy the show!",
    "Thanks for your order #{n}. Total: \u20ac{n}.00",
    "Gates close at 8:30pm \u2014 don\u2019t be late\u2026",
)


def seed_playground(store: Store, account_sid: str, services: dict[str, str]) -> None:
    """The playground's pool: its numbers, short code and alpha senders."""
    service = services.get(PLAYGROUND)
    if service is None:
        return
    seed = Seeder(store, account_sid, 20250501)
    stamp = "2025-05-01T10:00:00Z"
    for value, kind, country, caps in _POOL:
        seed.number(kind, value, country, caps, when=stamp, service_sid=service)
    store.seed_alpha(account_sid, service, _ALPHA, seed.sid("AI"), stamp)
    store.add_destination_alpha(
        account_sid, service, *_COUNTRY_ALPHA, sid=seed.sid("AI"), when=stamp
    )


def seed_messages(store: Store, account_sid: str, services: dict[str, str]) -> int:
    """A few hundred messages through the playground (and a few other services), sent by the
    engine on a clock set in the past; returns how many."""
    service = services.get(PLAYGROUND)
    if service is None:
        return 0
    rng = random.Random(20250502)
    real_clock = store.clock
    end = real_clock()
    moment = [end - SPAN_SECONDS]
    store.clock = lambda: moment[0]
    engine = Messaging(store, Webhooks(""))
    made = 0
    # a quarter through other services: one with a long code, and some whose pool cannot
    # reach a recipient (21612); the first service's tab (the screenshots') stays empty
    others = [services[n] for n in _OTHERS if n in services] or [service]
    try:
        for i in range(300):
            moment[0] = end - SPAN_SECONDS + i * (SPAN_SECONDS - 3600) / 300
            engine.advance(notify=False)
            to = rng.choice(RECIPIENTS)
            body = rng.choice(_BODIES).format(n=1000 + i)
            target = service if i % 4 else rng.choice(others)
            form: dict[str, list[str]] = {
                "To": [to],
                "MessagingServiceSid": [target],
                "Body": [body],
            }
            if i % 17 == 0:
                form["MediaUrl"] = [f"https://tickets.example/qr/{i}.png"]
            if i % 3 == 0 and to in RECIPIENTS[:3]:
                engine.inbound(account_sid, to, "+14155550140", "See you there!", [], notify=False)
            try:
                engine.create(account_sid, form)
                made += 1
            except EmulatorError:
                continue  # a service with no sender for this recipient refuses it, as Twilio
        # a burst through one long code with a short validity: some expire (30036)
        moment[0] = end - 1800
        for _ in range(12):
            form = {
                "To": ["+14155559901"],
                "MessagingServiceSid": [service],
                "Body": ["Flash sale!"],
            }
            form[VALIDITY_PARAM] = ["4"]
            engine.create(account_sid, form)
            made += 1
        moment[0] = end
        engine.advance(notify=False)
        # still to come: scheduled (one canceled) and a few in flight when the demo starts
        later = datetime.fromtimestamp(end + 2 * 86400, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for k in range(3):
            scheduled = engine.create(
                account_sid,
                {
                    "To": [RECIPIENTS[k]],
                    "MessagingServiceSid": [service],
                    "Body": ["Your show is in two days!"],
                    "ScheduleType": ["fixed"],
                    "SendAt": [later],
                },
            )
            made += 1
            if k == 2:
                engine.update(account_sid, scheduled["sid"], {"Status": "canceled"})
        for k in range(6):
            engine.create(
                account_sid,
                {
                    "To": [f"+1773555{9910 + k}"],
                    "MessagingServiceSid": [service],
                    "Body": [f"Queued #{k}"],
                },
            )
            made += 1
    finally:
        store.clock = real_clock
    store.set_meta(MESSAGES_KEY, iso_at(end))
    return made


def seed_bulk_messages(store: Store, account_sid: str, count: int, service_sid: str) -> None:
    """`count` delivered messages of the last `count` seconds, one in ten through
    `service_sid` and the rest through no service (the scale benchmarks: a service's
    messages among many). Written directly, one transaction: no per-message rules."""
    rng = random.Random(count)
    now = store.clock()
    rows: list[dict[str, Any]] = []
    for i in range(count):
        at = now - count + i
        ours = i % 10 == 0
        rows.append(
            {
                "sid": f"SM{rng.getrandbits(128):032x}",
                "account_sid": account_sid,
                "service_sid": service_sid if ours else None,
                "direction": "outbound-api",
                "to_addr": f"+1415555{i % 10000:04d}",
                "from_addr": "55010" if ours else "+14155550140",
                "sender_key": None,
                "body": f"Bulk message {i}",
                "media": [],
                "num_media": 0,
                "num_segments": 1,
                "status": "delivered",
                "price": "-0.00790",
                "created": at,
                "updated": at + 3,
                "sent": at + 1,
                "validity": 36000,
                "why": None,
            }
        )
    store.insert_messages(rows)
