"""Messaging Services as code: export an account to a file, plan what applying a file would
change, apply it, and diff two accounts.

The file (TOML, or JSON) keys each service by its friendly name, since SIDs differ from one
account to the next (the SID is kept as a comment, or `_sid` in JSON). Every writable field of
the catalogue is written; an empty string means "cleared" (TOML has no null). A `senders`
table, when present, is authoritative for that service's pool: numbers by E.164, short codes
by their code, the alpha sender by its text.

    version = 1

    [services."Acme Order Updates"]
    # sid: MG42ee…  (account AC01…cdef)
    usecase = "notifications"
    sticky_sender = true
    status_callback = ""

    [services."Acme Order Updates".senders]
    phone_numbers = ["+14155550101"]

A file is checked in full before anything is sent, and every problem names the file, the line
and the field. Applying uses the same client as everything else: bounded concurrency with a
shared 429 back-off, lost answers reconciled, every write journalled (so `u` in the app, or
the journal, can undo it).
"""

from __future__ import annotations

import asyncio
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w

from msgsvc_tui.core import fields, files, senders
from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.core.suggest import did_you_mean

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.ops.writes import Outcome, Writes

Json = dict[str, Any]
VERSION = 1
SENDER_KEYS = ("phone_numbers", "short_codes", "alpha_sender")


class FileError(MsgsvcError):
    """A file that cannot be applied; `problems` are "file:line: field: what" each."""

    EXIT = ExitCode.USAGE

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


# ---- the file ---------------------------------------------------------------------------------
@dataclass
class Desired:
    """One service as the file wants it: clean catalogue values, and maybe its pool."""

    name: str
    values: Json
    senders: dict[str, Any] | None = None  # phone_numbers, short_codes, alpha_sender


def _file_value(f: fields.Field, value: Any) -> Any:
    return "" if value is None else value


def export_services(
    services: list[Json], pools: Mapping[str, Json] | None = None, *, account: str = ""
) -> dict[str, Any]:
    """The document for `services` (and, with `pools`, their senders), ordered by name."""
    out: dict[str, Any] = {}
    for s in sorted(services, key=lambda s: str(s.get("friendly_name", "")).lower()):
        name = str(s.get("friendly_name"))
        entry = {
            f.name: _file_value(f, s.get(f.name))
            for f in fields.WRITABLE
            if f.name != "friendly_name"
        }
        entry["_sid"] = s.get("sid")
        if pools is not None and s.get("sid") in pools:
            entry["senders"] = pools[s["sid"]]
        out[name] = entry
    return {"version": VERSION, "account": account, "services": out}


# What a file meant for review must not hold raw: C0 and DEL (TOML and JSON escape those
# already), C1, and the bidi controls that make a reviewer read a line backwards.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _escaped(text: str) -> str:
    """`text` (JSON, or TOML whose server text is all in basic strings) with every character
    that acts on a terminal written as its `\\uXXXX` escape: both formats read it back as the
    same character, and a reviewer's terminal shows the escape instead of obeying it. The
    line breaks between entries are ours, and stay."""
    return _INVISIBLE.sub(lambda m: "\n" if m[0] == "\n" else f"\\u{ord(m[0]):04x}", text)


