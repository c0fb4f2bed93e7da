"""The poisoned store (tests/poison.py): every string and a key beside every key of every
resource the emulator holds is hostile. Every screen, tab, pane, modal and toast of the app,
and every output command of the CLI, must show it without one raw control character reaching
the terminal, and without a crash (a `[/]` parsed as markup).

New tabs join by being in the registry (tui/tabs.py: each tab's pane and every action its keys
bind are walked); new CLI commands by being in the parser (every command must be run here or
named as a write the walk leaves out).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.binding import Binding
from textual.screen import Screen

from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.server import open_emulator
from msgsvc_tui.tui.screens.main import MainScreen
from msgsvc_tui.tui.screenshots import settled as settle
from msgsvc_tui.tui.tabs import TABS
from tests.poison import HOSTILE, acts_on_a_terminal, poison, poison_answers

from .tui_helpers import WIDE, notifications, painted, ready, sandbox_app, table, wait_for

ACCOUNT = demo.DEMO_ACCOUNT_SID
SIZE = WIDE  # every cell a poisoned value could reach is on screen


def assert_clean(app: Any, where: str) -> None:
    screen_text = painted(app)
    raw = acts_on_a_terminal(screen_text.replace("\n", ""))
    assert raw == [], f"{where}: raw {sorted(set(raw))!r} painted:\n{screen_text}"
    for note in notifications(app):
        for text in (note.message, note.title):
            assert acts_on_a_terminal(str(text)) == [], f"{where}: toast {text!r}"


async def back_to_main(pilot: Any) -> None:
    app = pilot.app
    for _ in range(5):
        if isinstance(app.screen, MainScreen):
            return
        app.screen.dismiss(None)  # as escape does: a worker waiting on the answer ends
        await pilot.pause()
    assert isinstance(app.screen, MainScreen)


def _actions(bindings: list[Any]) -> list[str]:
    return [b.action for b in bindings if isinstance(b, Binding)]


# Actions whose whole effect is a write sent at once (no question first): walked elsewhere
# (their toasts are what the write's answer says), not by pressing every key of a pane.
_SENT_AT_ONCE = frozenset({"reload"})


@pytest.fixture
def poisoned_app():
    emulator = open_emulator(":memory:")
    poison(emulator)
    poison_answers(emulator)
    return sandbox_app(emulator=emulator)


async def test_every_tab_pane_and_modal_shows_a_poisoned_store_safely(poisoned_app):
    app = poisoned_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        await settle(pilot)
        assert HOSTILE[:4] not in painted(app)
        assert "␛]52;c;" in painted(app)  # the names are there, shown visibly
        assert_clean(app, "the list and the form")
        t = table(pilot)
        for row in (0, len(screen.model.visible) - 1):
            t.cursor = row
            await settle(pilot)
            for tab in TABS:
                await screen.run_action(f"tab('{tab.id}')")
                await settle(pilot)
                assert_clean(app, f"tab {tab.title}")
                if tab.pane is None:
                    continue
                pane = screen.query_one(tab.pane)
                for action in _actions(tab.pane.BINDINGS):
                    if action in _SENT_AT_ONCE:
                        continue
                    await pane.run_action(action)
                    await settle(pilot)
                    assert_clean(app, f"tab {tab.title}, {action}")
                    await back_to_main(pilot)
            await screen.run_action(f"tab('{TABS[0].id}')")
            await settle(pilot)
        # the main screen's own modals: help, journal, undo's question, new, filter, delete
        for target, action in (
            (app, "help"),
            (app, "profiles"),
            (screen, "journal"),
            (screen, "undo"),
            (screen, "new"),
            (screen.query_one("ListPane"), "delete"),
        ):
            await target.run_action(action)
            await settle(pilot)
            assert_clean(app, action)
            await back_to_main(pilot)
        assert app.is_running


async def test_a_refusal_quoting_server_text_reopens_the_campaign_form_safely(poisoned_app):
    """What Twilio says when it refuses a campaign, and the form's own refusal quoting the
    brand's status, are shown as text, never parsed as markup (it crashed the app)."""
    from msgsvc_tui.tui.screens.campaign_form import CampaignForm

    app = poisoned_app
    async with app.run_test(size=SIZE) as pilot:
        screen = await ready(pilot)
        service = screen.model.visible_service(0)
        from msgsvc_tui.api import compliance

        brands = await compliance.list_brands(app.session.client)
        form = CampaignForm(app.session, service, brands, None, typed=None, problem=HOSTILE)
        app.push_screen(form)
        await settle(pilot)
        assert isinstance(app.screen, Screen) and app.screen is form
        assert_clean(app, "campaign form with a refusal")
        assert "␛]0;PWNED␇" in painted(app)
        # choosing a brand whose (hostile) status cannot register: the refusal quotes it
        from textual.widgets import Select

        select = form.query_one("#cf-brand_registration_sid", Select)
        form._brand_chosen(Select.Changed(select, brands[0]["sid"]))  # as choosing it does
        await settle(pilot)
        assert_clean(app, "campaign form, a brand that cannot register")
        assert app.is_running


