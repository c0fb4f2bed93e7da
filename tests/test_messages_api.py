"""Messages in the client (api/messages.py) and the send path (ops/send.py), over real
loopback HTTP against a server speaking the 2010 API's Messages wire format."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from msgsvc_tui.api import errors
from msgsvc_tui.api import messages as api
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core import fields
from msgsvc_tui.core.messages import Outgoing, parse_since
from msgsvc_tui.ops import send
from msgsvc_tui.ops.journal import SEND_MESSAGE, Journal
from tests.messages_fixture import ACCOUNT, TOKEN, MessagesServer, running

MG = "MG" + "a" * 32
OTHER = "MG" + "b" * 32


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def fixture() -> MessagesServer:
    return MessagesServer()


@pytest.fixture
def url(fixture: MessagesServer) -> Iterator[str]:
    with running(fixture) as server:
        yield server.url


@pytest.fixture
async def client(url: str) -> AsyncIterator[MessagingClient]:
    async with MessagingClient(
        account_sid=ACCOUNT, username=ACCOUNT, password=TOKEN, base_url=url, sleep=_no_sleep
    ) as c:
        yield c


async def test_create_sends_twilio_form(client: MessagingClient, fixture: MessagesServer) -> None:
    when = datetime.now(UTC) + timedelta(hours=1)
    out = Outgoing(
        MG,
        "+14155550123",
        "hi",
        media_urls=("https://example.com/a.png", "https://example.com/b.png"),
        validity_period=600,
        send_at=when,
    )
    created = await api.create_message(client, out)
    assert created["status"] == "scheduled"
    method, path, form = fixture.requests[-1]
    assert (method, path) == ("POST", f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json")
    assert form["MessagingServiceSid"] == [MG]
    assert form["To"] == ["+14155550123"]
    assert form["Body"] == ["hi"]
    assert form["MediaUrl"] == ["https://example.com/a.png", "https://example.com/b.png"]
    assert form["ValidityPeriod"] == ["600"]
    assert form["ScheduleType"] == ["fixed"]
    assert form["SendAt"] == [when.strftime("%Y-%m-%dT%H:%M:%SZ")]


async def test_bad_input_is_refused_before_sending(
    client: MessagingClient, fixture: MessagesServer
) -> None:
    with pytest.raises(fields.ValidationError) as caught:
        await api.create_message(client, Outgoing(MG, "4155550123", ""))
    names = {e.field_name for e in caught.value.errors}
    assert names == {"to", "body"}
    with pytest.raises(fields.ValidationError):
        await api.create_message(client, Outgoing(MG, "+1415", "x" * 1601))
    assert fixture.requests == []


async def test_twilio_refusal_is_an_api_error(client: MessagingClient) -> None:
    with pytest.raises(errors.ApiError) as caught:
        await api.create_message(client, Outgoing(MG, "+15005550001", "hi"))
    assert caught.value.code == 21211


async def test_lost_answer_is_settled_by_asking(
    client: MessagingClient, fixture: MessagesServer
) -> None:
    fixture.lose_next_create = True
    created = await api.create_message(client, Outgoing(MG, "+14155550123", "once"))
    assert created["sid"] == fixture.messages[0]["sid"]
    posts = [r for r in fixture.requests if r[0] == "POST"]
    assert len(posts) == 1  # never resent: that would be a second, billed SMS
    assert client.reconciliations[-1].applied is True


async def test_follow_reaches_a_final_status(
    client: MessagingClient, fixture: MessagesServer
) -> None:
    created = await api.create_message(client, Outgoing(MG, "+14155550123", "hi"))
    seen: list[str] = []
    final, done = await api.follow(
        client, created, sleep=_no_sleep, on_change=lambda m: seen.append(m["status"])
    )
    assert done
    assert seen == ["queued", "sending", "sent", "delivered"]
    assert final["from"] == "+14155550100"
    assert final["num_segments"] == "1"


async def test_follow_is_bounded(client: MessagingClient, fixture: MessagesServer) -> None:
    created = await api.create_message(client, Outgoing(MG, "+14155550123", "hi"))
    polling = api.Polling(interval=1, growth=1, timeout=2)
    final, done = await api.follow(client, created, polling=polling, sleep=_no_sleep)
    assert not done
    assert final["status"] == "sending"  # two fetches, then it stops asking
    assert len(polling.delays()) == 2
    assert sum(api.Polling().delays()) <= api.Polling().timeout


async def test_follow_reports_undelivered(client: MessagingClient, fixture: MessagesServer) -> None:
    fixture.outcomes["+14155550199"] = ("undelivered", 30003)
    created = await api.create_message(client, Outgoing(MG, "+14155550199", "hi"))
    final, done = await api.follow(client, created, sleep=_no_sleep)
    assert done
    assert (final["status"], final["error_code"]) == ("undelivered", 30003)


async def test_service_messages_are_picked_from_the_account(
    client: MessagingClient, fixture: MessagesServer
) -> None:
    fixture.seed(MG, 30, ago=timedelta(minutes=50))
    fixture.seed(OTHER, 60, ago=timedelta(minutes=50))
    fixture.seed(MG, 10, ago=timedelta(days=3))  # outside the window
    got = await api.list_service_messages(
        client, MG, since=datetime.now(UTC) - timedelta(hours=1), page_size=7
    )
    assert len(got.messages) == 30
    assert all(m["messaging_service_sid"] == MG for m in got.messages)
    assert not got.truncated
    assert got.pages >= 13  # every page of the window was read, and nothing past it
    lists = [r for r in fixture.requests if r[0] == "GET"]
    assert lists[0][2]["DateSent>"][0].endswith("Z")
    stamps = [m["date_sent"] for m in got.messages]
    assert len(set(stamps)) == len(stamps)


async def test_service_messages_are_bounded(
    client: MessagingClient, fixture: MessagesServer
) -> None:
    fixture.seed(OTHER, 50, ago=timedelta(minutes=30))
    fixture.seed(MG, 50, ago=timedelta(minutes=30))
    since = datetime.now(UTC) - timedelta(hours=1)
    few = await api.list_service_messages(client, MG, since=since, limit=5, page_size=10)
    assert len(few.messages) == 5
    assert few.truncated
    scanned = await api.list_service_messages(client, MG, since=since, scan_limit=20, page_size=10)
    assert scanned.scanned == 20
    assert scanned.truncated


async def test_status_filter(client: MessagingClient, fixture: MessagesServer) -> None:
    fixture.seed(MG, 5, ago=timedelta(minutes=30), status="failed")
    fixture.seed(MG, 5, ago=timedelta(minutes=30))
    got = await api.list_service_messages(
        client, MG, since=datetime.now(UTC) - timedelta(hours=1), status="failed"
    )
    assert [m["status"] for m in got.messages] == ["failed"] * 5


async def test_send_journals_before_sending(
    client: MessagingClient, fixture: MessagesServer, tmp_path
) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    seen_at_send: list[str] = []
    original = fixture.create

    def spying(form):  # the entry exists when the request arrives
        seen_at_send.extend(e.after["state"] for e in journal.recent())
        return original(form)

    fixture.create = spying  # type: ignore[method-assign]
    created = await send.send_message(
        client, Outgoing(MG, "+14155550123", "hi"), journal=journal, service={"friendly_name": "S"}
    )
    assert seen_at_send == ["sending"]
    [entry] = journal.recent()
    assert entry.action == SEND_MESSAGE
    assert entry.after["state"] == "sent"
    assert entry.after["message_sid"] == created["sid"]
    assert entry.after["server"] == client.api_base
    assert entry.after["account"] == ACCOUNT
    assert "message to +14155550123: sent SM" in entry.describe()
    assert journal.last_written(ACCOUNT) == []  # a message is never offered to undo


async def test_send_refused_is_journalled_as_not_sent(client: MessagingClient, tmp_path) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    with pytest.raises(errors.ApiError):
        await send.send_message(client, Outgoing(MG, "+15005550001", "hi"), journal=journal)
    assert journal.recent()[0].after["state"] == "not sent"


async def test_send_in_readonly_sends_and_journals_nothing(
    url: str, fixture: MessagesServer, tmp_path
) -> None:
    journal = Journal(tmp_path / "j.sqlite3")
    async with MessagingClient(
        account_sid=ACCOUNT, username=ACCOUNT, password=TOKEN, base_url=url, readonly=True
    ) as ro:
        with pytest.raises(errors.ReadonlyError):
            await send.send_message(ro, Outgoing(MG, "+14155550123", "hi"), journal=journal)
    assert fixture.requests == []
    assert journal.recent() == []


async def test_confirmation_only_off_loopback(client: MessagingClient) -> None:
    out = Outgoing(MG, "+14155550123", "hi")
    assert send.confirmation(client, out) is None
    async with MessagingClient(account_sid=ACCOUNT, username=ACCOUNT, password=TOKEN) as real:
        question = send.confirmation(real, out)
    assert question == (f"This sends a real SMS to +14155550123, billed to {ACCOUNT}. Send it?")


def test_parse_since() -> None:
    assert parse_since("1h") == timedelta(hours=1)
    assert parse_since("30m") == timedelta(minutes=30)
    assert parse_since("2d") == timedelta(days=2)
    for bad in ("", "1", "h", "0h", "-1h", "1y"):
        with pytest.raises(ValueError):
            parse_since(bad)


def test_a_2010_envelope_with_its_paging_first_gives_the_next_link_early() -> None:
    from msgsvc_tui.api.protocol import leading_meta, worth_looking

    uri = "/2010-04-01/Accounts/AC1/Messages.json?PageSize=2&Page=1&PageToken=PA1"
    body = json.dumps(
        {"end": 1, "next_page_uri": uri, "page": 0, "messages": [{"sid": "SM1", "to": "[x]"}]}
    ).encode()
    end = body.index(b'"page"')
    for cut in range(len(body) + 1):
        found = leading_meta(body[:cut])
        assert found == ({"next_page_uri": uri} if cut >= end - 2 else None), cut
    last = json.dumps({"end": 1, "next_page_uri": None, "messages": []}).encode()
    assert leading_meta(last) == {"next_page_uri": None}
    items_first = json.dumps({"messages": [{"body": "x"}], "next_page_uri": uri}).encode()
    assert leading_meta(items_first) is None
    assert not worth_looking(items_first[:20])
    assert worth_looking(body[:20])
