"""The doctor's rules: why a Messaging Service's messages will fail or cost more.

Pure functions over what was read about one service (`Facts`: its settings, its sender pool,
its A2P campaign and brand, its toll-free numbers' verifications, recent failures). They ask
nothing of the network: ops/doctor.py gathers the facts, the CLI and the TUI show the findings.

Every check names the Twilio page its rule comes from (`Check.source`, also in the README's
table), and each finding says what is wrong, what a message will do because of it (with
Twilio's error code where one applies), and how to fix it. Where the fix is a setting of the
service, `Finding.setting` holds the new values, so a front end can offer it as one write.

Severity: error = messages will fail; warning = likely trouble or cost; info = worth knowing.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from msgsvc_tui.core import senders, tollfree, twilio_errors

Json = dict[str, Any]
Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
_RANK = {"error": 0, "warning": 1, "info": 2}
MARKS = {"error": "✗", "warning": "!", "ok": "✓"}

NANP = frozenset({"US", "CA"})  # one numbering plan: US and CA numbers reach each other
POOL_NEAR = 360  # 90 % of Twilio's 400 (senders.POOL_LIMIT)
VALIDITY_MAX = 36000  # seconds; the spec: "an integer from `1` to `36,000`. Default … 36,000"
# The burst the validity check measures against: how many message segments one send-out is
# assumed to queue at once. Our rule (Twilio publishes no such figure); the README says so.
REFERENCE_BURST = 1000


@dataclass(frozen=True)
class Check:
    id: str
    severity: Severity  # the usual one; a finding may say otherwise (Finding.severity)
    title: str
    source: str = ""  # the Twilio page (or spec field) the rule comes from
    code: int | None = None  # Twilio's error code a message gets, when one applies

    def __post_init__(self) -> None:
        # no page named: the source is the error code's own page
        if not self.source and self.code is not None:
            object.__setattr__(self, "source", twilio_errors.DOCS + str(self.code))


@dataclass(frozen=True)
class Finding:
    check: str
    severity: Severity
    title: str  # what is wrong
    effect: str  # what a message will do because of it
    fix: str  # how to fix it
    source: str
    code: int | None = None
    subject: str = ""  # which sender, URL or setting it is about
    details: tuple[str, ...] = ()  # Twilio's own reasons (a campaign's errors, a rejection)
    setting: Mapping[str, Any] | None = None  # the fix as new values of the service's fields

    def changes(self, service: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
        """(field, old, new) for a setting fix: what the write will change."""
        return [(k, service.get(k), v) for k, v in (self.setting or {}).items()]

    def as_json(self, service: Mapping[str, Any]) -> Json:
        """The stable JSON shape (`services doctor --json`, documented in the README)."""
        return {
            "check": self.check,
            "severity": self.severity,
            "code": self.code,
            "title": self.title,
            "subject": self.subject,
            "effect": self.effect,
            "fix": self.fix,
            "details": list(self.details),
            "source": self.source,
            "setting": None
            if self.setting is None
            else [{"field": f, "from": old, "to": new} for f, old, new in self.changes(service)],
        }


@dataclass
class Facts:
    """What the doctor read about one service. `failures` is None when recent messages could
    not be read (the check then says so rather than guessing)."""

    service: Json
    phone_numbers: list[Json] = field(default_factory=list)
    short_codes: list[Json] = field(default_factory=list)
    alpha_senders: list[Json] = field(default_factory=list)
    campaign: Json | None = None
    brand: Json | None = None
    # PN SID → its newest verification; None when they could not be read (no finding then)
    verifications: Mapping[str, Mapping[str, Any]] | None = field(default_factory=dict)
    destinations: frozenset[str] = frozenset()  # ISO countries it sends to, as far as known
    failures: Mapping[int | None, int] | None = None  # error code → failed/undelivered count
    failure_words: Mapping[int, str] = field(default_factory=dict)
    failures_window: str = ""  # "the last 1,000 messages", said with the finding


# ---- sender facts -------------------------------------------------------------------------
def capabilities(member: Mapping[str, Any]) -> set[str]:
    """A sender's capabilities, upper case: Twilio's list (["SMS", "MMS"]) or a map of flags."""
    caps = member.get("capabilities")
    if isinstance(caps, Mapping):
        return {str(k).upper() for k, v in caps.items() if v}
    if isinstance(caps, list):
        return {str(c).upper() for c in caps}
    return set()


def can_message(member: Mapping[str, Any]) -> bool:
    return bool(capabilities(member) & {"SMS", "MMS"})


def _number(member: Mapping[str, Any]) -> str:
    return str(member.get("phone_number") or member.get("short_code") or member.get("sid") or "")


def _country(member: Mapping[str, Any]) -> str:
    return str(member.get("country_code") or "").upper()


def us_long_codes(f: Facts) -> list[Json]:
    """US local numbers (10DLC): US, not toll-free, able to message."""
    return [
        m
        for m in f.phone_numbers
        if _country(m) == "US"
        and not tollfree.is_toll_free(m.get("phone_number"))
        and can_message(m)
    ]


def toll_free_numbers(f: Facts) -> list[Json]:
    return [m for m in f.phone_numbers if tollfree.is_toll_free(m.get("phone_number"))]


def long_codes(f: Facts) -> list[Json]:
    return [m for m in f.phone_numbers if not tollfree.is_toll_free(m.get("phone_number"))]


def sender_mps(member: Mapping[str, Any], kind: senders.SenderKind) -> float:
    """Message segments per second one sender sends at, by default:
    short code 100 (https://support.twilio.com/hc/en-us/articles/223182068-What-is-a-short-code-),
    US/CA toll-free 3 and any number outside +1 10
    (https://support.twilio.com/hc/en-us/articles/4411046744987-Toll-Free-SMS-and-MMS-messaging-throughput-MPS),
    US/CA long code 1 ("a US long code number can send one message segment per second",
    https://www.twilio.com/docs/api/errors/30001). An alpha sender counts as a number
    outside +1."""
    if kind is senders.SHORT_CODES:
        return 100.0
    if kind is senders.ALPHA_SENDERS:
        return 10.0
    if tollfree.is_toll_free(member.get("phone_number")):
        return 3.0
    return 1.0 if _country(member) in NANP else 10.0


def pool_mps(f: Facts) -> float:
    total = 0.0
    for kind, members in (
        (senders.PHONE_NUMBERS, f.phone_numbers),
        (senders.SHORT_CODES, f.short_codes),
        (senders.ALPHA_SENDERS, f.alpha_senders),
    ):
        total += sum(sender_mps(m, kind) for m in members if can_message(m))
    return total


def reaches(f: Facts, country: str) -> bool:
    """Whether some sender in the pool can message `country`. US/CA need a US/CA number or a
    short code of that country; elsewhere a local short code, an alpha sender, or any number
    (Twilio falls back to a US number: "If your Messaging Service does not include a number
    from the same country as the destination, Twilio will attempt to send your message using
    a US-based phone number",
    https://support.twilio.com/hc/en-us/articles/223181268-What-is-Geomatch-and-how-does-it-work)."""
    numbers = [m for m in f.phone_numbers if can_message(m)]
    codes = [m for m in f.short_codes if can_message(m)]
    if any(_country(m) == country for m in codes):
        return True
    if country in NANP:
        return any(_country(m) in NANP for m in numbers)
    return bool(numbers) or bool(f.alpha_senders)


# ---- the checks ---------------------------------------------------------------------------
A2P_TROUBLE = (
    "https://www.twilio.com/docs/messaging/compliance/a2p-10dlc/troubleshooting-a2p-brands"
)
TF_ONBOARDING = "https://www.twilio.com/docs/messaging/compliance/toll-free/api-onboarding"
SPEC_INBOUND = "twilio_messaging_v1.json: messaging.v1.service.inbound_request_url"
WEBHOOK_SECURITY = "https://www.twilio.com/docs/usage/api-security-reference-guide/webhook"
SERVICES_DOC = "https://www.twilio.com/docs/messaging/services"
STICKY = "https://support.twilio.com/hc/en-us/articles/223181288-What-is-Sticky-Sender-and-how-does-it-work"
SPEC_FLC = "twilio_messaging_v1.json: messaging.v1.service.fallback_to_long_code"
GEOMATCH = (
    "https://support.twilio.com/hc/en-us/articles/223181268-What-is-Geomatch-and-how-does-it-work"
)
SMART_ENCODING = (
    "https://www.twilio.com/blog/copilot-just-got-even-smarter-announcing-smart-encoding-html"
)
MESSAGES_DOC = "https://www.twilio.com/docs/messaging/api/message-resource"

CHECKS: tuple[Check, ...] = (
    Check("POOL-EMPTY", "error", "The sender pool is empty", code=21704),
    Check("POOL-NO-ROUTE", "error", "No sender can reach a country it sends to", code=21703),
    Check("POOL-NO-SMS", "warning", "A number can neither send SMS nor MMS", code=21715),
    Check("POOL-NEAR-LIMIT", "info", "The pool is near Twilio's 400-sender limit", code=21714),
    Check("POOL-ALPHA-ONLY", "error", "Alpha sender only: US/Canada unreachable", code=21612),
    Check("A2P-NO-CAMPAIGN", "error", "US long codes with no A2P 10DLC campaign", code=30034),
    Check("A2P-CAMPAIGN-PENDING", "error", "A2P campaign not verified yet", A2P_TROUBLE, 30034),
    Check("A2P-CAMPAIGN-FAILED", "error", "The A2P campaign failed review", A2P_TROUBLE, 30034),
    Check("A2P-BRAND-NOT-APPROVED", "error", "The campaign's brand is not approved", code=30991),
    Check("A2P-USECASE-MISMATCH", "warning", "Campaign/service use case mismatch", code=21719),
    Check("TF-UNVERIFIED", "error", "Toll-free number not verified", code=30032),
    Check("TF-PENDING", "error", "Toll-free verification in review", TF_ONBOARDING, 30032),
    Check("TF-REJECTED", "error", "A toll-free verification was rejected", code=30032),
    Check("INT-WEBHOOK-NO-URL", "warning", "Incoming messages go nowhere", SPEC_INBOUND),
    Check("INT-HTTP-PLAIN", "warning", "A webhook URL is plain http://", WEBHOOK_SECURITY),
    Check("INT-PRIVATE-HOST", "warning", "A webhook points at a private address", code=11205),
    Check("INT-BAD-HOST", "warning", "A webhook host can never resolve", code=11210),
    Check("INT-NO-STATUS-CALLBACK", "info", "No status callback", SERVICES_DOC),
    Check("INT-FALLBACK-SAME", "warning", "The fallback URL is the inbound URL", code=11205),
    Check("FEAT-STICKY-OFF", "warning", "Sticky sender off on a conversational service", STICKY),
    Check("FEAT-FALLBACK-NO-LONG-CODE", "warning", "Long-code fallback, no long code", SPEC_FLC),
    Check("FEAT-GEOMATCH-ONE-AREA", "info", "Area code geomatch with one area code", GEOMATCH),
    Check("FEAT-SMART-ENCODING-OFF", "warning", "Smart encoding is off", SMART_ENCODING),
    Check("FEAT-VALIDITY-RANGE", "error", "Validity period out of range", code=21624),
    Check("FEAT-VALIDITY-QUEUE", "warning", "Validity shorter than the queue", code=30036),
    Check("MSG-FAILURES", "warning", "Recent messages failed", MESSAGES_DOC),
)
BY_ID = {c.id: c for c in CHECKS}


def _finding(check_id: str, **kw: Any) -> Finding:
    c = BY_ID[check_id]
    kw.setdefault("severity", c.severity)
    kw.setdefault("title", c.title)
    kw.setdefault("code", c.code)
    return Finding(check=c.id, source=c.source, **kw)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def check_pool(f: Facts) -> list[Finding]:
    out: list[Finding] = []
    numeric = f.phone_numbers + f.short_codes
    if not numeric and not f.alpha_senders:
        # 21704: "A Messaging Service requires at least one phone number, Alphanumeric Sender
        # ID or short code to send messages."
        out.append(
            _finding(
                "POOL-EMPTY",
                effect="Every message sent through this service fails (Twilio 21704).",
                fix="Add a phone number, short code or alpha sender ID (the Senders tab).",
            )
        )
        return out
    mute = [m for m in numeric if not can_message(m)]
    if mute:
        # 21715: "In order for a phone number to work in a Messaging Service it must have at
        # least SMS or MMS capabilities."
        only = len(mute) == len(numeric) and not f.alpha_senders
        out.append(
            _finding(
                "POOL-NO-SMS",
                severity="error" if only else "warning",
                subject=", ".join(_number(m) for m in mute[:5]) + (" …" if len(mute) > 5 else ""),
                effect=(
                    "No sender here can message: every message fails (Twilio 21703)."
                    if only
                    else f"{_plural(len(mute), 'sender')} can never be picked; "
                    "the rest of the pool carries the traffic."
                ),
                fix="Replace them with SMS-capable numbers, or remove them from the pool.",
            )
        )
    if len(numeric) >= POOL_NEAR:
        # 21714: "a Messaging Service can contain up to a total of 400 Twilio phone numbers
        # and short codes."
        out.append(
            _finding(
                "POOL-NEAR-LIMIT",
                subject=f"{len(numeric)} of {senders.POOL_LIMIT}",
                effect="Sending works; adding past 400 is refused (Twilio 21714).",
                fix="Split traffic over services, or use a short code or toll-free number.",
            )
        )
    sms_numeric = [m for m in numeric if can_message(m)]
    if f.alpha_senders and not sms_numeric:
        # 21612: "If you are using an alphanumeric sender ID, the 'To' number must be in a
        # country where alphanumeric sender IDs are supported." US and Canada are not.
        nanp = sorted(f.destinations & NANP)
        out.append(
            _finding(
                "POOL-ALPHA-ONLY",
                severity="error" if nanp else "info",
                subject=", ".join(nanp) or "US, CA",
                effect="Messages to US and Canadian numbers fail (Twilio 21703 / 21612); "
                "other countries are not affected.",
                fix="Add a US/Canadian long code, toll-free number or short code.",
            )
        )
    for country in sorted(f.destinations):
        alpha_said = country in NANP and f.alpha_senders and not sms_numeric
        if not reaches(f, country) and not alpha_said:
            # 21703: "None of the senders or numbers in your Messaging Service are capable of
            # sending the requested message to this recipient."
            out.append(
                _finding(
                    "POOL-NO-ROUTE",
                    subject=country,
                    effect=f"Messages to {country} numbers fail (Twilio 21703).",
                    fix=f"Add a sender that can reach {country}: a local number or short code"
                    + (" (US/Canadian numbers only reach US/Canada)." if country in NANP else "."),
                )
            )
    return out


# Which A2P campaign use cases fit which service use case. Twilio publishes no table (its
# authority is GET …/Compliance/Usa2p/Usecases per service, error 21719): this is our rule,
# labelled so in the finding and the README. MIXED and LOW_VOLUME fit every use case.
USECASE_FITS: dict[str, frozenset[str]] = {
    "notifications": frozenset(
        {
            "ACCOUNT_NOTIFICATION",
            "DELIVERY_NOTIFICATION",
            "FRAUD_ALERT",
            "SECURITY_ALERT",
            "PUBLIC_SERVICE_ANNOUNCEMENT",
            "CUSTOMER_CARE",
            "HIGHER_EDUCATION",
            "K12_EDUCATION",
            "EMERGENCY",
            "CHARITY",
            "2FA",
        }
    ),
    "marketing": frozenset({"MARKETING", "SWEEPSTAKE", "CHARITY", "POLITICAL", "SOCIAL"}),
    "verification": frozenset({"2FA", "SECURITY_ALERT", "ACCOUNT_NOTIFICATION"}),
    "discussion": frozenset(
        {"CUSTOMER_CARE", "AGENTS_FRANCHISES", "PROXY", "SOCIAL", "HIGHER_EDUCATION"}
    ),
    "poll": frozenset({"POLLING_VOTING", "POLITICAL", "PUBLIC_SERVICE_ANNOUNCEMENT"}),
}
ANY_USECASE = frozenset({"MIXED", "LOW_VOLUME", "SOLE_PROPRIETOR"})


def check_a2p(f: Facts) -> list[Finding]:
    out: list[Finding] = []
    local = us_long_codes(f)
    c = f.campaign
    if local and c is None:
        # 30034: "all 10DLC numbers need to be registered to a Campaign and Brand."
        out.append(
            _finding(
                "A2P-NO-CAMPAIGN",
                subject=_plural(len(local), "US long code"),
                effect="Messages from these numbers to US phones are blocked (Twilio 30034).",
                fix="Register a brand and an A2P 10DLC campaign for this service (the A2P tab), "
                "or send to the US from a toll-free number or short code.",
            )
        )
    if c is not None and local:
        status = str(c.get("campaign_status") or "")
        if status == "FAILED":
            details = tuple(_campaign_errors(c))
            out.append(
                _finding(
                    "A2P-CAMPAIGN-FAILED",
                    subject=str(c.get("sid") or ""),
                    effect="Messages from the US long codes to US phones are blocked (Twilio "
                    "30034) until a campaign is verified.",
                    fix="Fix what the review names and submit the campaign again.",
                    details=details,
                )
            )
        elif status in ("PENDING", "IN_PROGRESS"):
            out.append(
                _finding(
                    "A2P-CAMPAIGN-PENDING",
                    subject=f"{c.get('sid') or ''} {status}".strip(),
                    effect="Messages from the US long codes to US phones are blocked (Twilio "
                    "30034) until the review verifies the campaign.",
                    fix="Wait for the review (it can take weeks); watch the A2P tab.",
                )
            )
        elif status != "VERIFIED":
            out.append(
                _finding(
                    "A2P-CAMPAIGN-PENDING",
                    severity="warning",
                    subject=f"{c.get('sid') or ''} {status or 'no status'}".strip(),
                    effect="Twilio reports a status this tool does not know; until it is "
                    "VERIFIED, US traffic from long codes is blocked (Twilio 30034).",
                    fix="Check the campaign in the Twilio Console.",
                )
            )
    if c is not None and f.brand is not None and f.brand.get("status") != "APPROVED":
        # 30991: "The Brand of this Campaign is in an unverified status."
        reason = f.brand.get("failure_reason")
        out.append(
            _finding(
                "A2P-BRAND-NOT-APPROVED",
                subject=f"{f.brand.get('sid') or ''} {f.brand.get('status') or ''}".strip(),
                effect="No campaign under this brand can be verified, so US traffic from long "
                "codes stays blocked (Twilio 30991, then 30034).",
                fix="Correct the brand's customer profile and resubmit the brand.",
                details=(str(reason),) if reason else (),
            )
        )
    if c is not None:
        usecase = str(f.service.get("usecase") or "")
        code = str(c.get("us_app_to_person_usecase") or "")
        fits = USECASE_FITS.get(usecase)
        if fits is not None and code and code not in fits | ANY_USECASE:
            out.append(
                _finding(
                    "A2P-USECASE-MISMATCH",
                    subject=f"service {usecase} / campaign {code}",
                    effect="Traffic keeps its campaign, but Twilio refuses to register or "
                    "update a campaign that does not fit the service (Twilio 21719); carriers "
                    "filter messages that do not match the campaign's use case.",
                    fix="Change the service's use case to match the campaign, or register a "
                    "campaign from GET …/Compliance/Usa2p/Usecases. (Which use cases fit is "
                    "this tool's rule: Twilio publishes no table.)",
                )
            )
    return out


def _campaign_errors(c: Mapping[str, Any]) -> list[str]:
    out = []
    for e in c.get("errors") or []:
        if isinstance(e, Mapping):
            code = e.get("error_code")
            line = str(e.get("description") or "Rejected")
            if code:
                line += f" (Twilio {code})"
            out.append(line)
        else:
            out.append(str(e))
    return out


def check_tollfree(f: Facts) -> list[Finding]:
    """30032: "This error is returned when you send a message from a Toll-Free number to a
    mobile subscriber in the United States or Canada before Toll-Free Verification is
    approved." Other countries are not affected."""
    out: list[Finding] = []
    effect = "Messages from it to US and Canadian phones are blocked (Twilio 30032)."
    if f.verifications is None:
        return out
    for m in toll_free_numbers(f):
        number = _number(m)
        v = f.verifications.get(str(m.get("sid") or ""))
        status = None if v is None else str(v.get("status") or "")
        if v is None:
            out.append(
                _finding(
                    "TF-UNVERIFIED",
                    subject=number,
                    effect=effect,
                    fix="Submit a toll-free verification for this number (Console → Messaging "
                    "→ Regulatory Compliance, or POST /v1/Tollfree/Verifications).",
                )
            )
        elif status in tollfree.PENDING:
            out.append(
                _finding(
                    "TF-PENDING",
                    subject=f"{number} {status}",
                    effect=effect,
                    fix="Wait for the review; `services tollfree` shows its status.",
                )
            )
        elif status == tollfree.REJECTED:
            window = ""
            if v.get("edit_allowed"):
                until = v.get("edit_expiration") or "the deadline"
                window = f" Twilio allows an edit until {until}."
            out.append(
                _finding(
                    "TF-REJECTED",
                    subject=number,
                    effect=effect,
                    fix="Address the reasons and resubmit the verification "
                    "(update it with an EditReason when edits are allowed)." + window,
                    details=tuple(tollfree.rejection_lines(v)),
                )
            )
    return out


def url_host_problem(url: str) -> tuple[str, str] | None:
    """("private"|"bad", why) when Twilio can never reach the URL's host."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return "bad", "the URL cannot be read"
    if not host:
        return "bad", "the URL has no host"
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return "private", f"{host} is this machine or the local network"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None:
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified:
            return "private", f"{host} is a private or local address"
        return None
    # RFC 2606 reserves these: they never resolve on the public internet.
    if host.endswith((".example", ".test", ".invalid")) or host in (
        "example",
        "test",
        "invalid",
    ):
        return "bad", f"{host} is a reserved name that never resolves"
    for domain in ("example.com", "example.net", "example.org"):
        if host == domain or host.endswith("." + domain):
            return "bad", f"{host} is a reserved example domain"
    return None


_URL_FIELDS = (
    ("inbound_request_url", "Incoming webhook URL"),
    ("fallback_url", "Fallback URL"),
    ("status_callback", "Status callback URL"),
)


def check_integration(f: Facts) -> list[Finding]:
    s = f.service
    out: list[Finding] = []
    defer = bool(s.get("use_inbound_webhook_on_number"))
    inbound = str(s.get("inbound_request_url") or "")
    fallback = str(s.get("fallback_url") or "")
    if not defer and not inbound:
        # spec: "When this property is `null`, receiving inbound messages is disabled."
        two_way = s.get("usecase") in ("discussion", "poll") or bool(fallback)
        out.append(
            _finding(
                "INT-WEBHOOK-NO-URL",
                severity="warning" if two_way else "info",
                effect="Outgoing messages are unaffected; replies (and STOP/HELP) never reach "
                "your application: receiving is disabled.",
                fix="Set the incoming webhook URL, or defer to each sender's own webhook.",
                setting={"use_inbound_webhook_on_number": True},
            )
        )
    for name, label in _URL_FIELDS:
        url = str(s.get(name) or "")
        if not url or (defer and name != "status_callback"):
            continue  # deferring: the numbers' own webhooks replace these two
        problem = url_host_problem(url)
        if url.lower().startswith("http://"):
            # "Twilio doesn't send webhooks to HTTP endpoints … unless explicitly configured
            # for development."
            out.append(
                _finding(
                    "INT-HTTP-PLAIN",
                    subject=label,
                    effect="Twilio may refuse to call it, and what it sends travels unencrypted.",
                    fix="Serve it over https:// with a certificate from a public CA.",
                    setting=None if problem else {name: "https://" + url[len("http://") :]},
                )
            )
        if problem is not None:
            kind, why = problem
            out.append(
                _finding(
                    "INT-PRIVATE-HOST" if kind == "private" else "INT-BAD-HOST",
                    subject=label,
                    effect=f"Every call to it fails ({why}); "
                    + (
                        "Twilio 11205."
                        if kind == "private"
                        else "Twilio 11210 (the host cannot be resolved)."
                    ),
                    fix="Use a public hostname Twilio can reach (or a tunnel while developing).",
                )
            )
    if not s.get("status_callback"):
        # "Twilio will immediately set the message's status to 'accepted' … Any delivery
        # errors will be sent asynchronously to your StatusCallbackURL."
        out.append(
            _finding(
                "INT-NO-STATUS-CALLBACK",
                effect="Failures after 'accepted' (21703, 30034, 30032…) reach nobody.",
                fix="Set a status callback URL, or poll each message's status.",
            )
        )
    if not defer and inbound and fallback and inbound == fallback:
        out.append(
            _finding(
                "INT-FALLBACK-SAME",
                subject=fallback,
                effect="When the inbound URL fails, the fallback fails the same way: the "
                "fallback never helps.",
                fix="Point the fallback at another host (static TwiML, a Twilio Function), or "
                "clear it.",
                setting={"fallback_url": ""},
            )
        )
    return out


def check_features(f: Facts) -> list[Finding]:
    s = f.service
    out: list[Finding] = []
    usecase = s.get("usecase")
    if usecase in ("discussion", "poll") and not s.get("sticky_sender"):
        # "Sticky Sender makes sure the same From phone number is selected when sending
        # messages via Messaging Services a particular recipient."
        out.append(
            _finding(
                "FEAT-STICKY-OFF",
                subject=f"use case {usecase}",
                effect="Messages are sent, but one conversation can hop between numbers: "
                "replies and STOPs land on different senders.",
                fix="Turn Sticky Sender on.",
                setting={"sticky_sender": True},
            )
        )
    if s.get("fallback_to_long_code") and not long_codes(f):
        # spec: "[OBSOLETE] Former feature used to fallback to long code sender after certain
        # short code message failures."
        out.append(
            _finding(
                "FEAT-FALLBACK-NO-LONG-CODE",
                effect="A short code failure has no long code to fall back to (and Twilio "
                "marks the feature obsolete): the message fails.",
                fix="Add a long code to the pool, or turn the setting off.",
                setting={"fallback_to_long_code": False},
            )
        )
    areas = {
        str(m.get("phone_number"))[2:5]
        for m in long_codes(f)
        if str(m.get("phone_number") or "").startswith("+1") and _country(m) in NANP
    }
    if s.get("area_code_geomatch") and len(areas) == 1:
        out.append(
            _finding(
                "FEAT-GEOMATCH-ONE-AREA",
                subject=f"area code {next(iter(areas))}",
                effect="Nothing fails, but with one area code there is nothing to match: "
                "every message comes from the same number.",
                fix="Add numbers in your recipients' area codes, or turn geomatch off.",
                setting={"area_code_geomatch": False},
            )
        )
    if s.get("smart_encoding") is False:
        # "when a message contains even a single Unicode character, it gets segmented at 70
        # characters instead of the normal 160 characters."
        out.append(
            _finding(
                "FEAT-SMART-ENCODING-OFF",
                effect="A smart quote or long dash turns a message into UCS-2: more segments, "
                "higher cost, and a slower queue.",
                fix="Turn Smart Encoding on.",
                setting={"smart_encoding": True},
            )
        )
    validity = s.get("validity_period")
    seconds = VALIDITY_MAX if validity in (None, "") else _int(validity)
    if seconds is None or not 1 <= seconds <= VALIDITY_MAX:
        out.append(
            _finding(
                "FEAT-VALIDITY-RANGE",
                subject=f"validity period {validity}",
                effect="Twilio refuses it (21624): sends with it fail.",
                fix="Set a validity period from 1 to 36000 seconds.",
                setting={"validity_period": VALIDITY_MAX},
            )
        )
        return out
    rate = pool_mps(f)
    if rate > 0 and seconds * rate < REFERENCE_BURST:
        # 30036: "Your sender throughput or messaging rate limits caused messages to queue
        # longer than the configured `ValidityPeriod`."
        needed = min(VALIDITY_MAX, math.ceil(REFERENCE_BURST / rate))
        sendable = int(seconds * rate)
        out.append(
            _finding(
                "FEAT-VALIDITY-QUEUE",
                subject=f"{seconds} s at {rate:g} segments/s",
                effect=f"Of a burst of {REFERENCE_BURST:,} segments only {sendable:,} go out "
                f"within the validity period; the rest expire unsent (Twilio 30036).",
                fix=f"Raise the validity period to at least {needed} s, add senders, or pace "
                "sends.",
                setting={"validity_period": needed},
            )
        )
    return out


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_messages(f: Facts) -> list[Finding]:
    if not f.failures:
        return []
    total = sum(f.failures.values())
    details = []
    for code, count in sorted(f.failures.items(), key=lambda kv: (-kv[1], kv[0] or 0)):
        words = f.failure_words.get(code, "") if code is not None else "no error code given"
        details.append(f"{count} x " + (f"{code}: {words}" if code is not None else words))
    return [
        _finding(
            "MSG-FAILURES",
            subject=f"{_plural(total, 'message')} in {f.failures_window or 'recent messages'}",
            effect="These messages were not delivered.",
            fix="Read each code's words below; most are fixed by the checks above.",
            details=tuple(details),
        )
    ]


RULES: tuple[Callable[[Facts], list[Finding]], ...] = (
    check_pool,
    check_a2p,
    check_tollfree,
    check_integration,
    check_features,
    check_messages,
)


def examine(f: Facts) -> list[Finding]:
    """Every finding for one service, worst first (stable within a severity)."""
    found = [finding for rule in RULES for finding in rule(f)]
    return sorted(found, key=lambda x: _RANK[x.severity])


def worst(findings: Iterable[Finding]) -> str:
    """ "error", "warning" or "ok" (info alone is healthy)."""
    ranks = {x.severity for x in findings}
    if "error" in ranks:
        return "error"
    if "warning" in ranks:
        return "warning"
    return "ok"


def mark(findings: Iterable[Finding]) -> str:
    return MARKS[worst(findings)]


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    out: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for x in findings:
        out[x.severity] += 1
    return out
