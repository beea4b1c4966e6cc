"""House style the catalogs keep, one rule per language (issue #15, points 14-16).

Each rule was a real inconsistency: a reader noticed the two spellings side by side.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Message

from bot.i18n.maintenance import read


def _forms(message: Message) -> list[str]:
    return [message.string] if isinstance(message.string, str) else list(message.string)


def _texts(locale: str) -> list[tuple[str, str]]:
    """(msgid, translation) for every form of every entry."""
    return [
        (message.id if isinstance(message.id, str) else message.id[0], text)
        for message in read(locale)
        if message.id
        for text in _forms(message)
    ]


def _arabic_plurals() -> list[Message]:
    return [m for m in read("ar") if m.id and not isinstance(m.id, str) and "{n}" in m.id[1]]


def test_arabic_zero_one_and_two_say_the_number_in_words_only() -> None:
    """'دقيقة واحدة (1)', 'مشاركان (2)', '(0 دقيقة)': the word already says the number."""
    repeated = [
        (message.id[0], form, text)
        for message in _arabic_plurals()
        for form, text in enumerate(_forms(message)[:3])
        if "{n}" in text or re.search(r"\(\s*[012]\s*\)", text)
    ]
    assert repeated == []


# Words after {n} in the 11-99 form that are not a counted noun ("… and 12 more").
_NOT_A_NOUN = {"أخرى"}


def test_arabic_11_to_99_counts_an_accusative_singular() -> None:
    """تمييز منصوب: '11 جلسةً', '15 مقعدًا', never '15 دقيقة'."""
    wrong = []
    for message in _arabic_plurals():
        many = _forms(message)[4]
        for word in re.findall(r"\{n\}\s*([^\s<.,:،؛؟?!)]+)", many):
            if word not in _NOT_A_NOUN and not word.endswith(("ًا", "ً")):
                wrong.append((message.id[0], many))
    assert wrong == []


def test_arabic_tanwin_sits_on_the_letter_before_the_alef() -> None:
    """One orthography: حرفًا, not حرفاً."""
    assert [text for _, text in _texts("ar") if "اً" in text] == []


def test_arabic_quotes_with_guillemets_only() -> None:
    assert [text for _, text in _texts("ar") if re.search('[“”"]', text)] == []


@pytest.mark.parametrize("locale", ["ms", "ur"])
def test_malay_and_urdu_quote_with_curly_quotes_only(locale: str) -> None:
    """« only as the back arrow at the start of a button ("« Back"), never as a quote."""
    wrong = [text for _, text in _texts(locale) if "»" in text or re.search("«(?! )", text)]
    wrong += [text for _, text in _texts(locale) if '"' in text]
    assert wrong == []


@pytest.mark.parametrize(("locale", "other_name"), [("ar", "الماليزية"), ("ur", "مالے")])
def test_malay_has_one_name_in_arabic_and_urdu(locale: str, other_name: str) -> None:
    assert [text for _, text in _texts(locale) if other_name in text] == []


def test_malay_calls_the_programme_atur_cara() -> None:
    wrong = [text for _, text in _texts("ms") if re.search(r"(?<![/\w])program\b", text, re.I)]
    assert wrong == []


def test_malay_calls_the_badge_pas() -> None:
    assert [text for _, text in _texts("ms") if re.search(r"\blencana\b", text, re.I)] == []


def test_urdu_examples_name_the_climate_not_meteorology() -> None:
    """موسمیات is the science of the weather; the sample's topic is climate change."""
    assert [text for _, text in _texts("ur") if re.search("موسمیات(?!ی)", text)] == []


@pytest.mark.parametrize("locale", ["ar", "ur"])
def test_right_to_left_page_arrows_point_the_reading_way(locale: str) -> None:
    """In Arabic and Urdu, forward is to the left (◀) and back to the right (▶)."""
    catalog = read(locale)
    assert "▶" in catalog["◀ Previous"].string and "◀" not in catalog["◀ Previous"].string
    for forward in ["Next ▶", "More ▶"]:
        assert "◀" in catalog[forward].string and "▶" not in catalog[forward].string


@pytest.mark.parametrize("locale", ["ar", "ur"])
def test_digits_stay_latin(locale: str) -> None:
    """Dates, times and counts come out in Latin digits (docs/i18n.md): examples too."""
    native = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
    assert [text for _, text in _texts(locale) if native.search(text)] == []
