"""Text side of factor search: normalised terms, spelling variants, pinyin, and substring look-up.

Internal to :mod:`footprint_engine.factors.search`.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from itertools import pairwise

__all__ = [
    "SYNONYMS",
    "Pinyin",
    "PinyinRuns",
    "SortedKeys",
    "Substrings",
    "TokenGroup",
    "at_syllable",
    "gather",
    "is_cjk",
    "name_keys",
    "packed",
    "pinyin_term",
    "terms",
    "variants",
]

#: English spelling variants searched for each other (both directions), and one spelling for exact-name matches.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("aluminium", "aluminum"),
    ("sulphur", "sulfur"),
    ("sulphuric", "sulfuric"),
    ("fibre", "fiber"),
    ("tyre", "tire"),
    ("litre", "liter"),
    ("grey", "gray"),
    ("colour", "color"),
    ("caesium", "cesium"),
)

#: Names practitioners use for the same product, searched for each other but not merged for exact-name ranking
#: (电解铝 is primary aluminium, which CPCD also lists as 原铝: each name still ranks its own rows first).
SAME_PRODUCT: tuple[tuple[str, ...], ...] = (("电解铝", "原铝"),)

_CANON = {word: group[0] for group in SYNONYMS for word in group}
_ALTERNATIVES = {word: group for group in (*SYNONYMS, *SAME_PRODUCT) for word in group}
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK unified ideographs, extension A, compatibility
_CJK = re.compile(f"[{_HAN}]+")
_HAN_CHAR = re.compile(f"[{_HAN}]")
_TERM = re.compile(f"[{_HAN}]+|[^\\W_{_HAN}]+")
# Tone marks off, 'ü' as 'v' (the way pinyin is typed): lǜ → lv.
_TONELESS = str.maketrans(
    {
        **{c: "v" for c in "üǖǘǚǜ"},
        **{c: unicodedata.normalize("NFD", c)[0] for c in "āáǎàēéěèêīíǐìōóǒòūúǔùńňǹḿ"},
    }
)


def terms(text: str) -> list[str]:
    """Normalised terms of ``text`` (NFKC, case-folded): letter/digit runs, Chinese runs split from Latin ones."""
    return _TERM.findall(unicodedata.normalize("NFKC", text).casefold())


def is_cjk(term: str) -> bool:
    return _CJK.fullmatch(term) is not None


def variants(term: str) -> tuple[str, ...]:
    """The term, its spelling variants, and its singular (a trailing plural 's' dropped)."""
    out = list(_ALTERNATIVES.get(term, (term,)))
    if len(term) >= 4 and term.isascii() and term.isalpha():
        if term.endswith("ies"):
            out.append(term[:-3] + "y")
        elif term.endswith("s") and not term.endswith(("ss", "us", "is")):
            out.append(term[:-1])
    return tuple(dict.fromkeys(out))


def name_keys(name_terms: list[str]) -> tuple[str, str]:
    """(spaced, compact) comparison keys of a name or query: canonical spellings, joined."""
    canon = [_CANON.get(t, t) for t in name_terms]
    return " ".join(canon), "".join(canon)


def pinyin_term(term: str) -> str | None:
    """The term as pinyin to look for ('ü' typed as 'v'), or None when it cannot be pinyin (< 2 letters)."""
    py = term.replace("ü", "v")
    return py if len(py) >= 2 and py.isascii() and py.isalpha() else None


def at_syllable(full: str, starts: frozenset[int], term: str) -> bool:
    """Whether ``term`` occurs in ``full`` starting at a syllable boundary."""
    i = full.find(term)
    while i != -1:
        if i in starts:
            return True
        i = full.find(term, i + 1)
    return False


class Pinyin:
    """Pinyin of Chinese runs, as ``pypinyin.lazy_pinyin`` gives it (its phrase dictionary decides readings).

    A run is cut into words by pypinyin's own segmenter (the one lazy_pinyin uses) and each word converted once,
    so 10,000 names sharing words cost the words, not the names. pypinyin is imported on first use.
    """

    def __init__(self) -> None:
        from pypinyin import Style, lazy_pinyin
        from pypinyin.seg.mmseg import seg

        self._cut: Callable[[str], Iterable[str]] = seg.cut
        self._convert: Callable[[str], list[str]] = lambda word: lazy_pinyin(word, style=Style.TONE)
        self._words: dict[str, list[str]] = {}
        self._cache: dict[str, tuple[str, frozenset[int], str]] = {}

    def syllables(self, run: str) -> list[str]:
        """Toneless syllables of ``run`` ('ü' as 'v')."""
        out: list[str] = []
        for word in self._cut(run):
            got = self._words.get(word)
            if got is None:
                got = self._words[word] = [_toneless(s) for s in self._convert(word) if s]
            out += got
        return out

    def of(self, run: str) -> tuple[str, frozenset[int], str]:
        """(full pinyin, offsets where a syllable starts, initials) of a run of Chinese characters."""
        got = self._cache.get(run)
        if got is None:
            syllables = self.syllables(run)
            starts, pos = [], 0
            for s in syllables:
                starts.append(pos)
                pos += len(s)
            got = ("".join(syllables), frozenset(starts), "".join(s[0] for s in syllables))
            self._cache[run] = got
        return got


def _toneless(syllable: str) -> str:
    s = syllable.translate(_TONELESS)
    if s.isascii():
        return s
    return "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))


def _grams(s: str) -> set[str]:
    """The look-up keys of a string: each Chinese character, and each pair of adjacent other characters.

    Every key of a substring is a key of the string, so the strings holding all keys of a term are a superset of
    those containing it. Chinese characters alone (not pairs) keep the index small; they are selective enough.
    """
    if s.isascii():
        return set(map(str.__add__, s, s[1:]))
    han = set(_HAN_CHAR.findall(s))
    return han.union(a + b for a, b in pairwise(s) if a not in han and b not in han)


class Substrings:
    """Distinct strings with an index of their :func:`_grams`: which strings contain a term."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.ids: dict[str, int] = {}
        self._grams: dict[str, set[int]] = {}

    def add(self, s: str) -> int:
        i = self.ids.get(s)
        if i is None:
            i = self.ids[s] = len(self.strings)
            self.strings.append(s)
            index = self._grams
            for g in _grams(s):
                posting = index.get(g)
                if posting is None:
                    index[g] = {i}
                else:
                    posting.add(i)
        return i

    def containing(self, term: str) -> Iterator[int]:
        strings = self.strings
        keys = _grams(term)
        if not keys:  # one letter or digit: every string is a candidate
            return (i for i, s in enumerate(strings) if term in s)
        postings = []
        for g in keys:
            p = self._grams.get(g)
            if p is None:
                return iter(())
            postings.append(p)
        postings.sort(key=len)
        if len(term) == 1:  # one Chinese character: its posting is the answer
            return iter(postings[0])
        candidates = postings[0].intersection(*postings[1:4])
        return (i for i in candidates if term in strings[i])


