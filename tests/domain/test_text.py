"""Text rules for search and input: one normal form for Latin, Arabic and Urdu script."""

from __future__ import annotations

import pytest

from bot.domain.text import (
    MAX_QUERY_WORDS,
    normalize,
    search_document,
    search_words,
    shorten,
    strip_controls,
)

# --- normalize -------------------------------------------------------------------------------


def test_normalize_casefolds() -> None:
    assert normalize("Media STRASSE Straße") == "media strasse strasse"


def test_normalize_strips_latin_accents() -> None:
    assert normalize("Café Éditeur naïve") == "cafe editeur naive"


def test_normalize_removes_arabic_harakat() -> None:
    assert normalize("الصَّحَافَةُ") == normalize("الصحافة")


def test_normalize_removes_tatweel() -> None:
    assert normalize("الصـــحافة") == normalize("الصحافة")


@pytest.mark.parametrize(
    ("hamza_form", "bare"), [("أحمد", "احمد"), ("إسلام", "اسلام"), ("آمال", "امال")]
)
def test_normalize_folds_alef_variants_to_bare_alef(hamza_form: str, bare: str) -> None:
    assert normalize(hamza_form) == bare


@pytest.mark.parametrize(
    ("urdu", "arabic"),
    [
        ("کہانی", "كهاني"),  # Urdu keheh, heh goal, farsi yeh
        ("پاکستان", "پاكستان"),
        ("یوسف", "يوسف"),
        ("تھامس", "تهامس"),  # heh doachashmee
    ],
)
def test_normalize_urdu_and_arabic_spellings_match(urdu: str, arabic: str) -> None:
    assert normalize(urdu) == normalize(arabic)


def test_normalize_leaves_plain_text_alone() -> None:
    assert normalize("press freedom 2026") == "press freedom 2026"


# --- search_words ----------------------------------------------------------------------------


def test_search_words_drops_one_letter_words() -> None:
    assert search_words("a b cd") == ["cd"]


def test_search_words_dedupes_after_normalizing() -> None:
    assert search_words("Trust trust TRUST") == ["trust"]


def test_search_words_longest_first() -> None:
    assert search_words("ai media journalism") == ["journalism", "media", "ai"]


def test_search_words_at_most_eight() -> None:
    query = "one two three four five six seven eight nine ten eleven"

    words = search_words(query)

    assert len(words) == MAX_QUERY_WORDS == 8
    assert words == ["eleven", "eight", "seven", "three", "five", "four", "nine", "one"]


def test_search_words_of_punctuation_only_is_empty() -> None:
    assert search_words("?! -- %") == []


def test_search_words_normalizes_arabic() -> None:
    assert search_words("الصَّحَافَة") == ["الصحافه"]


# --- search_document -------------------------------------------------------------------------


def test_search_document_is_padded_normalized_deduped_words() -> None:
    assert search_document("Café café", "Trust!") == " cafe trust "


def test_search_document_joins_every_part() -> None:
    assert search_document("Main Hall", "القاعة الرئيسية") == " main hall القاعه الرييسيه "


# --- shorten ---------------------------------------------------------------------------------


def test_shorten_short_text_is_unchanged() -> None:
    assert shorten("Press freedom", 20) == "Press freedom"


def test_shorten_collapses_whitespace() -> None:
    assert shorten("  Press \n freedom\tnow ", 50) == "Press freedom now"


def test_shorten_cuts_at_word_boundary_with_ellipsis() -> None:
    assert shorten("Covering elections without amplifying", 20) == "Covering elections…"


def test_shorten_trims_punctuation_before_ellipsis() -> None:
    assert shorten("Hello, world again", 9) == "Hello…"


def test_shorten_single_long_word_is_cut_mid_word() -> None:
    assert shorten("Supercalifragilistic", 8) == "Superca…"


@pytest.mark.parametrize("limit", [1, 5, 9, 10, 17, 30, 64])
def test_shorten_never_longer_than_limit(limit: int) -> None:
    text = "Who Is Accountable When the Algorithm Writes the Headline? Newsroom Ethics"

    assert len(shorten(text, limit)) <= limit


def test_shorten_keeps_a_word_that_ends_at_the_cut() -> None:
    assert shorten("hello world foo", 12) == "hello world…"


# --- strip_controls --------------------------------------------------------------------------


def test_strip_controls_removes_c0_controls_and_delete() -> None:
    assert strip_controls("Ami\x00na\x07 \x1bKh\x7fan") == "Amina Khan"


def test_strip_controls_keeps_tab_and_newlines() -> None:
    assert strip_controls("a\tb\nc\r\n") == "a\tb\nc\r\n"


def test_strip_controls_keeps_arabic_text() -> None:
    assert strip_controls("نور حداد") == "نور حداد"
