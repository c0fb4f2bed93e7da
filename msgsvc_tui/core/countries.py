"""ISO 3166-1 alpha-2 country codes: what `IsoCountryCode` accepts (a destination alpha
sender is for one country). The 249 officially assigned codes, as ISO publishes them."""

from __future__ import annotations

_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
ZW
"""
ISO_ALPHA2: frozenset[str] = frozenset(_CODES.split())


def country_problem(code: str) -> str | None:
    """Why `code` is not an ISO 3166-1 alpha-2 country code, or None when it is. Upper case
    only, as Twilio writes them; `fr` is refused with the fix named rather than guessed."""
    if not code:
        return "Country is required: an ISO 3166-1 alpha-2 code such as FR"
    if code in ISO_ALPHA2:
        return None
    if code.upper() in ISO_ALPHA2:
        return f"Country codes are upper case: {code.upper()}"
    return f"“{code}” is not an ISO 3166-1 alpha-2 country code (two letters, such as FR or DE)"
