"""Broadcast rules without a database: Telegram's formatting, lengths as Telegram counts
them, the times organizers type, the stored draft and the delivery figures."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.attachments import Attachment
from bot.domain.broadcast_views import Figures
from bot.domain.broadcasts import (
    Audience,
    AudienceKind,
    Draft,
    InvalidInput,
    Problem,
    check_text,
    versions_fit,
)
from bot.domain.send_times import parse_send_time
from bot.domain.telegram_html import Flaw, InvalidFormatting, clean_html

KL = ZoneInfo("Asia/Kuala_Lumpur")
NOW = datetime(2026, 3, 14, 10, 15, tzinfo=KL)  # Saturday, day 1


# --- formatting ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ptb_html", "stored"),
    [
        ("<b>Bold</b> &amp; <i>it</i>", "<b>Bold</b> &amp; <i>it</i>"),
        ("<u>u</u><s>s</s><code>c</code>", "<u>u</u><s>s</s><code>c</code>"),
        ('<span class="tg-spoiler">secret</span>', "<tg-spoiler>secret</tg-spoiler>"),
        (
            '<pre><code class="python">x = 1</code></pre>',
            '<pre><code class="language-python">x = 1</code></pre>',
        ),
        ("<blockquote expandable>q</blockquote>", "<blockquote expandable>q</blockquote>"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> yes', "👍 yes"),
        (
            '<a href="https://x.org/?a=1&b=2">link</a>',
            '<a href="https://x.org/?a=1&amp;b=2">link</a>',
        ),
        ("1 &lt; 2 &gt; 0", "1 &lt; 2 &gt; 0"),
    ],
)
def test_ptb_html_is_kept_in_telegrams_own_spelling(ptb_html: str, stored: str) -> None:
    assert clean_html(ptb_html).html == stored


@pytest.mark.parametrize(
    ("source", "flaw"),
    [
        ("<script>x</script>", Flaw.TAG),
        ("<b>open", Flaw.NESTING),
        ("<b><i>x</b></i>", Flaw.NESTING),
        ('<a href="javascript:alert(1)">x</a>', Flaw.LINK),
        ("line<br/>break", Flaw.TAG),
    ],
)
def test_anything_telegram_would_refuse_is_refused_here(source: str, flaw: Flaw) -> None:
    with pytest.raises(InvalidFormatting) as refused:
        clean_html(source)
    assert refused.value.flaw is flaw


def test_lengths_count_visible_utf16_units_and_the_marks_rtl_lines_get() -> None:
    emoji = "😀" * 2048  # 4096 UTF-16 units, 2048 code points
    assert check_text(emoji, "en", 4096) == emoji
    with pytest.raises(InvalidInput) as too_long:
        check_text(emoji + "x", "en", 4096)
    assert (too_long.value.problem, too_long.value.limit) == (Problem.TOO_LONG, 4096)
    assert check_text("<b>" + "x" * 1024 + "</b>", "en", 1024)  # tags are not counted
    assert check_text("x" * 1023, "ar", 1024)  # with the mark its line gets: 1024
    with pytest.raises(InvalidInput):
        check_text("x" * 1024, "ar", 1024)  # fits in English, not with the mark


def test_an_empty_text_is_refused_unless_it_is_a_caption() -> None:
    with pytest.raises(InvalidInput) as empty:
        check_text("  \n ", "en", 4096)
    assert empty.value.problem is Problem.EMPTY
    assert check_text("", "en", 1024, may_be_empty=True) == ""


def test_versions_must_fit_a_caption_once_a_photo_is_added() -> None:
    draft = Draft("t", "en", texts={"en": "short", "ms": "x" * 1500})
    assert not versions_fit(draft, 1024)
    assert versions_fit(Draft("t", "en", texts={"en": "x" * 1500, "ms": "ok"}), 1024)


# --- sending times ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("14:30", datetime(2026, 3, 14, 14, 30, tzinfo=KL)),
        (" 9:05 ", datetime(2026, 3, 15, 9, 5, tzinfo=KL)),  # already past today: tomorrow
        ("10:15", datetime(2026, 3, 15, 10, 15, tzinfo=KL)),  # now is not in the future
        ("2026-03-15 09:00", datetime(2026, 3, 15, 9, 0, tzinfo=KL)),
        ("2026-03-15T09:00", datetime(2026, 3, 15, 9, 0, tzinfo=KL)),
        ("١٤:٣٠", datetime(2026, 3, 14, 14, 30, tzinfo=KL)),  # Arabic-Indic digits
        ("۲۰۲۶-۰۳-۱۶ ۰۸:۰۰", datetime(2026, 3, 16, 8, 0, tzinfo=KL)),  # Urdu (extended) digits
    ],
)
def test_typed_times_are_local_to_the_event(typed: str, local: datetime) -> None:
    assert parse_send_time(typed, NOW, KL) == local.astimezone(UTC)


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("2026-03-14 09:00", Problem.TIME_PAST),
        ("2026-03-14 10:15", Problem.TIME_PAST),
        ("25:00", Problem.TIME_FORMAT),
        ("2026-02-30 10:00", Problem.TIME_FORMAT),
        ("tomorrow", Problem.TIME_FORMAT),
        ("14h30", Problem.TIME_FORMAT),
    ],
)
def test_unreadable_or_past_times_are_refused(typed: str, problem: Problem) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_send_time(typed, NOW, KL)
    assert refused.value.problem is problem


# --- the stored draft and the figures ----------------------------------------------------------
def test_a_draft_round_trips_through_json() -> None:
    draft = Draft(
        token="abc",
        default_locale="ar",
        audience=Audience(AudienceKind.SESSION, "12"),
        texts={"ar": "<b>مرحبا</b>", "en": "Hello"},
        attachment=Attachment("photo", "FILE-1"),
        pending="ms",
        send_at=datetime(2026, 3, 14, 6, 30, tzinfo=UTC),
    )

    assert Draft.from_json(draft.to_json()) == draft
    assert draft.versions() == ("en",)
    assert Draft.from_json({"token": "x", "default": "fr"}) is None  # not one of ours
    assert Draft.from_json({"default": "en"}) is None


def test_figures_sort_outbox_states_and_unreachable_skips() -> None:
    figures = Figures.of(
        [
            ("sent", False, 90),
            ("pending", False, 4),
            ("sending", False, 2),
            ("failed", False, 1),
            ("skipped", True, 3),
            ("skipped", False, 1),
            ("cancelled", False, 5),
        ]
    )

    assert figures == Figures(sent=90, pending=6, failed=1, unreachable=3, skipped=1, cancelled=5)
