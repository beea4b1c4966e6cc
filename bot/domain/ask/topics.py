"""Ranking sessions by topic words, across titles, abstracts, speakers and tracks in all four
languages.

Words match as words, never as substrings ("AI" is not found in "Malaysia"). A word longer
than three letters also matches through its stems: Snowball's English and Indonesian
stemmers for Latin script (Indonesian stemming fits Malay affixes: "kewartawanan" and
"wartawan" meet), Snowball's Arabic stemmer plus the article rule for Arabic script. A word
found nowhere is looked up with rapidfuzz among the programme's words (typos). Scores weigh
rare words more (idf) and titles over abstracts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import fuzz, process

from bot.domain.ask.tokens import is_arabic_script, strip_article, words_of

MIN_STEM_LENGTH = 4
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 84.0
# A session must hold this share of the question's topic (by word rarity) to be listed.
MIN_COVERAGE = 0.6
# ... and score at least this share of the best match (a title beats a passing mention).
MIN_RELATIVE = 0.4
LONG_LIST = 8
MEMO_SIZE = 4096  # words whose matches are remembered (forgotten all at once when full)

_ENGLISH = snowballstemmer.stemmer("english")
_INDONESIAN = snowballstemmer.stemmer("indonesian")
_ARABIC = snowballstemmer.stemmer("arabic")


@lru_cache(maxsize=200_000)
def keys_of(word: str) -> frozenset[str]:
    """The forms a word is indexed and looked up under."""
    if len(word) < MIN_STEM_LENGTH or word.isdigit():
        return frozenset({word})
    keys = {word}
    if is_arabic_script(word):
        bare = strip_article(word)
        keys.add(bare)
        keys.add(_ARABIC.stemWord(word))
        keys.add(_ARABIC.stemWord(bare))
    else:
        keys.add(_ENGLISH.stemWord(word))
        once = _INDONESIAN.stemWord(word)
        keys.add(once)
        keys.add(_INDONESIAN.stemWord(once))
    return frozenset(k for k in keys if len(k) >= 3 or k == word)


@dataclass(frozen=True)
class Document:
    id: int
    fields: tuple[tuple[str, float], ...]  # (text, weight): titles 3, speakers and track 2, ...
    content: int = 0  # how many leading fields are the session's own text (titles, abstracts)


@dataclass(frozen=True)
class TopicMatch:
    scores: dict[int, float]  # document id -> score, for those that qualify
    known: tuple[str, ...]  # the question's topic words the programme has
    unknown: tuple[str, ...]  # and those it has nowhere


class TopicIndex:
    def __init__(self, documents: Iterable[Document]) -> None:
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        words: set[str] = set()
        content: dict[str, int] = defaultdict(int)
        count = 0
        for document in documents:
            count += 1
            own: set[str] = set()
            for position, (text, weight) in enumerate(document.fields):
                for word in words_of(text):
                    words.add(word)
                    if position < document.content:
                        own.add(word)
                    for key in keys_of(word):
                        if postings[key].get(document.id, 0.0) < weight:
                            postings[key][document.id] = weight
            for word in own:
                content[word] += 1
        self._content = dict(content)
        self._postings = dict(postings)
        self._count = max(count, 1)
        self._vocabulary = sorted(w for w in words if len(w) >= FUZZY_MIN_LENGTH)
        self._memo: dict[str, dict[int, float]] = {}

    def in_content(self, word: str) -> int:
        """In how many sessions' titles or abstracts the word occurs (names and tracks aside)."""
        return self._content.get(word, 0)

    def knows(self, word: str) -> bool:
        """Whether the programme has the word, as it is, through a stem or with a typo."""
        return bool(self._hits(word))

    def _hits(self, word: str) -> dict[int, float]:
        """Sessions holding the word (as it is, through a stem, or with a typo), by field
        weight. Remembered: a question asks `knows` and then `search` for the same words."""
        found = self._memo.get(word)
        if found is not None:
            return found
        hits: dict[int, float] = {}
        for key in keys_of(word):
            self._merge(hits, key)
        if not hits and len(word) >= FUZZY_MIN_LENGTH and not word.isdigit():
            for near, _, _ in process.extract(
                word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=3
            ):
                for key in keys_of(near):
                    self._merge(hits, key)
        if len(self._memo) >= MEMO_SIZE:
            self._memo.clear()
        self._memo[word] = hits
        return hits

    def _merge(self, hits: dict[int, float], key: str) -> None:
        for document, weight in self._postings.get(key, {}).items():
            if hits.get(document, 0.0) < weight:
                hits[document] = weight

    def search(self, words: Sequence[str]) -> TopicMatch:
        per_word = {word: self._hits(word) for word in dict.fromkeys(words)}
        known = tuple(w for w, hits in per_word.items() if hits)
        unknown = tuple(w for w, hits in per_word.items() if not hits)
        rarity = {w: math.log(1 + self._count / len(per_word[w])) for w in known}
        total = sum(rarity.values())
        scores: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        for word in known:
            for document, weight in per_word[word].items():
                scores[document] += rarity[word] * weight
                covered[document] += rarity[word]
        # every word where some sessions have them all; else most of them (by rarity)
        needed = (
            total - 1e-9
            if any(c >= total - 1e-9 for c in covered.values())
            else total * MIN_COVERAGE
        )
        kept = {d: score for d, score in scores.items() if total and covered[d] >= needed}
        best = max(kept.values(), default=0.0)
        # one word: all its mentions, unless they are many and some are in titles
        floor = best * MIN_RELATIVE if len(known) > 1 or len(kept) > LONG_LIST else 0.0
        qualifying = {d: score for d, score in kept.items() if score >= floor}
        return TopicMatch(qualifying, known, unknown)