class TokenGroup:
    """Field values → their tokens → documents, for one group of fields (names, or the other fields).

    A value shared by many documents (a publisher, a category) is tokenised once; :meth:`freeze` then turns
    token → values → documents into token → documents, so a look-up is one set union per matching token.
    """

    def __init__(self) -> None:
        self.tokens = Substrings()
        self._token_values: list[list[int]] = []
        self._values: dict[str, int] = {}
        self._value_docs: list[set[int]] = []
        self._token_docs: list[set[int]] = []
        self._char_docs: dict[str, tuple[array[int], array[int]]] = {}

    def add(self, value: str, doc: int, tokens: Iterable[str] | None = None) -> None:
        """Index ``doc`` under ``value``, whose tokens are ``tokens`` (default: its space-separated words)."""
        v = self._values.get(value)
        if v is not None:
            self._value_docs[v].add(doc)
            return
        v = self._values[value] = len(self._value_docs)
        self._value_docs.append({doc})
        known, token_values = self.tokens.ids, self._token_values
        for t in set(value.split() if tokens is None else tokens):
            i = known.get(t)
            if i is None:
                i = self.tokens.add(t)
                token_values.append([])
            token_values[i].append(v)

    def freeze(self) -> None:
        value_docs = self._value_docs
        # a token of one value shares that value's set (never written after this): no copy
        self._token_docs = docs = [
            value_docs[values[0]] if len(values) == 1 else set().union(*map(value_docs.__getitem__, values))
            for values in self._token_values
        ]
        self._token_values, self._values, self._value_docs = [], {}, []
        # one letter or digit is in most tokens: its documents (and those of tokens starting with it) gathered once
        holding: dict[str, list[int]] = {}
        for i, token in enumerate(self.tokens.strings):
            for c in set(token) if token.isascii() else ():
                holding.setdefault(c, []).append(i)
        strings = self.tokens.strings
        self._char_docs = {
            c: (
                packed(set().union(*(docs[i] for i in ids if strings[i][0] == c))),
                packed(set().union(*map(docs.__getitem__, ids))),
            )
            for c, ids in holding.items()
        }

    def postings(self, term: str) -> Iterator[tuple[set[int], bool]]:
        """(documents, whether the token starts with ``term``) of every token containing ``term``."""
        if len(term) == 1 and term.isascii():
            starting, containing = self._char_docs.get(term, (_NONE, _NONE))
            return iter(((set(starting), True), (set(containing), False)))
        strings, docs = self.tokens.strings, self._token_docs
        return ((docs[i], strings[i].startswith(term)) for i in self.tokens.containing(term))


