"""Whole processes, timed from outside, as a script or a shell user runs them.

Each command is run the way a user runs it (the installed `msgsvc-tui` script; the SDK as a
script of its own), its wall time taken around the process, A and B alternating so that a
busy moment of the machine falls on both, and reported as median with min and max. Peak RSS is
the OS's figure for the process (GNU time's %M, i.e. wait4's ru_maxrss), taken in separate
runs; Python's own fork would hand its child the parent's peak.

The children get the environment of a user's shell: PYTHONDONTWRITEBYTECODE and
PYTHONUNBUFFERED are dropped (this machine's tooling sets them; an installed package has its
bytecode compiled and a pipe is buffered), and each command runs once unmeasured first, so
that bytecode exists for both sides.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_DROPPED = ("PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PYTHONPROFILEIMPORTTIME")
_GNU_TIME = "/usr/bin/time"


def user_env(base: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in base.items() if k not in _DROPPED}


def ours(*args: str) -> list[str]:
    """`msgsvc-tui …` as installed beside this interpreter (what a user types)."""
    script = Path(sys.executable).with_name("msgsvc-tui")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "msgsvc_tui", *args]


def sdk(*args: str) -> list[str]:
    return [sys.executable, "-m", "benchmarks.sdk_child", *args]


def python_pass() -> list[str]:
    return [sys.executable, "-c", "pass"]


def _run(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=_ROOT, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.decode()[-2000:]}")
    return elapsed


def spread(values: list[float]) -> dict[str, float]:
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def rotate(cmds: dict[str, tuple[list[str], int]], env: dict[str, str]) -> dict[str, Any]:
    """Run each named command its number of times, interleaved: every round runs each
    command still due once, starting one further along each round (A B C, B C A, …)."""
    names = list(cmds)
    for name in names:  # unmeasured: writes bytecode, warms the OS's caches for both sides
        _run(cmds[name][0], env)
    times: dict[str, list[float]] = {name: [] for name in names}
    rounds = max(n for _, n in cmds.values())
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            cmd, n = cmds[name]
            if len(times[name]) < n:
                times[name].append(_run(cmd, env))
    return {name: spread(values) for name, values in times.items()}


def peak_rss_mb(cmd: list[str], env: dict[str, str]) -> float | None:
    """The process's peak resident set as the OS counts it; None without GNU time."""
    if not os.path.exists(_GNU_TIME):
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        subprocess.run(
            [_GNU_TIME, "-f", "%M", "-o", out.name, *cmd],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=_ROOT,
            check=True,
        )
        return int(out.read().split()[-1]) / 1024


_ROOT = Path(__file__).resolve().parent.parent
