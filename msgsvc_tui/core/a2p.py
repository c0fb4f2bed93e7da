"""A2P 10DLC campaigns (Compliance/Usa2p), brands and link shortening, away from widgets:
the campaign's fields with the spec's rules, status words, and errors explained.

One catalogue feeds the campaign form, its inline checks, the client's body and the
emulator's checks, as fields.py does for a service. Limits are the spec's own words
(CreateUsAppToPerson in twilio_messaging_v1.json): "Min length: 40 characters. Max length:
4096 characters." and so on, quoted beside each.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from msgsvc_tui.core import fields

Json = dict[str, Any]
Kind = Literal["text", "bool", "list", "url", "samples"]

CAMPAIGN_PREFIX = "QE"
BRAND_PREFIX = "BN"
_KEYWORD = re.compile(r"^[A-Za-z0-9]+\Z")  # "Values must be alphanumeric."
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\Z", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # newlines stay: flows span lines


@dataclass(frozen=True)
class CampaignField:
    name: str  # JSON name: "message_flow"
    param: str  # form parameter: "MessageFlow"
    kind: Kind
    label: str
    help: str
    required: bool = False  # on create
    updatable: bool = False  # accepted by UpdateUsAppToPerson
    min_len: int = 0
    max_len: int = 0


FIELDS: tuple[CampaignField, ...] = (
    CampaignField(
        "description",
        "Description",
        "text",
        "Description",
        "What the campaign sends, 40-4096 characters",
        required=True,
        updatable=True,
        min_len=40,
        max_len=4096,
    ),
    CampaignField(
        "message_flow",
        "MessageFlow",
        "text",
        "Message flow",
        "How people opt in (every way), 40-2048 characters",
        required=True,
        updatable=True,
        min_len=40,
        max_len=2048,
    ),
    CampaignField(
        "message_samples",
        "MessageSamples",
        "samples",
        "Samples",
        "2 to 5 sample messages, 20-1024 characters each",
        required=True,
        updatable=True,
        min_len=20,
        max_len=1024,
    ),
    CampaignField(
        "has_embedded_links",
        "HasEmbeddedLinks",
        "bool",
        "Has links",
        "Messages contain links",
        required=True,
        updatable=True,
    ),
    CampaignField(
        "has_embedded_phone",
        "HasEmbeddedPhone",
        "bool",
        "Has phone",
        "Messages contain phone numbers",
        required=True,
        updatable=True,
    ),
    CampaignField(
        "opt_in_message",
        "OptInMessage",
        "text",
        "Opt-in message",
        "Reply to an opt-in keyword, 20-320 characters",
        min_len=20,
        max_len=320,
    ),
    CampaignField(
        "opt_out_message",
        "OptOutMessage",
        "text",
        "Opt-out message",
        "Reply to an opt-out keyword, 20-320 characters",
        min_len=20,
        max_len=320,
    ),
    CampaignField(
        "help_message",
        "HelpMessage",
        "text",
        "Help message",
        "Reply to a help keyword, 20-320 characters",
        min_len=20,
        max_len=320,
    ),
    CampaignField(
        "opt_in_keywords",
        "OptInKeywords",
        "list",
        "Opt-in keywords",
        "Comma-separated, alphanumeric, 255 characters at most",
        max_len=255,
    ),
    CampaignField(
        "opt_out_keywords",
        "OptOutKeywords",
        "list",
        "Opt-out keywords",
        "Comma-separated, alphanumeric, 255 characters at most",
        max_len=255,
    ),
    CampaignField(
        "help_keywords",
        "HelpKeywords",
        "list",
        "Help keywords",
        "Comma-separated, alphanumeric, 255 characters at most",
        max_len=255,
    ),
    CampaignField(
        "subscriber_opt_in", "SubscriberOptIn", "bool", "Subscriber opt-in", "Subscribers opt in"
    ),
    CampaignField(
        "age_gated", "AgeGated", "bool", "Age gated", "Age-gated content", updatable=True
    ),
    CampaignField(
        "direct_lending",
        "DirectLending",
        "bool",
        "Direct lending",
        "Direct lending or loan arrangement",
        updatable=True,
    ),
    CampaignField(
        "privacy_policy_url",
        "PrivacyPolicyUrl",
        "url",
        "Privacy policy URL",
        "https://…",
        updatable=True,
    ),
    CampaignField(
        "terms_and_conditions_url",
        "TermsAndConditionsUrl",
        "url",
        "Terms URL",
        "https://…",
        updatable=True,
    ),
)
BY_NAME = {f.name: f for f in FIELDS}
BY_PARAM = {f.param: f for f in FIELDS}
# UpdateUsAppToPerson requires every one of these (the spec marks them required there).
UPDATE_REQUIRED = (
    "has_embedded_links",
    "has_embedded_phone",
    "message_samples",
    "message_flow",
    "description",
    "age_gated",
    "direct_lending",
)
SAMPLES_MIN, SAMPLES_MAX = 2, 5  # "min two and max five"

# Campaign statuses (the spec: "Examples: IN_PROGRESS, VERIFIED, FAILED"; the list example
# also shows PENDING) in words, and whether the service can send to the US.
STATUS_WORDS = {
    "IN_PROGRESS": "in review — cannot send to US numbers yet",
    "PENDING": "pending — cannot send to US numbers yet",
    "VERIFIED": "verified — sends to US numbers",
    "FAILED": "failed — fix the errors and submit a new campaign",
}
# A short mark for the services list: what a glance needs.
STATUS_MARKS = {
    "IN_PROGRESS": "…",
    "PENDING": "…",
    "VERIFIED": "✓",
    "FAILED": "✗",
    "NONE": "·",
}


def status_words(status: str | None) -> str:
    if not status:
        return "no campaign — cannot send to US numbers over 10DLC"
    return STATUS_WORDS.get(status, status)


def registered(campaign: Mapping[str, Any] | None) -> bool:
    """A service is registered for A2P when its campaign is verified."""
    return bool(campaign) and (campaign or {}).get("campaign_status") == "VERIFIED"


def explain_errors(campaign: Mapping[str, Any]) -> list[str]:
    """The campaign's `errors` as lines people read: what, which fields, the code's page."""
    out = []
    for e in campaign.get("errors") or []:
        if not isinstance(e, Mapping):
            out.append(str(e))
            continue
        where = ", ".join(str(f).replace("_", " ").lower() for f in e.get("fields") or [])
        line = f"{e.get('description') or 'Rejected'}"
        if where:
            line += f" (fields: {where})"
        code = e.get("error_code")
        if code:
            line += f" — Twilio {code}"
        if e.get("url"):
            line += f" {e['url']}"
        out.append(line)
    return out


# ---- values: parse, check, encode --------------------------------------------------------
def parse_keywords(text: str) -> list[str]:
    return [k.strip() for k in text.split(",") if k.strip()]


def field_problem(f: CampaignField, value: Any) -> str | None:
    """Why `value` cannot be `f`, or None. Empty optional values are fine."""
    if f.kind == "bool":
        if not isinstance(value, bool):
            return f"{f.label} must be yes or no"
        return None
    if f.kind == "samples":
        samples = [s for s in (value or []) if isinstance(s, str)]
        if not SAMPLES_MIN <= len(samples) <= SAMPLES_MAX:
            return f"Give {SAMPLES_MIN} to {SAMPLES_MAX} samples (there are {len(samples)})"
        for i, s in enumerate(samples, 1):
            problem = _length_problem(f"Sample {i}", s, f.min_len, f.max_len)
            if problem:
                return problem
        return None
    if f.kind == "list":
        words = list(value or [])
        bad = [w for w in words if not _KEYWORD.match(str(w))]
        if bad:
            return f"{f.label} must be alphanumeric words: “{bad[0]}” is not"
        if len(",".join(words)) > f.max_len:
            return f"{f.label} must be at most {f.max_len} characters in all"
        return None
    text = "" if value is None else str(value)
    if not text:
        return f"{f.label} is required" if f.required else None
    if _CONTROL.search(text):
        return f"{f.label} contains control characters"
    if f.kind == "url":
        return None if _URL.match(text) else f"{f.label} must be an http(s) URL"
    return _length_problem(f.label, text, f.min_len, f.max_len)


def _length_problem(label: str, text: str, low: int, high: int) -> str | None:
    n = len(text)
    if _CONTROL.search(text):
        return f"{label} contains control characters"
    if n < low:
        return f"{label} needs at least {low} characters (it has {n})"
    if high and n > high:
        return f"{label} must be at most {high} characters (it has {n})"
    return None


def problems(
    values: Mapping[str, Any],
    *,
    creating: bool,
    usecases: Iterable[str] | None = None,
) -> dict[str, str]:
    """Every field's problem, by name (`brand_registration_sid` and
    `us_app_to_person_usecase` included when creating). Empty: good to send."""
    out: dict[str, str] = {}
    for f in FIELDS:
        if not creating and not f.updatable:
            continue
        needed = f.required or (not creating and f.name in UPDATE_REQUIRED)
        if f.name not in values or values[f.name] in (None, "", []):
            if needed and f.kind != "bool":
                out[f.name] = f"{f.label} is required"
            elif needed and f.kind == "bool":
                out[f.name] = f"{f.label}: say yes or no"
            continue
        problem = field_problem(f, values[f.name])
        if problem:
            out[f.name] = problem
    if creating:
        brand = values.get("brand_registration_sid")
        if not brand or not re.match(r"^BN[0-9a-fA-F]{32}\Z", str(brand)):
            out["brand_registration_sid"] = "Choose a brand (BN…)"
        usecase = values.get("us_app_to_person_usecase")
        allowed = list(usecases) if usecases is not None else None
        if not usecase:
            out["us_app_to_person_usecase"] = "Choose a use case"
        elif allowed is not None and usecase not in allowed:
            out["us_app_to_person_usecase"] = (
                f"“{usecase}” is not a use case this brand may register"
            )
    return out


def refusal(values: Mapping[str, Any], *, creating: bool) -> fields.ValidationError | None:
    """Every `problems` as the error Twilio's refusal becomes (each field named by its form
    parameter), or None: good to send."""
    wrong = problems(values, creating=creating)
    if not wrong:
        return None
    return fields.ValidationError(
        [
            fields.FieldError(
                name,
                BY_NAME[name].param if name in BY_NAME else name,
                fields.INVALID_PARAMETER,
                problem,
            )
            for name, problem in wrong.items()
        ]
    )


def form_body(values: Mapping[str, Any], *, creating: bool) -> list[tuple[str, str]]:
    """The form pairs Twilio takes: lists as repeated parameters, booleans as true/false."""
    pairs: list[tuple[str, str]] = []
    if creating:
        pairs.append(("BrandRegistrationSid", str(values["brand_registration_sid"])))
        pairs.append(("UsAppToPersonUsecase", str(values["us_app_to_person_usecase"])))
    for f in FIELDS:
        if f.name not in values or (not creating and not f.updatable):
            continue
        value = values[f.name]
        if value is None or value == "":
            continue
        if f.kind == "bool":
            pairs.append((f.param, "true" if value else "false"))
        elif f.kind in ("list", "samples"):
            pairs.extend((f.param, str(v)) for v in value)
        else:
            pairs.append((f.param, str(value)))
    return pairs


def from_form(form: Mapping[str, list[str]]) -> Json:
    """The emulator's side of `form_body`: parameters (all values of each) → JSON names."""
    out: Json = {}
    for param, values in form.items():
        f = BY_PARAM.get(param)
        if f is None or not values:
            continue
        if f.kind == "bool":
            out[f.name] = values[-1].lower() == "true"
        elif f.kind in ("list", "samples"):
            out[f.name] = [v for v in values if v != ""]
        else:
            out[f.name] = values[-1]
    return out


