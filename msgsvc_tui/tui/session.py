"""The session: what screens and widgets need from the app, handed to them when they are built.

Attributes down, messages up: a screen or pane gets a `Session` through its constructor and
never reaches for the App class or into another screen. What it wants done beyond itself
(switch profile, open the sandbox) it asks for with a message (`tui/messages.py`).

A new connection makes a new Session (and a new main screen): nothing leaks between accounts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from msgsvc_tui.core.config import Config, Connection
from msgsvc_tui.ops.pool import PoolIndex

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.ops.journal import Journal
    from msgsvc_tui.ops.writes import Writes

Json = dict[str, Any]


def _no_service(_: str) -> Json | None:
    return None


@dataclass
class Session:
    client: MessagingClient
    config: Config
    connection: Connection
    readonly: bool = False
    sandbox: bool = False
    journal: Journal | None = None
    journal_problem: str | None = None  # why the journal cannot be used (writes are refused)
    pool_index: PoolIndex = field(default_factory=PoolIndex)  # numbers and short codes
    channel_index: PoolIndex = field(default_factory=PoolIndex)  # channel senders
    # The services the main screen has listed, by SID (set by it): for names in messages.
    service: Callable[[str], Json | None] = _no_service
    service_sids: Callable[[], list[str]] = list
    # account-wide lookups the tabs share for the session (the brands list), by name
    cache: dict[str, Any] = field(default_factory=dict)

    def refuses_writes(self, notify: Callable[..., object]) -> bool:
        """For every write key: in --readonly, say why nothing happens (True: refused)."""
        if self.readonly:
            notify(
                "Read-only mode (--readonly): nothing is written. Restart without it to edit.",
                severity="warning",
                title="Read-only",
                timeout=4,
            )
        return self.readonly

    @property
    def writes(self) -> Writes:
        """The one write path for this session's target: every pane writes through it (it
        journals each write before sending it, and refuses when the journal cannot)."""
        from msgsvc_tui.ops.writes import Writes

        return Writes(self.client, self.journal, journal_problem=self.journal_problem)
