"""`msgsvc-tui services …`: the same client, catalogue and profiles as the app, for scripts.

Data goes to stdout, messages to stderr. `list --json` streams one page at a time, so 10k
services never sit in memory twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Callable
from typing import IO, Any

from msgsvc_tui import fields
from msgsvc_tui.api import errors
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli import (
    EXIT_API,
    EXIT_AUTH,
    EXIT_CONFIG,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_USAGE,
)
from msgsvc_tui.config import Config, ConfigError, resolve_connection
from msgsvc_tui.listing import search_key

EXIT_CODES_HELP = """exit codes:
  0  success
  1  other API or network error
  2  bad input (flags, field values, SIDs)
  3  no credentials, or an unusable config file
  4  not found
  5  credentials refused"""

Json = dict[str, Any]


def add_parser(sub: Any) -> None:
    services = sub.add_parser(
        "services",
        help="list, get, create, update, delete services (for scripts)",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = services.add_subparsers(dest="action", metavar="ACTION", required=True)

    ls = actions.add_parser("list", help="list services", epilog=EXIT_CODES_HELP)
    fmt = ls.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON array, streamed page by page")
    fmt.add_argument("--tsv", action="store_true", help="tab-separated, with a header row")
    ls.add_argument("--filter", help="only names, SIDs or use cases containing TEXT")
    ls.add_argument("--limit", type=_positive, help="stop after N services")
    ls.add_argument("--page-size", type=_page_size, default=1000, help="1..1000 (default 1000)")

    get = actions.add_parser("get", help="one service", epilog=EXIT_CODES_HELP)
    get.add_argument("sid")
    get.add_argument("--json", action="store_true")

    create = actions.add_parser("create", help="create a service", epilog=EXIT_CODES_HELP)
    create.add_argument("--friendly-name", required=True)
    create.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    create.add_argument("--json", action="store_true")

    update = actions.add_parser("update", help="change fields", epilog=EXIT_CODES_HELP)
    update.add_argument("sid")
    update.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", required=True)
    update.add_argument("--json", action="store_true")

    delete = actions.add_parser("delete", help="delete a service", epilog=EXIT_CODES_HELP)
    delete.add_argument("sid")
    delete.add_argument("--yes", action="store_true", help="do not ask")


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _page_size(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError("must be from 1 to 1000")
    return value


def err(message: str) -> None:
    print(f"msgsvc-tui: {message}", file=sys.stderr)


def run(args: argparse.Namespace, *, stdout: IO[str] | None = None) -> int:
    out = stdout or sys.stdout
    try:
        values = _assignments(args)
    except ValueError as exc:
        err(str(exc))
        return EXIT_USAGE
    try:
        client = _client(args)
    except ConfigError as exc:
        err(str(exc))
        return EXIT_CONFIG
    except errors.InsecureUrlError as exc:
        err(str(exc))
        return EXIT_USAGE
    if client is None:
        err(
            "no credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY "
            "and TWILIO_API_SECRET), pass --profile, or add a profile in the app"
        )
        return EXIT_CONFIG
    action: Callable[..., Any] = {
        "list": _list,
        "get": _get,
        "create": _create,
        "update": _update,
        "delete": _delete,
    }[args.action]
    try:
        return asyncio.run(_with(client, action, args, values, out))
    except fields.ValidationError as exc:
        for e in exc.errors:
            err(f"{e.field_name}: {e.message}")
        return EXIT_USAGE
    except errors.NotFoundError as exc:
        err(exc.describe())
        return EXIT_NOT_FOUND
    except errors.AuthError as exc:
        err(exc.describe())
        return EXIT_AUTH
    except errors.ApiError as exc:
        err(exc.describe())
        return EXIT_USAGE if exc.status == 400 else EXIT_API
    except errors.ReadonlyError as exc:
        err(str(exc))
        return EXIT_USAGE
    except errors.MsgsvcError as exc:
        err(errors.describe(exc))
        return EXIT_API
    except BrokenPipeError:  # `| head` closed the pipe: not an error for a lister
        sys.stderr.close()
        return EXIT_OK


def _assignments(args: argparse.Namespace) -> dict[str, str]:
    values: dict[str, str] = {}
    for text in getattr(args, "set", []) or []:
        name, value = fields.parse_assignment(text)
        values[name] = value
    if getattr(args, "friendly_name", None) is not None:
        values["friendly_name"] = args.friendly_name
    return values


def _client(args: argparse.Namespace) -> MessagingClient | None:
    readonly = bool(getattr(args, "readonly", False))
    if getattr(args, "demo", False):
        from msgsvc_tui.emulator.server import embedded_client, open_emulator

        return embedded_client(open_emulator(), readonly=readonly)
    conn = resolve_connection(Config.load(), profile=args.profile, base_url=args.base_url)
    if conn is None:
        return None
    return MessagingClient.from_connection(conn, readonly=readonly)


async def _with(client: MessagingClient, action: Any, *rest: Any) -> int:
    async with client:
        return await action(client, *rest)


# ---- actions -------------------------------------------------------------------------------
_TSV_FIELDS = [f for f in fields.FIELDS if f.name not in ("links", "url")]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\t", " ").replace("\n", " ")


async def _list(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    if args.json:
        out.write("[")
    elif args.tsv:
        out.write("\t".join(f.name for f in _TSV_FIELDS) + "\n")
    # aclosing: a --limit that stops early closes the page stream at once
    # with a filter, how many pages a --limit needs is unknown until they are read
    limit = None if args.filter else args.limit
    pages_iter = client.iter_service_pages(args.page_size, limit=limit)
    async with contextlib.aclosing(pages_iter) as pages:
        written = await _write_pages(pages, args, out)
    if args.json:
        out.write("\n]\n" if written else "]\n")
    out.flush()
    return EXIT_OK


async def _write_pages(pages: Any, args: argparse.Namespace, out: IO[str]) -> int:
    """Write each matching service as its page arrives; returns how many were written."""
    needle = (args.filter or "").lower()
    written = 0
    async for page in pages:
        for s in page.items:
            if needle and needle not in search_key(s):
                continue
            if args.json:
                out.write(("\n" if not written else ",\n") + json.dumps(s))
            elif args.tsv:
                out.write("\t".join(_cell(s.get(f.name)) for f in _TSV_FIELDS) + "\n")
            else:
                out.write(_human_row(s) + "\n")
            written += 1
            if written == args.limit:
                return written
        out.flush()
    return written


def _human_row(s: Json) -> str:
    flags = "".join((f.glyph or "") if s.get(f.name) else "·" for f in fields.FLAGS)
    name = (s.get("friendly_name") or "")[:40]
    return f"{s['sid']}  {name:<40}  {s.get('usecase') or '':<13}  {flags}  {s.get('date_updated')}"


def _show(service: Json, args: argparse.Namespace, out: IO[str]) -> None:
    if args.json:
        out.write(json.dumps(service, indent=2) + "\n")
        return
    width = max(len(f.label) for f in fields.FIELDS)
    for f in fields.FIELDS:
        if f.name == "links":
            continue
        value = service.get(f.name)
        out.write(f"{f.label:<{width}}  {f.display(value) if value is not None else '—'}\n")


async def _get(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    _show(await client.fetch_service(args.sid), args, out)
    return EXIT_OK


async def _create(
    client: MessagingClient, args: argparse.Namespace, values: Json, out: IO[str]
) -> int:
    created = await client.create_service(values)
    if args.json:
        _show(created, args, out)
    else:
        out.write(created["sid"] + "\n")
        err(f"created {created['friendly_name']!r}")
    return EXIT_OK


async def _update(
    client: MessagingClient, args: argparse.Namespace, values: Json, out: IO[str]
) -> int:
    _show(await client.update_service(args.sid, values), args, out)
    return EXIT_OK


async def _delete(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    if not args.yes:
        if not sys.stdin.isatty():
            err("refusing to delete without --yes: there is no terminal to ask on")
            return EXIT_USAGE
        service = await client.fetch_service(args.sid)
        answer = input(
            f"Delete {service.get('friendly_name')!r} ({args.sid})? Its senders return to the "
            "account. [y/N] "
        )
        if answer.strip().lower() not in ("y", "yes"):
            err("not deleted")
            return EXIT_OK
    await client.delete_service(args.sid)
    err(f"deleted {args.sid}")
    return EXIT_OK
