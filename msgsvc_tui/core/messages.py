"""A message to send through a service, checked before anything is sent, and what a Message
resource's status means.

Kept in the core so that the CLI and the TUI's composer refuse the same bad input with the
same words, field by field, before a request could bill anyone. The rules are Twilio's
(CreateMessage in the 2010 API spec; each limit's source is cited where it is defined).
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from msgsvc_tui.core import fields, segments

# E.164: "+" and up to 15 digits, no leading zero (https://www.twilio.com/docs/glossary/what-e164);
# a channel address (whatsapp:+1…) is accepted as Twilio accepts it for service messages.
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}\Z")
_CHANNEL = re.compile(r"^(whatsapp|messenger|rcs):\S{1,100}\Z")
MAX_MEDIA = 10  # "up to 10 MediaUrl" (the spec's MediaUrl)
VALIDITY_MIN, VALIDITY_MAX = 1, 36_000  # the spec's ValidityPeriod; error 90007 outside
# A message's ValidityPeriod is the service field's parameter, name and range alike: the
# catalogue spells it once.
VALIDITY_PARAM = str(fields.get("validity_period").param)
# "SendAt time must be between 900 seconds and 35 days (3024000 seconds) in the future,
# inclusive" (https://www.twilio.com/docs/api/errors/35114)
SCHEDULE_MIN = timedelta(seconds=900)
SCHEDULE_MAX = timedelta(seconds=3_024_000)

# Statuses after which a message never changes again (Message resource's status values,
# https://www.twilio.com/docs/messaging/api/message-resource#message-status-values). `sent`
# is not final: a delivery receipt may still turn it delivered or undelivered.
FINAL = frozenset({"delivered", "undelivered", "failed", "received", "read", "canceled"})
FAILED = frozenset({"failed", "undelivered"})
STATUSES = (
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "delivered",
    "undelivered",
    "failed",
    "canceled",
    "receiving",
    "received",
    "read",
    "partially_delivered",
)


@dataclass(frozen=True)
class Outgoing:
    """What `services send` and the composer send: To and content, through one service."""

    service_sid: str
    to: str
    body: str = ""
    media_urls: tuple[str, ...] = ()
    validity_period: int | None = None
    send_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def form(self) -> dict[str, str | list[str]]:
        """The CreateMessage form: Twilio's parameter names, MediaUrl repeated."""
        data: dict[str, str | list[str]] = {"MessagingServiceSid": self.service_sid, "To": self.to}
        if self.body:
            data["Body"] = self.body
        if self.media_urls:
            data["MediaUrl"] = list(self.media_urls)
        if self.validity_period is not None:
            data[VALIDITY_PARAM] = str(self.validity_period)
        if self.send_at is not None:
            data["ScheduleType"] = "fixed"
            data["SendAt"] = self.send_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        data.update(self.extra)
        return data


@dataclass(frozen=True)
class Incoming:
    """A message a handset sends to one of the account's numbers. Only the emulator can make
    one up (its endpoint POST /emulator/v1/Inbound); on a real account, handsets do."""

    from_: str
    to: str
    body: str

    def form(self) -> dict[str, str | list[str]]:
        return {"From": self.from_, "To": self.to, "Body": self.body}


_SHORT_CODE = re.compile(r"^[0-9]{5,6}\Z")


def incoming_problems(
    incoming: Incoming, *, pool: Collection[str] | None = None
) -> list[fields.FieldError]:
    """Every field of a made-up inbound message that cannot be delivered, named; with `pool`
    (the service's numbers and short codes), a To outside it too."""
    out: list[fields.FieldError] = []
    if not incoming.from_:
        out.append(fields.FieldError("from", "From", 21604, "required: the handset's number"))
    elif not _E164.match(incoming.from_):
        out.append(
            fields.FieldError(
                "from", "From", 21211, "must be a phone number in E.164 form, e.g. +14155550100"
            )
        )
    if not incoming.to:
        out.append(fields.FieldError("to", "To", 21604, "required: one of the service's numbers"))
    elif not (_E164.match(incoming.to) or _SHORT_CODE.match(incoming.to)):
        out.append(
            fields.FieldError(
                "to", "To", 21211, "must be one of the service's numbers or short codes"
            )
        )
    elif pool is not None and incoming.to not in pool:
        out.append(
            fields.FieldError(
                "to", "To", 21606, "is not one of this service's numbers or short codes"
            )
        )
    units = segments.utf16_units(incoming.body)
    if not incoming.body.strip():
        out.append(fields.FieldError("body", "Body", 21619, "required: what the handset says"))
    elif units > segments.MAX_BODY_UNITS:
        out.append(
            fields.FieldError(
                "body", "Body", 21617, f"{units} characters: at most {segments.MAX_BODY_UNITS}"
            )
        )
    return out


