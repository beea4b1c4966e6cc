"""Text rules shared by search and input handling, for all four scripts."""

from __future__ import annotations

import re
import unicodedata

# Arabic-script marks that change nothing for matching: harakat, Quranic marks, tatweel,
# superscript alef. Urdu-specific letters are folded to their Arabic look-alikes so that a
# query typed on an Arabic keyboard finds Urdu titles and the other way round.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ے": "ي",
        "ۓ": "ي",
        "ة": "ه",
        "ۃ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "ک": "ك",
        "ؤ": "و",
        "ئ": "ي",
    }
)
_WORD = re.compile(r"\w+", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

MAX_QUERY_WORDS = 8
MIN_WORD_LENGTH = 2


def normalize(text: str) -> str:
    """Casefold, strip Latin accents and Arabic marks, fold look-alike letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = _ARABIC_MARKS.sub("", without_accents).translate(_FOLD)
    return unicodedata.normalize("NFC", folded)


def search_words(query: str) -> list[str]:
    """The normalized words of a query worth matching, longest first, at most a handful."""
    words = {w for w in _WORD.findall(normalize(query)) if len(w) >= MIN_WORD_LENGTH}
    return sorted(words, key=lambda w: (-len(w), w))[:MAX_QUERY_WORDS]


def name_key(text: str) -> str:
    """A name as it is compared across imports and languages: case, accents, Arabic marks,
    look-alike letters and punctuation do not count ("Al-Khatib" is "al khatib")."""
    return " ".join(re.findall(r"\w+", normalize(text)))


def search_document(*parts: str) -> str:
    """The text a record is found by: its normalized words, space-separated, padded."""
    words = _WORD.findall(normalize(" ".join(parts)))
    return " " + " ".join(dict.fromkeys(words)) + " "


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary within `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if text[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]  # the last word would be cut: drop it whole
    return head.rstrip(" ,;:-") + "…"


# Urdu's alphabetical order differs from Unicode's: its own letters (ٹ ڈ ڑ ک گ ں ہ ھ ی ے) sit
# among the Arabic ones, and ہ comes after و. Arabic's code point order is already alphabetical.
_URDU_ORDER = "آاأبپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوؤہھءیئے"
_URDU_RANK = {letter: rank for rank, letter in enumerate(_URDU_ORDER)}
_URDU_RANK.update({"ك": _URDU_RANK["ک"], "ه": _URDU_RANK["ہ"], "ي": _URDU_RANK["ی"]})


def sort_key(text: str, locale: str) -> tuple[int, ...]:
    """A key that orders names alphabetically for readers of `locale`."""
    folded = text.casefold()
    if locale != "ur":
        return tuple(ord(c) for c in folded)
    return tuple(_URDU_RANK.get(c, 0x10000 + ord(c)) for c in folded)
