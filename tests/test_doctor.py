"""The doctor end to end: each check's condition planted on the emulator (over loopback HTTP),
its finding seen, then seen to vanish after the fix; the demo's services; the CLI's output,
JSON document and exit codes; bounded concurrency."""

from __future__ import annotations

import asyncio
import io
import json

import pytest

from msgsvc_tui import cli
from msgsvc_tui.api import tollfree as tf_api
from msgsvc_tui.cli import doctor as cli_doctor
from msgsvc_tui.core import fields, health, senders, tollfree
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo, demo_doctor
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.server import open_emulator
from msgsvc_tui.ops import doctor

ACCOUNT = demo.DEMO_ACCOUNT_SID
HOOKS = {
    "inbound_request_url": "https://acme-x.twil.io/in",
    "fallback_url": "https://acme-y.twil.io/fallback",
    "status_callback": "https://acme-x.twil.io/status",
}


@pytest.fixture
def emulator() -> EmulatorApp:
    """An empty emulator: each test plants exactly what it checks (and the demo's brands)."""
    app = open_emulator(":memory:", seed=False)
    return app


def plant(app: EmulatorApp, name: str = "Planted", **settings: object) -> str:
    body = fields.defaults()
    body.update(friendly_name=name, usecase="notifications", **HOOKS)
    body.update(settings)
    return str(app.store.create_service(ACCOUNT, body)["sid"])


def number(
    app: EmulatorApp,
    service: str | None,
    value: str,
    country: str = "US",
    caps: tuple[str, ...] = ("SMS", "MMS"),
    kind: senders.SenderKind = senders.PHONE_NUMBERS,
) -> str:
    return app.store.add_account_number(
        ACCOUNT, kind, value, country_code=country, capabilities=list(caps), service_sid=service
    )


async def checks(client, sid: str, *to: str) -> list[str]:
    report = await doctor.examine_one(client, sid, to)
    assert report.error is None
    return [f.check for f in report.findings]


async def update(client, sid: str, **values: object) -> None:
    await client.update_service(sid, values)


def brand(app: EmulatorApp, status: str = "APPROVED") -> str:
    from msgsvc_tui.emulator.demo_resources import brand_body

    sid = "BN" + ("a" if status == "APPROVED" else "b") * 32
    if app.store.db.execute("SELECT 1 FROM brands WHERE sid = ?", (sid,)).fetchone():
        return sid
    body = brand_body(sid, status, "STANDARD", "VERIFIED", None if status == "APPROVED" else "No")
    body["account_sid"] = ACCOUNT
    app.store.seed_brand(ACCOUNT, body)
    return sid


def campaign(app: EmulatorApp, service: str, status: str, usecase: str = "ACCOUNT_NOTIFICATION"):
    from msgsvc_tui.emulator.demo_resources import campaign_values

    b = brand(app)
    return app.store.create_campaign(
        ACCOUNT,
        service,
        campaign_values(b, usecase, "Account notices our customers asked us to send."),
        status=status,
    )


# ---- sender pool -----------------------------------------------------------------------------
async def test_pool_empty_then_fixed(emulator, client):
    sid = plant(emulator)
    assert "POOL-EMPTY" in await checks(client, sid)
    pn = number(emulator, None, "+447700900001", "GB")
    await client.add_sender(sid, senders.PHONE_NUMBERS, pn)
    assert await checks(client, sid) == []


async def test_number_without_sms_then_removed(emulator, client):
    sid = plant(emulator)
    number(emulator, sid, "+447700900001", "GB", ("SMS",))
    mute = number(emulator, sid, "+447700900002", "GB", ("Voice",))
    report = await doctor.examine_one(client, sid)
    found = {f.check: f for f in report.findings}
    assert (
        found["POOL-NO-SMS"].severity == "warning"
        and "+447700900002" in found["POOL-NO-SMS"].subject
    )
    await client.remove_sender(sid, senders.PHONE_NUMBERS, mute)
    assert "POOL-NO-SMS" not in await checks(client, sid)


