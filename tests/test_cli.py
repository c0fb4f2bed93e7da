"""`msgsvc-tui services …` end to end against the emulator over loopback: every subcommand,
every exit code, and JSON that parses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from msgsvc_tui import cli
from msgsvc_tui.core.config import Config, Profile, Secret
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import Fault


@pytest.fixture
def creds(monkeypatch, server):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", demo.DEMO_ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", demo.DEMO_AUTH_TOKEN)
    return server


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def base(server) -> list[str]:
    return ["--base-url", server.url]


def test_list_human_json_tsv(capsys, creds):
    code, out, _ = run(capsys, *base(creds), "services", "list")
    assert (
        code == ExitCode.OK and len(out.splitlines()) == demo.SERVICE_COUNT + 1
    )  # a header row, then the services
    assert out.splitlines()[0].startswith("SID") and out.splitlines()[1].startswith("MG")
    code, out, _ = run(capsys, *base(creds), "services", "list", "--json", "--page-size", "7")
    services = json.loads(out)
    assert (
        code == ExitCode.OK
        and len(services) == demo.SERVICE_COUNT
        and services[0]["sid"].startswith("MG")
    )
    code, out, _ = run(capsys, *base(creds), "services", "list", "--tsv")
    lines = out.splitlines()
    assert lines[0].split("\t")[:2] == ["friendly_name", "usecase"]
    assert len(lines) == demo.SERVICE_COUNT + 1 and all(
        len(line.split("\t")) == len(lines[0].split("\t")) for line in lines
    )


def test_list_filter_and_limit(capsys, creds):
    code, out, _ = run(capsys, *base(creds), "services", "list", "--json", "--filter", "ACME")
    names = [s["friendly_name"] for s in json.loads(out)]
    assert code == ExitCode.OK and names == [
        "Acme Order Updates",
        "Acme Login Codes",
        "Acme Spring Promo",
    ]
    code, out, _ = run(capsys, *base(creds), "services", "list", "--json", "--limit", "2")
    assert len(json.loads(out)) == 2
    code, out, _ = run(capsys, *base(creds), "services", "list", "--json", "--filter", "zzz")
    assert json.loads(out) == []


def test_get(capsys, creds):
    code, out, _ = run(capsys, *base(creds), "services", "list", "--json", "--limit", "1")
    sid = json.loads(out)[0]["sid"]
    code, out, _ = run(capsys, *base(creds), "services", "get", sid, "--json")
    assert code == ExitCode.OK and json.loads(out)["sid"] == sid
    code, out, _ = run(capsys, *base(creds), "services", "get", sid)
    assert "Friendly name" in out and sid in out


def test_create_update_delete(capsys, creds):
    code, out, err = run(
        capsys, *base(creds), "services", "create", "--friendly-name", "From CLI",
        "--set", "sticky_sender=false", "--set", "ValidityPeriod=600",
    )  # fmt: skip
    assert code == ExitCode.OK, err
    sid = out.strip()
    stored = creds.app.store.get_service(demo.DEMO_ACCOUNT_SID, sid)
    assert stored["sticky_sender"] is False and stored["validity_period"] == 600
    code, out, _ = run(
        capsys, *base(creds), "services", "update", sid, "--set", "status_callback=https://x.example/s",
        "--json",
    )  # fmt: skip
    assert code == ExitCode.OK and json.loads(out)["status_callback"] == "https://x.example/s"
    code, _, err = run(
        capsys, *base(creds), "services", "update", sid, "--set", "validity_period=99999"
    )
    assert code == ExitCode.USAGE and err.count(sid) == 1, err  # named once, not twice
    assert "validity_period: Validity period (s) must be from 1 to 36,000" in err
    code, _, err = run(capsys, *base(creds), "services", "delete", sid)
    assert code == ExitCode.USAGE and "--yes" in err  # no terminal to ask on
    code, _, _ = run(capsys, *base(creds), "services", "delete", sid, "--yes")
    assert code == ExitCode.OK
    code, _, err = run(capsys, *base(creds), "services", "get", sid)
    assert code == ExitCode.NOT_FOUND and "20404" in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (
            ["create", "--friendly-name", "x" * 65],
            "friendly_name: Friendly name must be at most 64",
        ),
        (["create", "--friendly-name", "ok", "--set", "validity_period=0"], "validity_period"),
        (["create", "--friendly-name", "ok", "--set", "nope=1"], "unknown or read-only field"),
        (["create", "--friendly-name", "ok", "--set", "sticky_sender"], "field=value"),
        (["update", "MG123", "--set", "sticky_sender=true"], "not a MG"),
        (["get", "MG-not-a-sid"], "not a MG"),  # any other text is a name
    ],
)
def test_bad_input_exits_2_and_names_the_field(capsys, creds, argv, words):
    code, out, err = run(capsys, *base(creds), "services", *argv)
    assert code == ExitCode.USAGE and words in err and out == ""


def test_auth_failure_exits_5(capsys, creds, monkeypatch):
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "wrong")
    code, _, err = run(capsys, *base(creds), "services", "list")
    assert code == ExitCode.AUTH and "20003" in err and "wrong" not in err


def test_no_credentials_exits_3(capsys):
    code, _, err = run(capsys, "services", "list")
    assert code == ExitCode.CONFIG and "TWILIO_ACCOUNT_SID" in err


def test_corrupt_config_exits_3(capsys):
    path = os.environ["MSGSVC_TUI_CONFIG"]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as fh:
        fh.write("[[[")
    code, _, err = run(capsys, "services", "list")
    assert code == ExitCode.CONFIG and path in err


def test_other_api_error_exits_1(capsys, creds, quick_retries):
    # a read is asked again after a 500 (4 retries): every try fails here
    creds.app.inject(*[Fault(500, b'{"code": 20500, "message": "Internal Server Error"}')] * 5)
    code, _, err = run(capsys, *base(creds), "services", "list")
    assert code == ExitCode.API and "20500" in err
    assert len(quick_retries) == 4


def test_profile_flag(capsys, server):
    cfg = Config.load()
    cfg.set_profile(
        Profile(
            "emu",
            demo.DEMO_ACCOUNT_SID,
            auth_token=Secret(demo.DEMO_AUTH_TOKEN),
            base_url=server.url,
        )
    )
    cfg.save()
    code, out, _ = run(capsys, "--profile", "emu", "services", "list", "--limit", "1")
    assert code == ExitCode.OK and out.splitlines()[1].startswith("MG")


def test_readonly_refuses_writes(capsys, creds):
    code, _, err = run(
        capsys, *base(creds), "--readonly", "services", "create", "--friendly-name", "x"
    )
    assert code == ExitCode.USAGE and "read-only" in err
    assert creds.app.store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT


def test_console_script_streams_json(creds):
    """The real entry point in a child process: data on stdout, nothing on stderr."""
    env = {
        **os.environ,
        "TWILIO_ACCOUNT_SID": demo.DEMO_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": demo.DEMO_AUTH_TOKEN,
    }
    done = subprocess.run(
        [sys.executable, "-m", "msgsvc_tui", "--base-url", creds.url, "services", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == demo.SERVICE_COUNT and done.stderr == ""


def test_human_list_truncates_long_names_with_an_ellipsis(capsys, creds):
    creds.app.store.create_service(demo.DEMO_ACCOUNT_SID, {"friendly_name": "N" * 64})
    code, out, _ = run(capsys, *base(creds), "services", "list")
    row = next(line for line in out.splitlines() if "NNNN" in line)
    assert code == ExitCode.OK and "N" * 39 + "…" in row and "N" * 41 not in row


# ---- lists that fail part-way, writes whose outcome stays unknown ------------------------------
def _faulty_client(server, *faults):
    import httpx

    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.emulator.faults import FaultyTransport

    transport = FaultyTransport(httpx.AsyncHTTPTransport())
    transport.script(*faults)

    async def no_sleep(_):
        return None

    return MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username=demo.DEMO_ACCOUNT_SID,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=server.url,
        transport=transport,
        sleep=no_sleep,
        max_retries=1,
    )


@pytest.mark.parametrize("form", ["--json", "--tsv", None])
def test_a_list_failing_part_way_is_well_formed_and_says_partial(capsys, server, form):
    from io import StringIO

    from msgsvc_tui.cli import services as cli_services
    from msgsvc_tui.emulator.faults import FaultKind

    # page 1 arrives, page 2 fails on every try
    client = _faulty_client(server, None, FaultKind.STATUS_500, FaultKind.STATUS_500)
    argv = ["services", "list", "--page-size", "10", *([form] if form else [])]
    out = StringIO()
    code = cli_services.run(cli.build_parser().parse_args(argv), stdout=out, client=client)
    err = capsys.readouterr().err
    assert code == ExitCode.PARTIAL == 7
    assert "partial: 10 services before the error" in err
    text = out.getvalue()
    if form == "--json":
        assert len(json.loads(text)) == 10  # the array is closed
    else:
        assert len(text.splitlines()) == 11 and text.endswith("\n")  # header + 10 whole rows


def test_a_list_failing_at_once_writes_nothing(capsys, server):
    from io import StringIO

    from msgsvc_tui.cli import services as cli_services
    from msgsvc_tui.emulator.faults import FaultKind

    client = _faulty_client(server, FaultKind.STATUS_500, FaultKind.STATUS_500)
    out = StringIO()
    args = cli.build_parser().parse_args(["services", "list", "--json"])
    code = cli_services.run(args, stdout=out, client=client)
    assert code == ExitCode.API and out.getvalue() == ""


def test_a_create_whose_outcome_stays_unknown_exits_6(capsys, server):
    from io import StringIO

    from msgsvc_tui.cli import services as cli_services
    from msgsvc_tui.emulator.faults import FaultKind

    lost = [FaultKind.RESET_AFTER, FaultKind.RESET_BEFORE, FaultKind.RESET_BEFORE]
    client = _faulty_client(server, *lost)
    args = cli.build_parser().parse_args(["services", "create", "--friendly-name", "Maybe"])
    code = cli_services.run(args, stdout=StringIO(), client=client)
    err = capsys.readouterr().err
    assert code == ExitCode.UNKNOWN == 6 and "outcome unknown" in err


def test_a_create_confirmed_after_a_lost_answer_says_so(capsys, server):
    from io import StringIO

    from msgsvc_tui.cli import services as cli_services
    from msgsvc_tui.emulator.faults import FaultKind

    client = _faulty_client(server, FaultKind.APPLIED_503)
    out = StringIO()
    args = cli.build_parser().parse_args(["services", "create", "--friendly-name", "Landed"])
    code = cli_services.run(args, stdout=out, client=client)
    err = capsys.readouterr().err
    assert code == ExitCode.OK and out.getvalue().startswith("MG")
    assert "confirmed after a lost answer" in err
    assert (
        server.app.store.count_services(demo.DEMO_ACCOUNT_SID) == demo.SERVICE_COUNT + 1
    )  # once, not twice


def test_exit_codes_help_lists_every_code(capsys):
    with pytest.raises(SystemExit):
        cli.main(["services", "--help"])
    out = capsys.readouterr().out
    for code in range(8):
        assert f"  {code}  " in out
