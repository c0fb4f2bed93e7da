"""Demo data for what a service owns beyond numbers, telling a story a user can follow:

- three brands: Acme (approved), Fleetline (approved, but its campaigns are designated to fail
  review), and Northwind (failed, with a reason) plus a sole proprietor in review;
- campaigns in every status: verified (orders, login codes), in review (spring promo), failed
  with `errors` (Black Friday) - and any campaign created in the demo moves from IN_PROGRESS to
  VERIFIED (or FAILED on Fleetline) on the emulator's clock;
- WhatsApp and RCS channel senders, some in services and some free for the picker;
- country alpha senders on the EU 2FA and UK loyalty services;
- one shortened-links domain, on the spring promo.

Deterministic (fixed seed and dates), like demo.py, so screenshots stay true.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from msgsvc_tui.emulator.seed import Seeder
from msgsvc_tui.emulator.store import Store

RESOURCES_KEY = "seeded_demo_resources"
_WHEN = "2025-04-01T10:00:00Z"
_SAMPLES = [
    "Acme: your order #4521 has shipped and arrives Tuesday. Reply STOP to opt out.",
    "Acme: your order #4522 is out for delivery today. Reply HELP for help.",
]
_FLOW = (
    "Customers opt in at checkout on acme.example by ticking an unchecked box next to the "
    "phone field; the terms are linked beside it."
)


def brand_body(
    sid: str, status: str, brand_type: str, identity: str, reason: str | None
) -> dict[str, Any]:
    return {
        "sid": sid,
        "account_sid": "",
        "a2p_profile_bundle_sid": "BU" + sid[2:],
        "customer_profile_bundle_sid": "BU" + sid[2:][::-1],
        "brand_type": brand_type,
        "status": status,
        "identity_status": identity,
        "failure_reason": reason,
        "errors": [],
        "brand_feedback": ["TAX_ID"] if status == "FAILED" else [],
        "brand_score": 82 if status == "APPROVED" else None,
        "russell_3000": False,
        "government_entity": False,
        "tax_exempt_status": None,
        "skip_automatic_sec_vet": False,
        "mock": False,
        "tcr_id": "B" + sid[2:8].upper(),
        "date_created": _WHEN,
        "date_updated": _WHEN,
    }


_ORDERS = "Order and shipping updates for Acme shoppers."
_LOGIN_CODES = "One-time login codes for Acme accounts, sent on request."
_FRAUD = "Alerts about unusual activity on a customer's card."
_PROMO = "Seasonal offers for customers who subscribed to promos."
_BLACK_FRIDAY = "Black Friday deals for everyone in our customer list, weekly until Christmas."


def campaign_values(brand: str, usecase: str, description: str, **extra: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "brand_registration_sid": brand,
        "us_app_to_person_usecase": usecase,
        "description": description,
        "message_flow": _FLOW,
        "message_samples": list(_SAMPLES),
        "has_embedded_links": True,
        "has_embedded_phone": False,
        "opt_in_keywords": ["START"],
        "opt_out_keywords": ["STOP"],
        "help_keywords": ["HELP"],
        "opt_in_message": "Acme: you are subscribed. Reply HELP for help, STOP to stop.",
        "opt_out_message": "Acme: you are unsubscribed and will receive no more messages.",
        "help_message": "Acme support: help@acme.example or 1-800-555-0100. Reply STOP to stop.",
        "subscriber_opt_in": True,
        "age_gated": False,
        "direct_lending": False,
        "privacy_policy_url": "https://acme.example/privacy",
        "terms_and_conditions_url": "https://acme.example/terms",
    }
    values.update(extra)
    return values


def seed_resources(store: Store, account_sid: str, services: Mapping[str, str]) -> None:
    """`services`: the demo's service SIDs by name (those missing are skipped)."""
    sid = Seeder(store, account_sid, 20250401).sid

    acme, fleet, northwind, solo = sid("BN"), sid("BN"), sid("BN"), sid("BN")
    for brand_sid, name, status, kind, identity, reason, outcome in (
        (acme, "Acme Corp", "APPROVED", "STANDARD", "VERIFIED", None, "VERIFIED"),
        (fleet, "Fleetline Logistics", "APPROVED", "STANDARD", "VERIFIED", None, "FAILED"),
        (
            northwind,
            "Northwind Traders",
            "FAILED",
            "STANDARD",
            "UNVERIFIED",
            "Tax ID does not match the name",
            "",
        ),
        (solo, "Jamie Rivera", "IN_REVIEW", "SOLE_PROPRIETOR", "SELF_DECLARED", None, "VERIFIED"),
    ):
        body = brand_body(brand_sid, status, kind, identity, reason)
        body["account_sid"] = account_sid
        # the name lives on the brand's customer profile (TrustHub), as at Twilio
        store.seed_brand(account_sid, body, campaign_outcome=outcome or "VERIFIED", name=name)

    rejected = {
        "description": (
            "The campaign submission has been reviewed and it was rejected due "
            "to Disallowed Content."
        ),
        "error_code": 30897,
        "fields": ["MESSAGE_FLOW"],
        "url": "https://www.twilio.com/docs/api/errors/30897",
    }
    # Seeded campaigns keep their status until acted on, the story stays told: the spring
    # promo stays in review with no due time (a real review can take weeks).
    for name, status, brand, usecase, description, errors in (
        ("Acme Order Updates", "VERIFIED", acme, "DELIVERY_NOTIFICATION", _ORDERS, []),
        ("Acme Login Codes", "VERIFIED", acme, "2FA", _LOGIN_CODES, []),
        ("Fraud Alerts", "VERIFIED", acme, "FRAUD_ALERT", _FRAUD, []),
        ("Acme Spring Promo", "IN_PROGRESS", acme, "MARKETING", _PROMO, []),
        ("Black Friday Blast", "FAILED", fleet, "MARKETING", _BLACK_FRIDAY, [rejected]),
    ):
        if name in services:
            store.create_campaign(
                account_sid,
                services[name],
                campaign_values(brand, usecase, description, errors=errors),
                status=status,
                sid=sid("QE"),
                when=_WHEN,
                review=False,
            )

    holders: dict[int, str | None] = {
        0: services.get("Support Desk (2-way)"),
        1: services.get("Acme Order Updates"),
        3: services.get("Acme Spring Promo"),
    }
    for i, (channel, sender, status, profile, country) in enumerate(
        (
            ("whatsapp", "whatsapp:+14155550101", "ONLINE", "Acme Support", "US"),
            ("whatsapp", "whatsapp:+14155550102", "ONLINE", "Acme Orders", "US"),
            ("whatsapp", "whatsapp:+447700900123", "OFFLINE", "Acme UK", "GB"),
            ("rcs", "rcs:acme_promo_agent", "ONLINE", "Acme Promotions", "US"),
            ("rcs", "rcs:acme_support_agent", "TWILIO_REVIEW", "Acme Help", "US"),
            ("whatsapp", "whatsapp:+16475550120", "PENDING_VERIFICATION", "Acme Canada", "CA"),
        )
    ):
        store.seed_channel_sender(
            account_sid,
            sid("XE"),
            channel,
            sender,
            status,
            profile,
            country,
            _WHEN,
            holders.get(i),
        )

    for name, alpha, iso in (
        ("2FA - EU", "AcmeVerify", "FR"),
        ("2FA - EU", "AcmeCodes", "DE"),
        ("2FA - EU", "Acme", None),
        ("Loyalty Club UK", "AcmeLoyal", "GB"),
    ):
        if name in services:
            store.add_destination_alpha(
                account_sid, services[name], alpha, iso, sid=sid("AI"), when=_WHEN
            )

    if "Acme Spring Promo" in services:
        store.seed_link_domain(
            services["Acme Spring Promo"],
            sid("DN"),
            sid("ZK"),
            fallback_url="https://acme.example/link-expired",
            callback_url="https://hooks.acme.example/links/clicked",
            continue_on_failure=True,
            when=_WHEN,
        )
    store.set_meta(RESOURCES_KEY, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
