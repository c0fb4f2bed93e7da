"""A child process for the cold-start and memory benchmarks.

    python -m benchmarks.coldstart app URL COUNT   # msgsvc-tui on URL until COUNT services listed
    python -m benchmarks.coldstart hello           # a bare Textual app, for comparison

Prints `frame <epoch>` after the first frame, `listed <epoch>` when COUNT services are in the
list, and `rss <kB>` (peak resident set) before it exits. Headless, so no terminal is needed.
"""

from __future__ import annotations

import resource
import sys
import time


def _say(word: str, value: float | int) -> None:
    print(f"{word} {value}", flush=True)


def hello() -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Hello(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("hello world")

        def on_mount(self) -> None:
            self.call_after_refresh(self._painted)

        def _painted(self) -> None:
            _say("frame", time.time())
            self.exit()

    Hello().run(headless=True)


def app(url: str, count: int) -> None:
    from msgsvc_tui.core.config import Config, resolve_connection
    from msgsvc_tui.tui.app import MsgsvcApp

    class Bench(MsgsvcApp):
        def on_mount(self) -> None:
            # Textual also runs MsgsvcApp.on_mount (it dispatches along the MRO): no super()
            self.call_after_refresh(lambda: _say("frame", time.time()))
            self.set_interval(0.005, self._check)

        def _check(self) -> None:
            # not `self.main_screen`: that imports the main screen's module, and this probe
            # runs every 5 ms from the start, so it would import it before the first frame,
            # which the app itself does only after (the splash comes first)
            main = next((s for s in self.screen_stack if type(s).__name__ == "MainScreen"), None)
            if main is not None and len(main.model) >= count:  # type: ignore[attr-defined]
                _say("listed", time.time())
                self.exit()

    config = Config.load()
    connection = resolve_connection(config, base_url=url)
    Bench(config=config, connection=connection).run(headless=True)


def main(argv: list[str]) -> None:
    if argv[0] == "hello":
        hello()
    else:
        app(argv[1], int(argv[2]))
    _say("rss", peak_rss_kb())


def peak_rss_kb() -> int:
    """Peak resident set of this process. Not ru_maxrss: after fork+exec Linux reports the
    parent's peak there when it was larger, which would charge the benchmark's own memory
    to the app. VmHWM belongs to this process image alone."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main(sys.argv[1:])
