"""The catalogue against Twilio's spec, and its validators under hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from msgsvc_tui.core import fields, sanitize, senders


def _form(spec, path, op_method):
    op = spec["paths"][path][op_method]
    return op["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]


def _resolve(spec, schema):
    ref = schema.get("$ref")
    if ref:
        return spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


@pytest.mark.parametrize("path", ["/v1/Services", "/v1/Services/{Sid}"])
def test_every_writable_parameter_is_in_the_catalogue(messaging_spec, path):
    props = _form(messaging_spec, path, "post")["properties"]
    assert set(props) == {f.param for f in fields.WRITABLE}
    for param, schema in props.items():
        f = fields.BY_PARAM[param]
        schema = _resolve(messaging_spec, schema)
        if "enum" in schema:
            assert tuple(schema["enum"]) == f.choices, param
        expected = {"boolean": fields.Kind.BOOL, "integer": fields.Kind.INT}.get(schema["type"])
        if expected:
            assert f.kind is expected, param
        if schema.get("format") == "uri":
            assert f.kind is fields.Kind.URL, param
        if schema.get("format") == "http-method":
            assert f.kind is fields.Kind.METHOD, param


def test_create_requires_what_the_spec_requires(messaging_spec):
    required = set(_form(messaging_spec, "/v1/Services", "post").get("required", []))
    assert required == {f.param for f in fields.WRITABLE if f.required_on_create}


def test_every_service_property_is_known(messaging_spec):
    props = messaging_spec["components"]["schemas"]["messaging.v1.service"]["properties"]
    assert set(props) == set(fields.BY_NAME)
    for name, f in fields.BY_NAME.items():
        if not f.writable:
            continue
        # form param is the CamelCase of the JSON name
        assert f.param == "".join(p.capitalize() for p in name.split("_")), name


def test_usecases_match_the_spec_description(messaging_spec):
    text = messaging_spec["components"]["schemas"]["messaging.v1.service"]["properties"]["usecase"][
        "description"
    ]
    for name in fields.USECASE_NAMES:
        assert f"`{name}`" in text


def test_sender_kinds_match_the_spec(messaging_spec):
    paths = messaging_spec["paths"]
    for kind in senders.KINDS:
        path = f"/v1/Services/{{ServiceSid}}/{kind.path}"
        assert path in paths
        form = _form(messaging_spec, path, "post")
        assert form["required"] == [kind.param]
        schema_name = f"messaging.v1.service.{kind.key[:-1]}"
        sid = messaging_spec["components"]["schemas"][schema_name]["properties"]["sid"]
        # the spec's patterns are ECMA regexes, where `$` is the very end; Python's `$` also
        # matches before a final newline, so the port says `\Z`
        assert sid["pattern"] == kind.sid_re.pattern.replace("\\Z", "$")


def test_every_field_has_label_help_and_group():
    for f in fields.FIELDS:
        assert f.label and f.help and f.group, f.name
        assert len(f.help) < 120, f"{f.name}: help should fit one line"


# ---- validation ------------------------------------------------------------------------------
# printable text: what a name may hold (control characters are refused, tested below)
_PRINTABLE = st.characters(exclude_categories=("Cc", "Cs")).filter(sanitize.is_safe)


@given(st.text(_PRINTABLE, min_size=1, max_size=64))
def test_friendly_name_accepts_1_to_64(name):
    assert fields.get("friendly_name").clean(name) == name


@given(
    st.text(_PRINTABLE, max_size=20),
    st.sampled_from(["\x1b", "\x00", "\x07", "\r", "\n", "\x7f", "\x9b", "\u202e", "\u2066"]),
    st.text(_PRINTABLE, max_size=20),
)
def test_names_and_urls_refuse_control_characters(before, control, after):
    """A name is shown on other people's terminals: ESC, NUL, CR, C1, bidi never go out."""
    for name, value in (
        ("friendly_name", before + control + after),
        ("status_callback", f"https://x.example/{before}{control}{after}"),
    ):
        with pytest.raises(fields.FieldError) as err:
            fields.get(name).clean(value)
        assert "control character" in err.value.message  # fmt: skip


@given(st.text(_PRINTABLE, min_size=65, max_size=200))
def test_friendly_name_refuses_over_64(name):
    with pytest.raises(fields.FieldError) as err:
        fields.get("friendly_name").clean(name)
    assert err.value.code == 20002
    assert "at most 64 characters" in err.value.message


def test_friendly_name_required_on_create():
    with pytest.raises(fields.ValidationError) as err:
        fields.clean_values({"sticky_sender": True}, creating=True)
    assert [e.field_name for e in err.value.errors] == ["friendly_name"]
    with pytest.raises(fields.ValidationError):
        fields.clean_values({"friendly_name": ""}, creating=True)