async def test_only_mute_numbers_is_an_error():
    f = health.Facts(
        service={**fields.defaults(), **HOOKS},
        phone_numbers=[
            {"phone_number": "+447700900002", "country_code": "GB", "capabilities": ["Voice"]}
        ],
    )
    (finding,) = [x for x in health.examine(f) if x.check == "POOL-NO-SMS"]
    assert finding.severity == "error"


async def test_pool_near_limit_then_trimmed(emulator, client):
    sid = plant(emulator, area_code_geomatch=False)
    sids = [
        number(emulator, sid, f"+4477009{i:05d}", "GB", ("SMS",)) for i in range(health.POOL_NEAR)
    ]
    assert "POOL-NEAR-LIMIT" in await checks(client, sid)
    await client.remove_sender(sid, senders.PHONE_NUMBERS, sids[0])
    assert "POOL-NEAR-LIMIT" not in await checks(client, sid)


async def test_no_route_to_a_destination_then_a_local_number(emulator, client):
    sid = plant(emulator)
    number(emulator, sid, "+447700900001", "GB")
    assert "POOL-NO-ROUTE" in await checks(client, sid, "US")
    assert "POOL-NO-ROUTE" not in await checks(client, sid, "FR")  # any number reaches FR
    campaign(emulator, sid, "VERIFIED")
    number(emulator, sid, "+14155550001", "US")
    found = await checks(client, sid, "US")
    assert "POOL-NO-ROUTE" not in found and "A2P-NO-CAMPAIGN" not in found


async def test_alpha_only_reaching_us_then_a_number(emulator, client):
    sid = plant(emulator)
    await client.add_sender(sid, senders.ALPHA_SENDERS, "AcmeCode")
    report = await doctor.examine_one(client, sid, ["US"])
    (finding,) = [f for f in report.findings if f.check == "POOL-ALPHA-ONLY"]
    assert finding.severity == "error" and finding.code == 21612
    report = await doctor.examine_one(client, sid)  # no US traffic known: worth knowing
    assert [f.severity for f in report.findings if f.check == "POOL-ALPHA-ONLY"] == ["info"]
    await client.add_sender(
        sid, senders.PHONE_NUMBERS, number(emulator, None, "+16475550001", "CA")
    )
    assert "POOL-ALPHA-ONLY" not in await checks(client, sid, "US")


# ---- A2P 10DLC ---------------------------------------------------------------------------------
async def test_us_long_code_without_campaign_then_verified(emulator, client):
    sid = plant(emulator, area_code_geomatch=False)
    number(emulator, sid, "+14155550001")
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == "A2P-NO-CAMPAIGN"]
    assert finding.code == 30034 and finding.severity == "error"
    campaign(emulator, sid, "VERIFIED")
    assert await checks(client, sid) == []


@pytest.mark.parametrize("status", ["IN_PROGRESS", "PENDING"])
async def test_campaign_in_review_then_verified(emulator, client, status):
    sid = plant(emulator, area_code_geomatch=False)
    number(emulator, sid, "+14155550001")
    row = campaign(emulator, sid, status)
    assert "A2P-CAMPAIGN-PENDING" in await checks(client, sid)
    emulator.store.db.execute(
        "UPDATE campaigns SET status = 'VERIFIED' WHERE sid = ?", (row["sid"],)
    )
    assert await checks(client, sid) == []


async def test_failed_campaign_names_twilios_reasons(emulator, client):
    sid = plant(emulator, area_code_geomatch=False)
    number(emulator, sid, "+14155550001")
    row = campaign(emulator, sid, "FAILED")
    body = json.loads(row["body"])
    body["errors"] = [{"description": "Disallowed content", "error_code": 30897, "fields": []}]
    emulator.store.db.execute(
        "UPDATE campaigns SET body = ? WHERE sid = ?", (json.dumps(body), row["sid"])
    )
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == "A2P-CAMPAIGN-FAILED"]
    assert finding.details == ("Disallowed content (Twilio 30897)",)
    from msgsvc_tui.api import compliance

    await compliance.delete_campaign(client, sid, row["sid"])
    campaign(emulator, sid, "VERIFIED")
    assert await checks(client, sid) == []


