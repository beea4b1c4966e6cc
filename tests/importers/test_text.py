"""The conversions all importers share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.programme import SessionKind
from bot.importers.text import (
    content_key,
    html_to_text,
    language_code,
    parse_duration,
    session_kind,
    slugify,
)


def test_html_to_text_keeps_paragraphs_and_lists() -> None:
    html = "<p>One &amp; <b>two</b></p>\n<ul><li>a</li><li>b</li></ul><script>x()</script>end"
    assert html_to_text(html) == "One & two\n\n• a\n• b\n\nend"


def test_plain_text_is_only_tidied() -> None:
    assert html_to_text("a < b\r\nnext  \n\n\n\nlast") == "a < b\nnext\n\nlast"
    assert html_to_text(None) == ""


def test_slugs_are_stable_and_keep_other_scripts() -> None:
    assert slugify("Université Libre — Room 5!") == "universite-libre-room-5"
    assert slugify("Aisha Rahman") == slugify("  aisha  RAHMAN ")
    assert slugify("حمزہ علی") == "حمزہ-علی"
    assert slugify("???") == slugify("???") and slugify("???").startswith("x-")


def test_content_key_is_title_and_start() -> None:
    starts = datetime(2026, 3, 14, 9, 5, tzinfo=UTC)
    assert content_key("Hello, World", starts) == "hello-world-20260314T0905"


@pytest.mark.parametrize(
    ("text", "minutes"), [("00:40", 40), ("1:30", 90), ("01:30:00", 90), ("24:00", 1440)]
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["45", "1h", "00:75", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="is not HH:MM"):
        parse_duration(text)


def test_kinds_and_languages() -> None:
    assert session_kind("Workshop 60 Min") is SessionKind.WORKSHOP
    assert session_kind("Keynote") is SessionKind.KEYNOTE
    assert session_kind("Podium discussion") is SessionKind.PANEL
    assert session_kind("maintrack") is SessionKind.TALK
    assert (language_code("de-DE"), language_code(None), language_code("German")) == (
        "de",
        "en",
        "en",
    )
