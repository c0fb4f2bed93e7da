"""Undo: the inverse of a journalled batch, checked against the server first, carried out
through the write path (so an undo is journalled like any other write).

Undo never guesses. It only reads entries of the target (server and account) it is pointed
at; it asks the server first and refuses, saying why, when a service changed since our write
or is gone; it takes the batch back in the reverse of the order it was written (members before
their service is deleted, a service re-created before its members go back); a member whose
service is gone already counts as removed. What it cannot restore (a deleted campaign, a
number another service holds now) it says, and the run then ends non-zero. It never prints ✓
for what it did not do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from msgsvc_tui.api import compliance, errors
from msgsvc_tui.core import a2p, fields, senders
from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.ops import journal as jr
from msgsvc_tui.ops.journal import Entry
from msgsvc_tui.ops.writes import Outcome, Status, Writes, change_words

Json = dict[str, Any]


@dataclass
class UndoStep:
    """One entry's undo. `what` is said twice, in the plan and as the subject of the outcome
    line once it ran; the write path's outcome then adds its own words (old → new, "removed",
    the reason it failed). So what those words will say goes in `change`, shown in the plan
    only: a change put in `what` as well would be said twice once done."""

    entry: Entry
    what: str  # what the undo acts on (or does), as people read it
    refusal: str | None = None  # why it cannot, when it cannot
    moot: str | None = None  # why nothing is left to do (the end state is already right)
    member: Json | None = None  # the member as listed now (undoing an add)
    change: str = ""  # what it will change, which the write's own words say once it is done

    @property
    def promise(self) -> str:
        """The plan's line: what, and what it will change."""
        return f"{self.what}: {self.change}" if self.change else self.what


@dataclass
class UndoPlan:
    steps: list[UndoStep] = field(default_factory=list)

    @property
    def doable(self) -> list[UndoStep]:
        return [s for s in self.steps if s.refusal is None and s.moot is None]

    @property
    def refused(self) -> list[UndoStep]:
        return [s for s in self.steps if s.refusal is not None]

    @property
    def moot(self) -> list[UndoStep]:
        return [s for s in self.steps if s.moot is not None and s.refusal is None]

    def lines(self) -> list[str]:
        """What undo will do, then what it cannot and why: lines people read."""
        out = [f"  {s.promise}" for s in self.doable]
        out += [f"  · nothing to do: {s.moot}" for s in self.moot]
        out += [f"  ✗ cannot: {s.entry.label}: {s.refusal}" for s in self.refused]
        return out


def _differs(current: Mapping[str, Any], expected: Mapping[str, Any]) -> list[str]:
    out = []
    for name, value in expected.items():
        held = current.get(name)
        if (None if held == "" else held) != (None if value == "" else value):
            f = fields.BY_NAME.get(name)
            shown = f.display(held) if f and held not in (None, "") else str(held or "—")
            out.append(f"{f.label if f else name} is now {shown}")
    return out


async def plan_undo(writes: Writes, entries: list[Entry]) -> UndoPlan:
    """What undoing `entries` would do, checked against the server now, in the order it
    will be done (the reverse of the order they were written)."""
    plan = UndoPlan()
    for entry in sorted(entries, key=lambda e: e.id, reverse=True):
        if entry.target != writes.target.key:
            plan.steps.append(
                UndoStep(entry, "", f"written to {entry.target or 'an unnamed target'}, not to "
                         f"{writes.target}: undo acts only on the target it is pointed at")
            )  # fmt: skip
            continue
        try:
            plan.steps.append(await _plan_one(writes, entry))
        except MsgsvcError as exc:
            plan.steps.append(
                UndoStep(entry, "", f"cannot check the server: {errors.describe(exc)}")
            )
    return plan


