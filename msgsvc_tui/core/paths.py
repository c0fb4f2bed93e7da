"""Where the config and the data live: the environment's override, else the platform's place.

Apart from config.py (which imports dataclasses and more) so that a shell's tab press, which
only reads a small cache under the data folder, pays for `os` and `pathlib` alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_NAME = "msgsvc-tui"
CONFIG_ENV = "MSGSVC_TUI_CONFIG"
DATA_ENV = "MSGSVC_TUI_DATA"


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get(DATA_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return platformdirs.user_data_path(APP_NAME)
