"""What every screen of ours shares."""

from __future__ import annotations

from textual.worker import Worker


class ReportsWorkerErrors:
    """Worker.StateChanged does not bubble: forward it so the App's one handler sees every
    worker failure, whichever screen ran the worker. (A named handler, not @on: Textual
    collects @on handlers only from its own classes, not from a plain mixin.)"""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.app.report_worker(event)  # type: ignore[attr-defined]
