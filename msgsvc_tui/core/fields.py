"""The Messaging Service field catalogue.

Every other room (client, emulator, form, CLI) reads its field list from here, so adding a
field to the Service means adding one `Field` below and nothing else.

Values have two spellings: the *wire* spelling (form parameters are strings, e.g. ``"true"``)
and the *Python* spelling (``True``). `Field.clean` accepts either and returns the Python value
or raises `FieldError` with Twilio's error code and a message a user understands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode


class Kind(StrEnum):
    TEXT = "text"
    URL = "url"
    METHOD = "method"
    BOOL = "bool"
    INT = "int"
    CHOICE = "choice"
    # read-only kinds
    SID = "sid"
    DATETIME = "datetime"
    LINKS = "links"


class Group(StrEnum):
    """Groups as the Twilio Console shows a service's settings."""

    GENERAL = "General"
    INTEGRATION = "Integration"
    FEATURES = "Features"
    PROPERTIES = "Properties"
    DETAILS = "Details"


# Twilio error codes used by the catalogue's validation, each checked against Twilio's error
# dictionary (twilio.com/docs/api/errors/N). Where Twilio's exact code for a case is not
# confirmed, the generic 20001 is used rather than a code that means something else (21705,
# once used here for URLs, means "The Messaging Service is invalid").
INVALID_PARAMETER = 20001  # "Invalid parameter"; also "Missing required parameter X in the post
#                            body" (twilio-ruby #674 quotes it from a v1 API)
FRIENDLY_NAME_INVALID = 20002  # "Invalid FriendlyName": must be 1 to 64 characters
USECASE_INVALID = 21713  # "Messaging Service Use Case is Invalid" (also twilio-node #937)
VALIDITY_PERIOD_INVALID = 90007  # "Invalid validity period value": 1 to 36,000 seconds

USECASES: tuple[tuple[str, str, str], ...] = (
    # (usecase, purpose, description) as /v1/Services/Usecases describes them.
    (
        "notifications",
        "Notify my users.",
        "Transactional notifications and alerts for any delivery, account, reminder, order, "
        "fraud, security, public service, or emergency announcements.",
    ),
    (
        "marketing",
        "Market my services.",
        "Marketing messages may contain product information, offers, and calls to action to "
        "engage with your organization.",
    ),
    (
        "verification",
        "Verify users' identity.",
        "Send one-time passcodes and verification codes to users.",
    ),
    (
        "discussion",
        "Have conversations with my users.",
        "Two-way conversations, such as customer care or discussion of an order.",
    ),
    (
        "poll",
        "Poll reviews.",
        "Surveys, polls and requests for reviews.",
    ),
    (
        "undeclared",
        "Undeclared.",
        "Use case not declared; the service was created without one.",
    ),
)
USECASE_NAMES: tuple[str, ...] = tuple(u[0] for u in USECASES)

# Control characters (C0, DEL, C1) and the bidirectional overrides and isolates: refused in
# anything we send, since a name is shown on other people's terminals (see sanitize.py).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ASCII_INT = re.compile(r"[+-]?[0-9]+")


def control_problem(text: str) -> str | None:
    """Why `text` cannot be sent as a name or URL, or None: it holds no control character."""
    m = _CONTROL.search(text)
    if m is None:
        return None
    return f"contains the control character U+{ord(m.group()):04X} at position {m.start() + 1}"


def sid_problem(value: object, prefix: str) -> str | None:
    """Why `value` is not a SID of this kind (the spec's ``^PF[0-9a-fA-F]{32}$``), or None."""
    text = value if isinstance(value, str) else str(value)
    if len(text) == 34 and text.startswith(prefix) and _HEX32.fullmatch(text, 2):
        return None
    shown = text.encode("ascii", "backslashreplace").decode()[:60]
    return f"'{shown}' is not a {prefix}… SID ({prefix} and 32 hex digits 0-9 a-f)"


_HEX32 = re.compile(r"[0-9a-fA-F]{32}")

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})


