"""Profiles and preferences in TOML, and which credentials win.

The file is read with stdlib `tomllib` and written with `tomli-w`. We keep the parsed document
as it was (`Config.document`) and change only the keys we own, so keys a newer version or the
user added survive a rewrite. A file that fails to parse is never written over: loading raises
`ConfigError` and no `Config` exists to save.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgsvc_tui.core import files
from msgsvc_tui.core.errors import MsgsvcError
from msgsvc_tui.core.exit_codes import ExitCode

# where the files live (core/paths.py, light enough for a shell's tab press), named here too
from msgsvc_tui.core.paths import APP_NAME as APP_NAME
from msgsvc_tui.core.paths import CONFIG_ENV as CONFIG_ENV
from msgsvc_tui.core.paths import DATA_ENV as DATA_ENV
from msgsvc_tui.core.paths import config_path as config_path
from msgsvc_tui.core.paths import data_dir as data_dir

if TYPE_CHECKING:
    import tomllib

# tomllib, tomli_w, tempfile and platformdirs are imported where used: a `services get` with
# TWILIO_* variables and no config file needs none of them (import only what a
# command needs).


ACCOUNT_SID_RE = re.compile(r"^AC[0-9a-fA-F]{32}\Z")
API_KEY_RE = re.compile(r"^SK[0-9a-fA-F]{32}\Z")
PROFILE_NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}\Z")


class ConfigError(MsgsvcError):
    """A config file that cannot be used; the message names the file and what is wrong."""

    EXIT = ExitCode.CONFIG


class CredentialVariableError(ConfigError):
    """A TWILIO_* variable whose value cannot be a credential of its kind: bad input, found
    before any request (a request would only come back 401, naming nothing)."""


class Secret:
    """A credential that never shows itself in repr(), str(), logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


def mask_sid(sid: str) -> str:
    """AC12…cdef: enough to tell accounts apart on a shared screen, not enough to copy."""
    if len(sid) <= 10:
        return sid
    return f"{sid[:6]}…{sid[-4:]}"


@dataclass
class Profile:
    name: str
    account_sid: str
    auth_token: Secret | None = None
    api_key: str | None = None
    api_secret: Secret | None = None
    region: str | None = None
    edge: str | None = None
    base_url: str | None = None

    def credentials(self) -> tuple[str, Secret]:
        """(username, password) for HTTP Basic auth: the API key wins when both are set."""
        if self.api_key and self.api_secret:
            return self.api_key, self.api_secret
        if self.auth_token:
            return self.account_sid, self.auth_token
        raise ConfigError(
            f"profile {self.name!r} has no credentials: set auth_token, or api_key and api_secret"
        )

    def connection(self, *, source: str = "profile", base_url: str | None = None) -> Connection:
        """How to reach this profile's account; a --base-url given as `base_url` wins."""
        user, secret = self.credentials()
        return Connection(
            account_sid=self.account_sid,
            username=user,
            password=secret,
            region=self.region,
            edge=self.edge,
            base_url=base_url or self.base_url,
            profile=self.name,
            source=source,
        )

    def problems(self) -> list[ProfileProblem]:
        """What is wrong with this profile, field by field, in words a user can act on."""
        out: list[ProfileProblem] = []

        def bad(attr: str, message: str) -> None:
            out.append(ProfileProblem(attr, message))

        if not PROFILE_NAME_RE.match(self.name):
            bad("name", "use 1-64 letters, digits, '.', '_' or '-'")
        if not ACCOUNT_SID_RE.match(self.account_sid or ""):
            bad("account_sid", "must be AC followed by 32 hex digits")
        has_key = bool(self.api_key) or bool(self.api_secret)
        if has_key:
            if not API_KEY_RE.match(self.api_key or ""):
                bad("api_key", "must be SK followed by 32 hex digits")
            if not self.api_secret:
                bad("api_secret", "required with api_key")
        elif not self.auth_token:
            bad("auth_token", "required (or api_key and api_secret)")
        if self.base_url and not re.match(r"^https?://", self.base_url):
            bad("base_url", "must start with http:// or https://")
        return out


