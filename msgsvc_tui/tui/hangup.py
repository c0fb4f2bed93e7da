"""Leaving when the terminal goes away.

A terminal that is closed (an SSH connection dropped, a tmux server killed) sends SIGHUP to
its session, but a wrapper in between (`make demo`, a shell script) can take it and leave the
app running with no terminal. Textual's input thread then reads end-of-file in a loop, one
core at 100%, for ever. So the app asks the kernel, once a second, whether its terminal has
hung up, and leaves if it has: a `poll` of the standard streams that are terminals, which
costs one system call and needs no signal to reach it. It asks before every frame too: a
frame written to a terminal that has gone kills Textual's writer thread, and the app would
then block on its full queue (see `MsgsvcApp.frame_wanted`).
"""

from __future__ import annotations

import os
import select

HUNG_UP = select.POLLHUP | select.POLLERR | select.POLLNVAL
CHECK_SECONDS = 1.0


def terminal_fds() -> list[int]:
    """The standard streams that are terminals (Textual reads 0 and paints on 2): what a
    hangup closes."""
    fds = []
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd):
                fds.append(fd)
        except OSError:
            continue
    return fds


def hung_up(fds: list[int]) -> bool:
    """Has any of `fds` hung up (or been closed)? Answers at once, never waits."""
    if not fds:
        return False
    poller = select.poll()
    for fd in fds:
        poller.register(fd, select.POLLIN)
    return any(events & HUNG_UP for _fd, events in poller.poll(0))
