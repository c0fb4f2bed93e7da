"""How a CLI command writes: through the one write path (ops/writes.py) with the data folder's
journal, and how it says what happened (one line on stderr, the outcome's exit code)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from msgsvc_tui.cli.output import err

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.ops.writes import Outcome, Writes


def writes_for(client: MessagingClient, args: argparse.Namespace) -> Writes:
    """The one write path, with the data folder's journal (--unjournalled: write even when
    the journal cannot record it, and say so)."""
    from msgsvc_tui.ops.writes import Writes

    return Writes.open(client, unjournalled=bool(getattr(args, "unjournalled", False)))


def said(outcome: Outcome) -> int:
    """A write's outcome on stderr (✓/✗/? what: old → new), and its exit code."""
    err(outcome.line())
    return int(outcome.exit_code)
