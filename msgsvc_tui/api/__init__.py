"""The network side: no UI imports here (tests/test_architecture.py keeps it so).

Names are imported on first use, so `from msgsvc_tui.api import errors` does not pull in
httpx: the app's first frame does not wait for it.
"""

from __future__ import annotations

import importlib
from typing import Any

# Runs before any module of this package imports httpx (a package's __init__ comes first):
# see _quiet_httpx's docstring.
from msgsvc_tui.api import _quiet_httpx  # noqa: F401

_CLIENT = {"MessagingClient", "Page"}
_ERRORS = {
    "ApiError",
    "AuthError",
    "BadResponseError",
    "ConnectError",
    "InsecureUrlError",
    "MsgsvcError",
    "NotAppliedError",
    "NotFoundError",
    "OutcomeUnknownError",
    "RateLimitedError",
    "ReadonlyError",
    "RequestTimeout",
    "ServiceUnavailableError",
    "TlsError",
    "TransportError",
}
__all__ = sorted(_CLIENT | _ERRORS)


def __getattr__(name: str) -> Any:
    if name in _CLIENT:
        return getattr(importlib.import_module("msgsvc_tui.api.client"), name)
    if name in _ERRORS:
        return getattr(importlib.import_module("msgsvc_tui.api.errors"), name)
    raise AttributeError(f"module 'msgsvc_tui.api' has no attribute {name!r}")