async def _plan_one(writes: Writes, entry: Entry) -> UndoStep:
    client = writes.client
    sid = entry.service_sid
    if entry.action in jr.CAMPAIGN_ACTIONS:
        return await _plan_campaign(writes, entry)
    if entry.action == jr.DELETE:
        if entry.state != jr.DONE:  # its end was never recorded: did it happen?
            try:
                await client.fetch_service(sid)
            except errors.NotFoundError:
                pass
            else:
                return UndoStep(entry, "", moot=f"{entry.label} was never deleted")
        before = entry.before or {}
        count = sum(len(v) for v in (before.get("senders") or {}).values())
        what = f"re-create {entry.label} (a new SID) with its settings"
        if count:
            what += f" and its {count} sender{'s' * (count != 1)}"
        if before.get("campaign"):
            what += "; its campaign cannot be restored (registering again is a new review)"
        return UndoStep(entry, what)
    if not sid:
        return UndoStep(entry, "", "its SID was never recorded (the answer was lost)")
    try:
        current = await client.fetch_service(sid)
    except errors.NotFoundError:
        if entry.action == jr.CREATE:
            return UndoStep(entry, "", moot=f"{entry.label} is deleted already")
        if entry.action == jr.ADD_SENDER:
            data = entry.after or {}
            return UndoStep(entry, "", moot=f"{data.get('label')} went with {entry.label}")
        return UndoStep(entry, "", f"{entry.label} has been deleted since")
    if entry.action == jr.UPDATE:
        after = entry.after or {}
        differ = _differs(current, after)
        if differ:
            return UndoStep(entry, "", "changed on the server since: " + "; ".join(differ))
        back = change_words(after, {n: (entry.before or {}).get(n) for n in after})
        return UndoStep(entry, entry.label, change=back)
    if entry.action == jr.CREATE:
        differ = _differs(current, dict(entry.after or {}))
        if differ:
            return UndoStep(entry, "", "changed on the server since: " + "; ".join(differ))
        return UndoStep(entry, f"delete {entry.label} (created by the write being undone)")
    if entry.action in (jr.ADD_SENDER, jr.REMOVE_SENDER):
        data = entry.after or entry.before or {}
        kind = senders.BY_KEY[data["kind"]]
        members = await client.list_senders(sid, kind)
        found = [m for m in members if _is(kind, m, data)]
        if entry.action == jr.ADD_SENDER:
            if not found:
                return UndoStep(entry, "", moot=f"{data['label']} is no longer in {entry.label}")
            return UndoStep(entry, f"remove {data['label']} from {entry.label}", member=found[0])
        if found:
            return UndoStep(entry, "", moot=f"{data['label']} is back in {entry.label} already")
        return UndoStep(entry, f"add {data['label']} back to {entry.label}")
    return UndoStep(entry, "", f"cannot undo a {entry.action}")


def _is(kind: senders.SenderKind, member: Mapping[str, Any], data: Mapping[str, Any]) -> bool:
    """Whether a listed member is the one an entry names (an alpha sender re-added has a new
    SID, so it is matched by its text and country)."""
    if kind.by_value:
        return bool(
            member.get(kind.value_field) == data.get("label")
            and (data.get("country") is None or member.get("iso_country_code") == data["country"])
        )
    return bool(member.get("sid") == data.get("sender_sid"))


async def _plan_campaign(writes: Writes, entry: Entry) -> UndoStep:
    """A created campaign is deleted (if it is still that campaign), an update is put back (if
    nobody changed it since). A deleted campaign cannot be restored: registering again is a
    new review (and new fees), so it is refused with the reason."""
    data = entry.after or entry.before or {}
    words = jr.campaign_words(data)
    if entry.action == jr.DELETE_CAMPAIGN:
        return UndoStep(
            entry, "", "a deleted campaign cannot be restored: register it again (a new review)"
        )
    if not data.get("sid"):
        return UndoStep(entry, "", "the campaign's SID was never recorded (the answer was lost)")
    try:
        current = await compliance.fetch_campaign(writes.client, entry.service_sid, data["sid"])
    except errors.NotFoundError:
        if entry.action == jr.CREATE_CAMPAIGN:
            return UndoStep(entry, "", moot=f"the campaign {words} is deleted already")
        return UndoStep(entry, "", f"the campaign {words} of {entry.label} has been deleted since")
    if entry.action == jr.CREATE_CAMPAIGN:
        return UndoStep(entry, f"delete the campaign {words} of {entry.label}")
    after = {k: v for k, v in (entry.after or {}).items() if k in a2p.BY_NAME}
    differ = [a2p.BY_NAME[k].label for k, v in after.items() if current.get(k) != v]
    if differ:
        return UndoStep(entry, "", "the campaign changed since: " + ", ".join(differ))
    return UndoStep(
        entry, f"the campaign of {entry.label}", change=f"put its {len(after)} fields back"
    )


async def apply_undo(writes: Writes, plan: UndoPlan) -> list[Outcome]:
    """Carry out the doable steps in order, each through the write path; an outcome per
    step, refusals included (a step that fails leaves the others to run)."""
    outcomes = [
        Outcome("undo", s.entry.label, Status.REFUSED, f"cannot: {s.refusal}", ExitCode.API)
        for s in plan.refused
    ]
    for s in plan.moot:
        outcomes.append(Outcome("undo", s.moot or "", Status.NOTHING, "nothing to do"))
        _settled_already(writes, s.entry)
    path = writes.batched() if len(plan.doable) > 1 else writes
    renamed: dict[str, str] = {}  # a service re-created by this undo: old SID → new
    for step in plan.doable:
        try:
            outcomes += await _undo_one(path.undoing(step.entry.id), step, renamed)
        except MsgsvcError as exc:  # a read it needed first: nothing was sent
            outcomes.append(
                Outcome(
                    "undo",
                    step.what,
                    Status.REFUSED,
                    f"not sent: {errors.describe(exc)}",
                    exc.exit_code(),
                    error=exc,
                )
            )
    return outcomes


