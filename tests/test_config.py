from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from msgsvc_tui.core.config import (
    Config,
    ConfigError,
    Preferences,
    Profile,
    Secret,
    config_path,
    mask_sid,
    resolve_connection,
)

SID = "AC" + "a" * 32
SID2 = "AC" + "b" * 32
KEY = "SK" + "c" * 32


def _profile(name="work", **kw) -> Profile:
    kw.setdefault("account_sid", SID)
    kw.setdefault("auth_token", Secret("tok-" + name))
    return Profile(name=name, **kw)


def test_path_comes_from_env_in_tests(tmp_path):
    assert "config.toml" in str(config_path())
    assert str(config_path()).startswith(os.environ["MSGSVC_TUI_CONFIG"].rsplit("/", 1)[0])
    assert config_path({"MSGSVC_TUI_CONFIG": str(tmp_path / "x.toml")}) == tmp_path / "x.toml"


def test_missing_file_is_an_empty_config():
    cfg = Config.load()
    assert cfg.profiles == {} and cfg.active_profile is None
    assert cfg.preferences == Preferences()


def test_round_trip_and_permissions(tmp_path):
    path = tmp_path / "deep" / "cfg" / "config.toml"
    cfg = Config.load(path)
    cfg.set_profile(_profile("work", region="ie1", edge="dublin"))
    cfg.set_profile(_profile("keyed", api_key=KEY, api_secret=Secret("s3cret"), auth_token=None))
    cfg.active_profile = "work"
    cfg.preferences.page_size = 200
    cfg.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = Config.load(path)
    assert again.active_profile == "work"
    assert again.profiles["work"].region == "ie1"
    assert again.profiles["keyed"].credentials() == (KEY, Secret("s3cret"))
    assert again.preferences.page_size == 200
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temp file left


def test_unknown_keys_survive_a_rewrite(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(
        'future_option = "keep me"\n'
        "[preferences]\nshiny = true\n"
        f'[profiles.work]\naccount_sid = "{SID}"\nauth_token = "t"\nnote = "mine"\n'
        "[plugins.x]\ny = 1\n"
    )
    cfg = Config.load(path)
    cfg.preferences.theme = "nord"
    cfg.save()
    doc = tomllib.loads(path.read_text())
    assert doc["future_option"] == "keep me"
    assert doc["preferences"]["shiny"] is True and doc["preferences"]["theme"] == "nord"
    assert doc["profiles"]["work"]["note"] == "mine"
    assert doc["plugins"] == {"x": {"y": 1}}


def test_corrupt_file_is_never_overwritten(tmp_path):
    path = tmp_path / "config.toml"
    broken = 'active_profile = "work"\n[profiles.work\naccount_sid = 1\n'
    path.write_text(broken)
    with pytest.raises(ConfigError) as err:
        Config.load(path)
    message = str(err.value)
    assert str(path) in message and ":2:" in message and "line 2" in message
    assert path.read_text() == broken


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[preferences]\npage_size = 5000\n", "preferences.page_size must be from 1 to 1000"),
        ("[preferences]\npage_size = true\n", "preferences.page_size must be a int"),
        ("[preferences]\nconfirm_delete = 'yes'\n", "preferences.confirm_delete must be a bool"),
        ("[profiles.w]\nauth_token = 'x'\n", "profiles.w.account_sid is missing"),
        ("[profiles.w]\naccount_sid = 5\n", "profiles.w.account_sid must be a string"),
        ("profiles = 3\n", "[profiles] must be a table"),
        ("active_profile = 3\n", "active_profile must be a string"),
    ],
)
def test_bad_values_name_file_and_key(tmp_path, text, words):
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        Config.load(path)
    assert str(path) in str(err.value) and words in str(err.value)


