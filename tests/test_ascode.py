"""Config as code: export, plan, apply and diff, on emulators over loopback HTTP."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest

from msgsvc_tui import cli
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core.config import Config, Profile, Secret
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.faults import FaultPlan, FaultyTransport
from msgsvc_tui.emulator.server import RunningServer, open_emulator, start_in_thread
from msgsvc_tui.ops import ascode

ACCOUNT = demo.DEMO_ACCOUNT_SID


async def _no_sleep(_: float) -> None:
    return None


def _client(url: str, transport: httpx.AsyncBaseTransport | None = None) -> MessagingClient:
    return MessagingClient(
        account_sid=ACCOUNT,
        username=ACCOUNT,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=url,
        transport=transport,
        sleep=_no_sleep,
    )


def run(server: RunningServer, *argv: str, transport=None) -> tuple[int, str]:
    out = io.StringIO()
    args = cli.build_parser().parse_args(["services", *argv])
    code = cli_services.run(args, stdout=out, client=_client(server.url, transport))
    return code, out.getvalue()


@pytest.fixture
def empty() -> RunningServer:
    """A second account: no services (the demo's numbers, all free, for sender tests)."""
    emu = open_emulator(":memory:")
    for row in emu.store.list_services(ACCOUNT, after=None, before=None, limit=100):
        emu.store.delete_service(ACCOUNT, row.data["sid"])
    running = start_in_thread(emu)
    yield running
    running.stop()


def _body(text: str) -> str:
    """The file without its comments (the SIDs and the export time differ by design)."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


def _names(emu: EmulatorApp) -> list[str]:
    rows = emu.store.list_services(ACCOUNT, after=None, before=None, limit=1000)
    return [r.data["friendly_name"] for r in rows]


def test_export_apply_to_an_empty_account_export_gives_the_same_file(server, empty, tmp_path):
    code, exported = run(server, "export")
    assert code == 0 and exported.count("[services.") == demo.SERVICE_COUNT
    path = tmp_path / "services.toml"
    path.write_text(exported)
    code, planned = run(empty, "plan", str(path))
    assert code == ExitCode.PENDING == 8 and f"Plan: {demo.SERVICE_COUNT} to create" in planned
    code, applied = run(empty, "apply", str(path), "--yes")
    assert code == 0, applied
    assert "After apply: no changes left." in applied
    code, again = run(empty, "export")
    assert _body(again) == _body(exported)
    code, replanned = run(empty, "plan", str(path))
    assert code == 0 and "No changes" in replanned


def test_plan_shows_create_update_and_only_with_prune_delete(server, tmp_path):
    code, exported = run(server, "export", "--format", "json")
    document = json.loads(exported)
    services = document["services"]
    services["Brand New"] = {"usecase": "marketing", "sticky_sender": False}
    services["Acme Order Updates"]["sticky_sender"] = False
    services["Acme Order Updates"]["validity_period"] = 600
    del services["Voting Hotline"]
    path = tmp_path / "services.json"
    path.write_text(json.dumps(document))
    code, planned = run(server, "plan", str(path))
    assert code == 8
    assert '+ create "Brand New"\n    + usecase       = marketing\n' in planned
    assert "    + sticky_sender = off\n" in planned
    assert '~ update "Acme Order Updates"' in planned
    assert "    ~ sticky_sender   = on → off" in planned
    assert "    ~ validity_period = 36000 → 600" in planned
    assert "delete" not in planned.replace("to delete", "")
    code, pruned = run(server, "plan", str(path), "--prune")
    assert '- delete "Voting Hotline"' in pruned and "1 to delete" in pruned


def test_an_invalid_file_is_refused_with_file_line_and_field_and_nothing_is_sent(server, tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        "version = 1\n"
        "\n"
        '[services."Alerts"]\n'
        'usecase = "spam"\n'
        'sticky_sender = "maybe"\n'
        "colour = 3\n"
        "\n"
        '[services."' + "x" * 70 + '"]\n'
    )
    served_before = server.app.requests_served
    code, _ = run(server, "apply", str(path), "--yes")
    assert code == ExitCode.USAGE
    with pytest.raises(ascode.FileError) as err:
        ascode.load(path)
    problems = err.value.problems
    assert f'{path}:4: services."Alerts".usecase: Use case must be one of' in problems[0]
    assert f'{path}:5: services."Alerts".sticky_sender:' in problems[1]
    assert f'{path}:6: services."Alerts".colour: not a writable field' in problems[2]
    assert f"{path}:8: " in problems[3] and "at most 64" in problems[3]
    assert server.app.requests_served == served_before  # checked before anything was asked


def test_an_unparsable_file_names_its_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('version = 1\n[services."A"\nusecase = "x"\n')
    with pytest.raises(ascode.FileError) as err:
        ascode.load(path)
    assert str(path) in err.value.problems[0] and "line 2" in err.value.problems[0]


def test_apply_through_injected_faults_converges_without_duplicates(server, empty, tmp_path):
    code, exported = run(server, "export")
    path = tmp_path / "services.toml"
    path.write_text(exported)
    faults = FaultyTransport(httpx.AsyncHTTPTransport(), FaultPlan(rate=0.3, seed=1127))
    for _ in range(6):  # what failed (confirmed) is simply applied again
        code, applied = run(empty, "apply", str(path), "--yes", transport=faults)
        names = _names(empty.app)
        assert len(names) == len(set(names)), "a service was created twice"
        if code == 0:
            break
    assert code == 0, applied
    assert sum(1 for e in faults.log if e.fault) > 10  # the faults were real
    code, _ = run(empty, "plan", str(path))
    assert code == 0 and sorted(_names(empty.app)) == sorted(_names(server.app))


def test_senders_round_trip_and_a_held_sender_is_reported_not_moved(server, empty, tmp_path):
    code, exported = run(server, "export", "--with-senders")
    path = tmp_path / "services.toml"
    path.write_text(exported)
    assert '[services."Loyalty Club UK".senders]' in exported and "AcmeLoyal" in exported
    code, applied = run(empty, "apply", str(path), "--yes")
    assert code == 0, applied
    code, again = run(empty, "export", "--with-senders")
    assert _body(again) == _body(exported)

    # the file puts Loyalty Club UK's number on "2FA - EU" instead
    text = path.read_text()
    loyalty = '[services."Loyalty Club UK".senders]\nphone_numbers = [\n    "+447700900123",\n]'
    two_fa = '[services."2FA - EU".senders]\nphone_numbers = [\n'
    assert loyalty in text and two_fa in text
    moved = text.replace(loyalty, '[services."Loyalty Club UK".senders]\nphone_numbers = []')
    moved = moved.replace(two_fa, two_fa + '    "+447700900123",\n')
    path.write_text(moved)
    # the file itself frees the number: one removal, then one add, without --move-senders
    code, planned = run(empty, "plan", str(path))
    assert planned.count("+447700900123") == 2, planned
    assert '- remove +447700900123 from "Loyalty Club UK"' in planned
    assert '+ add +447700900123 to "2FA - EU" (after its removal from Loyalty Club UK)' in planned
    code, applied = run(empty, "apply", str(path), "--yes")
    assert code == 0 and "✗" not in applied, applied
    assert _holder_name(empty.app, "+447700900123") == "2FA - EU"

    # a number held by a service the file does not manage is reported, or moved when asked
    back = moved.replace(two_fa + '    "+447700900123",\n', two_fa)
    back = back.replace(
        '[services."Loyalty Club UK".senders]\nphone_numbers = []',
        '[services."Loyalty Club UK".senders]\nphone_numbers = [\n    "+447700900123",\n]',
    )
    back = back.replace('[services."2FA - EU".senders]', '[services."2FA - EU".unmanaged]')
    path.write_text(_without_table(back, '[services."2FA - EU".unmanaged]'))
    code, planned = run(empty, "plan", str(path))
    assert "belongs to another service" in planned and "--move-senders moves it" in planned
    code, planned = run(empty, "plan", str(path), "--move-senders")
    assert '~ move +447700900123 from "2FA - EU" to "Loyalty Club UK"' in planned, planned
    code, applied = run(empty, "apply", str(path), "--yes", "--move-senders")
    assert code == 0 and "✓ move +447700900123" in applied, applied
    assert _holder_name(empty.app, "+447700900123") == "Loyalty Club UK"


def _without_table(text: str, header: str) -> str:
    """`text` without the TOML table `header` (up to the next blank line)."""
    start = text.index(header)
    end = text.find("\n\n", start)
    return text[:start] + (text[end + 2 :] if end != -1 else "")


def _holder_name(emu: EmulatorApp, number: str) -> str | None:
    row = emu.store.db.execute(
        "SELECT service_sid FROM numbers WHERE value = ?", (number,)
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return str(emu.store.get_service(ACCOUNT, row[0])["friendly_name"])


def test_diff_between_two_profiles(server, empty, capsys):
    cfg = Config.load()
    token = Secret(demo.DEMO_AUTH_TOKEN)
    cfg.set_profile(Profile("staging", ACCOUNT, auth_token=token, base_url=server.url))
    cfg.set_profile(Profile("prod", ACCOUNT, auth_token=token, base_url=empty.url))
    cfg.save()
    code = cli.main(["services", "diff", "--from", "staging", "--to", "prod"])
    out = capsys.readouterr().out
    assert code == 8 and "staging → prod" in out and f"Plan: {demo.SERVICE_COUNT} to create" in out
    code = cli.main(["services", "diff", "--from", "staging", "--to", "staging"])
    assert code == 0 and "No changes" in capsys.readouterr().out


def test_export_to_a_file_is_whole_or_not_at_all(server, tmp_path):
    target = tmp_path / "out.toml"
    code, _ = run(server, "export", "-o", str(target))
    assert code == 0 and target.read_text().count("[services.") == demo.SERVICE_COUNT
    assert [p.name for p in tmp_path.iterdir()] == ["out.toml"]  # no temporary file left


def test_the_readme_example_file_is_valid(tmp_path):
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    example = readme.split("<!-- ascode-example:start -->\n```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.toml"
    path.write_text(example)
    desired = ascode.load(path)
    assert [d.name for d in desired] == ["Acme Order Updates", "Staging - Notifications"]


def test_an_apply_is_journalled_and_undone_as_one(server, empty, tmp_path):
    code, exported = run(server, "export", "--filter", "Acme")
    path = tmp_path / "acme.toml"
    path.write_text(exported)
    code, _ = run(empty, "apply", str(path), "--yes")
    assert code == 0 and sorted(_names(empty.app)) == [
        "Acme Login Codes",
        "Acme Order Updates",
        "Acme Spring Promo",
    ]
    code, undone = run(empty, "undo", "--yes")
    assert code == 0 and undone.count("✓ delete") == 3, undone
    assert _names(empty.app) == []
    code, _ = run(empty, "undo", "--yes")  # the undo itself is not undone by `undo`
    assert code == 0 and _names(empty.app) == []