async def _undo_one(path: Writes, step: UndoStep, renamed: dict[str, str]) -> list[Outcome]:
    entry = step.entry
    sid = renamed.get(entry.service_sid, entry.service_sid)
    service = {**entry.service(), "sid": sid}
    if entry.action == jr.UPDATE:
        before = {n: v for n, v in (entry.before or {}).items() if n in fields.BY_NAME}
        after = {n: v for n, v in (entry.after or {}).items() if n in fields.BY_NAME}
        return [_as(step, await path.update_service(sid, before, loaded=after))]
    if entry.action == jr.CREATE:
        return [_as(step, await path.delete_service(sid))]
    if entry.action == jr.DELETE:
        return await _recreate(path, step, renamed)
    if entry.action in jr.CAMPAIGN_ACTIONS:
        return [_as(step, await _undo_campaign(path, entry, service))]
    data = entry.after or entry.before or {}
    kind = senders.BY_KEY[data["kind"]]
    if entry.action == jr.ADD_SENDER:
        member = step.member or {"sid": data.get("sender_sid"), kind.value_field: data["label"]}
        outcome = await path.remove_sender(service, kind, member)
        if isinstance(outcome.error, errors.NotFoundError):
            try:  # a member of a service that is gone went with it: that counts as done
                await path.client.fetch_service(sid)
            except errors.NotFoundError:
                return [
                    Outcome("undo", step.what, Status.NOTHING, f"{entry.label} is gone already")
                ]
            except MsgsvcError:
                pass
        return [_as(step, outcome)]
    value = data["label"] if kind.by_value else data["sender_sid"]
    outcome = await path.add_sender(
        service, kind, value, country=data.get("country"), label=data["label"]
    )
    return [_as(step, outcome)]


def _as(step: UndoStep, outcome: Outcome) -> Outcome:
    """An outcome named by what the undo acts on; its words stay the write path's own (what
    was changed, or why not), so the change is said once. Not done, or not known to be, it
    names the change it tried as well: the write path's words are then only the reason."""
    outcome.subject = step.what if outcome.ok else step.promise
    return outcome


async def _recreate(path: Writes, step: UndoStep, renamed: dict[str, str]) -> list[Outcome]:
    """Undo of a delete: the service again (a new SID), then each member it held, then what
    cannot come back said as such."""
    entry = step.entry
    before = entry.before or {}
    created = await path.create_service(jr.writable(before))
    created.subject = f"re-create {entry.label} (a new SID)"
    outcomes = [created]
    if not created.ok or created.result is None:
        return outcomes
    new_sid = str(created.result["sid"])
    renamed[entry.service_sid] = new_sid
    service = {"sid": new_sid, "friendly_name": entry.label, "account_sid": entry.account_sid}
    members = path  # each member put back is part of this undo (never undone by `undo`)
    for key, listed in (before.get("senders") or {}).items():
        kind = senders.BY_KEY[key]
        for data in listed:
            value = data["label"] if kind.by_value else data["sender_sid"]
            outcomes.append(
                await members.add_sender(
                    service, kind, value, country=data.get("country"), label=data["label"]
                )
            )
    campaign = before.get("campaign")
    if campaign:
        outcomes.append(
            Outcome(
                "undo",
                f"the campaign {jr.campaign_words(campaign)} of {entry.label}",
                Status.REFUSED,
                "cannot be restored: register it again (a new review)",
                ExitCode.API,
            )
        )
    return outcomes


async def _undo_campaign(path: Writes, entry: Entry, service: Json) -> Outcome:
    data = entry.after or entry.before or {}
    if entry.action == jr.CREATE_CAMPAIGN:
        current = await compliance.fetch_campaign(path.client, service["sid"], data["sid"])
        return await path.delete_campaign(service, current)
    current = await compliance.fetch_campaign(path.client, service["sid"], data["sid"])
    values = {f.name: current.get(f.name) for f in a2p.FIELDS if f.updatable and f.name in current}
    values.update({k: v for k, v in (entry.before or {}).items() if k in a2p.BY_NAME})
    return await path.update_campaign(service, current, values)


def _settled_already(writes: Writes, entry: Entry) -> None:
    """Mark an entry whose undo has nothing left to do, so the next undo goes further back
    (an entry of its own: "nothing to undo", done, pointing at it)."""
    if writes.journal is None:
        return
    # on failure it is offered again next time, and found to be moot again
    with contextlib.suppress(jr.JournalError):
        writes.journal.record(
            jr.NOTHING_TO_UNDO,
            entry.service(),
            before=None,
            after=None,
            batch=None,
            undoes=entry.id,
            target=writes.target.key,
            state=jr.DONE,
        )
