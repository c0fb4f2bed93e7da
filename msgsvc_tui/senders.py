"""The sender pool's three kinds, described once for the client, the emulator and the UI."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Twilio's published rules for an alphanumeric sender ID (CreateAlphaSender in the spec).
ALPHA_MAX = 11
_ALPHA_CHARS = re.compile(r"^[A-Za-z0-9 \-+_&]+$")
POOL_LIMIT = 400  # phone numbers + short codes per service, Twilio's default


@dataclass(frozen=True)
class SenderKind:
    key: str  # JSON list key and links key: "phone_numbers"
    path: str  # URL segment: "PhoneNumbers"
    prefix: str  # SID prefix: "PN"
    param: str  # create parameter: "PhoneNumberSid"
    value_field: str  # the human value in the body: "phone_number"
    label: str  # "phone number"

    @property
    def sid_re(self) -> re.Pattern[str]:
        return re.compile(rf"^{self.prefix}[0-9a-fA-F]{{32}}$")


PHONE_NUMBERS = SenderKind(
    "phone_numbers", "PhoneNumbers", "PN", "PhoneNumberSid", "phone_number", "phone number"
)
SHORT_CODES = SenderKind(
    "short_codes", "ShortCodes", "SC", "ShortCodeSid", "short_code", "short code"
)
ALPHA_SENDERS = SenderKind(
    "alpha_senders", "AlphaSenders", "AI", "AlphaSender", "alpha_sender", "alpha sender ID"
)
KINDS: tuple[SenderKind, ...] = (PHONE_NUMBERS, SHORT_CODES, ALPHA_SENDERS)
BY_PATH = {k.path: k for k in KINDS}
BY_KEY = {k.key: k for k in KINDS}


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