_NONE: array[int] = array("I")


def packed(docs: set[int]) -> array[int]:
    """A large, rarely used document set kept as an array (4 bytes a document, a tenth of a set's size)."""
    return array("I", sorted(docs))


def gather(postings: list[set[int]], within: set[int] | None) -> set[int]:
    """The union of ``postings``, restricted to ``within`` (None: everything), whichever way is cheaper."""
    if within is None:
        return set().union(*postings)
    if len(postings) * len(within) < sum(map(len, postings)):
        return set().union(*(within & p for p in postings))
    return within.intersection(set().union(*postings))


class SortedKeys:
    """Keys with a document each, sorted by key: the documents of a key, or of every key with a prefix."""

    def __init__(self, keys: list[str], docs: list[int]) -> None:
        order = sorted(range(len(keys)), key=keys.__getitem__)
        self.keys = [keys[i] for i in order]
        self.docs = [docs[i] for i in order]

    def exact(self, key: str) -> list[int]:
        return self.docs[bisect_left(self.keys, key) : bisect_right(self.keys, key)]

    def prefixed(self, prefix: str) -> list[int]:
        lo = bisect_left(self.keys, prefix)
        return self.docs[lo : bisect_left(self.keys, prefix + "\U0010ffff", lo)]


class PinyinRuns:
    """Chinese runs of names → documents, found by pinyin typed from a syllable boundary or by initials.

    Every suffix of a run's pinyin that starts a syllable ("dianjielv", "jielv", "lv") and every suffix of its
    initials ("djl", "jl") is a sorted key, so "typed from a syllable boundary" is a prefix range. Short terms
    match thousands of runs; their documents are gathered once, at :meth:`freeze`, for every prefix of up to
    :data:`SHORT` letters.
    """

    SHORT = 2

    def __init__(self) -> None:
        self._runs: dict[str, int] = {}
        self._run_docs: list[set[int]] = []
        self._suffixes: list[str] = []
        self._suffix_runs: list[int] = []
        self._keys = SortedKeys([], [])
        self._short: dict[str, array[int]] = {}

    def add(self, run: str, pinyin: tuple[str, frozenset[int], str], doc: int) -> None:
        r = self._runs.get(run)
        if r is not None:
            self._run_docs[r].add(doc)
            return
        r = self._runs[run] = len(self._run_docs)
        self._run_docs.append({doc})
        full, starts, initials = pinyin
        suffixes = [full[i:] for i in starts] + [initials[i:] for i in range(len(initials))]
        self._suffixes += suffixes
        self._suffix_runs += [r] * len(suffixes)

    def freeze(self) -> None:
        self._keys = keys = SortedKeys(self._suffixes, self._suffix_runs)
        self._suffixes, self._suffix_runs = [], []
        run_docs = self._run_docs
        for n in range(2, self.SHORT + 1):
            for prefix in {k[:n] for k in keys.keys if len(k) >= n}:
                runs = set(keys.prefixed(prefix))
                self._short[prefix] = packed(set().union(*map(run_docs.__getitem__, runs)))

    def postings(self, term: str) -> list[set[int]]:
        if len(term) <= self.SHORT:
            found = self._short.get(term)
            return [set(found)] if found else []
        return [self._run_docs[r] for r in set(self._keys.prefixed(term))]
