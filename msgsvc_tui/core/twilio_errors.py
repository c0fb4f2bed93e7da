"""Twilio's message error codes in words: a title, what it means for the user, and the page.

A Message resource carries only a number (`error_code`, e.g. 30007) and Twilio's short
`error_message`; someone watching a message fail needs to know what happened and what to do.
The CLI (`services send --wait`, `services messages`), the TUI's Messages tab and the doctor
all explain codes through this one table, so a code reads the same everywhere.

Titles are Twilio's own (each page is https://www.twilio.com/docs/api/errors/<code>); the
meanings paraphrase those pages. A code not listed still gets its page's address.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS = "https://www.twilio.com/docs/api/errors/"


@dataclass(frozen=True, slots=True)
class TwilioError:
    code: int
    title: str
    meaning: str

    @property
    def url(self) -> str:
        return f"{DOCS}{self.code}"

    def sentence(self) -> str:
        """One line for people: "30007 Message filtered: … (https://…)"."""
        return f"{self.code} {self.title}: {self.meaning} ({self.url})"


_TABLE = (
    # ---- asynchronous: a message's status turns failed/undelivered with these ----
    (30001, "Queue overflow", "the senders' queues held over 10 hours of messages; it was "
     "never sent. Send more slowly or add senders to the pool"),
    (30002, "Account suspended", "the account was suspended between queueing and sending"),
    (30003, "Unreachable destination handset", "the phone is off, out of signal or cannot "
     "take SMS right now; the carrier gave up"),
    (30004, "Message blocked", "the recipient or their carrier blocks messages from this "
     "sender (the recipient may have opted out)"),
    (30005, "Unknown destination handset", "the number is unknown to the carrier or no "
     "longer in service"),
    (30006, "Landline or unreachable carrier", "the number is a landline, or the carrier "
     "cannot be reached (for short codes: the carrier does not take short-code messages)"),
    (30007, "Message filtered", "the carrier's spam filter rejected it; check the content "
     "and register the sender (A2P 10DLC, toll-free verification)"),
    (30008, "Unknown error", "delivery failed and the carrier gave no reason"),
    (30011, "MMS not supported by the receiving phone number in this region",
     "the destination cannot take MMS; turn on the service's MMS Converter to send a link"),
    (30032, "Toll-Free Number Has Not Been Verified", "toll-free numbers must be verified "
     "before they send to the US or Canada"),
    (30034, "US A2P 10DLC - Message from an Unregistered Number", "US carriers block long "
     "codes that are not in an approved A2P 10DLC campaign"),
    (30036, "Validity Period Expired", "the message waited in the queue longer than its "
     "validity period, so Twilio did not send it"),
    (30409, "This message cannot be canceled", "only a scheduled message can be canceled, "
     "before it is sent"),
    (30410, "Provider Timeout Error", "the carrier did not answer in time; Twilio fails the "
     "message and does not retry, to avoid sending it twice"),
    # ---- synchronous: the create is refused with HTTP 400 ----
    (21211, "Invalid 'To' Phone Number", "the To number is not a valid phone number "
     "(use E.164: +14155550100)"),
    (21212, "Invalid 'From' Phone Number", "the From number is not valid"),
    (21265, "'To' number cannot be a Short Code", "messages cannot be sent to a short code"),
    (21266, "'To' and 'From' numbers cannot be the same", "a sender cannot text itself"),
    (21408, "Permission to send an SMS or MMS has not been enabled for the region indicated "
     "by the 'To' number", "turn the country on in the account's geographic permissions"),
    (21602, "Message body is required", "send a body, a media URL or a content SID"),
    (21604, "'To' phone number is required to send a Message", "give a To number"),
    (21606, "The 'From' phone number provided is not a valid message-capable Twilio phone "
     "number for this destination/account", "the sender cannot send to this destination"),
    (21610, "Attempt to send to unsubscribed recipient", "the recipient replied STOP; they "
     "must reply START before they can be messaged again"),
    (21611, "This 'From' number has exceeded the maximum number of queued messages",
     "the sender's queue holds 10 hours of messages; wait or add senders"),
    (21612, "Message cannot be sent with the current combination of 'To' and/or 'From' "
     "parameters", "no sender in the pool can reach this number"),
    (21614, "'To' number is not a valid mobile number", "the number cannot receive SMS "
     "(a landline, or not a mobile number)"),
    (21617, "The concatenated message body exceeds the 1600 character limit",
     "shorten the body (an emoji counts as two characters)"),
    (21619, "A Message Body, Media URL or Content SID is required", "send a body or media"),
    (21635, "'To' number cannot be a landline", "the recipient's number is a landline"),
    (35111, "SendAt timestamp is missing", "a scheduled message (ScheduleType fixed) needs "
     "SendAt"),
    (35114, "Scheduling does not support this timestamp", "SendAt must be between 15 "
     "minutes and 35 days in the future"),
    (35118, "MessagingServiceSid is required to schedule a message",
     "only messages sent through a Messaging Service can be scheduled"),
    (90007, "Invalid validity period value", "the validity period must be from 1 to 36,000 "
     "seconds"),
)  # fmt: skip

KNOWN: dict[int, TwilioError] = {
    code: TwilioError(code, title, meaning) for code, title, meaning in _TABLE
}


def code_of(value: object) -> int | None:
    """A code as an int, from Twilio's integer, a string of digits, or nothing."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit() and value.isascii():
        return int(value.strip()) or None
    return None


def explain(value: object) -> TwilioError | None:
    """The entry for a code, a generic one (with its page) for a code not listed, or None
    when there is no code at all."""
    code = code_of(value)
    if code is None:
        return None
    return KNOWN.get(code) or TwilioError(code, "Twilio error", "see Twilio's page for this code")


def describe(value: object) -> str:
    """The code in words for one line of output, or "" when there is none."""
    found = explain(value)
    return found.sentence() if found else ""
