"""The detail tabs beyond Settings and Senders, end to end on the emulator: Channels,
Countries, A2P (campaign) and Links; lazy loading; the registry; the list's US mark."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, OptionList, Select, Static, TextArea

from msgsvc_tui.core import a2p, senders
from msgsvc_tui.emulator import demo
from msgsvc_tui.tui.screens.campaign_form import AttachScreen, CampaignForm
from msgsvc_tui.tui.screens.channel_picker import ChannelPicker
from msgsvc_tui.tui.screens.country_sender import CountrySenderScreen, problem_of
from msgsvc_tui.tui.screens.modals import ConfirmScreen
from msgsvc_tui.tui.screenshots import busy
from msgsvc_tui.tui.tabs import TABS
from msgsvc_tui.tui.widgets.panes.base import ServicePane
from msgsvc_tui.tui.widgets.panes.campaign import CampaignPane
from msgsvc_tui.tui.widgets.panes.links import LinksPane
from msgsvc_tui.tui.widgets.panes.members import ChannelSendersPane, CountrySendersPane

from .tui_helpers import SIZE, ready, record_methods, record_paths, sandbox_app, table, wait_for

ACCOUNT = demo.DEMO_ACCOUNT_SID


async def go_to(pilot, name: str) -> str:
    """Put the list's cursor on the service called `name`; returns its SID."""
    screen = await ready(pilot)
    t = table(pilot)
    model = screen.model
    row = next(
        i for i in range(len(model.visible)) if model.visible_service(i)["friendly_name"] == name
    )
    t.cursor = row
    await wait_for(pilot, lambda: (screen.form.service or {}).get("friendly_name") == name)
    return model.visible_service(row)["sid"]


async def open_tab(pilot, name: str, key: str, pane_type):
    """The service called `name` in the form, its tab `key` open: (its SID, the tab's pane)."""
    sid = await go_to(pilot, name)
    await pilot.press(key)
    return sid, pilot.app.screen.query_one(pane_type)


def body_of(pilot, widget_id: str) -> str:
    return str(pilot.app.screen.query_one(f"#{widget_id}", Static).render())


def channel_holder(app, sid: str) -> str | None:
    row = app.emulator.store.get_account_channel_sender(ACCOUNT, sid)
    return row["service_sid"]


# ---- the registry and lazy loading ------------------------------------------------------------
def test_every_tab_has_a_pane_key_and_help():
    from msgsvc_tui.tui.help import sections
    from msgsvc_tui.tui.screens.main import MainScreen

    keys = {b.key: b.action for b in MainScreen.BINDINGS if hasattr(b, "key")}
    titles = [title for title, _ in sections()]
    for i, tab in enumerate(TABS, 1):
        assert keys[str(i)] == f"tab('{tab.id}')"
        if tab.pane is not None:
            assert issubclass(tab.pane, ServicePane)
            assert tab.pane.TITLE in titles


async def test_opening_a_service_loads_only_the_open_tab():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        paths = record_paths(app)
        await go_to(pilot, "Acme Order Updates")
        await pilot.pause()
        assert not any("Compliance" in p or "ChannelSenders" in p for p in paths), paths
        await pilot.press("5")
        pane = app.screen.query_one(CampaignPane)
        await wait_for(pilot, lambda: pane.campaign is not None)
        assert any(p.endswith("/Compliance/Usa2p") for p in paths)
        assert not any("ChannelSenders" in p or "LinkShortening" in p for p in paths)


