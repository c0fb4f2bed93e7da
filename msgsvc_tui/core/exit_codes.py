"""The CLI's exit codes: one enum, which also writes the help text that lists them.

Scripts depend on these numbers; they never change meaning.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    API = 1  # another API or network failure; a write that did not happen (confirmed)
    USAGE = 2  # bad input: a flag, a field value, a SID, a file
    CONFIG = 3  # no credentials, a config file that cannot be used, a journal that cannot record
    NOT_FOUND = 4
    AUTH = 5  # credentials refused (401/403)
    UNKNOWN = 6  # a write's answer was lost and the server could not tell whether it happened
    PARTIAL = 7  # a list stopped part-way: stdout holds the part before the error, well formed
    PENDING = 8  # `services plan` / `diff`: changes are pending (0 when none), for CI
    UNDELIVERED = 9  # `services send --wait`: the message failed or was undelivered
    UNHEALTHY = 10  # `services doctor`: a service has an error-level finding, for CI
    HANGUP = 129  # the TUI's terminal went away; 128 + SIGHUP, as a shell reports a hangup

    @property
    def meaning(self) -> str:
        return _MEANINGS[self]

    @classmethod
    def help_text(cls) -> str:
        return "exit codes:\n" + "\n".join(f"  {code.value}  {code.meaning}" for code in cls)


_MEANINGS = {
    ExitCode.OK: "success (for a write whose answer was lost: confirmed on the server)",
    ExitCode.API: "other API or network error; a write confirmed not to have happened",
    ExitCode.USAGE: "bad input (flags, field values, SIDs)",
    ExitCode.CONFIG: "no credentials, an unusable config file, or a journal that cannot record",
    ExitCode.NOT_FOUND: "not found",
    ExitCode.AUTH: "credentials refused",
    ExitCode.UNKNOWN: "outcome unknown: a write's answer was lost and the server could not tell",
    ExitCode.PARTIAL: "partial list: output before the error is complete and well formed",
    ExitCode.PENDING: "plan/diff: changes are pending (0 means the account matches); "
    "send --wait: the message is not final yet",
    ExitCode.UNDELIVERED: "send --wait: the message failed or was undelivered",
    ExitCode.UNHEALTHY: "doctor: an error-level finding (messages will fail)",
    ExitCode.HANGUP: "the app's terminal went away (it left by itself)",
}
