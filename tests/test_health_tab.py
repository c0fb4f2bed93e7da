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


def _judged(pane: HealthPane, sid: str, smart: bool) -> bool:
    """The tab's findings are the doctor's reading of the service with smart encoding at
    `smart` (the setting FEAT-SMART-ENCODING-OFF judges)."""
    report = pane.report
    return (
        report is not None
        and report.service.get("sid") == sid
        and report.service.get("smart_encoding") is smart
        and ("FEAT-SMART-ENCODING-OFF" in checks_of(pane)) is not smart
    )


def _summary(pane: HealthPane) -> str:
    return str(pane.query_one("#health-summary", Static).render())


async def _fix_smart_encoding(pilot, pane: HealthPane, sid: str) -> None:
    """`f` on the smart-encoding finding, confirmed: the tab then judges it fixed."""
    await select(pilot, pane, "FEAT-SMART-ENCODING-OFF")
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
    await pilot.press("y")
    await wait_for(pilot, lambda: _judged(pane, sid, True))


async def test_an_undo_leaves_the_open_health_tab_checking_the_service_as_it_now_is():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Appointment Reminders", "8", HealthPane)
        await wait_for(pilot, lambda: _judged(pane, sid, False))
        before = _summary(pane)
        await _fix_smart_encoding(pilot, pane, sid)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: stored(app, sid)["smart_encoding"] is False)
        await wait_for(pilot, lambda: _judged(pane, sid, False))
        assert _summary(pane) == before

        # the same with an edit held in the form: the edit stays, the tab follows the server
        await _fix_smart_encoding(pilot, pane, sid)
        await pilot.press("1")
        form = app.screen.form
        form.focus_field("sticky_sender")
        await pilot.pause()
        await pilot.press("space", "8")
        await wait_for(pilot, lambda: app.screen.detail.active_tab() == "tab-health")
        assert form.dirty
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: stored(app, sid)["smart_encoding"] is False)
        await wait_for(pilot, lambda: _judged(pane, sid, False))
        assert form.dirty


async def test_a_flip_from_the_list_and_a_save_from_the_form_leave_the_health_tab_current():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Appointment Reminders", "8", HealthPane)
        await wait_for(pilot, lambda: _judged(pane, sid, False))
        await pilot.press("escape", "E")  # back to the list, the tab still open below it
        await wait_for(pilot, lambda: stored(app, sid)["smart_encoding"] is True)
        await wait_for(pilot, lambda: _judged(pane, sid, True))

        # a flip while the form holds an edit: the edit stays, the tab follows the server
        sticky = stored(app, sid)["sticky_sender"]
        await pilot.press("1")
        form = app.screen.form
        form.focus_field("sticky_sender")
        await pilot.pause()
        await pilot.press("space")
        assert form.dirty
        await pilot.press("8")
        await wait_for(pilot, lambda: app.screen.detail.active_tab() == "tab-health")
        await pilot.press("escape", "E")
        await wait_for(pilot, lambda: stored(app, sid)["smart_encoding"] is False)
        await wait_for(pilot, lambda: _judged(pane, sid, False))
        assert form.dirty and form.raw_values()["sticky_sender"] is not sticky

        # ctrl+s with the Health tab open: the save is a write to the service too
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: stored(app, sid)["sticky_sender"] is not sticky)
        await wait_for(
            pilot,
            lambda: pane.report is not None and pane.report.service["sticky_sender"] is not sticky,
        )
        assert _judged(pane, sid, False) and not form.dirty
