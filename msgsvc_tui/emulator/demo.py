"""Demo data: an account that looks lived-in, the same on every machine.

Deterministic (fixed random seed and dates) so screenshots and onboarding docs stay true.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from msgsvc_tui.core import fields, senders
from msgsvc_tui.emulator import demo_doctor
from msgsvc_tui.emulator.demo_messages import MESSAGES_KEY, seed_messages, seed_playground
from msgsvc_tui.emulator.demo_resources import RESOURCES_KEY, seed_resources
from msgsvc_tui.emulator.seed import Seeder
from msgsvc_tui.emulator.store import Store

DEMO_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
DEMO_AUTH_TOKEN = "demo-token-for-the-local-emulator"
SEEDED_KEY = "seeded_demo"

_START = datetime(2025, 3, 3, 9, 15, tzinfo=UTC)

# (friendly name, usecase, webhook host or None, overrides of the defaults)
_SERVICES: tuple[tuple[str, str, str | None, dict[str, Any]], ...] = (
    ("Acme Order Updates", "notifications", "hooks.acme.example", {}),
    ("Acme Login Codes", "verification", None, {"sticky_sender": False, "validity_period": 300}),
    ("Acme Spring Promo", "marketing", "promo.acme.example", {"mms_converter": True}),
    ("Support Desk (2-way)", "discussion", "support.acme.example", {"area_code_geomatch": False}),
    ("Delivery ETA", "notifications", "eta.fleetline.example", {"validity_period": 1800}),
    ("Appointment Reminders", "notifications", "clinic.example", {"smart_encoding": False}),
    ("NPS Survey Q2", "poll", "survey.example", {"sticky_sender": False}),
    ("Password Reset", "verification", None, {"validity_period": 600}),
    ("Fraud Alerts", "notifications", "risk.bank.example", {"use_inbound_webhook_on_number": True}),
    ("Loyalty Club UK", "marketing", "loyalty.example.co.uk", {"area_code_geomatch": False}),
    ("Driver Dispatch", "discussion", "dispatch.fleetline.example", {}),
    ("Legacy Short Code", "undeclared", None, {"fallback_to_long_code": True}),
    ("Staging - Notifications", "notifications", "staging.acme.example", {"mms_converter": False}),
    ("Event Tickets", "notifications", "tickets.example", {}),
    ("Black Friday Blast", "marketing", "promo.acme.example", {"validity_period": 14400}),
    ("Patient Intake", "discussion", "intake.clinic.example", {"smart_encoding": False}),
    ("2FA - EU", "verification", None, {"area_code_geomatch": False, "validity_period": 240}),
    ("Restaurant Waitlist", "notifications", "waitlist.example", {"sticky_sender": True}),
    ("Product Feedback Poll", "poll", "feedback.example", {}),
    ("Shipping Exceptions", "notifications", "ship.fleetline.example", {"mms_converter": False}),
    ("Alumni Newsletter", "marketing", None, {"use_inbound_webhook_on_number": True}),
    ("Field Tech Chat", "discussion", "field.example", {}),
    ("Billing Reminders", "notifications", "billing.example", {"validity_period": 7200}),
    ("QA Sandbox", "undeclared", "qa.acme.example", {"scan_message_content": "disable"}),
    ("Voting Hotline", "poll", "vote.example", {"fallback_method": "GET"}),
)

# (number, country, capabilities)
_NUMBERS: tuple[tuple[str, str, list[str]], ...] = (
    ("+14155550101", "US", ["SMS", "MMS", "Voice"]),
    ("+14155550102", "US", ["SMS", "MMS", "Voice"]),
    ("+12125550143", "US", ["SMS", "MMS", "Voice"]),
    ("+13125550177", "US", ["SMS", "MMS"]),
    ("+16175550190", "US", ["SMS", "Voice"]),
    ("+15125550111", "US", ["SMS", "MMS", "Voice"]),
    ("+12065550123", "US", ["SMS", "MMS"]),
    ("+13055550155", "US", ["SMS", "MMS", "Voice"]),
    ("+17205550166", "US", ["SMS", "MMS", "Voice"]),
    ("+14045550188", "US", ["SMS", "Voice"]),
    ("+16475550120", "CA", ["SMS", "MMS", "Voice"]),
    ("+16045550131", "CA", ["SMS", "Voice"]),
    ("+447700900123", "GB", ["SMS", "Voice"]),
    ("+447700900456", "GB", ["SMS"]),
    ("+447700900789", "GB", ["SMS", "Voice"]),
    ("+61491570156", "AU", ["SMS", "Voice"]),
    ("+61491570157", "AU", ["SMS"]),
    ("+4915112345678", "DE", ["SMS", "Voice"]),
    ("+33612345678", "FR", ["SMS"]),
    ("+5511987654321", "BR", ["SMS", "Voice"]),
    ("+14155550103", "US", ["SMS", "MMS", "Voice"]),
    ("+14155550104", "US", ["SMS", "MMS", "Voice"]),
    ("+12125550144", "US", ["SMS", "MMS"]),
    ("+13125550178", "US", ["SMS", "MMS", "Voice"]),
    ("+16175550191", "US", ["Voice"]),
    ("+447700900321", "GB", ["SMS", "Voice"]),
)
_SHORT_CODES: tuple[tuple[str, str], ...] = (
    ("24365", "US"),
    ("89211", "US"),
    ("55001", "US"),
    ("60777", "GB"),
)
# How many services the demo holds (its own and the doctor's): tests count on it.
SERVICE_COUNT = len(_SERVICES) + demo_doctor.COUNT

_ALPHAS = {"Loyalty Club UK": "AcmeLoyal", "2FA - EU": "AcmeVerify", "Fraud Alerts": "AcmeBank"}


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def seed_demo(store: Store, account_sid: str = DEMO_ACCOUNT_SID) -> int:
    """Fill an empty account with the demo; returns how many services it made."""
    seed = Seeder(store, account_sid, 20250303)
    rng, sid = seed.rng, seed.sid
    rows = []
    service_sids: dict[str, str] = {}
    for i, (name, usecase, host, overrides) in enumerate(_SERVICES):
        body = fields.defaults()
        body.update(
            friendly_name=name,
            usecase=usecase,
            inbound_request_url=f"https://{host}/sms/inbound" if host else None,
            fallback_url=f"https://{host}/sms/fallback" if host and i % 3 == 0 else None,
            status_callback=f"https://{host}/sms/status" if host else None,
            # follows the service's campaign (seeded below in demo_resources)
            us_app_to_person_registered=False,
        )
        body.update(overrides)
        created = _START + timedelta(days=9 * i, hours=rng.randrange(9))
        updated = created + timedelta(days=rng.randrange(1, 200), minutes=rng.randrange(600))
        service_sids[name] = sid("MG")
        rows.append((service_sids[name], account_sid, _stamp(created), _stamp(updated), body))
    store.insert_services(rows)
    # the Messages playground's own numbers come first: the demo's free numbers stay last
    seed_playground(store, account_sid, service_sids)

    names = list(service_sids)
    for i, (number, country, caps) in enumerate(_NUMBERS):
        # the first 18 numbers are spread over services; the rest stay free for the picker
        holder = service_sids[names[(i * 7) % len(names)]] if i < 18 else None
        seed.number(
            senders.PHONE_NUMBERS,
            number,
            country,
            caps,
            friendly_name=_pretty(number),
            when=_stamp(_START - timedelta(days=30 - i)),
            service_sid=holder,
        )
    for i, (code, country) in enumerate(_SHORT_CODES):
        holder = service_sids["Legacy Short Code"] if i == 0 else None
        if i == 1:
            holder = service_sids["Black Friday Blast"]
        seed.number(
            senders.SHORT_CODES,
            code,
            country,
            ["SMS", "MMS"] if country == "US" else ["SMS"],
            when=_stamp(_START - timedelta(days=60 - i)),
            service_sid=holder,
        )
    for name, alpha in _ALPHAS.items():
        store.seed_alpha(account_sid, service_sids[name], alpha, sid("AI"), _stamp(_START))
    seed_resources(store, account_sid, service_sids)
    seed_messages(store, account_sid, service_sids)
    demo_doctor.seed_doctor(store, account_sid)
    store.set_meta(SEEDED_KEY, "1")
    return len(rows) + demo_doctor.COUNT


def seed_bulk(store: Store, count: int, account_sid: str = DEMO_ACCOUNT_SID) -> None:
    """Many plain services at once (the scale benchmarks): one transaction, no per-row work."""
    rng = random.Random(count)
    base = fields.defaults()
    usecases = fields.USECASE_NAMES
    batch: list[tuple[str, str, str, str, dict[str, Any]]] = []
    start = store.count_services(account_sid)
    for i in range(count):
        body = dict(base)
        body["friendly_name"] = f"Service {start + i + 1:06d}"
        body["usecase"] = usecases[i % len(usecases)]
        body["sticky_sender"] = bool(i & 1)
        body["us_app_to_person_registered"] = False
        stamp = _stamp(_START + timedelta(seconds=i))
        batch.append((f"MG{rng.getrandbits(128):032x}", account_sid, stamp, stamp, body))
        if len(batch) >= 20000:
            store.insert_services(batch)
            batch = []
    if batch:
        store.insert_services(batch)


def ensure_demo(store: Store, account_sid: str = DEMO_ACCOUNT_SID) -> bool:
    """Seed on first use only: a user's demo edits survive restarts."""
    if store.get_meta(SEEDED_KEY):
        if not store.get_meta(RESOURCES_KEY):  # a demo seeded before campaigns existed
            rows = store.list_services(account_sid, after=None, before=None, limit=1000)
            by_name = {r.data["friendly_name"]: r.data["sid"] for r in rows}
            seed_resources(store, account_sid, by_name)
        if not store.get_meta(MESSAGES_KEY):  # a demo seeded before messages existed
            rows = store.list_services(account_sid, after=None, before=None, limit=1000)
            seed_playground(
                store, account_sid, {r.data["friendly_name"]: r.data["sid"] for r in rows}
            )
            seed_messages(
                store, account_sid, {r.data["friendly_name"]: r.data["sid"] for r in rows}
            )
        if not store.get_meta(demo_doctor.DOCTOR_KEY):  # a demo seeded before the doctor
            demo_doctor.seed_doctor(store, account_sid)
        return False
    if store.count_services(account_sid):
        store.set_meta(SEEDED_KEY, "1")
        return False
    seed_demo(store, account_sid)
    return True


def reset_demo(store: Store, account_sid: str = DEMO_ACCOUNT_SID) -> int:
    """The sandbox as new: every table emptied, the demo seeded again (every edit is lost).
    Returns how many services it made."""
    store.reset()
    return seed_demo(store, account_sid)


def _pretty(number: str) -> str:
    if number.startswith("+1") and len(number) == 12:
        return f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    return number
