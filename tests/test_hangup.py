"""The app leaves when its terminal goes away, even when a wrapper took the hangup signal
(`make demo` under a killed tmux left it spinning one core at 100% before)."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys

import pytest

from msgsvc_tui.core.exit_codes import ExitCode
from msgsvc_tui.tui import hangup


def test_a_closed_terminal_reads_as_hung_up():
    master, slave = pty.openpty()
    try:
        assert hangup.hung_up([slave]) is False
        os.close(master)
        assert hangup.hung_up([slave]) is True
    finally:
        os.close(slave)


def test_no_terminal_is_never_hung_up():
    assert hangup.hung_up([]) is False


def _ignore_hangup() -> None:
    # as a wrapper that took the SIGHUP: the app must notice the terminal on its own
    signal.signal(signal.SIGHUP, signal.SIG_IGN)


@pytest.mark.parametrize(
    "closed_after",
    [b"SANDBOX", b""],  # the main screen up and idle; or at its first bytes, while it paints
)
def test_the_app_leaves_when_its_terminal_is_closed(tmp_path, closed_after):
    master, slave = pty.openpty()
    app = subprocess.Popen(
        [sys.executable, "-m", "msgsvc_tui", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        env={**os.environ, "TERM": "xterm-256color"},
        preexec_fn=_ignore_hangup,
        start_new_session=True,
    )
    os.close(slave)
    try:
        shown = b""
        while not shown or closed_after not in shown:
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, "the app painted nothing"
            shown += os.read(master, 65536)
        os.close(master)  # the terminal goes away
        master = -1
        assert app.wait(timeout=60) == ExitCode.HANGUP
    finally:
        if master >= 0:
            os.close(master)
        if app.poll() is None:
            app.kill()
            app.wait()
