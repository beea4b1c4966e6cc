"""An organizer reads why a file cannot be imported in their own language, without docs paths."""

from __future__ import annotations

import pytest

from bot.i18n import Catalogs, Localizer
from bot.importers import ProgrammeFormatError, parse_programme
from bot.presentation.imports import format_error
from tests.conftest import ADMIN
from tests.harness import BotHarness, text_of

BROKEN = b"day,start,end,title,colour\n2026-03-14,11:00,10:00,Opening,red\n"


async def _send_broken(desk: BotHarness, lang: str) -> str:
    organizer = desk.user(ADMIN, "Admin", lang=lang)
    update = await desk.fake.send_document(organizer, "broken.csv", BROKEN, "text/csv")
    await desk.processed(update["update_id"])
    return text_of(desk.fake.last_message(organizer.id))


async def test_an_organizer_reads_the_problems_of_a_broken_csv_in_english(
    desk: BotHarness,
) -> None:
    text = await _send_broken(desk, "en")

    assert text.startswith("⚠️ This file cannot be imported. Nothing was changed.")
    assert "broken.csv: 2 problems" in text
    assert "line 1: unknown column 'colour'" in text
    assert "line 2: end 10:00 is not after start 11:00" in text
    assert "docs/" not in text
    assert "The template's columns: key, day, start, end, title" in text


async def test_an_organizer_reads_the_problems_of_a_broken_csv_in_arabic(
    desk: BotHarness,
) -> None:
    text = await _send_broken(desk, "ar")

    assert "unknown column" not in text and "is not after" not in text
    assert "broken.csv: مشكلتان" in text
    assert "السطر 1: عمود غير معروف" in text
    assert "السطر 2: النهاية 10:00 ليست بعد البداية 11:00" in text
    assert "docs/" not in text


@pytest.mark.parametrize("lang", ["ar", "ms", "ur"])
def test_every_problem_of_a_broken_csv_is_translated(lang: str) -> None:
    catalogs = Catalogs()
    english = Localizer("en", catalogs.get("en"), "UTC")
    other = Localizer(lang, catalogs.get(lang), "UTC")
    with pytest.raises(ProgrammeFormatError) as caught:
        parse_programme("broken.csv", BROKEN, timezone="UTC")

    shown = format_error(other, caught.value).text.splitlines()
    source = format_error(english, caught.value).text.splitlines()

    assert len(shown) == len(source)
    assert all(a != b for a, b in zip(shown, source, strict=True))