# ---- profile names: a config file's keys are text from outside too ---------------------------
def _toml_escaped(text: str) -> str:
    return "".join(c if c.isalnum() or c in " []/.=:;,-" else f"\\u{ord(c):04x}" for c in text)


async def test_hostile_profile_names_in_the_splash_profiles_and_test(server, tmp_path):
    from msgsvc_tui.core.config import Config, resolve_connection
    from msgsvc_tui.tui.app import MsgsvcApp
    from msgsvc_tui.tui.screens.profiles import ProfilesScreen

    active, other = "x[/]" + HOSTILE, "[bold y" + HOSTILE
    path = Config.load().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f'active_profile = "{_toml_escaped(active)}"\n'
        + "".join(
            f'[profiles."{_toml_escaped(name)}"]\naccount_sid = "{ACCOUNT}"\n'
            f'auth_token = "{demo.DEMO_AUTH_TOKEN}"\nbase_url = "{server.url}"\n'
            for name in (active, other)
        )
    )
    config = Config.load()
    assert set(config.profiles) == {active, other}
    app = MsgsvcApp(config=config, connection=resolve_connection(config, env={}))
    async with app.run_test(size=SIZE) as pilot:
        assert_clean(app, "the splash")  # the first frame names the active profile
        await ready(pilot)
        assert_clean(app, "the main screen")
        await app.run_action("profiles")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert_clean(app, "the profiles screen")
        profiles = app.screen
        for name in sorted(config.profiles):
            profiles.test_connection(config.profiles[name])
            await settle(pilot)
            assert_clean(app, f"testing profile {name!r}")
        assert app.is_running


# ---- the CLI: every command that shows what the server holds ---------------------------------
def _leaf_commands() -> list[tuple[str, ...]]:
    """Every command the parser knows, as its words (`services senders list`)."""
    import argparse

    from msgsvc_tui import cli
    from msgsvc_tui.cli.parser import LazySubParsers

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs:
            return [path]
        out: list[tuple[str, ...]] = []
        for action in subs:
            for name in list(action.choices):
                built = action.parser_for(name) if isinstance(action, LazySubParsers) else None
                out += walk(built or action.choices[name], (*path, name))
        return out

    return walk(cli.build_parser(), ())


# Each read command with its arguments ({MG} a service with a campaign; {PN}, {XE}, {AL} a
# service and one of its senders of each kind)
# and its output forms. A command added to the parser must be added here or to _NOT_READS.
_READS: dict[tuple[str, ...], list[str]] = {
    ("services", "list"): ["", "--json", "--tsv"],
    ("services", "get"): ["{MG}", "{MG} --json"],
    ("services", "export"): ["", "--format json", "--with-senders"],
    ("services", "plan"): ["{FILE}"],
    ("services", "diff"): ["--from p --to p"],
    ("services", "messages"): ["{MG}", "{MG} --json"],
    ("services", "senders", "list"): ["{MG}", "{MG} --json", "{MG} --tsv"],
    ("services", "senders", "get"): ["{PN}", "{PN} --json"],
    ("services", "channel-senders", "list"): ["{MG}", "{MG} --tsv"],
    ("services", "channel-senders", "available"): ["{MG}", "{MG} --tsv"],
    ("services", "channel-senders", "get"): ["{XE}", "{XE} --json"],
    ("services", "country-senders", "list"): ["{MG}", "{MG} --tsv"],
    ("services", "country-senders", "get"): ["{AL}", "{AL} --json"],
    ("services", "campaign", "get"): ["{MG}", "{MG} --json"],
    ("services", "campaign", "usecases"): ["{MG}", "{MG} --tsv"],
    ("services", "brands"): ["", "--tsv"],
    ("services", "links"): ["{MG}", "{MG} --json"],
    ("numbers", "list"): ["", "--tsv", "--json"],
    ("services", "doctor"): ["{MG}", "{MG} --json", "--all"],
    ("services", "tollfree"): ["", "--json", "--tsv", "{HH}", "{HH} --json"],
}
_NOT_READS = {
    ("emulator",),  # serves; shows nothing from a server
    ("completion",),  # prints a shell script
    ("serve",),  # serves the app to a browser: the app itself is walked above
    ("demo", "reset"),  # empties the local sandbox: nothing from a server
    ("services", "create"),
    ("services", "update"),
    ("services", "delete"),
    ("services", "apply"),
    ("services", "undo"),
    ("services", "send"),
    *(
        ("services", kind, verb)
        for kind in ("senders", "channel-senders", "country-senders")
        for verb in ("add", "remove")
    ),
    *(("services", "campaign", verb) for verb in ("create", "update", "delete", "attach")),
}


