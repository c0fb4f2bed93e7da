"""A seeded fault-injection soak: mixed operations through the client and the CLI, with a
share of requests failing in every way FaultyTransport knows, judged by the emulator's own
store after each operation.

The CLI's writes go through the one write path, so the soak covers it whole: `apply` (its
plan, its conflict and name checks, its creates and updates), `undo` (judged entry by entry
against the journal and the store), and the member writes (numbers, channel senders, country
alpha senders, campaigns). Every one is judged: an exit 0 or a ✓ the store does not show is a
lost write, a failure the store shows happened is a misleading report, two services of one
name are a duplicate, and an exception no handler typed is a crash.

    make test   a short soak (MSGSVC_SOAK_OPS=240 at 20%)
    make soak   MSGSVC_SOAK_OPS=1000 at 20%, with the report printed

Deterministic by seed (MSGSVC_SOAK_SEED): the same seed injects the same faults into the same
requests. Nothing waits on the clock (faults are raised, back-off sleeps are skipped).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import re
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from msgsvc_tui import cli
from msgsvc_tui.api import errors
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import services as cli_services
from msgsvc_tui.core import fields, senders
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.emulator import demo
from msgsvc_tui.emulator.app import EmulatorApp
from msgsvc_tui.emulator.faults import FaultPlan, FaultyTransport
from msgsvc_tui.emulator.server import open_emulator
from msgsvc_tui.ops import journal as jr
from msgsvc_tui.ops.journal import Journal

ACCOUNT = demo.DEMO_ACCOUNT_SID
OPS = int(os.environ.get("MSGSVC_SOAK_OPS", "240"))
RATE = float(os.environ.get("MSGSVC_SOAK_RATE", "0.2"))
SEED = int(os.environ.get("MSGSVC_SOAK_SEED", "20261127"))
BASE_URL = "http://emulator.localhost"
TARGET = f"{ACCOUNT} @ {BASE_URL}"
COUNTRIES = ("FR", "DE", "IT", "ES", "NL")
CAMPAIGN_ARGS = [
    "--set",
    "description=Appointment reminders for patients who booked online.",
    "--set",
    "message_flow=Patients tick an opt-in box when they book online; terms are linked there.",
    "--set",
    "has_embedded_links=no",
    "--set",
    "has_embedded_phone=no",
    "--sample",
    "Clinic: your appointment is tomorrow at 9:30. Reply C to confirm.",
    "--sample",
    "Clinic: reminder, bring your insurance card on Monday. Reply STOP to end.",
]


@dataclass
class Report:
    ops: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # crashes, lost writes, duplicates, lies

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def lines(self) -> list[str]:
        return [
            f"soak: {sum(self.ops.values())} operations, seed {SEED}, fault rate {RATE:.0%}",
            "  operations: " + ", ".join(f"{k} {v}" for k, v in sorted(self.ops.items())),
            "  faults injected: " + ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())),
            "  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items())),
            f"  problems: {len(self.problems)}",
            *[f"    {p}" for p in self.problems[:20]],
        ]


async def _no_sleep(_: float) -> None:
    return None


def _services(emu: EmulatorApp) -> dict[str, dict[str, Any]]:
    rows = emu.store.list_services(ACCOUNT, after=None, before=None, limit=100_000)
    return {r.data["sid"]: r.data for r in rows}


def _holder(emu: EmulatorApp, sender_sid: str) -> str | None:
    row = emu.store.db.execute("SELECT service_sid FROM numbers WHERE sid = ?", (sender_sid,))
    return row.fetchone()[0]


def _named(emu: EmulatorApp, name: str) -> list[dict[str, Any]]:
    return [v for v in _services(emu).values() if v["friendly_name"] == name]


def _channel_holder(emu: EmulatorApp, sender_sid: str) -> str | None:
    sql = "SELECT service_sid FROM channel_senders WHERE sid = ?"
    return emu.store.db.execute(sql, (sender_sid,)).fetchone()[0]


def _country_sender(emu: EmulatorApp, service_sid: str, country: str) -> str | None:
    row = emu.store.db.execute(
        "SELECT sid FROM destination_alpha_senders WHERE service_sid = ? AND iso_country_code = ?",
        (service_sid, country),
    ).fetchone()
    return None if row is None else str(row[0])


def _campaign_of(emu: EmulatorApp, service_sid: str) -> str | None:
    sql = "SELECT sid FROM campaigns WHERE service_sid = ?"
    row = emu.store.db.execute(sql, (service_sid,)).fetchone()
    return None if row is None else str(row[0])


def _member_present(emu: EmulatorApp, service_sid: str, data: dict[str, Any]) -> bool:
    db: sqlite3.Connection = emu.store.db
    kind = data.get("kind")
    if kind == senders.PHONE_NUMBERS.key:
        sql = "SELECT 1 FROM numbers WHERE sid = ? AND service_sid = ?"
        return db.execute(sql, (data.get("sender_sid"), service_sid)).fetchone() is not None
    if kind == senders.CHANNEL_SENDERS.key:
        sql = "SELECT 1 FROM channel_senders WHERE sid = ? AND service_sid = ?"
        return db.execute(sql, (data.get("sender_sid"), service_sid)).fetchone() is not None
    if kind == senders.DESTINATION_ALPHA_SENDERS.key:
        sql = (
            "SELECT 1 FROM destination_alpha_senders WHERE service_sid = ? AND alpha_sender = ?"
            " AND iso_country_code IS ?"
        )
        found = db.execute(sql, (service_sid, data.get("label"), data.get("country")))
        return found.fetchone() is not None
    return False


class Soak:
    def __init__(self, ops: int, rate: float, seed: int) -> None:
        self.emu = open_emulator(":memory:")
        self.rng = random.Random(seed)
        self.transport = FaultyTransport(
            httpx.ASGITransport(app=self.emu),  # type: ignore[arg-type]
            FaultPlan(rate=rate, seed=seed),
        )
        self.ops = ops
        self.report = Report()
        self.names = 0
        self.files = tempfile.mkdtemp(prefix="msgsvc-soak-")  # the files `apply` reads
        row = self.emu.store.db.execute(
            "SELECT sid FROM brands WHERE json_extract(body, '$.status') = 'APPROVED'"
            " AND campaign_outcome = 'VERIFIED' ORDER BY seq LIMIT 1"
        ).fetchone()
        self.brand = str(row[0])
        self.numbers = [
            r["sid"]
            for r in self.emu.store.db.execute(
                "SELECT sid, capabilities FROM numbers WHERE kind = 'phone_numbers'"
            )
            if "SMS" in json.loads(r["capabilities"])
        ]

    def client(self) -> MessagingClient:
        return MessagingClient(
            account_sid=ACCOUNT,
            username=ACCOUNT,
            password=demo.DEMO_AUTH_TOKEN,
            base_url=BASE_URL,
            transport=self.transport,
            sleep=_no_sleep,
        )

    def name(self) -> str:
        self.names += 1
        return f"soak {self.names:04d}"

    # ---- one operation each, judged by the store --------------------------------------------
    async def create(self, client: MessagingClient) -> None:
        name = self.name()
        outcome = await self._try(client.create_service({"friendly_name": name}))
        found = [s for s in _services(self.emu).values() if s["friendly_name"] == name]
        self._judge("create", outcome, applied=len(found) == 1, duplicate=len(found) > 1)

    async def update(self, client: MessagingClient) -> None:
        sid = self.rng.choice(list(_services(self.emu)))
        value = self.rng.randrange(1, 36001)
        before = _services(self.emu)[sid]["validity_period"]
        outcome = await self._try(client.update_service(sid, {"validity_period": value}))
        now = _services(self.emu)[sid]["validity_period"]
        self._judge("update", outcome, applied=now == value, unchanged=now == before)

    async def flip(self, client: MessagingClient) -> None:
        sid = self.rng.choice(list(_services(self.emu)))
        flag = self.rng.choice(fields.FLAGS).name
        before = _services(self.emu)[sid][flag]
        outcome = await self._try(client.update_service(sid, {flag: not before}))
        now = _services(self.emu)[sid][flag]
        self._judge("flip", outcome, applied=now is not before, unchanged=now is before)

    async def delete(self, client: MessagingClient) -> None:
        mine = [s for s, v in _services(self.emu).items() if v["friendly_name"].startswith("soak")]
        if not mine:
            return await self.create(client)
        sid = self.rng.choice(mine)
        outcome = await self._try(client.delete_service(sid))
        self._judge("delete", outcome, applied=sid not in _services(self.emu))
        return None

    async def sender(self, client: MessagingClient) -> None:
        number = self.rng.choice(self.numbers)
        holder = _holder(self.emu, number)
        if holder is None:
            target = self.rng.choice(list(_services(self.emu)))
            outcome = await self._try(client.add_sender(target, senders.PHONE_NUMBERS, number))
            self._judge("add sender", outcome, applied=_holder(self.emu, number) == target)
        else:
            outcome = await self._try(client.remove_sender(holder, senders.PHONE_NUMBERS, number))
            self._judge("remove sender", outcome, applied=_holder(self.emu, number) is None)

    async def listing(self, client: MessagingClient) -> None:
        outcome = await self._try(client.list_services(page_size=7))
        self.report.ops["list"] += 1
        if isinstance(outcome, list):
            if {s["sid"] for s in outcome} != set(_services(self.emu)):
                self.report.problem("list: the client's list differs from the store")
            self.report.outcomes["list ok"] += 1
        elif isinstance(outcome, errors.MsgsvcError):
            self.report.outcomes["list failed (reported)"] += 1

    def cli(self, argv: list[str]) -> tuple[int, str]:
        """One CLI command in this process, through the faulty client, as a script runs it.
        An exception out of it is a crash (the CLI turns every typed failure into a code)."""
        out = io.StringIO()
        args = cli.build_parser().parse_args(argv)
        try:
            with contextlib.redirect_stderr(io.StringIO()):  # its messages: the report is ours
                code = cli_services.run(args, stdout=out, client=self.client())
        except Exception as exc:
            self.report.problem(f"crash: {' '.join(argv[:3])}: {type(exc).__name__}: {exc}")
            return -1, out.getvalue()
        return code, out.getvalue()

    def cli_create(self) -> None:
        name = self.name()
        code, _ = self.cli(["services", "create", "--friendly-name", name])
        found = [s for s in _services(self.emu).values() if s["friendly_name"] == name]
        self._judge_code("cli create", code, applied=len(found) == 1, duplicate=len(found) > 1)

    def cli_update(self) -> None:
        sid = self.rng.choice(list(_services(self.emu)))
        value = self.rng.randrange(1, 36001)
        before = _services(self.emu)[sid]["validity_period"]
        code, _ = self.cli(["services", "update", sid, "--set", f"validity_period={value}"])
        now = _services(self.emu)[sid]["validity_period"]
        self._judge_code("cli update", code, applied=now == value, unchanged=now == before)

    def cli_list(self) -> None:
        code, out = self.cli(["services", "list", "--json", "--page-size", "9"])
        self.report.ops["cli list"] += 1
        self.report.outcomes[f"cli list exit {code}"] += 1
        if code == ExitCode.OK:
            if {s["sid"] for s in json.loads(out)} != set(_services(self.emu)):
                self.report.problem("cli list: exit 0 but the list differs from the store")
        elif code == ExitCode.PARTIAL:
            json.loads(out)  # well formed, whatever came before the failure
        elif out:
            self.report.problem(f"cli list: exit {code} with output on stdout")

    # ---- member writes through the CLI (each journalled) -------------------------------------
    def cli_member(self) -> None:
        getattr(self, f"_cli_{self.rng.choice(('number', 'channel', 'country', 'campaign'))}")()

    def _cli_number(self) -> None:
        number = self.rng.choice(self.numbers)
        held = _holder(self.emu, number)
        if held is None:
            target = self.rng.choice(list(_services(self.emu)))
            code, _ = self.cli(["services", "senders", target, "add", number])
            self._judge_code("cli add number", code, applied=_holder(self.emu, number) == target)
        else:
            code, _ = self.cli(["services", "senders", held, "remove", number, "--yes"])
            self._judge_code("cli remove number", code, applied=_holder(self.emu, number) is None)

    def _cli_channel(self) -> None:
        rows = list(self.emu.store.db.execute("SELECT sid, service_sid FROM channel_senders"))
        sender, held = self.rng.choice(rows)
        if held is None:
            target = self.rng.choice(list(_services(self.emu)))
            code, _ = self.cli(["services", "channel-senders", target, "add", sender])
            applied = _channel_holder(self.emu, sender) == target
            self._judge_code("cli add channel sender", code, applied=applied)
        else:
            code, _ = self.cli(["services", "channel-senders", held, "remove", sender, "--yes"])
            applied = _channel_holder(self.emu, sender) is None
            self._judge_code("cli remove channel sender", code, applied=applied)

    def _cli_country(self) -> None:
        target = self.rng.choice(list(_services(self.emu)))
        country = self.rng.choice(COUNTRIES)
        found = _country_sender(self.emu, target, country)
        if found is None:
            argv = ["services", "country-senders", target, "add", "SoakCo", "--country", country]
            code, _ = self.cli(argv)
            applied = _country_sender(self.emu, target, country) is not None
            self._judge_code("cli add country sender", code, applied=applied)
        else:
            argv = ["services", "country-senders", target, "remove", found, "--yes"]
            code, _ = self.cli(argv)
            applied = _country_sender(self.emu, target, country) is None
            self._judge_code("cli remove country sender", code, applied=applied)

    def _cli_campaign(self) -> None:
        target = self.rng.choice(list(_services(self.emu)))
        if _campaign_of(self.emu, target) is not None:
            code, _ = self.cli(["services", "campaign", target, "delete", "--yes"])
            applied = _campaign_of(self.emu, target) is None
            self._judge_code("cli delete campaign", code, applied=applied)
            return
        brand = self.brand
        argv = ["services", "campaign", target, "create", "--brand", brand, "--usecase", "2FA"]
        code, _ = self.cli([*argv, *CAMPAIGN_ARGS])
        applied = _campaign_of(self.emu, target) is not None
        self._judge_code("cli create campaign", code, applied=applied)

    # ---- apply and undo ---------------------------------------------------------------------
    def cli_apply(self) -> None:
        """A file setting the validity period of up to three services and creating one,
        applied; each line of its report, and its exit code, judged against the store."""
        live = _services(self.emu)
        mine = sorted(
            {v["friendly_name"] for v in live.values() if v["friendly_name"].startswith("soak")}
        )
        names = [*self.rng.sample(mine, min(3, len(mine))), self.name()]
        want = {n: self.rng.randrange(1, 36001) for n in names}
        before = {n: [v["validity_period"] for v in _named(self.emu, n)] for n in names}
        path = os.path.join(self.files, f"apply-{self.names}.toml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("version = 1\n")
            for n, value in want.items():
                fh.write(f'\n[services."{n}"]\nvalidity_period = {value}\n')
        code, out = self.cli(["services", "apply", path, "--yes"])
        self.report.ops["cli apply"] += 1
        self.report.outcomes[f"cli apply exit {code}"] += 1
        for n, value in want.items():
            now = [v["validity_period"] for v in _named(self.emu, n)]
            if len(now) > 1:
                self.report.problem(f"cli apply: {len(now)} services named {n!r}")
            if code == ExitCode.OK and now != [value]:
                self.report.problem(f"cli apply: exit 0, but {n!r} holds {now}, not {value}")
        for mark, verb, n in re.findall(r'^([✓✗?]) (update|create) "(.+?)"', out, re.M):
            now = [v["validity_period"] for v in _named(self.emu, n)]
            if mark == "✓" and now != [want[n]]:
                self.report.problem(f"cli apply: ✓ {verb} {n!r}, but it holds {now}")
            if mark == "✗" and now != before[n]:
                self.report.problem(f"cli apply: ✗ {verb} {n!r}, but it holds {now}")

    def cli_undo(self) -> None:
        """`services undo --yes`, judged entry by entry: an entry the journal marks undone
        must be undone on the server; one it reports failed must not be."""
        journal = Journal.default()
        entries = journal.last_written(TARGET)
        if not entries:
            return
        undone_before = {e.id: self._inverse_holds(e) for e in entries}
        names_before = Counter(v["friendly_name"] for v in _services(self.emu).values())
        code, _ = self.cli(["services", "undo", "--yes"])
        self.report.ops["cli undo"] += 1
        self.report.outcomes[f"cli undo exit {code}"] += 1
        for entry in entries:
            now = journal.get(entry.id)
            holds = self._inverse_holds(entry, names_before)
            if now is not None and now.undone_by is not None and not holds:
                self.report.problem(f"cli undo: says #{entry.id} ({entry.action}) is undone")
            undos = [
                r[0]
                for r in journal.db.execute(
                    "SELECT state FROM writes WHERE undoes = ?", (entry.id,)
                )
            ]
            told = any(state in (jr.UNKNOWN, jr.SENDING) for state in undos)
            failed = now is not None and now.undone_by is None
            if failed and holds and not undone_before[entry.id] and not told:
                self.report.problem(f"cli undo: #{entry.id} ({entry.action}) reported failed, done")
            if code == ExitCode.OK and not holds and not undone_before[entry.id]:
                self.report.problem(f"cli undo: exit 0 but #{entry.id} ({entry.action}) stands")
        journal.close()

    def _inverse_holds(self, e: jr.Entry, names: Counter[str] | None = None) -> bool:
        """Whether the server is as it was before the write of entry `e`."""
        services = _services(self.emu)
        data = e.after or e.before or {}
        if e.action == jr.UPDATE:
            live = services.get(e.service_sid)
            return live is not None and all(
                live.get(k) == (e.before or {}).get(k) for k in (e.after or {})
            )
        if e.action == jr.CREATE:
            return e.service_sid not in services
        if e.action == jr.DELETE:
            count = Counter(v["friendly_name"] for v in services.values())[e.label]
            return names is not None and count > names[e.label]
        if e.action in (jr.ADD_SENDER, jr.REMOVE_SENDER):
            present = _member_present(self.emu, e.service_sid, data)
            return present if e.action == jr.REMOVE_SENDER else not present
        if e.action == jr.CREATE_CAMPAIGN:
            return _campaign_of(self.emu, e.service_sid) != data.get("sid")
        return False

    # ---- judging ----------------------------------------------------------------------------
    async def _try(self, call: Any) -> Any:
        try:
            return await call
        except (errors.MsgsvcError, fields.ValidationError) as exc:
            return exc
        except Exception as exc:  # a crash: an error the client should have typed
            self.report.problem(f"crash: {type(exc).__name__}: {exc}")
            return exc

    def _judge(
        self,
        op: str,
        outcome: Any,
        *,
        applied: bool,
        unchanged: bool | None = None,
        duplicate: bool = False,
    ) -> None:
        self.report.ops[op] += 1
        unchanged = (not applied) if unchanged is None else unchanged
        if duplicate:
            self.report.problem(f"{op}: applied twice")
        if isinstance(outcome, errors.OutcomeUnknownError):
            self.report.outcomes["unknown (told)"] += 1
        elif isinstance(outcome, errors.NotAppliedError | errors.ApiError | errors.TransportError):
            self.report.outcomes["failed (confirmed)"] += 1
            if not unchanged:
                self.report.problem(f"{op}: reported failed, but the server has it: {outcome}")
        elif isinstance(outcome, BaseException):
            self.report.outcomes["other error"] += 1
        else:
            self.report.outcomes["ok"] += 1
            if not applied:
                self.report.problem(f"{op}: reported done, but the server lacks it (lost write)")

    def _judge_code(
        self, op: str, code: int, *, applied: bool, unchanged: bool | None = None, duplicate=False
    ) -> None:
        unchanged = (not applied) if unchanged is None else unchanged
        self.report.ops[op] += 1
        self.report.outcomes[f"{op} exit {code}"] += 1
        if duplicate:
            self.report.problem(f"{op}: applied twice")
        if code == ExitCode.OK and not applied:
            self.report.problem(f"{op}: exit 0, but the server lacks it")
        if code not in (ExitCode.OK, ExitCode.UNKNOWN) and not unchanged:
            self.report.problem(f"{op}: exit {code} (failed), but the server has it")

    # ---- the run ----------------------------------------------------------------------------
    async def run_async(self, client: MessagingClient, kinds: list[str]) -> None:
        for kind in kinds:
            await getattr(self, kind)(client)

    def run(self) -> Report:
        choices = ["create", "update", "flip", "delete", "sender", "listing"] * 3 + [
            "cli_create",
            "cli_update",
            "cli_list",
            "cli_member",
            "cli_member",
            "cli_apply",
            "cli_undo",
        ]
        plan = [self.rng.choice(choices) for _ in range(self.ops)]
        batch: list[str] = []
        for kind in [*plan, "cli_flush"]:
            if kind.startswith("cli"):  # a CLI command runs its own event loop
                if batch:
                    asyncio.run(self._batch(batch))
                    batch = []
                if kind != "cli_flush":
                    getattr(self, kind)()
            else:
                batch.append(kind)
        self.report.faults.update(str(e.fault) for e in self.transport.log if e.fault)
        journal = Journal.default()
        states = Counter(e.state for e in journal.recent(100_000))
        journal.close()
        self.report.outcomes.update({f"journal {k}": v for k, v in states.items()})
        if states[jr.SENDING]:
            self.report.problem(f"journal: {states[jr.SENDING]} writes never settled")
        return self.report

    async def _batch(self, kinds: list[str]) -> None:
        async with self.client() as client:
            await self.run_async(client, kinds)


def test_soak_reports_match_the_server():
    report = Soak(OPS, RATE, SEED).run()
    print("\n".join(report.lines()))
    assert report.problems == []
    assert sum(report.faults.values()) > OPS * RATE / 2  # faults really were injected
    assert report.outcomes["ok"] > 0


def main() -> int:
    parser = argparse.ArgumentParser(description="the fault-injection soak, with its report")
    parser.add_argument("--ops", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    # the journal the CLI writes goes to a folder of its own, never the user's
    os.environ["MSGSVC_TUI_DATA"] = tempfile.mkdtemp(prefix="msgsvc-soak-data-")
    os.environ["MSGSVC_TUI_CONFIG"] = os.path.join(os.environ["MSGSVC_TUI_DATA"], "none.toml")
    report = Soak(args.ops, args.rate, args.seed).run()
    print("\n".join(report.lines()))
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
