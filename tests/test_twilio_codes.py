"""The emulator answers as real Twilio does, row by row, and the client's
explanations key on those real answers.

Evidence for each code is cited where it is defined (msgsvc_tui/core/senders.py, fields.py,
emulator/handlers/); these tests pin the wire: status, code and the words a client sees.
"""

from __future__ import annotations

import httpx
import pytest

from msgsvc_tui.api import errors
from msgsvc_tui.core import senders
from msgsvc_tui.emulator import demo
from msgsvc_tui.ops import pool

AUTH = (demo.DEMO_ACCOUNT_SID, demo.DEMO_AUTH_TOKEN)
ACCOUNT = f"/2010-04-01/Accounts/{demo.DEMO_ACCOUNT_SID}"


@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, auth=AUTH) as c:
        yield c


def _numbers(http: httpx.Client) -> list[dict]:
    return http.get(f"{ACCOUNT}/IncomingPhoneNumbers.json", params={"PageSize": 100}).json()[
        "incoming_phone_numbers"
    ]


def _services(http: httpx.Client) -> list[dict]:
    return http.get("/v1/Services", params={"PageSize": 100}).json()["services"]


def _free_sms_number(http: httpx.Client, emulator) -> dict:
    held = {
        m["sid"]
        for s in _services(http)
        for m in http.get(f"/v1/Services/{s['sid']}/PhoneNumbers").json()["phone_numbers"]
    }
    return next(n for n in _numbers(http) if n["sid"] not in held and n["capabilities"]["sms"])


def test_number_already_in_this_service_is_409_21710(http, emulator):
    sid = _services(http)[0]["sid"]
    pn = _free_sms_number(http, emulator)["sid"]
    assert http.post(f"/v1/Services/{sid}/PhoneNumbers", data={"PhoneNumberSid": pn}).is_success
    r = http.post(f"/v1/Services/{sid}/PhoneNumbers", data={"PhoneNumberSid": pn})
    assert (r.status_code, r.json()["code"]) == (409, 21710)
    assert r.json()["message"] == "Phone Number or Short Code is already in the Messaging Service."


def test_pool_full_is_412_21714(http, emulator):
    emulator.store.pool_limit = 0
    sid = _services(http)[0]["sid"]
    pn = _free_sms_number(http, emulator)["sid"]
    r = http.post(f"/v1/Services/{sid}/PhoneNumbers", data={"PhoneNumberSid": pn})
    assert (r.status_code, r.json()["code"]) == (412, 21714)
    assert r.json()["message"] == "Number Pool size limit reached"


def test_number_held_elsewhere_is_409_21712_without_the_holder(http, emulator):
    a, b = (s["sid"] for s in _services(http)[:2])
    pn = _free_sms_number(http, emulator)["sid"]
    http.post(f"/v1/Services/{a}/PhoneNumbers", data={"PhoneNumberSid": pn})
    r = http.post(f"/v1/Services/{b}/PhoneNumbers", data={"PhoneNumberSid": pn})
    assert (r.status_code, r.json()["code"]) == (409, 21712)
    assert "MG" not in r.json()["message"]  # Twilio does not say who holds it


def test_voice_only_number_is_refused_21715(http):
    voice_only = next(n for n in _numbers(http) if not n["capabilities"]["sms"])
    sid = _services(http)[0]["sid"]
    r = http.post(f"/v1/Services/{sid}/PhoneNumbers", data={"PhoneNumberSid": voice_only["sid"]})
    assert (r.status_code, r.json()["code"]) == (400, 21715)


@pytest.mark.parametrize("alpha", ["12345", "Far Too Long Name", "bad*char"])
def test_invalid_alpha_sender_is_21709(http, alpha):
    sid = next(
        s["sid"]
        for s in _services(http)
        if not http.get(f"/v1/Services/{s['sid']}/AlphaSenders").json()["alpha_senders"]
    )
    r = http.post(f"/v1/Services/{sid}/AlphaSenders", data={"AlphaSender": alpha})
    assert (r.status_code, r.json()["code"]) == (400, 21709)


def test_invalid_usecase_is_21713(http):
    r = http.post("/v1/Services", data={"FriendlyName": "x", "Usecase": "spam"})
    assert (r.status_code, r.json()["code"]) == (400, 21713)


def test_missing_friendly_name_is_20001(http):
    r = http.post("/v1/Services", data={})
    assert (r.status_code, r.json()["code"]) == (400, 20001)
    assert r.json()["message"] == "Missing required parameter FriendlyName in the post body"


def test_invalid_webhook_url_is_not_21705(http):
    sid = _services(http)[0]["sid"]
    r = http.post(f"/v1/Services/{sid}", data={"InboundRequestUrl": "not a url"})
    assert r.status_code == 400 and r.json()["code"] == 20001  # 21705: "service is invalid"


