"""Where CLDR's data reads wrong to our translators, the localizer says it their way."""

from __future__ import annotations

import pytest
from babel.support import NullTranslations

from bot.i18n.localizer import Localizer, strip_bidi


def localizer(locale: str) -> Localizer:
    return Localizer(locale, NullTranslations(), "Asia/Kuala_Lumpur")


def test_an_urdu_list_has_no_comma_before_aur() -> None:
    """CLDR's Urdu pattern writes 'A، B، اور C'; Urdu puts no comma before اور."""
    l10n = localizer("ur")

    assert strip_bidi(l10n.join(["نور", "مریم", "سلمیٰ"])) == "نور، مریم اور سلمیٰ"
    assert strip_bidi(l10n.join(["نور", "مریم", "سلمیٰ", "زینب"])) == "نور، مریم، سلمیٰ اور زینب"
    assert strip_bidi(l10n.join(["نور", "مریم"])) == "نور اور مریم"
    assert strip_bidi(l10n.join(["نور", "مریم", "سلمیٰ"], style="or")) == "نور، مریم یا سلمیٰ"
    assert strip_bidi(l10n.join_rendered(["ا", "ب", "ج"])) == "ا، ب اور ج"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "A, B, and C"), ("ar", "A وB وC"), ("ms", "A, B dan C")],
)
def test_other_lists_keep_cldr_patterns(locale: str, expected: str) -> None:
    assert strip_bidi(localizer(locale).join(["A", "B", "C"])) == expected


@pytest.mark.parametrize(
    ("locale", "malay"), [("ar", "الملايوية"), ("ur", "ملائی"), ("ms", "Melayu"), ("en", "Malay")]
)
def test_malay_has_the_name_the_catalogs_use(locale: str, malay: str) -> None:
    """CLDR says الماليزية ('Malaysian') and مالے; the catalogs say الملايوية and ملائی."""
    assert localizer(locale).language_name("ms") == malay


def test_other_language_names_stay_cldrs() -> None:
    assert localizer("ar").language_name("ur") == "الأوردية"
    assert localizer("ur").language_name("en") == "انگریزی"
