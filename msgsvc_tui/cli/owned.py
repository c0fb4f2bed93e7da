"""`msgsvc-tui services senders|channel-senders|country-senders|campaign|brands|links`: what a
service owns, for scripts. The same client, rules and journal as the app; the same exit
codes, output formats and sanitizing as `services` (cli/services.py).

Every write is journalled (undone with `services undo`), asks first unless --yes when it
removes something, and goes through the client's write path: sent once, a lost answer
settled with the server (exit 6 when that stays unknown).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from typing import IO, Any

from msgsvc_tui.api import compliance
from msgsvc_tui.api.client import MessagingClient
from msgsvc_tui.cli.output import cell as _cell
from msgsvc_tui.cli.output import declined, err, field_lines
from msgsvc_tui.cli.writing import said, writes_for
from msgsvc_tui.core import a2p, fields, senders
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.core.sanitize import safe
from msgsvc_tui.core.suggest import did_you_mean
from msgsvc_tui.ops import resolve
from msgsvc_tui.ops.pool import PoolIndex

Json = dict[str, Any]
KIND_OF_COMMAND = {
    "channel-senders": senders.CHANNEL_SENDERS,
    "country-senders": senders.DESTINATION_ALPHA_SENDERS,
}
# (header, JSON field) per listing
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "senders": [
        ("TYPE", "_kind"),
        ("SENDER", "_value"),
        ("COUNTRY", "country_code"),
        ("SID", "sid"),
    ],
    "channel-senders": [
        ("TYPE", "sender_type"),
        ("SENDER", "sender"),
        ("COUNTRY", "country_code"),
        ("SID", "sid"),
    ],
    "available": [
        ("SENDER", "sender_id"),
        ("STATUS", "status"),
        ("PROFILE", "_profile"),
        ("HELD BY", "_holder"),
        ("SID", "sid"),
    ],
    "country-senders": [
        ("COUNTRY", "iso_country_code"),
        ("ALPHA SENDER", "alpha_sender"),
        ("SID", "sid"),
    ],
    "usecases": [("CODE", "code"), ("NAME", "name"), ("POST-APPROVAL", "post_approval_required")],
    "brands": [
        ("NAME", "name"),
        ("SID", "sid"),
        ("TYPE", "brand_type"),
        ("STATUS", "status"),
        ("IDENTITY", "identity_status"),
        ("FAILURE", "failure_reason"),
    ],
}


def write_table(
    rows: Sequence[Json], columns: list[tuple[str, str]], args: argparse.Namespace, out: IO[str]
) -> None:
    if getattr(args, "json", False):
        out.write(
            json.dumps(
                [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], indent=2
            )
            + "\n"
        )
        return
    if getattr(args, "tsv", False):
        out.write("\t".join(field.lstrip("_") for _, field in columns) + "\n")
        for r in rows:
            out.write("\t".join(_cell(r.get(field)) for _, field in columns) + "\n")
        return
    cells = [[safe("" if r.get(f) is None else str(r.get(f))) for _, f in columns] for r in rows]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, (h, _) in enumerate(columns)]
    out.write(
        "  ".join(h.ljust(w) for (h, _), w in zip(columns, widths, strict=True)).rstrip() + "\n"
    )
    for c in cells:
        out.write("  ".join(v.ljust(w) for v, w in zip(c, widths, strict=True)).rstrip() + "\n")


def _one(member: Json, args: argparse.Namespace, out: IO[str]) -> None:
    if getattr(args, "json", False):
        out.write(json.dumps(member, indent=2) + "\n")
        return
    out.write(field_lines(member.items()))


# ---- senders of every kind ------------------------------------------------------------------
async def senders_command(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    command = args.action
    kinds = senders.KINDS if command == "senders" else (KIND_OF_COMMAND[command],)
    if args.verb == "list":
        rows: list[Json] = []
        for kind in kinds:
            for m in await client.list_senders(args.service, kind):
                if getattr(args, "country", None) and m.get("iso_country_code") != args.country:
                    continue
                rows.append({**m, "_kind": kind.label, "_value": m.get(kind.value_field)})
        write_table(rows, COLUMNS[command], args, out)
        return ExitCode.OK
    if args.verb == "available":
        return await _available(client, args, out)
    if args.verb == "get":
        kind, args.sid = await _sender_of(client, command, kinds, args.sid)
        _one(await client.fetch_sender(args.service, kind, args.sid), args, out)
        return ExitCode.OK
    if args.verb == "add":
        return await _add(client, args, kinds, out)
    return await _remove(client, args, kinds)


async def _sender_of(
    client: MessagingClient, command: str, kinds: Sequence[senders.SenderKind], text: str
) -> tuple[senders.SenderKind, str]:
    """(kind, SID) of a sender given by SID, or (for `senders`) as an E.164 number or a
    short code of the account (ops/resolve.py)."""
    if command == "senders" and resolve.sender_kind_of(text) is not None:
        return await resolve.sender_sid(client, text)
    return _kind_of_sid(kinds, text), text


def _kind_of_sid(kinds: Sequence[senders.SenderKind], sid: str) -> senders.SenderKind:
    for kind in kinds:
        if sid.startswith(kind.prefix):
            return kind
    return kinds[0]  # the client names what is wrong with the SID


async def _add(
    client: MessagingClient,
    args: argparse.Namespace,
    kinds: Sequence[senders.SenderKind],
    out: IO[str],
) -> int:
    country = getattr(args, "country", None)
    if args.action == "senders" and getattr(args, "alpha", None):
        kind, value = senders.ALPHA_SENDERS, args.alpha
    elif args.action == "senders":
        if not args.value:
            err("add what? an E.164 number, a short code, a PN… or SC… SID, or --alpha TEXT")
            return ExitCode.USAGE
        kind, value = await resolve.sender_sid(client, args.value)
    else:
        kind, value = kinds[0], args.value
    service = await client.fetch_service(args.service)
    outcome = await writes_for(client, args).add_sender(service, kind, value, country=country)
    if outcome.ok and outcome.result is not None:
        _after_write(outcome.result, args, out)
    return said(outcome)


async def _remove(
    client: MessagingClient, args: argparse.Namespace, kinds: Sequence[senders.SenderKind]
) -> int:
    kind, args.sid = await _sender_of(client, args.action, kinds, args.sid)
    service = await client.fetch_service(args.service)
    member = await client.fetch_sender(args.service, kind, args.sid)
    label = member.get(kind.value_field) or args.sid
    question = f"Remove the {kind.label} {label} from “{service.get('friendly_name')}”?"
    stop = declined(args.yes, "remove", question, no="not removed")
    if stop is not None:
        return stop
    return said(await writes_for(client, args).remove_sender(service, kind, member))


async def _available(client: MessagingClient, args: argparse.Namespace, out: IO[str]) -> int:
    """The account's channel senders, each marked free or with the service holding it (the
    v2 list does not say: learnt from the services' own ChannelSenders lists)."""
    rows = await compliance.list_account_channel_senders(client)
    names = {s["sid"]: s.get("friendly_name") for s in await client.list_services()}
    index = PoolIndex()
    await index.build(client, list(names), kinds=(senders.CHANNEL_SENDERS,))
    for r in rows:
        holder = index.holder(str(r.get("sid")))
        r["_profile"] = (r.get("profile") or {}).get("name")
        r["_holder"] = f"{names[holder]} ({holder})" if holder else "free"
    write_table(rows, COLUMNS["available"], args, out)
    return ExitCode.OK


