"""Messages through a service, as the official `twilio` SDK sees them from the emulator:
sender selection, encoding, queues, statuses, signed status callbacks and inbound webhooks.

The emulator runs behind uvicorn on loopback with its clock injected, so a test moves time
instead of waiting; webhooks land on a real loopback HTTP server the test runs.
"""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from msgsvc_tui.core import senders
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.server import RunningServer, open_emulator, start_in_thread
from tests.malicious_server import serving
from tests.test_twilio_sdk import LoopbackHttpClient

ACCOUNT = demo.DEMO_ACCOUNT_SID
TOKEN = demo.DEMO_AUTH_TOKEN
T0 = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


@dataclass
class Hook:
    """What the webhook receiver got: one POST."""

    path: str
    url: str
    params: dict[str, str]
    signature: str


@dataclass
class Receiver:
    """A loopback HTTP server standing in for the user's app: records every request and
    answers each path with a configured (status, body)."""

    url: str
    hooks: list[Hook] = field(default_factory=list)
    answers: dict[str, tuple[int, str]] = field(default_factory=dict)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            size = int(self.headers.get("Content-Length") or 0)
            params = dict(parse_qsl(self.rfile.read(size).decode(), keep_blank_values=True))
            state.hooks.append(
                Hook(
                    self.path,
                    state.url + self.path,
                    params,
                    self.headers.get("X-Twilio-Signature", ""),
                )
            )
            status, body = state.answers.get(self.path, (200, ""))
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body.encode())))
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    with serving(http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as url:
        state.url = url
        yield state


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emu(clock: Clock) -> EmulatorApp:
    app = open_emulator(":memory:")
    app.store.clock = clock
    return app


@pytest.fixture
def running(emu: EmulatorApp) -> Iterator[RunningServer]:
    server = start_in_thread(emu)
    yield server
    server.stop()


@pytest.fixture
def sdk(running: RunningServer) -> Client:
    return Client(ACCOUNT, TOKEN, http_client=LoopbackHttpClient(running.url))


def make_service(
    emu: EmulatorApp, sdk: Client, numbers: list[tuple[str, str]], **settings: Any
) -> str:
    """A service made and filled through the SDK: `numbers` are (E.164, country) bought
    into the account first."""
    service = sdk.messaging.v1.services.create(friendly_name="test", **settings)
    for value, country in numbers:
        sid = emu.store.add_account_number(
            ACCOUNT, senders.PHONE_NUMBERS, value, country_code=country, capabilities=["SMS", "MMS"]
        )
        sdk.messaging.v1.services(service.sid).phone_numbers.create(phone_number_sid=sid)
    return str(service.sid)


def send(sdk: Client, service: str, to: str, body: str = "hello", **kw: Any) -> str:
    return str(sdk.messages.create(messaging_service_sid=service, to=to, body=body, **kw).sid)


US_NUMBERS = [("+12125550901", "US"), ("+14155550901", "US"), ("+13125550901", "US")]


def test_sticky_sender_keeps_one_from_per_recipient(emu, sdk, clock):
    sticky = make_service(emu, sdk, US_NUMBERS, sticky_sender=True, area_code_geomatch=False)
    loose = make_service(
        emu,
        sdk,
        [("+12125550902", "US"), ("+14155550902", "US"), ("+13125550902", "US")],
        sticky_sender=False,
        area_code_geomatch=False,
    )
    sids = [send(sdk, sticky, "+16175551234") for _ in range(4)]
    others = [send(sdk, loose, "+16175551234") for _ in range(4)]
    clock.now += 60
    froms = {sdk.messages(s).fetch().from_ for s in sids}
    assert len(froms) == 1
    assert len({sdk.messages(s).fetch().from_ for s in others}) > 1
    # later, the mapping still holds
    clock.now += 3600
    assert sdk.messages(send(sdk, sticky, "+16175551234")).fetch().from_ in froms


def test_sticky_mapping_survives_off_and_on_and_goes_with_its_number(emu, sdk, clock):
    service = make_service(emu, sdk, US_NUMBERS, sticky_sender=True, area_code_geomatch=False)
    first = send(sdk, service, "+16175550000")
    clock.now += 10
    mapped = sdk.messages(first).fetch().from_
    sdk.messaging.v1.services(service).update(sticky_sender=False)
    send(sdk, service, "+16175550000")  # ignored mapping: not refreshed, not dropped
    sdk.messaging.v1.services(service).update(sticky_sender=True)
    clock.now += 10
    again = send(sdk, service, "+16175550000")
    clock.now += 10
    assert sdk.messages(again).fetch().from_ == mapped
    member = next(
        p
        for p in sdk.messaging.v1.services(service).phone_numbers.list()
        if p.phone_number == mapped
    )
    sdk.messaging.v1.services(service).phone_numbers(member.sid).delete()
    moved = send(sdk, service, "+16175550000")
    clock.now += 10
    assert sdk.messages(moved).fetch().from_ not in (mapped, None)


def test_area_code_geomatch_picks_the_recipients_area_code(emu, sdk, clock):
    service = make_service(emu, sdk, US_NUMBERS, area_code_geomatch=True, sticky_sender=False)
    sid = send(sdk, service, "+14155557777")
    created = sdk.messages(sid).fetch()
    clock.now += 10
    message = sdk.messages(sid).fetch()
    assert message.from_ == "+14155550901"
    assert created.status == "sending"  # an idle sender takes it at once
    with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
        base = sdk.http_client.base
        why = http.get(f"{base.scheme}://{base.netloc}/emulator/v1/Messages/{sid}").json()
    assert "area code 415 matches" in why["why"]


def test_a_new_message_is_accepted_with_no_sender_yet(emu, sdk, running):
    service = make_service(emu, sdk, US_NUMBERS)
    with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
        answer = http.post(
            f"{running.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
            data={"MessagingServiceSid": service, "To": "+14155550123", "Body": "hi"},
        )
    assert answer.status_code == 201
    body = answer.json()
    assert body["status"] == "accepted" and body["from"] is None and body["num_segments"] == "0"
    assert "area code 415" in answer.headers["X-Emulator-Why-Sender"]


def test_message_has_exactly_the_specs_fields(emu, sdk, running, api2010_spec):
    schema = api2010_spec["components"]["schemas"]["api.v2010.account.message"]
    service = make_service(emu, sdk, US_NUMBERS)
    with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
        created = http.post(
            f"{running.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
            data={"MessagingServiceSid": service, "To": "+14155550123", "Body": "hi"},
        ).json()
        listed = http.get(f"{running.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json").json()
    assert set(created) == set(schema["properties"])
    assert set(listed) == {
        "messages", "page", "page_size", "start", "end", "uri", "first_page_uri",
        "next_page_uri", "previous_page_uri",
    }  # fmt: skip


TYPOGRAPHIC = (
    "\u201cYour order is ready\u201d \u2014 pick it up at the front desk,"
    " we\u2019re open until 9 today!"
)


def test_smart_encoding_makes_a_typographic_text_one_segment(emu, sdk, clock):
    body = (TYPOGRAPHIC + " Thanks!" * 10)[:100]
    assert len(body) == 100 and "\u201c" in body
    smart = make_service(emu, sdk, US_NUMBERS[:1], smart_encoding=True)
    plain = make_service(emu, sdk, [("+12125550903", "US")], smart_encoding=False)
    one, two = send(sdk, smart, "+14155550100", body), send(sdk, plain, "+14155550100", body)
    clock.now += 10
    assert sdk.messages(one).fetch().num_segments == "1"
    assert sdk.messages(two).fetch().num_segments == "2"
    assert sdk.messages(one).fetch().body == body  # the resource keeps what was sent


def test_a_short_validity_period_fails_messages_still_queued_with_30036(emu, sdk, clock):
    service = make_service(emu, sdk, [("+12125550904", "US")], validity_period=5)
    sids = [send(sdk, service, f"+1415555{i:04d}") for i in range(30)]
    clock.now += 120
    messages = [sdk.messages(s).fetch() for s in sids]
    failed = [m for m in messages if m.status == "failed"]
    delivered = [m for m in messages if m.status == "delivered"]
    assert failed and delivered and len(failed) + len(delivered) == 30
    assert {m.error_code for m in failed} == {30036}
    # one long code sends one segment a second: the first few make it, in order
    assert [m.status for m in messages[:3]] == ["delivered"] * 3


def test_a_message_validity_period_overrides_the_service(emu, sdk, clock):
    service = make_service(emu, sdk, [("+12125550905", "US")])
    sids = [send(sdk, service, "+14155550001", validity_period=2) for _ in range(6)]
    clock.now += 60
    assert any(sdk.messages(s).fetch().error_code == 30036 for s in sids)


def test_status_callbacks_are_signed_as_the_sdk_validates(emu, sdk, clock, receiver):
    service = make_service(emu, sdk, US_NUMBERS, status_callback=f"{receiver.url}/status")
    sid = send(sdk, service, "+14155550199")
    own = send(sdk, service, "+15005553007", status_callback=f"{receiver.url}/mine?x=1")
    clock.now += 30
    sdk.messages(sid).fetch()  # any request settles what is due
    emu.webhooks.drain()
    validator = RequestValidator(TOKEN)
    assert receiver.hooks
    for hook in receiver.hooks:
        assert validator.validate(hook.url, hook.params, hook.signature), hook
        assert not validator.validate(hook.url, {**hook.params, "To": "+1"}, hook.signature)
    statuses = [h.params["MessageStatus"] for h in receiver.hooks if h.params["MessageSid"] == sid]
    assert statuses == ["queued", "sent", "delivered"]  # none for the initial status
    mine = [h for h in receiver.hooks if h.params["MessageSid"] == own]
    assert {h.path for h in mine} == {"/mine?x=1"}  # the message's own URL wins
    assert mine[-1].params["MessageStatus"] == "undelivered"
    assert mine[-1].params["ErrorCode"] == "30007"


def test_webhooks_beyond_loopback_are_only_described(emu, sdk, clock):
    service = make_service(emu, sdk, US_NUMBERS, status_callback="https://hooks.example.com/s")
    sid = send(sdk, service, "+14155550199")
    clock.now += 30
    sdk.messages.list(limit=1)
    emu.webhooks.drain()
    calls = [c for c in emu.webhooks.calls() if c.message_sid == sid]
    assert len(calls) == 3
    assert all(c.outcome.startswith("would call POST https://hooks.example.com/s") for c in calls)


def test_inbound_goes_to_the_fallback_and_its_twiml_reply_is_sent(
    emu, sdk, clock, receiver, running
):
    receiver.answers["/inbound"] = (500, "")
    receiver.answers["/fallback"] = (
        200,
        "<?xml version='1.0'?><Response><Message>Thanks, we got it</Message></Response>",
    )
    service = make_service(
        emu,
        sdk,
        [("+14155550906", "US")],
        inbound_request_url=f"{receiver.url}/inbound",
        fallback_url=f"{receiver.url}/fallback",
    )
    with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
        answer = http.post(
            f"{running.url}/emulator/v1/Inbound",
            data={"From": "+16175550123", "To": "+14155550906", "Body": "Is my order ready?"},
        )
    assert answer.status_code == 201 and answer.json()["direction"] == "inbound"
    emu.webhooks.drain()
    paths = [h.path for h in receiver.hooks]
    assert paths == ["/inbound", "/fallback"]
    validator = RequestValidator(TOKEN)
    first, second = receiver.hooks
    assert validator.validate(first.url, first.params, first.signature)
    assert (
        first.params["Body"] == "Is my order ready?"
        and first.params["MessagingServiceSid"] == service
    )
    assert second.params["ErrorCode"] == "11200" and second.params["ErrorUrl"] == first.url
    clock.now += 10
    replies = sdk.messages.list(to="+16175550123")
    assert [(m.direction, m.from_, m.body) for m in replies] == [
        ("outbound-reply", "+14155550906", "Thanks, we got it")
    ]
    assert replies[0].status == "delivered"


def test_inbound_uses_the_numbers_own_webhook_when_the_service_says_so(emu, sdk, receiver, running):
    service = make_service(
        emu,
        sdk,
        [("+14155550907", "US")],
        inbound_request_url=f"{receiver.url}/service",
        use_inbound_webhook_on_number=True,
    )
    number = emu.store.number_by_value(ACCOUNT, "+14155550907")
    emu.store.set_number_webhook(number["sid"], f"{receiver.url}/number")
    with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
        http.post(
            f"{running.url}/emulator/v1/Inbound",
            data={"From": "+16175550123", "To": "+14155550907", "Body": "hi"},
        ).raise_for_status()
    emu.webhooks.drain()
    assert [h.path for h in receiver.hooks] == ["/number"]
    assert service


def test_stop_opts_the_sender_out_of_the_service(emu, sdk, running):
    service = make_service(emu, sdk, [("+14155550908", "US")])
    with httpx.Client(auth=(ACCOUNT, TOKEN)) as http:
        http.post(
            f"{running.url}/emulator/v1/Inbound",
            data={"From": "+16175550124", "To": "+14155550908", "Body": "STOP"},
        ).raise_for_status()
    from twilio.base.exceptions import TwilioRestException

    with pytest.raises(TwilioRestException) as refused:
        send(sdk, service, "+16175550124")
    assert refused.value.code == 21610


@pytest.mark.parametrize(
    ("to", "code"),
    [("+15005550001", 21211), ("+15005550002", 21612), ("+15005550004", 21610), ("12", 21211)],
)
def test_test_credential_magic_numbers_are_refused_with_their_codes(emu, sdk, to, code):
    from twilio.base.exceptions import TwilioRestException

    service = make_service(emu, sdk, US_NUMBERS[:1])
    with pytest.raises(TwilioRestException) as refused:
        send(sdk, service, to)
    assert refused.value.code == code and refused.value.status == 400


def test_the_list_filters_by_date_sent_and_pages(emu, sdk, clock):
    service = make_service(emu, sdk, [("+12125550909", "US")], validity_period=36000)
    early = [send(sdk, service, "+14155550300") for _ in range(3)]
    clock.now += 86400 * 2
    late = [send(sdk, service, "+14155550300") for _ in range(5)]
    clock.now += 60
    from datetime import UTC, datetime

    after = datetime.fromtimestamp(T0 + 86400, UTC)
    got = sdk.messages.list(date_sent_after=after, to="+14155550300", page_size=2)
    assert [m.sid for m in got] == list(reversed(late))  # newest first, across 3 pages
    before = sdk.messages.list(date_sent_before=after, to="+14155550300")
    assert [m.sid for m in before] == list(reversed(early))


def test_mms_to_a_country_without_mms_goes_as_sms_with_a_link(emu, sdk, clock):
    service = make_service(emu, sdk, [("+447700900901", "GB")], mms_converter=True)
    sid = send(sdk, service, "+447700900555", body="Your ticket", media_url=["https://e.x/t.png"])
    assert sid.startswith("MM")
    clock.now += 10
    message = sdk.messages(sid).fetch()
    assert message.num_media == "0" and message.status == "delivered"
    off = make_service(emu, sdk, [("+447700900902", "GB")], mms_converter=False)
    failed = send(sdk, off, "+447700900556", body="x", media_url=["https://e.x/t.png"])
    clock.now += 10
    assert sdk.messages(failed).fetch().error_code == 30011


def test_short_code_first_and_rerouted_for_a_carrier_without_short_codes(emu, sdk, clock):
    service = make_service(emu, sdk, [("+14155550910", "US")], area_code_geomatch=True)
    code = emu.store.add_account_number(
        ACCOUNT, senders.SHORT_CODES, "77777", country_code="US", capabilities=["SMS"]
    )
    sdk.messaging.v1.services(service).short_codes.create(short_code_sid=code)
    normal = send(sdk, service, "+14155551000")
    small = send(sdk, service, "+14155559901")  # 555-99XX: a carrier without short codes
    clock.now += 10
    assert sdk.messages(normal).fetch().from_ == "77777"
    assert sdk.messages(small).fetch().from_ == "+14155550910"


def test_alpha_sender_for_a_country_that_takes_one(emu, sdk, clock):
    service = make_service(emu, sdk, [("+14155550911", "US")])
    sdk.messaging.v1.services(service).alpha_senders.create(alpha_sender="AcmeTest")
    abroad = send(sdk, service, "+4915112340000")
    home = send(sdk, service, "+14155551001")
    clock.now += 10
    assert sdk.messages(abroad).fetch().from_ == "AcmeTest"
    assert sdk.messages(home).fetch().from_ == "+14155550911"  # never alpha to the US


def test_bulk_messages_are_listed_by_service(emu, sdk):
    from msgsvc_tui.emulator.demo_messages import seed_bulk_messages

    service = make_service(emu, sdk, US_NUMBERS[:1])
    seed_bulk_messages(emu.store, ACCOUNT, 3000, service)
    mine = [m for m in sdk.messages.stream(page_size=1000) if m.messaging_service_sid == service]
    assert len(mine) == 300 and {m.status for m in mine} == {"delivered"}


def test_the_emulator_refuses_a_clock_that_does_not_run(capsys, tmp_path):
    from msgsvc_tui.cli import main
    from msgsvc_tui.core.exit_codes import ExitCode

    code = main(["emulator", "--clock-speed", "0", "--db", str(tmp_path / "e.sqlite3")])
    assert code == ExitCode.USAGE
    assert "--clock-speed must be above 0" in capsys.readouterr().err
    assert not (tmp_path / "e.sqlite3").exists()


def test_a_scheduled_message_waits_for_its_time_and_can_be_canceled(emu, sdk, clock):
    from datetime import UTC, datetime

    from twilio.base.exceptions import TwilioRestException

    service = make_service(emu, sdk, US_NUMBERS[:1])
    at = datetime.fromtimestamp(T0 + 3600, UTC)
    kept, dropped = (
        sdk.messages.create(
            messaging_service_sid=service, to=to, body="later", schedule_type="fixed", send_at=at
        )
        for to in ("+14155550400", "+14155550401")
    )
    assert kept.status == dropped.status == "scheduled" and kept.from_ is None
    assert sdk.messages(dropped.sid).update(status="canceled").status == "canceled"
    with pytest.raises(TwilioRestException) as refused:
        sdk.messages(dropped.sid).update(status="canceled")
    assert refused.value.code == 30409
    clock.now += 1800
    assert sdk.messages(kept.sid).fetch().status == "scheduled"
    clock.now += 1800 + 10
    assert sdk.messages(kept.sid).fetch().status == "delivered"
    assert sdk.messages(kept.sid).fetch().from_ == "+12125550901"
    assert sdk.messages(dropped.sid).fetch().status == "canceled"
    with pytest.raises(TwilioRestException) as soon:
        sdk.messages.create(
            messaging_service_sid=service,
            to="+14155550402",
            body="x",
            schedule_type="fixed",
            send_at=datetime.fromtimestamp(clock.now + 60, UTC),
        )
    assert soon.value.code == 35114


def test_a_long_list_page_sends_its_paging_fields_first_then_the_rest(emu, running):
    """A page of messages is streamed (chunked): its paging fields (the next page's link) lead,
    the items follow as they are rendered, and the whole is the JSON a client reads."""
    import json

    import httpx

    from msgsvc_tui.emulator.demo_messages import seed_bulk_messages

    playground = next(
        r.data["sid"]
        for r in emu.store.list_services(ACCOUNT, after=None, before=None, limit=1000)
        if r.data["friendly_name"] == "Event Tickets"
    )
    seed_bulk_messages(emu.store, ACCOUNT, 450, playground)
    url = f"{running.url}/2010-04-01/Accounts/{ACCOUNT}/Messages.json?PageSize=400"
    with httpx.stream("GET", url, auth=(ACCOUNT, TOKEN)) as answer:
        assert answer.status_code == 200 and "content-length" not in answer.headers
        pieces = list(answer.iter_raw())
    body = b"".join(pieces).decode()
    # the paging fields lead (how many network reads the pieces took is the kernel's say)
    assert body.index('"next_page_uri"') < body.index('"messages": [') < body.index('"sid"')
    page = json.loads(body)
    assert len(page["messages"]) == 400 and page["end"] == 399
    assert list(page)[-1] == "messages" and page["next_page_uri"]
    following = httpx.get(f"{running.url}{page['next_page_uri']}", auth=(ACCOUNT, TOKEN)).json()
    seen = {m["sid"] for m in page["messages"]} | {m["sid"] for m in following["messages"]}
    assert len(seen) == 400 + len(following["messages"]) == emu.store.count_messages(ACCOUNT)
