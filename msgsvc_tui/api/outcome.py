"""What a lost write's reconciliation concludes, the SID check every URL path gets, and the
check of a sender before it is added.

Apart from client.py so that modules built on the client's write path (compliance.py) need
not import httpx to be imported: the TUI's first frame does not wait for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from msgsvc_tui.core import countries, fields, senders

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


def checked_sender(kind: senders.SenderKind, value: str, country: str | None = None) -> str:
    """`value` as a `kind` of sender is added (the alpha text itself, or a SID), checked
    with `country` (a destination alpha sender's; None: the service's default one) before
    anything is sent: what Twilio would refuse raises fields.ValidationError."""
    if not kind.by_value:
        return checked_sid(value, kind.prefix)
    problem = senders.alpha_sender_problem(value)
    if problem is None and country is not None:
        problem = countries.country_problem(country)
    if problem:
        raise fields.ValidationError(
            [fields.FieldError(kind.value_field, kind.param, fields.INVALID_PARAMETER, problem)]
        )
    return value