# ---- Channels ---------------------------------------------------------------------------------
async def test_channels_tab_lists_picks_adds_and_removes():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Driver Dispatch", "3", ChannelSendersPane)
        await wait_for(
            pilot,
            lambda: pane.shows({"sid": sid}) and "0 channel" in body_of(pilot, "channels-summary"),
        )
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ChannelPicker))
        picker = app.screen
        await wait_for(
            pilot, lambda: "enter adds" in str(picker.query_one("#channel-status", Static).render())
        )
        options = picker.query_one(OptionList)
        lines = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("held by Support Desk" in line for line in lines)
        assert any("free" in line for line in lines)
        await pilot.press("slash", *"acme uk")  # letters filter once / opened the filter
        await pilot.pause()
        assert options.option_count == 1
        assert "1 of" in str(picker.query_one("#channel-status", Static).render())
        free_sid = options.get_option_at_index(0).id
        await pilot.press("enter")  # the filter taken: back to the list, nothing added yet
        await wait_for(pilot, lambda: options.has_focus)
        assert not pane.members and isinstance(app.screen, ChannelPicker)
        await pilot.press("enter")  # on the highlighted line: added
        await wait_for(pilot, lambda: len(pane.members) == 1)
        assert channel_holder(app, free_sid) == sid
        # remove: asks first; cancel keeps it, confirm removes it
        pane.focus_main()
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("escape")
        await pilot.pause()
        assert channel_holder(app, free_sid) == sid
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: channel_holder(app, free_sid) is None)


async def test_channel_held_elsewhere_is_refused_in_words():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_tab(pilot, "Driver Dispatch", "3", ChannelSendersPane)
        await wait_for(pilot, lambda: pane.service is not None)
        held = app.emulator.store.db.execute(
            "SELECT sid FROM channel_senders WHERE service_sid IS NOT NULL LIMIT 1"
        ).fetchone()[0]
        messages: list[str] = []
        original = app.notify
        app.notify = lambda message, **kw: (messages.append(str(message)), original(message, **kw))[
            1
        ]
        pane.add_member(pane.service, held)
        await wait_for(pilot, lambda: bool(messages))
        assert "21712" in messages[-1] and "another" in messages[-1].lower()


# ---- Countries --------------------------------------------------------------------------------
def test_country_sender_rules():
    assert problem_of("", "FR", set())[1].startswith("Alpha sender ID is required")
    assert "upper case" in problem_of("Acme", "fr", set())[1]
    assert "not an ISO" in problem_of("Acme", "XX", set())[1]
    assert "already has" in problem_of("Acme", "FR", {"FR"})[1]
    assert "default" in problem_of("Acme", "", {None})[1]
    assert "only digits" in problem_of("12345", "FR", set())[1]
    assert problem_of("Acme Co", "FR", set()) is None


async def test_countries_tab_adds_with_inline_rules_and_removes():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "2FA - EU", "4", CountrySendersPane)
        await wait_for(pilot, lambda: len(pane.members) == 3)
        assert "DE, FR" in body_of(pilot, "countries-summary")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CountrySenderScreen))
        await pilot.press(*"AcmeIT", "enter", *"FR", "enter")
        await pilot.pause()
        assert isinstance(app.screen, CountrySenderScreen)  # FR is taken: not sent
        assert "already has" in str(app.screen.query_one("#country-error", Static).render())
        for _ in range(2):
            await pilot.press("backspace")
        await pilot.press(*"IT", "enter")
        await wait_for(pilot, lambda: len(pane.members) == 4)
        rows = app.emulator.store.list_members(
            ACCOUNT, sid, senders.DESTINATION_ALPHA_SENDERS, after=0, limit=10, country="IT"
        )
        assert [r["alpha_sender"] for r in rows] == ["AcmeIT"]
        pane.focus_main()
        pane.table.move_cursor(row=3)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: len(pane.members) == 3)


# ---- A2P --------------------------------------------------------------------------------------
async def test_a2p_tab_explains_a_failed_campaign_and_marks_the_list():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Black Friday Blast", "5", CampaignPane)
        await wait_for(pilot, lambda: pane.campaign is not None)
        text = body_of(pilot, "campaign-body")
        assert "FAILED" in text and "Disallowed Content" in text and "30897" in text
        assert "message flow" in text
        await wait_for(pilot, lambda: table(pilot).a2p_status.get(sid) == "FAILED")


async def fill_campaign(pilot, form: CampaignForm, brand_sid: str, *, samples: list[str]) -> None:
    form.query_one("#cf-brand_registration_sid", Select).value = brand_sid
    await wait_for(pilot, lambda: form.usecases is not None)
    form.query_one("#cf-us_app_to_person_usecase", Select).value = "MARKETING"
    form.query_one("#cf-description", TextArea).load_text(
        "Weekly offers for customers who opted in at the till."
    )
    form.query_one("#cf-message_flow", TextArea).load_text(
        "Customers opt in on paper at the till and confirm by replying YES."
    )
    for i, text in enumerate(samples):
        form.query_one(f"#cf-sample-{i}", Input).value = text
    form.query_one("#cf-has_embedded_links", Checkbox).value = True
    await pilot.pause()


