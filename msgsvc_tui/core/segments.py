"""How Twilio encodes an SMS body and counts its segments — shared by the app and the emulator.

This module is the single source of the encoding rules: the TUI's composer counts segments
with it while the user types, and the emulator computes the Message resource's `num_segments`
with it, so what the app predicts is exactly what the sandbox answers. Change a rule here
and both sides move together; never copy a table into either front end.

Sources (Twilio's own pages; the research notes quote them):
- GSM-7 basic and extension sets, as Twilio's segment calculator maps them
  (https://github.com/TwilioDevEd/message-segment-calculator, `UnicodeToGSM.ts`) and
  https://www.twilio.com/docs/glossary/what-is-gsm-7-character-encoding ("Some characters,
  such as `{` and `]`, need an escape character. These escape characters count as two
  characters").
- Limits: https://www.twilio.com/docs/glossary/what-sms-character-limit (160/153 GSM-7,
  70/67 UCS-2; toll-free multi-segment SMS to the US or Canada: 152/66) and
  https://www.twilio.com/docs/glossary/what-is-ucs-2-character-encoding (one non-GSM-7
  character makes the whole message UCS-2; a 6-octet header per segment once split).
- Packing: the calculator's `SegmentedMessage.ts` — a character is never split across
  segments, so an escape pair or a surrogate pair moves whole to the next one.
- Smart Encoding: https://www.twilio.com/docs/messaging/services#smart-encoding and
  https://www.twilio.com/docs/messaging/services/smart-encoding-char-list (table below, from
  the calculator's `SmartEncodingMap.ts`). It is all-or-nothing: Twilio replaces characters
  "if there are GSM7/ASCII alternatives and no characters that can't be converted in the
  message" (https://www.twilio.com/blog/copilot-just-got-even-smarter-announcing-smart-encoding-html).

Choices where the docs are silent (also in the README's emulator section):
- Characters are judged per code point, not per grapheme cluster.
- The calculator maps no-break and typographic spaces to *two* spaces; that looks like a
  transcription slip, so they become one space here.
- The body limit (error 21617) counts UTF-16 code units of the submitted body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# One septet each (Twilio's calculator, `UnicodeToGSM.ts`): note there is no backtick, no
# lower-case ç and no á/í/ó/ú.
GSM7_BASIC: frozenset[str] = frozenset(
    "\n\r !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
    "abcdefghijklmnopqrstuvwxyz¡£¤¥§¿ÄÅÆÉÑÖØÜßàäåæÇèéìñòöøùüΓΔΘΛΞΠΣΦΨΩ"
)
# Two septets each: the escape character plus one from the extension table.
GSM7_EXTENSION: frozenset[str] = frozenset("\f[\\]^{|}~€")

GSM7_SINGLE = 160
GSM7_MULTI = 153
UCS2_SINGLE = 70
UCS2_MULTI = 67
# "toll-free multi-segment SMS messages sent to the US or Canada support 152 characters per
# segment for GSM-7 messages and 66 for UCS-2 messages" (what-sms-character-limit).
TOLLFREE_GSM7_MULTI = 152
TOLLFREE_UCS2_MULTI = 66
# "Can be up to 1,600 characters in length" (the spec's `Body`); over it Twilio answers 21617.
MAX_BODY_UNITS = 1600


def _table() -> dict[str, str]:
    """Smart Encoding's replacements, written as (result, code points) like Twilio's list."""
    groups: list[tuple[str, str]] = [
        ('"', "\u00ab\u00bb\u201c\u201d\u02ba\u02ee\u201f\u201e\u275d\u275e\u301d\u301e\uff02"),
        (
            "'",
            "\u2018\u2019\u02bb\u02c8\u02bc\u02bd\u02b9\u201b\uff07\u00b4\u02ca\u0060\u02cb"
            "\u275b\u275c\u0313\u0314\ufe10\ufe11",
        ),
        ("-", "\u2013\u2014\u2015\u2010\u2043\u2022\u23bc\u23bd\ufe63\uff0d"),
        ("/", "\u00f7\u29f8\u0337\u0338\u2044\u2215\uff0f"),
        ("\\", "\u29f9\u29f5\u20e5\ufe68\uff3c"),
        ("_", "\u0332\uff3f\u2017"),
        ("|", "\u20d2\u20d3\u2223\uff5c\u23b8\u23b9\u23d0\u239c\u239f"),
        ("@", "\ufe6b\uff20"),
        ("$", "\ufe69\uff04"),
        ("#", "\ufe5f\uff03"),
        ("%", "\ufe6a\uff05"),
        ("&", "\ufe60\uff06"),
        ("!", "\u01c3\ufe15\ufe57\uff01"),
        (",", "\u201a\u0326\ufe50\ufe51\uff0c\uff64\u3001"),
        ("(", "\u2768\u276a\ufe59\uff08\u27ee\u2985"),
        (")", "\u2769\u276b\ufe5a\uff09\u27ef\u2986"),
        (
            "*",
            "\u204e\u2217\u229b\u2722\u2723\u2724\u2725\u2731\u2732\u2733\u273a\u273b\u273c"
            "\u273d\u2743\u2749\u274a\u274b\u29c6\ufe61\uff0a",
        ),
        ("+", "\u02d6\ufe62\uff0b"),
        (".", "\u3002\ufe52\uff0e\uff61"),
        (":", "\u02d0\u02f8\u2982\ua789\ufe13\uff1a"),
        (";", "\u204f\ufe14\ufe54\uff1b"),
        # Twilio's own list maps U+203A (right angle quote) to "<" and U+2039 to ">":
        # kept as Twilio has it, since the point is to predict what Twilio sends.
        ("<", "\ufe64\uff1c\u203a"),
        (">", "\ufe65\uff1e\u2039"),
        ("=", "\u0347\ua78a\ufe66\uff1d"),
        ("?", "\ufe16\ufe56\uff1f"),
        ("^", "\u02c6\u0302\uff3e\u1dcd"),
        ("{", "\u2774\ufe5b\uff5b"),
        ("}", "\u2775\ufe5c\uff5d"),
        ("[", "\uff3b"),
        ("]", "\uff3d"),
        ("~", "\u02dc\u02f7\u0303\u0330\u0334\u223c\uff5e"),
        # One space where the calculator writes two (see the module's docstring).
        (
            " ",
            "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
            "\u202f\u205f\u3000\u2028\u2029\u0080\u008d\u0090\u009b\u009f",
        ),
        (
            "",
            "\u200b\u2060\ufeff\u0000\u0003\u0004\u0010\u0011\u0012\u0013\u0014\u0017\u0019",
        ),
    ]
    table = {ch: result for result, chars in groups for ch in chars}
    table["\u2026"] = "..."
    table["\u203c"] = "!!"
    table["\u00bc"] = "1/4"
    table["\u00bd"] = "1/2"
    table["\u00be"] = "3/4"
    table["\t"] = " " * 7  # the calculator's rule for a tab
    for i in range(10):
        table[chr(0xFF10 + i)] = str(i)
    for i in range(26):
        table[chr(0xFF21 + i)] = chr(ord("A") + i)
    small_capitals = {
        "A": "\u1d00", "B": "\u0299", "C": "\u1d04", "D": "\u1d05", "E": "\u1d07",
        "F": "\ua730", "G": "\u0262", "H": "\u029c", "I": "\u026a", "J": "\u1d0a",
        "K": "\u1d0b", "L": "\u029f", "M": "\u1d0d", "N": "\u0274", "O": "\u1d0f",
        "P": "\u1d18", "R": "\u0280", "S": "\ua731", "T": "\u1d1b", "U": "\u1d1c",
        "V": "\u1d20", "W": "\u1d21", "Y": "\u028f", "Z": "\u1d22",
    }  # fmt: skip
    for letter, ch in small_capitals.items():
        table[ch] = letter
    return table


SMART_ENCODING: dict[str, str] = _table()


def is_gsm7(ch: str) -> bool:
    """Whether one code point can travel in GSM-7 (basic or extension table)."""
    return ch in GSM7_BASIC or ch in GSM7_EXTENSION


def utf16_units(text: str) -> int:
    """Length as Twilio counts the 1,600 limit: UTF-16 code units (an emoji costs two)."""
    return len(text.encode("utf-16-le")) // 2


def smart_encode(body: str) -> str | None:
    """The body Twilio sends with Smart Encoding on, or None when it leaves the body alone.

    All-or-nothing: None when the body is GSM-7 already (nothing to do) or when a character
    has no GSM-7 replacement (an emoji, Hangul…), because then Twilio sends the body as UCS-2
    unchanged.
    """
    if all(is_gsm7(ch) for ch in body):
        return None
    out: list[str] = []
    for ch in body:
        if is_gsm7(ch):
            out.append(ch)
            continue
        replacement = SMART_ENCODING.get(ch)
        if replacement is None:
            return None
        out.append(replacement)
    return "".join(out)


def _pack(costs: list[int], single: int, multi: int) -> int:
    """Segments for per-character costs, never splitting one character across two."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    segments, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            segments += 1
            used = 0
        used += cost
    return segments


