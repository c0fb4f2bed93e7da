"""Shell completion: the engine over the real parser, the scripts in real bash, zsh and fish
(each skipped where that shell is not installed), the service-name cache, and start-up cost."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest

from msgsvc_tui import cli
from msgsvc_tui.cli import completion
from msgsvc_tui.core import namecache
from msgsvc_tui.core.config import Config, Profile, Secret
from msgsvc_tui.emulator import demo

ACCOUNT = demo.DEMO_ACCOUNT_SID
NAMES = ["Acme Order Updates", "Acme Login Codes", "Fraud Alerts"]
PROGRAM = str(Path(sys.executable).with_name("msgsvc-tui"))


def ask(line: str) -> tuple[str, list[str]]:
    """What a tab press at the end of `line` offers (the engine, as zsh and fish call it)."""
    words = completion.split_line(line)
    directive, found = completion.complete(cli.build_parser(), words[1:-1], words[-1])
    return directive, [v for v, _ in found]


@pytest.fixture
def names() -> list[str]:
    namecache.save(ACCOUNT, NAMES)
    return NAMES


def test_commands_subcommands_and_flags():
    assert ask("msgsvc-tui servi") == ("words", ["services"])
    assert set(ask("msgsvc-tui ")[1]) >= {"services", "emulator", "numbers", "completion", "serve"}
    assert "__complete" not in ask("msgsvc-tui ")[1]
    assert set(ask("msgsvc-tui services ")[1]) >= {"list", "get", "senders", "campaign"}
    assert ask("msgsvc-tui services senders X ")[1] == ["list", "get", "add", "remove"]
    assert ask("msgsvc-tui services list --j")[1] == ["--json"]
    flags = ask("msgsvc-tui --")[1]
    assert {"--profile", "--demo", "--base-url", "--version"} <= set(flags)
    assert "--demo" not in ask("msgsvc-tui --demo --")[1]  # given once already
    assert ask("msgsvc-tui services export --format ")[1] == ["toml", "json"]
    assert ask("msgsvc-tui completion ")[1] == ["bash", "zsh", "fish"]
    assert ask("msgsvc-tui numbers list --")[1] == [
        "--help",
        "--free",
        "--filter",
        "--json",
        "--tsv",
    ]


def test_set_completes_field_names_then_their_values():
    directive, found = ask("msgsvc-tui services update X --set stic")
    assert (directive, found) == ("nospace", ["sticky_sender="])
    assert ask("msgsvc-tui services create --friendly-name A --set sticky_sender=")[1] == [
        "sticky_sender=true",
        "sticky_sender=false",
    ]
    assert "inbound_method=POST" in ask("msgsvc-tui services update X --set inbound_method=")[1]
    assert "description=" in ask("msgsvc-tui services campaign X update --set ")[1]
    assert "description=" not in ask("msgsvc-tui services update X --set ")[1]


def test_files_profiles_and_countries():
    assert ask("msgsvc-tui services plan ")[0] == "files"
    assert ask("msgsvc-tui services export -o ")[0] == "files"
    cfg = Config.load()
    for name in ("prod", "staging"):
        cfg.set_profile(Profile(name, ACCOUNT, auth_token=Secret("x" * 32)))
    cfg.save()
    assert ask("msgsvc-tui --profile ")[1] == ["prod", "staging"]
    assert ask("msgsvc-tui services diff --from prod --to st")[1] == ["staging"]
    assert ask("msgsvc-tui services country-senders X add A --country F")[1][:2] == ["FI", "FJ"]


def test_service_names_come_from_a_fresh_cache_only(names):
    assert ask("msgsvc-tui services get Acme")[1] == ["Acme Login Codes", "Acme Order Updates"]
    assert ask("msgsvc-tui services senders 'Fra")[1] == ["Fraud Alerts"]
    assert ask("msgsvc-tui services links ")[1] == sorted(names)
    later = time.time() + namecache.MAX_AGE + 1
    assert namecache.load(now=later) == []


def test_hostile_names_are_never_offered():
    namecache.save(ACCOUNT, ["Fine", "evil\x1b]52;c;AAAA\x07", "two\nlines", "tab\there"])
    assert ask("msgsvc-tui services get ")[1] == ["Fine"]


def test_a_whole_list_and_a_resolved_name_fill_the_cache(capsys, monkeypatch, server):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", demo.DEMO_AUTH_TOKEN)
    assert cli.main(["--base-url", server.url, "services", "list", "--limit", "3"]) == 0
    assert namecache.load() == []  # a part of the list is not the list
    assert cli.main(["--base-url", server.url, "services", "list"]) == 0
    assert "Acme Order Updates" in namecache.load() and len(namecache.load()) == demo.SERVICE_COUNT
    namecache.cache_path(ACCOUNT).unlink()
    assert cli.main(["--base-url", server.url, "services", "get", "Fraud Alerts"]) == 0
    assert len(namecache.load()) == demo.SERVICE_COUNT
    capsys.readouterr()


def test_the_completion_command_prints_each_script(capsys):
    for shell in completion.SHELLS:
        assert cli.main(["completion", shell]) == 0
        out = capsys.readouterr().out
        assert "__complete" in out and "msgsvc-tui" in out


def test_answer_protocol_for_bash_quotes_and_word_breaks(names):
    out = StringIO()
    line = "msgsvc-tui services get Acme\\ O"
    completion.answer(cli.build_parser(), ["bash", "Acme\\ O", line], out)
    assert out.getvalue() == "words\nAcme\\ Order\\ Updates\n"
    out = StringIO()
    line = "msgsvc-tui services update X --set sticky_sender=t"
    completion.answer(cli.build_parser(), ["bash", "t", line], out)  # bash splits at "="
    assert out.getvalue() == "words\ntrue\n"
    out = StringIO()
    completion.answer(cli.build_parser(), ["fish", "--", "services", "get", "Fr"], out)
    assert out.getvalue() == "words\nFraud Alerts\tservice\n"


# ---- the scripts in the real shells ---------------------------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(PROGRAM).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _shell(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not shutil.which("bash"), reason="bash is not installed")
def test_bash_script_completes_in_bash(names):
    script = cli_script("bash")
    # COMP_WORDS as bash splits them (at "=", keeping a quoted word whole)
    probe = (
        script
        + r"""
