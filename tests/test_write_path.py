"""The one write path (ops/writes.py) and what rests on it: every CLI write journalled with its
target before it is sent, apply and undo through it, sender moves that put a number back, and
the refusals when the journal cannot record. Against the emulator over real loopback HTTP."""

from __future__ import annotations

import ast
import json
import sqlite3
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from msgsvc_tui import cli
from msgsvc_tui.api import errors
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.api.oneshot import Reader
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core import a2p, fields
from msgsvc_tui.core.config import ConfigError, Connection, Secret, data_dir
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import Fault
from msgsvc_tui.emulator.server import open_emulator, start_in_thread
from msgsvc_tui.emulator.wire import Response
from msgsvc_tui.ops import ascode
from msgsvc_tui.ops.journal import Journal, JournalError
from msgsvc_tui.ops.writes import ConflictError
from msgsvc_tui.tui.screens.journal import journal_lines

ACCOUNT = demo.DEMO_ACCOUNT_SID
PKG = Path(__file__).resolve().parents[1] / "msgsvc_tui"


def _conn(server) -> Connection:
    return Connection(ACCOUNT, ACCOUNT, Secret(demo.DEMO_AUTH_TOKEN), base_url=server.url)


def run(server, *argv: str) -> tuple[int, str]:
    client = MessagingClient.from_connection(_conn(server))
    out = StringIO()
    code = cli_services.run(
        cli.build_parser().parse_args(["services", *argv]), stdout=out, client=client
    )
    return code, out.getvalue()


def _rows(emu) -> list[dict]:
    return [r.data for r in emu.store.list_services(ACCOUNT, after=None, before=None, limit=1000)]


def sid_of(emu, name: str) -> str:
    (sid,) = [s["sid"] for s in _rows(emu) if s["friendly_name"] == name]
    return sid


def named(emu, name: str) -> list[dict]:
    return [s for s in _rows(emu) if s["friendly_name"] == name]


def holder(emu, value: str) -> str | None:
    """The name of the service holding a number (by its E.164 value), None when free."""
    row = emu.store.db.execute("SELECT service_sid FROM numbers WHERE value = ?", (value,))
    found = row.fetchone()
    if found is None or found[0] is None:
        return None
    return str(emu.store.get_service(ACCOUNT, found[0])["friendly_name"])


def numbers_of(emu, sid: str) -> list[str]:
    rows = emu.store.db.execute(
        "SELECT value FROM numbers WHERE service_sid = ? AND kind = 'phone_numbers' ORDER BY value",
        (sid,),
    )
    return [r[0] for r in rows]


def has_campaign(emu, sid: str) -> bool:
    row = emu.store.db.execute("SELECT 1 FROM campaigns WHERE service_sid = ?", (sid,))
    return row.fetchone() is not None


def refuse_posts_to(emu, *paths: str, code: int = 21714):
    """Make the emulator refuse POSTs to `paths` with Twilio's `code` (a full pool)."""
    original = emu.handle

    def handle(scope, raw):
        if scope["method"] == "POST" and scope["path"] in paths:
            return Response(400, {"code": code, "message": "refused", "status": 400})
        return original(scope, raw)

    emu.handle = handle


@pytest.fixture
def second():
    """Another emulator (another server, the same account SID)."""
    running = start_in_thread(open_emulator(":memory:"))
    yield running
    running.stop()


@pytest.fixture
def empty():
    """An account with no services: the demo's numbers, all free."""
    emu = open_emulator(":memory:")
    for row in _rows(emu):
        emu.store.delete_service(ACCOUNT, row["sid"])
    running = start_in_thread(emu)
    yield running
    running.stop()


# ---- a ninth copy cannot appear ---------------------------------------------------------------
def _a_client(receiver: ast.expr, *, inside_api: bool) -> bool:
    """Whether a call's receiver is a `MessagingClient`: `client`, `….client`, or, inside
    the network layer, `self` (so that `sys.stdout.write` is not taken for the client's)."""
    if isinstance(receiver, ast.Name):
        return receiver.id == "client" or (inside_api and receiver.id == "self")
    return isinstance(receiver, ast.Attribute) and receiver.attr == "client"


