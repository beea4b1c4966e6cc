"""Countries by name in any of our languages: CLDR names from Babel, fuzzy-matched.

Attendees type a few letters in whatever script is handy ("malay", "ماليزيا", "PK"), so a
country is found by its name in the reader's language, in English (or any of our languages)
or by its code.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale
from rapidfuzz import fuzz

from bot.domain.locales import SUPPORTED_LOCALES
from bot.domain.registration import Country
from bot.domain.text import normalize

MAX_MATCHES = 8
FUZZY_CUTOFF = 80  # WRatio; below this, "malay" would also offer Chad and Peru
MIN_FUZZY_LENGTH = 3

# CLDR two-letter territories that are not ISO 3166-1 countries: exceptional reservations
# (Ascension, Clipperton, Sark, Diego Garcia, Ceuta & Melilla, Canaries, Tristan da Cunha),
# groupings (EU, eurozone, UN, Outlying Oceania) and pseudo/unknown regions. Kosovo (XK) is
# user-assigned rather than ISO, but the EU and Telegram use it, and its attendees need one.
NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "IC", "TA", "EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
)
# What people type that no CLDR name or code contains.
ALIASES = {"uk": "GB", "usa": "US", "uae": "AE", "ksa": "SA"}
_TWO_LETTERS = re.compile(r"[A-Z]{2}")


@cache
def _names(locale: str) -> dict[str, str]:
    """Code -> name in `locale` (English where CLDR has no local name)."""
    english = Locale.parse("en").territories
    local = Locale.parse(locale).territories
    return {
        code: str(local.get(code) or name)
        for code, name in english.items()
        if _TWO_LETTERS.fullmatch(code) and code not in NOT_COUNTRIES
    }


@cache
def _keys(locale: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(code, sort key, normalized names) for every country, computed once per locale.

    Names in all four of our languages count, the reader's own first: an attendee with an
    English interface may still type "ماليزيا".
    """
    tables = [_names(other) for other in (locale, "en", *SUPPORTED_LOCALES)]
    return tuple(
        (code, normalize(name), tuple(dict.fromkeys(normalize(t[code]) for t in tables)))
        for code, name in tables[0].items()
    )


def country_codes() -> frozenset[str]:
    return frozenset(_names("en"))


def is_country(code: str) -> bool:
    return code in _names("en")


def country_name(code: str, locale: str) -> str:
    return _names(locale).get(code, code)


def search_countries(query: str, locale: str, limit: int = MAX_MATCHES) -> tuple[Country, ...]:
    """Best matches first: code or alias, exact name, name prefix, word prefix, then fuzzy."""
    wanted = normalize(" ".join(query.split()))
    if not wanted:
        return ()
    ranked: list[tuple[int, float, str, str]] = []
    for code, sort_key, candidates in _keys(locale):
        rank = _rank(wanted, code, candidates)
        if rank is not None:
            ranked.append((rank[0], -rank[1], sort_key, code))
    ranked.sort()
    local = _names(locale)
    return tuple(Country(code, local[code]) for *_, code in ranked[:limit])


def _rank(wanted: str, code: str, names: tuple[str, ...]) -> tuple[int, float] | None:
    if wanted.upper() == code or ALIASES.get(wanted) == code:
        return (0, 100.0)
    if wanted in names:
        return (1, 100.0)
    if any(name.startswith(wanted) for name in names):
        return (2, 100.0)
    if any(word.startswith(wanted) for name in names for word in re.split(r"[\s\-&().,]+", name)):
        return (3, 100.0)
    if len(wanted) < MIN_FUZZY_LENGTH:
        return None
    score = max(fuzz.WRatio(wanted, name) for name in names)
    return (4, score) if score >= FUZZY_CUTOFF else None
