"""The CLI used by hand: names where SIDs go, numbers as people write them, hints for
misspelt names, readable plans, clear start-up errors. Against the emulator over loopback."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest

from msgsvc_tui import cli
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core import senders
from msgsvc_tui.core.config import Connection, Secret
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo

ACCOUNT = demo.DEMO_ACCOUNT_SID


@pytest.fixture
def creds(monkeypatch, server):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", demo.DEMO_AUTH_TOKEN)
    return server


def main(capsys, *argv: str) -> tuple[int, str, str]:
    """The whole command line, as a user runs it (the one-shot reader included)."""
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run(server, capsys, *argv: str) -> tuple[int, str, str]:
    """`services …` through the async client (every action but the one-shot reads)."""
    conn = Connection(ACCOUNT, ACCOUNT, Secret(demo.DEMO_AUTH_TOKEN), base_url=server.url)
    client = MessagingClient.from_connection(conn)
    out = StringIO()
    code = cli_services.run(
        cli.build_parser().parse_args(["services", *argv]), stdout=out, client=client
    )
    return code, out.getvalue(), capsys.readouterr().err


def sid_of(emulator, name: str) -> str:
    rows = emulator.store.list_services(ACCOUNT, after=None, before=None, limit=1000)
    return next(r.data["sid"] for r in rows if r.data["friendly_name"] == name)


def exists(emulator, sid: str) -> bool:
    rows = emulator.store.list_services(ACCOUNT, after=None, before=None, limit=1000)
    return any(r.data["sid"] == sid for r in rows)


def in_pool(emulator, service: str, kind: senders.SenderKind, sid: str) -> bool:
    return any(m["sid"] == sid for m in pool(emulator, service, kind))


def pool(emulator, service: str, kind: senders.SenderKind) -> list[dict]:
    return [
        dict(r) for r in emulator.store.list_members(ACCOUNT, service, kind, after=0, limit=1000)
    ]


def numbers(emulator, kind: senders.SenderKind) -> list[dict]:
    rows, _more = emulator.store.list_account_numbers(ACCOUNT, kind, offset=0, limit=1000)
    return [dict(r) for r in rows]


# ---- a friendly name wherever a service SID goes --------------------------------------------
def test_get_by_friendly_name_one_shot_and_json(capsys, creds, emulator):
    sid = sid_of(emulator, "Acme Order Updates")
    code, out, err = main(capsys, "--base-url", creds.url, "services", "get", "Acme Order Updates")
    assert code == ExitCode.OK, err
    assert sid in out and "Acme Order Updates" in out
    code, out, _ = main(
        capsys, "--base-url", creds.url, "services", "get", "Acme Order Updates", "--json"
    )
    assert json.loads(out)["sid"] == sid


def test_one_shot_get_by_a_shared_name_exits_2_and_by_none_4(capsys, creds, emulator):
    emulator.store.create_service(ACCOUNT, {"friendly_name": "Fraud Alerts"})
    code, out, err = main(capsys, "--base-url", creds.url, "services", "get", "Fraud Alerts")
    assert code == ExitCode.USAGE and out == "" and "2 services are named" in err
    code, out, err = main(capsys, "--base-url", creds.url, "services", "get", "Fraud Alert")
    assert code == ExitCode.NOT_FOUND and "did you mean 'Fraud Alerts'" in err


def test_update_and_delete_by_name(server, emulator, capsys):
    sid = sid_of(emulator, "QA Sandbox")
    code, _out, err = run(server, capsys, "update", "QA Sandbox", "--set", "sticky_sender=false")
    assert code == ExitCode.OK, err
    assert emulator.store.get_service(ACCOUNT, sid)["sticky_sender"] is False
    code, _, err = run(server, capsys, "delete", "QA Sandbox", "--yes")
    assert code == ExitCode.OK, err
    assert not exists(emulator, sid)


def test_several_services_with_the_name_exit_2_listing_each_sid(server, emulator, capsys):
    first = sid_of(emulator, "Delivery ETA")
    emulator.store.create_service(ACCOUNT, {"friendly_name": "Delivery ETA"})
    second = next(
        r.data["sid"]
        for r in emulator.store.list_services(ACCOUNT, after=None, before=None, limit=1000)
        if r.data["friendly_name"] == "Delivery ETA" and r.data["sid"] != first
    )
    code, out, err = run(server, capsys, "delete", "Delivery ETA", "--yes")
    assert code == ExitCode.USAGE and out == ""
    assert "2 services are named 'Delivery ETA'" in err and first in err and second in err
    assert exists(emulator, first) and exists(emulator, second)  # nothing was deleted


def test_candidates_with_hostile_names_stay_one_line_each(server, emulator, capsys):
    hostile = "Twin\n  MGffffffffffffffffffffffffffffffff  fake\x1b[2J"
    for _ in range(2):
        emulator.store.create_service(ACCOUNT, {"friendly_name": hostile})
    code, _, err = run(server, capsys, "get", hostile)
    assert code == ExitCode.USAGE
    assert "\x1b" not in err and "MGffff" not in err.split("\n", 3)[-1].split("  ")[0]
    assert len(err.strip().splitlines()) == 3  # the message, then one line per candidate


def test_no_such_name_exits_4_with_the_nearest_names(server, capsys):
    code, out, err = run(server, capsys, "get", "Acme Order Update")
    assert code == ExitCode.NOT_FOUND and out == ""
    assert "no service named 'Acme Order Update'" in err
    assert "did you mean 'Acme Order Updates' (MG" in err


def test_a_bad_sid_still_says_what_is_wrong_with_it(server, capsys):
    code, _, err = run(server, capsys, "get", "MG123")
    assert code == ExitCode.USAGE and "'MG123' is not a MG… SID" in err


@pytest.mark.parametrize(
    ("argv", "expect"),
    [
        (["senders", "Acme Order Updates", "list", "--json"], "+1"),
        (["channel-senders", "Driver Dispatch", "list", "--json"], "["),
        (["country-senders", "2FA - EU", "list", "--json"], "FR"),
        (["campaign", "Acme Spring Promo", "get", "--json"], ""),
        (["links", "Acme Order Updates", "--json"], ""),
    ],
)
def test_every_owned_command_takes_the_name(server, capsys, argv, expect):
    code, out, err = run(server, capsys, *argv)
    assert code in (ExitCode.OK, ExitCode.NOT_FOUND), err
    assert "not a MG" not in err and expect in out
    json.loads(out)


@pytest.mark.parametrize("action", ["messages", "send"])
def test_commands_added_by_others_resolve_names_too(server, capsys, action):
    extra = ["--to", "+14155550100", "--body", "hi", "--yes"] if action == "send" else []
    code, out, err = run(server, capsys, action, "Acme Order Update", *extra)
    assert code == ExitCode.NOT_FOUND and out == ""
    assert "no service named 'Acme Order Update'" in err and "did you mean" in err


# ---- E.164 numbers and short codes for senders add/remove -----------------------------------
def test_senders_add_and_remove_by_e164_number(server, emulator, capsys):
    free = next(n for n in numbers(emulator, senders.PHONE_NUMBERS) if not n["service_sid"])
    service = sid_of(emulator, "Billing Reminders")
    spaced = free["value"][:2] + " " + free["value"][2:5] + " " + free["value"][5:]
    code, out, err = run(server, capsys, "senders", "Billing Reminders", "add", spaced)
    assert code == ExitCode.OK, err
    assert out.strip() == free["sid"]
    assert in_pool(emulator, service, senders.PHONE_NUMBERS, free["sid"])
    code, _, err = run(
        server, capsys, "senders", "Billing Reminders", "remove", free["value"], "--yes"
    )
    assert code == ExitCode.OK, err
    assert not in_pool(emulator, service, senders.PHONE_NUMBERS, free["sid"])


def test_senders_add_by_short_code(server, emulator, capsys):
    free = [n for n in numbers(emulator, senders.SHORT_CODES) if not n["service_sid"]]
    if not free:
        code = numbers(emulator, senders.SHORT_CODES)[0]
        holder = code["service_sid"]
        emulator.store.remove_from_pool(ACCOUNT, holder, senders.SHORT_CODES, code["sid"])
        free = [code]
    code, out, err = run(server, capsys, "senders", "Fraud Alerts", "add", free[0]["value"])
    assert code == ExitCode.OK, err
    assert out.strip() == free[0]["sid"]


def test_a_number_not_in_the_account_is_named(server, capsys):
    code, out, err = run(server, capsys, "senders", "Fraud Alerts", "add", "+15005550000")
    assert code == ExitCode.NOT_FOUND and out == ""
    assert "+15005550000 is not a phone number of this account" in err


# ---- "did you mean" wherever a field name is read -------------------------------------------
def test_set_with_a_misspelt_field_suggests_the_right_one(capsys, creds):
    code, out, err = main(
        capsys, "--base-url", creds.url, "services", "create", "--friendly-name", "X",
        "--set", "stiky_sender=true",
    )  # fmt: skip
    assert code == ExitCode.USAGE and out == ""
    assert "did you mean sticky_sender?" in err


def test_apply_file_with_a_misspelt_field_suggests_the_right_one(server, capsys, tmp_path):
    path = tmp_path / "services.toml"
    path.write_text(
        'version = 1\n\n[services."Acme Order Updates"]\nstiky_sender = true\n'
        '\n[services."Acme Order Updates".senders]\nphone_numbrs = []\n'
    )
    for action in ("plan", "apply"):
        code, out, err = run(
            server, capsys, action, str(path), *(["--yes"] if action == "apply" else [])
        )
        assert code == ExitCode.USAGE and out == ""
        assert f"{path}:4:" in err and "did you mean sticky_sender?" in err
        assert "did you mean phone_numbers?" in err


def test_campaign_set_with_a_misspelt_field_suggests_the_right_one(server, capsys):
    code, _, err = run(
        server, capsys, "campaign", "Acme Spring Promo", "update", "--set", "descripton=x"
    )
    assert code == ExitCode.USAGE and "did you mean description?" in err


# ---- start-up: credentials, the emulator's port, --help --------------------------------------
def test_no_credentials_names_every_way_including_the_sandbox(capsys):
    code, out, err = main(capsys, "services", "list")
    assert code == ExitCode.CONFIG and out == ""
    assert "no credentials: set TWILIO_ACCOUNT_SID" in err
    assert "add a profile" in err and "`--demo`" in err


def test_no_credentials_says_which_partner_variable_is_missing(capsys, monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    code, _, err = main(capsys, "services", "list")
    assert code == ExitCode.CONFIG and "TWILIO_AUTH_TOKEN is not" in err


def test_the_sandbox_the_message_offers_works(capsys):
    code, out, err = main(capsys, "--demo", "services", "get", "Acme Order Updates", "--json")
    assert code == ExitCode.OK, err
    assert json.loads(out)["friendly_name"] == "Acme Order Updates"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("TWILIO_ACCOUNT_SID", "ACbad"),
        ("TWILIO_ACCOUNT_SID", " " + ACCOUNT),
        ("TWILIO_API_KEY", "SK1"),
    ],
)
def test_a_malformed_sid_variable_exits_2_naming_it_before_any_request(
    capsys, monkeypatch, server, variable, value
):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", demo.DEMO_AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_API_SECRET", "secret")
    monkeypatch.setenv(variable, value)
    code, out, err = main(capsys, "--base-url", server.url, "services", "list")
    assert code == ExitCode.USAGE and out == ""
    assert f"{variable} is not" in err and value.strip() not in err.replace(variable, "")
    # sent, the server would have answered 401 (exit 5): 2 means it was refused here


def test_the_emulator_on_a_port_in_use_says_so_without_a_banner(capsys, tmp_path):
    import socket

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        code, out, err = main(
            capsys, "emulator", "--port", str(port), "--db", str(tmp_path / "e.sqlite3")
        )
    finally:
        taken.close()
    assert code == ExitCode.USAGE
    assert out == "" and "TWILIO_ACCOUNT_SID" not in err
    assert err.strip() == f"msgsvc-tui: port {port} is in use (try --port 0 for any free port)"
    assert not (tmp_path / "e.sqlite3").exists()  # nothing opened either


def test_the_emulator_on_port_0_shows_the_port_it_got(tmp_path):
    import base64
    import subprocess
    import sys
    import urllib.request

    proc = subprocess.Popen(
        [sys.executable, "-m", "msgsvc_tui", "emulator", "--port", "0", "--db", ":memory:",
         "--seed-demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        url = first.split()[4]
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        request = urllib.request.Request(url + "/v1/Services")
        token = f"{ACCOUNT}:{demo.DEMO_AUTH_TOKEN}".encode()
        request.add_header("Authorization", "Basic " + base64.b64encode(token).decode())
        # the socket listens before the banner: the request waits in its queue, not refused
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_help_says_no_command_opens_the_app(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert "Run with no command to open the app" in out
    assert "[COMMAND ...]" in out


def test_the_helps_example_names_a_service_the_sandbox_has(capsys):
    """A newcomer copies the example onto the demo: it works as written."""
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    examples = re.findall(r'services get "([^"]+)"', capsys.readouterr().out)
    assert examples
    for name in examples:
        code, out, err = main(capsys, "--demo", "services", "get", name, "--json")
        assert code == ExitCode.OK, err
        assert json.loads(out)["friendly_name"] == name


def test_the_readme_counts_the_sandboxs_services_right():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    counts = re.findall(r"seeded with (\d+) services|# the (\d+) demo services", readme)
    assert counts
    assert {int(a or b) for a, b in counts} == {demo.SERVICE_COUNT}


# ---- numbers list ---------------------------------------------------------------------------
def test_numbers_list_json_tells_each_holder_and_capabilities(capsys, creds, emulator):
    code, out, err = main(capsys, "--base-url", creds.url, "numbers", "list", "--json")
    assert code == ExitCode.OK, err
    rows = json.loads(out)
    stored = numbers(emulator, senders.PHONE_NUMBERS) + numbers(emulator, senders.SHORT_CODES)
    assert {r["sid"] for r in rows} == {n["sid"] for n in stored}
    by_sid = {r["sid"]: r for r in rows}
    names = {
        r.data["sid"]: r.data["friendly_name"]
        for r in emulator.store.list_services(ACCOUNT, after=None, before=None, limit=1000)
    }
    for n in stored:
        row = by_sid[n["sid"]]
        assert row["number"] == n["value"] and row["service_sid"] == n["service_sid"]
        assert row["service_name"] == (names[n["service_sid"]] if n["service_sid"] else None)
    first = by_sid[stored[0]["sid"]]
    assert set(json.loads(stored[0]["capabilities"])) == set(first["capabilities"])
    assert first["type"] == "phone number" and not any(k.startswith("_") for k in first)


def test_numbers_list_free_tsv_and_table(capsys, creds, emulator):
    stored = numbers(emulator, senders.PHONE_NUMBERS) + numbers(emulator, senders.SHORT_CODES)
    free = {n["sid"] for n in stored if not n["service_sid"]}
    code, out, err = main(capsys, "--base-url", creds.url, "numbers", "list", "--free", "--tsv")
    assert code == ExitCode.OK, err
    lines = out.splitlines()
    assert lines[0].split("\t") == [
        "type", "number", "country", "capabilities", "service", "service_sid", "sid"
    ]  # fmt: skip
    assert {line.split("\t")[-1] for line in lines[1:]} == free
    assert all(line.split("\t")[4] == "free" for line in lines[1:])
    code, out, _ = main(capsys, "--base-url", creds.url, "numbers", "list")
    held = next(n for n in stored if n["service_sid"])
    line = next(x for x in out.splitlines() if held["sid"] in x)
    assert held["value"] in line and held["service_sid"] in line
    assert out.splitlines()[0].split()[:3] == ["TYPE", "NUMBER", "COUNTRY"]


def test_a_free_number_from_numbers_list_goes_into_a_service_by_its_text(capsys, creds):
    code, out, _ = main(capsys, "--base-url", creds.url, "numbers", "list", "--free", "--json")
    number = next(r for r in json.loads(out) if "SMS" in r["capabilities"])["number"]
    code, _, err = main(
        capsys, "--base-url", creds.url, "services", "senders", "Fraud Alerts", "add", number
    )
    assert code == ExitCode.OK, err
    code, out, _ = main(capsys, "--base-url", creds.url, "numbers", "list", "--json")
    row = next(r for r in json.loads(out) if r["number"] == number)
    assert row["service_name"] == "Fraud Alerts"


# ---- services plan, readable -----------------------------------------------------------------
PLAN_FILE = """version = 1