def _writing_calls() -> set[str]:
    """The api functions that write: each calls the client's `write` (sent once, reconciled)."""
    names = set()
    for path in (PKG / "api").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                for call in ast.walk(node):
                    if (
                        isinstance(call, ast.Call)
                        and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "write"
                        and _a_client(call.func.value, inside_api=True)
                    ):
                        names.add(node.name)
    return names


def _on_the_write_path(receiver: ast.expr) -> bool:
    """Whether a call's receiver is the write path (a `Writes`): a name the project gives
    one, `….writes`, or what `writes_for(…)` returns. Anything else (a client,
    `self.session.client`, the `compliance` module) calling a writing method is a copy."""
    if isinstance(receiver, ast.Name):
        return receiver.id in {"writes", "path", "members"}
    if isinstance(receiver, ast.Attribute):
        return receiver.attr == "writes"
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name):
        return receiver.func.id == "writes_for"
    return False


def test_no_module_outside_the_write_path_calls_a_writing_client_method():
    writing = _writing_calls()
    assert {"create_service", "update_service", "delete_service", "add_sender"} <= writing
    assert {"remove_sender", "create_campaign", "attach_preregistered"} <= writing
    offenders = []
    for path in PKG.rglob("*.py"):
        # the network layer defines them; the emulator's stores are the server's own side
        if path == PKG / "ops" / "writes.py" or path.relative_to(PKG).parts[0] in (
            "api",
            "emulator",
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and (
                    node.func.attr in writing
                    or (node.func.attr == "write" and _a_client(node.func.value, inside_api=False))
                )
                and not _on_the_write_path(node.func.value)
            ):
                where = f"{path.relative_to(PKG)}:{node.lineno}"
                offenders.append(f"{where} {ast.unparse(node.func)}(")
    assert offenders == []


def test_each_error_class_carries_its_exit_code_and_no_code_is_read_from_text():
    api = {"status": 400, "code": 21714, "message": "x"}
    assert errors.OutcomeUnknownError("x").exit_code() == ExitCode.UNKNOWN
    assert errors.NotFoundError(**{**api, "status": 404}).exit_code() == ExitCode.NOT_FOUND
    assert errors.AuthError(**{**api, "status": 401}).exit_code() == ExitCode.AUTH
    assert errors.ApiError(**api).exit_code() == ExitCode.USAGE
    assert errors.ApiError(**{**api, "status": 500}).exit_code() == ExitCode.API
    assert errors.NotAppliedError("x").exit_code() == ExitCode.API
    assert errors.ReadonlyError("x").exit_code() == ExitCode.USAGE
    assert fields.ValidationError([]).exit_code() == ExitCode.USAGE
    assert ConfigError("x").exit_code() == ExitCode.CONFIG
    assert JournalError("x").exit_code() == ExitCode.CONFIG
    assert ascode.FileError(["x"]).exit_code() == ExitCode.USAGE
    assert ascode.AmbiguousNameError("x").exit_code() == ExitCode.USAGE
    assert ConflictError("x").exit_code() == ExitCode.API
    # no front end decides an exit code by looking for words in a message
    for path in (PKG / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant):
                is_text = isinstance(node.left.value, str) and " " in node.left.value
                assert not (is_text and any(isinstance(o, ast.In) for o in node.ops)), (
                    f"{path.name}:{node.lineno} reads an error's text"
                )


