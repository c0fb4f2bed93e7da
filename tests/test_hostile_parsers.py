"""Properties of the parsers that read what a hostile server or file sends (`make fuzz` runs
them at 1,000 cases each): an answer's body decoder, the paging rule, the nesting check, and
the apply and config files. Each either gives the right result or its own clear error,
never another exception."""

from __future__ import annotations

import gzip
import itertools
import zlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgsvc_tui.api import errors, protocol
from msgsvc_tui.core import files
from msgsvc_tui.core.config import Config, ConfigError
from msgsvc_tui.ops import ascode

URL = "https://messaging.twilio.com/v1/Services"


def _chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]


@given(
    st.binary(max_size=5000),
    st.sampled_from(["", "gzip", "deflate"]),
    st.integers(0, 6000),
    st.lists(st.integers(0, 10_000), max_size=8),
)
def test_the_body_decoder_gives_the_body_or_refuses_it_past_the_limit(data, encoding, limit, cuts):
    packed = {"": data, "gzip": gzip.compress(data), "deflate": zlib.compress(data)}[encoding]
    decoder = protocol.BodyDecoder(encoding, limit, URL)
    try:
        for chunk in _chunks(packed, cuts):
            decoder.feed(chunk)
        body = decoder.body()
    except errors.AnswerTooLargeError:
        assert len(data) > limit
        assert sum(map(len, decoder._chunks)) <= limit  # nothing past the limit is kept
        return
    assert body == data and len(data) <= limit


@given(st.binary(max_size=2000), st.sampled_from(["gzip", "deflate", "br", "x-gzip", "zstd"]))
def test_garbage_where_compressed_bytes_should_be_is_a_bad_response(data, encoding):
    try:
        decoder = protocol.BodyDecoder(encoding, 10_000, URL)
        decoder.feed(data)
        decoder.body()
    except errors.BadResponseError:
        pass


_links = st.builds(
    lambda page, token, path: (
        f"https://evil.example{path}?PageSize=50&Page={page}&PageToken={token}"
    ),
    st.integers(-3, 30),
    st.sampled_from(["A", "B", "C", ""]),
    st.sampled_from(["/v1/Services", "/v1/Services/", "/2010-04-01/x"]),
)


@given(st.lists(_links, max_size=30))
def test_paging_never_asks_for_a_page_twice_nor_one_that_does_not_advance(links):
    walk = protocol.PageWalk(50, None, "https://api.twilio.com", first_url=URL + "?PageSize=50")
    walk.messaging_base = "https://messaging.twilio.com"
    came_from = URL + "?PageSize=50"
    asked: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for link in links:
        url = walk.admit(link, came_from)
        if url is None:
            assert walk.refused is not None
            continue
        assert url.startswith(("https://messaging.twilio.com/", "https://api.twilio.com/"))
        key = protocol.page_key(url)
        assert key not in asked
        assert protocol.page_number(url) > protocol.page_number(came_from)
        asked.add(key)
        came_from = url


_json = st.recursive(
    st.none() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=40,
)


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


@given(_json, st.integers(0, 6))
def test_the_nesting_check_agrees_with_the_depth(document, limit):
    assert files.too_deep(document, limit) == (_depth(document) > limit)


@given(st.text(max_size=400))
def test_an_apply_file_of_any_text_is_read_or_refused_with_its_name(tmp_path_factory, text):
    for suffix in (".toml", ".json"):
        path = tmp_path_factory.mktemp("apply") / f"f{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            ascode.load(path)
        except ascode.FileError as exc:
            assert all(str(path) in p for p in exc.problems)


@given(st.text(max_size=400))
def test_a_config_of_any_text_loads_or_is_refused_with_its_name(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("config") / "config.toml"
    path.write_text(text, encoding="utf-8")
    try:
        Config.load(path)
    except ConfigError as exc:
        assert str(path) in str(exc)


@pytest.mark.parametrize("opener", ["[", '{"a": ', "{a = "])
def test_deep_nesting_of_each_kind_is_refused(tmp_path: Path, opener: str):
    closer = {"[": "]", '{"a": ': "}", "{a = ": "}"}[opener]
    inner = "1" if opener != "[" else ""
    body = opener * 5000 + inner + closer * 5000
    path = tmp_path / ("f.json" if opener.startswith('{"') else "f.toml")
    path.write_text(body if path.suffix == ".json" else f"x = {body}\n")
    with pytest.raises(ascode.FileError, match="nested more than"):
        ascode.load(path)
