"""The "did you mean …?" hint: the one way a misspelt name (a field, a service) gets help.

A user who types `stiky_sender` wants to be told `sticky_sender`, not handed the whole list of
twenty fields to read through: gh, git and kubectl all answer this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def close_to(word: str, choices: Iterable[str], *, limit: int = 3) -> list[str]:
    """The choices that look most like `word`: case, `-` for `_` and spacing forgiven first,
    then spelling (difflib's ratio, as git's "did you mean" uses a similar distance)."""
    import difflib

    pool = list(dict.fromkeys(choices))
    key = _folded(word)
    same = [c for c in pool if _folded(c) == key and c != word]
    if same:
        return same[:limit]
    by_folded: dict[str, list[str]] = {}
    for c in pool:
        by_folded.setdefault(_folded(c), []).append(c)
    near = difflib.get_close_matches(key, list(by_folded), n=limit, cutoff=0.6)
    return [c for k in near for c in by_folded[k]][:limit]


def did_you_mean(word: str, choices: Iterable[str] | Mapping[str, str]) -> str:
    """The hint " (did you mean sticky_sender?)", or "" when nothing is close: appended to a
    message that already says what is wrong. `choices` may map other spellings (a form
    parameter, `StickySender`) to the name to suggest (`sticky_sender`)."""
    canonical = choices if isinstance(choices, Mapping) else {c: c for c in choices}
    near = list(dict.fromkeys(canonical[c] for c in close_to(word, canonical)))
    if not near:
        return ""
    if len(near) == 1:
        return f" (did you mean {near[0]}?)"
    return f" (did you mean {', '.join(near[:-1])} or {near[-1]}?)"


def _folded(text: str) -> str:
    return " ".join(text.replace("-", "_").casefold().split())