def test_page_size_over_1000_is_20007(http):
    r = http.get("/v1/Services", params={"PageSize": 1001})
    assert (r.status_code, r.json()["code"]) == (400, 20007)
    r = http.get(f"{ACCOUNT}/IncomingPhoneNumbers.json", params={"PageSize": 5000})
    assert (r.status_code, r.json()["code"]) == (400, 20007)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/Services", {"GET", "POST"}),
        ("PATCH", "/v1/Services/MG" + "0" * 32, {"GET", "POST", "DELETE"}),
        ("DELETE", "/v1/Services/Usecases", {"GET"}),
    ],
)
def test_method_not_allowed_says_what_is(http, method, path, allowed):
    r = http.request(method, path)
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["Allow"].split(",")} == allowed


def test_every_advertised_link_answers(http):
    for service in _services(http)[:3]:
        for name, url in service["links"].items():
            assert http.get(url).status_code == 200, name


def test_date_updated_has_one_second_resolution_and_no_bump(http, emulator):
    """Two writes within one second leave date_updated alone, as on Twilio."""
    sid = _services(http)[0]["sid"]
    emulator.store.db.execute(
        "UPDATE services SET date_updated = '2099-01-01T00:00:00Z' WHERE sid = ?", (sid,)
    )
    after = http.post(f"/v1/Services/{sid}", data={"StickySender": "false"}).json()
    # a clock behind the stored stamp: a bumping emulator would have moved it to 00:00:01
    assert after["date_updated"] != "2099-01-01T00:00:01Z"
    assert after["date_updated"].endswith("Z") and len(after["date_updated"]) == 20


def test_2010_lists_page_with_a_page_token(http):
    first = http.get(f"{ACCOUNT}/IncomingPhoneNumbers.json", params={"PageSize": 5}).json()
    assert "PageToken=PA" in first["next_page_uri"]
    seen = [n["sid"] for n in first["incoming_phone_numbers"]]
    uri = first["next_page_uri"]
    while uri:
        page = http.get(uri).json()
        seen += [n["sid"] for n in page["incoming_phone_numbers"]]
        uri = page["next_page_uri"]
    assert len(seen) == len(set(seen)) == len(_numbers(http))


# ---- the client's words for each refusal, from the real answers ----------------------------
async def _refusal(client, call) -> errors.ApiError:
    with pytest.raises(errors.ApiError) as err:
        await call
    return err.value


async def test_client_explains_each_real_refusal(client, emulator):
    services = await client.list_services()
    numbers = await client.list_account_phone_numbers()
    index = pool.PoolIndex()
    await index.build(client, [s["sid"] for s in services])
    free = [n for n in numbers if index.holder(n["sid"]) is None and n["capabilities"]["sms"]]
    a, b = services[0]["sid"], services[1]["sid"]
    pn = free[0]["sid"]
    await client.add_sender(a, senders.PHONE_NUMBERS, pn)

    here = await _refusal(client, client.add_sender(a, senders.PHONE_NUMBERS, pn))
    assert here.code == 21710 and "already in this service" in pool.explain(here, "+1555")

    elsewhere = await _refusal(client, client.add_sender(b, senders.PHONE_NUMBERS, pn))
    index.learn(a, await client.list_senders(a, senders.PHONE_NUMBERS))
    assert elsewhere.code == 21712 and index.holder(pn) == a  # found by the client itself
    text = pool.explain(elsewhere, "+1555", holder_name=services[0]["friendly_name"])
    assert services[0]["friendly_name"] in text and "21712" in text

    voice = next(n for n in numbers if not n["capabilities"]["sms"])
    no_sms = await _refusal(client, client.add_sender(b, senders.PHONE_NUMBERS, voice["sid"]))
    assert no_sms.code == 21715 and "neither SMS nor MMS" in pool.explain(no_sms, "+1617")

    emulator.store.pool_limit = 0
    full = await _refusal(client, client.add_sender(b, senders.PHONE_NUMBERS, free[1]["sid"]))
    assert full.status == 412 and "pool is full" in pool.explain(full, "+1555")

    # the client checks alpha senders itself; the server's 21709 is explained all the same
    raw = await client.request("GET", f"{client.messaging_base}/v1/Services/{b}/AlphaSenders")
    assert raw is not None and not raw["alpha_senders"]
    alpha = await _refusal(
        client,
        client.request(
            "POST",
            f"{client.messaging_base}/v1/Services/{b}/AlphaSenders",
            data={"AlphaSender": "123"},
        ),
    )
    assert alpha.code == 21709 and "alpha sender ID" in pool.explain(alpha, "123")

    usecase = await _refusal(
        client,
        client.request(
            "POST",
            f"{client.messaging_base}/v1/Services",
            data={"FriendlyName": "x", "Usecase": "z"},
        ),
    )
    assert usecase.code == 21713 and usecase.field == "usecase"
    assert "use case" in pool.explain(usecase, "")
