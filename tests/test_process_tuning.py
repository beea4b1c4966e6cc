"""A serving process: full garbage collections leave startup objects alone; threads take
short turns at the GIL."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator

import pytest

from bot import process_tuning


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting as before


class Loaded:
    """Stands for what startup loads: tracked by the collector, kept for good."""


def test_objects_loaded_at_startup_are_left_out_of_later_collections(unfrozen: None) -> None:
    kept = Loaded()
    assert any(o is kept for o in gc.get_objects())

    frozen = process_tuning.freeze_startup_objects()

    assert frozen > 0
    assert not any(o is kept for o in gc.get_objects())  # what a full pass walks
    later = Loaded()
    assert any(o is later for o in gc.get_objects())


def test_a_serving_process_takes_short_turns_at_the_gil(unfrozen: None) -> None:
    default = sys.getswitchinterval()
    try:
        process_tuning.tune_for_serving()
        assert sys.getswitchinterval() == pytest.approx(process_tuning.GIL_SWITCH_INTERVAL)
        assert gc.get_freeze_count() > 0
    finally:
        sys.setswitchinterval(default)
