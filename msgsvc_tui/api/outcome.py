"""What a lost write's reconciliation concludes, and the SID check every URL path gets.

Apart from client.py so that modules built on the client's write path (compliance.py) need
not import httpx to be imported: the TUI's first frame does not wait for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgsvc_tui.core import fields

Json = dict[str, Any]


@dataclass
class Verdict:
    """What asking the server after a lost answer showed: applied (True), not (False), or
    still unknown (None, with candidates when there are some)."""

    applied: bool | None
    value: Json | None = None
    detail: str = ""
    candidates: list[str] | None = None


def checked_sid(value: str, prefix: str) -> str:
    """Refuse a malformed SID before it becomes part of a URL path: the spec's pattern
    (``^MG[0-9a-fA-F]{32}$`` and its kin), ASCII only. No stripping: whitespace, signs, ``0x``
    or fullwidth digits are refused, never sent."""
    problem = fields.sid_problem(value, prefix)
    if problem:
        raise fields.ValidationError(
            [fields.FieldError("sid", "Sid", fields.INVALID_PARAMETER, problem)]
        )
    return value
