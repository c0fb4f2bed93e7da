"""`msgsvc-tui`: the app, the emulator, and (later) scriptable subcommands.

Global options come before the subcommand, as twilio-cli users expect. Heavy imports (Textual,
uvicorn) happen inside the branch that needs them, so `--help` and scripts start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from msgsvc_tui import __version__
from msgsvc_tui.config import Config, ConfigError, resolve_connection

# Exit codes, shared by every subcommand (services scripts depend on them).
EXIT_OK = 0
EXIT_API = 1  # any other API or network failure
EXIT_USAGE = 2  # bad input: a flag, a field value, a SID
EXIT_CONFIG = 3  # no credentials, or a config file that cannot be used
EXIT_NOT_FOUND = 4
EXIT_AUTH = 5  # credentials refused (401/403)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgsvc-tui",
        description="Manage Twilio Messaging Services from the terminal.",
    )
    parser.add_argument("--version", action="version", version=f"msgsvc-tui {__version__}")
    parser.add_argument("--profile", help="use this profile (beats TWILIO_* variables)")
    parser.add_argument(
        "--base-url", help="API base URL, e.g. the emulator's http://127.0.0.1:8765"
    )
    parser.add_argument("--readonly", action="store_true", help="never send a request that writes")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the embedded demo sandbox, whatever profiles exist",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    emu = sub.add_parser("emulator", help="run the local Messaging v1 emulator as an HTTP server")
    emu.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emu.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    emu.add_argument("--db", help="SQLite file, or :memory: (default: the demo sandbox's file)")
    emu.add_argument(
        "--seed-demo", action="store_true", help="fill an empty database with demo data"
    )
    emu.add_argument("--seed-bulk", type=int, metavar="N", help="add N plain services at once")
    emu.add_argument("--reset", action="store_true", help="erase the database before starting")
    emu.add_argument("--account-sid", help="the account SID it accepts (default: the demo's)")
    emu.add_argument("--auth-token", help="the auth token it accepts (default: the demo's)")
    emu.add_argument("--latency-ms", type=float, default=0.0, help="delay every answer (ms)")

    from msgsvc_tui import cli_services

    cli_services.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "emulator":
            return run_emulator(args)
        if args.command == "services":
            from msgsvc_tui import cli_services

            return cli_services.run(args)
        return run_app(args)
    except ConfigError as exc:
        print(f"msgsvc-tui: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def run_emulator(args: argparse.Namespace) -> int:
    from msgsvc_tui.emulator import demo
    from msgsvc_tui.emulator.server import default_db_path, open_emulator, serve_forever

    if not _is_loopback_bind(args.host):
        print(
            f"msgsvc-tui: refusing to listen on {args.host}: the emulator is for loopback only "
            "(it serves plain HTTP with known credentials)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    account = args.account_sid or demo.DEMO_ACCOUNT_SID
    token = args.auth_token or demo.DEMO_AUTH_TOKEN
    db = args.db or str(default_db_path())
    app = open_emulator(
        db, seed=False, account_sid=account, auth_token=token, latency_ms=args.latency_ms
    )
    if args.reset:
        app.store.reset()
    if args.seed_demo:
        demo.ensure_demo(app.store, account)
    if args.seed_bulk:
        demo.seed_bulk(app.store, args.seed_bulk, account)
    count = app.store.count_services(account)
    url = f"http://{args.host}:{args.port}"
    print(
        f"Messaging v1 emulator on {url}  ({count} services, database {db})\n"
        f"  TWILIO_ACCOUNT_SID={account}\n"
        f"  TWILIO_AUTH_TOKEN={token}\n"
        f"  try: curl -u {account}:{token} {url}/v1/Services\n"
        f"   or: msgsvc-tui --base-url {url}\n"
        "Ctrl+C stops it.",
        flush=True,
    )
    serve_forever(app, args.host, args.port)
    return EXIT_OK


def run_app(args: argparse.Namespace) -> int:
    from msgsvc_tui.tui.app import MsgsvcApp

    config = Config.load()
    connection = None
    if not args.demo:
        connection = resolve_connection(config, profile=args.profile, base_url=args.base_url)
    app = MsgsvcApp(
        config=config,
        connection=connection,
        demo=args.demo,
        readonly=args.readonly,
    )
    app.run()
    return app.return_code or EXIT_OK


def _is_loopback_bind(host: str) -> bool:
    from msgsvc_tui.api.client import is_loopback_host

    return is_loopback_host(host)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
