"""Keep httpx's own command-line tool out of our processes.

httpx imports `httpx._main` (its `httpx` command, built on click, rich and pygments) whenever
click and rich are installed, as they are here: uvicorn brings click, Textual brings rich. That
costs ~70 ms of every start, a third of `services get`, for a tool we never run. Registering a
stand-in under that name before httpx is first imported keeps it out; `httpx.main` then does
nothing, which nothing here calls.
"""

from __future__ import annotations

import sys
import types

if "httpx" not in sys.modules:
    _stand_in = types.ModuleType("httpx._main", "httpx's command-line tool, not loaded here")
    _stand_in.main = lambda: None  # type: ignore[attr-defined]  # a module gets attributes
    sys.modules.setdefault("httpx._main", _stand_in)
