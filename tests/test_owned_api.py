"""What a service owns, over real loopback HTTP: the official SDK drives every new route, the
project's client does too, and every path and field the client uses exists in the spec."""

from __future__ import annotations

import json
import re

import httpx
import pytest

from msgsvc_tui.api import compliance
from msgsvc_tui.core import a2p, fields, senders
from msgsvc_tui.emulator import demo

from .test_twilio_sdk import sdk  # noqa: F401  (the fixture)

ACCOUNT = demo.DEMO_ACCOUNT_SID
CAMPAIGN = {
    "description": "Appointment reminders for patients who booked online.",
    "message_flow": "Patients tick an opt-in box when they book online; terms are linked there.",
    "message_samples": [
        "Clinic: your appointment is tomorrow at 9:30. Reply C to confirm.",
        "Clinic: reminder, bring your insurance card on Monday. Reply STOP to end.",
    ],
    "has_embedded_links": False,
    "has_embedded_phone": True,
    "opt_out_keywords": ["STOP", "END"],
}


def sid_of(emulator, name: str) -> str:
    rows = emulator.store.list_services(ACCOUNT, after=None, before=None, limit=100)
    return next(r.data["sid"] for r in rows if r.data["friendly_name"] == name)


def approved_brand(emulator, outcome: str = "VERIFIED") -> str:
    row = emulator.store.db.execute(
        "SELECT sid FROM brands WHERE json_extract(body, '$.status') = 'APPROVED'"
        " AND campaign_outcome = ? ORDER BY seq LIMIT 1",
        (outcome,),
    ).fetchone()
    return str(row[0])


@pytest.fixture
def demo_emulator(emulator):
    return emulator  # seeded with the demo by conftest


# ---- the official SDK -------------------------------------------------------------------------
def test_sdk_channel_senders(sdk, demo_emulator):  # noqa: F811
    service = sid_of(demo_emulator, "Driver Dispatch")
    free = [
        s
        for s in sdk.messaging.v2.channels_senders.list(channel="whatsapp")
        if demo_emulator.store.get_account_channel_sender(ACCOUNT, s.sid)["service_sid"] is None
    ]
    assert free and free[0].sender_id.startswith("whatsapp:")
    added = sdk.messaging.v1.services(service).channel_senders.create(sid=free[0].sid)
    assert added.sid == free[0].sid and added.sender_type == "WhatsApp"
    listed = sdk.messaging.v1.services(service).channel_senders.list()
    assert [c.sid for c in listed] == [free[0].sid]
    assert sdk.messaging.v1.services(service).channel_senders(free[0].sid).fetch().sender
    assert sdk.messaging.v1.services(service).channel_senders(free[0].sid).delete() is True
    assert sdk.messaging.v1.services(service).channel_senders.list() == []


def test_sdk_destination_alpha_senders(sdk, demo_emulator):  # noqa: F811
    from twilio.base.exceptions import TwilioRestException

    service = sid_of(demo_emulator, "2FA - EU")
    api = sdk.messaging.v1.services(service).destination_alpha_senders
    assert {a.iso_country_code for a in api.list()} == {"FR", "DE", None}
    assert [a.alpha_sender for a in api.list(iso_country_code="DE")] == ["AcmeCodes"]
    added = api.create(alpha_sender="AcmeES", iso_country_code="ES")
    assert added.iso_country_code == "ES" and added.sid.startswith("AI")
    with pytest.raises(TwilioRestException) as refused:
        api.create(alpha_sender="Other", iso_country_code="ES")
    assert refused.value.status == 409 and refused.value.code == senders.COUNTRY_TAKEN[0]
    assert api(added.sid).fetch().alpha_sender == "AcmeES"
    assert api(added.sid).delete() is True


