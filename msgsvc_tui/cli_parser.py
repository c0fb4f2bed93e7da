"""The `services` subcommands' arguments: argparse and the exit codes, nothing heavier.

Kept apart from cli_services.py (which imports the client, asyncio and the rest) so that
`msgsvc-tui --help` and `--version` build the whole parser at the cost of argparse alone.
"""

from __future__ import annotations

import argparse
from typing import Any

from msgsvc_tui.exit_codes import ExitCode

EXIT_CODES_HELP = ExitCode.help_text()


def add_services_parser(sub: Any) -> None:
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

    raw = argparse.RawDescriptionHelpFormatter
    export = actions.add_parser(
        "export", help="write the services as a file", epilog=EXIT_CODES_HELP, formatter_class=raw
    )
    export.add_argument("--filter", help="only names, SIDs or use cases containing TEXT")
    export.add_argument("--format", choices=("toml", "json"), default="toml")
    export.add_argument("--with-senders", action="store_true", help="each service's senders too")
    export.add_argument("-o", "--output", help="write to FILE (atomically) instead of stdout")

    for verb, text in (("plan", "what apply would change"), ("apply", "make the account match")):
        p = actions.add_parser(verb, help=text, epilog=EXIT_CODES_HELP, formatter_class=raw)
        p.add_argument("file", help="a file from `services export` (TOML or .json)")
        p.add_argument("--prune", action="store_true", help="delete services not in the file")
        p.add_argument(
            "--move-senders",
            action="store_true",
            help="move senders held by another service (else they are reported)",
        )
        if verb == "apply":
            p.add_argument("--yes", action="store_true", help="do not ask")

    undo = actions.add_parser(
        "undo",
        help="undo the last write to this account (an apply as one), after checking the server",
        epilog=EXIT_CODES_HELP,
        formatter_class=raw,
    )
    undo.add_argument("--yes", action="store_true", help="do not ask")

    diff = actions.add_parser(
        "diff",
        help="what differs between two profiles",
        epilog=EXIT_CODES_HELP,
        formatter_class=raw,
    )
    diff.add_argument("--from", dest="source", required=True, metavar="PROFILE")
    diff.add_argument("--to", dest="target", required=True, metavar="PROFILE")
    diff.add_argument("--with-senders", action="store_true")
    diff.add_argument("--prune", action="store_true", help="count services only in --to")


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
