"""`msgsvc-tui serve` without a browser: what each visitor's process is given, what the server
says about where it listens, and that none of it costs the other commands anything.
(The browser itself: tests/browser/, `make test-browser`.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from msgsvc_tui.cli import main
from msgsvc_tui.cli.serve import default_public_url, serving_message, visitor_command
from msgsvc_tui.core.config import Config
from msgsvc_tui.emulator import demo
from msgsvc_tui.tui.app import MsgsvcApp
from tests.tui_helpers import notifications, ready

MSGSVC = [sys.executable, "-m", "msgsvc_tui"]


def test_loopback_is_the_default_and_says_so():
    text = serving_message("127.0.0.1", 8000, "http://127.0.0.1:8000")
    assert text.startswith("msgsvc-tui in the browser: http://127.0.0.1:8000\n")
    assert "loopback only" in text and "--host 0.0.0.0" in text
    assert "sandbox of their own" in text


def test_another_address_is_said_to_be_open_to_others():
    text = serving_message("0.0.0.0", 8000, "http://room-laptop:8000")
    assert "listening on 0.0.0.0: anyone who can reach this machine" in text
    assert "never your profiles" in text
    assert default_public_url("0.0.0.0", 8000).startswith("http://")
    assert "0.0.0.0" not in default_public_url("0.0.0.0", 8000)  # not an address to browse
    assert default_public_url("::1", 9000) == "http://[::1]:9000"


def test_each_visitor_runs_the_sandbox_of_this_installation():
    command = visitor_command(readonly=True)
    assert command.startswith(f"exec {sys.executable} -m msgsvc_tui --demo")
    assert command.endswith("--readonly")
    assert "--readonly" not in visitor_command(readonly=False)
    assert visitor_command(readonly=False, tour=True).endswith("--demo --tour")


def test_serve_refuses_a_bad_port_before_listening(capsys: pytest.CaptureFixture[str]):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port 70000" in capsys.readouterr().err


def test_a_sandbox_db_is_seeded_fresh_and_is_its_own(tmp_path: Path):
    """What a visitor's process opens: a new file holds the whole demo; another is untouched."""
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"

    def names(db: Path) -> list[str]:
        done = subprocess.run(
            [*MSGSVC, "--sandbox-db", str(db), "services", "list", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return [row["friendly_name"] for row in json.loads(done.stdout)]

    assert len(names(first)) == demo.SERVICE_COUNT and first.exists()
    created = subprocess.run(
        [*MSGSVC, "--sandbox-db", str(first), "services", "create", "--friendly-name", "Only"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    assert "Only" in names(first)
    assert "Only" not in names(second)


async def test_a_sandbox_only_app_never_opens_profiles(tmp_path: Path):
    """A workshop visitor cannot reach the host's profiles, nor add one, from the app."""
    app = MsgsvcApp(
        config=Config.load(),
        demo=True,
        emulator_db=tmp_path / "visitor.sqlite3",
        sandbox_only=True,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("p")
        await pilot.pause()
        from msgsvc_tui.tui.screens.profiles import ProfilesScreen

        assert not isinstance(app.screen, ProfilesScreen)
        assert any("Sandbox only" in n.title for n in notifications(app))
        app.switch_profile("work")
        await pilot.pause()
        assert app.is_sandbox


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["services", "--help"]])
def test_the_browser_server_is_imported_only_by_serve(argv: list[str]):
    code = (
        "import sys\nfrom msgsvc_tui.cli import main\n"
        f"try: main({argv!r})\nexcept SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual_serve', 'aiohttp') or m == 'msgsvc_tui.cli.visitors'), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr[-1500:]