# ---- every CLI write journalled with its target; undo stays on it ---------------------------
def test_cli_writes_are_journalled_with_their_target_and_undo_only_touches_it(
    server, emulator, second, capsys
):
    elsewhere = sid_of(second.app, "Acme Order Updates")
    assert run(second, "update", elsewhere, "--set", "validity_period=600")[0] == 0
    sid = sid_of(emulator, "Acme Order Updates")
    before = emulator.store.get_service(ACCOUNT, sid)["sticky_sender"]
    flip = "false" if before else "true"
    assert run(server, "update", sid, "--set", f"sticky_sender={flip}")[0] == 0
    said = capsys.readouterr().err
    assert "✓ update “Acme Order Updates”" in said and "Sticky sender: " in said and "→" in said
    gone = sid_of(emulator, "Acme Spring Promo")
    held = numbers_of(emulator, gone)
    assert run(server, "delete", gone, "--yes")[0] == 0

    here = f"{ACCOUNT} @ {server.url}"
    there = f"{ACCOUNT} @ {second.url}"
    entries = Journal.default().recent()
    assert [(e.action, e.target, e.state) for e in entries] == [
        ("delete", here, "done"),
        ("update", here, "done"),
        ("update", there, "done"),
    ]
    recorded = entries[0].before["senders"].get("phone_numbers", [])
    assert sorted(m["label"] for m in recorded) == held
    # `J` names each entry's target: this one, or the other server
    text = journal_lines(Journal.default(), here=here).plain
    assert text.count("· here]") == 2 and text.count(there) == 1

    code, out = run(server, "undo", "--yes")
    assert "✓ re-create Acme Spring Promo (a new SID)" in out, out
    # its campaign cannot come back (a new review): said, and the exit code says so
    assert code == ExitCode.API and "✗ the campaign QE" in out and "cannot be restored" in out
    (back,) = named(emulator, "Acme Spring Promo")
    assert numbers_of(emulator, back["sid"]) == held
    code, out = run(server, "undo", "--yes")
    assert code == 0 and emulator.store.get_service(ACCOUNT, sid)["sticky_sender"] is before, out
    # the plan says the change, then the outcome line: once each
    assert out.count("Sticky sender") == 2 and "✓ Acme Order Updates: Sticky sender: " in out, out
    code, out = run(server, "undo", "--yes")
    assert code == 0 and "nothing to undo" in capsys.readouterr().err
    # the other server's write was never touched
    assert second.app.store.get_service(ACCOUNT, elsewhere)["validity_period"] == 600
    assert Journal.default().recent(target=there)[0].undone_by is None


# ---- the journal cannot record: nothing is sent --------------------------------------------
def _free_number(emu) -> tuple[str, str]:
    row = emu.store.db.execute(
        "SELECT sid, value FROM numbers WHERE service_sid IS NULL AND kind = 'phone_numbers'"
        " AND capabilities LIKE '%SMS%' ORDER BY seq LIMIT 1"
    ).fetchone()
    return str(row[0]), str(row[1])


def test_a_corrupt_journal_refuses_the_write_before_it_is_sent(server, emulator, capsys):
    path = data_dir() / "journal.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database, but it is in the way " * 100)
    service = sid_of(emulator, "Acme Order Updates")
    number, value = _free_number(emulator)
    served = emulator.requests_served
    code, _ = run(server, "senders", service, "add", number)
    err = capsys.readouterr().err
    assert code == ExitCode.CONFIG and "not sent" in err and str(path) in err, err
    assert "--unjournalled" in err and holder(emulator, value) is None
    assert emulator.requests_served - served == 1  # the service's name was read; nothing sent
    code, _ = run(server, "senders", service, "add", number, "--unjournalled")
    err = capsys.readouterr().err
    assert code == 0 and "not journalled" in err and holder(emulator, value) == "Acme Order Updates"


def test_an_unwritable_journal_folder_refuses_apply_before_anything_is_sent(
    server, emulator, tmp_path, monkeypatch, capsys
):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("MSGSVC_TUI_DATA", str(blocker / "data"))
    file = tmp_path / "none.toml"
    file.write_text("version = 1\n")
    before = _rows(emulator)
    code, out = run(server, "apply", str(file), "--prune", "--yes")
    err = capsys.readouterr().err
    assert code == ExitCode.CONFIG and "nothing applied" in err and "journal" in err
    assert _rows(emulator) == before and out == ""


