"""`services senders|channel-senders|country-senders|campaign|brands|links` against the
emulator over loopback HTTP: output formats, exit codes, journal and undo, hostile text."""

from __future__ import annotations

import json
from io import StringIO

from msgsvc_tui import cli
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core.config import Connection, Secret
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo

ACCOUNT = demo.DEMO_ACCOUNT_SID


def run(server, *argv: str, readonly: bool = False) -> tuple[int, str]:
    conn = Connection(ACCOUNT, ACCOUNT, Secret(demo.DEMO_AUTH_TOKEN), base_url=server.url)
    client = MessagingClient.from_connection(conn, readonly=readonly)
    out = StringIO()
    code = cli_services.run(
        cli.build_parser().parse_args(["services", *argv]), stdout=out, client=client
    )
    return code, out.getvalue()


def sid_of(emulator, name: str) -> str:
    rows = emulator.store.list_services(ACCOUNT, after=None, before=None, limit=100)
    return next(r.data["sid"] for r in rows if r.data["friendly_name"] == name)


def test_country_senders_add_list_refuse_and_undo(server, emulator, capsys):
    service = sid_of(emulator, "2FA - EU")
    code, out = run(server, "country-senders", service, "add", "AcmeIT", "--country", "IT")
    assert code == 0 and out.startswith("AI")
    code, out = run(server, "country-senders", service, "list", "--json")
    assert {m["iso_country_code"] for m in json.loads(out)} == {"FR", "DE", "IT", None}
    code, _ = run(server, "country-senders", service, "add", "X", "--country", "it")
    assert code == ExitCode.USAGE and "upper case" in capsys.readouterr().err
    code, _ = run(server, "country-senders", service, "add", "Other", "--country", "FR")
    assert code == 1 and "21710" in capsys.readouterr().err
    code, _ = run(server, "undo", "--yes")
    assert code == 0
    code, out = run(server, "country-senders", service, "list", "--tsv")
    assert out.splitlines()[0] == "iso_country_code\talpha_sender\tsid" and "AcmeIT" not in out


def test_channel_senders_available_add_remove(server, emulator):
    service = sid_of(emulator, "Driver Dispatch")
    code, out = run(server, "channel-senders", service, "available", "--json")
    rows = json.loads(out)
    assert code == 0 and {r["status"] for r in rows} >= {"ONLINE", "OFFLINE"}
    code, out = run(server, "channel-senders", service, "available")
    free = [line.split()[-1] for line in out.splitlines() if " free " in line]
    assert free
    assert run(server, "channel-senders", service, "add", free[0])[0] == 0
    code, out = run(server, "channel-senders", service, "list", "--json")
    assert [m["sid"] for m in json.loads(out)] == [free[0]]
    assert run(server, "channel-senders", service, "remove", free[0], "--yes")[0] == 0
    assert json.loads(run(server, "channel-senders", service, "list", "--json")[1]) == []


def test_campaign_get_create_rules_and_readonly(server, emulator, capsys):
    failed = sid_of(emulator, "Black Friday Blast")
    code, out = run(server, "campaign", failed, "get")
    assert code == 0 and "FAILED" in out and "Disallowed Content" in out and "30897" in out
    plain = sid_of(emulator, "Field Tech Chat")
    assert run(server, "campaign", plain, "get")[0] == ExitCode.NOT_FOUND
    code, out = run(server, "brands", "--json")
    brand = next(b["sid"] for b in json.loads(out) if b["status"] == "APPROVED")
    args = [
        "campaign", plain, "create", "--brand", brand, "--usecase", "CUSTOMER_CARE",
        "--set", "description=Support conversations with field technicians and customers.",
        "--set", "message_flow=Customers opt in by texting the number printed on the invoice.",
        "--set", "has_embedded_links=no", "--set", "has_embedded_phone=yes",
        "--sample", "short",
        "--sample", "Field Tech: your technician arrives between 9 and 11 today.",
    ]  # fmt: skip
    code, _ = run(server, *args)
    assert code == ExitCode.USAGE and "Sample 1 needs at least 20" in capsys.readouterr().err
    args[args.index("short")] = "Field Tech: reply YES to confirm your visit on Monday."
    assert run(server, *args, readonly=True)[0] == ExitCode.USAGE  # --readonly sends nothing
    assert emulator.store.list_campaigns(ACCOUNT, plain) == []
    code, out = run(server, *args)
    assert code == 0 and out.startswith("QE")
    code, out = run(server, "campaign", plain, "usecases", "--brand", brand, "--tsv")
    assert "CUSTOMER_CARE" in out
    assert run(server, "campaign", plain, "delete", "--yes")[0] == 0
    assert emulator.store.list_campaigns(ACCOUNT, plain) == []


def test_links_and_hostile_names_stay_inert(server, emulator):
    promo = sid_of(emulator, "Acme Spring Promo")
    code, out = run(server, "links", promo)
    assert code == 0 and "domain_sid" in out
    emulator.store.db.execute(
        "UPDATE channel_senders SET profile_name = ? WHERE channel = 'rcs'", ("Evil\x1b[2J",)
    )
    _, out = run(server, "channel-senders", promo, "available")
    assert "\x1b" not in out and "␛" in out
