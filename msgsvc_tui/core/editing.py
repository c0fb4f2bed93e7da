"""Rules of the detail form, kept out of the widgets so they are tested without a screen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from msgsvc_tui.core import fields

Json = dict[str, Any]


class Incoming(StrEnum):
    """How the Console presents incoming messages: one choice instead of three fields."""

    DEFER = "defer"  # use the sender's own webhook
    WEBHOOK = "webhook"  # send to this service's URL
    DROP = "drop"  # no URL: drop incoming messages

    @property
    def label(self) -> str:
        return {
            Incoming.DEFER: "Defer to the sender's webhook",
            Incoming.WEBHOOK: "Send to a webhook URL",
            Incoming.DROP: "Drop incoming messages",
        }[self]


def incoming_mode(service: Mapping[str, Any]) -> Incoming:
    if service.get("use_inbound_webhook_on_number"):
        return Incoming.DEFER
    if service.get("inbound_request_url"):
        return Incoming.WEBHOOK
    return Incoming.DROP


def apply_incoming(mode: Incoming, values: dict[str, Any]) -> dict[str, Any]:
    """Fold the radio choice into the catalogue's fields.

    Drop clears the URL (Twilio: "when inbound_request_url is null, receiving is disabled");
    defer keeps it, so switching back to the webhook restores what was there.
    """
    out = dict(values)
    out["use_inbound_webhook_on_number"] = mode is Incoming.DEFER
    if mode is Incoming.DROP:
        out["inbound_request_url"] = None
    return out


def incoming_problem(mode: Incoming, raw_url: str) -> str | None:
    if mode is Incoming.WEBHOOK and not raw_url.strip():
        return "Incoming webhook URL is required to send to a webhook"
    return None


def changes(original: Mapping[str, Any], edited: Mapping[str, Any]) -> dict[str, Any]:
    """Only what differs: an update sends these fields and nothing else."""
    out: dict[str, Any] = {}
    for name, value in edited.items():
        f = fields.BY_NAME.get(name)
        if f is None or not f.writable:
            continue
        if _norm(original.get(name)) != _norm(value):
            out[name] = value
    return out


def _norm(value: Any) -> Any:
    return None if value == "" else value


@dataclass
class Difference:
    field: fields.Field
    mine: Any  # the value the form loaded (or, in a conflict, the value the user typed)
    theirs: Any  # the server's value now
    loaded: Any = None  # in a conflict: what both started from


def server_changes(loaded: Mapping[str, Any], current: Mapping[str, Any]) -> list[Difference]:
    """What changed on the server since the form loaded `loaded`."""
    return [
        Difference(f, loaded.get(f.name), current.get(f.name), loaded.get(f.name))
        for f in fields.WRITABLE
        if _norm(loaded.get(f.name)) != _norm(current.get(f.name))
    ]


def conflicts(
    loaded: Mapping[str, Any], current: Mapping[str, Any], mine: Mapping[str, Any]
) -> list[Difference]:
    """Fields the user changed that someone else also changed, to other values, since load.

    Compared field by field, never by `date_updated`: Twilio stamps it to the second (two
    edits in one second leave it alone) and may leave it null on a new resource. A field the
    user did not touch takes the server's value silently (an update sends only what the user
    changed); a field both set to the same value is no conflict.
    """
    return [
        Difference(d.field, mine[d.field.name], d.theirs, d.loaded)
        for d in server_changes(loaded, current)
        if d.field.name in mine and _norm(mine[d.field.name]) != _norm(d.theirs)
    ]