def test_a_locked_journal_refuses_the_write(server, emulator, capsys):
    Journal.default().close()
    holder_db = sqlite3.connect(data_dir() / "journal.sqlite3", isolation_level=None)
    holder_db.execute("BEGIN EXCLUSIVE")
    try:
        sid = sid_of(emulator, "Acme Order Updates")
        before = emulator.store.get_service(ACCOUNT, sid)["validity_period"]
        code, _ = run(server, "update", sid, "--set", "validity_period=777")
        err = capsys.readouterr().err
        assert code == ExitCode.CONFIG and "locked" in err and "not sent" in err, err
        assert emulator.store.get_service(ACCOUNT, sid)["validity_period"] == before
    finally:
        holder_db.execute("ROLLBACK")
        holder_db.close()


async def test_the_tui_refuses_a_flip_when_the_journal_is_corrupt():
    from .tui_helpers import notifications, ready, sandbox_app, stored, table, wait_for

    path = data_dir() / "journal.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage " * 500)
    app = sandbox_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        sid = table(pilot).current["sid"]
        before = stored(app, sid)["sticky_sender"]
        await pilot.press("S")
        notes = lambda: "\n".join(n.message for n in notifications(app))  # noqa: E731
        await wait_for(pilot, lambda: "not sent" in notes())
        assert "journal" in notes() and "Request failed" not in notes()
        assert stored(app, sid)["sticky_sender"] is before


# ---- moves: one removal, one add; put back when the add fails --------------------------------
def _pool_file(tmp_path: Path, pools: dict[str, list[str]]) -> Path:
    lines = ["version = 1", ""]
    for name, numbers in pools.items():
        lines.append(f'[services."{name}".senders]')
        lines.append("phone_numbers = [" + ", ".join(f'"{n}"' for n in numbers) + "]")
        lines.append("")
    path = tmp_path / "pools.toml"
    path.write_text("\n".join(lines))
    return path


def _with_numbers(emu) -> list[tuple[str, str]]:
    """(name, sid) of services holding phone numbers, without a campaign."""
    out = []
    for s in _rows(emu):
        if numbers_of(emu, s["sid"]) and not has_campaign(emu, s["sid"]):
            out.append((s["friendly_name"], s["sid"]))
    return out


def test_a_file_that_moves_a_number_is_one_removal_and_one_add(server, emulator, tmp_path):
    (x_name, x_sid), (y_name, y_sid) = _with_numbers(emulator)[:2]
    number = numbers_of(emulator, x_sid)[0]
    x_rest = [n for n in numbers_of(emulator, x_sid) if n != number]
    path = _pool_file(tmp_path, {x_name: x_rest, y_name: [*numbers_of(emulator, y_sid), number]})
    code, out = run(server, "apply", str(path), "--move-senders", "--yes")
    assert code == 0, out
    lines = [line for line in out.splitlines() if number in line and line[:1] in "✓✗?"]
    assert lines == [
        f'✓ remove {number} from "{x_name}": removed',
        f'✓ add {number} to "{y_name}" (after its removal from {x_name}): added',
    ], out
    assert holder(emulator, number) == y_name and "no changes left" in out


def test_apply_move_senders_puts_the_number_back_when_the_pool_is_full(server, emulator, tmp_path):
    (x_name, x_sid), (y_name, y_sid) = _with_numbers(emulator)[:2]
    number = numbers_of(emulator, x_sid)[0]
    # only Y is managed: X keeps the number as far as the file knows, so it must be moved
    path = _pool_file(tmp_path, {y_name: [*numbers_of(emulator, y_sid), number]})
    refuse_posts_to(emulator, f"/v1/Services/{y_sid}/PhoneNumbers")
    code, out = run(server, "apply", str(path), "--move-senders", "--yes")
    assert code == ExitCode.USAGE, out  # Twilio's 400: the pool is full
    assert f"✗ move {number} from" in out and f"it is back in “{x_name}”" in out, out
    assert holder(emulator, number) == x_name
    # when putting it back fails too, it says where the number is: nowhere
    refuse_posts_to(emulator, f"/v1/Services/{x_sid}/PhoneNumbers")
    code, out = run(server, "apply", str(path), "--move-senders", "--yes")
    assert code != 0 and "it is now held by NO service" in out, out
    assert holder(emulator, number) is None