def render(document: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return _escaped(json.dumps(document, indent=2, ensure_ascii=False)) + "\n"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = [
        f"# Messaging Services exported by msgsvc-tui on {stamp}",
        f"# from account {safe(document.get('account') or '?')}; apply with: "
        "msgsvc-tui services apply FILE",
        f"version = {VERSION}",
        "",
    ]
    for name, entry in document["services"].items():
        body = {k: v for k, v in entry.items() if not k.startswith("_") and k != "senders"}
        lines.append(f"[services.{_toml_key(name)}]")
        if entry.get("_sid"):
            lines.append(f"# sid: {safe(entry['_sid'])}")  # a comment: shown, never escaped
        lines.append(tomli_w.dumps(body).rstrip())
        if entry.get("senders"):
            lines.append("")
            lines.append(f"[services.{_toml_key(name)}.senders]")
            lines.append(tomli_w.dumps(entry["senders"]).rstrip())
        lines.append("")
    return _escaped("\n".join(lines))


def _toml_key(name: str) -> str:
    return tomli_w.dumps({name: 0}).split(" = ")[0]


_JSON_KEY = re.compile(r'^\s*("(?:[^"\\]|\\.)*")\s*:')


class _Lines:
    """Where things are in a file's text, for problems to name their line. The text is
    indexed once (each table header, each JSON key), and a field is looked for only within
    its service's block when a problem is reported: a file of 10,000 services is read once,
    not once per service (which was quadratic: 167 s for 10,000)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines: list[str] = []
        self._headers: dict[str, int] = {}
        self._json_keys: dict[str, int] = {}
        self._indexed = False

    def _index(self) -> None:
        """On the first problem: a file without any costs nothing here."""
        self._indexed = True
        self.lines = self.text.splitlines()
        for i, line in enumerate(self.lines):
            stripped = line.strip()
            if stripped.startswith("["):
                self._headers.setdefault(stripped, i)
            match = _JSON_KEY.match(line)
            if match:
                self._json_keys.setdefault(match.group(1), i)

    def of(self, name: str, key: str | None = None) -> int:
        """The line of `[services."name"]` (or of `key` inside it); 0 when not found."""
        if not self._indexed:
            self._index()
        quoted = json.dumps(name)
        start = next(
            (
                self._headers[header]
                for header in (f"[services.{_toml_key(name)}]", f"[services.{quoted}]")
                if header in self._headers
            ),
            self._json_keys.get(quoted),
        )
        if start is None:
            return 0
        if key is None:
            return start + 1
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*[=:]')
        lines = self.lines
        for i in range(start + 1, len(lines)):
            stripped = lines[i].lstrip()
            if stripped.startswith("[") and i > start + 1 and "senders" not in lines[i]:
                break
            if pattern.match(lines[i]):
                return i + 1
        return start + 1


def load(path: Path) -> list[Desired]:
    """Read and check a file; every problem at once, each naming file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileError([f"{path}: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise FileError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    try:
        is_json = path.suffix.lower() == ".json"
        document = json.loads(text) if is_json else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise FileError([f"{path}: {exc}"]) from None
    except RecursionError:  # the parsers recurse once per level of nesting
        raise FileError([files.nesting_message(path)]) from None
    if files.too_deep(document):
        raise FileError([files.nesting_message(path)])
    return check(document, path, text)


def check(document: Any, path: Path, text: str = "") -> list[Desired]:
    problems: list[str] = []

    def bad(line: int, what: str) -> None:
        problems.append(f"{path}:{line}: {what}" if line else f"{path}: {what}")

    if not isinstance(document, dict):
        raise FileError([f"{path}: expected a table at the top"])
    if document.get("version", VERSION) != VERSION:
        bad(0, f"version: this is msgsvc-tui's file version {VERSION}, not {document['version']}")
    unknown_top = set(document) - {"version", "services", "account"}
    for key in sorted(unknown_top):
        hint = did_you_mean(key, ("version", "services", "account"))
        bad(0, f"{key}: unknown top-level key (expected version and services){hint}")
    services = document.get("services", {})
    if not isinstance(services, dict):
        raise FileError([f"{path}: services: expected a table of services keyed by name"])
    out: list[Desired] = []
    lines = _Lines(text)  # a problem's line is looked up only when there is a problem
    for name, entry in services.items():
        try:
            fields.get("friendly_name").clean(name)
        except fields.FieldError as exc:
            bad(lines.of(name), f'services."{name}": friendly_name: {exc.message}')
            continue
        if not isinstance(entry, dict):
            bad(lines.of(name), f'services."{name}": expected a table of fields')
            continue
        values: Json = {"friendly_name": name}
        for key, value in entry.items():
            if key.startswith("_") or key == "senders":
                continue
            f = fields.BY_NAME.get(key)
            if f is None or not f.writable or key == "friendly_name":
                hint = "" if key == "friendly_name" else fields.unknown_field_hint(key)
                what = f'services."{name}".{key}: not a writable field of a service{hint}'
                bad(lines.of(name, key), what)
                continue
            try:
                values[key] = f.clean(None if value == "" and f.kind is fields.Kind.URL else value)
            except fields.FieldError as exc:
                bad(lines.of(name, key), f'services."{name}".{key}: {exc.message}')
        pool = entry.get("senders")
        if pool is not None:
            problem = _senders_problem(pool)
            if problem:
                bad(lines.of(name, "senders"), f'services."{name}".senders: {problem}')
                pool = None
        out.append(Desired(name, values, pool))
    owners: dict[tuple[str, str], list[str]] = {}
    for d in out:
        for key in ("phone_numbers", "short_codes"):
            for value in (d.senders or {}).get(key, []):
                owners.setdefault((key, value), []).append(d.name)
    for (key, value), held in sorted(owners.items()):
        if len(held) > 1:  # a sender serves one service at a time
            listed = ", ".join(f'"{n}"' for n in held)
            bad(lines.of(held[1], "senders"), f"{key}: {value} is listed for {listed}")
    if problems:
        raise FileError(problems)
    return out


def _senders_problem(pool: Any) -> str | None:
    if not isinstance(pool, dict):
        return "expected a table (phone_numbers, short_codes, alpha_sender)"
    for key in pool:
        if key not in SENDER_KEYS:
            hint = did_you_mean(key, SENDER_KEYS)
            return f"{key}: unknown (expected {', '.join(SENDER_KEYS)}){hint}"
    for key in ("phone_numbers", "short_codes"):
        value = pool.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return f"{key}: expected a list of strings"
    alpha = pool.get("alpha_sender")
    if alpha not in (None, "") and (
        not isinstance(alpha, str) or senders.alpha_sender_problem(alpha)
    ):
        return f"alpha_sender: {senders.alpha_sender_problem(str(alpha))}"
    return None


# ---- the plan -----------------------------------------------------------------------------
class AmbiguousNameError(MsgsvcError):
    """A name in the file (or an export) matches several services. Twilio does not keep names
    unique, and a file keyed by name must not guess which one it means."""

    EXIT = ExitCode.USAGE


def refuse_ambiguous(names: Iterable[str], services: Iterable[Json]) -> None:
    """Raise AmbiguousNameError, listing each duplicate's SIDs and creation dates, when one of
    `names` is held by more than one service."""
    wanted = set(names)
    by_name: dict[str, list[Json]] = {}
    for s in services:
        name = str(s.get("friendly_name"))
        if name in wanted:
            by_name.setdefault(name, []).append(s)
    clashes = {n: found for n, found in sorted(by_name.items()) if len(found) > 1}
    if not clashes:
        return
    lines = [
        f'"{name}" names {len(found)} services: '
        + ", ".join(f"{s['sid']} (created {s.get('date_created') or '?'})" for s in found)
        for name, found in clashes.items()
    ]
    raise AmbiguousNameError(
        "services are keyed by name, and these names are not unique in the account:\n  "
        + "\n  ".join(lines)
        + "\nRename or delete the extra ones first (services update MG… --set "
        "friendly_name=…, or services delete MG…)."
    )


@dataclass
class Change:
    kind: str  # "create", "update", "delete", "add sender", "remove sender", "move sender", "skip"
    name: str
    sid: str | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # name → (old, new)
    values: Json = field(default_factory=dict)  # for a create
    sender: Json | None = None  # {"kind", "sid", "label", "holder", "holder_name"}
    note: str = ""
    seen: Json | None = None  # the service as the plan saw it (an update is checked against it)

    def lines(self) -> list[str]:
        """The change as terraform shows one: a head line (`+`/`~`/`-`/`!` and what), then for
        a create or an update one field per line, the `=` signs aligned. The first line
        alone names the change (apply's outcome lines use it)."""
        if self.kind == "create":
            shown = {k: _shown(k, v) for k, v in self.values.items() if k != "friendly_name"}
            width = max(map(len, shown), default=0)
            return [f'+ create "{self.name}"'] + [
                f"    + {k:<{width}} = {v}" for k, v in shown.items()
            ]
        if self.kind == "update":
            head = f'~ update "{self.name}" ({self.sid})'
            width = max(map(len, self.fields), default=0)
            return [head] + [
                f"    ~ {k:<{width}} = {_shown(k, old)} → {_shown(k, new)}"
                for k, (old, new) in self.fields.items()
            ]
        if self.kind == "delete":
            return [f'- delete "{self.name}" ({self.sid})']
        label = (self.sender or {}).get("label")
        if self.kind == "add sender":
            return [f'+ add {label} to "{self.name}"' + (f" ({self.note})" if self.note else "")]
        if self.kind == "move sender":
            source = (self.sender or {}).get("holder_name") or (self.sender or {}).get("holder")
            return [f'~ move {label} from "{source}" to "{self.name}"']
        if self.kind == "remove sender":
            return [f'- remove {label} from "{self.name}"']
        return [f'! skip "{self.name}": {self.note}']


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    f = fields.BY_NAME.get(name)
    return f.display(value) if f else str(value)


def _same(a: Any, b: Any) -> bool:
    return (None if a == "" else a) == (None if b == "" else b)


SENDER_CHANGES = ("add sender", "remove sender", "move sender")


@dataclass
class Plan:
    changes: list[Change]
    unchanged: int

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.kind != "skip"]

    def render(self) -> str:
        """The plan to read: each change, a blank line after any that spans several lines,
        then the counts."""
        out: list[str] = []
        for c in self.changes:
            lines = c.lines()
            if len(lines) > 1 and out and out[-1] != "":
                out.append("")
            out.extend(lines)
            if len(lines) > 1:
                out.append("")
        counts = {k: sum(1 for c in self.changes if c.kind == k) for k in ("create", "update")}
        deletes = sum(1 for c in self.changes if c.kind == "delete")
        senders_n = sum(1 for c in self.changes if c.kind in SENDER_CHANGES)
        skipped = len(self.changes) - len(self.pending)
        skips = f"; {skipped} skipped (see ! above): the account cannot match" if skipped else ""
        out.append(
            f"Plan: {counts['create']} to create, {counts['update']} to update, "
            f"{deletes} to delete, {senders_n} sender changes; {self.unchanged} unchanged{skips}."
            if self.pending
            else (
                f"No changes to make{skips}."
                if skipped
                else f"No changes: the account matches ({self.unchanged} services)."
            )
        )
        return "\n".join(out)

    @property
    def matches(self) -> bool:
        """Whether the account already is as the file says (nothing to do, nothing skipped)."""
        return not self.changes


async def live_state(
    client: MessagingClient, *, with_senders: bool
) -> tuple[list[Json], dict[str, Json], list[Json]]:
    """(services, pools by service SID, the account's numbers and short codes)."""
    services = await client.list_services()
    pools: dict[str, Json] = {}
    inventory: list[Json] = []
    if with_senders:
        limit = asyncio.Semaphore(8)

        async def pool_of(sid: str) -> None:
            async with limit:
                pools[sid] = await _pool(client, sid)

        await asyncio.gather(*(pool_of(s["sid"]) for s in services))
        numbers = await client.list_account_phone_numbers()
        codes = await client.list_account_short_codes()
        inventory = [
            {"kind": "phone_numbers", "sid": n["sid"], "value": n.get("phone_number")}
            for n in numbers
        ] + [{"kind": "short_codes", "sid": c["sid"], "value": c.get("short_code")} for c in codes]
    return services, pools, inventory


async def _pool(client: MessagingClient, sid: str) -> Json:
    numbers = await client.list_senders(sid, senders.PHONE_NUMBERS)
    codes = await client.list_senders(sid, senders.SHORT_CODES)
    alphas = await client.list_senders(sid, senders.ALPHA_SENDERS)
    pool: Json = {
        "phone_numbers": sorted(str(n.get("phone_number")) for n in numbers),
        "short_codes": sorted(str(c.get("short_code")) for c in codes),
    }
    if alphas:
        pool["alpha_sender"] = alphas[0].get("alpha_sender")
    pool["_sids"] = {
        **{str(n.get("phone_number")): n["sid"] for n in numbers},
        **{str(c.get("short_code")): c["sid"] for c in codes},
        **({"alpha": alphas[0]["sid"]} if alphas else {}),
    }
    return pool


def plan(
    desired: list[Desired],
    services: list[Json],
    pools: Mapping[str, Json],
    inventory: list[Json],
    *,
    prune: bool = False,
    move_senders: bool = False,
) -> Plan:
    """What applying `desired` would change. Raises AmbiguousNameError when a name in the file
    matches several services (a file keyed by name must not guess)."""
    refuse_ambiguous([d.name for d in desired], services)
    by_name: dict[str, list[Json]] = {}
    for s in services:
        by_name.setdefault(str(s.get("friendly_name")), []).append(s)
    names = {s["sid"]: str(s.get("friendly_name")) for s in services}
    holders = {
        sid: service_sid
        for service_sid, pool in pools.items()
        for sid in (pool.get("_sids") or {}).values()
    }
    wanted = {d.name for d in desired}
    released = _released(desired, by_name, pools, prune=prune, wanted=wanted)
    changes: list[Change] = []
    unchanged = 0
    for d in desired:
        live = by_name.get(d.name, [])
        differ: dict[str, tuple[Any, Any]] = {}
        if not live:
            changes.append(Change("create", d.name, values=d.values))
            current_pool: Json = {}
            sid = None
        else:
            current = live[0]
            sid = current["sid"]
            differ = {
                k: (current.get(k), v)
                for k, v in d.values.items()
                if k != "friendly_name" and not _same(current.get(k), v)
            }
            if differ:
                changes.append(Change("update", d.name, sid=sid, fields=differ, seen=current))
            current_pool = dict(pools.get(sid, {}))
        before = len(changes)
        changes.extend(
            _sender_changes(
                d,
                sid,
                current_pool,
                inventory,
                holders,
                names,
                released,
                move_senders=move_senders,
            )
        )
        if live and not differ and len(changes) == before:
            unchanged += 1
    if prune:
        for name, live in sorted(by_name.items()):
            if name not in wanted:
                changes.extend(Change("delete", name, sid=s["sid"], seen=s) for s in live)
    else:
        unchanged += sum(len(v) for k, v in by_name.items() if k not in wanted)
    return Plan(changes, unchanged)


def _released(
    desired: list[Desired],
    by_name: Mapping[str, list[Json]],
    pools: Mapping[str, Json],
    *,
    prune: bool,
    wanted: set[str],
) -> set[str]:
    """Sender SIDs this plan frees before it adds (a removal from a service whose file entry
    drops it, or a pruned service): adding one elsewhere is a plain add, done after."""
    out: set[str] = set()
    for d in desired:
        live = by_name.get(d.name, [])
        if len(live) != 1 or d.senders is None:
            continue
        pool = pools.get(live[0]["sid"], {})
        sids = pool.get("_sids") or {}
        for key in ("phone_numbers", "short_codes"):
            for value in set(pool.get(key, [])) - set(d.senders.get(key, [])):
                if value in sids:
                    out.add(sids[value])
    if prune:
        for name, live in by_name.items():
            if name not in wanted:
                for s in live:
                    out.update((pools.get(s["sid"], {}).get("_sids") or {}).values())
    return out


def _sender_changes(
    d: Desired,
    sid: str | None,
    current: Json,
    inventory: list[Json],
    holders: Mapping[str, str],
    names: Mapping[str, str],
    released: set[str],
    *,
    move_senders: bool,
) -> list[Change]:
    if d.senders is None:
        return []
    out: list[Change] = []
    by_value = {(i["kind"], i["value"]): i for i in inventory}
    for key, kind in (("phone_numbers", "phone_numbers"), ("short_codes", "short_codes")):
        want = set(d.senders.get(key, []))
        have = set(current.get(key, []))
        for value in sorted(want - have):
            item = by_value.get((kind, value))
            if item is None:
                out.append(Change("skip", d.name, note=f"{value} is not a sender of this account"))
                continue
            holder = holders.get(item["sid"])
            sender = {
                "kind": kind,
                "sid": item["sid"],
                "label": value,
                "holder": holder,
                "holder_name": names.get(holder or "", holder),
            }
            if holder and holder != sid and item["sid"] in released:
                note = f"after its removal from {names.get(holder, holder)}"
                out.append(Change("add sender", d.name, sid=sid, sender=sender, note=note))
            elif holder and holder != sid and move_senders:
                out.append(Change("move sender", d.name, sid=sid, sender=sender))
            elif holder and holder != sid:
                note = f"{value} belongs to another service ({holder}); --move-senders moves it"
                out.append(Change("skip", d.name, note=note))
            else:
                out.append(Change("add sender", d.name, sid=sid, sender=sender))
        for value in sorted(have - want):
            sender_sid = (current.get("_sids") or {}).get(value)
            sender = {"kind": kind, "sid": sender_sid, "label": value}
            out.append(Change("remove sender", d.name, sid=sid, sender=sender))
    want_alpha = d.senders.get("alpha_sender") or None
    have_alpha = current.get("alpha_sender") or None
    if want_alpha != have_alpha:
        if have_alpha:
            sender = {"kind": "alpha_senders", "sid": (current.get("_sids") or {}).get("alpha"),
                      "label": have_alpha}  # fmt: skip
            out.append(Change("remove sender", d.name, sid=sid, sender=sender))
        if want_alpha:
            sender = {"kind": "alpha_senders", "sid": None, "label": want_alpha}
            out.append(Change("add sender", d.name, sid=sid, sender=sender))
    return out


# ---- apply --------------------------------------------------------------------------------
async def apply(writes: Writes, the_plan: Plan, *, concurrency: int = 8) -> list[Outcome]:
    """Carry out the plan through the write path, as one batch in the journal (undone as one),
    in an order where each step finds what it needs: creates and updates (`concurrency` at a
    time; an update first compared with what the plan saw, a create preceded by a check that
    nobody created that name since), then deletes, then sender removals, then moves and adds
    (whose targets may be services just created, and whose numbers the removals freed)."""
    from msgsvc_tui.ops.writes import Outcome, Status

    path = writes.batched()
    created: dict[str, str] = {}
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(c: Change) -> Outcome:
        async with limit:
            subject = c.lines()[0].lstrip("+-~! ")
            if c.kind == "create":
                outcome = await _create(path, c)
                if outcome.ok and outcome.result is not None:
                    created[c.name] = outcome.result["sid"]
            elif c.kind == "update":
                assert c.sid is not None
                new = {k: v for k, (_, v) in c.fields.items()}
                outcome = await path.update_service(c.sid, new, loaded=c.seen)
            elif c.kind == "delete":
                assert c.sid is not None
                outcome = await path.delete_service(c.sid)
            else:
                sid = c.sid or created.get(c.name)
                if sid is None:
                    return Outcome(
                        c.kind,
                        subject,
                        Status.REFUSED,
                        f'not sent: "{c.name}" was not created',
                        ExitCode.API,
                    )
                outcome = await _sender(path, c, sid)
            outcome.subject = subject
            return outcome

    first = [c for c in the_plan.pending if c.kind in ("create", "update")]
    deletes = [c for c in the_plan.pending if c.kind == "delete"]
    removals = [c for c in the_plan.pending if c.kind == "remove sender"]
    adds = [c for c in the_plan.pending if c.kind in ("add sender", "move sender")]
    outcomes = list(await asyncio.gather(*(one(c) for c in first)))
    outcomes += list(await asyncio.gather(*(one(c) for c in deletes)))
    for c in [*removals, *adds]:  # one at a time: a move removes before it adds
        outcomes.append(await one(c))
    return outcomes


async def _create(path: Writes, c: Change) -> Outcome:
    """A create, after checking that nobody created a service of that name since the plan
    (another apply running at once): Twilio would make a second one."""
    from msgsvc_tui.ops.writes import Outcome, Status

    subject = c.lines()[0].lstrip("+ ")
    try:
        live = [s for s in await path.client.list_services() if s.get("friendly_name") == c.name]
    except MsgsvcError as exc:
        return Outcome(c.kind, subject, Status.REFUSED, f"not sent: {exc}", exc.exit_code())
    if live:
        held = ", ".join(f"{s['sid']} (created {s.get('date_created') or '?'})" for s in live)
        return Outcome(
            c.kind,
            subject,
            Status.REFUSED,
            f"not created: a service of that name exists now ({held}), made since the plan: "
            "plan again",
            ExitCode.API,
        )
    return await path.create_service(c.values)


async def _sender(path: Writes, c: Change, sid: str) -> Outcome:
    sender = c.sender or {}
    kind = senders.BY_KEY[sender["kind"]]
    service = {"sid": sid, "friendly_name": c.name, "account_sid": path.account_sid}
    label = str(sender["label"])
    if c.kind == "remove sender":
        member = {"sid": sender["sid"], kind.value_field: label}
        return await path.remove_sender(service, kind, member)
    if c.kind == "move sender":
        holder = str(sender["holder"])
        source = {"sid": holder, "friendly_name": sender.get("holder_name") or holder}
        return await path.move_sender(kind, str(sender["sid"]), source=source, to=service,
                                      label=label)  # fmt: skip
    value = label if kind.by_value else str(sender["sid"])
    return await path.add_sender(service, kind, value, label=label)


def public_pools(pools: Mapping[str, Json]) -> dict[str, Json]:
    """Pools as a file shows them (without the SIDs kept for planning)."""
    return {sid: {k: v for k, v in p.items() if k != "_sids"} for sid, p in pools.items()}
