"""The service names shell completion offers: written when a command has listed the services
anyway (`services list`, a name resolved, `numbers list`), read by completion while fresh.

Completion runs on every tab press and must answer at once: it never asks the server. So the
names it offers are the ones a recent command saw, kept `MAX_AGE` seconds (names change: an
old list would offer services that no longer exist). One file per account; completion reads
the newest. A command rewrites its account's file only when it is older than `REFRESH`, so a
script that lists in a loop pays one stat() per run, not a write. Names are server text:
completion offers only those the sanitizer leaves unchanged.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

MAX_AGE = 600.0  # seconds a list is offered
REFRESH = 120.0  # seconds before a command writes its account's list again
MAX_NAMES = 5000  # completing among more is of no use, and the file stays small
FOLDER = "completion"
_ACCOUNT = re.compile(r"^AC[0-9a-fA-F]{32}\Z")


def folder(env: Mapping[str, str] | None = None) -> Path:
    from msgsvc_tui.core.paths import data_dir

    return data_dir(env) / FOLDER


def cache_path(account_sid: str, env: Mapping[str, str] | None = None) -> Path:
    account = account_sid if _ACCOUNT.match(account_sid) else "other"
    return folder(env) / f"names-{account}.json"


def save(account_sid: str, names: Iterable[object], *, now: float | None = None) -> None:
    """Keep the names unless this account's were kept less than REFRESH ago; best effort (a
    disk that refuses costs completion, never the command)."""
    path = cache_path(account_sid)
    current = time.time() if now is None else now
    try:
        if 0 <= current - path.stat().st_mtime < REFRESH:
            return
    except OSError:
        pass  # none yet
    from msgsvc_tui.core import files

    kept: list[str] = []
    for name in names:
        if isinstance(name, str) and name:
            kept.append(name)
        if len(kept) >= MAX_NAMES:
            break
    document = {"account_sid": account_sid, "saved": current, "names": kept}
    try:
        files.atomic_write(path, json.dumps(document), new_mode=0o600, create_folder=True)
    except (OSError, files.FileRefusedError):
        return


def load(*, now: float | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """The newest account's names if fresh, else []; anything unreadable is also []."""
    current = time.time() if now is None else now
    try:
        entries = [
            (e.stat().st_mtime, e.path)
            for e in os.scandir(folder(env))
            if e.name.startswith("names-") and e.name.endswith(".json")
        ]
    except OSError:
        return []
    for _mtime, path in sorted(entries, reverse=True)[:1]:
        try:
            document = json.loads(Path(path).read_bytes()[: 4 * 1024 * 1024])
        except (OSError, ValueError):
            return []
        if not isinstance(document, dict):
            return []
        saved, names = document.get("saved"), document.get("names")
        if not isinstance(saved, (int, float)) or not isinstance(names, list):
            return []
        if not 0 <= current - saved <= MAX_AGE:
            return []
        return [n for n in names[:MAX_NAMES] if isinstance(n, str)]
    return []