@given(st.integers(min_value=1, max_value=36000))
def test_validity_period_in_range(n):
    f = fields.get("validity_period")
    assert f.clean(n) == n
    assert f.clean(str(n)) == n


@given(st.one_of(st.integers(max_value=0), st.integers(min_value=36001)))
def test_validity_period_out_of_range(n):
    with pytest.raises(fields.FieldError) as err:
        fields.get("validity_period").clean(str(n))
    assert err.value.code == 90007


@given(st.text().filter(lambda t: not t.strip().lstrip("+-").isdigit()))
def test_validity_period_refuses_non_numbers(text):
    with pytest.raises(fields.FieldError) as err:
        fields.get("validity_period").clean(text)
    assert err.value.code == 90007


@given(
    st.sampled_from(["http", "https"]),
    st.from_regex(r"[a-z][a-z0-9-]{0,20}(\.[a-z]{2,6}){1,2}", fullmatch=True),
    st.from_regex(r"(/[a-zA-Z0-9_-]{0,10}){0,3}", fullmatch=True),
)
def test_urls_accept_absolute_http(scheme, host, path):
    url = f"{scheme}://{host}{path}"
    assert fields.get("status_callback").clean(url) == url


@given(st.text().filter(lambda t: not t.strip().startswith(("http://", "https://"))))
def test_urls_refuse_anything_else(text):
    f = fields.get("inbound_request_url")
    if text.strip() == "" and sanitize.is_safe(text):
        assert f.clean(text) is None  # empty clears
        return
    with pytest.raises(fields.FieldError) as err:
        f.clean(text)
    assert err.value.code == fields.INVALID_PARAMETER


@pytest.mark.parametrize("bad", ["ftp://x.example", "https://", "example.com/x", "http:/x"])
def test_url_examples(bad):
    with pytest.raises(fields.FieldError):
        fields.get("fallback_url").clean(bad)


@given(st.text())
def test_methods_only_get_or_post(text):
    f = fields.get("inbound_method")
    norm = text.strip().upper()
    if norm in ("GET", "POST"):
        assert f.clean(text) == norm
    elif norm == "":
        assert f.clean(text) == "POST"
    else:
        with pytest.raises(fields.FieldError):
            f.clean(text)


@given(st.text())
def test_choices(text):
    for name in ("scan_message_content", "usecase"):
        f = fields.get(name)
        if text.strip() in f.choices:
            assert f.clean(text) == text.strip()
        else:
            with pytest.raises(fields.FieldError):
                f.clean(text)


@given(st.booleans())
def test_bool_round_trip(value):
    f = fields.get("sticky_sender")
    assert f.clean(f.to_param(value)) is value
    assert f.clean(value) is value


@pytest.mark.parametrize("bad", ["maybe", "", "2", "truee"])
def test_bool_refuses(bad):
    with pytest.raises(fields.FieldError):
        fields.get("mms_converter").clean(bad)


def test_read_only_fields_refuse_writes():
    with pytest.raises(fields.FieldError):
        fields.get("sid").clean("MG" + "0" * 32)


def test_clean_values_reports_every_bad_field():
    with pytest.raises(fields.ValidationError) as err:
        fields.clean_values({"validity_period": "0", "fallback_url": "nope", "usecase": "spam"})
    assert {e.field_name for e in err.value.errors} == {
        "validity_period",
        "fallback_url",
        "usecase",
    }


def test_parse_assignment_accepts_both_spellings():
    assert fields.parse_assignment("sticky_sender=false") == ("sticky_sender", "false")
    assert fields.parse_assignment("StickySender=true") == ("sticky_sender", "true")
    with pytest.raises(ValueError, match="unknown or read-only"):
        fields.parse_assignment("sid=MG1")
    with pytest.raises(ValueError, match="field=value"):
        fields.parse_assignment("sticky_sender")


@given(st.text(max_size=20))
def test_alpha_sender_rules(text):
    problem = senders.alpha_sender_problem(text)
    ok = (
        0 < len(text) <= 11
        and all(c.isascii() and (c.isalnum() or c in " -+_&") for c in text)
        and not text.isdigit()
    )
    assert (problem is None) == ok, (text, problem)


@pytest.mark.parametrize("text", ["0\n", "Acme\n", "AcmeShop\n"])
def test_a_trailing_newline_is_not_an_alpha_sender(text):
    """`$` matches before a final newline: "0\n" once passed the alpha sender rules."""
    assert senders.alpha_sender_problem(text) is not None
    assert not senders.PHONE_NUMBERS.sid_re.match("PN" + "0" * 32 + "\n")