def test_not_utf8(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(ConfigError, match="not UTF-8"):
        Config.load(path)


def test_profile_problems_are_specific():
    assert _profile().problems() == []
    bad = Profile(name="bad name!", account_sid="AC1", api_key="SKnope")
    assert [p.attr for p in bad.problems()] == ["name", "account_sid", "api_key", "api_secret"]
    problems = " ".join(map(str, bad.problems()))
    assert "name:" in problems and "account_sid:" in problems
    with pytest.raises(ConfigError):
        Config(path=Path("/nonexistent")).set_profile(bad)


def test_secrets_never_show(tmp_path):
    p = _profile(auth_token=Secret("super-secret-token"))
    for text in (repr(p), str(p), repr(p.auth_token), f"{p.auth_token}"):
        assert "super-secret-token" not in text
    cfg = Config(path=tmp_path / "c.toml", profiles={"work": p}, active_profile="work")
    conn = resolve_connection(cfg, env={})
    assert "super-secret-token" not in repr(conn)
    with pytest.raises(ConfigError) as err:
        resolve_connection(cfg, profile="nope", env={})
    assert "super-secret-token" not in str(err.value)


def test_mask_sid():
    assert mask_sid(SID) == "ACaaaa…aaaa"


# ---- precedence ------------------------------------------------------------------------------
@pytest.fixture
def two_profiles(tmp_path) -> Config:
    cfg = Config(path=tmp_path / "c.toml")
    cfg.set_profile(_profile("work", base_url="https://proxy.example"))
    cfg.set_profile(_profile("other", account_sid=SID2))
    cfg.active_profile = "work"
    return cfg


ENV = {"TWILIO_ACCOUNT_SID": SID2, "TWILIO_AUTH_TOKEN": "envtok"}


def test_active_profile_when_nothing_else(two_profiles):
    conn = resolve_connection(two_profiles, env={})
    assert conn.profile == "work" and conn.base_url == "https://proxy.example"


def test_env_beats_active_profile(two_profiles):
    conn = resolve_connection(two_profiles, env=ENV)
    assert conn.source == "environment" and conn.account_sid == SID2
    assert conn.password.reveal() == "envtok"


def test_env_api_key_beats_env_token(two_profiles):
    env = {**ENV, "TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": "ks"}
    conn = resolve_connection(two_profiles, env=env)
    assert conn.username == KEY and conn.password.reveal() == "ks"


def test_flag_beats_env(two_profiles):
    conn = resolve_connection(two_profiles, profile="other", env=ENV)
    assert conn.profile == "other" and conn.source == "--profile"


def test_twilio_profile_env_picks_profile(two_profiles):
    conn = resolve_connection(two_profiles, env={"TWILIO_PROFILE": "other"})
    assert conn.profile == "other"


def test_base_url_flag_beats_profile(two_profiles):
    conn = resolve_connection(two_profiles, base_url="http://127.0.0.1:9", env={})
    assert conn.base_url == "http://127.0.0.1:9"


def test_region_edge_from_env_apply_to_profile(two_profiles):
    conn = resolve_connection(two_profiles, env={"TWILIO_REGION": "au1", "TWILIO_EDGE": "sydney"})
    assert (conn.region, conn.edge) == ("au1", "sydney")


def test_nothing_anywhere_means_none(tmp_path):
    assert resolve_connection(Config(path=tmp_path / "c.toml"), env={}) is None


def test_unknown_profile_lists_known(two_profiles):
    with pytest.raises(ConfigError, match="known: other, work"):
        resolve_connection(two_profiles, profile="ghost", env={})


# ---- hypothesis on parsing -------------------------------------------------------------------
_scalars = st.one_of(st.text(max_size=10), st.integers(), st.booleans())


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    prefs=st.dictionaries(
        st.sampled_from(["theme", "page_size", "confirm_delete", "bulk_concurrency", "other"]),
        _scalars,
    )
)
def test_any_preferences_table_loads_or_names_the_key(tmp_path, prefs):
    path = tmp_path / "h.toml"
    path.write_text(tomli_w.dumps({"preferences": prefs}))
    try:
        cfg = Config.load(path)
    except ConfigError as exc:
        assert str(path) in str(exc) and "preferences." in str(exc)
        return
    for key, value in prefs.items():
        if key != "other":
            assert getattr(cfg.preferences, key) == value


@given(st.text(max_size=40))
def test_garbage_never_crashes_loading(text):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "g.toml"
        raw = text.encode("utf-8", "surrogatepass")
        path.write_bytes(raw)
        try:
            Config.load(path)
        except ConfigError as exc:
            assert str(path) in str(exc)
        assert path.read_bytes() == raw


# ---- odd files and loose permissions ---------------------------------------------
def _saved(path: Path) -> Config:
    cfg = Config(path=path)
    cfg.set_profile(Profile("p", "AC" + "1" * 32, auth_token=Secret("tok")))
    cfg.save()
    return cfg


def test_a_file_others_can_read_is_warned_about(tmp_path):
    path = tmp_path / "msgsvc-tui" / "config.toml"
    _saved(path)
    assert Config.load(path).warnings == []
    path.chmod(0o644)
    (warning,) = Config.load(path).warnings
    assert "readable by others" in warning and "0644" in warning and "chmod 600" in warning


def test_a_folder_others_can_write_is_warned_about(tmp_path):
    folder = tmp_path / "group-folder"
    folder.mkdir()
    path = folder / "config.toml"
    _saved(path)
    folder.chmod(0o777)
    try:
        warnings = Config.load(path).warnings
    finally:
        folder.chmod(0o700)
    assert any("writable by others" in w for w in warnings)


def test_our_own_folder_is_tightened_on_save(tmp_path):
    folder = tmp_path / "msgsvc-tui"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    _saved(folder / "config.toml")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_that_is_not_ours_is_left_alone(tmp_path):
    folder = tmp_path / "dotfiles"
    folder.mkdir()
    folder.chmod(0o755)
    _saved(folder / "config.toml")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755


def test_saving_through_a_symlink_keeps_the_link(tmp_path):
    target = tmp_path / "dotfiles" / "msgsvc.toml"
    _saved(target)
    link = tmp_path / "msgsvc-tui" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(target)
    cfg = Config.load(link)
    cfg.active_profile = "p"
    cfg.save()
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert tomllib.loads(target.read_text())["active_profile"] == "p"


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_anything_but_a_regular_file_is_refused_at_once(tmp_path, kind):
    import threading

    path = tmp_path / "config.toml"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    outcome: list[BaseException] = []

    def load() -> None:
        try:
            Config.load(path)
        except BaseException as exc:
            outcome.append(exc)

    # a liveness check, not a timing one: a FIFO used to block the reader forever
    reader = threading.Thread(target=load, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert not reader.is_alive(), "Config.load blocked on a non-regular file"
    assert isinstance(outcome[0], ConfigError)
    assert str(path) in str(outcome[0]) and (
        "FIFO" in str(outcome[0]) or "folder" in str(outcome[0])
    )
    with pytest.raises(ConfigError):
        Config(path=path).save()
