"""`msgsvc-tui services …`: the same client, catalogue and profiles as the app, for scripts.

Data goes to stdout, messages to stderr. `list --json` streams one page at a time, so 10k
services never sit in memory twice. Server text is untrusted: every human-readable line (table,
TSV, get, messages) goes through the sanitizer; `--json` escapes control characters itself.
What stdout holds is always well formed: a list that fails part-way is closed (JSON) or stops
at a row boundary (TSV, table), and the exit code (7) and stderr say it is partial.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from msgsvc_tui.api import errors
from msgsvc_tui.cli.output import cell as _cell
from msgsvc_tui.cli.output import declined, err
from msgsvc_tui.cli.planview import plan_text
from msgsvc_tui.cli.writing import said, writes_for
from msgsvc_tui.core import fields, files
from msgsvc_tui.core.config import (
    Config,
    ConfigError,
    Connection,
    CredentialVariableError,
    no_credentials_message,
    resolve_connection,
)
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.core.sanitize import safe

if TYPE_CHECKING:  # imported where used: a command pays only for what it needs
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.api.oneshot import Reader
    from msgsvc_tui.ops import ascode


Json = dict[str, Any]


class PartialListError(Exception):
    """A list failed after some services were written: stdout holds them, well formed."""

    def __init__(self, written: int, cause: BaseException) -> None:
        super().__init__(f"partial: {written} services before the error")
        self.written = written
        self.cause = cause


def run(
    args: argparse.Namespace,
    *,
    stdout: IO[str] | None = None,
    client: MessagingClient | None = None,
    action: Callable[..., Any] | None = None,
) -> int:
    """Run one `services` action; `client` replaces the one the profile would give (tests).
    Another command (`numbers`) passes its own `action`, to get the same credentials, errors
    and exit codes."""
    out = stdout or sys.stdout
    try:
        # `campaign … --set` names campaign fields, read by its own action
        values = {} if args.action == "campaign" else _assignments(args)
    except ValueError as exc:
        err(str(exc))
        return ExitCode.USAGE
    if client is None:
        try:
            conn = _connection(args)
        except CredentialVariableError as exc:
            err(str(exc))
            return ExitCode.USAGE
        except ConfigError as exc:
            err(str(exc))
            return ExitCode.CONFIG
        except errors.InsecureUrlError as exc:
            err(str(exc))
            return ExitCode.USAGE
        if conn is None:
            err(no_credentials_message())
            return ExitCode.CONFIG
        if action is None and args.action in _ONE_SHOT_READS and _one_shot_usable(conn):
            return _guarded(lambda: _read_one_shot(conn, args, out))
        client = _client(args, conn)
    actions: dict[str, Callable[..., Any]] = {
        "list": _list,
        "get": _get,
        "create": _create,
        "update": _update,
        "delete": _delete,
        "export": _export,
        "plan": _plan,
        "apply": _apply,
        "diff": _diff,
        "undo": _undo,
    }
    if action is None and args.action in actions:
        action = actions[args.action]
    elif action is None and args.action in ("send", "messages"):
        from msgsvc_tui.cli import messages

        action = messages.ACTIONS[args.action]
    elif action is None and args.action in ("doctor", "tollfree"):
        from msgsvc_tui.cli import doctor

        action = doctor.ACTIONS[args.action]
    elif action is None:  # what a service owns (imported only for these commands)
        from msgsvc_tui.cli.owned import ACTIONS

        action = ACTIONS[args.action]
    chosen = action
    import asyncio

    return _guarded(lambda: asyncio.run(_with(client, chosen, args, values, out)))


def _guarded(action: Callable[[], int]) -> int:
    """Run an action; every failure becomes its message on stderr and its exit code."""
    try:
        return action()
    except PartialListError as exc:
        err(f"{exc}: {errors.describe(exc.cause)}")
        return ExitCode.PARTIAL
    except BrokenPipeError:  # `| head` closed the pipe: not an error for a lister
        sys.stderr.close()
        return ExitCode.OK
    except Exception as exc:
        return report_failure(exc)


def report_failure(exc: BaseException) -> int:
    """The message and exit code for any failure of an action (each error class carries its
    code); re-raises the unexpected."""
    from msgsvc_tui.ops import ascode

    if isinstance(exc, ascode.FileError):
        for problem in exc.problems:
            err(problem)
    elif isinstance(exc, fields.ValidationError):
        for e in exc.errors:
            err(f"{e.field_name}: {e.message}")
    elif isinstance(exc, errors.MsgsvcError):
        err(errors.describe(exc))
    else:
        raise exc
    return exc.exit_code()


def _assignments(args: argparse.Namespace) -> dict[str, str]:
    values: dict[str, str] = {}
    for text in getattr(args, "set", []) or []:
        name, value = fields.parse_assignment(text)
        values[name] = value
    if getattr(args, "friendly_name", None) is not None:
        values["friendly_name"] = args.friendly_name
    return values


_DEMO = object()  # the embedded sandbox: no connection to resolve
_ONE_SHOT_READS = frozenset({"get", "list"})


def _connection(args: argparse.Namespace) -> Connection | object | None:
    """The profile's connection; `_DEMO` for --demo or --sandbox-db; None without credentials."""
    if getattr(args, "demo", False) or getattr(args, "sandbox_db", None):
        return _DEMO
    # `diff` reads --from itself and plans against --to, whose client this is
    profile = getattr(args, "target", None) or args.profile
    return resolve_connection(Config.load(), profile=profile, base_url=args.base_url)


