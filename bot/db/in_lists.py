"""Long lists of ids cut into `IN (...)` lists a statement can take."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

IN_LIST = 5000  # ids per IN (...) list: SQLite allows 32,766 parameters a statement


def in_lists(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """`items` in consecutive slices of at most IN_LIST."""
    for start in range(0, len(items), IN_LIST):
        yield items[start : start + IN_LIST]
