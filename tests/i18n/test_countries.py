"""Countries: ISO 3166 codes only, named in the reader's language, found in any script."""

from __future__ import annotations

import pytest

from bot.i18n.countries import country_codes, country_name, search_countries


def test_only_iso_countries_are_offered() -> None:
    codes = country_codes()

    assert {"MY", "PK", "SA", "AE", "GB", "PS", "XK"} <= codes
    assert codes.isdisjoint({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "AC", "IC", "CQ"})
    assert len(codes) == 250  # ISO 3166-1's 249 and Kosovo


@pytest.mark.parametrize(
    ("locale", "name"),
    [("en", "Malaysia"), ("ar", "ماليزيا"), ("ms", "Malaysia"), ("ur", "ملائشیا")],
)
def test_names_come_in_the_readers_language(locale: str, name: str) -> None:
    assert country_name("MY", locale) == name


@pytest.mark.parametrize(
    ("query", "locale", "first"),
    [
        ("malay", "en", "MY"),
        ("Malaysia", "ar", "MY"),  # English typed with an Arabic interface
        ("ماليزيا", "en", "MY"),
        ("پاکستان", "ur", "PK"),
        ("باكستان", "ur", "PK"),  # Arabic letters for an Urdu name
        ("PK", "ar", "PK"),
        ("ma", "en", "MA"),  # a code first, then the names that start with it
        ("pakstan", "en", "PK"),  # a typo
        ("uae", "en", "AE"),
        ("kingdom", "en", "GB"),  # a word inside the name
    ],
)
def test_a_country_is_found_by_any_name_or_code(query: str, locale: str, first: str) -> None:
    assert search_countries(query, locale)[0].code == first


def test_at_most_eight_matches_named_in_the_readers_language() -> None:
    found = search_countries("ma", "ar")

    assert len(found) == 8
    assert found[0].name == country_name("MA", "ar")


def test_nothing_matches_nonsense_or_blank() -> None:
    assert search_countries("qqqq", "en") == ()
    assert search_countries("   ", "en") == ()