@dataclass(frozen=True)
class ProfileProblem:
    """One field of a profile and what is wrong with it."""

    attr: str
    message: str

    def __str__(self) -> str:
        return f"{self.attr}: {self.message}"


@dataclass
class Preferences:
    theme: str = "textual-dark"
    page_size: int = 1000
    confirm_delete: bool = True
    bulk_concurrency: int = 8


_PREF_RULES: dict[str, tuple[type, Any]] = {
    # key: (type, check) — check returns an error string or None
    "theme": (str, lambda v: None if v else "must not be empty"),
    "page_size": (int, lambda v: None if 1 <= v <= 1000 else "must be from 1 to 1000"),
    "confirm_delete": (bool, lambda v: None),
    "bulk_concurrency": (int, lambda v: None if 1 <= v <= 64 else "must be from 1 to 64"),
}

_PROFILE_STR_KEYS = ("account_sid", "api_key", "region", "edge", "base_url")
_PROFILE_SECRET_KEYS = ("auth_token", "api_secret")


def _regular_file(path: Path) -> os.stat_result | None:
    """The file's status (through a symlink), None when it does not exist; anything but a
    regular file is refused before it is opened (a FIFO would hang the reader)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(info.st_mode):
        kind = files.kind_of(info.st_mode)
        raise ConfigError(f"{path}: is {kind}, not a config file: refusing it")
    return info


def permission_warnings(path: Path) -> list[str]:
    """What makes the credentials in `path` readable or replaceable by someone else."""
    out: list[str] = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        info = path.stat()
    except OSError:
        info = None
    if info is not None and info.st_mode & 0o077:
        out.append(
            f"{path} is readable by others (mode {stat.S_IMODE(info.st_mode):04o}); it holds "
            f"credentials: chmod 600 {path}"
        )
    folder = path.resolve().parent if path.exists() else path.parent
    try:
        folder_info = folder.stat()
    except OSError:
        return out
    if folder_info.st_mode & 0o022 and not folder_info.st_mode & stat.S_ISVTX:
        out.append(
            f"{folder} is writable by others (mode {stat.S_IMODE(folder_info.st_mode):04o}): "
            f"anyone who can write there can replace the config: chmod 700 {folder}"
        )
    if uid is not None and folder_info.st_uid != uid:
        out.append(f"{folder} belongs to another user (uid {folder_info.st_uid})")
    return out


@dataclass
class Config:
    path: Path
    document: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    active_profile: str | None = None
    preferences: Preferences = field(default_factory=Preferences)
    # Said once at start-up (stderr, and in the app): a file others can read, a folder others
    # can write to. Not errors: the user may have reasons, but must know.
    warnings: list[str] = field(default_factory=list)

    # ---- reading -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | None = None) -> Config:
        path = config_path() if path is None else path
        if _regular_file(path) is None:
            return cls(path=path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return cls(path=path)
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
        import tomllib

        try:
            document = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(_describe_toml_error(path, exc)) from None
        except RecursionError:  # the parser recurses once per level of nesting
            raise ConfigError(files.nesting_message(path)) from None
        if files.too_deep(document):
            raise ConfigError(files.nesting_message(path))
        config = cls.from_document(path, document)
        config.warnings = permission_warnings(path)
        return config

    @classmethod
    def from_document(cls, path: Path, document: dict[str, Any]) -> Config:
        where = str(path)
        profiles: dict[str, Profile] = {}
        raw_profiles = document.get("profiles", {})
        if not isinstance(raw_profiles, dict):
            raise ConfigError(f"{where}: [profiles] must be a table")
        for name, table in raw_profiles.items():
            if not isinstance(table, dict):
                raise ConfigError(f"{where}: profiles.{name} must be a table")
            values: dict[str, Any] = {}
            for key in (*_PROFILE_STR_KEYS, *_PROFILE_SECRET_KEYS):
                if key in table:
                    value = table[key]
                    if not isinstance(value, str):
                        raise ConfigError(f"{where}: profiles.{name}.{key} must be a string")
                    values[key] = Secret(value) if key in _PROFILE_SECRET_KEYS else value
            if "account_sid" not in values:
                raise ConfigError(f"{where}: profiles.{name}.account_sid is missing")
            profiles[name] = Profile(name=name, **values)
        active = document.get("active_profile")
        if active is not None and not isinstance(active, str):
            raise ConfigError(f"{where}: active_profile must be a string")
        prefs = Preferences()
        raw_prefs = document.get("preferences", {})
        if not isinstance(raw_prefs, dict):
            raise ConfigError(f"{where}: [preferences] must be a table")
        for key, (typ, check) in _PREF_RULES.items():
            if key not in raw_prefs:
                continue
            value = raw_prefs[key]
            # bool is an int in Python; a preference typed int must not accept true/false.
            if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
                raise ConfigError(f"{where}: preferences.{key} must be a {typ.__name__}")
            problem = check(value)
            if problem:
                raise ConfigError(f"{where}: preferences.{key} {problem} (got {value!r})")
            setattr(prefs, key, value)
        return cls(
            path=path,
            document=document,
            profiles=profiles,
            active_profile=active,
            preferences=prefs,
        )

    # ---- changing ------------------------------------------------------------------------
    def set_profile(self, profile: Profile) -> None:
        problems = profile.problems()
        if problems:
            raise ConfigError(f"profile {profile.name!r}: " + "; ".join(map(str, problems)))
        self.profiles[profile.name] = profile

    def remove_profile(self, name: str) -> None:
        self.profiles.pop(name, None)
        if self.active_profile == name:
            self.active_profile = None

    def to_document(self) -> dict[str, Any]:
        """The document to write: the one we read, with our keys replaced."""
        doc = copy.deepcopy(self.document)
        if self.active_profile is None:
            doc.pop("active_profile", None)
        else:
            doc["active_profile"] = self.active_profile
        old_profiles = doc.get("profiles", {}) if isinstance(doc.get("profiles"), dict) else {}
        profiles: dict[str, Any] = {}
        for name, p in self.profiles.items():
            table = dict(old_profiles.get(name, {}))  # unknown keys of a profile survive
            for key in (*_PROFILE_STR_KEYS, *_PROFILE_SECRET_KEYS):
                value = getattr(p, key)
                if isinstance(value, Secret):
                    value = value.reveal() or None
                if value:
                    table[key] = value
                else:
                    table.pop(key, None)
            profiles[name] = table
        if profiles:
            doc["profiles"] = profiles
        else:
            doc.pop("profiles", None)
        prefs = dict(doc.get("preferences", {}))
        for key in _PREF_RULES:
            prefs[key] = getattr(self.preferences, key)
        doc["preferences"] = prefs
        return doc

    def save(self) -> None:
        import tomli_w

        _write_config(self.path, tomli_w.dumps(self.to_document()).encode("utf-8"))


def _write_config(path: Path, data: bytes) -> None:
    """Through the one atomic writer (core/files.py): a new file 0600 in a folder made 0700,
    since the file holds credentials; our own folder (the default one, named after the app)
    is tightened to 0700 when it is looser. Refusals (a folder or FIFO where the config should
    be) become a ConfigError naming the file."""
    try:
        folder = files.target(path, create_folder=True).path.parent
        if folder.name == APP_NAME and folder.is_dir():
            with contextlib.suppress(OSError):
                if stat.S_IMODE(folder.stat().st_mode) & 0o077:
                    folder.chmod(0o700)
        files.atomic_write(path, data, new_mode=0o600, create_folder=True)
    except files.FileRefusedError as exc:
        raise ConfigError(str(exc)) from None


def _describe_toml_error(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    # Python 3.11's TOMLDecodeError has no lineno attribute; its message ends "(at line L,
    # column C)". Reword it as "file:line:col: problem" so editors can jump there.
    text = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)", text)
    lineno = getattr(exc, "lineno", None) or (int(m.group(1)) if m else None)
    colno = getattr(exc, "colno", None) or (int(m.group(2)) if m else None)
    problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", text) or "invalid TOML"
    problem = getattr(exc, "msg", None) or problem
    if lineno is not None:
        return f"{path}:{lineno}:{colno}: {problem} (line {lineno}, column {colno})"
    return f"{path}: {problem}"


# ---- which connection wins ---------------------------------------------------------------
@dataclass
class Connection:
    """Everything the client needs to reach one account, and where it came from."""

    account_sid: str
    username: str
    password: Secret
    region: str | None = None
    edge: str | None = None
    base_url: str | None = None
    profile: str | None = None  # None when the credentials came from the environment
    source: str = "profile"


def resolve_connection(
    config: Config,
    *,
    profile: str | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Connection | None:
    """Pick credentials as twilio-cli does: flag > environment > active profile.

    Returns None when nothing anywhere gives credentials (the app then offers the demo).
    """
    env = os.environ if env is None else env

    def from_profile(name: str, source: str) -> Connection:
        p = config.profiles.get(name)
        if p is None:
            known = ", ".join(sorted(config.profiles)) or "none"
            raise ConfigError(f"{config.path}: no profile named {name!r} (known: {known})")
        return p.connection(source=source, base_url=base_url)

    if profile:
        return from_profile(profile, "--profile")
    check_variables(env)
    env_sid = env.get("TWILIO_ACCOUNT_SID")
    env_token = env.get("TWILIO_AUTH_TOKEN")
    env_key, env_secret = env.get("TWILIO_API_KEY"), env.get("TWILIO_API_SECRET")
    if env_sid and ((env_key and env_secret) or env_token):
        user, password = (env_key, env_secret) if env_key and env_secret else (env_sid, env_token)
        return Connection(
            account_sid=env_sid,
            username=user or env_sid,
            password=Secret(password or ""),
            region=env.get("TWILIO_REGION") or None,
            edge=env.get("TWILIO_EDGE") or None,
            base_url=base_url,
            profile=None,
            source="environment",
        )
    chosen = env.get("TWILIO_PROFILE") or None
    if chosen:
        conn = from_profile(chosen, "TWILIO_PROFILE")
    elif config.active_profile:
        conn = from_profile(config.active_profile, "active profile")
    elif len(config.profiles) == 1:
        conn = from_profile(next(iter(config.profiles)), "only profile")
    else:
        return None
    conn.region = env.get("TWILIO_REGION") or conn.region
    conn.edge = env.get("TWILIO_EDGE") or conn.edge
    return conn


# What each variable must look like; the value itself is never repeated in the message (a
# token pasted into the wrong variable would otherwise end up on the screen).
_VARIABLE_PATTERNS = (
    ("TWILIO_ACCOUNT_SID", ACCOUNT_SID_RE, "an account SID: AC and 32 hex digits (0-9 a-f)"),
    ("TWILIO_API_KEY", API_KEY_RE, "an API key SID: SK and 32 hex digits (0-9 a-f)"),
)


def check_variables(env: Mapping[str, str]) -> None:
    """Refuse a TWILIO_ACCOUNT_SID or TWILIO_API_KEY that cannot be one, naming the variable
    (CredentialVariableError); unset or empty variables are left to `resolve_connection`."""
    for name, pattern, what in _VARIABLE_PATTERNS:
        value = env.get(name)
        if value and not pattern.match(value):
            raise CredentialVariableError(
                f"{name} is not {what}; it holds {len(value)} characters"
                + (" with spaces around them" if value != value.strip() else "")
            )


def no_credentials_message(env: Mapping[str, str] | None = None) -> str:
    """What to say when nothing gives credentials: every way to give some, the sandbox
    included, and the one variable missing when its partner is set."""
    env = os.environ if env is None else env
    missing = ""
    if env.get("TWILIO_ACCOUNT_SID") and not env.get("TWILIO_AUTH_TOKEN"):
        if env.get("TWILIO_API_KEY") and not env.get("TWILIO_API_SECRET"):
            missing = " (TWILIO_API_KEY is set, TWILIO_API_SECRET is not)"
        elif not env.get("TWILIO_API_KEY"):
            missing = " (TWILIO_ACCOUNT_SID is set, TWILIO_AUTH_TOKEN is not)"
    return (
        "no credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and "
        f"TWILIO_API_SECRET){missing}, add a profile (open the app: `msgsvc-tui`), or try "
        "`--demo` for the sandbox (`msgsvc-tui --demo services list`)"
    )
