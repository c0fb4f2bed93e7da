"""The one write path: every write from every front end (the TUI's panes, each CLI command,
`apply`, undo) goes through `Writes`, and nothing else calls a client method that writes.

Each write, in order:

1. its input is checked (nothing is journalled or sent for a value the catalogue refuses);
2. it is journalled with its target (server and account) *before* it is sent: a journal that
   cannot be opened or written refuses the write with the reason, unless the caller chose
   `unjournalled` (then it is done and the outcome says it was not journalled);
3. it is sent once (the client resends only after a 429, which Twilio never processed);
4. a lost answer is reconciled by asking the server (the client's `write` does it);
5. the journal entry is settled (done, failed, unknown), and one `Outcome` comes back with its
   exit code and its words (old → new), whatever happened. A write that happened is never
   reported as failed: a journal that breaks after the send only adds a note.

A sender move (remove, add, put back on failure) is one operation here, so the TUI, `apply
--move-senders` and undo move a number the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import KW_ONLY, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from msgsvc_tui.api import compliance, errors
from msgsvc_tui.api.outcome import checked_sender, checked_sid
from msgsvc_tui.core import a2p, editing, fields, senders
from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.ops import journal as jr
from msgsvc_tui.ops.journal import Entry, Journal, JournalError

if TYPE_CHECKING:
    from msgsvc_tui.api.client import MessagingClient
    from msgsvc_tui.core.messages import Incoming, Outgoing

Json = dict[str, Any]


class ConflictError(MsgsvcError):
    """A field someone else changed on the server since the caller read the service: the
    write is refused rather than overwrite their change."""


class Status(StrEnum):
    DONE = "done"
    FAILED = "failed"  # sent and refused, or confirmed not to have happened
    UNKNOWN = "unknown"  # sent; the server could not tell whether it happened
    REFUSED = "refused"  # not sent: bad input, no journal, a conflict, read-only
    NOTHING = "nothing to do"  # not sent: the server already is as asked (undo)


MARKS = {
    Status.DONE: "✓",
    Status.FAILED: "✗",
    Status.UNKNOWN: "?",
    Status.REFUSED: "✗",
    Status.NOTHING: "·",
}


@dataclass
class Outcome:
    """What one write (or one move) did, in words and as an exit code."""

    action: str
    subject: str  # what was written, as people name it
    status: Status
    words: str = ""  # old → new when done; the reason when not
    exit_code: ExitCode = ExitCode.OK
    result: Json | None = None  # the server's answer (the created service, the new member)
    error: BaseException | None = None
    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status is Status.DONE

    def line(self) -> str:
        """One line a person reads: ✓/✗/? what: words (notes)."""
        text = f"{MARKS[self.status]} {self.subject}"
        if self.words:
            text += f": {self.words}"
        return text + "".join(f" ({n})" for n in self.notes)


def worst(outcomes: list[Outcome]) -> ExitCode:
    """The exit code of several writes: unknown beats every failure, a failure beats OK."""
    codes = [o.exit_code for o in outcomes if o.exit_code != ExitCode.OK]
    if not codes:
        return ExitCode.OK
    return ExitCode.UNKNOWN if ExitCode.UNKNOWN in codes else codes[0]


@dataclass(frozen=True)
class Target:
    """Where a write goes: the server (an API host for a region/edge, or a base URL) and the
    account. Undo and `J` act only on the target they are pointed at."""

    server: str
    account_sid: str

    @property
    def key(self) -> str:
        return f"{self.account_sid} @ {self.server}"

    def __str__(self) -> str:
        return self.key


def target_of(client: MessagingClient) -> Target:
    return Target(errors.mask_credentials(client.messaging_base), client.account_sid)


def _name(service: Mapping[str, Any]) -> str:
    return str(service.get("friendly_name") or service.get("sid") or "?")


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    f = fields.BY_NAME.get(name)
    return f.display(value) if f else str(value)


def change_words(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """`Label: old → new; …` for the fields of a service write."""
    return "; ".join(
        f"{fields.get(n).label if n in fields.BY_NAME else n}: "
        f"{_shown(n, before.get(n))} → {_shown(n, v)}"
        for n, v in after.items()
    )


# A step that ran after the send: what to settle the entry with (service_sid, after, …).
Finish = Callable[[Json | None], Awaitable[dict[str, Any]]]


async def _nothing(_: Json | None) -> dict[str, Any]:
    return {}


@dataclass(eq=False)  # one path is one object: two alike are still two
class Writes:
    """The write path for one client (one target) and the journal."""

    client: MessagingClient
    journal: Journal | None
    _: KW_ONLY
    unjournalled: bool = False
    journal_problem: str | None = None
    batch: str | None = None  # its writes are undone as one
    undoes: int | None = None  # the journal entry its writes undo
    target: Target = field(init=False)

    def __post_init__(self) -> None:
        self.target = target_of(self.client)

    @classmethod
    def open(
        cls,
        client: MessagingClient,
        *,
        unjournalled: bool = False,
        journal: Callable[[], Journal] = Journal.default,
    ) -> Writes:
        """The write path with the data folder's journal. When it cannot be opened, every
        write is refused with the reason (with `unjournalled`: done, and said to be)."""
        try:
            return cls(client, journal(), unjournalled=unjournalled)
        except JournalError as exc:
            return cls(client, None, unjournalled=unjournalled, journal_problem=str(exc))

    def batched(self) -> Writes:
        """The same path whose writes form one batch (an apply, a move): undone as one."""
        return self._copy(batch=self.batch or Journal.new_batch())

    def undoing(self, entry_id: int) -> Writes:
        """The same path, for the writes that undo journal entry `entry_id`."""
        return self._copy(undoes=entry_id)

    def _copy(self, **changes: Any) -> Writes:
        return dataclasses.replace(self, **changes)

    @property
    def account_sid(self) -> str:
        return self.client.account_sid

    # ---- the engine -----------------------------------------------------------------------
    def _refused(self, action: str, subject: str, exc: MsgsvcError) -> Outcome:
        words = errors.describe(exc)
        if isinstance(exc, JournalError):
            words = (
                f"not sent: {words}. Nothing was written. Fix the journal (or move it "
                "aside), or pass --unjournalled to write without it (undo cannot take back "
                "what it did not record)"
            )
        elif not words.startswith("not sent"):
            words = f"not sent: {words}"
        return Outcome(action, subject, Status.REFUSED, words, exc.exit_code(), error=exc)

    async def _write(
        self,
        action: str,
        service: Mapping[str, Any],
        subject: str,
        send: Callable[[], Awaitable[Json | None]],
        *,
        before: Json | None,
        after: Json | None,
        words: str = "",
        finish: Finish = _nothing,
        ended: Callable[[str, MsgsvcError], dict[str, Any]] | None = None,
    ) -> Outcome:
        """The engine every write runs on, for `service` (journalled as `_ref` names it);
        `ended(state, error)` gives what to settle a failed or unknown entry with (else only
        its state)."""
        if self.client.readonly:
            return self._refused(
                action, subject, errors.ReadonlyError("read-only mode: nothing is written")
            )
        notes: list[str] = []
        entry: Entry | None = None
        if self.journal is not None:
            try:
                entry = self.journal.record(
                    action,
                    _ref(service, self.account_sid),
                    before=before,
                    after=after,
                    batch=self.batch,
                    undoes=self.undoes,
                    target=self.target.key,
                    state=jr.SENDING,
                )
            except JournalError as exc:
                if not self.unjournalled:
                    return self._refused(action, subject, exc)
                notes.append(f"not journalled: {exc}")
        elif not self.unjournalled:
            problem = self.journal_problem or "the journal is not open"
            return self._refused(action, subject, JournalError(problem))
        else:
            problem = f": {self.journal_problem}" if self.journal_problem else ""
            notes.append(f"not journalled (--unjournalled){problem}; undo cannot take it back")
        seen = len(self.client.reconciliations)
        try:
            result = await send()
        except MsgsvcError as exc:
            unknown = isinstance(exc, errors.OutcomeUnknownError)
            state = jr.UNKNOWN if unknown else jr.FAILED
            self._settle(entry, state, notes, ended(state, exc) if ended else {})
            status = Status.UNKNOWN if unknown else Status.FAILED
            return Outcome(
                action,
                subject,
                status,
                errors.describe(exc),
                exc.exit_code(),
                error=exc,
                entries=[entry] if entry else [],
                notes=notes,
            )
        try:
            settled = await finish(result)
        except MsgsvcError as exc:  # a read after the write: the write itself happened
            settled = {}
            notes.append(f"done; reading it back failed: {errors.describe(exc)}")
        self._settle(entry, jr.DONE, notes, settled)
        for r in self.client.reconciliations[seen:]:
            if r.applied:
                notes.append(f"confirmed after a lost answer: {r.cause}")
        if entry is not None and self.journal is not None:
            entry = self.journal.get(entry.id) or entry
        return Outcome(
            action,
            subject,
            Status.DONE,
            words,
            ExitCode.OK,
            result=result,
            entries=[entry] if entry else [],
            notes=notes,
        )

    def _settle(
        self, entry: Entry | None, state: str, notes: list[str], values: dict[str, Any]
    ) -> None:
        if entry is None or self.journal is None:
            return
        try:
            self.journal.settle(entry.id, state, **values)
        except JournalError as exc:
            notes.append(
                f"the journal could not record how it ended ({exc}); undo checks the server "
                "before it acts"
            )

    # ---- services -------------------------------------------------------------------------
    async def create_service(self, values: Mapping[str, Any]) -> Outcome:
        subject = f"create “{values.get('friendly_name') or '?'}”"
        try:
            clean = fields.clean_values(values, creating=True)
        except MsgsvcError as exc:
            return self._refused(jr.CREATE, subject, exc)
        service = {"sid": "", "friendly_name": clean["friendly_name"], "account_sid": ""}
        service["account_sid"] = self.account_sid

        async def finish(made: Json | None) -> dict[str, Any]:
            assert made is not None
            return {"service_sid": made["sid"], "after": jr.writable(made)}

        outcome = await self._write(
            jr.CREATE,
            service,
            subject,
            lambda: self.client.create_service(clean),
            before=None,
            after=_json_values(clean),
            finish=finish,
        )
        if outcome.ok and outcome.result:
            outcome.words = f"created {outcome.result['sid']}"
        return outcome

    async def update_service(
        self,
        sid: str,
        values: Mapping[str, Any],
        *,
        current: Json | None = None,
        loaded: Mapping[str, Any] | None = None,
    ) -> Outcome:
        """Change fields of a service. `current` is the service as the caller just read it
        (else it is read here, for the words and the journal's "before"); `loaded` is what
        the caller decided from (a plan, a form): a field someone else changed since, to
        another value, is a conflict, refused and reported, never overwritten."""
        # the service by name once it is known; refused before it is read: by its SID, once
        subject = f"update “{_name(current)}” ({sid})" if current else f"update {sid}"
        try:
            clean = fields.clean_values(values)
            checked = checked_sid(sid, "MG")
        except MsgsvcError as exc:
            return self._refused(jr.UPDATE, subject, exc)
        if current is None or loaded is not None:
            try:
                current = await self.client.fetch_service(checked)
            except MsgsvcError as exc:
                return _not_sent(jr.UPDATE, subject, exc)
        subject = f"update “{_name(current)}” ({checked})"
        if loaded is not None:
            clashes = editing.conflicts(loaded, current, clean)
            if clashes:
                said = "; ".join(
                    f"{d.field.label} is now {_shown(d.field.name, d.theirs)} "
                    f"(was {_shown(d.field.name, d.loaded)})"
                    for d in clashes
                )
                conflict = ConflictError(
                    f"changed on the server since it was read: {said}; not overwritten"
                )
                return self._refused(jr.UPDATE, subject, conflict)
        before = {n: current.get(n) for n in clean}

        async def finish(updated: Json | None) -> dict[str, Any]:
            assert updated is not None
            return {"after": {n: updated.get(n) for n in clean}, "label": _name(updated)}

        return await self._write(
            jr.UPDATE,
            current,
            subject,
            lambda: self.client.update_service(checked, clean),
            before=before,
            after=_json_values(clean),
            words=change_words(before, clean),
            finish=finish,
        )

    async def delete_service(self, sid: str, *, service: Json | None = None) -> Outcome:
        """Delete a service. Its settings, its senders of every kind and its campaign, as the
        server holds them now, are journalled first, so undo can re-create it with its senders
        (and say what it cannot restore). `service` names it until then."""
        subject = f"delete {_name(service) if service else sid} ({sid})"
        try:
            checked = checked_sid(sid, "MG")
        except MsgsvcError as exc:
            return self._refused(jr.DELETE, subject, exc)
        try:
            service = await self.client.fetch_service(checked)  # as it is now, for undo
            members = await members_of(self.client, checked)
            campaign = await compliance.campaign_of(self.client, checked)
        except MsgsvcError as exc:
            return _not_sent(jr.DELETE, subject, exc)
        subject = f"delete “{_name(service)}” ({checked})"
        before = {
            **jr.writable(service),
            "senders": members,
            "campaign": jr.campaign_data(campaign) if campaign else None,
        }
        count = sum(len(v) for v in members.values())
        words = f"deleted; its {count} sender{'s' * (count != 1)} return to the account"
        return await self._write(
            jr.DELETE,
            service,
            subject,
            _none(self.client.delete_service(checked)),
            before=before,
            after=None,
            words=words,
        )

    # ---- senders --------------------------------------------------------------------------
    async def add_sender(
        self,
        service: Json,
        kind: senders.SenderKind,
        value: str,
        *,
        country: str | None = None,
        label: str | None = None,
    ) -> Outcome:
        """Add a member: `value` is a PN/SC/XE SID, or an alpha sender's text."""
        shown_as = label or value
        subject = f"add {shown_as} to “{_name(service)}”"
        try:
            checked_sender(kind, value, country)
        except MsgsvcError as exc:
            return self._refused(jr.ADD_SENDER, subject, exc)
        data: Json = {
            "kind": kind.key,
            "sender_sid": None if kind.by_value else value,
            "label": shown_as,
        }
        if kind is senders.DESTINATION_ALPHA_SENDERS:
            data["country"] = country

        return await self._write(
            jr.ADD_SENDER,
            service,
            subject,
            lambda: self.client.add_sender(service["sid"], kind, value, country=country),
            before=None,
            after=data,
            words="added",
            finish=_journal_answer(lambda added: jr.sender_data(kind, added)),
        )

    async def remove_sender(self, service: Json, kind: senders.SenderKind, member: Json) -> Outcome:
        """Remove a member (`member` as listed: its SID and value)."""
        data = jr.sender_data(kind, member)
        subject = f"remove {data['label']} from “{_name(service)}”"
        try:
            sid = checked_sid(str(member.get("sid")), kind.prefix)
        except MsgsvcError as exc:
            return self._refused(jr.REMOVE_SENDER, subject, exc)
        return await self._write(
            jr.REMOVE_SENDER,
            service,
            subject,
            _none(self.client.remove_sender(service["sid"], kind, sid)),
            before=data,
            after=None,
            words="removed",
        )

    async def move_sender(
        self,
        kind: senders.SenderKind,
        sender_sid: str,
        *,
        source: Json,
        to: Json,
        label: str | None = None,
    ) -> Outcome:
        """Move a number or short code: remove it from `source`, add it to `to`; when the add
        fails, put it back in `source`. One batch in the journal. The words say where the
        number is at the end, whatever happened."""
        shown_as = label or sender_sid
        subject = f"move {shown_as} from “{_name(source)}” to “{_name(to)}”"
        path = self.batched()
        member = {"sid": sender_sid, kind.value_field: shown_as}
        removed = await path.remove_sender(source, kind, member)
        if not removed.ok:
            where = "whether it left is unknown" if removed.status is Status.UNKNOWN else ""
            words = f"not moved: {removed.words}" + (f"; {where}" if where else "")
            return _from(removed, "move sender", subject, words)
        added = await path.add_sender(to, kind, sender_sid, label=shown_as)
        entries = removed.entries + added.entries
        if added.ok:
            outcome = _from(added, "move sender", subject, "moved")
            outcome.entries = entries
            outcome.notes = removed.notes + added.notes
            return outcome
        if added.status is Status.UNKNOWN:
            words = (
                f"removed from “{_name(source)}”; whether it was added to “{_name(to)}” is "
                f"unknown ({added.words}): it is in “{_name(to)}” or in no service"
            )
            outcome = _from(added, "move sender", subject, words)
            outcome.entries = entries
            return outcome
        back = await path.add_sender(source, kind, sender_sid, label=shown_as)
        entries += back.entries
        if back.ok:
            words = f"not moved: {added.words}; it is back in “{_name(source)}”"
            outcome = _from(added, "move sender", subject, words)
        else:
            where = (
                f"it may be back in “{_name(source)}” or in no service"
                if back.status is Status.UNKNOWN
                else "it is now held by NO service"
            )
            words = (
                f"not moved: {added.words}; putting it back in “{_name(source)}” failed "
                f"too ({back.words}): {where}"
            )
            outcome = _from(added, "move sender", subject, words)
            if back.status is Status.UNKNOWN:
                outcome.exit_code = ExitCode.UNKNOWN
        outcome.entries = entries
        return outcome

    # ---- the campaign ---------------------------------------------------------------------
    async def create_campaign(self, service: Json, values: Mapping[str, Any]) -> Outcome:
        subject = f"register a campaign for “{_name(service)}”"
        problem = a2p.refusal(values, creating=True)
        if problem is not None:
            return self._refused(jr.CREATE_CAMPAIGN, subject, problem)

        outcome = await self._write(
            jr.CREATE_CAMPAIGN,
            service,
            subject,
            lambda: compliance.create_campaign(self.client, service["sid"], values),
            before=None,
            after=jr.campaign_data(values),
            finish=_journal_answer(jr.campaign_data),
        )
        if outcome.ok and outcome.result:
            outcome.words = f"campaign {outcome.result.get('sid')} registered; in review"
        return outcome

    async def update_campaign(
        self, service: Json, campaign: Json, values: Mapping[str, Any]
    ) -> Outcome:
        subject = f"update the campaign {campaign.get('sid')} of “{_name(service)}”"
        problem = a2p.refusal(values, creating=False)
        if problem is not None:
            return self._refused(jr.UPDATE_CAMPAIGN, subject, problem)

        changed = [
            f"{a2p.BY_NAME[k].label}: {campaign.get(k)!s} → {v!s}"
            for k, v in values.items()
            if k in a2p.BY_NAME and campaign.get(k) != v
        ]
        return await self._write(
            jr.UPDATE_CAMPAIGN,
            service,
            subject,
            lambda: compliance.update_campaign(
                self.client, service["sid"], str(campaign["sid"]), values
            ),
            before=jr.campaign_data(campaign),
            after=jr.campaign_data({**campaign, **values}),
            words="; ".join(changed) or "no field changed",
            finish=_journal_answer(jr.campaign_data),
        )

    async def delete_campaign(self, service: Json, campaign: Json) -> Outcome:
        subject = f"delete the campaign {jr.campaign_words(campaign)} of “{_name(service)}”"
        return await self._write(
            jr.DELETE_CAMPAIGN,
            service,
            subject,
            _none(compliance.delete_campaign(self.client, service["sid"], str(campaign["sid"]))),
            before=jr.campaign_data(campaign),
            after=None,
            words="deleted",
        )

    async def attach_campaign(
        self, service: Json, campaign_id: str, *, cnp_migration: bool = False
    ) -> Outcome:
        subject = f"attach campaign {campaign_id} to “{_name(service)}”"

        async def finish(attached: Json | None) -> dict[str, Any]:
            # the service's campaign as listed: its real SID and use case, for undo and `J`
            found = await compliance.campaign_of(self.client, service["sid"])
            return {"after": jr.campaign_data(found or {**(attached or {})})}

        outcome = await self._write(
            jr.CREATE_CAMPAIGN,
            service,
            subject,
            lambda: compliance.attach_preregistered(
                self.client, service["sid"], campaign_id, cnp_migration=cnp_migration
            ),
            before=None,
            after={"campaign_id": campaign_id},
            words="attached",
            finish=finish,
        )
        return outcome

    # ---- messages -------------------------------------------------------------------------
    async def send_message(self, outgoing: Outgoing, service: Mapping[str, Any]) -> Outcome:
        """Send one message through its service. It bills and cannot be taken back: journalled
        (never offered to undo) with where it goes, before it goes; the entry then says sent
        (with the SID), not sent, or unknown. An interrupted process leaves "sending", which is
        the truth: look before sending again."""
        from msgsvc_tui.api import messages as api_messages
        from msgsvc_tui.core import messages as core_messages

        subject = f"send a message to {outgoing.to} through “{_name(service)}”"
        try:
            core_messages.check(outgoing)
        except MsgsvcError as exc:
            return self._refused(jr.SEND_MESSAGE, subject, exc)
        planned: Json = {
            "to": outgoing.to,
            "body": outgoing.body,
            "media": list(outgoing.media_urls),
        }
        label = {"sid": outgoing.service_sid, **dict(service)}
        return await self._message(
            jr.SEND_MESSAGE,
            label,
            subject,
            planned,
            lambda: api_messages.create_message(self.client, outgoing),
        )

    async def deliver_inbound(
        self, incoming: Incoming, service: Mapping[str, Any], pool: Collection[str]
    ) -> Outcome:
        """Have the emulator play a handset texting one of the service's numbers (`pool`: the
        service's numbers and short codes, as the caller listed them; a To outside it would
        reach another service, journalled under this one). Not a change to the account, but
        it makes messages (and the service's webhook may answer with a reply that is sent):
        journalled like a send, with its target, never undone."""
        from msgsvc_tui.api import messages as api_messages
        from msgsvc_tui.core import messages as core_messages

        subject = f"deliver a message from {incoming.from_} to {incoming.to} (“{_name(service)}”)"
        problems = core_messages.incoming_problems(incoming, pool=pool)
        if problems:
            return self._refused(jr.INBOUND_MESSAGE, subject, fields.ValidationError(problems))
        if api_messages.is_real_account(self.client):
            refusal = MsgsvcError(
                "Only the emulator can make up an inbound message: on a real account a "
                "handset sends it."
            )
            return self._refused(jr.INBOUND_MESSAGE, subject, refusal)
        planned: Json = {"from": incoming.from_, "to": incoming.to, "body": incoming.body}
        return await self._message(
            jr.INBOUND_MESSAGE,
            dict(service),
            subject,
            planned,
            lambda: api_messages.emulator_inbound(self.client, incoming),
            done="received",
        )

    async def _message(
        self,
        action: str,
        service: Mapping[str, Any],
        subject: str,
        what: Json,
        call: Callable[[], Awaitable[Json]],
        *,
        done: str = "sent",
    ) -> Outcome:
        """A message write: journalled with its target and "sending" before it goes, then
        settled as `done` (sent, or received for an inbound one, with the SID), not sent, or
        unknown."""
        planned: Json = {
            "server": self.client.api_base,
            "account": self.account_sid,
            **what,
            "state": "sending",
        }

        async def finish(created: Json | None) -> dict[str, Any]:
            sent = created or {}
            return {
                "after": {
                    **planned,
                    "state": done,
                    "message_sid": sent.get("sid"),
                    "status": sent.get("status"),
                }
            }

        def ended(state: str, exc: MsgsvcError) -> dict[str, Any]:
            said = "unknown" if state == jr.UNKNOWN else "not sent"
            return {"after": {**planned, "state": said, "detail": errors.describe(exc)}}

        outcome = await self._write(
            action,
            service,
            subject,
            call,
            before=None,
            after=planned,
            finish=finish,
            ended=ended,
        )
        if outcome.ok and outcome.result is not None:
            outcome.words = f"{outcome.result.get('status')}: {outcome.result.get('sid')}"
        return outcome


# ---- helpers --------------------------------------------------------------------------------
def _journal_answer(data: Callable[[Json], Json]) -> Finish:
    """Settle the entry with the server's answer (as `data` makes it) as what is after."""

    async def finish(answer: Json | None) -> dict[str, Any]:
        assert answer is not None  # the writes settled so always answer with the resource
        return {"after": data(answer)}

    return finish


def _ref(service: Mapping[str, Any], account_sid: str) -> Json:
    """A service as a journal entry names it."""
    return {
        "sid": service.get("sid"),
        "friendly_name": service.get("friendly_name") or service.get("sid"),
        "account_sid": service.get("account_sid") or account_sid,
    }


def _json_values(values: Mapping[str, Any]) -> Json:
    return {k: v for k, v in values.items()}


def _none(call: Awaitable[None]) -> Callable[[], Awaitable[Json | None]]:
    async def send() -> Json | None:
        await call
        return None

    return send


def _not_sent(action: str, subject: str, exc: MsgsvcError) -> Outcome:
    """A read the write needed first failed: nothing was journalled or sent."""
    return Outcome(
        action,
        subject,
        Status.REFUSED,
        f"not sent: {errors.describe(exc)}",
        exc.exit_code(),
        error=exc,
    )


def _from(base: Outcome, action: str, subject: str, words: str) -> Outcome:
    return Outcome(
        action,
        subject,
        base.status,
        words,
        base.exit_code,
        result=base.result,
        error=base.error,
        entries=list(base.entries),
        notes=list(base.notes),
    )


MEMBER_KINDS = (
    senders.PHONE_NUMBERS,
    senders.SHORT_CODES,
    senders.ALPHA_SENDERS,
    senders.CHANNEL_SENDERS,
    senders.DESTINATION_ALPHA_SENDERS,
)


async def members_of(client: MessagingClient, service_sid: str) -> dict[str, list[Json]]:
    """Every member of a service, by kind, as journal entries keep senders."""
    out: dict[str, list[Json]] = {}
    for kind in MEMBER_KINDS:
        members = await client.list_senders(service_sid, kind)
        if members:
            out[kind.key] = [jr.sender_data(kind, m) for m in members]
    return out
