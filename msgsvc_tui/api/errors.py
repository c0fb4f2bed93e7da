"""Typed errors: every way a call can fail becomes one of these, never a raw traceback.

The network side of the project's one error tree, which msgsvc_tui/core/errors.py draws whole.
"""

from __future__ import annotations

import re
from typing import Any

from msgsvc_tui.core import fields
from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode

__all__ = ["MsgsvcError"]  # the root, re-exported: api.errors.MsgsvcError still works


class InsecureUrlError(MsgsvcError):
    """Refused before sending: credentials would travel in clear text."""

    EXIT = ExitCode.USAGE


class ReadonlyError(MsgsvcError):
    """A write refused before sending: the app runs with --readonly."""

    EXIT = ExitCode.USAGE


class TransportError(MsgsvcError):
    """The request got no usable HTTP answer."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.url = url


class ConnectError(TransportError):
    """No connection could be made: the request was not sent."""


class TlsError(ConnectError):
    """The TLS handshake failed (bad certificate, plain HTTP on an https address, …)."""


class RequestTimeout(TransportError):
    """No answer in time (a read of GET/DELETE; writes become OutcomeUnknown)."""


class OutcomeUnknownError(TransportError):
    """A write may have reached the server, no answer came back, and asking the server
    afterwards did not settle it (it failed too, or several candidates match).

    We never resend these: a second create would make a second service. `candidates` names
    what the server holds that may be the result (e.g. two services of that name).
    """

    EXIT = ExitCode.UNKNOWN

    def __init__(self, message: str, *, candidates: list[str] | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.candidates = candidates or []


class NotAppliedError(MsgsvcError):
    """A write's answer was lost (or was a 5xx), and the server, asked afterwards, shows the
    write did not happen: a confirmed failure, safe to try again."""

    def __init__(self, message: str, *, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.cause = cause


class BadResponseError(TransportError):
    """An answer that is not Twilio's JSON: an HTML page from a proxy, an empty 502, …"""

    def __init__(self, message: str, *, status: int, body: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.status = status
        self.body = body


class AnswerTooLargeError(BadResponseError):
    """An answer past the size limit (protocol.MAX_ANSWER_BYTES, counted decompressed):
    refused while it arrived, never held whole."""


class PagingError(TransportError):
    """A list's next-page link that does not advance (a page already read, a `Page` number
    that does not grow, an empty page linking on): paging stops there."""


class ApiError(MsgsvcError):
    """Twilio's error body ``{code, message, more_info, status}``, with the field it names."""

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        more_info: str | None = None,
        method: str = "",
        url: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.more_info = more_info or (
            f"https://www.twilio.com/docs/errors/{code}" if code else None
        )
        self.method = method
        self.url = url
        self.field, self.param = field_named_in(message)
        super().__init__(self.describe())

    def exit_code(self) -> ExitCode:
        """A 400 is input Twilio refused (a field's value); anything else an API failure."""
        return ExitCode.USAGE if self.status == 400 else ExitCode.API

    def describe(self) -> str:
        code = f" {self.code}" if self.code else ""
        more = f" ({self.more_info})" if self.more_info else ""
        return f"HTTP {self.status}, Twilio error{code}: {self.message}{more}"


class AuthError(ApiError):
    """401/403: the credentials were refused."""

    def exit_code(self) -> ExitCode:
        return ExitCode.AUTH


class NotFoundError(ApiError):
    """404: no such resource."""

    def exit_code(self) -> ExitCode:
        return ExitCode.NOT_FOUND


class RateLimitedError(ApiError):
    """429 after every retry was spent."""


class ServiceUnavailableError(ApiError):
    """503 after every retry was spent."""


_PARAM_RE = re.compile(r"\b([A-Z][A-Za-z]+)\b")


def field_named_in(message: str) -> tuple[str | None, str | None]:
    """(field name, form parameter) when Twilio's message names a parameter we know.

    Twilio's messages say e.g. "Invalid ValidityPeriod" or "FriendlyName is required": the
    parameter spelling, not the JSON name.
    """
    for word in _PARAM_RE.findall(message or ""):
        f = fields.BY_PARAM.get(word)
        if f is not None:
            return f.name, word
    lowered = (message or "").lower()
    for f in fields.WRITABLE:
        if f.name in lowered:
            return f.name, f.param
    return None, None


def api_error_for(status: int, body: dict[str, Any], *, method: str, url: str) -> ApiError:
    code = body.get("code")
    message = str(body.get("message") or f"HTTP {status}")
    kwargs: dict[str, Any] = {
        "status": status,
        "code": code if isinstance(code, int) else None,
        "message": message,
        "more_info": body.get("more_info"),
        "method": method,
        "url": url,
    }
    cls: type[ApiError] = ApiError
    if status in (401, 403):
        cls = AuthError
    elif status == 404:
        cls = NotFoundError
    elif status == 429:
        cls = RateLimitedError
    elif status == 503:
        cls = ServiceUnavailableError
    return cls(**kwargs)


_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")


def mask_credentials(text: str) -> str:
    """`https://user:secret@host` → `https://***@host`: no message ever shows a password."""
    return _USERINFO.sub("***@", text)


def describe(exc: BaseException) -> str:
    """One line a user can act on, for any error a call can raise (credentials masked)."""
    if isinstance(exc, ApiError):
        text = exc.describe()
    elif isinstance(exc, MsgsvcError):
        text = str(exc)
    else:
        text = f"unexpected {type(exc).__name__}: {exc}"
    return mask_credentials(text)