# ---- undo: the inverse of a batch, in a safe order, truthful ---------------------------------
def test_undo_of_a_prune_puts_the_numbers_back_and_says_what_it_cannot(server, emulator, tmp_path):
    ((x_name, x_sid),) = _with_numbers(emulator)[:1]
    held = numbers_of(emulator, x_sid)
    code, exported = run(server, "export")
    path = tmp_path / "all.toml"
    path.write_text(_without(exported, f'[services."{x_name}"]'))
    code, out = run(server, "apply", str(path), "--prune", "--yes")
    assert code == 0 and not named(emulator, x_name), out
    assert all(holder(emulator, n) is None for n in held)
    code, out = run(server, "undo", "--yes")
    assert code == 0 and "✗" not in out and f"✓ add {held[0]} to “{x_name}”" in out, out
    (back,) = named(emulator, x_name)
    assert numbers_of(emulator, back["sid"]) == held


def _without(text: str, header: str) -> str:
    start = text.index(header)
    end = text.find("\n[services.", start + 1)
    return text[:start] + (text[end + 1 :] if end != -1 else "")


def test_undo_of_a_prune_refuses_what_it_cannot_restore_and_exits_non_zero(
    server, emulator, tmp_path, capsys
):
    (x_name, x_sid), (y_name, y_sid) = _with_numbers(emulator)[:2]
    held = numbers_of(emulator, x_sid)
    code, exported = run(server, "export")
    path = tmp_path / "all.toml"
    path.write_text(_without(exported, f'[services."{x_name}"]'))
    assert run(server, "apply", str(path), "--prune", "--yes")[0] == 0
    # someone else takes one of its numbers (not through this journal's target: a store write)
    taken = held[0]
    emulator.store.db.execute("UPDATE numbers SET service_sid = ? WHERE value = ?", (y_sid, taken))
    code, out = run(server, "undo", "--yes")
    assert code != 0, out
    assert f"✗ add {taken} to “{x_name}”" in out and f"✓ add {taken}" not in out, out
    (back,) = named(emulator, x_name)
    assert numbers_of(emulator, back["sid"]) == held[1:]
    assert holder(emulator, taken) == y_name


def test_undo_of_an_apply_with_senders_removes_members_first_and_a_gone_service_is_done(
    empty, tmp_path
):
    _sid, number = _free_number(empty.app)
    path = tmp_path / "new.toml"
    path.write_text(
        f'version = 1\n\n[services."Fresh"]\nusecase = "notifications"\n\n'
        f'[services."Fresh".senders]\nphone_numbers = ["{number}"]\n'
    )
    code, out = run(empty, "apply", str(path), "--yes")
    assert code == 0 and holder(empty.app, number) == "Fresh", out
    code, out = run(empty, "undo", "--yes")
    done = [line for line in out.splitlines() if line.startswith("✓")]
    assert code == 0 and len(done) == 2, out
    assert done[0].startswith(f"✓ remove {number} from Fresh") and "delete Fresh" in done[1]
    assert named(empty.app, "Fresh") == [] and holder(empty.app, number) is None

    # the service is deleted behind our back: undoing its members is already done
    assert run(empty, "apply", str(path), "--yes")[0] == 0
    empty.app.store.delete_service(ACCOUNT, sid_of(empty.app, "Fresh"))
    code, out = run(empty, "undo", "--yes")
    assert code == 0 and "✓" not in out and "nothing to do" in out, out