# Resources the emulator may not serve yet (a 404 is then the honest answer).
_MAY_BE_ABSENT = {("services", "messages")}
# Reads whose exit code also says what they found (doctor: an error-level finding).
_FINDS = {("services", "doctor"): (10,)}


def test_every_command_is_walked_or_named_as_a_write():
    assert set(_leaf_commands()) == set(_READS) | _NOT_READS


def _first(db: Any, sql: str) -> str:
    row = db.execute(sql).fetchone()
    assert row is not None, sql
    return " ".join(map(str, row))


def test_every_cli_read_shows_a_poisoned_store_safely(tmp_path, capsysbinary, monkeypatch):
    """Run as a user would (cli.main, real loopback HTTP, the one-shot reader where it
    applies); stdout and stderr may hold newlines and the TSV's own tabs, nothing else."""
    from msgsvc_tui import cli
    from msgsvc_tui.core.config import Config, Profile, Secret
    from msgsvc_tui.emulator.server import start_in_thread

    emulator = open_emulator(":memory:")
    poison(emulator)
    poison_answers(emulator)
    running = start_in_thread(emulator)
    try:
        db = emulator.store.db
        mg = _first(db, "SELECT service_sid FROM campaigns")
        values = {
            "{MG}": mg,
            "{PN}": _first(db, "SELECT service_sid, sid FROM numbers WHERE service_sid != ''"),
            "{XE}": _first(
                db, "SELECT service_sid, sid FROM channel_senders WHERE service_sid != ''"
            ),
            "{AL}": _first(db, "SELECT service_sid, sid FROM destination_alpha_senders"),
            "{HH}": _first(db, "SELECT sid FROM tollfree_verifications"),
            "{FILE}": str(tmp_path / "export.toml"),
        }
        cfg = Config.load()
        cfg.set_profile(
            Profile("p", ACCOUNT, auth_token=Secret(demo.DEMO_AUTH_TOKEN), base_url=running.url)
        )
        cfg.save()
        monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
        monkeypatch.setenv("TWILIO_AUTH_TOKEN", demo.DEMO_AUTH_TOKEN)
        base = ["--base-url", running.url]
        assert cli.main([*base, "services", "export", "-o", values["{FILE}"]]) == 0
        capsysbinary.readouterr()
        for words, forms in _READS.items():
            for form in forms:
                for token, value in values.items():
                    form = form.replace(token, value)
                parts = form.split()
                if len(words) == 3:  # `services senders MG… list`: the service before the verb
                    argv = [*base, *words[:2], *parts[:1], words[2], *parts[1:]]
                else:
                    argv = [*base, *words, *parts]
                code = cli.main(argv)
                out, err = capsysbinary.readouterr()
                shown = (out + err).decode("utf-8")
                raw = [c for c in acts_on_a_terminal(shown) if c not in "\n\t"]
                assert raw == [], f"{' '.join(words)} {form}: raw {sorted(set(raw))!r}"
                assert "Traceback" not in shown, f"{' '.join(words)} {form}: {shown}"
                allowed = (0, 2, 8, 4) if words in _MAY_BE_ABSENT else (0, 2, 8)
                allowed += _FINDS.get(words, ())
                assert code in allowed, f"{' '.join(words)} {form}: exit {code}: {shown}"
    finally:
        running.stop()


# ---- the net under the sanitizer -------------------------------------------------------------
async def test_the_last_guard_keeps_what_a_widget_forgot_off_the_terminal():
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    from msgsvc_tui.tui import guard
    from msgsvc_tui.tui.app import MsgsvcApp

    class Forgetful(App[None]):
        def compose(self) -> ComposeResult:
            yield Static(Text("a\x1b]52;c;eA==\x07b\u202ec\x9bd"))

    app = Forgetful()
    async with app.run_test(size=(30, 3)):
        update = app.screen._compositor.render_full_update()
        assert acts_on_a_terminal(painted(app).replace("\n", ""))  # the widget forgot
        cleaned = guard.clean_update(update)
        terminal = cleaned.render_segments(app.console)  # type: ignore[attr-defined]
        assert "\x1b]52" not in terminal and "\x07" not in terminal
        assert "\u202e" not in terminal and "\x9b" not in terminal
        assert "a]52;c;eA==bcd" in terminal  # shown inert, the layout unchanged
    assert MsgsvcApp._display is not App._display  # every frame of the app passes the guard
