"""Demo data for the doctor (`services doctor`, the Health tab): services that trip each of
its checks, and one ("Order Alerts") that trips none, plus the account's toll-free
verifications in every status. Three checks are left to the tests that plant them: a number
that cannot message and a validity period out of range (states Twilio's API refuses to create,
21715 and 21624, so config as code could not copy the demo), and a pool near its 400 limit
(360 numbers would swamp the demo's pickers).

Kept apart from demo.py's lived-in account so the story reads on its own: each service below
says which checks it trips. Deterministic (fixed seed and dates), like the rest of the demo,
but for the few failed messages, stamped two hours before seeding so that they are recent.
Webhooks of the services meant to be fine point at Twilio Functions hosts (`*.twil.io`), where
a real deployment would put them; nothing in the emulator calls them.
"""

from __future__ import annotations

import json
from typing import Any

from msgsvc_tui.core import fields, senders, tollfree
from msgsvc_tui.emulator.demo_resources import campaign_values
from msgsvc_tui.emulator.seed import Seeder
from msgsvc_tui.emulator.store import Store

DOCTOR_KEY = "seeded_demo_doctor"
HEALTHY = "Order Alerts"
_WHEN = "2025-05-02T09:00:00Z"
_SAMPLE_TF = "Acme: your order #4521 has shipped. Reply STOP to opt out."


def _hooks(name: str) -> dict[str, Any]:
    host = f"https://acme-{name}.twil.io"
    return {
        "inbound_request_url": f"{host}/sms/inbound",
        "fallback_url": f"https://acme-{name}-fallback.twil.io/sms/fallback",
        "status_callback": f"{host}/sms/status",
    }


# (name, use case, settings beyond the defaults): what each trips, in its comment
SERVICES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    # none: a verified campaign over two area codes, an approved toll-free number
    (HEALTHY, "notifications", _hooks("orders")),
    # TF-UNVERIFIED, TF-PENDING (pending review and in review), TF-REJECTED
    ("Toll-Free Onboarding", "notifications", _hooks("tf")),
    # POOL-EMPTY
    ("New Service (empty)", "notifications", _hooks("new")),
    # FEAT-STICKY-OFF, INT-HTTP-PLAIN, INT-PRIVATE-HOST, INT-FALLBACK-SAME,
    # INT-NO-STATUS-CALLBACK
    (
        "Chat Relay",
        "discussion",
        {
            "sticky_sender": False,
            "inbound_request_url": "http://10.1.2.3:8080/sms",
            "fallback_url": "http://10.1.2.3:8080/sms",
            "status_callback": None,
        },
    ),
    # POOL-NO-ROUTE (US: it has a campaign, and no US/CA number), FEAT-SMART-ENCODING-OFF,
    # FEAT-VALIDITY-QUEUE
    (
        "UK Offers",
        "marketing",
        {**_hooks("offers"), "smart_encoding": False, "validity_period": 30},
    ),
    # POOL-ALPHA-ONLY (US/Canada unreachable)
    ("Verify Codes (alpha)", "verification", _hooks("verify")),
    # A2P-CAMPAIGN-FAILED, A2P-BRAND-NOT-APPROVED, A2P-USECASE-MISMATCH
    ("Local Reminders", "verification", _hooks("reminders")),
    # A2P-NO-CAMPAIGN, MSG-FAILURES (its messages to US phones came back 30034)
    ("Local Promo", "marketing", _hooks("promo")),
    # A2P-CAMPAIGN-PENDING
    ("Campaign In Review", "notifications", _hooks("review")),
    # FEAT-FALLBACK-NO-LONG-CODE, INT-WEBHOOK-NO-URL
    (
        "Short Code Poll",
        "poll",
        {
            **_hooks("poll"),
            "inbound_request_url": None,
            "fallback_to_long_code": True,
        },
    ),
)
COUNT = len(SERVICES)