class FieldError(MsgsvcError, ValueError):
    """A value a field refuses; carries Twilio's error code so the emulator can answer as
    Twilio does and the form can show the same words the server would."""

    EXIT = ExitCode.USAGE

    def __init__(self, field_name: str, param: str, code: int, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.param = param
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    label: str
    help: str
    group: Group
    param: str | None = None  # the form parameter; None when read-only
    choices: tuple[str, ...] = ()
    default: Any = None
    required_on_create: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    error_code: int = INVALID_PARAMETER
    flag_key: str | None = None  # the list's one-key toggle, for fast flags
    glyph: str | None = None  # compact column glyph in the list
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def writable(self) -> bool:
        return self.param is not None

    def _fail(self, message: str, code: int | None = None) -> FieldError:
        return FieldError(self.name, self.param or self.name, code or self.error_code, message)

    def clean(self, value: object) -> Any:
        """The Python value for `value` (a wire string or a Python value), or FieldError.

        An empty string clears a URL (None); for other kinds it is refused, except methods,
        where Twilio falls back to the default.
        """
        if not self.writable:
            raise self._fail(f"{self.label} is read-only")
        kind = self.kind
        if kind is Kind.BOOL:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise self._fail(f"{self.label} must be true or false, not {value!r}")
        if kind is Kind.INT:
            if isinstance(value, bool):
                raise self._fail(f"{self.label} must be a whole number")
            if isinstance(value, int):
                number = value
            else:
                text = str(value).strip()
                # ASCII digits only: int() also takes Arabic-Indic, fullwidth digits and "1_000"
                if not _ASCII_INT.fullmatch(text):
                    raise self._fail(
                        f"{self.label} must be a whole number from {self.minimum} to {self.maximum}"
                        if text
                        else f"{self.label} is required"
                    )
                number = int(text)
            if (self.minimum is not None and number < self.minimum) or (
                self.maximum is not None and number > self.maximum
            ):
                raise self._fail(
                    f"{self.label} must be from {self.minimum:,} to {self.maximum:,} seconds"
                )
            return number
        if value is None:
            if kind is Kind.URL:
                return None
            raise self._fail(f"{self.label} is required")
        text = str(value)
        if kind in (Kind.URL, Kind.TEXT):
            problem = control_problem(text)
            if problem:
                raise self._fail(f"{self.label} {problem}")
        if kind is Kind.URL:
            text = text.strip()
            if text == "":
                return None
            if not is_absolute_http_url(text):
                raise self._fail(f"{self.label} must be an absolute http:// or https:// URL")
            return text
        if kind is Kind.METHOD:
            text = text.strip().upper()
            if text == "" and self.default is not None:
                return self.default
            if text not in self.choices:
                raise self._fail(f"{self.label} must be GET or POST, not {value!r}")
            return text
        if kind is Kind.CHOICE:
            text = text.strip()
            if text not in self.choices:
                raise self._fail(f"{self.label} must be one of {', '.join(self.choices)}")
            return text
        # TEXT
        length = len(text)
        if self.min_length is not None and length < self.min_length:
            raise self._fail(f"{self.label} is required" if length == 0 else "too short")
        if self.max_length is not None and length > self.max_length:
            raise self._fail(
                f"{self.label} must be at most {self.max_length} characters (it has {length})"
            )
        return text

    def to_param(self, value: Any) -> str:
        """The wire spelling of a clean value."""
        return _spelled(value, "true", "false")

    def display(self, value: Any) -> str:
        return _spelled(value, "on", "off")


def _spelled(value: Any, yes: str, no: str) -> str:
    """A clean value as text: booleans as `yes`/`no`, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    return str(value)


def is_absolute_http_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in text


def _webhook(kind: Kind, name: str, label: str, help: str, param: str) -> Field:
    """A URL Twilio calls for the service (an empty value clears it), or the method it calls
    one with (GET or POST, POST by default)."""
    if kind is Kind.URL:
        help += " Absolute http(s) URL; leave empty to clear."
        return Field(name, kind, label, help, Group.INTEGRATION, param=param)
    choices = ("GET", "POST")
    return Field(
        name, kind, label, help, Group.INTEGRATION, param=param, choices=choices, default="POST"
    )


FIELDS: tuple[Field, ...] = (
    Field(
        "friendly_name",
        Kind.TEXT,
        "Friendly name",
        "A name you choose, 1 to 64 characters, shown in the Console and in this list.",
        Group.GENERAL,
        param="FriendlyName",
        required_on_create=True,
        min_length=1,
        max_length=64,
        error_code=FRIENDLY_NAME_INVALID,
    ),
    Field(
        "usecase",
        Kind.CHOICE,
        "Use case",
        "What the service sends, as declared for A2P 10DLC and carrier filtering.",
        Group.GENERAL,
        param="Usecase",
        choices=USECASE_NAMES,
        default="undeclared",
        error_code=USECASE_INVALID,
    ),
    _webhook(
        Kind.URL,
        "inbound_request_url",
        "Incoming webhook URL",
        "Twilio calls this URL for each message your senders receive.",
        "InboundRequestUrl",
    ),
    _webhook(
        Kind.METHOD,
        "inbound_method",
        "Webhook method",
        "HTTP method for the incoming webhook.",
        "InboundMethod",
    ),
    _webhook(
        Kind.URL,
        "fallback_url",
        "Fallback URL",
        "Called when the incoming webhook fails or returns an error.",
        "FallbackUrl",
    ),
    _webhook(
        Kind.METHOD,
        "fallback_method",
        "Fallback method",
        "HTTP method for the fallback URL.",
        "FallbackMethod",
    ),
    _webhook(
        Kind.URL,
        "status_callback",
        "Status callback URL",
        "Twilio posts delivery status updates of sent messages here.",
        "StatusCallback",
    ),
    Field(
        "use_inbound_webhook_on_number",
        Kind.BOOL,
        "Use the sender's webhook",
        "Defer to each phone number's own webhook instead of this service's URLs.",
        Group.INTEGRATION,
        param="UseInboundWebhookOnNumber",
        default=False,
        flag_key="W",
        glyph="W",
    ),
    Field(
        "sticky_sender",
        Kind.BOOL,
        "Sticky sender",
        "Keep sending to a recipient from the same number for a consistent thread.",
        Group.FEATURES,
        param="StickySender",
        default=True,
        flag_key="S",
        glyph="S",
    ),
    Field(
        "smart_encoding",
        Kind.BOOL,
        "Smart encoding",
        "Replace look-alike Unicode characters so messages stay GSM-7 and cost fewer segments.",
        Group.FEATURES,
        param="SmartEncoding",
        default=True,
        flag_key="E",
        glyph="E",
    ),
    Field(
        "mms_converter",
        Kind.BOOL,
        "MMS converter",
        "Send MMS as SMS with a media link where the recipient's carrier lacks MMS.",
        Group.FEATURES,
        param="MmsConverter",
        default=True,
        flag_key="M",
        glyph="M",
    ),
    Field(
        "area_code_geomatch",
        Kind.BOOL,
        "Area code geomatch",
        "Send from a number with the recipient's area code when the pool has one.",
        Group.FEATURES,
        param="AreaCodeGeomatch",
        default=True,
        # C for "area Code": G is vim's "last row" in every list, and must never write
        flag_key="C",
        glyph="C",
    ),
    Field(
        "fallback_to_long_code",
        Kind.BOOL,
        "Fallback to long code",
        "Obsolete: retry failed short code messages from a long code.",
        Group.FEATURES,
        param="FallbackToLongCode",
        default=False,
        flag_key="L",
        glyph="L",
    ),
    Field(
        "scan_message_content",
        Kind.CHOICE,
        "Scan message content",
        "Reserved by Twilio: inherit the account setting, or enable/disable scanning.",
        Group.FEATURES,
        param="ScanMessageContent",
        choices=("inherit", "enable", "disable"),
        default="inherit",
    ),
    Field(
        "synchronous_validation",
        Kind.BOOL,
        "Synchronous validation",
        "Reserved by Twilio.",
        Group.FEATURES,
        param="SynchronousValidation",
        default=True,
    ),
    Field(
        "validity_period",
        Kind.INT,
        "Validity period (s)",
        "Seconds a queued message may wait before Twilio drops it: 1 to 36,000.",
        Group.PROPERTIES,
        param="ValidityPeriod",
        minimum=1,
        maximum=36000,
        default=36000,
        error_code=VALIDITY_PERIOD_INVALID,
    ),
    # read-only
    Field("sid", Kind.SID, "SID", "Unique ID of the service (MG…).", Group.DETAILS),
    Field("account_sid", Kind.SID, "Account", "The account that owns it (AC…).", Group.DETAILS),
    Field("date_created", Kind.DATETIME, "Created", "When it was created (UTC).", Group.DETAILS),
    Field("date_updated", Kind.DATETIME, "Updated", "When it last changed (UTC).", Group.DETAILS),
    Field(
        "us_app_to_person_registered",
        Kind.BOOL,
        "US A2P registered",
        "Whether a US A2P 10DLC campaign is registered for the service.",
        Group.DETAILS,
        default=False,
    ),
    Field("url", Kind.LINKS, "URL", "The API address of the service.", Group.DETAILS),
    Field("links", Kind.LINKS, "Links", "API addresses of its senders and more.", Group.DETAILS),
)

BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
BY_PARAM: dict[str, Field] = {f.param: f for f in FIELDS if f.param}
WRITABLE: tuple[Field, ...] = tuple(f for f in FIELDS if f.writable)
FLAGS: tuple[Field, ...] = tuple(f for f in FIELDS if f.flag_key)


def get(name: str) -> Field:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown service field {name!r}") from None


def clean_values(values: Mapping[str, Any], *, creating: bool = False) -> dict[str, Any]:
    """Clean a mapping of field name → value; all problems at once, so a form can mark each."""
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    for name, value in values.items():
        f = BY_NAME.get(name)
        if f is None:
            errors.append(FieldError(name, name, INVALID_PARAMETER, f"unknown field {name!r}"))
            continue
        try:
            clean[name] = f.clean(value)
        except FieldError as exc:
            errors.append(exc)
    if creating:
        errors.extend(
            f._fail(f"{f.label} is required", INVALID_PARAMETER)
            for f in WRITABLE
            if f.required_on_create and f.name not in values
        )
    if errors:
        raise ValidationError(errors)
    return clean


def to_params(values: Mapping[str, Any]) -> dict[str, str]:
    """Clean values → form parameters for the wire."""
    return {BY_NAME[name].param or name: BY_NAME[name].to_param(v) for name, v in values.items()}


def parse_assignment(text: str) -> tuple[str, str]:
    """`field=value` as a CLI writes it; the name may be the JSON name or the form param."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep:
        raise ValueError(f"expected field=value, got {text!r}")
    f = BY_NAME.get(name) or BY_PARAM.get(name)
    if f is None or not f.writable:
        hint = unknown_field_hint(name)
        names = ", ".join(w.name for w in WRITABLE)
        raise ValueError(
            f"unknown or read-only field {name!r}" + (hint or f"; writable fields: {names}")
        )
    return f.name, value


def unknown_field_hint(name: str) -> str:
    """The hint " (did you mean sticky_sender?)" for a name that is no writable field (its
    JSON name or form parameter misspelt), else "": every reader of field names says it
    alike (--set, apply files)."""
    from msgsvc_tui.core.suggest import did_you_mean

    spellings = {w.name: w.name for w in WRITABLE} | {w.param: w.name for w in WRITABLE if w.param}
    if name in BY_NAME and not BY_NAME[name].writable:
        return f" ({name} is read-only)"
    return did_you_mean(name, spellings)


class ValidationError(MsgsvcError, ValueError):
    """One or more fields refused; `errors` keeps each so a form can mark every bad field."""

    EXIT = ExitCode.USAGE

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field_name}: {e.message}" for e in self.errors))


def defaults() -> dict[str, Any]:
    """What Twilio stores for a field a create leaves out."""
    return {f.name: f.default for f in WRITABLE}