async def test_brand_not_approved_then_approved(emulator, client):
    sid = plant(emulator, area_code_geomatch=False)
    number(emulator, sid, "+14155550001")
    row = campaign(emulator, sid, "VERIFIED")
    failed = brand(emulator, "FAILED")
    db = emulator.store.db
    db.execute(
        "UPDATE campaigns SET body = json_set(body, '$.brand_registration_sid', ?) WHERE sid = ?",
        (failed, row["sid"]),
    )
    assert "A2P-BRAND-NOT-APPROVED" in await checks(client, sid)
    db.execute(
        "UPDATE brands SET body = json_set(body, '$.status', 'APPROVED') WHERE sid = ?", (failed,)
    )
    assert await checks(client, sid) == []


async def test_usecase_mismatch_then_service_usecase_changed(emulator, client):
    sid = plant(emulator, area_code_geomatch=False, usecase="verification")
    number(emulator, sid, "+14155550001")
    campaign(emulator, sid, "VERIFIED", "MARKETING")
    assert "A2P-USECASE-MISMATCH" in await checks(client, sid)
    await update(client, sid, usecase="marketing")
    assert await checks(client, sid) == []


# ---- toll-free -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "check"),
    [
        (None, "TF-UNVERIFIED"),
        (tollfree.PENDING_REVIEW, "TF-PENDING"),
        (tollfree.IN_REVIEW, "TF-PENDING"),
        (tollfree.REJECTED, "TF-REJECTED"),
    ],
)
async def test_toll_free_verification_states_then_approved(emulator, client, status, check):
    sid = plant(emulator)
    pn = number(emulator, sid, "+18885550001")
    verification = None
    if status is not None:
        verification = emulator.store.add_tollfree(
            ACCOUNT, {"tollfree_phone_number_sid": pn, "tollfree_phone_number": "+18885550001"}
        )
        reasons = [{"reason": "Opt-in unclear", "error_code": 30513}]
        emulator.store.set_tollfree_status(verification["sid"], status, reasons=reasons)
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == check]
    assert finding.code == 30032 and "+18885550001" in finding.subject
    if status == tollfree.REJECTED:
        assert finding.details == ("Opt-in unclear (Twilio 30513)",)
    if verification is None:
        verification = emulator.store.add_tollfree(
            ACCOUNT, {"tollfree_phone_number_sid": pn, "tollfree_phone_number": "+18885550001"}
        )
    emulator.store.set_tollfree_status(verification["sid"], tollfree.APPROVED)
    assert await checks(client, sid) == []


async def test_tollfree_client_lists_filters_pages_and_fetches(emulator, client):
    pns = [number(emulator, None, f"+1888555{i:04d}") for i in range(7)]
    for i, pn in enumerate(pns):
        v = emulator.store.add_tollfree(ACCOUNT, {"tollfree_phone_number_sid": pn})
        emulator.store.set_tollfree_status(v["sid"], tollfree.STATUSES[i % 4])
    everything = await tf_api.list_verifications(client)
    assert len(everything) == 7
    before = client.requests_made
    bounded = await tf_api.list_verifications(client, limit=3)
    assert len(bounded) == 3 and client.requests_made - before == 1
    rejected = await tf_api.list_verifications(client, status=tollfree.REJECTED)
    assert {v["status"] for v in rejected} == {tollfree.REJECTED} and len(rejected) == 1
    one = await tf_api.list_verifications(client, phone_number_sid=pns[2])
    assert [v["tollfree_phone_number_sid"] for v in one] == [pns[2]]
    fetched = await tf_api.fetch_verification(client, one[0]["sid"])
    assert fetched["sid"] == one[0]["sid"] and fetched["url"].endswith(one[0]["sid"])
    with pytest.raises(ValueError):
        await tf_api.list_verifications(client, status="APPROVED")


