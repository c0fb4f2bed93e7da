"""Saving the config from the UI: one place that says, in words, why a save failed."""

from __future__ import annotations

from collections.abc import Callable

from msgsvc_tui.core.config import Config, ConfigError, Profile

Notify = Callable[..., object]


def save_config(config: Config, notify: Notify) -> bool:
    try:
        config.save()
    except (OSError, ConfigError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        notify(f"{config.path}: not saved: {reason}", severity="error", title="Config")
        return False
    return True


def save_profile(config: Config, profile: Profile, notify: Notify) -> bool:
    try:
        config.set_profile(profile)
    except ConfigError as exc:
        notify(str(exc), severity="error")
        return False
    return save_config(config, notify)
