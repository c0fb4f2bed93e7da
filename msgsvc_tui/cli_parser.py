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
    add_owned_parsers(actions)


# ---- what a service owns: senders, channel senders, country senders, campaign, links -----------
def add_owned_parsers(actions: Any) -> None:
    """`services senders|channel-senders|country-senders MG… list|get|add|remove`,
    `services campaign MG… get|create|update|delete|usecases|attach`, `services brands`,
    `services links MG…`. Output: a table, --json or --tsv; the exit codes of `services`."""
    raw = argparse.RawDescriptionHelpFormatter
    for name, text, adds in (
        (
            "senders",
            "a service's phone numbers, short codes and alpha sender",
            "PN…, SC… or --alpha",
        ),
        ("channel-senders", "a service's WhatsApp/RCS/Messenger senders (XE…)", "XE…"),
        (
            "country-senders",
            "a service's alpha sender IDs per destination country",
            "TEXT --country",
        ),
    ):
        p = actions.add_parser(name, help=text, epilog=EXIT_CODES_HELP, formatter_class=raw)
        p.add_argument("service", metavar="MG…")
        verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
        ls = verbs.add_parser("list", help="every one")
        _formats(ls)
        if name == "country-senders":
            ls.add_argument("--country", help="only this ISO country (FR)")
        if name == "channel-senders":
            avail = verbs.add_parser("available", help="the account's channel senders (v2)")
            _formats(avail)
        get = verbs.add_parser("get", help="one, by SID")
        get.add_argument("sid")
        get.add_argument("--json", action="store_true")
        add = verbs.add_parser("add", help=f"add one: {adds}")
        add.add_argument("value", nargs="?" if name == "senders" else None, metavar="VALUE")
        if name == "senders":
            add.add_argument("--alpha", metavar="TEXT", help="add this alpha sender ID")
        if name == "country-senders":
            add.add_argument("--country", help="ISO 3166-1 alpha-2 (default: all countries)")
        add.add_argument("--json", action="store_true")
        rm = verbs.add_parser("remove", help="remove one, by SID")
        rm.add_argument("sid")
        rm.add_argument("--yes", action="store_true", help="do not ask")

    campaign = actions.add_parser(
        "campaign",
        help="a service's A2P 10DLC campaign (Compliance/Usa2p)",
        epilog=EXIT_CODES_HELP,
        formatter_class=raw,
    )
    campaign.add_argument("service", metavar="MG…")
    verbs = campaign.add_subparsers(dest="verb", metavar="VERB", required=True)
    get = verbs.add_parser("get", help="the campaign, its status and errors in words")
    get.add_argument("--json", action="store_true")
    for verb in ("create", "update"):
        p = verbs.add_parser(verb, help=f"{verb} the campaign (rules checked first)")
        if verb == "create":
            p.add_argument("--brand", required=True, metavar="BN…")
            p.add_argument("--usecase", required=True, metavar="CODE", help="e.g. MARKETING")
        p.add_argument("--sample", action="append", default=[], help="2 to 5, 20-1024 chars")
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="description, message_flow, has_embedded_links=yes, opt_out_keywords=STOP,END…",
        )
        p.add_argument("--json", action="store_true")
    rm = verbs.add_parser("delete", help="delete the campaign (registering again is a new review)")
    rm.add_argument("--yes", action="store_true", help="do not ask")
    uc = verbs.add_parser("usecases", help="use cases a campaign may have")
    uc.add_argument("--brand", metavar="BN…", help="for this brand")
    _formats(uc)
    attach = verbs.add_parser("attach", help="attach a campaign registered elsewhere (CampaignId)")
    attach.add_argument("campaign_id")
    attach.add_argument("--cnp-migration", action="store_true")

    brands = actions.add_parser("brands", help="the account's A2P brands (read-only)")
    _formats(brands)
    links = actions.add_parser("links", help="a service's link-shortening domain (read-only)")
    links.add_argument("service", metavar="MG…")
    links.add_argument("--json", action="store_true")


def _formats(p: Any) -> None:
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON array")
    fmt.add_argument("--tsv", action="store_true", help="tab-separated, with a header row")


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