def test_sdk_campaign_lifecycle_and_status_on_the_clock(sdk, demo_emulator):  # noqa: F811
    service = sid_of(demo_emulator, "Driver Dispatch")
    now = [5_000.0]
    demo_emulator.store.clock = lambda: now[0]
    brand = approved_brand(demo_emulator)
    api = sdk.messaging.v1.services(service).us_app_to_person
    codes = [
        u["code"]
        for u in sdk.messaging.v1.services(service)
        .us_app_to_person_usecases.fetch(brand_registration_sid=brand)
        .us_app_to_person_usecases
    ]
    assert "MARKETING" in codes and "SOLE_PROPRIETOR" not in codes
    created = api.create(
        brand_registration_sid=brand,
        us_app_to_person_usecase="ACCOUNT_NOTIFICATION",
        **{k: v for k, v in CAMPAIGN.items()},
    )
    assert created.campaign_status == "IN_PROGRESS" and created.sid.startswith("QE")
    assert created.message_samples == CAMPAIGN["message_samples"]  # repeated parameters
    assert created.opt_out_keywords == ["STOP", "END"]
    assert sdk.messaging.v1.services(service).fetch().us_app_to_person_registered is False
    now[0] += demo_emulator.store.review_seconds
    assert api(created.sid).fetch().campaign_status == "VERIFIED"
    assert sdk.messaging.v1.services(service).fetch().us_app_to_person_registered is True
    updated = api(created.sid).update(
        has_embedded_links=True,
        has_embedded_phone=True,
        message_samples=CAMPAIGN["message_samples"],
        message_flow=CAMPAIGN["message_flow"],
        description="Appointment reminders and rescheduling for patients who booked online.",
        age_gated=False,
        direct_lending=False,
    )
    assert updated.has_embedded_links is True and updated.description.startswith(
        "Appointment reminders and"
    )
    assert [c.sid for c in api.list()] == [created.sid]
    assert api(created.sid).delete() is True
    assert sdk.messaging.v1.services(service).fetch().us_app_to_person_registered is False


def test_sdk_failing_brand_and_rules(sdk, demo_emulator):  # noqa: F811
    from twilio.base.exceptions import TwilioRestException

    service = sid_of(demo_emulator, "Field Tech Chat")
    now = [9_000.0]
    demo_emulator.store.clock = lambda: now[0]
    api = sdk.messaging.v1.services(service).us_app_to_person
    with pytest.raises(TwilioRestException) as short:
        api.create(
            brand_registration_sid=approved_brand(demo_emulator),
            us_app_to_person_usecase="MARKETING",
            **{**CAMPAIGN, "description": "too short"},
        )
    assert short.value.status == 400 and "Description" in short.value.msg
    created = api.create(
        brand_registration_sid=approved_brand(demo_emulator, "FAILED"),
        us_app_to_person_usecase="MARKETING",
        **CAMPAIGN,
    )
    now[0] += 1_000
    failed = api(created.sid).fetch()
    assert failed.campaign_status == "FAILED" and failed.errors[0]["error_code"] == 30897


def test_sdk_brands_preregistered_usecases_and_link_shortening(sdk, demo_emulator):  # noqa: F811
    brands = sdk.messaging.v1.brand_registrations.list()
    assert {b.status for b in brands} >= {"APPROVED", "FAILED", "IN_REVIEW"}
    failed = next(b for b in brands if b.status == "FAILED")
    assert (
        failed.failure_reason
        and sdk.messaging.v1.brand_registrations(failed.sid).fetch().sid == failed.sid
    )
    service = sid_of(demo_emulator, "Product Feedback Poll")
    attached = sdk.messaging.v1.external_campaign.create(
        campaign_id="CEXT123", messaging_service_sid=service
    )
    assert attached.campaign_id == "CEXT123" and attached.sid.startswith("QE")
    promo = sid_of(demo_emulator, "Acme Spring Promo")
    domain = sdk.messaging.v1.linkshortening_messaging_service_domain_association(promo).fetch()
    assert domain.domain_sid.startswith("DN")
    config = sdk.messaging.v1.domain_config_messaging_service(promo).fetch()
    assert config.continue_on_failure is True and config.fallback_url.startswith("https://")


# ---- the project's client ---------------------------------------------------------------------
async def test_client_covers_every_owned_route(client, emulator):
    service = sid_of(emulator, "Patient Intake")
    assert await compliance.campaign_of(client, service) is None
    brands = await compliance.list_brands(client)
    brand = next(b["sid"] for b in brands if b["status"] == "APPROVED")
    usecases = await compliance.campaign_usecases(client, service, brand)
    assert "2FA" in [u["code"] for u in usecases]
    created = await compliance.create_campaign(
        client,
        service,
        {**CAMPAIGN, "brand_registration_sid": brand, "us_app_to_person_usecase": "2FA"},
    )
    assert (await compliance.fetch_campaign(client, service, created["sid"]))["sid"] == created[
        "sid"
    ]
    values = {f.name: created.get(f.name) for f in a2p.FIELDS if f.updatable}
    values["description"] = "Login codes and appointment reminders for patients of the clinic."
    updated = await compliance.update_campaign(client, service, created["sid"], values)
    assert updated["description"] == values["description"]
    await compliance.delete_campaign(client, service, created["sid"])
    assert await compliance.campaign_of(client, service) is None
    with pytest.raises(fields.ValidationError):  # refused before sending
        await compliance.create_campaign(client, service, {"description": "x"})
    everyone = await compliance.list_account_channel_senders(client)
    assert {s["sender_id"].split(":")[0] for s in everyone} == {"whatsapp", "rcs"}
    assert await compliance.link_shortening(client, service) is None
    added = await client.add_sender(
        service, senders.DESTINATION_ALPHA_SENDERS, "Clinic", country="NL"
    )
    assert added["iso_country_code"] == "NL"
    with pytest.raises(fields.ValidationError):
        await client.add_sender(service, senders.DESTINATION_ALPHA_SENDERS, "Clinic", country="nl")


