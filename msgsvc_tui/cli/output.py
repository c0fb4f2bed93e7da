"""What every CLI command writes for people: messages on stderr, TSV cells, questions on the
terminal. Server text is untrusted, so each goes through the sanitizer."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.core.sanitize import safe


def err(message: str) -> None:
    """A message on stderr: it often quotes server text, so it is sanitized."""
    print(f"msgsvc-tui: {safe(message, newlines=True)}", file=sys.stderr)


def cell(value: Any) -> str:
    """A TSV cell: tab, newline, CR and every other control character shown, not emitted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe(value)


def confirm(verb: str, question: str, *, flag: str = "--yes") -> bool | None:
    """Ask on the terminal; None when there is none (said on stderr: use `flag`). The question
    quotes server text (names), so it goes through the sanitizer like every other line."""
    if not sys.stdin.isatty():
        err(f"refusing to {verb} without {flag}: there is no terminal to ask on")
        return None
    return input(f"{safe(question)} [y/N] ").strip().lower() in ("y", "yes")


def declined(
    yes: bool, verb: str, question: str, *, no: str = "", flag: str = "--yes"
) -> int | None:
    """None to go ahead (`flag`, or the user said yes); else the exit code to stop with:
    USAGE with no terminal to ask on, OK when the user said no (`no` said on stderr)."""
    if yes:
        return None
    answer = confirm(verb, question, flag=flag)
    if answer is None:
        return ExitCode.USAGE
    if not answer:
        if no:
            err(no)
        return ExitCode.OK
    return None


def field_lines(pairs: Iterable[tuple[object, object]], *, empty: str = "—") -> str:
    """`key  value` lines, keys aligned, for one resource shown to people. Keys are server
    text as much as values (a resource's keys are whatever the server sent), so both go
    through the sanitizer; a nested value is shown as JSON (escaped)."""
    rows = [
        (
            safe(key),
            safe(
                empty
                if value is None
                else json.dumps(value)
                if isinstance(value, dict | list)
                else str(value)
            ),
        )
        for key, value in pairs
    ]
    width = max((len(k) for k, _ in rows), default=0)
    return "".join(f"{k:<{width}}  {v}\n" for k, v in rows)
