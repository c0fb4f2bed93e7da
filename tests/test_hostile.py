"""Hostile data and odd input: nothing reaches a terminal raw, nothing crashes.

The sanitizer is property-tested; the emulator's edges are driven over real loopback HTTP;
the CLI runs as a real process and its bytes are inspected.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgsvc_tui.api import errors
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.core import fields, sanitize
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import MAX_BODY_BYTES

AUTH = (demo.DEMO_ACCOUNT_SID, demo.DEMO_AUTH_TOKEN)
HOSTILE = [
    "\x1b]52;c;cHduZWQ=\x07",  # writes the clipboard (OSC 52)
    "\x1b]0;PWNED\x07",  # sets the window title
    "\x1b[2J\x1b[?1049h",  # clears the screen, switches buffers
    "tab\there\rcarriage\nnewline\x00nul\x7fdel\x9bcsi",
    "\u202eevil.exe\u202c bidi",
    "markup [/] x [bold]not bold[/bold]",
]
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029}


def _acts_on_a_terminal(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" or ord(c) in _BIDI for c in text)


# ---- the sanitizer ---------------------------------------------------------------------------
@given(st.text())
def test_nothing_that_acts_on_a_terminal_survives(text):
    shown = sanitize.safe(text)
    assert not _acts_on_a_terminal(shown)
    assert sanitize.safe(shown) == shown  # idempotent: showing twice changes nothing


@given(st.text(st.characters(exclude_categories=("Cc", "Cs"))))
def test_ordinary_text_is_left_alone(text):
    if not any(ord(c) in _BIDI for c in text):
        assert sanitize.safe(text) == text


def test_each_kind_is_shown_visibly():
    assert sanitize.safe("\x1b]0;x\x07") == "␛]0;x␇"
    assert sanitize.safe("a\tb\nc\rd\x00") == "a␉b␊c␍d␀"
    assert sanitize.safe("\x7f\x9b") == "␡\\x9b"
    assert sanitize.safe("\u202eabc") == "⟨U+202E⟩abc"
    assert sanitize.safe("line\nbreak", newlines=True) == "line\nbreak"


# ---- the emulator's edges --------------------------------------------------------------------
@pytest.fixture
def http(server):
    with httpx.Client(base_url=server.url, auth=AUTH) as c:
        yield c


def test_a_body_over_the_limit_is_413_in_twilio_shape(http):
    big = "FriendlyName=" + "x" * (MAX_BODY_BYTES + 10)
    r = http.post(
        "/v1/Services",
        content=big,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 413 and set(r.json()) >= {"code", "message", "status"}
    # the connection still serves the next request
    assert http.get("/v1/Services/Usecases").status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"Page": "9" * 400},
        {"PageSize": "9" * 30},
        {"PageToken": "PA" + "QTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5" * 20},
        {"Page": "١"},  # noqa: RUF001 (an Arabic-Indic digit one, on purpose)
        {"PageSize": "1_0"},
        {"Page": "-1"},
    ],
)
def test_malformed_paging_values_are_400_json(http, params):
    r = http.get("/v1/Services", params=params)
    assert r.status_code == 400 and r.json()["code"] == fields.INVALID_PARAMETER


def test_integers_take_ascii_digits_only(http):
    sid = http.get("/v1/Services").json()["services"][0]["sid"]
    r = http.post(f"/v1/Services/{sid}", data={"ValidityPeriod": "١٠"})  # noqa: RUF001
    assert r.status_code == 400 and r.json()["code"] == 90007


@pytest.mark.parametrize("name", ["nul\x00inside", "esc\x1b[2J", "bidi\u202e"])
def test_control_characters_in_names_are_refused(http, name):
    r = http.post("/v1/Services", data={"FriendlyName": name})
    assert r.status_code == 400 and r.json()["code"] in (20001, 20002)


def test_invalid_utf8_is_refused_not_replaced(http):
    r = http.post(
        "/v1/Services",
        content=b"FriendlyName=caf%C3",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400 and "UTF-8" in r.json()["message"]
    r = http.post(
        "/v1/Services",
        content=b"FriendlyName=caf\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400


# ---- SIDs ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sid",
    [
        "MG\t" + "0" * 31,
        "MG " + "0" * 31,
        " MG" + "0" * 32,
        "MG+" + "0" * 31,
        "MG0x" + "0" * 30,
        "MG" + "０" * 32,  # noqa: RUF001 (fullwidth digits, on purpose)
        "MG" + "g" * 32,
        "mg" + "0" * 32,
    ],
)
async def test_malformed_sids_never_leave(sid):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"sent {request.url}")

    async with MessagingClient(
        account_sid="AC" + "0" * 32,
        username="u",
        password="p",
        transport=httpx.MockTransport(refuse),
    ) as client:
        with pytest.raises(fields.ValidationError) as err:
            await client.fetch_service(sid)
    assert "is not a MG… SID" in str(err.value)
    assert not _acts_on_a_terminal(sanitize.safe(str(err.value)))


# ---- the CLI, as a real process --------------------------------------------------------------
@pytest.fixture
def hostile_server(emulator, server):
    for name in HOSTILE:
        emulator.store.create_service(demo.DEMO_ACCOUNT_SID, {"friendly_name": name})
    return server


def _cli(server, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "msgsvc_tui", "--base-url", server.url, *args],
        capture_output=True,
        timeout=60,
        env={
            **os.environ,
            "TWILIO_ACCOUNT_SID": demo.DEMO_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": demo.DEMO_AUTH_TOKEN,
            **(env or {}),
        },
    )


def _raw_controls(data: bytes, allowed: bytes = b"\n") -> list[int]:
    return [b for b in data if (b < 0x20 or b == 0x7F) and b not in allowed]


@pytest.mark.parametrize("form", [[], ["--tsv"]])
def test_cli_lists_show_hostile_names_without_control_bytes(hostile_server, form):
    r = _cli(hostile_server, "services", "list", *form)
    assert r.returncode == 0, r.stderr
    allowed = b"\n\t" if form else b"\n"  # tab separates TSV cells, newline rows
    assert _raw_controls(r.stdout, allowed) == []
    text = r.stdout.decode()
    assert "␛]52;c;" in text and "⟨U+202E⟩" in text and "\u202e" not in text
    if form:  # every row has as many cells as the header: no tab, CR or LF leaked in a cell
        rows = text.splitlines()
        assert {len(row.split("\t")) for row in rows} == {len(rows[0].split("\t"))}


def test_cli_json_is_escaped_and_exact(hostile_server):
    r = _cli(hostile_server, "services", "list", "--json")
    assert r.returncode == 0 and _raw_controls(r.stdout) == []
    names = {s["friendly_name"] for s in json.loads(r.stdout)}
    assert set(HOSTILE) <= names  # escaped, not altered


def test_cli_get_and_errors_are_sanitized(hostile_server, emulator):
    rows = emulator.store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=99)
    sid = next(r.data["sid"] for r in rows if r.data["friendly_name"] == HOSTILE[0])
    r = _cli(hostile_server, "services", "get", sid)
    assert r.returncode == 0 and _raw_controls(r.stdout) == []
    bad = _cli(hostile_server, "services", "get", "MG\t" + "0" * 31)
    assert bad.returncode == 2 and b"Traceback" not in bad.stderr
    assert _raw_controls(bad.stderr) == [] and b"is not a MG" in bad.stderr


def test_cli_never_echoes_a_password_in_a_url(tmp_path):
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "msgsvc_tui",
            "--base-url",
            "http://user:SeCrEtPaSs@127.0.0.1:1",
            "services",
            "list",
        ],
        capture_output=True,
        timeout=60,
        env={
            **os.environ,
            "TWILIO_ACCOUNT_SID": demo.DEMO_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": demo.DEMO_AUTH_TOKEN,
        },
    )
    assert r.returncode == 1
    assert b"SeCrEtPaSs" not in r.stderr + r.stdout and b"127.0.0.1:1" in r.stderr


def test_describe_masks_credentials_in_any_message():
    exc = errors.ConnectError("cannot reach https://ACxx:tok3n@api.example.com/v1")
    assert "tok3n" not in errors.describe(exc)
    assert "tok3n" not in errors.describe(ValueError("see http://a:tok3n@h"))


def test_the_delete_prompt_shows_a_hostile_name_safely(
    hostile_server, emulator, monkeypatch, capsys
):
    """The question asked on the terminal quotes the service's name: sanitized too."""
    import io as _io

    from msgsvc_tui import cli
    from msgsvc_tui.cli import services as cli_services

    rows = emulator.store.list_services(demo.DEMO_ACCOUNT_SID, after=None, before=None, limit=99)
    sid = next(r.data["sid"] for r in rows if r.data["friendly_name"] == HOSTILE[1])
    asked: list[str] = []

    class Terminal(_io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "n")
    client = MessagingClient(
        account_sid=demo.DEMO_ACCOUNT_SID,
        username=demo.DEMO_ACCOUNT_SID,
        password=demo.DEMO_AUTH_TOKEN,
        base_url=hostile_server.url,
    )
    args = cli.build_parser().parse_args(["services", "delete", sid])
    assert cli_services.run(args, stdout=_io.StringIO(), client=client) == 0
    assert asked and "␛]0;PWNED␇" in asked[0] and not _acts_on_a_terminal(asked[0])
    assert "not deleted" in capsys.readouterr().err
