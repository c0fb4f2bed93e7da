"""The service names shell completion offers: written when a command has listed the services
anyway, read by completion only while fresh.

Completion runs on every tab press and must answer at once: it never asks the server. So the
names it offers are the ones a recent command saw, kept for `MAX_AGE` seconds (names change:
an old list would offer services that no longer exist). Names are server text: completion
passes them through the sanitizer, and keeps out any that would not survive as one word.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

MAX_AGE = 600.0  # seconds
MAX_NAMES = 5000  # completion of more is of no use, and the file stays small
FILE_NAME = "completion-names.json"


def cache_path(env: Mapping[str, str] | None = None) -> Path:
    from msgsvc_tui.core.config import data_dir

    return data_dir(env) / FILE_NAME


def save(account_sid: str, services: Iterable[Mapping[str, Any]]) -> None:
    """Keep the names; best effort (a read-only disk costs completion, not the command)."""
    from msgsvc_tui.core import files

    names = []
    for s in services:
        name = s.get("friendly_name")
        if isinstance(name, str) and name:
            names.append(name)
        if len(names) >= MAX_NAMES:
            break
    document = {"account_sid": account_sid, "saved": time.time(), "names": names}
    try:
        files.atomic_write(cache_path(), json.dumps(document), new_mode=0o600, create_folder=True)
    except (OSError, files.FileRefusedError):
        return


def load(*, now: float | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """The names if fresh, else []; anything unreadable or malformed is also []."""
    path = cache_path(env if env is not None else os.environ)
    try:
        document = json.loads(path.read_bytes()[: 4 * 1024 * 1024])
    except (OSError, ValueError):
        return []
    if not isinstance(document, dict):
        return []
    saved = document.get("saved")
    names = document.get("names")
    current = time.time() if now is None else now
    if not isinstance(saved, (int, float)) or not isinstance(names, list):
        return []
    if not 0 <= current - saved <= MAX_AGE:
        return []
    return [n for n in names[:MAX_NAMES] if isinstance(n, str)]
