"""A seeded fault-injection soak: mixed operations through the client and the CLI, with a
share of requests failing in every way FaultyTransport knows, judged by the emulator's own
store after each operation.

    make test   a short soak (MSGSVC_SOAK_OPS=240 at 20%)
    make soak   MSGSVC_SOAK_OPS=1000 at 20%, with the report printed

Deterministic by seed (MSGSVC_SOAK_SEED): the same seed injects the same faults into the same
requests. Nothing waits on the clock (faults are raised, back-off sleeps are skipped).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import random
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

ACCOUNT = demo.DEMO_ACCOUNT_SID
OPS = int(os.environ.get("MSGSVC_SOAK_OPS", "240"))
RATE = float(os.environ.get("MSGSVC_SOAK_RATE", "0.2"))
SEED = int(os.environ.get("MSGSVC_SOAK_SEED", "20261127"))


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
            base_url="http://emulator.localhost",
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
        """One CLI command in this process, through the faulty client, as a script runs it."""
        out = io.StringIO()
        args = cli.build_parser().parse_args(argv)
        code = cli_services.run(args, stdout=out, client=self.client())
        return code, out.getvalue()

    def cli_create(self) -> None:
        name = self.name()
        code, _ = self.cli(["services", "create", "--friendly-name", name])
        found = [s for s in _services(self.emu).values() if s["friendly_name"] == name]
        self.report.ops["cli create"] += 1
        self._judge_code("cli create", code, applied=len(found) == 1, duplicate=len(found) > 1)

    def cli_update(self) -> None:
        sid = self.rng.choice(list(_services(self.emu)))
        value = self.rng.randrange(1, 36001)
        before = _services(self.emu)[sid]["validity_period"]
        code, _ = self.cli(["services", "update", sid, "--set", f"validity_period={value}"])
        now = _services(self.emu)[sid]["validity_period"]
        self.report.ops["cli update"] += 1
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
    report = Soak(args.ops, args.rate, args.seed).run()
    print("\n".join(report.lines()))
    return 1 if report.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
