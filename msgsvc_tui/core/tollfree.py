"""Toll-free verifications (Messaging v1 `/v1/Tollfree/Verifications`, SIDs HH…): statuses in
words, and which numbers are toll-free at all.

The statuses are the spec's `tollfree_verification_enum_status` (twilio_messaging_v1.json);
the resource names a phone number (`tollfree_phone_number_sid`), never a Messaging Service,
so a service's numbers are joined to their verifications by PN SID.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PREFIX = "HH"
PENDING_REVIEW = "PENDING_REVIEW"
IN_REVIEW = "IN_REVIEW"
APPROVED = "TWILIO_APPROVED"
REJECTED = "TWILIO_REJECTED"
STATUSES: tuple[str, ...] = (PENDING_REVIEW, IN_REVIEW, APPROVED, REJECTED)
PENDING = frozenset({PENDING_REVIEW, IN_REVIEW})

# https://www.twilio.com/docs/messaging/compliance/toll-free/api-onboarding — "Starting Jan
# 31, 2024, a Twilio Toll-free number cannot send messages until the verification has been
# approved."
STATUS_WORDS = {
    PENDING_REVIEW: "submitted, waiting for review — cannot send to US/Canada yet",
    IN_REVIEW: "in review — cannot send to US/Canada yet",
    APPROVED: "approved — sends to US/Canada",
    REJECTED: "rejected — fix the reasons and resubmit",
}

# North American toll-free area codes (the NANP's 8XX codes in service):
# https://support.twilio.com/hc/en-us/articles/4411046744987-Toll-Free-SMS-and-MMS-messaging-throughput-MPS
# speaks of "Toll-Free numbers in the United States (+1 country code)"; these are the codes.
TOLL_FREE_NPAS = frozenset({"800", "833", "844", "855", "866", "877", "888"})


def status_words(status: str | None) -> str:
    if not status:
        return "no verification — cannot send to US/Canada"
    return STATUS_WORDS.get(status, str(status))


def is_toll_free(number: str | None) -> bool:
    """+1 8XX numbers in the toll-free codes."""
    if not number or not number.startswith("+1") or len(number) != 12:
        return False
    return number[2:5] in TOLL_FREE_NPAS


def latest_by_number(verifications: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The newest verification of each toll-free number (PN SID → verification): a rejected
    request resubmitted leaves two, and the newer one is what Twilio acts on."""
    out: dict[str, Mapping[str, Any]] = {}
    for v in verifications:
        pn = v.get("tollfree_phone_number_sid")
        if not isinstance(pn, str):
            continue
        held = out.get(pn)
        if held is None or str(v.get("date_updated") or "") >= str(held.get("date_updated") or ""):
            out[pn] = v
    return out


def rejection_lines(verification: Mapping[str, Any]) -> list[str]:
    """Why it was rejected, in Twilio's words: `rejection_reasons` (code + reason) when given,
    else `rejection_reason` and `error_code`."""
    out: list[str] = []
    for r in verification.get("rejection_reasons") or []:
        if isinstance(r, Mapping):
            code = r.get("error_code")
            reason = r.get("reason") or "rejected"
            out.append(f"{reason}" + (f" (Twilio {code})" if code else ""))
        else:
            out.append(str(r))
    if not out and verification.get("rejection_reason"):
        code = verification.get("error_code")
        out.append(str(verification["rejection_reason"]) + (f" (Twilio {code})" if code else ""))
    return out