async def test_service_links_lead_to_what_is_served(client, emulator):
    service = await client.fetch_service(sid_of(emulator, "Acme Order Updates"))
    assert set(service["links"]) == {
        "phone_numbers",
        "short_codes",
        "alpha_senders",
        "channel_senders",
        "destination_alpha_senders",
        "us_app_to_person",
        "us_app_to_person_usecases",
    }
    for link in service["links"].values():
        path = httpx.URL(link).path
        assert await client.request("GET", f"{client.messaging_base}{path}") is not None


# ---- the contract -----------------------------------------------------------------------------
def _spec_paths(spec) -> list[re.Pattern[str]]:
    return [re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + r"\Z") for p in spec["paths"]]


def test_every_path_and_field_the_client_uses_is_in_the_spec(messaging_spec, messaging_v2_spec):
    import inspect

    from msgsvc_tui.api import client as client_module

    source = inspect.getsource(compliance) + inspect.getsource(client_module)
    used = {
        "/v1/Services/MGx/ChannelSenders",
        "/v1/Services/MGx/ChannelSenders/XEx",
        "/v1/Services/MGx/DestinationAlphaSenders",
        "/v1/Services/MGx/DestinationAlphaSenders/AIx",
        "/v1/Services/MGx/Compliance/Usa2p",
        "/v1/Services/MGx/Compliance/Usa2p/QEx",
        "/v1/Services/MGx/Compliance/Usa2p/Usecases",
        "/v1/Services/PreregisteredUsa2p",
        "/v1/a2p/BrandRegistrations",
        "/v1/LinkShortening/MessagingServices/MGx/Domain",
        "/v1/LinkShortening/MessagingService/MGx/DomainConfig",
        "/v2/Channels/Senders",
    }
    patterns = _spec_paths(messaging_spec) + _spec_paths(messaging_v2_spec)
    for path in used:
        assert any(p.match(path) for p in patterns), path
    for tail in (
        "Compliance/Usa2p",
        "PreregisteredUsa2p",
        "a2p/BrandRegistrations",
        "Channels/Senders",
        "DomainConfig",
        "/Domain",
    ):
        assert tail in source, tail
    # every parameter the campaign form sends is in CreateUsAppToPerson, every updatable one
    # in UpdateUsAppToPerson; every field it reads is in the response schema
    paths = messaging_spec["paths"]
    create = paths["/v1/Services/{MessagingServiceSid}/Compliance/Usa2p"]["post"]
    update = paths["/v1/Services/{MessagingServiceSid}/Compliance/Usa2p/{Sid}"]["post"]

    def params(op) -> set[str]:
        return set(
            op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"][
                "properties"
            ]
        )

    assert {f.param for f in a2p.FIELDS} | {
        "BrandRegistrationSid",
        "UsAppToPersonUsecase",
    } <= params(create)
    assert {f.param for f in a2p.FIELDS if f.updatable} <= params(update)
    schema = messaging_spec["components"]["schemas"]["messaging.v1.service.us_app_to_person"][
        "properties"
    ]
    # the two policy URLs are write-only: the response schema has no such fields
    readable = {f.name for f in a2p.FIELDS} - {"privacy_policy_url", "terms_and_conditions_url"}
    assert readable | {"campaign_status", "errors", "rate_limits"} <= set(schema)
    for kind in (senders.CHANNEL_SENDERS, senders.DESTINATION_ALPHA_SENDERS):
        path = next(p for p in paths if p.endswith(f"/{kind.path}"))
        body = params(paths[path]["post"])
        assert kind.param in body
        example = json.dumps(paths[path]["get"]["responses"]["200"]["content"])
        assert f'"key": "{kind.items_key}"' in example and f'"{kind.value_field}"' in example
