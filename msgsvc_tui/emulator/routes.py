"""The emulator's one route table: every path it answers, the methods allowed on each, and
the handler (emulator/handlers/, one module per resource) that answers.

Order matters only where a literal segment could read as a SID: such routes come first.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from msgsvc_tui.core import senders
from msgsvc_tui.emulator.handlers.a2p import A2PHandlers
from msgsvc_tui.emulator.handlers.channels import ChannelHandlers
from msgsvc_tui.emulator.handlers.links import LinkHandlers
from msgsvc_tui.emulator.handlers.messages import MessageHandlers
from msgsvc_tui.emulator.handlers.pool import PoolHandlers
from msgsvc_tui.emulator.handlers.services import ServiceHandlers
from msgsvc_tui.emulator.handlers.tollfree import TollfreeHandlers
from msgsvc_tui.emulator.messaging import Messaging
from msgsvc_tui.emulator.store import Store
from msgsvc_tui.emulator.wire import Response

Handler = Callable[..., Response]
Route = tuple[re.Pattern[str], dict[str, Handler]]

SID = r"([A-Za-z0-9]+)"
_POOL = "|".join(k.path for k in senders.KINDS)


def route(pattern: str, **methods: Handler) -> Route:
    """A path (a regex; each group is passed to the handler) and its handlers by method."""
    return re.compile(f"^{pattern}\\Z"), methods


def route_table(store: Store, messaging: Messaging) -> list[Route]:
    services = ServiceHandlers(store)
    pool = PoolHandlers(store)
    channels = ChannelHandlers(store)
    a2p = A2PHandlers(store)
    links = LinkHandlers(store)
    messages = MessageHandlers(store, messaging)
    tollfree = TollfreeHandlers(store)
    svc = f"/v1/Services/{SID}"
    acct = f"/2010-04-01/Accounts/{SID}"
    return [
        # before /v1/Services/{sid}: these literal segments would read as a service SID
        route("/v1/Services/PreregisteredUsa2p", POST=a2p.preregistered),
        route("/v1/Services/Usecases", GET=services.usecases),
        # ---- services
        route("/v1/Services", GET=services.list, POST=services.create),
        route(svc, GET=services.fetch, POST=services.update, DELETE=services.delete),
        # ---- the sender pool
        route(f"{svc}/({_POOL})", GET=pool.list, POST=pool.add),
        route(f"{svc}/({_POOL})/{SID}", GET=pool.fetch, DELETE=pool.remove),
        route(f"{svc}/ChannelSenders", GET=channels.list_channel, POST=channels.add_channel),
        route(
            f"{svc}/ChannelSenders/{SID}",
            GET=channels.fetch_channel,
            DELETE=channels.remove_channel,
        ),
        route(
            f"{svc}/DestinationAlphaSenders",
            GET=channels.list_country,
            POST=channels.add_country,
        ),
        route(
            f"{svc}/DestinationAlphaSenders/{SID}",
            GET=channels.fetch_country,
            DELETE=channels.remove_country,
        ),
        # ---- A2P 10DLC
        route(f"{svc}/Compliance/Usa2p", GET=a2p.list_campaigns, POST=a2p.create_campaign),
        route(f"{svc}/Compliance/Usa2p/Usecases", GET=a2p.campaign_usecases),
        route(
            f"{svc}/Compliance/Usa2p/{SID}",
            GET=a2p.fetch_campaign,
            POST=a2p.update_campaign,
            DELETE=a2p.delete_campaign,
        ),
        route("/v1/a2p/BrandRegistrations", GET=a2p.list_brands),
        route(f"/v1/a2p/BrandRegistrations/{SID}", GET=a2p.fetch_brand),
        # TrustHub (trusthub.twilio.com at Twilio): a brand's name, on its customer profile
        route(f"/v1/CustomerProfiles/{SID}", GET=a2p.fetch_customer_profile),
        # ---- link shortening
        route(f"/v1/LinkShortening/MessagingServices/{SID}/Domain", GET=links.link_domain),
        route(
            f"/v1/LinkShortening/MessagingService/{SID}/DomainConfig",
            GET=links.link_domain_config,
        ),
        # ---- toll-free verifications
        route("/v1/Tollfree/Verifications", GET=tollfree.list, POST=tollfree.create),
        route(f"/v1/Tollfree/Verifications/{SID}", GET=tollfree.fetch, DELETE=tollfree.delete),
        # ---- Messaging v2: the account's channel senders
        route("/v2/Channels/Senders", GET=channels.list_account_channel),
        route(f"/v2/Channels/Senders/{SID}", GET=channels.fetch_account_channel),
        # ---- the account (2010 API)
        route(f"{acct}/IncomingPhoneNumbers\\.json", GET=pool.phone_numbers),
        route(f"{acct}/SMS/ShortCodes\\.json", GET=pool.short_codes),
        route(f"{acct}/Messages\\.json", GET=messages.list, POST=messages.create),
        route(f"{acct}/Messages/{SID}\\.json", GET=messages.fetch, POST=messages.update),
        # ---- the emulator's own (no Twilio API has these paths)
        route(f"/emulator/v1/Messages/{SID}", GET=messages.why),
        route("/emulator/v1/Inbound", POST=messages.inbound),
        route("/emulator/v1/Webhooks", GET=messages.webhooks),
    ]
