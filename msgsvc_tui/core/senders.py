"""The sender pool's three kinds, described once for the client, the emulator and the UI."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Twilio's published rules for an alphanumeric sender ID (CreateAlphaSender in the spec).
ALPHA_MAX = 11
_ALPHA_CHARS = re.compile(r"^[A-Za-z0-9 \-+_&]+\Z")
POOL_LIMIT = 400  # phone numbers + short codes per service, Twilio's default

# Twilio's refusals when a sender joins or leaves a service: (code, HTTP status, message).
# Evidence for each, since the spec lists none of them:
# - 21710 with 409: mozilla/fx-private-relay checks `status == 409 and code == 21710` and
#   quotes the real message (its phones code, PR #2613).
# - 21712 with 409: the message names no holder ("…associated with another Messaging
#   Service."), as a recorded fixture of a third-party client shows; the client finds the
#   holder itself.
# - 21714 with 412: mozilla/fx-private-relay issue #2709 quotes the real error; its code
#   checks 412.
# - 21715, 21709: Twilio's error dictionary (twilio.com/docs/api/errors/21715, /21709); the
#   status is not recorded anywhere we found, and 400 is what Twilio uses for bad parameters.
# - 21711: not in this service (error dictionary); status likewise 400.
ALREADY_IN_SERVICE = (
    21710,
    409,
    "Phone Number or Short Code is already in the Messaging Service.",
)
ALREADY_ELSEWHERE = (
    21712,
    409,
    "Phone Number or Short Code is already associated with another Messaging Service.",
)
NOT_IN_SERVICE = (21711, 400, "Phone Number or Short Code is not in the Messaging Service.")
POOL_FULL = (21714, 412, "Number Pool size limit reached")
NO_MESSAGING_CAPABILITY = (
    21715,
    400,
    "Phone Number Does Not Have Correct Messaging Service Capabilities",
)
ALPHA_INVALID = (
    21709,
    400,
    "Alpha Sender ID is Invalid or Not Authorized for this Messaging Service",
)
# A second alpha sender for a country the service already has one for. Twilio documents no
# code for this (the spec says "one per country" only in prose); the emulator answers as for
# a sender already in the service (21710, 409) so a client treats both the same way.
COUNTRY_TAKEN = (
    21710,
    409,
    "An Alpha Sender ID for this country is already in the Messaging Service.",
)


@dataclass(frozen=True)
class SenderKind:
    key: str  # JSON list key and links key: "phone_numbers"
    path: str  # URL segment: "PhoneNumbers"
    prefix: str  # SID prefix: "PN"
    param: str  # create parameter: "PhoneNumberSid"
    value_field: str  # the human value in the body: "phone_number"
    label: str  # "phone number"
    list_key: str = ""  # the list's JSON key when it differs from `key` (ChannelSenders: "senders")
    by_value: bool = False  # created from its text (an alpha sender), not by an existing SID

    @property
    def sid_re(self) -> re.Pattern[str]:
        return re.compile(rf"^{self.prefix}[0-9a-fA-F]{{32}}\Z")

    @property
    def items_key(self) -> str:
        return self.list_key or self.key


PHONE_NUMBERS = SenderKind(
    "phone_numbers", "PhoneNumbers", "PN", "PhoneNumberSid", "phone_number", "phone number"
)
SHORT_CODES = SenderKind(
    "short_codes", "ShortCodes", "SC", "ShortCodeSid", "short_code", "short code"
)
ALPHA_SENDERS = SenderKind(
    "alpha_senders",
    "AlphaSenders",
    "AI",
    "AlphaSender",
    "alpha_sender",
    "alpha sender ID",
    by_value=True,
)
# WhatsApp, RCS and Messenger senders (XE…), added by the SID of a Messaging v2 sender.
CHANNEL_SENDERS = SenderKind(
    "channel_senders", "ChannelSenders", "XE", "Sid", "sender", "channel sender", "senders"
)
# An alpha sender ID for one destination country (IsoCountryCode), or the default one.
DESTINATION_ALPHA_SENDERS = SenderKind(
    "destination_alpha_senders",
    "DestinationAlphaSenders",
    "AI",
    "AlphaSender",
    "alpha_sender",
    "country alpha sender",
    "alpha_senders",
    by_value=True,
)
# The Senders tab's pool (numbers, short codes, the service's one alpha sender).
KINDS: tuple[SenderKind, ...] = (PHONE_NUMBERS, SHORT_CODES, ALPHA_SENDERS)
# Every kind of sender a service owns, each with its own tab or rows.
ALL_KINDS: tuple[SenderKind, ...] = (*KINDS, CHANNEL_SENDERS, DESTINATION_ALPHA_SENDERS)
BY_PATH = {k.path: k for k in ALL_KINDS}
BY_KEY = {k.key: k for k in ALL_KINDS}

# The channels Messaging v2 lists senders for (its `Channel` query parameter: "Supported
# values are `whatsapp` and `rcs`").
CHANNELS = ("whatsapp", "rcs")


# the rule `alpha_sender_problem` checks, as the dialogs that ask for one say it
ALPHA_RULE = f"Up to {ALPHA_MAX} characters: A-Z a-z 0-9 space - + _ &, not only digits"


def alpha_sender_problem(value: str) -> str | None:
    """Why `value` cannot be an alpha sender ID, or None when it can."""
    if not value:
        return "Alpha sender ID is required"
    if len(value) > ALPHA_MAX:
        return f"Alpha sender ID must be at most {ALPHA_MAX} characters (it has {len(value)})"
    if not _ALPHA_CHARS.match(value):
        return "Alpha sender ID may only use A-Z, a-z, 0-9, space, - + _ &"
    if value.isdigit():
        return "Alpha sender ID cannot be only digits"
    return None


def sender_problem(kind: SenderKind, value: str) -> str | None:
    """Why `value` cannot be added as a `kind`, or None: alpha text, or a SID of the kind."""
    if kind.by_value:
        return alpha_sender_problem(value)
    if not kind.sid_re.match(value):
        return f"A {kind.label} is added by its SID: {kind.prefix} and 32 hex digits"
    return None
