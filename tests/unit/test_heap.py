"""After startup the garbage collector's full passes leave the startup objects alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bot import heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting as before


class Loaded:
    """Stands for what startup loads: tracked by the collector, kept for good."""


def test_objects_loaded_at_startup_are_left_out_of_later_collections(unfrozen: None) -> None:
    kept = Loaded()
    assert any(o is kept for o in gc.get_objects())

    frozen = heap.freeze_startup_objects()

    assert frozen > 0
    assert not any(o is kept for o in gc.get_objects())  # what a full pass walks
    later = Loaded()
    assert any(o is later for o in gc.get_objects())