async def test_campaign_form_checks_rules_inline_then_registers_and_moves_on_the_clock():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid = await go_to(pilot, "Driver Dispatch")
        resources = app.emulator.store
        now = [1_000_000.0]
        resources.clock = lambda: now[0]
        await pilot.press("5")
        pane = app.screen.query_one(CampaignPane)
        await wait_for(
            pilot,
            lambda: pane.service is not None and "no campaign" in body_of(pilot, "campaign-body"),
        )
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignForm))
        form = app.screen
        approved = [b["sid"] for b in form.brands if b["status"] == "APPROVED"]
        # one sample too short: the rule shows under the field and nothing is sent
        methods = record_methods(app)
        await fill_campaign(
            pilot,
            form,
            approved[0],
            samples=["Too short", "Weekly deals at Acme: 20% off shoes. Reply STOP to end."],
        )
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CampaignForm)
        assert "Sample 1 needs at least 20" in str(
            form.query_one("#cf-message_samples-error", Static).render()
        )
        assert "POST" not in methods
        form.query_one(
            "#cf-sample-0", Input
        ).value = "Acme: this week only, 2 for 1 on socks. Reply STOP to end."
        await pilot.pause()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: pane.campaign is not None)
        assert pane.campaign["campaign_status"] == "IN_PROGRESS"
        assert "in review" in body_of(pilot, "campaign-body")
        assert app.emulator.store.get_service(ACCOUNT, sid)["us_app_to_person_registered"] is False
        now[0] += resources.review_seconds + 1
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: (pane.campaign or {}).get("campaign_status") == "VERIFIED")
        assert app.emulator.store.get_service(ACCOUNT, sid)["us_app_to_person_registered"] is True
        entries = app.session.journal.recent(5) if app.session and app.session.journal else []
        assert any(e.action == "create campaign" for e in entries)


async def test_campaign_delete_asks_and_readonly_refuses_writes():
    app = sandbox_app(readonly=True)
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_tab(pilot, "Acme Order Updates", "5", CampaignPane)
        await wait_for(pilot, lambda: pane.campaign is not None)
        methods = record_methods(app)
        for key in ("a", "e", "P", "x"):
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, (CampaignForm, AttachScreen, ConfirmScreen))
        await pilot.press("3")
        await pilot.press("a")
        await pilot.pause()
        assert not isinstance(app.screen, ChannelPicker)
        assert methods.count("POST") == methods.count("DELETE") == 0
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Acme Order Updates", "5", CampaignPane)
        await wait_for(pilot, lambda: pane.campaign is not None)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                pane.service is not None
                and pane.campaign is None
                and "no campaign" in body_of(pilot, "campaign-body")
            ),
        )
        assert app.emulator.store.list_campaigns(ACCOUNT, sid) == []
        assert app.emulator.store.get_service(ACCOUNT, sid)["us_app_to_person_registered"] is False


async def test_links_tab_shows_the_domain_or_says_there_is_none():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_tab(pilot, "Acme Spring Promo", "6", LinksPane)
        await wait_for(pilot, lambda: "DN" in body_of(pilot, "links-body"))
        assert "link-expired" in body_of(pilot, "links-body")
        await go_to(pilot, "Driver Dispatch")
        await wait_for(pilot, lambda: "No shortened-links domain" in body_of(pilot, "links-body"))
        assert pane.service is not None