def test_undo_of_a_campaign_attach_names_the_campaign(server, emulator, capsys):
    service = next(s["sid"] for s in _rows(emulator) if not has_campaign(emulator, s["sid"]))
    code, out = run(server, "campaign", service, "attach", "CABC123")
    assert code == 0, capsys.readouterr().err
    campaign_sid = out.strip()
    assert campaign_sid.startswith(a2p.CAMPAIGN_PREFIX)
    code, out = run(server, "undo")  # no terminal to confirm on: it shows the plan only
    assert f"delete the campaign {campaign_sid} (" in out and "None" not in out, out
    code, out = run(server, "undo", "--yes")
    assert code == 0 and not has_campaign(emulator, service), out


# ---- apply: conflicts, ambiguous names, creates re-checked ----------------------------------
def test_apply_reports_a_field_changed_since_the_plan_instead_of_overwriting(
    server, emulator, tmp_path, monkeypatch
):
    code, exported = run(server, "export", "--filter", "Acme Order Updates")
    path = tmp_path / "one.toml"
    path.write_text(exported.replace("validity_period = ", "validity_period = 1234 #", 1))
    sid = sid_of(emulator, "Acme Order Updates")

    def someone_else_writes_while_we_ask(*_a, **_k):
        emulator.store.update_service(ACCOUNT, sid, {"validity_period": 999})
        return None  # "y"

    monkeypatch.setattr(cli_services, "declined", someone_else_writes_while_we_ask)
    code, out = run(server, "apply", str(path))
    assert code == ExitCode.API and "✗ update" in out, out
    assert "Validity period (s) is now 999 (was 36000); not overwritten" in out
    assert emulator.store.get_service(ACCOUNT, sid)["validity_period"] == 999


def test_names_held_by_several_services_are_refused_with_their_sids_and_dates(
    server, emulator, tmp_path, capsys
):
    code, exported = run(server, "export", "--filter", "Acme Order Updates")
    path = tmp_path / "one.toml"
    path.write_text(exported)
    first = sid_of(emulator, "Acme Order Updates")
    twin = emulator.store.create_service(ACCOUNT, {"friendly_name": "Acme Order Updates"})
    for argv in (["plan", str(path)], ["apply", str(path), "--yes"], ["export"]):
        code, out = run(server, *argv)
        err = capsys.readouterr().err
        assert code == ExitCode.USAGE and out == "", (argv, out)
        assert first in err and twin["sid"] in err and twin["date_created"] in err, err
    assert len(named(emulator, "Acme Order Updates")) == 2


def test_apply_checks_each_name_again_just_before_creating_it(empty, tmp_path, monkeypatch):
    path = tmp_path / "new.toml"
    path.write_text('version = 1\n\n[services."Only Once"]\nusecase = "marketing"\n')

    def another_apply_creates_it(*_a, **_k):
        empty.app.store.create_service(ACCOUNT, {"friendly_name": "Only Once"})
        return None

    monkeypatch.setattr(cli_services, "declined", another_apply_creates_it)
    code, out = run(empty, "apply", str(path))
    assert code != 0 and "a service of that name exists now" in out, out
    assert len(named(empty.app, "Only Once")) == 1


# ---- reads retry a garbled answer; links; the emulator's booleans ---------------------------
async def test_a_garbled_200_is_retried_like_a_dropped_connection(client, emulator):
    sid = sid_of(emulator, "Acme Order Updates")
    emulator.inject(Fault(200, b"<html>a proxy's page</html>"), Fault(200, b'{"sid": "MG'))
    assert (await client.fetch_service(sid))["sid"] == sid
    emulator.inject(Fault(200, b"not json"))
    assert len(await client.list_services(page_size=7)) == len(_rows(emulator))
    # a reconciliation's read too: the 503'd update is found not to have happened
    emulator.inject(Fault(503, b'{"code": 20503, "message": "down"}'), Fault(200, b"garbled"))
    with pytest.raises(errors.NotAppliedError):
        await client.update_service(sid, {"validity_period": 4321})


