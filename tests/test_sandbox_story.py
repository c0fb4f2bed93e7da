"""The demo sandbox tells the A2P story a presenter needs: seeded campaigns stay verified, in
review and failed until someone acts on them, over a long session and a restart; only a
campaign created during the session moves on the emulator's review clock. Time is the
emulator's injectable clock: nothing here waits."""

from __future__ import annotations

from pathlib import Path

from msgsvc_tui.api import compliance
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.demo_resources import _campaign
from msgsvc_tui.emulator.server import embedded_client, open_emulator

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
            values = _campaign(brand_sid, usecase, f"Updates for {name} customers, on request.")
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
