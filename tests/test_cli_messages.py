"""`services send` and `services messages` end to end over loopback HTTP: output formats,
exit codes, the question a real account gets, --readonly, and server text sanitized."""

from __future__ import annotations

import argparse
import functools
import io
import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from msgsvc_tui import cli
from msgsvc_tui.api import messages as api_messages
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.ops.journal import Journal
from tests.messages_fixture import ACCOUNT, TOKEN, MessagesServer, running

MG = "MG" + "a" * 32
OTHER = "MG" + "b" * 32


@pytest.fixture
def fixture() -> MessagesServer:
    return MessagesServer()


@pytest.fixture
def url(fixture: MessagesServer, monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    with running(fixture) as server:
        yield server.url


def run(capsys, url: str, *argv: str) -> tuple[int, str, str]:
    code = cli.main(["--base-url", url, *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _fast_polling(monkeypatch) -> None:
    """--wait polls every millisecond here: the fixture moves a message on per fetch."""
    fast = functools.partial(api_messages.Polling, interval=0.001, growth=1.0)
    monkeypatch.setattr(api_messages, "Polling", fast)


def test_send_prints_the_sid_and_journals(capsys, url, fixture) -> None:
    code, out, err = run(
        capsys, url, "services", "send", MG, "--to", "+14155550123", "--body", "hi"
    )
    assert code == ExitCode.OK
    sid = out.strip()
    assert sid == fixture.messages[0]["sid"] and sid.startswith("SM")
    assert "GSM-7, 1 segment" in err
    assert "accepted" in err
    [entry] = Journal.default().recent()
    assert (entry.action, entry.after["state"], entry.after["message_sid"]) == (
        "send message",
        "sent",
        sid,
    )
    assert entry.label == "Fixture service"


def test_send_wait_follows_to_delivered(capsys, url) -> None:
    code, out, err = run(
        capsys, url, "services", "send", MG, "--to", "+14155550123", "--body", "hi", "--wait",
        "--json",
    )  # fmt: skip
    assert code == ExitCode.OK
    assert json.loads(out)["status"] == "delivered"
    assert "queued from +14155550100" in err
    assert "delivered" in err


def test_send_wait_undelivered_exits_non_zero_with_words(capsys, url, fixture) -> None:
    fixture.outcomes["+14155550199"] = ("undelivered", 30003)
    code, _out, err = run(
        capsys, url, "services", "send", MG, "--to", "+14155550199", "--body", "hi", "--wait"
    )
    assert code == ExitCode.UNDELIVERED
    assert "undelivered: 30003 Unreachable destination handset" in err
    assert "https://www.twilio.com/docs/api/errors/30003" in err


def test_send_bad_input_names_the_field(capsys, url, fixture) -> None:
    code, _out, err = run(capsys, url, "services", "send", MG, "--to", "555", "--body", "")
    assert code == ExitCode.USAGE
    assert "to: must be a phone number in E.164 form" in err
    assert "body: required" in err
    assert fixture.requests == []


def test_send_refused_by_twilio(capsys, url) -> None:
    code, _out, err = run(
        capsys, url, "services", "send", MG, "--to", "+15005550001", "--body", "hi"
    )
    assert code == ExitCode.USAGE
    assert "21211" in err


def test_send_readonly_sends_nothing(capsys, url, fixture) -> None:
    code = cli.main(
        ["--base-url", url, "--readonly", "services", "send", MG, "--to", "+14155550123",
         "--body", "hi"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "read-only" in err
    assert fixture.requests == []
    assert Journal.default().recent() == []


def _real_client(fixture: MessagesServer) -> MessagingClient:
    """A client whose base is a real (non-loopback) host; answered in-process, no network."""

    def handler(request: httpx.Request) -> httpx.Response:
        from urllib.parse import parse_qs

        status, payload = fixture.handle(
            request.method,
            request.url.path,
            parse_qs(request.url.query.decode(), keep_blank_values=True),
            parse_qs(request.content.decode(), keep_blank_values=True),
            request.headers.get("authorization", ""),
        )
        return httpx.Response(status, json=payload)

    return MessagingClient(
        account_sid=ACCOUNT,
        username=ACCOUNT,
        password=TOKEN,
        base_url="https://api.twilio.example",
        transport=httpx.MockTransport(handler),
    )


def _send_args(*extra: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(
        ["services", "send", MG, "--to", "+14155550123", "--body", "hi", *extra]
    )


def test_real_account_asks_first(capsys, fixture, monkeypatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)

    def answer(prompt: str) -> str:
        asked.append(prompt)
        return "n"

    monkeypatch.setattr("builtins.input", answer)
    code = cli_services.run(_send_args(), stdout=io.StringIO(), client=_real_client(fixture))
    assert code == ExitCode.OK
    assert asked == [f"This sends a real SMS to +14155550123, billed to {ACCOUNT}. Send it? [y/N] "]
    assert "not sent" in capsys.readouterr().err
    assert not [r for r in fixture.requests if r[0] == "POST"]


def test_real_account_without_a_terminal_needs_yes(capsys, fixture) -> None:
    code = cli_services.run(_send_args(), stdout=io.StringIO(), client=_real_client(fixture))
    assert code == ExitCode.USAGE
    assert "without --yes" in capsys.readouterr().err
    out = io.StringIO()
    code = cli_services.run(_send_args("--yes"), stdout=out, client=_real_client(fixture))
    assert code == ExitCode.OK
    assert out.getvalue().startswith("SM")


def test_messages_table_tsv_json(capsys, url, fixture) -> None:
    fixture.seed(MG, 4, ago=timedelta(minutes=30))
    fixture.seed(OTHER, 6, ago=timedelta(minutes=30))
    fixture.seed(MG, 2, ago=timedelta(minutes=30), status="undelivered")
    for m in fixture.messages:
        if m["status"] == "undelivered":
            m["error_code"] = 30007
    code, out, err = run(capsys, url, "services", "messages", MG)
    lines = out.splitlines()
    assert code == ExitCode.OK and len(lines) == 7
    assert lines[0].split()[:3] == ["DATE", "SENT", "STATUS"]
    assert sum("30007 Message filtered" in line for line in lines) == 2
    assert "6 messages of" in err and "in the last 1h" in err  # the default window, said
    code, out, _ = run(capsys, url, "services", "messages", MG, "--status", "undelivered", "--tsv")
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0][:3] == ["sid", "date_sent", "status"]
    assert len(rows) == 3 and all(len(r) == len(rows[0]) for r in rows)
    assert {r[rows[0].index("error")] for r in rows[1:]} == {"30007 Message filtered"}
    code, out, _ = run(capsys, url, "services", "messages", MG, "--since", "10m", "--json")
    assert all(m["messaging_service_sid"] == MG for m in json.loads(out))
    assert len(json.loads(out)) < 6


def test_messages_cut_by_the_limit_say_to_raise_it(capsys, url, fixture) -> None:
    fixture.seed(MG, 5, ago=timedelta(minutes=30))
    code, out, err = run(capsys, url, "services", "messages", MG, "--limit", "3", "--since", "2d")
    assert code == ExitCode.OK and len(out.splitlines()) == 4  # a header and 3
    assert "newest 3 of the last 2d (--limit 3 reached): raise --limit" in err
    assert "narrow" not in err  # a narrower window shows fewer, never the rest


def test_messages_bad_since(capsys, url) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--base-url", url, "services", "messages", MG, "--since", "soon"])
    assert exited.value.code == 2
    assert "give a duration such as 30m" in capsys.readouterr().err


def test_messages_server_text_is_sanitized(capsys, url, fixture) -> None:
    fixture.seed(MG, 1, ago=timedelta(minutes=5))
    fixture.messages[0]["to"] = "+1\x1b]52;c;aGk=\x07"
    fixture.messages[0]["body"] = "\x1b[2Jboom"
    for argv in ((), ("--tsv",)):
        code, out, _ = run(capsys, url, "services", "messages", MG, *argv)
        assert code == ExitCode.OK
        assert "\x1b" not in out and "\x07" not in out
    code, out, _ = run(capsys, url, "services", "messages", MG, "--json")
    assert "\x1b" not in out and json.loads(out)[0]["body"] == "\x1b[2Jboom"