@dataclass(frozen=True, slots=True)
class Segmentation:
    """What Twilio does with one body: the text it sends, its encoding and its segments.

    `units` counts septets for GSM-7 (an extension character is two) and UTF-16 code units
    for UCS-2 (an emoji is two). `forcing` lists, once each in order of appearance, the
    characters of the sent text that are not GSM-7 — the ones that make it UCS-2.
    `replacements` lists what Smart Encoding changed (original, result); `unreplaceable`
    lists, when Smart Encoding was on but could not help, the characters it has no
    replacement for.
    """

    text: str
    encoding: Encoding
    units: int
    segments: int
    single_limit: int
    multi_limit: int
    forcing: tuple[str, ...]
    replacements: tuple[tuple[str, str], ...]
    unreplaceable: tuple[str, ...]
    body_units: int

    @property
    def per_segment(self) -> int:
        """Capacity of each segment at the current length (160 or 153, 70 or 67…)."""
        return self.single_limit if self.segments <= 1 else self.multi_limit

    @property
    def too_long(self) -> bool:
        """Whether Twilio refuses the body (error 21617, over 1,600 characters)."""
        return self.body_units > MAX_BODY_UNITS


def _distinct(chars: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(chars))


def segment(
    body: str, *, smart_encoding: bool = False, tollfree_to_us_ca: bool = False
) -> Segmentation:
    """Twilio's encoding and segment count for `body`.

    `smart_encoding` is the service's flag (or the message's `SmartEncoded`, which wins);
    `tollfree_to_us_ca` selects the 152/66 multi-segment capacities of a toll-free sender
    sending to the US or Canada.
    """
    replaced = smart_encode(body) if smart_encoding else None
    text = body if replaced is None else replaced
    replacements: tuple[tuple[str, str], ...] = ()
    unreplaceable: tuple[str, ...] = ()
    if replaced is not None:
        replacements = tuple(
            dict.fromkeys((ch, SMART_ENCODING[ch]) for ch in body if not is_gsm7(ch))
        )
    elif smart_encoding:
        unreplaceable = _distinct(
            [ch for ch in body if not is_gsm7(ch) and ch not in SMART_ENCODING]
        )
    forcing = _distinct([ch for ch in text if not is_gsm7(ch)])
    if forcing:
        costs = [utf16_units(ch) for ch in text]
        single, multi = UCS2_SINGLE, TOLLFREE_UCS2_MULTI if tollfree_to_us_ca else UCS2_MULTI
        encoding: Encoding = "UCS-2"
    else:
        costs = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        single, multi = GSM7_SINGLE, TOLLFREE_GSM7_MULTI if tollfree_to_us_ca else GSM7_MULTI
        encoding = "GSM-7"
    return Segmentation(
        text=text,
        encoding=encoding,
        units=sum(costs),
        segments=_pack(costs, single, multi),
        single_limit=single,
        multi_limit=multi,
        forcing=forcing,
        replacements=replacements,
        unreplaceable=unreplaceable,
        body_units=utf16_units(body),
    )


def describe_char(ch: str) -> str:
    """A character named so a user can see it even when it is invisible (U+00A0 etc.)."""
    code = f"U+{ord(ch):04X}"
    return code if not ch.isprintable() or ch.isspace() else f"{ch} {code}"
