"""The network side: no UI imports here (tests/test_architecture.py keeps it so)."""

from msgsvc_tui.api.client import MessagingClient, Page
from msgsvc_tui.api.errors import (
    ApiError,
    AuthError,
    BadResponseError,
    ConnectError,
    InsecureUrlError,
    MsgsvcError,
    NotFoundError,
    OutcomeUnknownError,
    ReadonlyError,
    RequestTimeout,
    TlsError,
    TransportError,
)

__all__ = [
    "ApiError",
    "AuthError",
    "BadResponseError",
    "ConnectError",
    "InsecureUrlError",
    "MessagingClient",
    "MsgsvcError",
    "NotFoundError",
    "OutcomeUnknownError",
    "Page",
    "ReadonlyError",
    "RequestTimeout",
    "TlsError",
    "TransportError",
]