# ---- the campaign -----------------------------------------------------------------------------
def _usage(name: str, message: str) -> fields.ValidationError:
    return fields.ValidationError(
        [fields.FieldError(name, "--set", fields.INVALID_PARAMETER, message)]
    )


def campaign_values(args: argparse.Namespace) -> Json:
    """--set FIELD=VALUE (booleans yes/no, keyword lists comma-separated) and --sample."""
    values: Json = {}
    for text in args.set:
        name, sep, raw = text.partition("=")
        name = name.strip().replace("-", "_")
        f = a2p.BY_NAME.get(name)
        if not sep or f is None:
            known = [x.name for x in a2p.FIELDS if x.kind != "samples"]
            hint = did_you_mean(name, known) if sep else ""
            problem = f"unknown field {name!r}{hint}" if hint else "expected FIELD=VALUE"
            raise _usage(
                name or text, f"--set {text!r}: {problem}, FIELD one of {', '.join(known)}"
            )
        if f.kind == "bool":
            lowered = raw.strip().lower()
            if lowered not in ("yes", "no", "true", "false", "1", "0", "on", "off"):
                raise _usage(name, f"say yes or no, not {raw!r}")
            values[name] = lowered in ("yes", "true", "1", "on")
        elif f.kind in ("list", "samples"):
            values[name] = a2p.parse_keywords(raw)
        else:
            values[name] = raw
    if args.sample:
        values["message_samples"] = list(args.sample)
    return values


