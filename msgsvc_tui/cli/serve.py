"""`msgsvc-tui serve`: the app in a browser, for a workshop where nobody installs Python.

textual-serve (Textualize's own) runs one app process per browser tab. Each process here is a
*visitor* with a sandbox of their own: a fresh temporary folder holding a new copy of the demo
data (its own SQLite file), their own journal and an empty config, and no TWILIO_* variables,
so twenty attendees never see each other's edits, nor the presenter's profiles or credentials.
When the tab closes, the process is told to quit (killed if it does not within a few seconds)
and the folder is removed.

Arguments and messages here; the server itself (cli/visitors.py: textual-serve, aiohttp) is
imported only when this command runs, so it costs the other commands nothing.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys

from msgsvc_tui.api.protocol import is_loopback_host
from msgsvc_tui.core.exit_codes import ExitCode

DEFAULT_MAX_VISITORS = 40


def arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 for a room)",
    )
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--readonly",
        dest="serve_readonly",
        action="store_true",
        help="visitors can look but not change (every write key says why)",
    )
    p.add_argument(
        "--tour",
        dest="serve_tour",
        action="store_true",
        help="every visitor starts on the guided tour (esc leaves it)",
    )
    p.add_argument(
        "--public-url",
        help="the address browsers use, when it differs from http://HOST:PORT (a proxy, a name)",
    )
    p.add_argument(
        "--max-visitors",
        type=int,
        default=DEFAULT_MAX_VISITORS,
        help=f"at most this many app processes at once (default {DEFAULT_MAX_VISITORS})",
    )


def visitor_command(*, readonly: bool, tour: bool = False) -> str:
    """The command each visitor's process runs, before its `--sandbox-db PATH`.

    `exec` makes the app the shell's own process, so the process textual-serve holds (and
    stops) is the app itself. This interpreter, not a `msgsvc-tui` found on PATH: the same
    installation serves every visitor."""
    parts = [sys.executable, "-m", "msgsvc_tui", "--demo"]
    if readonly:
        parts.append("--readonly")
    if tour:
        parts.append("--tour")
    return "exec " + shlex.join(parts)


def serving_message(host: str, port: int, public_url: str) -> str:
    if is_loopback_host(host):
        reach = (
            "loopback only: browsers on this machine can open it; "
            "--host 0.0.0.0 lets others on your network in"
        )
    else:
        reach = (
            f"listening on {host}: anyone who can reach this machine gets a sandbox "
            "(no password; the demo data only, never your profiles or TWILIO_* credentials)"
        )
    return (
        f"msgsvc-tui in the browser: {public_url}\n"
        f"  {reach}\n"
        "  each visitor gets a fresh demo sandbox of their own, removed when they leave\n"
        "Ctrl+C stops it."
    )


def default_public_url(host: str, port: int) -> str:
    """What browsers are told to connect to: the address itself, or this machine's name when
    listening on every address (0.0.0.0 is not an address a browser can reach)."""
    if host in ("0.0.0.0", "::", ""):
        host = socket.getfqdn()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"msgsvc-tui serve: --port {args.port}: must be from 1 to 65535", file=sys.stderr)
        return ExitCode.USAGE
    if args.max_visitors < 1:
        print("msgsvc-tui serve: --max-visitors must be at least 1", file=sys.stderr)
        return ExitCode.USAGE
    from msgsvc_tui.cli.visitors import SandboxServer

    readonly = bool(args.readonly or args.serve_readonly)
    public_url = (args.public_url or default_public_url(args.host, args.port)).rstrip("/")
    server = SandboxServer(
        visitor_command(readonly=readonly, tour=bool(args.tour or args.serve_tour)),
        host=args.host,
        port=args.port,
        public_url=public_url,
        max_visitors=args.max_visitors,
        on_ready=lambda: print(serving_message(args.host, args.port, public_url), flush=True),
    )
    try:
        server.serve()
    except OSError as exc:
        print(f"msgsvc-tui serve: cannot listen on {args.host}:{args.port}: {exc.strerror}")
        return ExitCode.API
    return ExitCode.OK
