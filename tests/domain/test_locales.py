"""Which of our four languages a Telegram user gets from their `language_code` hint."""

from __future__ import annotations

import pytest

from bot.domain.locales import LocaleGuess, negotiate_locale


@pytest.mark.parametrize("code", ["ar", "en", "ms", "ur"])
def test_negotiate_locale_supported_language_is_certain(code: str) -> None:
    assert negotiate_locale(code) == LocaleGuess(code, certain=True)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("ar-EG", "ar"), ("en_GB", "en"), ("ms-MY", "ms"), ("ur-PK", "ur"), ("EN-us", "en")],
)
def test_negotiate_locale_region_variant_is_certain(code: str, expected: str) -> None:
    assert negotiate_locale(code) == LocaleGuess(expected, certain=True)


def test_negotiate_locale_indonesian_gets_malay_uncertain() -> None:
    assert negotiate_locale("id") == LocaleGuess("ms", certain=False)


@pytest.mark.parametrize("code", ["ps", "pa", "sd", "pa-PK"])
def test_negotiate_locale_languages_of_pakistan_get_urdu_uncertain(code: str) -> None:
    assert negotiate_locale(code) == LocaleGuess("ur", certain=False)


def test_negotiate_locale_persian_gets_english_uncertain() -> None:
    assert negotiate_locale("fa") == LocaleGuess("en", certain=False)


@pytest.mark.parametrize("code", [None, ""])
def test_negotiate_locale_missing_hint_gets_english_uncertain(code: str | None) -> None:
    assert negotiate_locale(code) == LocaleGuess("en", certain=False)


def test_negotiate_locale_unknown_language_gets_english_uncertain() -> None:
    assert negotiate_locale("zz") == LocaleGuess("en", certain=False)
