"""`msgsvc-tui numbers list`: the account's phone numbers and short codes, what each can do,
and the Messaging Service holding it (or "free"), for scripts and for picking a sender.

The same data as the app's sender picker (ops/pool.py): the 2010 API's numbers, and who holds
each learnt from the services' own pools, since Twilio's number lists do not say. The same
credentials, output formats, sanitizing and exit codes as `services` (cli/services.py).
"""

from __future__ import annotations

import argparse
from typing import IO, Any

from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli.owned import write_table as table  # the one table/--json/--tsv writer
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.ops import pool, resolve

Json = dict[str, Any]
COLUMNS = [
    ("TYPE", "type"),
    ("NUMBER", "number"),
    ("COUNTRY", "country"),
    ("CAPABILITIES", "_capabilities"),
    ("SERVICE", "_service"),
    ("SERVICE SID", "service_sid"),
    ("SID", "sid"),
]


def run(args: argparse.Namespace, *, stdout: IO[str] | None = None) -> int:
    from msgsvc_tui.cli import services

    args.action = "numbers"  # `services.run` reads it; no services action has this name
    return services.run(args, stdout=stdout, action=ACTIONS[args.verb])


async def list_numbers(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    candidates = await pool.load_candidates(client)
    services = await client.list_services()
    resolve.remember_names(client.account_sid, services)
    names = {str(s["sid"]): str(s.get("friendly_name") or "") for s in services}
    await pool.with_holders(client, candidates, list(names))
    needle = (args.filter or "").lower()
    rows: list[Json] = []
    for c in candidates:
        if args.free and c.holder:
            continue
        if needle and needle not in c.search_key:
            continue
        rows.append(
            {
                "sid": c.sid,
                "type": c.kind.label,
                "number": c.value,
                "country": c.country or None,
                "capabilities": c.capabilities,
                "service_sid": c.holder,
                "service_name": names.get(c.holder) if c.holder else None,
                "_capabilities": " ".join(c.capabilities),
                "_service": names.get(c.holder, c.holder) if c.holder else "free",
            }
        )
    table(rows, COLUMNS, args, out)
    return ExitCode.OK


ACTIONS = {"list": list_numbers}
