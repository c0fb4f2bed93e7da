"""The emulator's state: every resource's store over one SQLite connection.

Each resource keeps its own tables and queries in emulator/stores/ (services, the number pool,
channel and country alpha senders, A2P brands and campaigns, link shortening, messages,
toll-free verifications); `Store` is them all, so a handler reaches any resource through one
object and one transaction lock.
"""

from __future__ import annotations

from msgsvc_tui.emulator.stores.a2p import A2PStore
from msgsvc_tui.emulator.stores.channels import ChannelStore
from msgsvc_tui.emulator.stores.links import LinkStore
from msgsvc_tui.emulator.stores.messages import MessageStore
from msgsvc_tui.emulator.stores.pool import PoolStore
from msgsvc_tui.emulator.stores.tollfree import TollfreeStore


class Store(MessageStore, A2PStore, ChannelStore, LinkStore, PoolStore, TollfreeStore):
    """Every resource's store; keyword options (pool_limit, clock, review_seconds) go to the
    store they belong to."""
