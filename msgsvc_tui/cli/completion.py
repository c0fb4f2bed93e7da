"""Shell completion for bash, zsh and fish: `msgsvc-tui completion SHELL` prints the script;
the script asks `msgsvc-tui __complete …` on every tab press.

One engine, in Python, walks the same argparse tree the commands parse with (building only
the subcommands on the way, as `--help` does), so a new command or flag completes without
touching the scripts. It offers commands, flags, each flag's values (choices, profile names,
field names for `--set` and then their values, countries, files), and service names where a
service goes, from the short-lived cache a recent command filled (core/namecache.py):
completion never asks the server.

It runs on every tab press, so it imports nothing heavy: no httpx, Textual or emulator
(tests/test_completion.py checks with `-X importtime`). Its answer is one directive line
("words", "nospace" or "files"), then one candidate a line (fish: "value<TAB>description").
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from typing import IO

from msgsvc_tui.core.sanitize import safe

SHELLS = ("bash", "zsh", "fish")
WORDS, NOSPACE, FILES = "words", "nospace", "files"
Candidate = tuple[str, str]  # (value, description)

# what an option's value is, by its dest: files, or a name only this program knows
_FILE_DESTS = frozenset({"output", "db", "auth_token_file", "file"})
_PROFILE_DESTS = frozenset({"profile", "source", "target"})
_SERVICE_METAVAR = "SERVICE"


# ---- the scripts ------------------------------------------------------------------------------
_BASH = r"""# msgsvc-tui completion for bash: eval "$(msgsvc-tui completion bash)"
_msgsvc_tui_complete() {
    local cur="${COMP_WORDS[COMP_CWORD]}" line="${COMP_LINE:0:COMP_POINT}" directive reply
    reply=$("${COMP_WORDS[0]}" __complete bash "$cur" "$line" 2>/dev/null) || return 0
    directive=${reply%%$'\n'*}
    [[ $reply == *$'\n'* ]] && reply=${reply#*$'\n'} || reply=
    case $directive in
        files) compopt -o default 2>/dev/null; COMPREPLY=(); return 0 ;;
        nospace) compopt -o nospace 2>/dev/null ;;
    esac
    local IFS=$'\n'
    COMPREPLY=($reply)
}
complete -F _msgsvc_tui_complete msgsvc-tui
"""

_ZSH = r"""#compdef msgsvc-tui
# msgsvc-tui completion for zsh: msgsvc-tui completion zsh > "${fpath[1]}/_msgsvc-tui"
# (or, in ~/.zshrc after compinit: eval "$(msgsvc-tui completion zsh)")
_msgsvc_tui() {
    local -a reply values descriptions
    local directive line
    reply=("${(@f)$("${words[1]}" __complete zsh -- "${(@Q)words[2,CURRENT-1]}" \
        "${(Q)PREFIX}" 2>/dev/null)}")
    directive=${reply[1]}
    if [[ $directive == files ]]; then
        _files
        return
    fi
    for line in "${(@)reply[2,-1]}"; do
        [[ -n $line ]] || continue
        values+=("${line%%$'\t'*}")
        if [[ $line == *$'\t'* ]]; then
            descriptions+=("${line%%$'\t'*}  -- ${line#*$'\t'}")
        else
            descriptions+=("${line}")
        fi
    done
    (( ${#values} )) || return 1
    if [[ $directive == nospace ]]; then
        compadd -S '' -l -d descriptions -- "${values[@]}"
    else
        compadd -l -d descriptions -- "${values[@]}"
    fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _msgsvc_tui "$@"
else
    compdef _msgsvc_tui msgsvc-tui
fi
"""

_FISH = r"""# msgsvc-tui completion for fish:
#   msgsvc-tui completion fish > ~/.config/fish/completions/msgsvc-tui.fish
function __msgsvc_tui_complete
    set -l tokens (commandline -opc)
    set -l reply ($tokens[1] __complete fish -- $tokens[2..-1] (commandline -ct) 2>/dev/null)
    if test "$reply[1]" = files
        __fish_complete_path (commandline -ct)
        return
    end
    printf '%s\n' $reply[2..-1]
end
complete -c msgsvc-tui -f -a '(__msgsvc_tui_complete)'
"""

SCRIPTS = {"bash": _BASH, "zsh": _ZSH, "fish": _FISH}


def script(shell: str) -> str:
    return SCRIPTS[shell]


# ---- the engine -------------------------------------------------------------------------------
def complete(
    parser: argparse.ArgumentParser, tokens: Sequence[str], current: str
) -> tuple[str, list[Candidate]]:
    """(directive, candidates) for the word being typed (`current`) after `tokens` (the
    words before it, the program's name left out)."""
    walk = _Walk(parser)
    for token in tokens:
        walk.take(token)
    word = current.lstrip("'\"")
    if walk.expecting is not None:
        return _values_of(walk.expecting, walk.path, word)
    if word.startswith("-"):
        return WORDS, _starting(_options(walk.parser, walk.used), word)
    pending = walk.pending_positional()
    if pending is None:
        return WORDS, _starting(_options(walk.parser, walk.used), word)
    if isinstance(pending, argparse._SubParsersAction):
        choices = [
            (a.dest, a.help or "") for a in pending._choices_actions if not a.dest.startswith("_")
        ]
        return WORDS, _starting(choices, word)
    if pending.dest in _FILE_DESTS:
        return FILES, []
    if pending.metavar == _SERVICE_METAVAR or pending.dest == "service":
        return WORDS, _starting(((name, "service") for name in _service_names()), word)
    if pending.choices:
        return WORDS, _starting(((str(c), "") for c in pending.choices), word)
    return WORDS, []


class _Walk:
    """Where the words typed so far lead in the parser tree."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser
        self.path: list[str] = []  # the (sub)commands chosen
        self.positionals_taken = 0
        self.used: set[str] = set()  # option dests given (not repeated unless appendable)
        self.expecting: argparse.Action | None = None  # an option waiting for its value

    def take(self, token: str) -> None:
        if self.expecting is not None:
            self.expecting = None
            return
        if token.startswith("-") and token != "-":
            name, eq, _ = token.partition("=")
            action = self.parser._option_string_actions.get(name)
            if action is not None:
                self.used.add(action.dest)
                if action.nargs != 0 and not eq:
                    self.expecting = action
            return
        pending = self.pending_positional()
        if isinstance(pending, argparse._SubParsersAction):
            child = _child(pending, token)
            if child is not None:
                self.parser = child
                self.path.append(token)
                self.positionals_taken = 0
                self.used = set()
            return
        if pending is not None and pending.nargs not in ("*", "+", argparse.REMAINDER):
            self.positionals_taken += 1

    def pending_positional(self) -> argparse.Action | None:
        positionals = [a for a in self.parser._actions if not a.option_strings]
        if self.positionals_taken < len(positionals):
            return positionals[self.positionals_taken]
        return None


def _child(
    action: argparse._SubParsersAction,  # type: ignore[type-arg]  # generic in typeshed only
    name: str,
) -> argparse.ArgumentParser | None:
    parser_for = getattr(action, "parser_for", None)  # cli/parser.py's lazy subcommands
    if parser_for is not None:
        child = parser_for(name)
        return child if isinstance(child, argparse.ArgumentParser) else None
    found = action.choices.get(name) if isinstance(action.choices, dict) else None
    return found if isinstance(found, argparse.ArgumentParser) else None


def _options(parser: argparse.ArgumentParser, used: set[str]) -> list[Candidate]:
    out: list[Candidate] = []
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        repeatable = isinstance(action, argparse._AppendAction)
        if action.dest in used and not repeatable:
            continue
        longs = [s for s in action.option_strings if s.startswith("--")]
        for flag in longs or action.option_strings:
            out.append((flag, _first_line(action.help or "")))
    return out


def _values_of(action: argparse.Action, path: list[str], word: str) -> tuple[str, list[Candidate]]:
    dest = action.dest
    if action.choices:
        return WORDS, _starting(((str(c), "") for c in action.choices), word)
    if dest in _FILE_DESTS or action.metavar in ("PATH", "FILE"):
        return FILES, []
    if dest in _PROFILE_DESTS or action.metavar == "PROFILE":
        return WORDS, _starting(((p, "profile") for p in _profile_names()), word)
    if dest == "set":
        return _assignments("campaign" in path, word)
    if dest == "country":
        from msgsvc_tui.core.countries import ISO_ALPHA2

        return WORDS, _starting(((c, "") for c in sorted(ISO_ALPHA2)), word.upper())
    return WORDS, []


def _assignments(campaign: bool, word: str) -> tuple[str, list[Candidate]]:
    """`--set` completes a field name with "=", then that field's values when they are few."""
    name, eq, _ = word.partition("=")
    kinds: dict[str, tuple[str, tuple[str, ...], str]]  # name → (kind, choices, label)
    if campaign:
        from msgsvc_tui.core import a2p

        kinds = {f.name: (str(f.kind), (), f.label) for f in a2p.FIELDS if f.kind != "samples"}
    else:
        from msgsvc_tui.core import fields

        kinds = {f.name: (str(f.kind), f.choices, f.label) for f in fields.WRITABLE}
    if not eq:
        names = ((f"{n}=", label) for n, (_k, _c, label) in kinds.items())
        return NOSPACE, _starting(names, word)
    kind, choices, _label = kinds.get(name, ("", (), ""))
    values: Iterable[str] = choices
    if kind == "bool":
        values = ("true", "false")
    elif kind == "method" and not choices:
        values = ("GET", "POST")
    return WORDS, _starting(((f"{name}={v}", "") for v in values), word)


def _profile_names() -> list[str]:
    """The config's profiles; a config that cannot be read completes nothing (the command
    itself will say what is wrong with it)."""
    try:
        from msgsvc_tui.core.config import Config

        return sorted(Config.load().profiles)
    except Exception:  # a tab press must never print a traceback
        return []


def _service_names() -> list[str]:
    from msgsvc_tui.core import namecache

    # server text: only names that stay one clean word through the sanitizer are offered
    return sorted({n for n in namecache.load() if safe(n) == n and "\t" not in n})


def _starting(candidates: Iterable[Candidate], word: str) -> list[Candidate]:
    return [(v, d) for v, d in candidates if v.startswith(word)]


def _first_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 70 else line[:69] + "…"


# ---- what a shell is sent -------------------------------------------------------------------
def answer(parser: argparse.ArgumentParser, argv: Sequence[str], out: IO[str]) -> int:
    """`__complete SHELL …` (argv after `__complete`): the directive and candidates on `out`.

    bash sends its current word and the line up to the cursor (its own words split at `=`
    and `:`, and keep quotes); zsh and fish send the words before the cursor, unquoted, then
    the word being typed."""
    if not argv or argv[0] not in SHELLS:
        print("usage: msgsvc-tui __complete bash|zsh|fish …", file=sys.stderr)
        return 2
    shell = argv[0]
    if shell == "bash":
        if len(argv) < 3:
            return 2
        bash_word, line = argv[1], argv[2]
        words = split_line(line)
        tokens, current = words[1:-1], words[-1]
        directive, found = complete(parser, tokens, current)
        values = [for_bash(v, current, bash_word) for v, _d in found]
        out.write("\n".join([directive, *values]) + "\n")
        return 0
    rest = list(argv[1:])
    if rest and rest[0] == "--":
        rest = rest[1:]
    tokens, current = rest[:-1], (rest[-1] if rest else "")
    directive, found = complete(parser, tokens, current)
    lines = [f"{v}\t{d}" if d else v for v, d in found]
    out.write("\n".join([directive, *lines]) + "\n")
    return 0


def split_line(line: str) -> list[str]:
    """A shell line's words as the command will get them (quotes and backslashes undone),
    the last one the word under the cursor: "" when the line ends in a space, and as far as
    it goes when a quote is still open."""
    words: list[str] = []
    word: list[str] = []
    quote = ""
    started = False
    i = 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == quote:
                quote = ""
            elif c == "\\" and quote == '"' and i + 1 < len(line) and line[i + 1] in '"\\$`':
                i += 1
                word.append(line[i])
            else:
                word.append(c)
        elif c in "'\"":
            quote, started = c, True
        elif c == "\\" and i + 1 < len(line):
            i += 1
            word.append(line[i])
            started = True
        elif c.isspace():
            if started:
                words.append("".join(word))
                word, started = [], False
        else:
            word.append(c)
            started = True
        i += 1
    words.append("".join(word))
    return words


_BASH_SPECIAL = set(" \t\n\"'\\$`&|;<>()*?[]{}!#~")


def for_bash(value: str, current: str, bash_word: str) -> str:
    """A candidate as bash must put it in place of *its* current word: bash splits words at
    `=` and `:` (COMP_WORDBREAKS), so `--set sticky_sender=t` has "t" as its word and gets
    "true"; and a value is quoted as the user started it (a quote), else backslash-escaped."""
    if bash_word and bash_word[0] in "'\"":
        q = bash_word[0]
        return q + value + q if q not in value else value
    head = len(current) - len(bash_word)
    if 0 < head <= len(value) and current.endswith(bash_word) and value[:head] == current[:head]:
        value = value[head:]
    return "".join("\\" + c if c in _BASH_SPECIAL else c for c in value)