def test_campaign_rules_match_the_spec():
    good = {
        "description": "x" * 40,
        "message_flow": "y" * 40,
        "message_samples": ["s" * 20, "t" * 20],
        "has_embedded_links": False,
        "has_embedded_phone": False,
        "brand_registration_sid": "BN" + "a" * 32,
        "us_app_to_person_usecase": "MARKETING",
    }
    assert a2p.problems(good, creating=True) == {}
    for name, value, words in (
        ("description", "x" * 39, "at least 40"),
        ("description", "x" * 4097, "at most 4096"),
        ("message_flow", "y" * 2049, "at most 2048"),
        ("message_samples", ["s" * 20], "2 to 5"),
        ("message_samples", ["s" * 20] * 6, "2 to 5"),
        ("message_samples", ["s" * 20, "t" * 1025], "at most 1024"),
        ("opt_out_keywords", ["STOP", "st op"], "alphanumeric"),
        ("help_message", "short", "at least 20"),
        ("privacy_policy_url", "ftp://x", "http(s) URL"),
    ):
        assert words in a2p.problems({**good, name: value}, creating=True)[name]
    assert (
        "not a use case"
        in a2p.problems(good, creating=True, usecases=["2FA"])["us_app_to_person_usecase"]
    )


@pytest.mark.parametrize(
    "status,mark", [("VERIFIED", "✓"), ("FAILED", "✗"), ("IN_PROGRESS", "…"), ("NONE", "·")]
)
def test_us_marks(status, mark):
    from msgsvc_tui.tui.widgets.service_table import a2p_mark

    assert a2p_mark({}, status) == mark
    assert a2p_mark({"us_app_to_person_registered": True}) == "✓"


async def test_a_refused_campaign_reopens_the_form_with_what_was_typed():
    from msgsvc_tui.emulator.app import Fault

    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Driver Dispatch", "5", CampaignPane)
        await wait_for(pilot, lambda: "no campaign" in body_of(pilot, "campaign-body"))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignForm))
        form = app.screen
        approved = [b["sid"] for b in form.brands if b["status"] == "APPROVED"]
        samples = [
            "Dispatch: your driver is 5 minutes away. Reply STOP to end.",
            "Dispatch: your parcel was delivered to the front desk today.",
        ]
        await fill_campaign(pilot, form, approved[0], samples=samples)
        app.emulator.inject(
            Fault(400, b'{"code": 21701, "message": "Brand is not eligible", "status": 400}')
        )
        await pilot.press("ctrl+s")
        # Twilio refused: the form is back, with every value typed and the refusal in sight
        await wait_for(
            pilot, lambda: isinstance(app.screen, CampaignForm) and app.screen is not form
        )
        again = app.screen
        await wait_for(pilot, lambda: again.usecases is not None)
        await pilot.pause()
        values = again.values()
        assert values["message_samples"] == samples
        assert values["brand_registration_sid"] == approved[0]
        assert values["us_app_to_person_usecase"] == "MARKETING"
        assert values["description"].startswith("Weekly offers")
        problems = str(again.query_one("#campaign-problems", Static).render())
        assert "Not saved" in problems and "Brand is not eligible" in problems
        assert app.emulator.store.list_campaigns(ACCOUNT, sid) == []
        await pilot.press("ctrl+s")  # sent again by the user, it lands
        await wait_for(pilot, lambda: pane.campaign is not None)


async def test_campaign_text_is_shown_safe_and_sent_back_unchanged():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid = await go_to(pilot, "Acme Login Codes")
        hostile = "Login codes [bold]now[/bold] for Acme accounts, sent on request\u202e."
        db = app.emulator.store.db
        db.execute(
            "UPDATE campaigns SET body = json_set(body, '$.description', ?) WHERE service_sid = ?",
            (hostile, sid),
        )
        await pilot.press("5")
        pane = app.screen.query_one(CampaignPane)
        await wait_for(pilot, lambda: pane.campaign is not None)
        body = body_of(pilot, "campaign-body")
        assert "[bold]now[/bold]" in body and "\u202e" not in body  # literal, visible
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CampaignForm))
        form = app.screen
        shown_text = form.query_one("#cf-description", TextArea).text
        assert "\u202e" not in shown_text
        assert form.values()["description"] == hostile  # left as shown: the server's own text


