"""`msgsvc-tui services send` and `services messages`: a message through a service, and the
service's recent messages, for scripts.

Sending bills and cannot be undone, so it goes through ops/send.py (checked, refused in
--readonly, journalled before it is sent, sent once) and, off the emulator, asks first
("sends a real SMS to …, billed to AC…") unless --yes. `--wait` follows the message to a
final status with bounded polling and exits non-zero when it failed, the error code in words.

This module's top level imports argparse alone: its parser builders run on `--help`.
"""

from __future__ import annotations

import argparse
from typing import IO, TYPE_CHECKING, Any

from msgsvc_tui.core.exit_codes import ExitCode

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient

Json = dict[str, Any]


# ---- arguments -------------------------------------------------------------------------------
def build_send(p: argparse.ArgumentParser) -> None:
    p.add_argument("service", metavar="MG…", help="the service that picks the sender")
    p.add_argument("--to", required=True, metavar="+1…", help="the recipient, E.164")
    p.add_argument("--body", default="", metavar="TEXT", help="the text (up to 1,600 chars)")
    p.add_argument(
        "--media", action="append", default=[], metavar="URL", help="a media URL (MMS), ≤ 10"
    )
    p.add_argument(
        "--validity", type=int, metavar="SECONDS", help="fail if still queued after this long"
    )
    p.add_argument(
        "--send-at", metavar="WHEN", help="schedule: ISO 8601 UTC, 15 min to 35 days ahead"
    )
    p.add_argument("--wait", action="store_true", help="follow it to a final status")
    p.add_argument(
        "--timeout",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="with --wait: stop following after this long (default 120)",
    )
    p.add_argument("--yes", action="store_true", help="do not ask (a real account asks first)")
    p.add_argument("--json", action="store_true", help="print the message resource as JSON")


def build_list(p: argparse.ArgumentParser) -> None:
    from msgsvc_tui.core.messages import STATUSES

    p.add_argument("service", metavar="MG…")
    p.add_argument(
        "--since", default="1h", type=_since, metavar="AGE", help="30m, 1h, 2d, 1w (default 1h)"
    )
    p.add_argument("--status", choices=STATUSES, help="only messages in this status")
    p.add_argument("--limit", type=_positive, default=500, help="at most N (default 500)")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON array")
    fmt.add_argument("--tsv", action="store_true", help="tab-separated, with a header row")


