"""Names where SIDs go: a service by its friendly name, a number by its E.164 text, a short
code by its digits. One place, so every command (and every front end) reads them alike.

The rule for a service is twilio-cli's and kubectl's: a SID is used as it is (no request); any
other text must be the exact friendly name of one service. Several services with that name →
`AmbiguousNameError` listing each with its SID (exit 2: the user must pick). None →
`NoSuchNameError` with the closest names as a hint (exit 4). Nothing is guessed: a write never
lands on a service the user did not name exactly.

A text that starts with "MG" but is not a SID and not a name gets the SID's own message
("'MG123' is not a MG… SID …"), since that is what the user most likely meant to type.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from msgsvc_tui.core import fields, senders
from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.core.suggest import close_to

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.api.oneshot import Reader

Json = dict[str, Any]
SERVICE_PREFIX = "MG"
# A short code is 5 or 6 digits in the US and 3 to 8 elsewhere (Twilio's short code docs,
# https://www.twilio.com/docs/messaging/channels/sms/short-codes): digits only, no "+".
SHORT_CODE_RE = re.compile(r"^[0-9]{3,8}\Z")
# E.164: "+", a country code and at most 15 digits (https://www.twilio.com/docs/glossary/what-e164).
# Spaces, dots, dashes and brackets people type between groups are dropped first.
E164_RE = re.compile(r"^\+[1-9][0-9]{1,14}\Z")
_NUMBER_PUNCTUATION = re.compile(r"[\s().\-]")


class ResolveError(MsgsvcError):
    """A name that does not pick exactly one thing."""


class AmbiguousNameError(ResolveError):
    """Several things answer to the name: `candidates` are (SID, name), for the user to pick."""

    EXIT = ExitCode.USAGE

    def __init__(self, what: str, name: str, candidates: list[tuple[str, str]]) -> None:
        self.what = what
        self.name = name
        self.candidates = candidates
        # names are server text: each shown on its one line, whatever it holds
        lines = "\n".join(f"  {safe(sid)}  {safe(label)}" for sid, label in candidates)
        super().__init__(
            f"{len(candidates)} {what}s are named {name!r}; give one of their SIDs:\n{lines}"
        )


class NoSuchNameError(ResolveError):
    """Nothing answers to the name; `suggestions` are the closest names, if any."""

    EXIT = ExitCode.NOT_FOUND

    def __init__(
        self, what: str, name: str, suggestions: list[tuple[str, str]], *, said: str = ""
    ) -> None:
        self.what = what
        self.name = name
        self.suggestions = suggestions
        hint = ""
        if suggestions:
            shown = " or ".join(f"{label!r} ({sid})" for sid, label in suggestions)
            hint = f" (did you mean {shown}?)"
        super().__init__((said or f"no {what} named {name!r}") + hint)


# ---- services -----------------------------------------------------------------------------
def is_service_sid(text: str) -> bool:
    return fields.sid_problem(text, SERVICE_PREFIX) is None


def pick_service(text: str, services: Iterable[Json]) -> str:
    """The SID of the one service `text` names (a SID, or an exact friendly name), from an
    account's services; raises as the module says."""
    if is_service_sid(text):
        return text
    pairs = [(str(s.get("sid")), str(s.get("friendly_name") or "")) for s in services]
    exact = [(sid, name) for sid, name in pairs if name == text]
    if len(exact) == 1:
        return exact[0][0]
    if exact:
        raise AmbiguousNameError("service", text, sorted(exact, key=lambda p: p[0]))
    if text.startswith(SERVICE_PREFIX) and " " not in text:
        # meant as a SID (names have spaces; a tab or newline is a SID gone wrong): its own
        # message says what is wrong with it
        raise fields.ValidationError(
            [
                fields.FieldError(
                    "sid",
                    "Sid",
                    fields.INVALID_PARAMETER,
                    fields.sid_problem(text, SERVICE_PREFIX) or "",
                )
            ]
        )
    names = [name for _, name in pairs]
    near = close_to(text, names)
    suggestions = [(sid, name) for sid, name in pairs if name in near][:3]
    raise NoSuchNameError("service", text, suggestions)


