"""`msgsvc-tui demo reset`: the demo sandbox back to its first state, after asking.

A presenter resets between two sessions; `--sandbox-db PATH` resets that sandbox instead of
the one in the data folder.
"""

from __future__ import annotations

import argparse
import sys

from msgsvc_tui.core.exit_codes import ExitCode


def arguments(p: argparse.ArgumentParser) -> None:
    verbs = p.add_subparsers(dest="verb", metavar="VERB", required=True)
    reset = verbs.add_parser(
        "reset", help="erase every edit: the demo data as new (asks first unless --yes)"
    )
    reset.add_argument("--yes", action="store_true", help="do not ask")


def run(args: argparse.Namespace) -> int:
    from msgsvc_tui.emulator import demo
    from msgsvc_tui.emulator.server import default_db_path, open_emulator

    db = args.sandbox_db or str(default_db_path())
    if not args.yes:
        if not sys.stdin.isatty():
            print(
                f"msgsvc-tui demo reset: would erase every edit in {db}; "
                "pass --yes to do it without a terminal",
                file=sys.stderr,
            )
            return ExitCode.USAGE
        answer = input(f"Erase every edit in the demo sandbox ({db}) and start again? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing changed.", file=sys.stderr)
            return ExitCode.OK
    emulator = open_emulator(db, seed=False)
    count = demo.reset_demo(emulator.store)
    emulator.store.close()
    print(f"The demo sandbox is as new: {count} services ({db}).")
    return ExitCode.OK
