"""Splitting long lists into pages that fit Telegram's message and keyboard limits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

PAGE_SIZE = 8


@dataclass(frozen=True)
class Page(Generic[T_co]):
    items: tuple[T_co, ...]
    number: int  # 0-based, clamped into range
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


def paginate(items: Sequence[T], number: int, size: int = PAGE_SIZE) -> Page[T]:
    count = max(1, -(-len(items) // size))
    number = min(max(number, 0), count - 1)
    return Page(tuple(items[number * size : (number + 1) * size]), number, count)
