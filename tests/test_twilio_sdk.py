"""The official `twilio` SDK drives the emulator as it would drive Twilio.

A small HttpClient rewrites https://messaging.twilio.com (and any host the SDK builds) to the
emulator's loopback address; nothing else about the SDK is changed.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from msgsvc_tui.emulator import demo


class LoopbackHttpClient(TwilioHttpClient):
    def __init__(self, base_url: str) -> None:
        super().__init__(timeout=10)
        self.base = urlsplit(base_url)
        self.requests: list[tuple[str, str]] = []

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        assert parts.hostname.endswith(("twilio.com", "127.0.0.1")), parts.hostname
        rewritten = urlunsplit((self.base.scheme, self.base.netloc, parts.path, parts.query, ""))
        self.requests.append((method, rewritten))
        return super().request(method, rewritten, *args, **kwargs)


@pytest.fixture
def sdk(server):
    http = LoopbackHttpClient(server.url)
    client = Client(demo.DEMO_ACCOUNT_SID, demo.DEMO_AUTH_TOKEN, http_client=http)
    client._http = http
    return client


def test_create_fetch_update_delete(sdk):
    created = sdk.messaging.v1.services.create(
        friendly_name="From the SDK",
        status_callback="https://sdk.example/status",
        sticky_sender=False,
        validity_period=900,
        usecase="notifications",
    )
    assert created.sid.startswith("MG") and len(created.sid) == 34
    assert created.sticky_sender is False and created.validity_period == 900
    assert created.date_created is not None  # the SDK parsed our ISO 8601 date
    fetched = sdk.messaging.v1.services(created.sid).fetch()
    assert fetched.friendly_name == "From the SDK"
    toggled = sdk.messaging.v1.services(created.sid).update(sticky_sender=True)
    assert toggled.sticky_sender is True
    renamed = sdk.messaging.v1.services(created.sid).update(friendly_name="Renamed by SDK")
    assert renamed.friendly_name == "Renamed by SDK" and renamed.sticky_sender is True
    cleared = sdk.messaging.v1.services(created.sid).update(status_callback="")
    assert cleared.status_callback is None
    assert sdk.messaging.v1.services(created.sid).delete() is True
    with pytest.raises(TwilioRestException) as err:
        sdk.messaging.v1.services(created.sid).fetch()
    assert err.value.status == 404 and err.value.code == 20404


def test_list_with_small_pages(sdk):
    services = sdk.messaging.v1.services.list(page_size=4)
    assert len(services) == demo.SERVICE_COUNT
    assert len({s.sid for s in services}) == demo.SERVICE_COUNT
    gets = [u for m, u in sdk._http.requests if m == "GET"]
    assert len(gets) == -(
        -demo.SERVICE_COUNT // 4
    )  # ceil(services / 4) pages followed through next_page_url
    limited = sdk.messaging.v1.services.list(limit=6, page_size=4)
    assert len(limited) == 6


def test_stream_and_page(sdk):
    page = sdk.messaging.v1.services.page(page_size=10)
    assert len(list(page)) == 10
    nxt = page.next_page()
    assert nxt is not None and len(list(nxt)) == 10


def test_bad_input_is_400_with_code(sdk):
    with pytest.raises(TwilioRestException) as err:
        sdk.messaging.v1.services.create(friendly_name="x" * 65)
    assert (err.value.status, err.value.code) == (400, 20002)
    sid = sdk.messaging.v1.services.list(limit=1)[0].sid
    with pytest.raises(TwilioRestException) as err:
        sdk.messaging.v1.services(sid).update(validity_period=0)
    assert (err.value.status, err.value.code) == (400, 90007)
    with pytest.raises(TwilioRestException) as err:
        sdk.messaging.v1.services(sid).update(inbound_request_url="not a url")
    assert (err.value.status, err.value.code) == (400, 20001)  # not 21705: another meaning


def test_wrong_credentials(server):
    http = LoopbackHttpClient(server.url)
    client = Client(demo.DEMO_ACCOUNT_SID, "wrong-token", http_client=http)
    with pytest.raises(TwilioRestException) as err:
        client.messaging.v1.services("MG" + "0" * 32).fetch()
    assert (err.value.status, err.value.code) == (401, 20003)


def test_subresources(sdk):
    services = sdk.messaging.v1.services.list()
    svc = sdk.messaging.v1.services(services[0].sid)
    numbers = sdk.api.v2010.account.incoming_phone_numbers.list()
    assert len(numbers) == 33 + 14 and numbers[0].capabilities["sms"] in (True, False)
    free = numbers[-1]
    added = svc.phone_numbers.create(phone_number_sid=free.sid)
    assert added.sid == free.sid and added.phone_number == free.phone_number
    assert added.service_sid == services[0].sid
    assert any(p.sid == free.sid for p in svc.phone_numbers.list())
    assert free.phone_number.startswith("+44")  # the demo's last free number is British
    assert svc.phone_numbers(free.sid).fetch().country_code == "GB"
    assert svc.phone_numbers(free.sid).delete() is True
    assert all(p.sid != free.sid for p in svc.phone_numbers.list())

    codes = sdk.api.v2010.account.short_codes.list()
    assert len(codes) == 5
    free_code = codes[-1]
    sc = svc.short_codes.create(short_code_sid=free_code.sid)
    assert sc.short_code == free_code.short_code
    assert svc.short_codes(free_code.sid).delete() is True

    alpha = svc.alpha_senders.create(alpha_sender="SdkSender")
    assert alpha.alpha_sender == "SdkSender" and alpha.sid.startswith("AI")
    assert [a.sid for a in svc.alpha_senders.list()] == [alpha.sid]
    assert svc.alpha_senders(alpha.sid).fetch().alpha_sender == "SdkSender"
    assert svc.alpha_senders(alpha.sid).delete() is True


def test_usecases(sdk):
    usecases = sdk.messaging.v1.usecases.fetch().usecases
    assert [u["usecase"] for u in usecases][:2] == ["notifications", "marketing"]