# ---- integration -----------------------------------------------------------------------------
async def test_webhook_with_no_url_then_deferred_to_the_numbers(emulator, client):
    sid = plant(emulator, usecase="discussion", inbound_request_url=None)
    number(emulator, sid, "+447700900001", "GB")
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == "INT-WEBHOOK-NO-URL"]
    assert finding.severity == "warning" and finding.setting == {
        "use_inbound_webhook_on_number": True
    }
    await update(client, sid, **finding.setting)
    assert await checks(client, sid) == []


async def test_plain_http_then_https(emulator, client):
    sid = plant(emulator, status_callback="http://hooks.acme.com/status")
    number(emulator, sid, "+447700900001", "GB")
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == "INT-HTTP-PLAIN"]
    assert finding.changes(report.service) == [
        ("status_callback", "http://hooks.acme.com/status", "https://hooks.acme.com/status")
    ]
    await update(client, sid, **finding.setting)
    assert await checks(client, sid) == []


@pytest.mark.parametrize(
    ("url", "check"),
    [
        ("https://localhost/in", "INT-PRIVATE-HOST"),
        ("https://192.168.1.20/in", "INT-PRIVATE-HOST"),
        ("https://[::1]/in", "INT-PRIVATE-HOST"),
        ("https://printer.local/in", "INT-PRIVATE-HOST"),
        ("https://hooks.acme.example/in", "INT-BAD-HOST"),
        ("https://www.example.com/in", "INT-BAD-HOST"),
        ("https://app.test/in", "INT-BAD-HOST"),
    ],
)
async def test_unreachable_hosts_then_a_public_one(emulator, client, url, check):
    sid = plant(emulator, inbound_request_url=url)
    number(emulator, sid, "+447700900001", "GB")
    assert check in await checks(client, sid)
    await update(client, sid, inbound_request_url="https://acme-x.twil.io/in")
    assert await checks(client, sid) == []


async def test_no_status_callback_then_set(emulator, client):
    sid = plant(emulator, status_callback=None)
    number(emulator, sid, "+447700900001", "GB")
    report = await doctor.examine_one(client, sid)
    assert [f.severity for f in report.findings if f.check == "INT-NO-STATUS-CALLBACK"] == ["info"]
    assert report.health == "ok"  # info alone is healthy
    await update(client, sid, status_callback="https://acme-x.twil.io/status")
    assert await checks(client, sid) == []


async def test_fallback_equal_to_inbound_then_cleared(emulator, client):
    sid = plant(emulator, fallback_url=HOOKS["inbound_request_url"])
    number(emulator, sid, "+447700900001", "GB")
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == "INT-FALLBACK-SAME"]
    await update(client, sid, **finding.setting)
    assert await checks(client, sid) == []


# ---- features --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("settings", "pool", "check"),
    [
        ({"usecase": "discussion", "sticky_sender": False}, [], "FEAT-STICKY-OFF"),
        ({"fallback_to_long_code": True}, ["sc"], "FEAT-FALLBACK-NO-LONG-CODE"),
        ({"area_code_geomatch": True}, ["us"], "FEAT-GEOMATCH-ONE-AREA"),
        ({"smart_encoding": False}, [], "FEAT-SMART-ENCODING-OFF"),
        ({"validity_period": 60}, [], "FEAT-VALIDITY-QUEUE"),
    ],
)
async def test_feature_settings_then_their_fix(emulator, client, settings, pool, check):
    sid = plant(emulator, **settings)
    if "sc" in pool:
        number(emulator, sid, "38383", kind=senders.SHORT_CODES)
    elif "us" in pool:
        number(emulator, sid, "+14155550001")
        campaign(emulator, sid, "VERIFIED")
    else:
        number(emulator, sid, "+447700900001", "GB")
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == check]
    assert finding.setting, "each of these is fixed by a setting"
    await update(client, sid, **finding.setting)
    assert await checks(client, sid) == []


