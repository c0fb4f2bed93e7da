"""The Senders tab end to end against the emulator, and the pool rules without a screen."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from msgsvc_tui.api import errors
from msgsvc_tui.core import senders
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import Response
from msgsvc_tui.ops import pool
from msgsvc_tui.ops.writes import Writes
from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screens.modals import ConfirmScreen, DialogFrame
from msgsvc_tui.tui.screens.sender_picker import (
    AlphaSenderScreen,
    SenderPicker,
    typed_sid_problem,
)
from msgsvc_tui.tui.widgets.panes.senders import SendersPane

from .tui_helpers import SIZE, notifications, ready, record_methods, sandbox_app, table, wait_for

ACCOUNT = demo.DEMO_ACCOUNT_SID


def pool_of(app, service_sid: str, kind: senders.SenderKind) -> list[str]:
    rows = app.emulator.store.list_members(ACCOUNT, service_sid, kind, after=0, limit=1000)
    return [r["sid"] for r in rows]


def account_numbers(app) -> list:
    rows, _ = app.emulator.store.list_account_numbers(
        ACCOUNT, senders.PHONE_NUMBERS, offset=0, limit=1000
    )
    return rows


async def open_senders(pilot) -> SendersPane:
    await ready(pilot)
    await pilot.press("2")
    pane = pilot.app.screen.query_one(SendersPane)
    await wait_for(pilot, lambda: pane.service is not None and "pool" in _summary(pane))
    return pane


def _summary(pane: SendersPane) -> str:
    return str(pane.query_one("#senders-summary").render())


async def pick(pilot, text: str) -> SenderPicker:
    await pilot.press("a")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SenderPicker))
    picker = pilot.app.screen
    await wait_for(pilot, lambda: "enter adds" in str(picker.query_one("#picker-status").render()))
    await pilot.press("slash")  # the list has the focus first; / opens the filter
    picker.query_one("#picker-filter", Input).value = text
    await pilot.press("enter")  # the filter taken: back to its matches, nothing added yet
    await wait_for(pilot, lambda: picker.query_one(OptionList).has_focus)
    return picker


async def test_the_picker_at_80x24_keeps_its_whole_list_and_its_status_line_in_sight():
    """The picker's list has room for 20 lines where the screen has them: at 80x24 it is cut
    to what its frame has left, so the highlight (kept in the list's own view) is always
    seen, and the status line under the list ("enter adds") is not pushed out of the frame."""
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_senders(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SenderPicker))
        picker = pilot.app.screen
        options = picker.query_one(OptionList)
        status = picker.query_one("#picker-status")
        await wait_for(pilot, lambda: "enter adds" in str(status.render()))
        await pilot.press("G")
        await pilot.pause()
        assert options.highlighted == options.option_count - 1 and options.max_scroll_y > 0
        frame = picker.query_one(DialogFrame)
        for widget in (options, status):
            assert frame.content_region.contains_region(widget.region), widget


async def test_tab_lists_the_pool_with_counts():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_senders(pilot)
        sid = table(pilot).current["sid"]
        numbers = pool_of(app, sid, senders.PHONE_NUMBERS)
        assert f"{len(numbers)} phone number" in _summary(pane)
        assert len(pane.members) == len(numbers)
        # moving in the list follows with the pool of the next service
        table(pilot).focus()
        await pilot.press("j")
        nxt = table(pilot).current["sid"]
        await wait_for(pilot, lambda: pane.service and pane.service["sid"] == nxt)


async def test_pick_and_add_a_free_number():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_senders(pilot)
        sid = table(pilot).current["sid"]
        free = next(r for r in account_numbers(app) if r["service_sid"] is None)
        picker = await pick(pilot, free["value"])
        options = picker.query_one(OptionList)
        assert options.option_count == 1
        assert "free" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await wait_for(pilot, lambda: free["sid"] in pool_of(app, sid, senders.PHONE_NUMBERS))
        await wait_for(pilot, lambda: any(m["sid"] == free["sid"] for _, m in pane.members))


async def test_typed_sid_works_and_bad_sid_is_refused():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_senders(pilot)
        sid = table(pilot).current["sid"]
        free = [r for r in account_numbers(app) if r["service_sid"] is None][-1]
        picker = await pick(pilot, "PN123")
        picker.query_one("#picker-filter", Input).value = "PNnothex" + "z" * 26
        await pilot.pause()
        assert "32 hex digits" in str(picker.query_one("#picker-error").render())
        await pilot.press("enter")
        assert isinstance(app.screen, SenderPicker)  # refused, still open
        picker.query_one("#picker-filter", Input).value = free["sid"]
        await pilot.press("enter")
        await wait_for(pilot, lambda: free["sid"] in pool_of(app, sid, senders.PHONE_NUMBERS))


async def test_number_held_elsewhere_offers_a_move():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_senders(pilot)
        here = table(pilot).current
        held = next(r for r in account_numbers(app) if r["service_sid"] not in (None, here["sid"]))
        holder = app.screen.model.get(held["service_sid"])
        picker = await pick(pilot, held["value"])
        assert f"held by {holder['friendly_name']}" in str(
            picker.query_one(OptionList).get_option_at_index(0).prompt
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        body = str(app.screen.query_one(".dialog-body").render())
        assert "21712" in body and holder["friendly_name"] in body and held["value"] in body
        await pilot.press("n")  # cancel: nothing moves
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert held["sid"] in pool_of(app, holder["sid"], senders.PHONE_NUMBERS)
        await pick(pilot, held["value"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: held["sid"] in pool_of(app, here["sid"], senders.PHONE_NUMBERS)
        )
        assert held["sid"] not in pool_of(app, holder["sid"], senders.PHONE_NUMBERS)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("TwelveLetter", "at most 11"),
        ("12345", "only digits"),
        ("Acme!", "A-Z"),
        ("", "required"),
    ],
)
async def test_alpha_sender_validation(typed, message):
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_senders(pilot)
        sid = table(pilot).current["sid"]
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, AlphaSenderScreen))
        field = app.screen.query_one(Input)
        field.value = typed
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert message in str(app.screen.query_one("#alpha-error").render())
        assert isinstance(app.screen, AlphaSenderScreen)
        field.value = "Acme & Co"
        await pilot.press("enter")
        await wait_for(pilot, lambda: pool_of(app, sid, senders.ALPHA_SENDERS))


async def test_second_alpha_sender_is_explained():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"Loyalty Club UK", "enter")  # the demo gives it one
        await pilot.press("2")
        pane = app.screen.query_one(SendersPane)
        await wait_for(pilot, lambda: "AcmeLoyal" in _summary(pane))
        await pilot.press("A")
        await pilot.pause()
        assert not isinstance(app.screen, AlphaSenderScreen)
        assert any("remove it first" in n.message for n in notifications(app))


async def test_remove_with_confirm_and_cancel():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_senders(pilot)
        sid = table(pilot).current["sid"]
        member = pane.members[0][1]
        pane.query_one("#senders-table").focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert member["phone_number"] in str(app.screen.query_one(".dialog-body").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        assert member["sid"] in pool_of(app, sid, senders.PHONE_NUMBERS)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: member["sid"] not in pool_of(app, sid, senders.PHONE_NUMBERS))
        # back among the account's free numbers
        row = next(r for r in account_numbers(app) if r["sid"] == member["sid"])
        assert row["service_sid"] is None


async def test_pool_limit_is_explained():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_senders(pilot)
        app.emulator.store.pool_limit = 1
        free = next(r for r in account_numbers(app) if r["service_sid"] is None)
        await pick(pilot, free["value"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("21714" in n.message for n in notifications(app)))
        message = next(n.message for n in notifications(app) if "21714" in n.message)
        assert "pool is full" in message and "twilio.com/docs/errors/21714" in message


async def test_readonly_tab_browses_but_sends_no_change():
    app = sandbox_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_senders(pilot)
        methods = record_methods(app)
        pane.query_one("#senders-table").focus()
        await pilot.press("a", "A", "x")
        await app.workers.wait_for_complete()  # whatever those keys started has ended
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert pane.members  # still browses
        assert all(m == "GET" for m in methods)
        # the write keys stay live in --readonly so that each can say why it does nothing
        assert any("Read-only mode" in n.message for n in notifications(app))


# ---- rules without a screen ------------------------------------------------------------------
def test_typed_sid_problem():
    assert typed_sid_problem("PN" + "a" * 32) is None
    assert typed_sid_problem("+1415") is None  # a filter, not a SID
    assert "32 hex" in typed_sid_problem("PN" + "g" * 32)
    assert "short code" in typed_sid_problem("SC12345678zz")


def _api(code, message="m"):
    return errors.ApiError(status=400, code=code, message=message)


def test_explain_each_refusal():
    assert "“Ops”" in pool.explain(_api(21712), "+1555", holder_name="Ops")
    assert "already in this service" in pool.explain(_api(21710), "+1555")
    assert "400" in pool.explain(_api(21714), "+1555")
    assert "not in this service" in pool.explain(_api(21711), "+1555")
    assert "twilio.com/docs/errors/21712" in pool.explain(_api(21712), "+1555")


async def test_pool_index_and_move_against_the_emulator(client, emulator):
    services = await client.list_services()
    index = pool.PoolIndex()
    await index.build(client, [s["sid"] for s in services], concurrency=4)
    numbers = await client.list_account_phone_numbers()
    held = [n for n in numbers if index.holder(n["sid"])]
    assert len(held) == 25 + 13  # the demo spreads 18, the playground has 7, the doctor's 13
    number = held[0]
    source = index.holder(number["sid"])
    target = next(s["sid"] for s in services if s["sid"] != source)
    writes = Writes.open(client)
    moved = await writes.move_sender(
        senders.PHONE_NUMBERS, number["sid"], source={"sid": source}, to={"sid": target}
    )
    assert moved.ok and moved.result["service_sid"] == target
    # a move that cannot land puts the number back where it was, and says so
    original = emulator.handle
    refused = []

    def refuse_first_add(scope, raw):
        if scope["method"] == "POST" and not refused:
            refused.append(scope["path"])
            return Response(400, {"code": 21714, "message": "pool full", "status": 400})
        return original(scope, raw)

    emulator.handle = refuse_first_add
    failed = await writes.move_sender(
        senders.PHONE_NUMBERS, number["sid"], source={"sid": target}, to={"sid": source}
    )
    assert not failed.ok and isinstance(failed.error, errors.ApiError)
    assert "it is back in" in failed.words and failed.exit_code != 0
    assert refused == [f"/v1/Services/{source}/PhoneNumbers"]
    back = await client.list_senders(target, senders.PHONE_NUMBERS)
    assert number["sid"] in [m["sid"] for m in back]


@pytest.mark.parametrize("seed", [None, 8])
async def test_keys_typed_right_after_enter_in_the_filter_move_in_the_matches(seed):
    """`/ 1 enter j` in one burst: the filter keeps "1", the j moves in its matches (it was
    typed into the filter: the filter moved to the list only once enter's turn came); a
    second enter adds the line then highlighted, and nothing was added before it. Also on
    a slowed loop."""
    import contextlib
    import random

    from .test_keyboard import burst
    from .tui_helpers import slowed

    with contextlib.nullcontext() if seed is None else slowed(random.Random(seed)):
        app = sandbox_app()
        async with app.run_test(size=SIZE) as pilot:
            pane = await open_senders(pilot)
            before = len(pane.members)
            methods = record_methods(app)
            await pilot.press("a")
            await wait_for(pilot, lambda: isinstance(app.screen, SenderPicker))
            picker = app.screen
            status = picker.query_one("#picker-status")
            await wait_for(pilot, lambda: "enter adds" in str(status.render()))
            options = picker.query_one(OptionList)
            await pilot.press("slash")
            await burst(pilot, "1", "enter", "j")  # one burst, as typed
            await wait_for(pilot, lambda: options.has_focus and options.highlighted == 1)
            assert picker.query_one("#picker-filter", Input).value == "1"
            assert options.option_count > 1 and "POST" not in methods
            free = next(
                i
                for i in range(options.option_count)
                if "free" in str(options.get_option_at_index(i).prompt)
            )
            # to a free number: adding it asks nothing
            await pilot.press(*(["j"] * (free - 1) if free else ["k"]))
            await wait_for(pilot, lambda: options.highlighted == free)
            chosen = options.get_option_at_index(free).id
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(pane.members) == before + 1)
            assert any(member.get("sid") == chosen for _, member in pane.members)