def _client(args: argparse.Namespace, conn: Connection | object) -> MessagingClient:
    readonly = bool(getattr(args, "readonly", False))
    if conn is _DEMO:
        from msgsvc_tui.emulator.server import embedded_client, open_emulator

        db = getattr(args, "sandbox_db", None)
        return embedded_client(open_emulator(db), readonly=readonly)
    from msgsvc_tui.api.client import MessagingClient

    assert isinstance(conn, Connection)
    return MessagingClient.from_connection(conn, readonly=readonly)


def _one_shot_usable(conn: Connection | object) -> bool:
    """`get` and `list` need neither httpx nor asyncio (api/oneshot.py says why), unless
    they go to the embedded sandbox or through a proxy."""
    if conn is _DEMO:
        return False
    from msgsvc_tui.api import oneshot

    return oneshot.usable()


one_shot_read_finished = False  # cli.console_main may then skip finalization


def _read_one_shot(conn: Connection | object, args: argparse.Namespace, out: IO[str]) -> int:
    global one_shot_read_finished
    from msgsvc_tui.api.oneshot import Reader

    assert isinstance(conn, Connection)
    try:
        with Reader.from_connection(conn) as reader:
            if args.action == "get":
                if fields.sid_problem(args.sid, "MG") is not None:
                    from msgsvc_tui.ops import resolve

                    args.sid = resolve.service_sid_sync(reader, conn.account_sid, args.sid)
                _show(reader.fetch_service(args.sid), args, out)
                return ExitCode.OK
            return _list_one_shot(reader, args, out, conn.account_sid)
    finally:
        one_shot_read_finished = True


async def _with(client: MessagingClient, action: Any, *rest: Any) -> int:
    async with client:
        await resolve_service_names(client, rest[0])
        return int(await action(client, *rest))


# the argument that names a service, by action; every other action's is `service` (MG…)
_SERVICE_ARGUMENT = {"get": "sid", "update": "sid", "delete": "sid"}


async def resolve_service_names(client: MessagingClient, args: argparse.Namespace) -> None:
    """A friendly name where a service SID goes becomes that service's SID, before any
    action runs (ops/resolve.py: one exact match, else exit 2 with the candidates)."""
    attr = _SERVICE_ARGUMENT.get(args.action, "service")
    text = getattr(args, attr, None)
    if isinstance(text, str) and fields.sid_problem(text, "MG") is not None:
        from msgsvc_tui.ops import resolve

        setattr(args, attr, await resolve.service_sid(client, text))


# ---- actions -------------------------------------------------------------------------------
_TSV_FIELDS = [f for f in fields.FIELDS if f.name not in ("links", "url")]


