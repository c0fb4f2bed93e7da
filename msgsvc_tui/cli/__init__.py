"""`msgsvc-tui`: the app, the emulator, and (later) scriptable subcommands.

Global options come before the subcommand, as twilio-cli users expect. Heavy imports (Textual,
uvicorn) happen inside the branch that needs them, so `--help` and scripts start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from msgsvc_tui import __version__
from msgsvc_tui.cli import parser as cli_parser
from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.core.sanitize import safe

TOKEN_ENV = "MSGSVC_EMULATOR_AUTH_TOKEN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="msgsvc-tui",
        usage=(
            "%(prog)s [-h] [--version] [--profile PROFILE] [--base-url BASE_URL] [--readonly]\n"
            "                  [--demo] [--sandbox-db PATH] [--tour] [--show-keys] [COMMAND ...]"
        ),
        description=(
            "Manage Twilio Messaging Services from the terminal.\n\n"
            "Run with no command to open the app (the keyboard-driven interface);\n"
            "the commands below are for scripts and one-off changes."
        ),
        epilog=(
            "examples:\n"
            "  msgsvc-tui                                     open the app\n"
            "  msgsvc-tui --demo                              open the app on the demo sandbox\n"
            '  msgsvc-tui services get "Acme Order Updates"   a service by SID or friendly name\n'
            "  msgsvc-tui completion bash                     the shell completion script\n"
            "  msgsvc-tui serve                               the app in a browser, for a workshop"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    parser.add_argument(
        "--sandbox-db",
        metavar="PATH",
        help="a demo sandbox of its own in this SQLite file (seeded when new), and no profiles: "
        "what `serve` gives each visitor",
    )
    parser.add_argument(
        "--tour",
        action="store_true",
        help="open the demo sandbox with a guided tour of the app (esc leaves it)",
    )
    parser.add_argument(
        "--show-keys",
        action="store_true",
        help="show each key pressed in a corner for a few seconds (for presenting)",
    )
    # prog given: else the subcommands' usage would start with the custom usage above
    sub = cli_parser.lazy_subparsers(parser, dest="command", metavar="COMMAND", prog="msgsvc-tui")
    sub.add_lazy(
        "emulator", _emulator, help="run the local Messaging v1 emulator as an HTTP server"
    )
    cli_parser.add_services_parser(sub)
    cli_parser.add_numbers_parser(sub)
    cli_parser.add_completion_parser(sub)
    sub.add_lazy("serve", _serve, help="serve the app to browsers, a sandbox per visitor")
    sub.add_lazy("demo", _demo, help="the demo sandbox: reset it to its first state")
    return parser


def _demo(p: argparse.ArgumentParser) -> None:
    from msgsvc_tui.cli import demo

    demo.arguments(p)


def _serve(p: argparse.ArgumentParser) -> None:
    from msgsvc_tui.cli import serve

    serve.arguments(p)


def _emulator(emu: argparse.ArgumentParser) -> None:
    emu.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    emu.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    emu.add_argument("--db", help="SQLite file, or :memory: (default: the demo sandbox's file)")
    emu.add_argument(
        "--seed-demo", action="store_true", help="fill an empty database with demo data"
    )
    emu.add_argument("--seed-bulk", type=int, metavar="N", help="add N plain services at once")
    emu.add_argument("--reset", action="store_true", help="erase the database before starting")
    emu.add_argument("--account-sid", help="the account SID it accepts (default: the demo's)")
    token = emu.add_mutually_exclusive_group()
    token.add_argument(
        "--auth-token",
        help=f"the auth token it accepts (visible in `ps`: prefer ${TOKEN_ENV} or "
        "--auth-token-file); default: the demo's",
    )
    token.add_argument(
        "--auth-token-file", metavar="PATH", help="read the auth token from this file"
    )
    emu.add_argument("--latency-ms", type=float, default=0.0, help="delay every answer (ms)")
    emu.add_argument(
        "--review-seconds",
        type=float,
        default=None,
        help="how long a new A2P campaign stays IN_PROGRESS (default 20)",
    )
    emu.add_argument(
        "--clock-speed",
        type=float,
        default=1.0,
        metavar="X",
        help="run the emulator's clock X times faster than real time (message queues, "
        "statuses, campaign reviews); default 1",
    )
    emu.add_argument(
        "--seed-messages",
        type=int,
        metavar="N",
        help="add N delivered messages of the last N seconds (one in ten through the demo's "
        "Event Tickets service, which --seed-demo makes)",
    )
    emu.add_argument(
        "--allow-webhook",
        action="append",
        default=[],
        metavar="HOST",
        help="also call status callbacks and inbound webhooks on HOST (repeatable); "
        "by default only loopback is called and other URLs are logged as 'would call'",
    )


def console_main() -> int:
    """The `msgsvc-tui` command (and `python -m msgsvc_tui`); tests call `main`.

    After a one-shot read (`services get`, `services list`) it leaves without the interpreter's
    finalization, which takes ~12 ms here (an eighth of a whole `services get`):
    such a command holds no file, database, thread or terminal state that needs it, and its
    output is flushed first. Every other command exits normally.
    """
    code = main()
    done = sys.modules.get("msgsvc_tui.cli.services")
    if done is not None and getattr(done, "one_shot_read_finished", False):
        import contextlib
        import os

        for stream in (sys.stdout, sys.stderr):
            # a closed pipe (`| head`), a closed stream: nothing more can be said there
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    return code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    given = sys.argv[1:] if argv is None else list(argv)
    if given[:1] == ["__complete"]:  # a shell's tab press (cli/completion.py), not for people
        from msgsvc_tui.cli import completion

        return completion.answer(parser, given[1:], sys.stdout)
    args = parser.parse_args(given)
    # The config (platformdirs, TOML) is imported by the branch that needs it: --help and
    # --version never load it.
    try:
        if args.command == "emulator":
            return run_emulator(args)
        if args.command == "demo":
            from msgsvc_tui.cli import demo as cli_demo

            return cli_demo.run(args)
        if args.command == "serve":
            from msgsvc_tui.cli import serve

            return serve.run(args)
        if args.command == "services":
            from msgsvc_tui.cli import services as cli_services

            return cli_services.run(args)
        if args.command == "completion":
            from msgsvc_tui.cli import completion

            sys.stdout.write(completion.script(args.shell))
            return ExitCode.OK
        if args.command == "numbers":
            from msgsvc_tui.cli import numbers as cli_numbers

            return cli_numbers.run(args)
        return run_app(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from msgsvc_tui.core.config import ConfigError, CredentialVariableError

        if not isinstance(exc, ConfigError):
            raise
        print(f"msgsvc-tui: {safe(exc)}", file=sys.stderr)
        return ExitCode.USAGE if isinstance(exc, CredentialVariableError) else ExitCode.CONFIG


def run_emulator(args: argparse.Namespace) -> int:
    from msgsvc_tui.emulator import demo
    from msgsvc_tui.emulator.server import (
        default_db_path,
        listen_socket,
        open_emulator,
        serve_forever,
    )

    if not _is_loopback_bind(args.host):
        print(
            f"msgsvc-tui: refusing to listen on {args.host}: the emulator is for loopback only "
            "(it serves plain HTTP with known credentials)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    if not args.clock_speed > 0:  # NaN too
        print(f"msgsvc-tui: --clock-speed must be above 0, not {args.clock_speed}", file=sys.stderr)
        return ExitCode.USAGE
    account = args.account_sid or demo.DEMO_ACCOUNT_SID
    token, token_source = _emulator_token(args)
    if token is None:
        return ExitCode.USAGE
    try:
        sock = listen_socket(args.host, args.port)
    except OSError as exc:
        print(f"msgsvc-tui: {_listen_problem(args.host, args.port, exc)}", file=sys.stderr)
        return ExitCode.USAGE
    args.port = sock.getsockname()[1]  # --port 0: the free port the system gave
    db = args.db or str(default_db_path())
    app = open_emulator(
        db,
        seed=False,
        account_sid=account,
        auth_token=token,
        latency_ms=args.latency_ms,
        review_seconds=args.review_seconds,
        allow_webhooks=args.allow_webhook,
    )
    if args.clock_speed != 1.0:
        app.store.clock = _fast_clock(args.clock_speed)
    if args.reset:
        app.store.reset()
    if args.seed_demo:
        demo.ensure_demo(app.store, account)
    if args.seed_bulk:
        demo.seed_bulk(app.store, args.seed_bulk, account)
    if args.seed_messages:
        from msgsvc_tui.emulator.demo_messages import PLAYGROUND, seed_bulk_messages

        rows = app.store.list_services(account, after=None, before=None, limit=1000)
        playground = next(
            (r.data["sid"] for r in rows if r.data["friendly_name"] == PLAYGROUND), None
        )
        if playground is None:
            print(
                f"msgsvc-tui: --seed-messages needs the demo's {PLAYGROUND} (--seed-demo)",
                file=sys.stderr,
            )
            return ExitCode.USAGE
        seed_bulk_messages(app.store, account, args.seed_messages, playground)
    count = app.store.count_services(account)
    # a token of the user's own is never echoed (the terminal may be shared or recorded)
    shown_token = token if token_source == "demo" else f"<the token from {token_source}>"
    url = f"http://{args.host}:{args.port}"
    print(
        f"Messaging v1 emulator on {url}  ({count} services, database {db})\n"
        f"  TWILIO_ACCOUNT_SID={account}\n"
        f"  TWILIO_AUTH_TOKEN={shown_token}\n"
        f"  try: curl -u {account}:{shown_token} {url}/v1/Services\n"
        f"   or: msgsvc-tui --base-url {url}\n"
        "Ctrl+C stops it.",
        flush=True,
    )
    serve_forever(app, args.host, args.port, sock=sock)
    return ExitCode.OK


def _fast_clock(speed: float) -> Callable[[], float]:
    """A clock that starts now and runs `speed` times faster than real time."""
    import time

    start = time.time()
    return lambda: start + (time.time() - start) * speed


def _listen_problem(host: str, port: int, exc: OSError) -> str:
    """Why the emulator cannot listen, in words, with what to do instead."""
    import errno

    if exc.errno == errno.EADDRINUSE:
        return f"port {port} is in use (try --port 0 for any free port)"
    if exc.errno == errno.EACCES:
        return f"port {port} needs privileges (try a port above 1023, or --port 0)"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine (try --host 127.0.0.1)"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def run_app(args: argparse.Namespace) -> int:
    from msgsvc_tui.core.config import Config, resolve_connection
    from msgsvc_tui.tui.app import MsgsvcApp

    config = Config.load()
    for warning in config.warnings:
        print(f"msgsvc-tui: warning: {safe(warning)}", file=sys.stderr)
    connection = None
    sandbox_only = args.sandbox_db is not None
    if not (args.demo or sandbox_only or args.tour):
        connection = resolve_connection(config, profile=args.profile, base_url=args.base_url)
    app = MsgsvcApp(
        config=config,
        connection=connection,
        demo=args.demo or sandbox_only or args.tour,
        readonly=args.readonly,
        emulator_db=args.sandbox_db,
        sandbox_only=sandbox_only,
        tour=args.tour,
        show_keys=args.show_keys,
    )
    app.run()
    return app.return_code or ExitCode.OK


def _emulator_token(args: argparse.Namespace) -> tuple[str | None, str]:
    """(token, where it came from): the flag, a file, the environment, or the demo's."""
    import os

    if args.auth_token:
        return args.auth_token, "--auth-token"
    if args.auth_token_file:
        try:
            token = open(args.auth_token_file, encoding="utf-8").read().strip()  # noqa: SIM115
        except OSError as exc:
            print(
                f"msgsvc-tui: --auth-token-file {args.auth_token_file}: {exc.strerror}",
                file=sys.stderr,
            )
            return None, ""
        if not token:
            print(f"msgsvc-tui: --auth-token-file {args.auth_token_file} is empty", file=sys.stderr)
            return None, ""
        return token, args.auth_token_file
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV], f"${TOKEN_ENV}"
    from msgsvc_tui.emulator import demo

    return demo.DEMO_AUTH_TOKEN, "demo"


def _is_loopback_bind(host: str) -> bool:
    from msgsvc_tui.api.client import is_loopback_host

    return is_loopback_host(host)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
