"""Typed messages: how a screen or widget asks for what is beyond it ("messages up").

Each is handled in one place (named below), so a screen never needs the App class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.message import Message

from msgsvc_tui.core.config import Profile


@dataclass
class WorkerFailed(Message):
    """A worker of any screen or widget failed unexpectedly: the App reports it (one handler
    for every worker, since Textual's Worker.StateChanged does not bubble)."""

    error: BaseException


@dataclass
class SwitchProfile(Message):
    """Connect with this profile (the App tries it first and keeps the working one)."""

    name: str


@dataclass
class ProfileSaved(Message):
    """A profile was added or changed in the config: the App connects when asked to."""

    profile: Profile
    connect: bool = False


class OpenDemo(Message):
    """Open the embedded demo sandbox."""


class AddProfile(Message):
    """Ask for a new profile (the welcome screen's `a`)."""


# ---- between the main screen's panes (the screen routes them) --------------------------------
@dataclass
class ServiceWritten(Message):
    """The list changed a service on the server (a flip, a bulk flip): the form follows."""

    service: dict[str, object]


@dataclass
class ServiceRemoved(Message):
    """The list deleted a service: the form moves on to what the cursor rests on."""

    sid: str


@dataclass
class ServiceSaved(Message):
    """The form saved (or reloaded) a service: the list takes the server's version, then
    `then` runs (what the user asked for after saving: moving on, quitting)."""

    service: dict[str, object]
    then: Callable[[], object] | None = None


class ListLoaded(Message):
    """A load of the list finished: the form shows the service under the cursor."""


@dataclass
class CampaignSeen(Message):
    """The A2P tab loaded a service's campaign (None: it has none): the list's US mark
    follows."""

    sid: str
    status: str | None


@dataclass
class HealthSeen(Message):
    """The doctor checked a service (the Health tab, or the list's check): the list's health
    mark follows. `state` is "error", "warning", "ok" or "failed"."""

    sid: str
    state: str
