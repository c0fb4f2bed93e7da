"""What a Messaging Service does with a message, played on the emulator's clock.

Create: checked as Twilio checks it (synchronous 400s), then the sender is chosen
(emulator/selection.py), the body encoded and counted (core/segments.py, the composer's own
rules), and the message put in its sender's queue; the queue says when it goes out, so the
whole timeline is known at once and kept as the message's `plan`. `advance()` applies what
is due on the clock — before every request, and on a ticker when the clock is real — and
sends each change to the status callback.

Statuses: "For unscheduled messages to be sent with a Messaging Service, [accepted] is the
initial Status value", then queued, sending, sent, delivered or undelivered, or failed
(https://www.twilio.com/docs/messaging/api/message-resource#message-status-values and
https://www.twilio.com/docs/messaging/guides/outbound-message-status-in-status-callbacks).
Choices where the docs are silent are in the README's emulator section.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from msgsvc_tui.core import fields, segments
from msgsvc_tui.emulator import selection
from msgsvc_tui.emulator.db import EmulatorError, new_sid
from msgsvc_tui.emulator.selection import US_CA, Sender
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.webhooks import Webhooks
from msgsvc_tui.emulator.wire import boolean

API_VERSION = "2010-04-01"
INVALID = 21211
# "queue can hold up to 10 hours' worth of message segments based on the sending rate"
# (https://support.twilio.com/hc/en-us/articles/115002943027-Understanding-Twilio-Rate-Limits-and-Message-Queues);
# past it a service's message "will instead fail after creation with error 30001"
# (https://www.twilio.com/docs/api/errors/21611).
QUEUE_SECONDS = 10 * 3600
# Validity: "Accepted values are integers from `1` to `36000`. Default value is `36000`."
# (the spec's CreateMessage ValidityPeriod); 90007 outside (https://www.twilio.com/docs/api/errors/90007)
VALIDITY_MIN, VALIDITY_MAX = 1, 36_000
# A message's ValidityPeriod and StatusCallback are named as a service's are (the catalogue's).
VALIDITY_PARAM, CALLBACK_PARAM = (
    str(fields.get(name).param) for name in ("validity_period", "status_callback")
)
# SendAt "must be between 900 seconds and 35 days (3024000 seconds) in the future, inclusive"
# (https://www.twilio.com/docs/api/errors/35114)
SCHEDULE_MIN, SCHEDULE_MAX = 900, 3_024_000
# A carrier's delivery receipt after the message is sent: the docs give no figure.
DELIVERY_SECONDS = 2.0
PRICE_PER_SEGMENT = {"domestic": "0.00790", "international": "0.04000"}  # emulator's own
MAX_MEDIA = 10  # "up to 10 MediaUrl" (the spec's MediaUrl)
MAX_REPLIES = 10  # "You can send a maximum of 10 TwiML replies" (https://www.twilio.com/docs/api/errors/14109)

# Twilio's test credentials' magic `To` numbers (https://www.twilio.com/docs/iam/test-credentials):
# refused at once, with their codes.
MAGIC_TO: dict[str, tuple[int, str]] = {
    "+15005550001": (21211, "The 'To' number +15005550001 is not a valid phone number."),
    "+15005550002": (21612, "Twilio cannot route to this number."),
    "+15005550003": (21408, "Permission to send an SMS has not been enabled for the region."),
    "+15005550004": (21610, "Attempt to send to unsubscribed recipient"),
    "+15005550009": (21614, "'To' number is not a valid mobile number"),
}
# The emulator's own demo destinations for what only a carrier can tell (README):
# +1 500 555 30NN ends undelivered with 300NN.
DESIGNATED_UNDELIVERED = {f"+150055530{n:02d}": 30000 + n for n in (3, 4, 5, 6, 7, 8)}
# +1 500 555 3000: sent, and the carrier never sends a delivery receipt (the status stays
# `sent`: "The nearest upstream carrier accepted the outbound message", nothing after)
NO_RECEIPT = "+15005553000"
# "STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT" opt out, "START, YES, UNSTOP" opt back in
# (https://help.twilio.com/articles/223134027)
OPT_OUT = frozenset(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"])
OPT_IN = frozenset(["START", "YES", "UNSTOP"])
_E164 = re.compile(r"^\+[1-9][0-9]{1,14}\Z")
_CHANNEL = re.compile(r"^whatsapp:\+[1-9][0-9]{1,14}\Z")
TERMINAL = frozenset({"delivered", "undelivered", "failed", "received", "canceled"})


def rate(sender: Sender, to_country: str | None) -> float:
    """Segments per second a sender sends at (Twilio's defaults).

    US/CA long code to US/CA: 1 ("a single message will be released every 3 seconds" for 3
    segments, http://www.twilio.com/help/faq/sms/how-quickly-can-i-send-sms-messages);
    toll-free 3 (https://support.twilio.com/hc/en-us/articles/4411046744987); short code 100
    (https://support.twilio.com/hc/en-us/articles/223182068-What-is-a-short-code-);
    anything else 10 ("Outside of the US, it's typically 10", Best Practices at scale).
    """
    if sender.kind == "short_code":
        return 100.0
    if sender.kind == "toll_free":
        return 3.0
    if sender.kind == "long_code" and sender.country in US_CA and to_country in US_CA:
        return 1.0
    return 10.0


def flag(value: str | None, param: str) -> bool | None:
    """An optional boolean: absent is None, else the one rule every resource has."""
    if value is None or value == "":
        return None
    return boolean(param, value)


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%y%m%d%H%M")


def _short_link(sid: str) -> str:
    """The MMS converter's link: "`https://p.twil.io/` followed by seven unique characters"."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    digest = hashlib.sha256(sid.encode()).digest()
    return "https://p.twil.io/" + "".join(letters[b % len(letters)] for b in digest[:7])


class Messaging:
    def __init__(self, store: Store, webhooks: Webhooks) -> None:
        self.store = store
        self.webhooks = webhooks
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()

    # ---- create ---------------------------------------------------------------------------
    def create(self, account_sid: str, form: Mapping[str, list[str]]) -> sqlite3.Row:
        """A new outbound message from the API's form, or Twilio's 400."""

        def one(name: str) -> str | None:
            values = form.get(name)
            return values[-1] if values else None

        to = (one("To") or "").strip()
        if not to:
            raise EmulatorError(400, 21604, "A 'To' phone number is required.")
        if to in MAGIC_TO:
            code, message = MAGIC_TO[to]
            raise EmulatorError(400, code, message)
        if not (_E164.match(to) or _CHANNEL.match(to)):
            raise EmulatorError(
                400, INVALID, f"The 'To' number {to[:40]} is not a valid phone number."
            )
        service_sid = one("MessagingServiceSid") or None
        from_ = one("From") or None
        if service_sid is None and from_ is None:
            raise EmulatorError(400, 21603, "A 'From' phone number is required.")
        service: dict[str, Any] = {}
        if service_sid is not None:
            try:
                service = self.store.get_service(account_sid, service_sid)
            except EmulatorError:
                # 21701 "The Messaging Service does not exist" (https://www.twilio.com/docs/api/errors/21701)
                raise EmulatorError(
                    400, 21701, f"The Messaging Service {service_sid[:40]} does not exist"
                ) from None
            if self.store.opted_out(service_sid, to):
                raise EmulatorError(400, 21610, "Attempt to send to unsubscribed recipient")
        body = one("Body") or ""
        media = [u for u in form.get("MediaUrl", []) if u]
        if not body and not media:
            code = 21619 if service_sid else 21602
            raise EmulatorError(400, code, "A text message body or media urls must be specified.")
        if len(media) > MAX_MEDIA:
            raise EmulatorError(400, 21623, f"Too many media URLs: at most {MAX_MEDIA}")
        if segments.utf16_units(body) > segments.MAX_BODY_UNITS:
            raise EmulatorError(
                400, 21617, "The concatenated message body exceeds the 1600 character limit."
            )
        validity = int(service.get("validity_period") or VALIDITY_MAX)
        raw_validity = one(VALIDITY_PARAM)  # the same name as a service's
        if raw_validity:
            if not raw_validity.isdigit() or not VALIDITY_MIN <= int(raw_validity) <= VALIDITY_MAX:
                raise EmulatorError(
                    400, 90007, "Invalid validity period value: between 1 and 36,000 seconds"
                )
            validity = int(raw_validity)  # the message's own wins over the service's
        smart = flag(one("SmartEncoded"), "SmartEncoded")
        now = self.store.clock()
        send_at = self._send_at(one("ScheduleType"), one("SendAt"), service_sid, now)
        callback = one(CALLBACK_PARAM) or service.get("status_callback") or None
        sid = new_sid("MM" if media else "SM")
        values: dict[str, Any] = {
            "sid": sid,
            "account_sid": account_sid,
            "service_sid": service_sid,
            "direction": "outbound-api",
            "to_addr": to,
            "from_addr": None,
            "body": body,
            "media": media,
            "num_media": len(media),
            "num_segments": 0,
            "status": "scheduled" if send_at else ("accepted" if service_sid else "queued"),
            "created": now,
            "updated": now,
            "validity": validity,
            "status_callback": callback,
            "send_at": send_at,
            "plan": [],
            "why": None,
        }
        with self.store.lock, self.store.tx() as db:
            if send_at is not None:
                values["plan"] = [[send_at, "select", None]]
                values["next_at"] = send_at
                why = {"why": "scheduled: the sender is chosen when it is sent", "smart": smart}
                values["why"] = json.dumps(why)
                self.store.insert_message(db, values)
            else:
                if from_ is not None:
                    self._fixed_sender(account_sid, service_sid, from_)
                self.store.insert_message(db, values)
                self._select(db, account_sid, sid, now, fixed_from=from_, smart=smart)
        return self.store.get_message(account_sid, sid)

    def _send_at(
        self, schedule: str | None, send_at: str | None, service_sid: str | None, now: float
    ) -> float | None:
        """Scheduling's rules (https://www.twilio.com/docs/messaging/features/message-scheduling)."""
        if not schedule and not send_at:
            return None
        if schedule != "fixed":
            raise EmulatorError(400, 35126, "ScheduleType must be 'fixed' to schedule a message")
        if not send_at:
            raise EmulatorError(
                400, 35111, "You must indicate SendAt timestamp if ScheduleType is 'fixed'"
            )
        if service_sid is None:
            raise EmulatorError(400, 35118, "MessagingServiceSid is required to schedule a message")
        try:
            moment = datetime.fromisoformat(send_at.replace("Z", "+00:00"))
        except ValueError:
            raise EmulatorError(400, 35114, f"Invalid SendAt: {send_at[:40]!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        delta = moment.timestamp() - now
        if not SCHEDULE_MIN <= delta <= SCHEDULE_MAX:
            raise EmulatorError(
                400,
                35114,
                "SendAt time must be between 900 seconds and 35 days (3024000 seconds) in the"
                " future, inclusive",
            )
        return moment.timestamp()

    def _fixed_sender(self, account_sid: str, service_sid: str | None, from_: str) -> None:
        """A `From` beside the service turns selection off: "specify both a
        `MessagingServiceSid` and `From` sender" (https://www.twilio.com/docs/messaging/services);
        it must be the account's and, with a service, in its pool (21606)."""
        row = self.store.number_by_value(account_sid, from_)
        if row is None or (service_sid is not None and row["service_sid"] != service_sid):
            raise EmulatorError(
                400,
                21606,
                f"The 'From' phone number provided ({from_[:40]}) is not a valid message-capable"
                " Twilio phone number for this destination/account",
            )

    # ---- the pool ---------------------------------------------------------------------------
    def pool(self, service_sid: str) -> list[Sender]:
        rows = self.store.pool_rows(service_sid)
        out: list[Sender] = []
        order = 0
        for r in rows["numbers"]:
            caps = set(json.loads(r["capabilities"]))
            if not caps & {"SMS", "MMS"}:
                continue
            order += 1
            if r["kind"] == "short_codes":
                kind: selection.SenderKind = "short_code"
            elif selection.npa_of(r["value"]) in selection.TOLL_FREE_NPAS:
                kind = "toll_free"
            else:
                kind = "long_code"
            out.append(Sender(r["sid"], r["value"], kind, r["country_code"], "MMS" in caps, order))
        for r in rows["alpha"]:
            order += 1
            out.append(Sender(r["sid"], r["alpha_sender"], "alpha", None, False, order))
        for r in rows["country_alpha"]:
            order += 1
            country = r["iso_country_code"]
            out.append(Sender(r["sid"], r["alpha_sender"], "alpha", country, False, order))
        for r in rows["channel"]:
            order += 1
            out.append(Sender(r["sid"], r["sender_id"], "channel", r["country_code"], True, order))
        return out

    # ---- selection and the queue ------------------------------------------------------------
    def _select(
        self,
        db: sqlite3.Connection,
        account_sid: str,
        sid: str,
        at: float,
        *,
        fixed_from: str | None = None,
        smart: bool | None = None,
    ) -> None:
        """Choose the sender at `at`, encode, queue: the message's whole plan."""
        row = self.store.get_message(account_sid, sid)
        to = row["to_addr"]
        to_country = selection.country_of(to.removeprefix("whatsapp:"))
        service_sid = row["service_sid"]
        service = self.store.get_service(account_sid, service_sid) if service_sid else {}
        pool = self.pool(service_sid) if service_sid else []
        media = json.loads(row["media"])
        if fixed_from is not None:
            number = self.store.number_by_value(account_sid, fixed_from)
            assert number is not None
            found = (
                [s for s in self.pool(number["service_sid"]) if s.key == number["sid"]]
                if number["service_sid"]
                else []
            )
            given = (
                found[0]
                if found
                else Sender(number["sid"], fixed_from, "long_code", number["country_code"], True, 0)
            )
            choice = selection.Choice(given, f"From {fixed_from} given: no selection")
        else:
            sticky_on = bool(service.get("sticky_sender"))
            sticky = None
            mapped = self.store.sticky_sender(service_sid, to) if sticky_on else None
            if mapped is not None:
                sticky = next((s for s in pool if s.key == mapped), None)
                if sticky is None or not selection.eligible(sticky, to, to_country):
                    self.store.drop_sticky_sender(db, service_sid, to)

            def load(s: Sender) -> tuple[float, float]:
                free_at, last_used = self.store.queue_state(s.key)
                return max(free_at - at, 0.0), last_used

            choice = selection.choose(
                pool,
                to,
                sticky=sticky,
                area_code_geomatch=bool(service.get("area_code_geomatch")),
                media=bool(media),
                load=load,
            )
            if choice.sender is not None and sticky_on:
                # the mapping is made (or refreshed) only while sticky sender is on: "If
                # Sticky Sender is turned off, your Messaging Service ignores all previously
                # established mappings. However, if you re-enable Sticky Sender, your
                # Messaging Service retains and references the previously existing mappings."
                self.store.set_sticky_sender(db, service_sid, to, choice.sender.key, at)
        notes = [choice.why]
        sender = choice.sender
        if sender is None:
            failed: list[list[Any]] = [[at, choice.status, choice.error or 21612]]
            self.store.update_message(
                db, sid, {"plan": failed, "next_at": at, "why": json.dumps({"why": choice.why})}
            )
            return
        body = row["body"]
        final_code: int | None = DESIGNATED_UNDELIVERED.get(to)
        if media and (to_country not in US_CA or not sender.mms):
            # "MMS Converter automatically delivers MMS messages as SMS text messages when the
            # carrier doesn't support receiving Twilio MMS Messages … appends the shortened URL
            # link (`https://p.twil.io/` followed by seven unique characters) to the end of
            # the message body" (https://www.twilio.com/docs/messaging/services#mms-converter)
            if service.get("mms_converter"):
                body = f"{body} {_short_link(sid)}".strip()
                media = []
                notes.append("MMS converter: sent as SMS with a link to the media")
            else:
                final_code = 30011
                notes.append("MMS to a destination without MMS and the MMS converter off")
        use_smart = smart if smart is not None else bool(service.get("smart_encoding"))
        tollfree_us = sender.kind == "toll_free" and to_country in US_CA
        seg = segments.segment(body, smart_encoding=use_smart, tollfree_to_us_ca=tollfree_us)
        count = 1 if media else max(seg.segments, 1)
        mps = rate(sender, to_country)
        free_at, _ = self.store.queue_state(sender.key)
        start = max(at, free_at)
        created = row["created"] if row["send_at"] is None else row["send_at"]
        plan: list[list[Any]] = [[at, "queued", None]]
        if start - at > QUEUE_SECONDS:
            plan.append([at, "failed", 30001])
            notes.append(f"queue of {sender.address} holds over 10 hours")
        elif start - created > row["validity"]:
            # "When the time elapsed since the message was submitted exceeds
            # `ValidityPeriod`, Twilio does not send the message."
            # (https://www.twilio.com/docs/api/errors/30036) - found when it reaches the
            # head of its sender's queue; it takes no turn in it
            plan.append([start, "failed", 30036])
            self.store.set_queue_state(db, sender.key, free_at, at)
        else:
            done = start + count / mps
            self.store.set_queue_state(db, sender.key, done, at)
            plan += [[start, "sending", None], [done, "sent", None]]
            final = "undelivered" if final_code else "delivered"
            if to != NO_RECEIPT:
                plan.append([done + DELIVERY_SECONDS, final, final_code])
        why = {
            "why": "; ".join(notes),
            "sender": sender.address,
            "sender_kind": sender.kind,
            "rate_segments_per_second": mps,
            "queued_behind_seconds": round(start - at, 3),
            "encoding": seg.encoding,
            "smart_encoding": use_smart,
            "replacements": [list(p) for p in seg.replacements],
        }
        self.store.update_message(
            db,
            sid,
            {
                "from_addr": sender.address,
                "sender_key": sender.key,
                "body": row["body"],
                "media": json.dumps(media),
                "num_media": len(media),
                "num_segments": count,
                "plan": plan,
                "next_at": at,
                "why": json.dumps(why),
            },
        )

    def update(self, account_sid: str, sid: str, form: Mapping[str, str]) -> sqlite3.Row:
        """`Status=canceled` cancels a scheduled message (the only status an update takes,
        the spec's message_enum_update_status; otherwise 30409 "This message cannot be
        canceled", https://www.twilio.com/docs/api/errors/30409); `Body=""` redacts it."""
        with self.store.lock:
            row = self.store.get_message(account_sid, sid)
            values: dict[str, Any] = {}
            status = form.get("Status")
            if status is not None:
                if status != "canceled":
                    raise EmulatorError(400, 30400, f"Invalid Status: {status[:20]!r}")
                if row["status"] != "scheduled":
                    raise EmulatorError(400, 30409, "This message cannot be canceled")
                values = {"status": "canceled", "plan": [], "next_at": None}
            if "Body" in form:
                if form["Body"] != "":
                    raise EmulatorError(400, 20001, "Body can only be redacted (set to empty)")
                if row["status"] not in TERMINAL:
                    raise EmulatorError(400, 20009, "Cannot redact a message still in flight")
                values["body"] = ""
            if not values:
                return row
            values["updated"] = self.store.clock()
            with self.store.tx() as db:
                self.store.update_message(db, sid, values)
            if values.get("status") == "canceled":
                # "canceled" reaches the callback like any change after creation
                self.webhooks.submit(self._callback_job(row, "canceled", None, values["updated"]))
            return self.store.get_message(account_sid, sid)

    # ---- the clock ------------------------------------------------------------------------
    def advance(self, now: float | None = None, *, notify: bool = True) -> int:
        """Apply every step due by `now`; each change goes to the status callback (unless
        `notify` is off: demo data made in the past calls nobody)."""
        applied = 0
        jobs: list[Callable[[], None]] = []
        with self.store.lock:
            now = self.store.clock() if now is None else now
            while True:
                rows = self.store.due_messages(now)
                if not rows:
                    break
                with self.store.tx() as db:
                    for row in rows:
                        applied += self._apply(db, row, now, jobs)
        for job in jobs if notify else ():
            self.webhooks.submit(job)
        return applied

    def _apply(
        self, db: sqlite3.Connection, row: sqlite3.Row, now: float, jobs: list[Callable[[], None]]
    ) -> int:
        plan: list[list[Any]] = json.loads(row["plan"])
        applied = 0
        values: dict[str, Any] = {}
        while plan and plan[0][0] <= now:
            at, status, code = plan.pop(0)
            if status == "select":
                self.store.update_message(db, row["sid"], {"plan": plan, "status": "accepted"})
                extra = json.loads(row["why"] or "{}")
                self._select(db, row["account_sid"], row["sid"], at, smart=extra.get("smart"))
                return applied + 1
            values.update(status=status, error_code=code, updated=at)
            if status == "sending":
                values["sent"] = at
            if status == "sent":
                per = PRICE_PER_SEGMENT[
                    "domestic" if selection.country_of(row["to_addr"]) in US_CA else "international"
                ]
                values["price"] = f"-{float(per) * max(row['num_segments'], 1):.5f}"
            applied += 1
            if status != "sending":  # no callback for sending: the docs list none
                jobs.append(self._callback_job(row, status, code, at))
        values["plan"] = plan
        values["next_at"] = plan[0][0] if plan else None
        self.store.update_message(db, row["sid"], values)
        return applied

    def _callback_job(
        self, row: sqlite3.Row, status: str, code: int | None, at: float
    ) -> Callable[[], None]:
        """A status callback as Twilio sends it: "Twilio sends status callback requests as HTTP
        POST requests with a Content-Type of `application/x-www-form-urlencoded`", the fields
        of https://www.twilio.com/docs/messaging/api/message-resource#twilios-request-to-the-statuscallback-url
        (SmsSid = MessageSid, SmsStatus = MessageStatus; ErrorCode when failed/undelivered;
        RawDlrDoneDate on delivery receipts)."""
        url = row["status_callback"]
        params = {
            "AccountSid": row["account_sid"],
            "ApiVersion": API_VERSION,
            "From": row["from_addr"] or "",
            "MessageSid": row["sid"],
            "MessageStatus": status,
            "SmsSid": row["sid"],
            "SmsStatus": status,
            "To": row["to_addr"],
        }
        if row["service_sid"]:
            params["MessagingServiceSid"] = row["service_sid"]
        if code is not None:
            params["ErrorCode"] = str(code)
        if status in ("delivered", "undelivered"):
            params["RawDlrDoneDate"] = _stamp(at)
        sid = row["sid"]

        def job() -> None:
            if url:
                self.webhooks.call(url, params, purpose="status callback", message_sid=sid)

        return job

    def start_ticker(self, interval: float = 0.25) -> None:
        """Advance on real time (demos): statuses move and callbacks go out with no request."""
        if self._ticker is not None:
            return

        def run() -> None:
            while not self._stop.wait(interval):
                self.advance()

        self._ticker = threading.Thread(target=run, name="emulator-clock", daemon=True)
        self._ticker.start()

    def stop_ticker(self) -> None:
        self._stop.set()

    # ---- inbound ----------------------------------------------------------------------------
    def inbound(
        self,
        account_sid: str,
        from_: str,
        to: str,
        body: str,
        media: list[str],
        *,
        notify: bool = True,
    ) -> tuple[sqlite3.Row, str]:
        """A message from a handset to one of the account's numbers: stored as Twilio stores
        it (direction inbound, status received), then handed to the webhook on the worker
        thread. Returns the message and where it goes."""
        number = self.store.number_by_value(account_sid, to)
        if number is None:
            raise EmulatorError(400, 21606, f"{to[:40]} is not one of this account's numbers")
        if not _E164.match(from_):
            raise EmulatorError(400, INVALID, f"The 'From' number {from_[:40]} is not valid")
        service_sid = number["service_sid"]
        service = self.store.get_service(account_sid, service_sid) if service_sid else {}
        primary, method, fallback, fallback_method = self._inbound_target(
            self.store.number_webhook(number["sid"]), service
        )
        keyword = body.strip().upper()
        if service_sid and keyword in OPT_OUT | OPT_IN:
            # "When a user opts out of a phone number that belongs to a Messaging Service,
            # the user is also opted out to receiving all messages sent from that particular
            # Messaging Service." (Twilio help article 223133627)
            self.store.set_opt_out(service_sid, from_, keyword in OPT_OUT)
        now = self.store.clock()
        seg = segments.segment(body)
        sid = new_sid("MM" if media else "SM")
        if not primary:
            where = "nowhere: no inbound URL"
        elif self.webhooks.allowed(primary):
            where = f"delivered to {primary}"
        else:  # as the webhook log says it: described, never called
            where = f"would call {primary} (not loopback; --allow-webhook HOST)"
        with self.store.lock, self.store.tx() as db:
            self.store.insert_message(
                db,
                {
                    "sid": sid,
                    "account_sid": account_sid,
                    "service_sid": service_sid,
                    "direction": "inbound",
                    "to_addr": to,
                    "from_addr": from_,
                    "sender_key": number["sid"],
                    "body": body,
                    "media": media,
                    "num_media": len(media),
                    "num_segments": seg.segments,
                    "status": "received",
                    "created": now,
                    "updated": now,
                    "sent": now,
                    "validity": VALIDITY_MAX,
                    "why": json.dumps({"why": f"inbound: {where}"}),
                },
            )
        row = self.store.get_message(account_sid, sid)
        params = {
            "AccountSid": account_sid,
            "ApiVersion": API_VERSION,
            "Body": body,
            "From": from_,
            "FromCountry": selection.country_of(from_) or "",
            "MessageSid": sid,
            "NumMedia": str(len(media)),
            "NumSegments": str(seg.segments),
            "SmsMessageSid": sid,
            "SmsSid": sid,
            "SmsStatus": "received",
            "To": to,
            "ToCountry": number["country_code"],
        }
        if service_sid:
            params["MessagingServiceSid"] = service_sid
        for i, url in enumerate(media):
            params[f"MediaUrl{i}"] = url
            params[f"MediaContentType{i}"] = "image/jpeg"

        def job() -> None:
            if not primary:
                return
            call = self.webhooks.call(
                primary, params, purpose="inbound", message_sid=sid, method=method
            )
            answer = call
            if call.status is None or call.status >= 400:
                if call.outcome.startswith("would call"):
                    return
                if fallback:
                    # "If Twilio is unable to retrieve or execute TwiML from your web server, a
                    # request is immediately made to the … Fallback URL. Twilio will submit the
                    # `ErrorCode` and `ErrorUrl` parameters"
                    # (https://www.twilio.com/docs/usage/security/availability-reliability);
                    # 11200 an HTTP error, 11205 no connection or no answer in time.
                    code = "11200" if call.status is not None else "11205"
                    answer = self.webhooks.call(
                        fallback,
                        {**params, "ErrorCode": code, "ErrorUrl": primary},
                        purpose="inbound fallback",
                        message_sid=sid,
                        method=fallback_method,
                    )
                if answer.status is None or answer.status >= 400:
                    return
            self.reply(account_sid, row, answer.answer)

        if primary and notify:
            self.webhooks.submit(job)
        return row, where

    @staticmethod
    def _inbound_target(
        number_hook: sqlite3.Row | None, service: Mapping[str, Any]
    ) -> tuple[str | None, str, str | None, str]:
        """(url, method, fallback, fallback method). The service's `inbound_request_url`,
        unless `use_inbound_webhook_on_number`: "If this field is enabled then the webhook url
        defined on the phone number will override the `inbound_request_url`/`fallback_url`"
        (the spec's messaging.v1.service); a number outside any service uses its own."""
        if not service or service.get("use_inbound_webhook_on_number"):
            if number_hook is None:
                return None, "POST", None, "POST"
            return (
                number_hook["sms_url"],
                str(number_hook["sms_method"]).upper(),
                number_hook["sms_fallback_url"],
                "POST",
            )
        return (
            service.get("inbound_request_url") or None,
            str(service.get("inbound_method") or "POST").upper(),
            service.get("fallback_url") or None,
            str(service.get("fallback_method") or "POST").upper(),
        )

    def reply(self, account_sid: str, inbound: sqlite3.Row, twiml: str) -> list[str]:
        """The TwiML answer's <Message> verbs sent back through the service
        (https://www.twilio.com/docs/messaging/twiml/message): "If no 'to' attribute is
        provided, Twilio sends the message as a reply to the current sender"; "'from' defaults
        to the Twilio number that received the message". At most 10."""
        try:
            root = ElementTree.fromstring(twiml.strip() or "<Response/>")
        except ElementTree.ParseError:
            return []
        if root.tag != "Response":
            return []
        sids = []
        for verb in list(root.iter("Message"))[:MAX_REPLIES]:
            body_el = verb.find("Body")
            text = (body_el.text if body_el is not None else verb.text) or ""
            media = [m.text.strip() for m in verb.findall("Media") if m.text]
            to = verb.get("to") or inbound["from_addr"]
            from_ = verb.get("from") or inbound["to_addr"]
            form: dict[str, list[str]] = {"To": [to], "From": [from_], "Body": [text.strip()]}
            if inbound["service_sid"]:
                form["MessagingServiceSid"] = [inbound["service_sid"]]
            if media:
                form["MediaUrl"] = media
            if verb.get("action"):
                form[CALLBACK_PARAM] = [str(verb.get("action"))]
            try:
                created = self.create(account_sid, form)
            except EmulatorError:
                continue
            with self.store.lock, self.store.tx() as db:
                self.store.update_message(db, created["sid"], {"direction": "outbound-reply"})
            sids.append(created["sid"])
        return sids