# ---- brands and link shortening, in words -------------------------------------------------
BRAND_STATUS_WORDS = {
    "APPROVED": "approved",
    "FAILED": "failed",
    "IN_REVIEW": "in review",
    "PENDING": "pending",
    "DELETION_PENDING": "being deleted",
    "DELETION_FAILED": "deletion failed",
    "SUSPENDED": "suspended",
}


def brand_line(brand: Mapping[str, Any]) -> str:
    """A brand by its business's name (`name`: its TrustHub customer profile's, when the
    client found it), then its SID, type and status."""
    status = BRAND_STATUS_WORDS.get(str(brand.get("status")), str(brand.get("status")))
    parts = [
        *([str(brand["name"])] if brand.get("name") else []),
        str(brand.get("sid")),
        str(brand.get("brand_type") or "?"),
        status,
        f"identity {str(brand.get('identity_status') or '?').lower().replace('_', ' ')}",
    ]
    if brand.get("failure_reason") and brand.get("status") == "FAILED":
        parts.append(f"reason: {brand['failure_reason']}")
    return " · ".join(parts)


def brand_can_register(brand: Mapping[str, Any]) -> str | None:
    """Why no campaign can be registered on `brand` now, or None when one can."""
    status = brand.get("status")
    if status == "APPROVED":
        return None
    words = BRAND_STATUS_WORDS.get(str(status), str(status))
    return f"The brand is {words}: only an approved brand can register a campaign"