async def test_the_channel_picker_knows_what_the_tab_just_added():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        sid, pane = await open_tab(pilot, "Driver Dispatch", "3", ChannelSendersPane)
        await wait_for(pilot, lambda: pane.shows({"sid": sid}) and not busy(pane))
        free = app.emulator.store.db.execute(
            "SELECT sid FROM channel_senders WHERE service_sid IS NULL ORDER BY seq LIMIT 1"
        ).fetchone()[0]
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ChannelPicker))
        picker = app.screen
        await wait_for(pilot, lambda: "enter adds" in body_of(pilot, "channel-status"))
        await pilot.press("slash")
        picker.query_one("#channel-filter", Input).value = free
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(pane.members) == 1)
        assert app.session.channel_index.holder(free) == sid
        pane.focus_main()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ChannelPicker))
        await wait_for(pilot, lambda: "enter adds" in body_of(pilot, "channel-status"))
        options = app.screen.query_one(OptionList)
        lines = {
            options.get_option_at_index(i).id: str(options.get_option_at_index(i).prompt)
            for i in range(options.option_count)
        }
        assert "in this service" in lines[free]


async def test_a_tab_is_built_when_first_opened_and_the_list_keeps_no_links():
    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        assert list(screen.query(ServicePane)) == []  # nothing built for tabs never opened
        listed = [screen.model.get(sid) for sid in screen.model.sids()]
        assert listed and all("links" not in s for s in listed)  # 1/3 of a row's memory
        details = str(screen.query_one("#details", Static).render())
        url = screen.form.service["url"]
        assert f"{url}/PhoneNumbers" in details and f"{url}/AlphaSenders" in details
        await pilot.press("5")
        await wait_for(pilot, lambda: bool(screen.query(CampaignPane)))
        pane = screen.query_one(CampaignPane)
        await wait_for(pilot, lambda: pane.campaign is not None)
        assert app.focused is pane.query_one("#campaign-scroll")
        assert [type(p) for p in screen.query(ServicePane)] == [CampaignPane]


async def test_a_tabs_key_with_nothing_to_act_on_says_why():
    """On a new service not created yet, a tab's keys have no service: each says so (they
    did nothing, silently); on a service without a campaign, x says there is none to delete.
    Nothing is sent either way."""
    from msgsvc_tui.tui.widgets.panes.messages import MessagesPane
    from msgsvc_tui.tui.widgets.panes.senders import SendersPane

    from .tui_helpers import notifications

    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        methods = record_methods(app)
        for key, pane_type, action in (("2", SendersPane, "a"), ("7", MessagesPane, "m")):
            await pilot.press("escape", "escape", "n")
            await wait_for(pilot, lambda: screen.form.creating)
            await pilot.press("escape", key)
            pane = app.screen.query_one(pane_type)
            await wait_for(pilot, lambda pane=pane: pane.has_focus_within)
            app.clear_notifications()
            await pilot.press(action)
            await wait_for(
                pilot, lambda: any("No service to act on" in n.message for n in notifications(app))
            )
        await pilot.press("escape", "escape")
        _, campaigns = await open_tab(pilot, "Appointment Reminders", "5", CampaignPane)
        await wait_for(pilot, lambda: not busy(campaigns) and campaigns.service is not None)
        assert campaigns.campaign is None
        campaigns.focus_main()
        await pilot.press("x")
        await wait_for(
            pilot, lambda: any("No campaign to delete" in n.message for n in notifications(app))
        )
        assert set(methods) <= {"GET"}, methods


async def test_another_service_opens_its_tab_at_the_top():
    """Scrolled down on one service's A2P tab, the next service's opens at its first line
    (its status: FAILED and why), not where the last one was left."""
    from textual.containers import ScrollableContainer

    app = sandbox_app()
    async with app.run_test(size=SIZE) as pilot:
        _, pane = await open_tab(pilot, "Fraud Alerts", "5", CampaignPane)
        await wait_for(pilot, lambda: not busy(pane) and pane.campaign is not None)
        scroll = pane.query_one("#campaign-scroll", ScrollableContainer)
        pane.focus_main()
        await pilot.press("ctrl+d", "ctrl+d")
        await wait_for(pilot, lambda: scroll.scroll_y > 0)
        await pilot.press("escape")
        await open_tab(pilot, "Black Friday Blast", "5", CampaignPane)
        await wait_for(pilot, lambda: not busy(pane) and pane.campaign is not None)
        assert pane.campaign["campaign_status"] == "FAILED"
        assert scroll.scroll_y == 0
