"""A reader's localizer: escaped, bidi-isolated values, RTL lines, and CLDR formats."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from babel.support import NullTranslations
from markupsafe import Markup

from bot.i18n.localizer import FSI, PDI, RLM, Localizer, strip_bidi

ZONE = "Asia/Kuala_Lumpur"


def localizer(locale: str) -> Localizer:
    """Source texts (no catalog), formatting in the sample event's zone."""
    return Localizer(locale, NullTranslations(), ZONE)


# --- interpolation ---------------------------------------------------------------------------


def test_interpolated_value_is_escaped_and_isolated() -> None:
    text = localizer("en")._("Welcome, {name}!", name="<Tom & Jerry>")

    assert text == f"Welcome, {FSI}&lt;Tom &amp; Jerry&gt;{PDI}!"


def test_interpolated_number_is_isolated() -> None:
    assert localizer("ar")._("Room {n}", n=3) == f"Room {FSI}3{PDI}"


def test_markup_value_passes_through_unescaped_and_unwrapped() -> None:
    text = localizer("en")._("Title: {title}", title=Markup("<b>Trust</b>"))

    assert text == "Title: <b>Trust</b>"


def test_message_without_values_is_left_as_is() -> None:
    assert localizer("en")._("Use {braces} freely") == "Use {braces} freely"


def test_ngettext_singular() -> None:
    assert localizer("en").ngettext("{n} seat", "{n} seats", 1) == f"{FSI}1{PDI} seat"


def test_ngettext_plural_formats_count_for_the_locale() -> None:
    text = localizer("en").ngettext("{n} seat", "{n} seats", 1200)

    assert text == f"{FSI}1,200{PDI} seats"


def test_ngettext_other_values_are_escaped() -> None:
    text = localizer("en").ngettext(
        "{n} session in {room}", "{n} sessions in {room}", 2, room="A&B"
    )

    assert text == f"{FSI}2{PDI} sessions in {FSI}A&amp;B{PDI}"


# --- right to left ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["ar", "ur"])
def test_finish_starts_each_rtl_line_with_rlm(locale: str) -> None:
    assert localizer(locale).finish("10:30 Main Hall\n\nعنوان") == (
        f"{RLM}10:30 Main Hall\n\n{RLM}عنوان"
    )


@pytest.mark.parametrize("locale", ["en", "ms"])
def test_finish_leaves_ltr_text_unchanged(locale: str) -> None:
    assert localizer(locale).finish("10:30 Main Hall\n\nTitle") == "10:30 Main Hall\n\nTitle"


def test_strip_bidi_removes_isolates_and_marks() -> None:
    assert strip_bidi(f"{RLM}{FSI}Nour{PDI} \u200e\u2066x\u2067y") == "Nour xy"


# --- CLDR formats ----------------------------------------------------------------------------


def test_time_is_24_hour_in_event_zone() -> None:
    assert localizer("en").time(datetime(2026, 3, 14, 6, 30, tzinfo=UTC)) == "14:30"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Sat, Mar 14"), ("ar", "السبت، 14 مارس"), ("ms", "Sab, 14 Mac")],
)
def test_day_is_weekday_and_date(locale: str, expected: str) -> None:
    assert localizer(locale).day(date(2026, 3, 14)) == expected


def test_day_of_a_moment_uses_the_event_zone() -> None:
    # 20:00 UTC on Friday is already 04:00 on Saturday in Kuala Lumpur.
    assert localizer("en").day(datetime(2026, 3, 13, 20, 0, tzinfo=UTC)) == "Sat, Mar 14"


def test_language_name_in_english() -> None:
    assert localizer("en").language_name("ur") == "Urdu"


def test_language_name_of_unknown_code_is_the_code() -> None:
    assert localizer("en").language_name("not a code") == "not a code"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Nour, Amina, and Tom"), ("ms", "Nour, Amina dan Tom"), ("ar", "Nour وAmina وTom")],
)
def test_join_gives_localized_list(locale: str, expected: str) -> None:
    assert strip_bidi(localizer(locale).join(["Nour", "Amina", "Tom"])) == expected


def test_join_isolates_and_escapes_each_item() -> None:
    assert localizer("en").join(["<a>", "b"]) == f"{FSI}&lt;a&gt;{PDI} and {FSI}b{PDI}"


def test_join_of_nothing_is_empty() -> None:
    assert localizer("en").join([]) == ""


def test_a_translation_with_a_broken_placeholder_falls_back_to_the_source_text() -> None:
    """A catalog mistake must never turn into an error for the user."""
    import io

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    catalog = Catalog(locale="ms")
    catalog.add("Hello, {name}!", "Helo, {nama}!")
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    l10n = Localizer("ms", Translations(buffer), "Asia/Kuala_Lumpur")

    assert strip_bidi(l10n._("Hello, {name}!", name="Amina")) == "Hello, Amina!"
