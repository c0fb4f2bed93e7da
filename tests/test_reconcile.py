"""Lost answers are settled by asking the server, never by sending the write again.

Every write the client makes (create, update, delete, add and remove a sender) meets every fault
kind; what the client reports must be what the emulator's own store shows: applied exactly once,
or not at all, or "unknown" only when the server cannot tell.
"""

from __future__ import annotations

import httpx
import pytest

from msgsvc_tui.api import errors
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core import senders
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.faults import ALL_KINDS, FaultKind, FaultyTransport
from msgsvc_tui.emulator.server import open_emulator

ACCOUNT = demo.DEMO_ACCOUNT_SID


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
def emu() -> EmulatorApp:
    return open_emulator(":memory:")


def _client(emu: EmulatorApp) -> tuple[MessagingClient, FaultyTransport]:
    faults = FaultyTransport(httpx.ASGITransport(app=emu))  # type: ignore[arg-type]
    client = MessagingClient(
        account_sid=ACCOUNT,
        username=ACCOUNT,
        password=demo.DEMO_AUTH_TOKEN,
        base_url="http://emulator.localhost",
        transport=faults,
        sleep=_no_sleep,
    )
    return client, faults


def _writes(faults: FaultyTransport) -> list[str]:
    return [f"{e.method} {e.path}" for e in faults.log if e.method != "GET"]


def _named(emu: EmulatorApp, name: str) -> list[dict]:
    rows = emu.store.list_services(ACCOUNT, after=None, before=None, limit=10_000)
    return [r.data for r in rows if r.data["friendly_name"] == name]


@pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
async def test_create_reports_what_the_server_did(emu, kind):
    client, faults = _client(emu)
    faults.script(kind)
    async with client:
        if kind.applies or kind is FaultKind.STATUS_429:
            created = await client.create_service({"friendly_name": "Lost answer"})
            assert [s["sid"] for s in _named(emu, "Lost answer")] == [created["sid"]]
        else:
            with pytest.raises(errors.NotAppliedError, match="did not happen"):
                await client.create_service({"friendly_name": "Lost answer"})
            assert _named(emu, "Lost answer") == []
    posts = [w for w in _writes(faults) if w.startswith("POST")]
    # resent only after a 429, which Twilio never processed
    assert len(posts) == (2 if kind is FaultKind.STATUS_429 else 1)
    if kind is not FaultKind.STATUS_429:
        verdict = client.reconciliations[-1]
        assert verdict.action == "create" and verdict.applied is kind.applies


@pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
async def test_update_reports_what_the_server_did(emu, kind):
    client, faults = _client(emu)
    async with client:
        sid = (await client.list_services())[0]["sid"]
        before = emu.store.get_service(ACCOUNT, sid)["validity_period"]
        faults.script(kind)
        if kind.applies or kind is FaultKind.STATUS_429:
            updated = await client.update_service(sid, {"validity_period": 123})
            assert updated["validity_period"] == 123
        else:
            with pytest.raises(errors.NotAppliedError):
                await client.update_service(sid, {"validity_period": 123})
    stored = emu.store.get_service(ACCOUNT, sid)["validity_period"]
    assert stored == (123 if kind.applies or kind is FaultKind.STATUS_429 else before)


@pytest.mark.parametrize("kind", ALL_KINDS, ids=str)
async def test_delete_reports_what_the_server_did(emu, kind):
    client, faults = _client(emu)
    async with client:
        sid = (await client.list_services())[0]["sid"]
        faults.script(kind)
        if kind.applies or kind is FaultKind.STATUS_429:
            await client.delete_service(sid)  # a 404 on the check afterwards means deleted
        else:
            with pytest.raises(errors.NotAppliedError, match="still there"):
                await client.delete_service(sid)
    gone = emu.store.count_services(ACCOUNT) == demo.SERVICE_COUNT - 1
    assert gone is (kind.applies or kind is FaultKind.STATUS_429)
    assert len([w for w in _writes(faults) if w.startswith("DELETE")]) == (
        2 if kind is FaultKind.STATUS_429 else 1
    )


@pytest.mark.parametrize("kind", [FaultKind.RESET_AFTER, FaultKind.STALL_BEFORE], ids=str)
async def test_sender_add_and_remove_are_reconciled(emu, kind):
    client, faults = _client(emu)
    async with client:
        sid = (await client.list_services())[0]["sid"]
        numbers = await client.list_account_phone_numbers()
        free = next(
            n
            for n in numbers
            if n["capabilities"]["sms"]
            and emu.store.db.execute(
                "SELECT service_sid FROM numbers WHERE sid = ?", (n["sid"],)
            ).fetchone()[0]
            is None
        )
        faults.script(kind)
        if kind.applies:
            added = await client.add_sender(sid, senders.PHONE_NUMBERS, free["sid"])
            assert added["sid"] == free["sid"]
        else:
            with pytest.raises(errors.NotAppliedError):
                await client.add_sender(sid, senders.PHONE_NUMBERS, free["sid"])
            await client.add_sender(sid, senders.PHONE_NUMBERS, free["sid"])
        faults.script(kind)
        if kind.applies:
            await client.remove_sender(sid, senders.PHONE_NUMBERS, free["sid"])
        else:
            with pytest.raises(errors.NotAppliedError):
                await client.remove_sender(sid, senders.PHONE_NUMBERS, free["sid"])
    holder = emu.store.db.execute(
        "SELECT service_sid FROM numbers WHERE sid = ?", (free["sid"],)
    ).fetchone()[0]
    assert holder == (None if kind.applies else sid)


async def test_two_candidates_stay_unknown_with_both_named(emu):
    """Someone else made a service of the same name meanwhile: the truth is 'unknown'."""
    client, faults = _client(emu)
    async with client:
        twin = await client.create_service({"friendly_name": "Twins"})
        faults.script(FaultKind.RESET_AFTER)
        with pytest.raises(errors.OutcomeUnknownError) as err:
            await client.create_service({"friendly_name": "Twins"})
    assert twin["sid"] in err.value.candidates and len(err.value.candidates) == 2
    assert client.reconciliations[-1].applied is None


async def test_unknown_when_the_server_cannot_be_asked(emu):
    client, faults = _client(emu)
    client.max_retries = 1
    faults.script(FaultKind.RESET_AFTER, FaultKind.STALL_BEFORE, FaultKind.STALL_BEFORE)
    async with client:
        with pytest.raises(errors.OutcomeUnknownError, match="asking the server failed too"):
            await client.create_service({"friendly_name": "Unreachable"})
    assert len(_named(emu, "Unreachable")) == 1  # it did happen; the client said "unknown"


async def test_a_cut_2xx_body_on_a_write_is_confirmed_not_garbled(emu):
    client, faults = _client(emu)
    faults.script(FaultKind.CUT_BODY)
    async with client:
        created = await client.create_service({"friendly_name": "Cut short"})
    assert created["friendly_name"] == "Cut short"
    assert client.reconciliations[-1].applied is True


async def test_a_refusal_is_not_reconciled(emu):
    """A 4xx is Twilio's own answer: nothing happened, nothing to ask."""
    client, _ = _client(emu)
    async with client:
        with pytest.raises(errors.ApiError) as err:
            await client.update_service("MG" + "0" * 32, {"validity_period": 5})
    assert err.value.status == 404 and client.reconciliations == []
