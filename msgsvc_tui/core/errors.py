"""One error tree: everything this project raises on purpose derives from `MsgsvcError`.

    MsgsvcError
     ├── ConfigError                   a config file or profile that cannot be used
     ├── ValidationError               one or more fields refused (fields.py), each a FieldError
     ├── FieldError                    one field refused, with Twilio's code
     └── the network side (api/errors.py):
          ├── InsecureUrlError         refused before sending: plain http off loopback
          ├── ReadonlyError            refused before sending: --readonly
          ├── NotAppliedError          a write's answer was lost; the server shows it did not happen
          ├── TransportError           no usable HTTP answer
          │    ├── ConnectError        no connection: nothing was sent
          │    │    └── TlsError
          │    ├── RequestTimeout      a read got no answer in time (or not all of it)
          │    ├── OutcomeUnknownError a write may or may not have happened, even after asking
          │    ├── PagingError         a next-page link that does not advance
          │    └── BadResponseError    an answer that is not Twilio's JSON
          │         └── AnswerTooLargeError  past the size limit (decompressed)
          └── ApiError                 Twilio's error body {code, message, more_info, status}
               ├── AuthError           401/403
               ├── NotFoundError       404
               ├── RateLimitedError    429 after every retry
               └── ServiceUnavailableError  503 after every retry (reads only)

So a caller that wants "anything that went wrong in a way we understand" catches one class,
and anything else is a bug, for the one central handler to report.
"""

from __future__ import annotations

from typing import ClassVar

from msgsvc_tui.core.exit_codes import ExitCode


class MsgsvcError(Exception):
    """Base of every error the project raises on purpose.

    Each class carries the CLI's exit code for it (`EXIT`, or `exit_code()` where it depends
    on the instance), so no caller decides a code by reading an error's message."""

    EXIT: ClassVar[ExitCode] = ExitCode.API

    def exit_code(self) -> ExitCode:
        return self.EXIT