def test_validity_period_out_of_range_and_queue_arithmetic():
    service = {**fields.defaults(), **HOOKS, "validity_period": 0}
    gb = {"phone_number": "+447700900001", "country_code": "GB", "capabilities": ["SMS"]}
    found = health.examine(health.Facts(service=service, phone_numbers=[gb]))
    assert [f.check for f in found] == ["FEAT-VALIDITY-RANGE"] and found[0].code == 21624
    # one GB number: 10 segments/s; 60 s lets 600 of a 1,000 burst out; 100 s lets all
    service["validity_period"] = 60
    (queue,) = health.examine(health.Facts(service=service, phone_numbers=[gb]))
    assert queue.setting == {"validity_period": 100} and "only 600 go out" in queue.effect


def test_failed_messages_grouped_by_code_with_words():
    f = health.Facts(
        service={**fields.defaults(), **HOOKS},
        phone_numbers=[
            {"phone_number": "+447700900001", "country_code": "GB", "capabilities": ["SMS"]}
        ],
        failures={30003: 2, 30007: 5, None: 1},
        failure_words={30003: "Unreachable handset", 30007: "Filtered"},
        failures_window="the last 100 messages",
    )
    (finding,) = health.examine(f)
    assert (
        finding.check == "MSG-FAILURES" and finding.subject == "8 messages in the last 100 messages"
    )
    assert finding.details == (
        "5 x 30007: Filtered",
        "2 x 30003: Unreachable handset",
        "1 x no error code given",
    )


def test_every_check_cites_a_source_and_is_in_the_readme():
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text()
    for check in health.CHECKS:
        assert check.source.startswith(
            ("https://www.twilio.com/", "https://support.twilio.com/", "twilio_messaging_v1.json")
        )
        assert f"| {check.id} | {check.severity} |" in readme, check.id


# ---- the demo ----------------------------------------------------------------------------------
async def test_demo_trips_every_check_but_three_and_one_service_none():
    app = open_emulator(":memory:")
    from msgsvc_tui.emulator.server import embedded_client

    async with embedded_client(app) as c:
        reports = await doctor.examine(c, await c.list_services())
    by_name = {r.service["friendly_name"]: r for r in reports}
    assert by_name[demo_doctor.HEALTHY].findings == []
    tripped = {f.check for r in reports for f in r.findings}
    left_to_tests = {"POOL-NO-SMS", "POOL-NEAR-LIMIT", "FEAT-VALIDITY-RANGE"}
    assert tripped == {c.id for c in health.CHECKS} - left_to_tests
    statuses = {v["status"] for v in app.store.list_tollfree(ACCOUNT, after=0, limit=100)}
    assert statuses == set(tollfree.STATUSES)


# ---- bounded concurrency ---------------------------------------------------------------------
async def test_examine_never_exceeds_its_concurrency(emulator, client):
    for i in range(12):
        plant(emulator, f"S{i}")
    services = await client.list_services()
    in_flight = peak = 0
    real = client._send

    async def counting(*a, **kw):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await asyncio.sleep(0)
            return await real(*a, **kw)
        finally:
            in_flight -= 1

    client._send = counting
    account = await doctor.read_account(client)
    before = client.requests_made
    reports = await doctor.examine(client, services, concurrency=3, account=account)
    assert len(reports) == 12 and peak <= 3
    assert client.requests_made - before == 12 * 4  # numbers, short codes, alpha, campaign


# ---- the CLI ---------------------------------------------------------------------------------
@pytest.fixture
def creds(monkeypatch, server):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", demo.DEMO_AUTH_TOKEN)
    return server


