"""`msgsvc-tui services doctor` and `services tollfree`: why a service's messages will fail,
for one service, some, or the whole account; and the account's toll-free verifications.

`doctor` exits 0 when no service has an error-level finding, 10 (UNHEALTHY) when one has, and 1
when a service could not be read (and none had an error); `--json` is a stable document for
CI (its shape is in the README and `DOCUMENT_VERSION`). With `--all`, a progress bar goes to
stderr when stderr is a terminal. Server text is untrusted: every human line goes through
the sanitizer; JSON escapes control characters itself.

Imported by the parser for `add_parsers` (argparse only); the rest is imported when run.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, TYPE_CHECKING, Any

from msgsvc_tui.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.ops.doctor import Report

Json = dict[str, Any]
DOCUMENT_VERSION = 1


def add_parsers(actions: Any) -> None:
    actions.add_command(
        "doctor",
        _doctor_parser,
        help="why a service's messages will fail: health checks, for one service or all",
    )
    actions.add_command(
        "tollfree", _tollfree_parser, help="the account's toll-free verifications (read-only)"
    )


def _doctor_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("services", nargs="*", metavar="MG…|NAME", help="services by SID or name")
    p.add_argument("--all", action="store_true", help="every service of the account")
    p.add_argument("--json", action="store_true", help="a stable JSON document (see README)")
    p.add_argument(
        "--to",
        action="append",
        default=[],
        metavar="CC",
        help="a country the services send to (ISO code, e.g. US); repeatable",
    )


def _tollfree_parser(p: argparse.ArgumentParser) -> None:
    from msgsvc_tui.core import tollfree

    p.add_argument("sid", nargs="?", metavar="HH…", help="one verification")
    p.add_argument("--status", choices=tollfree.STATUSES, help="only this status")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON array (one object for HH…)")
    fmt.add_argument("--tsv", action="store_true", help="tab-separated, with a header row")


# ---- doctor ---------------------------------------------------------------------------------
class Progress:
    """`Checking 12/36 [####------]` on one line of stderr, redrawn; only on a terminal."""

    def __init__(self, total: int, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.shown = self.stream.isatty() and total > 0

    def step(self) -> None:
        self.done += 1
        if self.shown:
            width = 30
            filled = width * self.done // self.total
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\rChecking services {self.done}/{self.total} [{bar}]")
            self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


async def resolve(client: MessagingClient, wanted: list[str]) -> list[Json]:
    """Services by SID (fetched) or by exact name (case-insensitive, from one listing)."""
    from msgsvc_tui.api import errors
    from msgsvc_tui.core import fields

    out: list[Json] = []
    listing: list[Json] | None = None
    for token in wanted:
        if fields.sid_problem(token, "MG") is None:
            out.append(await client.fetch_service(token))
            continue
        if listing is None:
            listing = await client.list_services()
        named = [s for s in listing if str(s.get("friendly_name") or "").lower() == token.lower()]
        if not named:
            raise errors.NotFoundError(
                status=404,
                code=None,
                message=f"no service is named {token!r} (give its MG… SID or its exact name)",
            )
        if len(named) > 1:
            sids = ", ".join(str(s["sid"]) for s in named)
            raise fields.ValidationError(
                [
                    fields.FieldError(
                        "service",
                        "service",
                        fields.INVALID_PARAMETER,
                        f"{len(named)} services are named {token!r}: {sids}; give a SID",
                    )
                ]
            )
        out.append(named[0])
    return out


async def run_doctor(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    from msgsvc_tui.cli.output import err
    from msgsvc_tui.core import countries
    from msgsvc_tui.core.config import Config
    from msgsvc_tui.ops import doctor

    if bool(args.services) == bool(args.all):
        err("doctor: name services (MG… or a name) or pass --all, not both")
        return ExitCode.USAGE
    destinations = [c.upper() for c in args.to]
    for code in destinations:
        problem = countries.country_problem(code)
        if problem:
            err(f"--to: {problem}")
            return ExitCode.USAGE
    services = await client.list_services() if args.all else await resolve(client, args.services)
    concurrency = Config.load().preferences.bulk_concurrency
    progress = Progress(len(services)) if args.all else None
    try:
        reports = await doctor.examine(
            client,
            services,
            concurrency=concurrency,
            destinations=destinations,
            on_done=(lambda _r: progress.step()) if progress else None,
        )
    finally:
        if progress:
            progress.close()
    if args.json:
        out.write(json.dumps(document(reports), indent=2) + "\n")
    else:
        out.write(render(reports))
    return exit_code(reports)


def exit_code(reports: list[Report]) -> int:
    if any(r.health == "error" for r in reports):
        return ExitCode.UNHEALTHY
    if any(r.error is not None for r in reports):
        return ExitCode.API
    return ExitCode.OK


def document(reports: list[Report]) -> Json:
    """The `--json` document. Stable: fields are only ever added (DOCUMENT_VERSION)."""
    from msgsvc_tui.api import errors
    from msgsvc_tui.core import health

    summary = {"services": len(reports), "error": 0, "warning": 0, "ok": 0, "failed": 0}
    items = []
    for r in reports:
        summary[r.health] += 1
        items.append(
            {
                "sid": r.sid,
                "friendly_name": r.service.get("friendly_name"),
                "health": r.health,
                "counts": health.counts(r.findings),
                "findings": [f.as_json(r.service) for f in r.findings],
                "unavailable": list(r.unavailable),
                "error": None if r.error is None else errors.describe(r.error),
            }
        )
    return {"version": DOCUMENT_VERSION, "summary": summary, "services": items}


_LABEL = {"error": "✗ error  ", "warning": "! warning", "info": "· info   "}


def render(reports: list[Report]) -> str:
    """Findings grouped by service, worst first within each; every server text sanitized."""
    from msgsvc_tui.api import errors
    from msgsvc_tui.core import health
    from msgsvc_tui.core.sanitize import safe

    lines: list[str] = []
    notes: set[str] = set()
    for r in reports:
        name = safe(r.service.get("friendly_name") or "")
        head = f"{name} ({safe(r.sid)})"
        if r.error is not None:
            lines.append(f"{head}  ? could not be checked: {safe(errors.describe(r.error))}")
            continue
        c = health.counts(r.findings)
        parts = [f"{c[s]} {s}" + ("s" if c[s] != 1 else "") for s in health.SEVERITIES if c[s]]
        state = {"error": "✗", "warning": "!", "ok": "✓"}[r.health]
        lines.append(f"{head}  {state} " + (", ".join(parts) if parts else "healthy"))
        for f in r.findings:
            subject = f" — {safe(f.subject)}" if f.subject else ""
            lines.append(f"  {_LABEL[f.severity]}  {f.check}: {f.title}{subject}")
            lines.append(f"      {safe(f.effect)}")
            for detail in f.details:
                lines.append(f"      · {safe(detail)}")
            fix = safe(f.fix)
            if f.setting:
                change = ", ".join(
                    f"{k}: {_shown(old)} → {_shown(new)}" for k, old, new in f.changes(r.service)
                )
                fix += f" [setting: {safe(change)}]"
            lines.append(f"      Fix: {fix}")
            lines.append(f"      {f.source}")
        notes.update(r.unavailable)
    total = len(reports)
    by = {h: sum(1 for r in reports if r.health == h) for h in ("error", "warning", "ok", "failed")}
    summary = (
        f"{total} service{'s' if total != 1 else ''}: {by['error']} with errors, "
        f"{by['warning']} with warnings, {by['ok']} healthy"
    )
    if by["failed"]:
        summary += f", {by['failed']} could not be checked"
    lines.append("")
    for note in sorted(notes):
        lines.append(f"Not checked: {safe(note)}")
    lines.append(summary + ".")
    return "\n".join(lines) + "\n"


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


# ---- tollfree -------------------------------------------------------------------------------
_TF_COLUMNS = (
    ("SID", "sid"),
    ("NUMBER", "tollfree_phone_number"),
    ("STATUS", "status"),
    ("BUSINESS", "business_name"),
    ("UPDATED", "date_updated"),
)


async def run_tollfree(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    from msgsvc_tui.api import tollfree as tf_api
    from msgsvc_tui.cli.output import cell
    from msgsvc_tui.core import tollfree
    from msgsvc_tui.core.sanitize import safe

    if args.sid:
        v = await tf_api.fetch_verification(client, args.sid)
        if args.json:
            out.write(json.dumps(v, indent=2) + "\n")
            return ExitCode.OK
        for label, key in (*_TF_COLUMNS, ("NUMBER SID", "tollfree_phone_number_sid")):
            value = v.get(key)
            out.write(f"{label.title():<12}  {safe('—' if value is None else value)}\n")
        # an unknown status is shown as Twilio sent it: server text
        out.write(f"{'In words':<12}  {safe(tollfree.status_words(v.get('status')))}\n")
        for line in tollfree.rejection_lines(v):
            out.write(f"{'Rejected':<12}  {safe(line)}\n")
        return ExitCode.OK
    found = await tf_api.list_verifications(client, status=args.status)
    if args.json:
        out.write(json.dumps(found, indent=2) + "\n")
    elif args.tsv:
        out.write("\t".join(key for _, key in _TF_COLUMNS) + "\n")
        for v in found:
            out.write("\t".join(cell(v.get(key)) for _, key in _TF_COLUMNS) + "\n")
    else:
        out.write(f"{'SID':<34}  {'NUMBER':<13}  {'STATUS':<15}  BUSINESS\n")
        for v in found:
            out.write(
                f"{safe(v.get('sid') or ''):<34}  {safe(v.get('tollfree_phone_number') or ''):<13}"
                f"  {safe(v.get('status') or ''):<15}  {safe(v.get('business_name') or '')}\n"
            )
    return ExitCode.OK


ACTIONS = {"doctor": run_doctor, "tollfree": run_tollfree}
