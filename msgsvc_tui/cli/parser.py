"""The `services` subcommands' arguments: argparse and the exit codes, nothing heavier.

Kept apart from cli/services.py (which imports the client and the rest) so that
`msgsvc-tui --help` and `--version` build the whole parser at the cost of argparse alone.

Each subcommand's parser is built only when that subcommand is chosen, or when a help page
lists it: creating an ArgumentParser costs ~0.3 ms (argparse looks its strings up with
gettext, which searches the disk each time), and `services` has ~40 of them, which was a
sixth of a whole `services get`.
"""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from typing import Any

from msgsvc_tui.core.exit_codes import ExitCode

EXIT_CODES_HELP = ExitCode.help_text()
_SERVICE_HELP = "a service's SID (MG…) or its exact friendly name"
Build = Callable[[argparse.ArgumentParser], None]


class LazySubParsers(argparse._SubParsersAction):  # type: ignore[type-arg]  # generic in typeshed only
    """Subcommands added with `add_lazy` are listed (in help, in "invalid choice" errors)
    at once, but their parsers are built on first use. Relies on argparse internals that have
    been stable since Python 3.2: `_name_parser_map` is the choices, `_choices_actions` the
    help entries."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._builders: dict[str, tuple[Build, dict[str, Any]]] = {}

    def add_lazy(self, name: str, build: Build, *, help: str | None, **kwargs: Any) -> None:
        self._builders[name] = (build, kwargs)
        self._name_parser_map[name] = None  # a choice, not built yet
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help))

    def add_command(self, name: str, build: Build, *, help: str, **kwargs: Any) -> None:
        """`add_lazy` for a command scripts run: its help page ends with the exit codes."""
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        self.add_lazy(name, build, help=help, epilog=EXIT_CODES_HELP, **kwargs)

    def parser_for(self, name: str) -> argparse.ArgumentParser | None:
        if self._name_parser_map.get(name) is None and name in self._builders:
            build, kwargs = self._builders.pop(name)
            del self._name_parser_map[name]  # add_parser refuses a name it already holds
            parser = self.add_parser(name, **kwargs)  # no help=: its entry is already listed
            build(parser)
        return self._name_parser_map.get(name)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        self.parser_for(values[0])
        super().__call__(parser, namespace, values, option_string)


def lazy_subparsers(parser: argparse.ArgumentParser, **kwargs: Any) -> LazySubParsers:
    action = parser.add_subparsers(action=LazySubParsers, **kwargs)
    assert isinstance(action, LazySubParsers)
    return action


def add_services_parser(sub: LazySubParsers) -> None:
    sub.add_command(
        "services", _services, help="list, get, create, update, delete services (for scripts)"
    )


def _services(services: argparse.ArgumentParser) -> None:
    actions = lazy_subparsers(services, dest="action", metavar="ACTION", required=True)
    for name, build, text in (
        ("list", _list, "list services"),
        ("get", _get, "one service"),
        ("create", _create, "create a service"),
        ("update", _update, "change fields"),
        ("delete", _delete, "delete a service"),
        ("export", _export, "write the services as a file"),
        ("plan", _plan, "what apply would change"),
        ("apply", _apply, "make the account match"),
        (
            "undo",
            _undo,
            "undo the last write to this account (an apply as one), after checking the server",
        ),
        ("diff", _diff, "what differs between two profiles"),
        ("send", _send, "send a message through a service (asks first on a real account)"),
        ("messages", _messages, "a service's recent messages, their status and errors"),
    ):
        actions.add_command(name, build, help=text)
    add_owned_parsers(actions)


def _list(ls: argparse.ArgumentParser) -> None:
    fmt = ls.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="a JSON array, streamed page by page")
    fmt.add_argument("--tsv", action="store_true", help="tab-separated, with a header row")
    ls.add_argument("--filter", help="only names, SIDs or use cases containing TEXT")
    ls.add_argument("--limit", type=_positive, help="stop after N services")
    ls.add_argument("--page-size", type=_page_size, default=1000, help="1..1000 (default 1000)")


def _get(get: argparse.ArgumentParser) -> None:
    get.add_argument("sid", metavar="SERVICE", help=_SERVICE_HELP)
    get.add_argument("--json", action="store_true")


def _create(create: argparse.ArgumentParser) -> None:
    create.add_argument("--friendly-name", required=True)
    create.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE")
    create.add_argument("--json", action="store_true")
    _writing(create)


def _update(update: argparse.ArgumentParser) -> None:
    update.add_argument("sid", metavar="SERVICE", help=_SERVICE_HELP)
    update.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", required=True)
    update.add_argument("--json", action="store_true")
    _writing(update)


def _delete(delete: argparse.ArgumentParser) -> None:
    delete.add_argument("sid", metavar="SERVICE", help=_SERVICE_HELP)
    delete.add_argument("--yes", action="store_true", help="do not ask")
    _writing(delete)


def _export(export: argparse.ArgumentParser) -> None:
    export.add_argument("--filter", help="only names, SIDs or use cases containing TEXT")
    export.add_argument("--format", choices=("toml", "json"), default="toml")
    export.add_argument("--with-senders", action="store_true", help="each service's senders too")
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (atomically) instead of stdout; `-` is stdout",
    )
    export.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (else asked on a terminal)"
    )


def _plan(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a file from `services export` (TOML or .json)")
    p.add_argument("--prune", action="store_true", help="delete services not in the file")
    p.add_argument(
        "--move-senders",
        action="store_true",
        help="move senders held by another service (else they are reported)",
    )


def _apply(p: argparse.ArgumentParser) -> None:
    _plan(p)
    p.add_argument("--yes", action="store_true", help="do not ask")
    _writing(p)


def _undo(undo: argparse.ArgumentParser) -> None:
    undo.add_argument("--yes", action="store_true", help="do not ask")
    _writing(undo)


def _diff(diff: argparse.ArgumentParser) -> None:
    diff.add_argument("--from", dest="source", required=True, metavar="PROFILE")
    diff.add_argument("--to", dest="target", required=True, metavar="PROFILE")
    diff.add_argument("--with-senders", action="store_true")
    diff.add_argument("--prune", action="store_true", help="count services only in --to")


def _send(p: argparse.ArgumentParser) -> None:
    from msgsvc_tui.cli import messages

    messages.build_send(p)


def _messages(p: argparse.ArgumentParser) -> None:
    from msgsvc_tui.cli import messages

    messages.build_list(p)


# ---- what a service owns: senders, channel senders, country senders, campaign, links -----------
_OWNED_SENDERS = (
    (
        "senders",
        "a service's phone numbers, short codes and alpha sender",
        "+E.164, a short code, PN…, SC… or --alpha",
    ),
    ("channel-senders", "a service's WhatsApp/RCS/Messenger senders (XE…)", "XE…"),
    ("country-senders", "a service's alpha sender IDs per destination country", "TEXT --country"),
)


def add_owned_parsers(actions: LazySubParsers) -> None:
    """`services senders|channel-senders|country-senders MG… list|get|add|remove`,
    `services campaign MG… get|create|update|delete|usecases|attach`, `services brands`,
    `services links MG…`. Output: a table, --json or --tsv; the exit codes of `services`."""
    for name, text, adds in _OWNED_SENDERS:
        actions.add_command(name, functools.partial(_senders, name=name, adds=adds), help=text)
    actions.add_command(
        "campaign", _campaign, help="a service's A2P 10DLC campaign (Compliance/Usa2p)"
    )
    actions.add_lazy("brands", _formats, help="the account's A2P brands (read-only)")
    actions.add_lazy("links", _links, help="a service's link-shortening domain (read-only)")
    from msgsvc_tui.cli import doctor  # its parsers: argparse only, like this module

    doctor.add_parsers(actions)


def _senders(p: argparse.ArgumentParser, name: str, adds: str) -> None:
    p.add_argument("service", metavar="SERVICE", help=_SERVICE_HELP)
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
    _writing(add)
    rm = verbs.add_parser("remove", help="remove one, by SID")
    rm.add_argument("sid")
    rm.add_argument("--yes", action="store_true", help="do not ask")
    _writing(rm)


def _campaign(campaign: argparse.ArgumentParser) -> None:
    campaign.add_argument("service", metavar="SERVICE", help=_SERVICE_HELP)
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
        _writing(p)
    rm = verbs.add_parser("delete", help="delete the campaign (registering again is a new review)")
    rm.add_argument("--yes", action="store_true", help="do not ask")
    _writing(rm)
    uc = verbs.add_parser("usecases", help="use cases a campaign may have")
    uc.add_argument("--brand", metavar="BN…", help="for this brand")
    _formats(uc)
    attach = verbs.add_parser("attach", help="attach a campaign registered elsewhere (CampaignId)")
    attach.add_argument("campaign_id")
    attach.add_argument("--cnp-migration", action="store_true")
    _writing(attach)


def _links(links: argparse.ArgumentParser) -> None:
    links.add_argument("service", metavar="SERVICE", help=_SERVICE_HELP)
    links.add_argument("--json", action="store_true")


def _writing(p: argparse.ArgumentParser) -> None:
    """What every command that writes takes besides its own arguments."""
    p.add_argument(
        "--unjournalled",
        action="store_true",
        help="write even when the journal cannot record it (said on stderr; undo cannot "
        "take it back)",
    )


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


# ---- the account's numbers ------------------------------------------------------------------
def add_numbers_parser(sub: LazySubParsers) -> None:
    sub.add_command(
        "numbers",
        _numbers,
        help="the account's phone numbers and short codes, and the service holding each",
    )


def _numbers(numbers: argparse.ArgumentParser) -> None:
    verbs = lazy_subparsers(numbers, dest="verb", metavar="VERB", required=True)
    verbs.add_command(
        "list",
        _numbers_list,
        help="every number and short code: capabilities, the service holding it",
    )


def _numbers_list(ls: argparse.ArgumentParser) -> None:
    ls.add_argument("--free", action="store_true", help="only those no service holds")
    ls.add_argument("--filter", help="only numbers, SIDs, countries or capabilities with TEXT")
    _formats(ls)


# ---- shell completion ---------------------------------------------------------------------
def add_completion_parser(sub: Any) -> None:
    sub.add_lazy(
        "completion",
        _completion,
        help="print the shell completion script for bash, zsh or fish",
        description=(
            "Print the completion script for your shell. To install it:\n"
            "  bash: echo 'eval \"$(msgsvc-tui completion bash)\"' >> ~/.bashrc\n"
            "  zsh:  echo 'eval \"$(msgsvc-tui completion zsh)\"' >> ~/.zshrc  (after compinit)\n"
            "  fish: msgsvc-tui completion fish > ~/.config/fish/completions/msgsvc-tui.fish\n"
            "It completes commands, flags, profile names, field names for --set and the\n"
            "service names a recent command listed (kept 10 minutes; never asks the server)."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _completion(p: argparse.ArgumentParser) -> None:
    p.add_argument("shell", choices=("bash", "zsh", "fish"))
