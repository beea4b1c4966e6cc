"""Choosing the reader's translation of a record, falling back to the original text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class HasLocale(Protocol):
    @property
    def locale(self) -> str: ...


T = TypeVar("T", bound=HasLocale)


def pick(translations: Iterable[T], locale: str) -> T | None:
    for translation in translations:
        if translation.locale == locale:
            return translation
    return None