def to_problem(to: str) -> str | None:
    if not to:
        return "required: the recipient's number, e.g. +14155550100"
    if _E164.match(to) or _CHANNEL.match(to):
        return None
    return "must be a phone number in E.164 form: + and country code, e.g. +14155550100"


def media_problem(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not an http(s) URL Twilio can fetch"
    return None


def problems(outgoing: Outgoing, *, now: datetime | None = None) -> list[fields.FieldError]:
    """Every field that Twilio would refuse, named, with its code; [] when it may be sent."""
    out: list[fields.FieldError] = []

    def bad(name: str, param: str, code: int, message: str) -> None:
        out.append(fields.FieldError(name, param, code, message))

    sid = fields.sid_problem(outgoing.service_sid, "MG")
    if sid:
        bad("service", "MessagingServiceSid", fields.INVALID_PARAMETER, sid)
    problem = to_problem(outgoing.to)
    if problem:
        bad("to", "To", 21211 if outgoing.to else 21604, problem)
    if not outgoing.body and not outgoing.media_urls:
        bad("body", "Body", 21619, "required: a body or a media URL")
    if segments.utf16_units(outgoing.body) > segments.MAX_BODY_UNITS:
        bad(
            "body",
            "Body",
            21617,
            f"{segments.utf16_units(outgoing.body)} characters: at most "
            f"{segments.MAX_BODY_UNITS} (an emoji counts as two)",
        )
    if len(outgoing.media_urls) > MAX_MEDIA:
        bad("media", "MediaUrl", fields.INVALID_PARAMETER, f"at most {MAX_MEDIA} media URLs")
    for url in outgoing.media_urls:
        problem = media_problem(url)
        if problem:
            bad("media", "MediaUrl", fields.INVALID_PARAMETER, problem)
    vp = outgoing.validity_period
    if vp is not None and not VALIDITY_MIN <= vp <= VALIDITY_MAX:
        bad(
            "validity_period",
            VALIDITY_PARAM,
            90007,
            f"must be from {VALIDITY_MIN} to {VALIDITY_MAX:,} seconds",
        )
    if outgoing.send_at is not None:
        ahead = outgoing.send_at - (now or datetime.now(UTC))
        if not SCHEDULE_MIN <= ahead <= SCHEDULE_MAX:
            bad("send_at", "SendAt", 35114, "must be from 15 minutes to 35 days ahead")
    return out


def check(outgoing: Outgoing, *, now: datetime | None = None) -> None:
    """Raise ValidationError naming every bad field, before anything is sent."""
    found = problems(outgoing, now=now)
    if found:
        raise fields.ValidationError(found)


def parse_when(stamp: object) -> datetime | None:
    """A 2010 API stamp (RFC 2822, "Thu, 24 Aug 2023 05:01:45 +0000") or ISO 8601, as an
    aware datetime; None when absent or unreadable (server text is never trusted to parse)."""
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        when = email.utils.parsedate_to_datetime(stamp)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


_DURATION = re.compile(r"^\s*([0-9]{1,6})\s*([smhdw])\s*\Z")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str) -> timedelta:
    """ "90s", "15m", "1h", "2d", "1w" as a duration; ValueError naming the form otherwise."""
    match = _DURATION.match(text.lower())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"{text!r}: give a duration such as 30m, 1h, 2d or 1w")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