def run(capsys, server, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["--base-url", server.url, "services", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_healthy_service_by_name_exits_0(capsys, creds, emulator):
    sid = plant(emulator, "Fine One")
    number(emulator, sid, "+447700900001", "GB")
    code, out, _ = run(capsys, creds, "doctor", "fine one")
    assert code == ExitCode.OK and f"Fine One ({sid})  ✓ healthy" in out
    assert "Not checked" not in out  # every resource was read


def test_cli_error_finding_exits_unhealthy_with_words_fix_and_source(capsys, creds, emulator):
    sid = plant(emulator, "Empty")
    code, out, _ = run(capsys, creds, "doctor", sid)
    assert code == ExitCode.UNHEALTHY == 10
    assert "✗ error    POOL-EMPTY: The sender pool is empty" in out
    assert "Twilio 21704" in out and "https://www.twilio.com/docs/api/errors/21704" in out


def test_cli_json_document_is_stable(capsys, creds, emulator):
    sid = plant(emulator, "Plain", smart_encoding=False)
    number(emulator, sid, "+447700900001", "GB")
    code, out, _ = run(capsys, creds, "doctor", sid, "--json")
    doc = json.loads(out)
    assert code == ExitCode.OK and doc["version"] == 1
    assert doc["summary"] == {"services": 1, "error": 0, "warning": 1, "ok": 0, "failed": 0}
    (svc,) = doc["services"]
    assert set(svc) == {
        "sid",
        "friendly_name",
        "health",
        "counts",
        "findings",
        "unavailable",
        "error",
    }
    (finding,) = svc["findings"]
    assert set(finding) == {
        "check",
        "severity",
        "code",
        "title",
        "subject",
        "effect",
        "fix",
        "details",
        "source",
        "setting",
    }
    assert finding["setting"] == [{"field": "smart_encoding", "from": False, "to": True}]


def test_cli_all_with_progress_on_a_terminal(capsys, creds, emulator, monkeypatch):
    for i in range(3):
        plant(emulator, f"S{i}")

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr("sys.stderr", tty)
    code = cli.main(["--base-url", creds.url, "services", "doctor", "--all"])
    out = capsys.readouterr().out
    assert code == ExitCode.UNHEALTHY and out.count("POOL-EMPTY") == 3
    assert "Checking services 3/3 [" in tty.getvalue()


def test_cli_usage_errors(capsys, creds, emulator):
    assert run(capsys, creds, "doctor")[0] == ExitCode.USAGE
    assert run(capsys, creds, "doctor", "x", "--all")[0] == ExitCode.USAGE
    assert run(capsys, creds, "doctor", "--all", "--to", "usa")[0] == ExitCode.USAGE
    code, _, err = run(capsys, creds, "doctor", "No Such Service")
    assert code == ExitCode.NOT_FOUND and "no service is named" in err
    plant(emulator, "Twin")
    plant(emulator, "Twin")
    code, _, err = run(capsys, creds, "doctor", "Twin")
    assert code == ExitCode.USAGE and "2 services are named" in err


def test_cli_hostile_names_are_sanitized(capsys, creds, emulator):
    plant(emulator, "Evil\x1b]0;pwned\x07 name")
    code, out, _ = run(capsys, creds, "doctor", "--all")
    assert code == ExitCode.UNHEALTHY and "\x1b" not in out and "\x07" not in out
    assert "Evil␛]0;pwned" in out


def test_cli_tollfree_list_get_and_filters(capsys, creds, emulator):
    pn = number(emulator, None, "+18885550001")
    v = emulator.store.add_tollfree(
        ACCOUNT,
        {
            "tollfree_phone_number_sid": pn,
            "tollfree_phone_number": "+18885550001",
            "business_name": "Acme",
        },
    )
    emulator.store.set_tollfree_status(
        v["sid"], tollfree.REJECTED, reasons=[{"reason": "Bad opt-in", "error_code": 30513}]
    )
    code, out, _ = run(capsys, creds, "tollfree")
    assert code == ExitCode.OK and v["sid"] in out and "TWILIO_REJECTED" in out
    code, out, _ = run(capsys, creds, "tollfree", "--status", "TWILIO_APPROVED", "--json")
    assert json.loads(out) == []
    code, out, _ = run(capsys, creds, "tollfree", v["sid"])
    assert "rejected — fix the reasons" in out and "Bad opt-in (Twilio 30513)" in out
    code, out, _ = run(capsys, creds, "tollfree", "--tsv")
    assert out.splitlines()[0].split("\t")[0] == "sid"


def test_emulator_creates_a_verification_with_the_required_params(emulator, server):
    import httpx

    pn = number(emulator, None, "+18885550001")
    form = {
        p: "x"
        for p in (
            "BusinessName",
            "BusinessWebsite",
            "NotificationEmail",
            "UseCaseSummary",
            "ProductionMessageSample",
            "OptInType",
            "MessageVolume",
        )
    }
    form.update(UseCaseCategories="ACCOUNT_NOTIFICATIONS", OptInImageUrls="https://a/b.png")
    auth = (ACCOUNT, demo.DEMO_AUTH_TOKEN)
    url = f"{server.url}/v1/Tollfree/Verifications"
    missing = httpx.post(url, data=form, auth=auth)
    assert missing.status_code == 400 and "TollfreePhoneNumberSid" in missing.json()["message"]
    made = httpx.post(url, data={**form, "TollfreePhoneNumberSid": pn}, auth=auth)
    assert made.status_code == 201 and made.json()["status"] == tollfree.PENDING_REVIEW
    assert made.json()["tollfree_phone_number"] == "+18885550001"
    assert made.json()["use_case_categories"] == ["ACCOUNT_NOTIFICATIONS"]


def test_render_marks_and_exit_code_helpers():
    rep = doctor.Report({"sid": "MG" + "0" * 32, "friendly_name": "x"}, error=None)
    assert cli_doctor.exit_code([rep]) == ExitCode.OK
    assert health.mark([]) == "✓"


async def test_recent_undelivered_messages_are_counted_by_code_then_age_out(emulator, client):
    sid = plant(emulator)
    number(emulator, sid, "+14155550001")
    campaign(emulator, sid, "VERIFIED")
    for to in ("+15005553003", "+15005553003", "+15005553007"):
        await client.request(
            "POST",
            f"{client.api_base}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
            data={"MessagingServiceSid": sid, "To": to, "Body": "hello"},
        )
    emulator.messaging.advance(emulator.store.clock() + 600)  # the carrier answers
    report = await doctor.examine_one(client, sid)
    (finding,) = [f for f in report.findings if f.check == "MSG-FAILURES"]
    assert finding.subject == "3 messages in the last 7 days"
    assert finding.details[0].startswith("2 x 30003: Unreachable destination handset")
    assert finding.details[1].startswith("1 x 30007: ")
    assert report.unavailable == []
    # a week later they are history: the check looks at recent traffic only
    emulator.store.db.execute("UPDATE messages SET sent = sent - 8 * 86400")
    assert "MSG-FAILURES" not in await checks(client, sid)


async def test_what_the_account_cannot_read_is_named_and_its_checks_skipped(emulator, client):
    from msgsvc_tui.emulator.wire import Response

    sid = plant(emulator)
    number(emulator, sid, "+18885550001")  # toll-free, no verification
    original = emulator.handle

    def refuse(scope, raw):
        if "Tollfree" in scope["path"] or "Messages.json" in scope["path"]:
            return Response(403, {"code": 20003, "message": "Forbidden", "status": 403})
        return original(scope, raw)

    emulator.handle = refuse
    report = await doctor.examine_one(client, sid)
    assert report.error is None and "TF-UNVERIFIED" not in [f.check for f in report.findings]
    assert [u.split(":")[0] for u in report.unavailable] == [
        "toll-free verifications",
        "recent messages",
    ]


async def test_a_429_slows_every_worker_together(emulator, server):
    """One 429 (Retry-After: 2) during a run: every worker waits out the same back-off
    (the client's shared resume time), rather than the others hammering on."""
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.emulator.wire import Fault

    for i in range(6):
        plant(emulator, f"S{i}")
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with MessagingClient(
        account_sid=ACCOUNT,
        username=ACCOUNT,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=server.url,
        sleep=sleep,
        timeout=5.0,
    ) as c:
        services = await c.list_services()
        account = await doctor.read_account(c)
        emulator.inject(
            Fault(
                429,
                b'{"code": 20429, "message": "Too Many Requests"}',
                {"Retry-After": "2", "Content-Type": "application/json"},
            )
        )
        reports = await doctor.examine(c, services, concurrency=3, account=account)
    assert not any(r.error for r in reports)
    # the one that got the 429 slept its Retry-After; the others waited for the same moment
    assert 2.0 in waits
    assert len(waits) >= 2 and all(0 < w <= 2.0 for w in waits)
