"""The demo sandbox tells the A2P story a presenter needs: seeded campaigns stay verified, in
review and failed until someone acts on them, over a long session and a restart; only a
campaign created during the session moves on the emulator's review clock. Time is the
emulator's injectable clock: nothing here waits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from msgsvc_tui.api import compliance
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core.config import Config
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.demo_resources import campaign_values
from msgsvc_tui.emulator.server import embedded_client, open_emulator
from msgsvc_tui.tui.app import MsgsvcApp
from msgsvc_tui.tui.screens.modals import ConfirmScreen
from tests.tui_helpers import SIZE, notifications, ready, wait_for

SEEDED = {
    "Acme Order Updates": "VERIFIED",
    "Acme Login Codes": "VERIFIED",
    "Fraud Alerts": "VERIFIED",
    "Acme Spring Promo": "IN_PROGRESS",
    "Black Friday Blast": "FAILED",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _open(db: Path, clock: Clock) -> EmulatorApp:
    app = open_emulator(db)
    app.store.clock = clock
    return app


def _services(app: EmulatorApp) -> dict[str, str]:
    rows = app.store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=1000)
    return {r.data["friendly_name"]: r.data["sid"] for r in rows}


async def _statuses(client: MessagingClient, sids: dict[str, str], names: list[str]) -> dict:
    out = {}
    for name in names:
        campaign = await compliance.campaign_of(client, sids[name])
        out[name] = campaign and campaign["campaign_status"]
    return out


async def test_seeded_campaigns_keep_their_status_over_ten_minutes_and_a_restart(tmp_path):
    clock, db = Clock(), tmp_path / "sandbox.sqlite3"
    app = _open(db, clock)
    sids = _services(app)
    async with embedded_client(app) as client:
        assert await _statuses(client, sids, list(SEEDED)) == SEEDED
        brand = {
            name: (await compliance.campaign_of(client, sids[name]))["brand_registration_sid"]
            for name in ("Acme Order Updates", "Black Friday Blast")
        }
        # two campaigns registered during the session: one on Acme, one on Fleetline (the
        # brand designed to fail review)
        for name, brand_sid, usecase in (
            ("Event Tickets", brand["Acme Order Updates"], "DELIVERY_NOTIFICATION"),
            ("Delivery ETA", brand["Black Friday Blast"], "MARKETING"),
        ):
            values = campaign_values(
                brand_sid, usecase, f"Updates for {name} customers, on request."
            )
            await compliance.create_campaign(client, sids[name], values)
        fresh = ["Event Tickets", "Delivery ETA"]
        assert await _statuses(client, sids, fresh) == dict.fromkeys(fresh, "IN_PROGRESS")

        for _minute in range(10):  # a ten-minute session, a minute at a time
            clock.now += 60
            assert await _statuses(client, sids, list(SEEDED)) == SEEDED
        assert await _statuses(client, sids, fresh) == {
            "Event Tickets": "VERIFIED",
            "Delivery ETA": "FAILED",
        }
    app.store.close()

    clock.now += 7 * 24 * 3600  # a week later, the same sandbox file
    again = _open(db, clock)
    async with embedded_client(again) as client:
        assert await _statuses(client, sids, list(SEEDED)) == SEEDED
        assert await _statuses(client, sids, ["Event Tickets", "Delivery ETA"]) == {
            "Event Tickets": "VERIFIED",
            "Delivery ETA": "FAILED",
        }
    again.store.close()


# ---- reset ----------------------------------------------------------------------------------
def _cli(*argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "msgsvc_tui", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_demo_reset_asks_first_and_brings_the_demo_back(tmp_path):
    db = str(tmp_path / "sandbox.sqlite3")
    made = _cli("--sandbox-db", db, "services", "create", "--friendly-name", "Scratch")
    assert made.returncode == 0, made.stderr
    refused = _cli("--sandbox-db", db, "demo", "reset")  # no terminal, no --yes: nothing
    assert refused.returncode == 2 and "--yes" in refused.stderr
    listed = _cli("--sandbox-db", db, "services", "list", "--json")
    assert "Scratch" in listed.stdout

    done = _cli("--sandbox-db", db, "demo", "reset", "--yes")
    assert done.returncode == 0, done.stderr
    assert f"as new: {demo.SERVICE_COUNT} services" in done.stdout
    names = [s["friendly_name"] for s in json.loads(_cli("--sandbox-db", db, *LIST).stdout)]
    assert len(names) == demo.SERVICE_COUNT and "Scratch" not in names


LIST = ("services", "list", "--json")


async def test_the_palette_resets_the_sandbox_after_a_confirm(tmp_path):
    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=tmp_path / "s.sqlite3")
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        store = app.emulator.store
        store.db.execute("DELETE FROM services WHERE seq = (SELECT MAX(seq) FROM services)")
        assert store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT - 1
        await pilot.press("ctrl+p")
        await pilot.press(*"Reset the sandbox")
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # cancelled: nothing happens
        await pilot.pause()
        assert store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT - 1
        app.action_reset_sandbox()
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot, lambda: store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT
        )
        screen = await ready(pilot)
        await wait_for(pilot, lambda: len(screen.model) == demo.SERVICE_COUNT)


async def test_a_readonly_sandbox_is_not_reset(tmp_path):
    app = MsgsvcApp(config=Config.load(), demo=True, readonly=True, emulator_db=":memory:")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.action_reset_sandbox()
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("not reset" in n.message for n in notifications(app))


# ---- the A2P tab follows a review ------------------------------------------------------------
async def _open_campaign_tab(pilot, name: str):
    from msgsvc_tui.tui.widgets.panes.campaign import CampaignPane

    await ready(pilot)
    await pilot.press("slash", *name, "enter", "5")
    await wait_for(pilot, lambda: bool(pilot.app.screen.query(CampaignPane)))
    pane = pilot.app.screen.query_one(CampaignPane)
    await wait_for(pilot, lambda: pane.campaign is not None and pane.current(pane.service["sid"]))
    pane.poller.pause()  # the test plays the timer's part
    return pane


async def test_the_a2p_tab_asks_again_by_itself_while_a_campaign_is_in_review():
    clock = Clock()
    emulator = open_emulator(":memory:")
    emulator.store.clock = clock
    sids = _services(emulator)
    async with embedded_client(emulator) as client:
        acme = (await compliance.campaign_of(client, sids["Acme Order Updates"]))[
            "brand_registration_sid"
        ]
        text = "Ticket and venue updates for Event Tickets buyers."
        values = campaign_values(acme, "DELIVERY_NOTIFICATION", text)
        await compliance.create_campaign(client, sids["Event Tickets"], values)
    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:")
    app.emulator = emulator
    async with app.run_test(size=SIZE) as pilot:
        pane = await _open_campaign_tab(pilot, "Event Tickets")
        assert pane.campaign["campaign_status"] == "IN_PROGRESS"
        assert "asks again every 10 s" in str(pane.query_one("#campaign-summary").render())
        pane.review_tick()  # still in review: asked, unchanged
        await wait_for(pilot, lambda: pane.review_polls.get(sids["Event Tickets"]) == 1)
        clock.now += 30  # the emulator's review is done
        pane.review_tick()
        await wait_for(pilot, lambda: pane.campaign["campaign_status"] == "VERIFIED")
        table = app.main_screen.table
        await wait_for(pilot, lambda: table.a2p_status.get(sids["Event Tickets"]) == "VERIFIED")
        asked = pane.review_polls[sids["Event Tickets"]]
        pane.review_tick()  # verified: nothing more to ask
        await pilot.pause()
        assert pane.review_polls[sids["Event Tickets"]] == asked


async def test_the_review_is_asked_about_a_bounded_number_of_times():
    from msgsvc_tui.tui.widgets.panes.campaign import MAX_REVIEW_POLLS

    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:")
    async with app.run_test(size=SIZE) as pilot:
        pane = await _open_campaign_tab(pilot, "Spring Promo")
        sid = pane.service["sid"]
        assert pane.in_review  # the seeded one, in review for good
        pane.review_polls[sid] = MAX_REVIEW_POLLS - 1
        pane.review_tick()
        summary = pane.query_one("#campaign-summary")
        await wait_for(pilot, lambda: "no longer asked" in str(summary.render()))
        pane.review_tick()
        await pilot.pause()
        assert pane.review_polls[sid] == MAX_REVIEW_POLLS
        await pilot.press("ctrl+r")  # asking by hand starts the count again
        await wait_for(pilot, lambda: sid not in pane.review_polls)


# ---- concepts where a tab is empty -----------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "pane_id", "concept"),
    [
        ("3", "channels", "A channel sender is a WhatsApp or RCS sender"),
        ("4", "countries", "A country alpha sender is the name"),
    ],
)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_an_empty_tab_says_what_its_senders_are(key, pane_id, concept, size):
    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:")
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"Login Codes", "enter", key)  # a service with neither
        await wait_for(pilot, lambda: bool(app.screen.query(f"#{pane_id}")))
        pane = app.screen.query_one(f"#{pane_id}")
        summary = pane.query_one(f"#{pane_id}-summary")
        await wait_for(pilot, lambda: concept in str(summary.render()))
        assert str(summary.render()).startswith("0 ")
        assert summary.region.height >= 2 and summary.region.width > 0  # wrapped, in sight


# ---- ? on a field ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_question_mark_on_a_field_shows_its_help_then_every_key(size):
    from msgsvc_tui.core import fields
    from msgsvc_tui.tui.screens.help import HelpScreen

    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:")
    async with app.run_test(size=size) as pilot:
        screen = await ready(pilot)
        await pilot.press("enter")  # the form, its first field's row
        await wait_for(pilot, lambda: screen.form.focused_row() is not None)
        await pilot.press("j")
        await pilot.pause()
        row = screen.form.focused_row()
        assert row is not None and not screen.form.editing
        field = fields.BY_NAME[row.field_name]
        await pilot.press("question_mark")
        await pilot.pause()
        shown = [n for n in notifications(app) if n.title == field.label]
        assert shown and field.help in shown[-1].message
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")  # again: every key
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))


# ---- the campaign's long texts ---------------------------------------------------------------
async def test_the_campaigns_long_texts_are_multi_line_editors():
    from textual.widgets import Button, TextArea

    from msgsvc_tui.tui.screens.campaign_form import CampaignForm
    from msgsvc_tui.tui.screens.modals import DialogFrame

    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:")
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await _open_campaign_tab(pilot, "Black Friday")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignForm))
        form = app.screen
        flow = form.query_one("#cf-message_flow", TextArea)
        assert "Customers opt in at checkout" in flow.text  # the campaign's own text
        # its fields scroll in the room the frame has at 80x24: the buttons stay in sight
        frame = form.query_one(DialogFrame)
        await wait_for(pilot, lambda: all(b.region.area for b in form.query(Button)))
        for button in form.query(Button):
            assert frame.content_region.contains_region(button.region), button
        form.query_one("#cf-description", TextArea).focus()
        await pilot.press("ctrl+a")  # TextArea: start of line
        await pilot.press(*"Line one.", "enter", *"Line two: ")
        await pilot.pause()
        description = form.values()["description"]
        assert description.startswith("Line one.\nLine two: Black Friday deals")
        assert "description" not in form.problems()
        await pilot.press("tab")  # tab moves on, it does not indent
        await pilot.pause()
        assert app.focused is flow
        assert pane.campaign is not None


# ---- brands by name ----------------------------------------------------------------------------
def test_services_brands_lists_each_brand_by_its_name(tmp_path):
    db = str(tmp_path / "sandbox.sqlite3")
    table = _cli("--sandbox-db", db, "services", "brands")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split()[:2] == ["NAME", "SID"]
    assert any(line.startswith("Fleetline Logistics") for line in lines)
    assert any(line.startswith("Acme Corp") for line in lines)
    rows = json.loads(_cli("--sandbox-db", db, "services", "brands", "--json").stdout)
    assert {r["name"] for r in rows} == {
        "Acme Corp",
        "Fleetline Logistics",
        "Northwind Traders",
        "Jamie Rivera",
    }
    shown = _cli("--sandbox-db", db, "services", "campaign", "Black Friday Blast", "get").stdout
    assert "Fleetline Logistics · BN" in shown


async def test_a_brand_without_a_readable_profile_is_shown_by_its_sid():
    emulator = open_emulator(":memory:")
    emulator.store.db.execute("DELETE FROM customer_profiles")
    async with embedded_client(emulator) as client:
        brands = await compliance.list_brands(client)
    assert brands and all(b["name"] is None for b in brands)
    from msgsvc_tui.core import a2p

    assert a2p.brand_line(brands[0]).startswith("BN")


async def test_the_a2p_tab_names_the_brand():
    app = MsgsvcApp(config=Config.load(), demo=True, emulator_db=":memory:")
    async with app.run_test(size=SIZE) as pilot:
        pane = await _open_campaign_tab(pilot, "Black Friday")
        body = pane.query_one("#campaign-body")
        await wait_for(pilot, lambda: "Fleetline Logistics" in str(body.render()))
