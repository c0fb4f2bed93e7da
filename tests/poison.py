"""A poisoned store: every string the emulator holds, in every table and every JSON body, and
a key beside every key, replaced by hostile text; SIDs and the account (what requests are
routed by) are kept, so every screen can still be reached.

What makes it hostile: OSC 52 (writes the clipboard), OSC 0 (the window title), a screen
clear, CSI as one C1 byte, BEL, a right-to-left override, and markup that crashes a parser
(`[/]`, an unclosed `[bold`). Anything that shows one of these strings raw acts on the
terminal; anything that parses it as markup crashes.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from msgsvc_tui.emulator.app import EmulatorApp

CORPUS = (
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1b]0;PWNED\x07",
    "\x1b[2J\x1b[?1049h",
    "\x9b31m\x07\x00\x7f",
    "\u202eevil\u2066",
    "[/] [bold x [link=x]",
)
HOSTILE = "".join(CORPUS)
_KEPT_COLUMNS = {"seq", "kind", "account_sid"}
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029}


def acts_on_a_terminal(text: str) -> list[str]:
    """The characters of `text` that would act on a terminal (none may be painted)."""
    return [c for c in text if unicodedata.category(c) == "Cc" or ord(c) in _BIDI]


def _kept(name: str) -> bool:
    return name == "sid" or name.endswith("_sid") or name in _KEPT_COLUMNS


def _kept_column(name: str) -> bool:
    """Also the emulator's own time stamps: it splices those columns into its JSON as they
    are, for speed (they are its own ISO strings), so they stay valid stamps."""
    return _kept(name) or name.startswith("date_")


def _hostile(n: int) -> str:
    return f"{CORPUS[n % len(CORPUS)]}{HOSTILE} {n}"


def poisoned(value: Any, counter: list[int]) -> Any:
    """`value` with every string replaced and a hostile key added to every object."""
    counter[0] += 1
    if isinstance(value, dict):
        out = {k: v if _kept(k) else poisoned(v, counter) for k, v in value.items()}
        out[_hostile(counter[0])] = _hostile(counter[0] + 1)
        return out
    if isinstance(value, list):
        return [poisoned(v, counter) for v in value]
    if isinstance(value, str):
        return _hostile(counter[0])
    return value


def poison(emulator: EmulatorApp) -> None:
    """Every table of the emulator's store, every row, every text column."""
    db = emulator.store.db
    counter = [0]
    tables = [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if r[0] not in ("meta", "sqlite_sequence")
    ]
    with emulator.store.tx():
        for table in tables:
            columns = [c[1] for c in db.execute(f"PRAGMA table_info({table})")]
            for row in db.execute(f"SELECT rowid, * FROM {table}").fetchall():
                changes: dict[str, Any] = {}
                for column in columns:
                    value = row[column]
                    if _kept_column(column) or not isinstance(value, str):
                        continue
                    try:
                        parsed = json.loads(value)
                    except ValueError:
                        parsed = None
                    if isinstance(parsed, dict | list):
                        changes[column] = json.dumps(poisoned(parsed, counter))
                    else:
                        counter[0] += 1
                        changes[column] = _hostile(counter[0])
                if changes:
                    sets = ", ".join(f"{c} = ?" for c in changes)
                    db.execute(
                        f"UPDATE {table} SET {sets} WHERE rowid = ?", (*changes.values(), row[0])
                    )


def _with_hostile_keys(value: Any, counter: list[int]) -> Any:
    counter[0] += 1
    if isinstance(value, dict):
        out = {k: _with_hostile_keys(v, counter) for k, v in value.items()}
        out[_hostile(counter[0])] = _hostile(counter[0] + 1)
        return out
    if isinstance(value, list):
        return [_with_hostile_keys(v, counter) for v in value]
    return value


def poison_answers(emulator: EmulatorApp) -> None:
    """Every JSON object the emulator answers with gets a hostile key beside its own, whatever
    store it comes from (most keep columns, whose names are the emulator's own)."""
    original = emulator.handle
    counter = [0]

    def handle(scope: Any, body: bytes) -> Any:
        response = original(scope, body)
        if response.raw is not None:
            response.body = json.loads(b"".join(response.pieces()))
            response.raw = response.rest = None
        if isinstance(response.body, dict | list):
            response.body = _with_hostile_keys(response.body, counter)
        return response

    emulator.handle = handle  # type: ignore[method-assign]
