"""Button callback data that never trusts its input, Back targets, and list paging."""

from __future__ import annotations

import pytest

from bot.domain.paging import Page, paginate
from bot.presentation.callbacks import (
    MAX_BYTES,
    ORIGIN_NOW,
    ORIGIN_SEARCH,
    Callback,
    back_target,
    cb,
    decode,
    origin_day,
    origin_room,
    origin_speaker,
)

# --- encode / decode -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "callback",
    [
        Callback("days"),
        Callback("day", ("2", "1")),
        Callback("ses", ("41", "d0.2")),
        Callback("spks", ("3",)),
        Callback("spk", ("17",)),
        Callback("room", ("5", "1")),
        Callback("lang", ("ur",)),
        Callback("now"),
    ],
)
def test_callback_encode_then_decode_round_trips(callback: Callback) -> None:
    assert decode(callback.encode()) == callback


def test_cb_builds_colon_separated_data() -> None:
    assert cb("ses", 41, origin_room(5, 1)) == "ses:41:r5.1"


def test_decode_gives_verb_and_integer_args() -> None:
    callback = decode("day:2:1")

    assert callback == Callback("day", ("2", "1"))
    assert (callback.int_arg(0), callback.int_arg(1)) == (2, 1)


@pytest.mark.parametrize("data", [None, ""])
def test_decode_rejects_missing_data(data: str | None) -> None:
    assert decode(data) is None


def test_decode_rejects_unknown_verb() -> None:
    assert decode("zap:1") is None


@pytest.mark.parametrize("data", ["day:1", "days:1", "spk", "ses:1:d0.0:x", "now:"])
def test_decode_rejects_wrong_number_of_args(data: str) -> None:
    assert decode(data) is None


def test_decode_rejects_data_over_64_bytes() -> None:
    data = "day:1:" + "0" * 60

    assert len(data.encode()) > MAX_BYTES
    assert decode(data) is None


@pytest.mark.parametrize("data", ["day:1:<script>", "lang:u r", "spk:١٢", "room:1:2;3"])
def test_decode_rejects_odd_characters(data: str) -> None:
    assert decode(data) is None


@pytest.mark.parametrize("data", ["day:1:2:", "spk::7", "lang:en:"])
def test_decode_rejects_extra_colons(data: str) -> None:
    assert decode(data) is None


def test_cb_raises_for_data_over_64_bytes() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        cb("ses", "x" * 70, "d0.0")


# --- back_target -----------------------------------------------------------------------------


def test_back_target_from_day_returns_to_that_day_page() -> None:
    assert back_target(origin_day(2, 3), fallback_day=0) == "day:2:3"


def test_back_target_from_speaker_returns_to_speaker() -> None:
    assert back_target(origin_speaker(17), fallback_day=0) == "spk:17"


def test_back_target_from_room_returns_to_room_day() -> None:
    assert back_target(origin_room(5, 1), fallback_day=0) == "room:5:1"


def test_back_target_from_now_returns_to_now() -> None:
    assert back_target(ORIGIN_NOW, fallback_day=0) == "now"


def test_back_target_from_search_falls_back_to_the_day() -> None:
    assert back_target(ORIGIN_SEARCH, fallback_day=2) == "day:2:0"


@pytest.mark.parametrize("origin", ["", "garbage", "d1", "s", "r1", "d1.2x", "nn"])
def test_back_target_garbage_origin_falls_back_to_the_day(origin: str) -> None:
    assert back_target(origin, fallback_day=1) == "day:1:0"


# --- paging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("items", "pages"), [(0, 1), (1, 1), (8, 1), (9, 2), (16, 2), (17, 3)])
def test_paginate_page_count(items: int, pages: int) -> None:
    assert paginate(list(range(items)), 0, size=8).count == pages


def test_paginate_second_page_holds_the_rest() -> None:
    assert paginate(list(range(9)), 1, size=8) == Page(items=(8,), number=1, count=2)


def test_paginate_clamps_negative_page_to_first() -> None:
    page = paginate(list(range(9)), -3, size=8)

    assert (page.number, page.items) == (0, tuple(range(8)))


def test_paginate_clamps_page_past_the_end_to_last() -> None:
    page = paginate(list(range(9)), 99, size=8)

    assert (page.number, page.items) == (1, (8,))


def test_paginate_empty_list_is_one_empty_page() -> None:
    assert paginate([], 5, size=8) == Page(items=(), number=0, count=1)


def test_paginate_neighbours_on_middle_page() -> None:
    page = paginate(list(range(20)), 1, size=8)

    assert (page.has_previous, page.has_next) == (True, True)


def test_paginate_single_page_has_no_neighbours() -> None:
    page = paginate(list(range(3)), 0, size=8)

    assert (page.has_previous, page.has_next) == (False, False)