[services."Brand New"]
usecase = "marketing"
sticky_sender = false
status_callback = "https://example.com/status"

[services."Acme Order Updates"]
sticky_sender = false
validity_period = 600
"""


def test_plan_shows_one_field_per_line_with_marks_and_no_colour_when_piped(
    server, capsys, tmp_path
):
    path = tmp_path / "services.toml"
    path.write_text(PLAN_FILE)
    code, out, err = run(server, capsys, "plan", str(path))
    assert code == ExitCode.PENDING, err
    assert "\x1b" not in out
    lines = out.splitlines()
    head = lines.index('+ create "Brand New"')
    assert lines[head + 1 : head + 4] == [
        "    + usecase         = marketing",
        "    + sticky_sender   = off",
        "    + status_callback = https://example.com/status",
    ]
    update = next(i for i, x in enumerate(lines) if x.startswith('~ update "Acme Order Updates"'))
    assert lines[update + 1 : update + 3] == [
        "    ~ sticky_sender   = on → off",
        "    ~ validity_period = 36000 → 600",
    ]
    assert max(len(line) for line in lines) < 100  # no create on one long line
    assert lines[-1].startswith("Plan: 1 to create, 1 to update")


def test_plan_is_coloured_on_a_terminal_and_not_with_no_color(server, tmp_path):
    import os
    import pty
    import subprocess
    import sys

    path = tmp_path / "services.toml"
    path.write_text(PLAN_FILE)

    def on_a_terminal(**extra: str) -> str:
        leader, follower = pty.openpty()
        env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
        env.update(TWILIO_ACCOUNT_SID=ACCOUNT, TWILIO_AUTH_TOKEN=demo.DEMO_AUTH_TOKEN)
        env.update(TERM="xterm", **extra)
        done = subprocess.run(
            [sys.executable, "-m", "msgsvc_tui", "--base-url", server.url, "services", "plan",
             str(path)],
            stdout=follower, stderr=subprocess.PIPE, env=env, timeout=60,
        )  # fmt: skip
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other side is closed: all read
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        assert done.returncode == ExitCode.PENDING, done.stderr
        return b"".join(chunks).decode()

    coloured = on_a_terminal()
    assert '\x1b[32m+ create "Brand New"\x1b[0m' in coloured
    assert "\x1b[33m    ~ sticky_sender   = on → off\x1b[0m" in coloured
    plain = on_a_terminal(NO_COLOR="1")
    assert "\x1b" not in plain and '+ create "Brand New"' in plain