def show_campaign(campaign: Json | None, out: IO[str], brand_name: str | None = None) -> None:
    if campaign is None:
        out.write(safe(a2p.status_words(None)) + "\n")
        return
    status = campaign.get("campaign_status")
    rows = [
        ("Status", f"{status}: {a2p.status_words(status)}"),
        ("SID", campaign.get("sid")),
        ("Campaign ID", campaign.get("campaign_id")),
        (
            "Brand",
            " · ".join(
                str(part) for part in (brand_name, campaign.get("brand_registration_sid")) if part
            ),
        ),
        ("Use case", campaign.get("us_app_to_person_usecase")),
    ]
    for f in a2p.FIELDS:
        value = campaign.get(f.name)
        if f.kind == "bool":
            shown = "yes" if value else "no"
        elif f.kind in ("list", "samples"):
            shown = " | ".join(map(str, value or [])) or "—"
        else:
            shown = "—" if value in (None, "") else str(value)
        rows.append((f.label, shown))
    for line in a2p.explain_errors(campaign):
        rows.append(("Error", line))
    out.write(field_lines(rows, empty=""))


async def campaign_command(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    sid = args.service
    if args.verb == "get":
        campaign = await compliance.campaign_of(client, sid)
        if args.json:
            out.write(json.dumps(campaign, indent=2) + "\n")
        else:
            brand_sid = (campaign or {}).get("brand_registration_sid")
            name = await compliance.brand_name(client, brand_sid) if brand_sid else None
            show_campaign(campaign, out, name)
        return ExitCode.OK if campaign else ExitCode.NOT_FOUND
    if args.verb == "usecases":
        rows = await compliance.campaign_usecases(client, sid, args.brand)
        write_table(rows, COLUMNS["usecases"], args, out)
        return ExitCode.OK
    service = await client.fetch_service(sid)
    writes = writes_for(client, args)  # every verb from here on writes
    if args.verb == "create":
        values = campaign_values(args)
        values["brand_registration_sid"] = args.brand
        values["us_app_to_person_usecase"] = args.usecase
        outcome = await writes.create_campaign(service, values)
        if outcome.ok and outcome.result is not None:
            _after_write(outcome.result, args, out)
        return said(outcome)
    if args.verb == "attach":
        outcome = await writes.attach_campaign(
            service, args.campaign_id, cnp_migration=args.cnp_migration
        )
        if outcome.ok and outcome.result is not None:
            out.write(safe(outcome.result["sid"]) + "\n")
        return said(outcome)
    campaign = await compliance.campaign_of(client, sid)
    if campaign is None:
        err(f"{service.get('friendly_name')} has no campaign")
        return ExitCode.NOT_FOUND
    if args.verb == "update":
        values = {f.name: campaign.get(f.name) for f in a2p.FIELDS if f.updatable}
        values.update(campaign_values(args))
        outcome = await writes.update_campaign(service, campaign, values)
        if outcome.ok and outcome.result is not None:
            _after_write(outcome.result, args, out)
        return said(outcome)
    question = (
        f"Delete the {campaign.get('us_app_to_person_usecase')} campaign of "
        f"“{service.get('friendly_name')}”? It stops sending to US numbers; registering "
        "again is a new review."
    )
    stop = declined(args.yes, "delete", question, no="not deleted")
    if stop is not None:
        return stop
    return said(await writes.delete_campaign(service, campaign))


def _after_write(written: Json, args: argparse.Namespace, out: IO[str]) -> None:
    """What a write prints on stdout: the resource with --json, else its SID (its outcome
    goes to stderr)."""
    if args.json:
        out.write(json.dumps(written, indent=2) + "\n")
    else:
        out.write(safe(written["sid"]) + "\n")


async def brands_command(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    write_table(await compliance.list_brands(client), COLUMNS["brands"], args, out)
    return ExitCode.OK


async def links_command(
    client: MessagingClient, args: argparse.Namespace, _: Any, out: IO[str]
) -> int:
    found = await compliance.link_shortening(client, args.service)
    if found is None:
        # Twilio answers 404 both for "no domain" and "no such service": ask which
        await client.fetch_service(args.service)
    if args.json:
        out.write(json.dumps(found, indent=2) + "\n")
        return ExitCode.OK
    if found is None:
        out.write("no link-shortening domain\n")
        return ExitCode.OK
    _one(found, args, out)
    return ExitCode.OK


ACTIONS = {
    "senders": senders_command,
    "channel-senders": senders_command,
    "country-senders": senders_command,
    "campaign": campaign_command,
    "brands": brands_command,
    "links": links_command,
}
