"""Long texts become messages Telegram accepts: each part within the limit after parsing,
valid HTML on its own, cut at a line break where one is near, nothing lost or repeated."""

from __future__ import annotations

import pytest

from bot.domain.message_split import (
    fit_utf16,
    shorten_html,
    split_html,
    utf16_len,
    visible_length,
)
from bot.sandbox.tg_html import parse_html


def plain(part: str) -> str:
    return parse_html(part)[0]  # the fake's parser: raises on anything Telegram refuses


def test_a_text_that_fits_is_one_part_unchanged() -> None:
    text = "<b>Day 1</b>\n09:00 Keynote &amp; welcome"
    assert split_html(text) == [text]


def test_a_long_list_is_split_at_line_boundaries() -> None:
    lines = [f"{i:05d} · <i>Session about &lt;things&gt;</i> in Hall A" for i in range(400)]
    text = "<b>Problems</b>\n" + "\n".join(lines)

    parts = split_html(text)

    assert len(parts) > 1
    assert all(utf16_len(plain(p)) <= 4096 for p in parts)
    assert "".join(plain(p) for p in parts) == plain(text)  # nothing lost, nothing twice
    assert all(plain(p).endswith("\n") for p in parts[:-1])  # whole lines only


def test_tags_open_across_a_cut_are_closed_and_opened_again_with_their_attributes() -> None:
    inner = "\n".join(f"line {i} of a quoted block" for i in range(600))
    text = f'<blockquote expandable><a href="https://example.org/?a=1&amp;b=2">{inner}</a></blockquote>'

    parts = split_html(text)

    assert len(parts) > 1
    for part in parts:
        assert part.startswith('<blockquote expandable><a href="https://example.org/?a=1&amp;b=2">')
        assert part.endswith("</a></blockquote>")
        plain(part)


def test_counting_is_in_utf16_units_after_parsing() -> None:
    emoji_line = "😀" * 100 + "\n"  # 201 units, 101 characters
    text = emoji_line * 30  # 6,030 units: 20 lines fit in a message

    parts = split_html(text)

    assert [utf16_len(plain(p)) for p in parts] == [4020, 2010]
    assert visible_length("<b>&amp;</b>") == 1


def test_a_line_longer_than_the_limit_is_cut_between_words_never_inside_an_entity() -> None:
    text = ("word &amp; " * 1000).strip()

    parts = split_html(text)

    assert len(parts) == 2
    assert all(utf16_len(plain(p)) <= 4096 for p in parts)
    assert plain(parts[0]).endswith(" ")
    assert "".join(plain(p) for p in parts) == plain(text)


def test_a_text_without_spaces_is_cut_between_characters() -> None:
    text = "<code>" + "x" * 9000 + "</code>"

    parts = split_html(text)

    assert [utf16_len(plain(p)) for p in parts] == [4096, 4096, 808]
    assert all(p.startswith("<code>") and p.endswith("</code>") for p in parts)


def test_a_caption_takes_the_first_1024_and_messages_the_rest() -> None:
    text = "\n".join(f"line {i:04d}" for i in range(1000))

    parts = split_html(text, first_limit=1024)

    assert utf16_len(plain(parts[0])) <= 1024
    assert all(utf16_len(plain(p)) <= 4096 for p in parts[1:])
    assert "".join(plain(p) for p in parts) == plain(text)


def test_no_part_is_only_whitespace() -> None:
    text = "a" * 4000 + "\n" * 200 + "b"
    assert all(plain(p).strip() for p in split_html(text))


@pytest.mark.parametrize("limit", [1, 2, 10, 200])
def test_a_toast_is_cut_to_its_limit_with_an_ellipsis(limit: int) -> None:
    toast = fit_utf16("🎉 Seat confirmed for the opening keynote " * 20, limit)
    assert utf16_len(toast) <= limit


def test_an_inline_text_is_shortened_to_one_valid_message() -> None:
    text = "<b>Title</b>\n" + "<i>abstract</i> words\n" * 1000

    short = shorten_html(text)

    assert utf16_len(plain(short)) <= 4096
    assert short.endswith("…")
