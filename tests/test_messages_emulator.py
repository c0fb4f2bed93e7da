"""The client's Messages (api/messages.py, ops/send.py) against the emulator over loopback
HTTP, its clock injected: the wait between two fetches moves the clock, so following a
message to its final status takes no wall-clock time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from msgsvc_tui.api import errors
from msgsvc_tui.api import messages as api
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core import segments
from msgsvc_tui.core.messages import Outgoing
from msgsvc_tui.emulator.server import RunningServer
from msgsvc_tui.ops import send
from msgsvc_tui.ops.journal import Journal
from tests import test_emulator_messages as shared
from tests.test_emulator_messages import ACCOUNT, TOKEN, US_NUMBERS, Clock, make_service

# the emulator on a clock the tests move, and the SDK on it: the same fixtures as there
clock, emu, running, sdk = shared.clock, shared.emu, shared.running, shared.sdk


@pytest.fixture
async def client(running: RunningServer) -> AsyncIterator[MessagingClient]:
    async with MessagingClient(
        account_sid=ACCOUNT, username=ACCOUNT, password=TOKEN, base_url=running.url
    ) as c:
        yield c


def clock_sleep(clock: Clock):
    async def sleep(seconds: float) -> None:
        clock.now += seconds

    return sleep


def at(clock: Clock) -> datetime:
    return datetime.fromtimestamp(clock.now, UTC)


async def test_send_follow_list_and_why(client, emu, sdk, clock, tmp_path) -> None:
    service = make_service(emu, sdk, US_NUMBERS, area_code_geomatch=True)
    other = make_service(emu, sdk, [("+16175550901", "US")])
    start = at(clock)
    body = "\u201cYour order shipped\u201d \u2014 thanks"  # smart encoding makes it GSM-7
    journal = Journal(tmp_path / "j.sqlite3")
    created = await send.send_message(
        client, Outgoing(service, "+14155550177", body), journal=journal
    )
    assert created["status"] == "accepted" and created["from"] is None
    assert journal.recent()[0].after["message_sid"] == created["sid"]
    seen: list[str] = []
    final, done = await api.follow(
        client, created, sleep=clock_sleep(clock), on_change=lambda m: seen.append(m["status"])
    )
    assert done and final["status"] == "delivered"
    assert seen[-1] == "delivered" and "sent" in seen
    assert final["from"] == "+14155550901"  # area code 415 matches
    expected = segments.segment(body, smart_encoding=True)
    assert expected.encoding == "GSM-7"
    assert final["num_segments"] == str(expected.segments)
    why = await api.emulator_why(client, created["sid"])
    assert why is not None and "415" in why["why"]
    # the other service's message is on the account, not in this service's list
    other_msg = await send.send_message(client, Outgoing(other, "+16175550123", "x"), journal=None)
    await api.follow(client, other_msg, sleep=clock_sleep(clock))
    listed = await api.list_service_messages(client, service, since=start - timedelta(minutes=1))
    assert [m["sid"] for m in listed.messages] == [created["sid"]]
    listed = await api.list_service_messages(client, other, since=start - timedelta(minutes=1))
    assert [m["sid"] for m in listed.messages] == [other_msg["sid"]]
    later = await api.list_service_messages(client, service, since=at(clock) + timedelta(hours=1))
    assert later.messages == []


async def test_a_failure_code_is_explained(client, emu, sdk, clock) -> None:
    service = make_service(emu, sdk, US_NUMBERS)
    with pytest.raises(errors.ApiError) as caught:
        await send.send_message(client, Outgoing(service, "+15005550001", "hi"), journal=None)
    assert caught.value.code == 21211
