"""The network side: no UI imports here (an import-linter contract in pyproject.toml).

Names are imported on first use, so `from msgsvc_tui.api import errors` does not pull in
httpx: the app's first frame does not wait for it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

# httpx imports its own command-line tool (click, rich, pygments: ~70 ms of every start) when
# they are installed, as they are here; a None entry makes that import fail, which httpx
# expects. A package's __init__ runs before any of its modules imports httpx.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]  # None blocks an import

# httpcore asks for sniffio (which async library is running) each time it sets up a lock, a
# few times per request. Where sniffio is not installed (anyio 4 no longer needs it, nor does
# the app), every ask searched each directory of sys.path again, and failed: a quarter of the
# CPU of a command that sends a few hundred requests. Found missing once, it is marked missing;
# httpcore then takes asyncio, the only loop the app runs.
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]  # None: known missing

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