async def _list(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    # aclosing: a --limit that stops early closes the page stream at once
    # with a filter, how many pages a --limit needs is unknown until they are read
    limit = None if args.filter else args.limit
    pages_iter = client.iter_service_pages(args.page_size, limit=limit)
    writer = _ListWriter(args, out, account=client.account_sid)
    try:
        async with contextlib.aclosing(pages_iter) as pages:
            async for page in pages:
                if writer.page(page.items):
                    break
    except errors.MsgsvcError as exc:
        writer.failed(exc)
    return writer.finish()


def _list_one_shot(
    reader: Reader, args: argparse.Namespace, out: IO[str], account: str | None = None
) -> int:
    """`_list` on the one-shot reader: the same output, byte for byte."""
    limit = None if args.filter else args.limit
    writer = _ListWriter(args, out, account=account)
    try:
        pages_iter = reader.iter_service_pages(args.page_size, limit=limit)
        with contextlib.closing(pages_iter) as pages:
            for page in pages:
                if writer.page(page.items):
                    break
    except errors.MsgsvcError as exc:
        writer.failed(exc)
    return writer.finish()


def _search_key() -> Callable[[Json], str]:
    from msgsvc_tui.core.listing import search_key

    return search_key


class _ListWriter:
    """Writes each matching service as its page arrives, one write per page. Nothing is
    written before the first page is in, so a list that fails at once leaves stdout empty;
    one that fails later is closed well formed (PartialListError)."""

    def __init__(self, args: argparse.Namespace, out: IO[str], account: str | None = None) -> None:
        self.args = args
        self.out = out
        # a whole list's names, kept for shell completion (core/namecache.py)
        whole = account is not None and not args.filter and not args.limit
        self.account = account
        self.names: list[str] | None = [] if whole else None
        self.needle = (args.filter or "").lower()
        self.search_key = _search_key() if self.needle else None
        self.started = False  # the list's opening (JSON's "[", a header row) is written
        self.written = 0

    def page(self, items: list[Json]) -> bool:
        """Write one page; True once --limit is reached."""
        args, needle = self.args, self.needle
        if not self.started:
            _open_list(args, self.out)
            self.started = True
        if self.names is not None and len(self.names) < 5000:
            self.names.extend(str(s.get("friendly_name") or "") for s in items)
        parts: list[str] = []
        done = False
        for s in items:
            if self.search_key is not None and needle not in self.search_key(s):
                continue
            if args.json:
                parts.append(("\n" if not self.written else ",\n") + json.dumps(s))
            elif args.tsv:
                parts.append("\t".join(_cell(s.get(f.name)) for f in _TSV_FIELDS) + "\n")
            else:
                parts.append(_human_row(s) + "\n")
            self.written += 1
            if self.written == args.limit:
                done = True
                break
        self.out.write("".join(parts))
        self.out.flush()
        return done

    def failed(self, exc: errors.MsgsvcError) -> None:
        if not self.started:
            raise exc  # nothing on stdout yet: an ordinary failure
        _close_list(self.args, self.out, self.written)
        raise PartialListError(self.written, exc) from None

    def finish(self) -> int:
        if not self.started:
            _open_list(self.args, self.out)
        _close_list(self.args, self.out, self.written)
        if self.names is not None and self.account is not None:
            from msgsvc_tui.core import namecache

            namecache.save(self.account, self.names)
        return ExitCode.OK


def _open_list(args: argparse.Namespace, out: IO[str]) -> None:
    if args.json:
        out.write("[")
    elif args.tsv:
        out.write("\t".join(f.name for f in _TSV_FIELDS) + "\n")
    else:
        out.write(_human_header() + "\n")


def _close_list(args: argparse.Namespace, out: IO[str], written: int) -> None:
    if args.json:
        out.write("\n]\n" if written else "]\n")
    out.flush()


_NAME_WIDTH = 40


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` columns: cut with "…" when longer."""
    return text[: width - 1] + "…" if len(text) > width else text.ljust(width)


def _human_header() -> str:
    flags = "".join(f.glyph or "" for f in fields.FLAGS)
    return f"{'SID':<34}  {'NAME':<{_NAME_WIDTH}}  {'USE CASE':<13}  {flags:<6}  US  UPDATED"


def _human_row(s: Json) -> str:
    flags = "".join((f.glyph or "") if s.get(f.name) else "·" for f in fields.FLAGS)
    name = _fit(safe(s.get("friendly_name") or ""), _NAME_WIDTH)
    usecase = _fit(safe(s.get("usecase") or ""), 13)
    # US: registered for A2P 10DLC (us_app_to_person_registered), as the app's list shows it
    us = "✓" if s.get("us_app_to_person_registered") else "·"
    updated = safe(s.get("date_updated"))
    return f"{safe(s['sid']):<34}  {name}  {usecase}  {flags:<6}  {us:<2}  {updated}"


def _show(service: Json, args: argparse.Namespace, out: IO[str]) -> None:
    if args.json:
        out.write(json.dumps(service, indent=2) + "\n")
        return
    width = max(len(f.label) for f in fields.FIELDS)
    for f in fields.FIELDS:
        if f.name == "links":
            continue
        value = service.get(f.name)
        shown = safe(f.display(value)) if value is not None else "—"
        out.write(f"{f.label:<{width}}  {shown}\n")


async def _get(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    _show(await client.fetch_service(args.sid), args, out)
    return ExitCode.OK


async def _create(
    client: MessagingClient, args: argparse.Namespace, values: Json, out: IO[str]
) -> int:
    outcome = await writes_for(client, args).create_service(values)
    created = outcome.result
    if outcome.ok and created is not None:
        if args.json:
            _show(created, args, out)
        else:
            out.write(safe(created["sid"]) + "\n")
    return said(outcome)


async def _update(
    client: MessagingClient, args: argparse.Namespace, values: Json, out: IO[str]
) -> int:
    outcome = await writes_for(client, args).update_service(args.sid, values)
    if outcome.ok and outcome.result is not None:
        _show(outcome.result, args, out)
    return said(outcome)


async def _delete(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    service = None
    if not args.yes:
        service = await client.fetch_service(args.sid)
        name = service.get("friendly_name")
        question = f"Delete “{name}” ({args.sid})? Its senders return to the account."
        stop = declined(False, "delete", question, no="not deleted")
        if stop is not None:
            return stop
    return said(await writes_for(client, args).delete_service(args.sid, service=service))


# ---- config as code -------------------------------------------------------------------------
async def _export(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    from msgsvc_tui.ops import ascode

    destination = _export_destination(args)
    if isinstance(destination, int):
        return destination
    services, pools, _inv = await ascode.live_state(client, with_senders=args.with_senders)
    needle = (args.filter or "").lower()
    key = _search_key()
    chosen = [s for s in services if not needle or needle in key(s)]
    # a file keys services by name: two of one name would become one entry
    ascode.refuse_ambiguous([str(s.get("friendly_name")) for s in chosen], chosen)
    pools_shown = ascode.public_pools(pools) if args.with_senders else None
    document = ascode.export_services(chosen, pools_shown, account=client.account_sid)
    text = ascode.render(document, args.format)
    if destination is None:
        out.write(text)
        return ExitCode.OK
    written = files.atomic_write(destination.path, text, replace=destination.exists)
    err(f"wrote {len(chosen)} services to {written}")
    return ExitCode.OK


def _export_destination(args: argparse.Namespace) -> files.Target | int | None:
    """Where `export -o` writes (None: stdout, for no -o and `-o -`), checked before anything
    is fetched; an exit code when the user declined, or there is no terminal to ask on and
    no --force, to replace an existing file."""
    if args.output in (None, "-"):
        return None
    where = files.target(args.output)  # a folder, a FIFO, a device, a missing folder: refused
    if where.exists and not args.force:
        question = f"{where.path} exists. Replace it?"
        stop = declined(False, f"replace {where.path}", question, no="not written", flag="--force")
        if stop is not None:
            return stop
    return where


async def _planned(
    client: MessagingClient, args: argparse.Namespace
) -> tuple[list[ascode.Desired], ascode.Plan]:
    from msgsvc_tui.ops import ascode

    desired = ascode.load(Path(args.file))  # every problem before anything is asked
    with_senders = any(d.senders is not None for d in desired)
    services, pools, inventory = await ascode.live_state(client, with_senders=with_senders)
    the_plan = ascode.plan(
        desired, services, pools, inventory, prune=args.prune, move_senders=args.move_senders
    )
    return desired, the_plan


async def _plan(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    _desired, the_plan = await _planned(client, args)
    out.write(plan_text(the_plan.render(), out))
    return ExitCode.OK if the_plan.matches else ExitCode.PENDING


async def _apply(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    from msgsvc_tui.ops import ascode
    from msgsvc_tui.ops.writes import worst

    writes = writes_for(client, args)  # the journal opens before anything is planned or sent
    if writes.journal is None and not writes.unjournalled and not client.readonly:
        err(
            f"nothing applied: {writes.journal_problem}. Fix the journal, or pass "
            "--unjournalled to apply without it (undo cannot take it back)"
        )
        return ExitCode.CONFIG
    _desired, the_plan = await _planned(client, args)
    out.write(plan_text(the_plan.render(), out))
    if not the_plan.pending:
        return ExitCode.OK
    stop = declined(args.yes, "apply", "Apply these changes?", no="nothing applied")
    if stop is not None:
        return stop
    concurrency = Config.load().preferences.bulk_concurrency
    outcomes = await ascode.apply(writes, the_plan, concurrency=concurrency)
    for o in outcomes:
        out.write(safe(o.line()) + "\n")
    done = sum(1 for o in outcomes if o.ok)
    _d, after = await _planned(client, args)
    left = "no changes left." if after.matches else after.render()
    out.write(safe(f"After apply: {left}", newlines=True) + "\n")
    out.write(f"Applied {done} of {len(outcomes)} changes.\n")
    code = worst(outcomes)
    if code != ExitCode.OK:
        return code
    return ExitCode.OK if after.matches else ExitCode.API


async def _diff(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    """What applying --from's services to --to would change (`client` is --to's)."""
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.ops import ascode

    config = Config.load()
    conn = resolve_connection(config, profile=args.source, base_url=None)
    if conn is None:
        raise ConfigError(f"no profile {args.source!r}")
    async with MessagingClient.from_connection(conn, readonly=True) as source:
        services, pools, _inv = await ascode.live_state(source, with_senders=args.with_senders)
    pools_shown = ascode.public_pools(pools) if args.with_senders else None
    document = ascode.export_services(services, pools_shown, account=source.account_sid)
    desired = ascode.check(json.loads(json.dumps(document)), Path(f"<profile {args.source}>"))
    live, live_pools, inventory = await ascode.live_state(client, with_senders=args.with_senders)
    the_plan = ascode.plan(desired, live, live_pools, inventory, prune=args.prune)
    out.write(f"{args.source} → {args.target}\n")
    out.write(plan_text(the_plan.render(), out))
    return ExitCode.OK if the_plan.matches else ExitCode.PENDING


async def _undo(client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]) -> int:
    """The journal's last write to this target (this server and account; an apply as one
    batch), undone after the server shows nothing changed since; refused, saying why, when it
    did. Writes made elsewhere (another emulator, another region) are never touched."""
    from msgsvc_tui.ops.undo import apply_undo, plan_undo
    from msgsvc_tui.ops.writes import worst

    writes = writes_for(client, args)
    if writes.journal is None:
        err(f"cannot undo: {writes.journal_problem or 'no journal'}")
        return ExitCode.CONFIG
    entries = writes.journal.last_written(writes.target.key)
    if not entries:
        err(f"nothing to undo: the journal has no write to {writes.target} left")
        return ExitCode.OK
    plan = await plan_undo(writes, entries)
    out.write(safe("\n".join(plan.lines()), newlines=True) + "\n")
    if not plan.doable:
        return worst(await apply_undo(writes, plan))
    stop = declined(args.yes, "undo", "Undo these?")
    if stop is not None:
        return stop
    done = await apply_undo(writes, plan)
    for outcome in done:
        out.write(safe(outcome.line()) + "\n")
    return worst(done)