def seed_doctor(store: Store, account_sid: str) -> None:
    """Add the doctor's services, numbers, campaigns and toll-free verifications."""
    seed = Seeder(store, account_sid, 20250502)
    sid = seed.sid

    by_name: dict[str, str] = {}
    rows = []
    for name, usecase, settings in SERVICES:
        body = fields.defaults()
        body.update(friendly_name=name, usecase=usecase, us_app_to_person_registered=False)
        body.update(settings)
        by_name[name] = sid("MG")
        rows.append((by_name[name], account_sid, _WHEN, _WHEN, body))
    store.insert_services(rows)

    def number(service: str | None, value: str, country: str, caps: list[str]) -> str:
        holder = by_name[service] if service else None
        return seed.number(
            senders.PHONE_NUMBERS, value, country, caps, when=_WHEN, service_sid=holder
        )

    sms = ["SMS", "MMS", "Voice"]
    approved_tf = number(HEALTHY, "+18885550100", "US", sms)
    number(HEALTHY, "+14155550160", "US", sms)
    number(HEALTHY, "+12125550160", "US", sms)
    onboarding = [
        number("Toll-Free Onboarding", f"+1{npa}5550{i}", "US", ["SMS", "MMS"])
        for i, npa in enumerate(("833", "844", "855", "866"), start=101)
    ]
    number("Chat Relay", "+447700900555", "GB", ["SMS"])
    number("UK Offers", "+447700900556", "GB", ["SMS"])
    store.seed_alpha(account_sid, by_name["Verify Codes (alpha)"], "AcmeCode", sid("AI"), _WHEN)
    number("Local Reminders", "+13125550160", "US", sms)
    promo = number("Local Promo", "+15125550160", "US", sms)
    number("Local Promo", "+15125550161", "US", sms)
    number("Campaign In Review", "+17205550160", "US", sms)
    with store.tx() as db:  # the demo's free US short code, rather than one more code
        db.execute(
            "UPDATE numbers SET service_sid = ?, date_added = ? WHERE account_sid = ?"
            " AND kind = ? AND value = '55001' AND service_sid IS NULL",
            (by_name["Short Code Poll"], _WHEN, account_sid, senders.SHORT_CODES.key),
        )
    # free, last: the pickers (and the demo's story) keep a British number at the end
    number(None, "+447700900999", "GB", ["SMS"])

    rows_b = store.db.execute("SELECT sid, body FROM brands WHERE account_sid = ?", (account_sid,))
    brands = {json.loads(r["body"]).get("status"): r["sid"] for r in rows_b}
    approved, failed = brands.get("APPROVED"), brands.get("FAILED")
    if approved:
        for name, usecase, status in (
            (HEALTHY, "DELIVERY_NOTIFICATION", "VERIFIED"),
            ("UK Offers", "MARKETING", "VERIFIED"),
            ("Local Reminders", "MARKETING", "FAILED"),
            ("Campaign In Review", "ACCOUNT_NOTIFICATION", "IN_PROGRESS"),
        ):
            values = campaign_values(
                approved, usecase, f"{name}: messages our customers asked for."
            )
            if status == "FAILED":
                values["errors"] = [
                    {
                        "description": "Campaign vetting rejection - Inconsistency between "
                        "Sample Message and Use-case",
                        "error_code": 30893,
                        "fields": ["MESSAGE_SAMPLES"],
                        "url": "https://www.twilio.com/docs/api/errors/30893",
                    }
                ]
            # a review that takes its time: no due moment
            row = store.create_campaign(
                account_sid,
                by_name[name],
                values,
                status=status,
                sid=sid("QE"),
                when=_WHEN,
                review=False,
            )
            if status == "FAILED" and failed:  # registered before its brand failed
                with store.tx() as db:
                    db.execute(
                        "UPDATE campaigns SET body = json_set(body, '$.brand_registration_sid',"
                        " ?) WHERE sid = ?",
                        (failed, row["sid"]),
                    )

    def verification(pn: str, value: str, status: str, **extra: Any) -> None:
        body = {
            "tollfree_phone_number_sid": pn,
            "tollfree_phone_number": value,
            "business_name": "Acme Inc.",
            "business_website": "https://acme.example",
            "notification_email": "compliance@acme.example",
            "use_case_categories": ["ACCOUNT_NOTIFICATIONS"],
            "use_case_summary": "Order and shipping updates for customers who opted in.",
            "production_message_sample": _SAMPLE_TF,
            "opt_in_image_urls": ["https://acme.example/opt-in.png"],
            "opt_in_type": "WEB_FORM",
            "message_volume": "10,000",
            "business_country": "US",
            "customer_profile_sid": "BU" + pn[2:],
            **extra,
        }
        store.add_tollfree(account_sid, body, status=status, sid=sid(tollfree.PREFIX), when=_WHEN)

    verification(approved_tf, "+18885550100", tollfree.APPROVED)
    # onboarding[0] has none
    verification(onboarding[1], "+18445550102", tollfree.PENDING_REVIEW)
    verification(onboarding[2], "+18555550103", tollfree.IN_REVIEW)
    verification(
        onboarding[3],
        "+18665550104",
        tollfree.REJECTED,
        rejection_reason="Opt-in not sufficient: Language Unclear",
        error_code=30513,
        rejection_reasons=[
            {"reason": "Opt-in not sufficient: Language Unclear", "error_code": 30513}
        ],
        edit_allowed=True,
        edit_expiration="2025-05-09T09:00:00Z",
    )
    # What actually happened: sent two hours before the demo was made (so "recent" when it
    # is first opened), undelivered as Twilio reports an unregistered 10DLC number (30034),
    # and one phone that was off (30003).
    sent = store.clock() - 7200
    store.insert_messages(
        [
            {
                "sid": sid("SM"),
                "account_sid": account_sid,
                "service_sid": by_name["Local Promo"],
                "direction": "outbound-api",
                "to_addr": f"+1415555{i:04d}",
                "from_addr": "+15125550160",
                "sender_key": promo,
                "body": "Acme: 20% off this weekend. Reply STOP to opt out.",
                "num_media": 0,
                "num_segments": 1,
                "status": "undelivered",
                "error_code": 30003 if i == 3 else 30034,
                "price": "-0.00790",
                "created": sent + i,
                "updated": sent + i + 2,
                "sent": sent + i + 1,
                "validity": 36000,
            }
            for i in range(4)
        ]
    )
    store.set_meta(DOCTOR_KEY, "1")