def test_the_one_shot_reader_retries_a_garbled_200_too(server, emulator):
    sid = sid_of(emulator, "Acme Order Updates")
    emulator.inject(Fault(200, b"<html>"))
    with Reader.from_connection(_conn(server)) as reader:
        reader.sleep = lambda _s: None
        assert reader.fetch_service(sid)["sid"] == sid


def test_links_of_a_service_that_does_not_exist_is_not_found(server, capsys):
    code, out = run(server, "links", "MG" + "0" * 32)
    assert code == ExitCode.NOT_FOUND and out == "" and "404" in capsys.readouterr().err


@pytest.mark.parametrize("raw", ["1", "yes", "maybe", "on", ""])
def test_the_emulator_has_one_boolean_rule_for_every_resource(server, emulator, raw):
    auth = (ACCOUNT, demo.DEMO_AUTH_TOKEN)
    with httpx.Client(base_url=server.url, auth=auth) as http:
        r = http.post("/v1/Services", data={"FriendlyName": "b", "StickySender": raw})
        assert r.status_code == 400 and "StickySender" in r.json()["message"]
        service = sid_of(emulator, "Acme Order Updates")
        brand = emulator.store.db.execute(
            "SELECT sid FROM brands WHERE json_extract(body, '$.status') = 'APPROVED'"
        ).fetchone()[0]
        form = a2p.form_body(
            {
                "description": "Appointment reminders for patients who booked online.",
                "message_flow": "Patients tick an opt-in box when they book; terms linked.",
                "message_samples": ["Clinic: see you at 9:30. Reply C.", "Clinic: bring ID."],
                "has_embedded_links": False,
                "has_embedded_phone": True,
                "brand_registration_sid": brand,
                "us_app_to_person_usecase": "2FA",
            },
            creating=True,
        )
        body = urlencode([(p, raw if p == "HasEmbeddedLinks" else v) for p, v in form])
        r = http.post(
            f"/v1/Services/{service}/Compliance/Usa2p",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 400 and "HasEmbeddedLinks" in r.json()["message"], r.text
        r = http.post("/v1/Services", data={"FriendlyName": "b", "StickySender": "false"})
        assert r.status_code == 201 and r.json()["sticky_sender"] is False


def test_journal_entries_survive_an_old_journal_without_targets(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE writes (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL,"
        " session TEXT NOT NULL, batch TEXT, account_sid TEXT NOT NULL, action TEXT NOT NULL,"
        " service_sid TEXT NOT NULL, label TEXT NOT NULL, before TEXT, after TEXT,"
        " undoes INTEGER, undone_by INTEGER);"
        "INSERT INTO writes(at, session, account_sid, action, service_sid, label, after)"
        f" VALUES ('2026-01-01T00:00:00Z', 's', '{ACCOUNT}', 'update', 'MG1', 'old',"
        " '{\"sticky_sender\": true}');"
    )
    db.commit()
    db.close()
    journal = Journal(path)
    (old,) = journal.recent()
    assert old.target == "" and old.state == "done"
    assert (
        journal.last_written(f"{ACCOUNT} @ http://127.0.0.1:1") == []
    )  # never undone from a target
    assert json.loads(json.dumps(old.after)) == {"sticky_sender": True}


async def test_a_journal_that_breaks_after_the_send_never_turns_a_write_into_a_failure(
    client, emulator, tmp_path
):
    from msgsvc_tui.ops.writes import Writes

    class BreaksOnSettle(Journal):
        def settle(self, *_a, **_k):
            raise JournalError("the journal j.sqlite3 cannot be written: disk I/O error")

    sid = sid_of(emulator, "Acme Order Updates")
    outcome = await Writes(client, BreaksOnSettle(tmp_path / "j.sqlite3")).update_service(
        sid, {"validity_period": 4242}
    )
    assert outcome.ok and outcome.exit_code == ExitCode.OK, outcome.line()
    assert "could not record how it ended" in outcome.line() and "→ 4242" in outcome.line()
    assert emulator.store.get_service(ACCOUNT, sid)["validity_period"] == 4242