async def service_sid(client: MessagingClient, text: str) -> str:
    """`pick_service` against the account: a SID costs nothing, a name one listing (whose
    names are kept for shell completion)."""
    if is_service_sid(text):
        return text
    services = await client.list_services()
    remember_names(client.account_sid, services)
    return pick_service(text, services)


def service_sid_sync(reader: Reader, account_sid: str, text: str) -> str:
    """`service_sid` for the one-shot reader (`services get` without httpx)."""
    if is_service_sid(text):
        return text
    services: list[Json] = []
    for page in reader.iter_service_pages():
        services.extend(page.items)
    remember_names(account_sid, services)
    return pick_service(text, services)


def remember_names(account_sid: str, services: Iterable[Json]) -> None:
    """Keep the names for shell completion; a cache that cannot be written is no error."""
    from msgsvc_tui.core import namecache

    namecache.save(account_sid, (s.get("friendly_name") for s in services))


# ---- senders: E.164 numbers and short codes -----------------------------------------------
def sender_kind_of(text: str) -> senders.SenderKind | None:
    """PHONE_NUMBERS for E.164 text, SHORT_CODES for a short code's digits, None otherwise
    (a SID, or something else for the caller to report)."""
    if E164_RE.match(normal_number(text)):
        return senders.PHONE_NUMBERS
    if SHORT_CODE_RE.match(text.strip()):
        return senders.SHORT_CODES
    return None


def normal_number(text: str) -> str:
    """Drop what people type between a number's groups: "+1 (415) 555-0101" becomes
    "+14155550101". Text not starting with "+" is left alone."""
    stripped = text.strip()
    if not stripped.startswith("+"):
        return stripped
    return _NUMBER_PUNCTUATION.sub("", stripped)


def pick_sender(text: str, numbers: Iterable[Json], short_codes: Iterable[Json]) -> str:
    """The SID of the account's number or short code written as `text` (E.164 or digits)."""
    kind = sender_kind_of(text)
    if kind is senders.PHONE_NUMBERS:
        wanted, pool, what = normal_number(text), numbers, "phone number"
    elif kind is senders.SHORT_CODES:
        wanted, pool, what = text.strip(), short_codes, "short code"
    else:
        raise ValueError(f"{text!r} is neither an E.164 number nor a short code")
    found = [m for m in pool if m.get(kind.value_field) == wanted]
    if len(found) == 1:
        return str(found[0]["sid"])
    if found:  # an account holds a number once; a server that says otherwise is asked to choose
        pairs = [(str(m["sid"]), wanted) for m in found]
        raise AmbiguousNameError(what, wanted, pairs)
    said = f"{wanted} is not a {what} of this account (`msgsvc-tui numbers list` shows them)"
    raise NoSuchNameError(what, wanted, [], said=said)


async def sender_sid(client: MessagingClient, text: str) -> tuple[senders.SenderKind, str]:
    """(kind, SID) for a sender given as a SID (PN…/SC…), an E.164 number or a short code;
    the account's numbers (2010 API) are read only for the latter two."""
    for kind in (senders.PHONE_NUMBERS, senders.SHORT_CODES):
        if kind.sid_re.match(text):
            return kind, text
    kind_of_text = sender_kind_of(text)
    if kind_of_text is None:
        if text.startswith("SC"):
            return senders.SHORT_CODES, text  # the client says what is wrong with the SID
        return senders.PHONE_NUMBERS, text
    lists: dict[str, Callable[[], Any]] = {
        senders.PHONE_NUMBERS.key: client.list_account_phone_numbers,
        senders.SHORT_CODES.key: client.list_account_short_codes,
    }
    pool = await lists[kind_of_text.key]()
    if kind_of_text is senders.PHONE_NUMBERS:
        return kind_of_text, pick_sender(text, pool, [])
    return kind_of_text, pick_sender(text, [], pool)