def _since(text: str) -> Any:
    from msgsvc_tui.core.messages import parse_since

    try:
        return parse_since(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError("must be from 1 to 10000")
    return value


# ---- actions ---------------------------------------------------------------------------------
async def send(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    from datetime import UTC, datetime

    from msgsvc_tui.api import errors
    from msgsvc_tui.api import messages as api_messages
    from msgsvc_tui.cli.output import declined, err
    from msgsvc_tui.core import messages as core_messages
    from msgsvc_tui.core import segments
    from msgsvc_tui.ops import send as ops_send
    from msgsvc_tui.ops.journal import Journal

    send_at = None
    if args.send_at:
        try:
            send_at = datetime.fromisoformat(args.send_at.replace("Z", "+00:00"))
        except ValueError:
            err(f"--send-at: {args.send_at!r} is not ISO 8601 (2026-12-01T18:30:00Z)")
            return ExitCode.USAGE
        if send_at.tzinfo is None:
            send_at = send_at.replace(tzinfo=UTC)
    outgoing = core_messages.Outgoing(
        service_sid=args.service,
        to=args.to,
        body=args.body,
        media_urls=tuple(args.media),
        validity_period=args.validity,
        send_at=send_at,
    )
    core_messages.check(outgoing)  # every bad field named before anything else
    if client.readonly:
        err("read-only mode: the message was not sent")
        return ExitCode.USAGE
    service = await client.fetch_service(args.service)
    shape = segments.segment(args.body, smart_encoding=bool(service.get("smart_encoding")))
    if args.body:
        err(f"{shape.encoding}, {shape.segments} segment{'s' * (shape.segments != 1)}")
    question = ops_send.confirmation(client, outgoing)
    if question is not None:
        stop = declined(args.yes, "send a real message", question, no="not sent")
        if stop is not None:
            return stop
    journal = Journal.default()
    try:
        message = await ops_send.send_message(client, outgoing, journal=journal, service=service)
    finally:
        journal.close()
    err(f"{message.get('status')}: {message.get('sid')} to {message.get('to')}")
    if not args.wait or message.get("status") == "scheduled":
        _print_message(message, args, out)
        return ExitCode.OK

    told_why = False

    def changed(m: Json) -> None:
        line = f"{m.get('status')}"
        if m.get("from"):
            line += f" from {m.get('from')}"
        err(line)

    async def why(m: Json) -> None:
        nonlocal told_why
        if told_why or not m.get("from"):
            return
        told_why = True
        info = await api_messages.emulator_why(client, str(m.get("sid")))
        if info and info.get("why"):
            err(f"why this sender (emulator): {info['why']}")

    polling = api_messages.Polling(timeout=max(1.0, args.timeout))
    try:
        final, done = await api_messages.follow(client, message, polling=polling, on_change=changed)
        await why(final)
    except errors.MsgsvcError as exc:
        err(f"sent {message.get('sid')}, but following it failed: {errors.describe(exc)}")
        return ExitCode.API
    _print_message(final, args, out)
    status = final.get("status")
    if not done:
        err(
            f"still {status} after {polling.timeout:g} s; follow it with "
            f"`services messages {args.service}`"
        )
        return ExitCode.PENDING
    if status in core_messages.FAILED:
        words = _error_words(final)
        err(f"{status}: {words}" if words else f"{status} (no error code given)")
        return ExitCode.UNDELIVERED
    return ExitCode.OK


def _error_words(message: Json) -> str:
    from msgsvc_tui.core import twilio_errors

    return twilio_errors.describe(message.get("error_code"))


def _print_message(message: Json, args: argparse.Namespace, out: IO[str]) -> None:
    import json

    from msgsvc_tui.core.sanitize import safe

    if args.json:
        out.write(json.dumps(message, indent=2) + "\n")
    else:
        out.write(safe(message.get("sid") or "") + "\n")


COLUMNS = (
    ("DATE SENT", "date_sent"),
    ("STATUS", "status"),
    ("TO", "to"),
    ("FROM", "from"),
    ("SEGS", "num_segments"),
    ("PRICE", "price"),
    ("SID", "sid"),
    ("ERROR", "_error"),
)
TSV_FIELDS = (
    "sid",
    "date_sent",
    "status",
    "to",
    "from",
    "num_segments",
    "num_media",
    "price",
    "price_unit",
    "error_code",
    "error",
    "body",
)


async def list_messages(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    import json

    from msgsvc_tui.api import messages as api_messages
    from msgsvc_tui.cli.output import cell, err
    from msgsvc_tui.core import twilio_errors

    since = api_messages.since_ago(args.since)
    found = await api_messages.list_service_messages(
        client, args.service, since=since, status=args.status, limit=args.limit
    )
    rows = found.messages
    if args.json:
        out.write(json.dumps(rows, indent=2) + "\n")
    elif args.tsv:
        out.write("\t".join(TSV_FIELDS) + "\n")
        for m in rows:
            values = {**m, "error": _error_title(m, twilio_errors)}
            out.write("\t".join(cell(values.get(f)) for f in TSV_FIELDS) + "\n")
    else:
        table = [[h for h, _ in COLUMNS]]
        for m in rows:
            values = {**m, "_error": _error_title(m, twilio_errors)}
            table.append(
                [
                    _short_date(values.get(k)) if k == "date_sent" else cell(values.get(k))
                    for _, k in COLUMNS
                ]
            )
        widths = [max(len(r[i]) for r in table) for i in range(len(COLUMNS) - 1)]
        for r in table:
            out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)))
            out.write("  " + r[-1] + "\n")
    window = _age(args.since)
    if found.truncated and len(rows) >= args.limit:
        err(
            f"showing the newest {len(rows)} of the last {window} (--limit {args.limit} "
            "reached): raise --limit to see any older ones"
        )
    elif found.truncated:
        err(
            f"showing {len(rows)}: read {found.scanned} of the account's messages and stopped; "
            "narrow --since or --status to see the rest"
        )
    else:
        plural = "s" * (len(rows) != 1)
        err(
            f"{len(rows)} message{plural} of {args.service} in the last {window} "
            f"(of {found.scanned} on the account; --since looks further back)"
        )
    return ExitCode.OK


def _age(age: Any) -> str:
    """A duration as --since takes it: 1h, 30m, 2d (the largest unit that is whole)."""
    seconds = int(age.total_seconds())
    for unit, size in (("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _error_title(message: Json, twilio_errors: Any) -> str:
    entry = twilio_errors.explain(message.get("error_code"))
    return f"{entry.code} {entry.title}" if entry else ""


def _short_date(stamp: object) -> str:
    from msgsvc_tui.core.messages import parse_when
    from msgsvc_tui.core.sanitize import safe

    when = parse_when(stamp)
    if when is None:
        return safe(stamp) if stamp else "—"
    return when.strftime("%Y-%m-%d %H:%M:%S")


ACTIONS = {"send": send, "messages": list_messages}
