"""The Health tab and the list's health mark, in the app on the embedded emulator: findings
shown, a setting fix applied through the write path (old → new confirmed, journalled,
undoable), the findings read again; --readonly refuses the fix; `H` marks the list."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from msgsvc_tui.emulator import demo_doctor
from msgsvc_tui.tui.screens.modals import ConfirmScreen
from msgsvc_tui.tui.widgets.panes.health import HealthPane
from msgsvc_tui.tui.widgets.service_table import format_row, layout_columns

from .test_tabs import open_tab
from .tui_helpers import SIZE, ready, record_methods, sandbox_app, stored, table, wait_for


def checks_of(pane: HealthPane) -> list[str]:
    return [f.check for f in pane.report.findings] if pane.report else []


async def select(pilot, pane: HealthPane, check: str) -> None:
    row = checks_of(pane).index(check)
    pane.query_one("#health-table", DataTable).move_cursor(row=row)
    await pilot.pause()


async def test_health_tab_applies_a_setting_fix_journals_it_and_undo_reverts_it():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Chat Relay", "8", HealthPane)
        await wait_for(pilot, lambda: pane.report is not None)
        assert "FEAT-STICKY-OFF" in checks_of(pane) and "INT-PRIVATE-HOST" in checks_of(pane)
        assert table(pilot).health.get(sid) == "warning"  # the list's mark follows
        await select(pilot, pane, "FEAT-STICKY-OFF")
        detail = str(pane.query_one("#health-detail", Static).render())
        assert "f applies: Sticky sender: off → on" in detail
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "off → on" in app.screen.body
        await pilot.press("y")
        await wait_for(pilot, lambda: stored(app, sid)["sticky_sender"] is True)
        await wait_for(pilot, lambda: "FEAT-STICKY-OFF" not in checks_of(pane))
        assert app.screen.model.get(sid)["sticky_sender"] is True  # the list took it
        latest = app.journal.recent()[0]  # journalled, with its before and after
        assert (latest.before, latest.after) == ({"sticky_sender": False}, {"sticky_sender": True})
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: stored(app, sid)["sticky_sender"] is False)


async def test_a_fix_that_is_not_a_setting_says_so_and_readonly_refuses_writes():
    app = sandbox_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        _sid, pane = await open_tab(pilot, "Toll-Free Onboarding", "8", HealthPane)
        await wait_for(pilot, lambda: pane.report is not None)
        assert {"TF-UNVERIFIED", "TF-PENDING", "TF-REJECTED"} <= set(checks_of(pane))
        methods = record_methods(app)
        await select(pilot, pane, "TF-REJECTED")
        detail = str(pane.query_one("#health-detail", Static).render())
        assert "Opt-in not sufficient: Language Unclear (Twilio 30513)" in detail
        await pilot.press("f")  # not a setting: nothing to apply
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
    app = sandbox_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        _sid, pane = await open_tab(pilot, "UK Offers", "8", HealthPane)
        await wait_for(pilot, lambda: pane.report is not None)
        methods = record_methods(app)
        await select(pilot, pane, "FEAT-SMART-ENCODING-OFF")
        await pilot.press("f")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen) and "POST" not in methods


async def test_the_healthy_demo_service_says_so():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, demo_doctor.HEALTHY, "8", HealthPane)
        await wait_for(pilot, lambda: pane.report is not None)
        assert checks_of(pane) == [] and table(pilot).health.get(sid) == "ok"
        assert "✓ healthy" in str(pane.query_one("#health-summary", Static).render())


async def test_check_health_key_marks_every_listed_service():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        t = table(pilot)
        assert t.health == {}
        methods = record_methods(app)
        await pilot.press("H")
        await wait_for(pilot, lambda: len(t.health) == len(screen.model), timeout=30)
        assert set(methods) == {"GET"}  # a check reads, never writes
        names = {screen.model.get(sid)["friendly_name"]: state for sid, state in t.health.items()}
        assert names[demo_doctor.HEALTHY] == "ok"
        assert names["Toll-Free Onboarding"] == "error" and names["Chat Relay"] == "warning"
        healthy = next(s for s, v in t.health.items() if v == "ok")
        row = format_row(
            screen.model.get(healthy), layout_columns(80), False, None, None, None, "ok"
        )
        assert " ✓ " in row