t() { COMP_LINE="$1"; COMP_POINT=${#1}; shift; COMP_WORDS=("$@")
      COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _msgsvc_tui_complete
      printf '<%s>' "${COMPREPLY[@]}"; echo; }
t "msgsvc-tui servi" msgsvc-tui servi
t "msgsvc-tui services get Acme O" msgsvc-tui services get Acme O
t 'msgsvc-tui services get "Acme O' msgsvc-tui services get '"Acme O'
t "msgsvc-tui services update x --set sticky_sender=t" \
  msgsvc-tui services update x --set sticky_sender = t
"""
    )
    lines = _shell(["bash", "--norc", "-c", probe]).splitlines()
    assert lines == [
        "<services>",
        "<>",  # "O" alone starts no name: nothing offered
        '<"Acme Order Updates">',
        "<true>",
    ]


@pytest.mark.skipif(not shutil.which("zsh"), reason="zsh is not installed")
def test_zsh_script_completes_in_zsh(names):
    probe = r"""
compadd() { print -r -- "compadd $*" }
_files() { print -r -- "files" }
compdef() { : }
eval "$(msgsvc-tui completion zsh)"
words=(msgsvc-tui services get Ac); CURRENT=4; PREFIX=Ac; _msgsvc_tui
words=(msgsvc-tui services create --set stic); CURRENT=5; PREFIX=stic; _msgsvc_tui
words=(msgsvc-tui services plan ''); CURRENT=4; PREFIX=''; _msgsvc_tui
"""
    lines = _shell(["zsh", "-f", "-c", probe]).splitlines()
    assert lines == [
        "compadd -l -d descriptions -- Acme Login Codes Acme Order Updates",
        "compadd -S  -l -d descriptions -- sticky_sender=",
        "files",
    ]


@pytest.mark.skipif(not shutil.which("fish"), reason="fish is not installed")
def test_fish_script_completes_in_fish(names, tmp_path):
    probe = (
        "msgsvc-tui completion fish | source\n"
        "complete -C'msgsvc-tui servi'\n"
        "complete -C'msgsvc-tui services get Ac'\n"
        "complete -C'msgsvc-tui services create --set stic'\n"
    )
    lines = _shell(["fish", "--no-config", "-c", probe]).splitlines()
    assert lines[0].startswith("services\t")
    assert lines[1:3] == ["Acme Login Codes\tservice", "Acme Order Updates\tservice"]
    assert lines[3] == "sticky_sender=\tSticky sender"


def cli_script(shell: str) -> str:
    return completion.script(shell)


# ---- start-up cost --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        ["__complete", "bash", "", "msgsvc-tui services get "],
        ["__complete", "fish", "--", "services", "update", "X", "--set", ""],
        ["__complete", "zsh", "--", "--profile", ""],
        ["completion", "bash"],
    ],
)
def test_completion_imports_no_network_stack_ui_or_emulator(argv):
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "msgsvc_tui", *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    heavy = {m for m in imported if m.split(".")[0] in ("httpx", "textual", "rich", "uvicorn")}
    heavy |= {m for m in imported if m.startswith(("msgsvc_tui.emulator", "msgsvc_tui.api"))}
    assert not heavy, f"{argv} imports {sorted(heavy)[:5]}"


def test_the_cache_file_is_json_with_its_account(names):
    document = json.loads(namecache.cache_path(ACCOUNT).read_text())
    assert document["account_sid"] == ACCOUNT and document["names"] == names
