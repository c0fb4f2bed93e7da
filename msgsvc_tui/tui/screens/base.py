"""What every screen and widget of ours shares."""

from __future__ import annotations

from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from msgsvc_tui.tui.messages import WorkerFailed


class ReportsWorkerErrors(MessagePump):
    """Worker.StateChanged does not bubble: turn a failed worker into a WorkerFailed message,
    which does, so the App's one handler sees every failure, in any screen or widget. (A
    named handler, not @on: Textual collects @on handlers only from its own classes.)"""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkerFailed(event.worker.error))
