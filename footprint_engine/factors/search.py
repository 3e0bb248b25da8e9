"""Factor search: ranked look-up by Chinese or English name, pinyin, id or code, with filters.

A :class:`FactorIndex` is built once over a set of factors and never changes. The node keeps one for the
built-in library and a small one per organisation; ``builtin.merged(org)`` searches both and merges the pages
(:class:`CombinedFactorIndex`), so an organisation's factors never force a rebuild of the big index.

Query text is normalised (NFKC, case-folded) and split into terms: runs of letters or digits, a run of Chinese
characters being one term of its own ("电解铝", "PET瓶" → "pet", "瓶"), so Chinese needs no spaces. A factor
matches when every term is a substring of one of its fields — name_zh, name_en, key, id, cpcd_code, category,
publisher — or, for a Latin term of two letters or more, of the pinyin of its Chinese name (whole syllables from
a syllable boundary, "dianjielv", "jielv", or the initials, "djl"). A term also matches through its spelling
variants (:data:`SYNONYMS`: "aluminum" ↔ "aluminium", …) and a plural "s" is optional ("steels" finds "steel").

Score (higher first; ties by factor id, so the order is total and the same on every call):

====  ==========================================================================================
1000  the query is the factor id
 900  the query is a name (zh or en), compared term by term: case, punctuation and spaces ignored
 800  a name starts with the query; 700: the id starts with it
 500  every term found directly; + up to 100 for the share of terms found in a name, + up to 20 for
      terms starting a word of a name, + up to 30 for how much of the shortest name the query covers
 450  some term found only through pinyin, and the query is the name's pinyin or its initials;
      400 a prefix of them; 300 otherwise (+ up to 50 for coverage)
====  ==========================================================================================

Filters (all optional, combined with AND; the query may be empty to list by filter):

* ``kind``, ``source_id``: exact; ``category``: exact, case-insensitive.
* ``geography``: the factor's geography is the given one or one of its fallbacks
  (:func:`footprint_engine.factors.geography.parents`: province → regional grid → CN → GLO), i.e. the factors a
  look-up for that geography could use. The nearer geography adds 0–3 points (the exact one most), so within a
  tier a province's own factor comes before its grid's, the nation's and the world's.
* ``year``: exact; a factor without a year does not match a year filter.
* ``unit``: the factor's activity unit, exact ("t", "kWh"), or a dimension name from
  :data:`footprint_engine.units.DIMENSIONS` ("mass", "energy", "mass*distance", …) for every unit of it.

Limits: a query of at most :data:`MAX_QUERY_CHARS` characters, ``limit`` 1…:data:`MAX_LIMIT`, ``offset`` ≥ 0;
anything else is a :class:`FactorSearchError` naming the parameter. A query without any letter or digit (only
punctuation or spaces) is an empty query.
"""

from __future__ import annotations

import gc
import heapq
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import NamedTuple, TypedDict, Unpack, get_args

import pint

from footprint_engine.errors import FootprintEngineError
from footprint_engine.factors._search_text import (
    SYNONYMS,
    Pinyin,
    PinyinRuns,
    SortedKeys,
    TokenGroup,
    at_syllable,
    gather,
    is_cjk,
    name_keys,
    pinyin_term,
    terms,
    variants,
)
from footprint_engine.factors.geography import PROVINCE_GRID, parents
from footprint_engine.factors.library import FactorLibrary
from footprint_engine.factors.model import Factor, FactorKind
from footprint_engine.units import DIMENSIONS, check_unit, conversion_factor

__all__ = [
    "MAX_LIMIT",
    "MAX_QUERY_CHARS",
    "SYNONYMS",
    "CombinedFactorIndex",
    "FactorIndex",
    "FactorSearchError",
    "SearchFilters",
    "SearchHit",
    "SearchPage",
]

#: Longest query accepted, in characters (after trimming); a picker's box never needs more.
MAX_QUERY_CHARS = 200
#: Largest page.
MAX_LIMIT = 500

_FIELDS = ("id", "name_zh", "name_en", "key", "cpcd_code", "category", "publisher")
_KINDS = frozenset(get_args(FactorKind))


class FactorSearchError(FootprintEngineError, ValueError):
    """A search parameter is out of range or unknown."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    factor: Factor
    score: float
    #: Fields a query term was found in ("name_zh", "id", …, "pinyin"); empty for a listing without query.
    matched: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SearchPage:
    total: int  # factors matching the query and filters, all pages
    hits: list[SearchHit]
    offset: int
    limit: int


# -- the query ------------------------------------------------------------------------------------------------


class SearchFilters(TypedDict, total=False):
    """The keyword arguments of every ``search`` (:meth:`FactorIndex.search`, :meth:`CombinedFactorIndex.search`
    and the node's): each optional, all checked in one place (``_parse``); ``limit`` 20 and ``offset`` 0 unless
    given."""

    kind: str | None
    category: str | None
    geography: str | None
    year: int | None
    unit: str | None
    source_id: str | None
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class _Query:
    raw_id: str  # the trimmed, case-folded query, compared with ids
    terms: tuple[str, ...]
    spaced: str
    compact: str
    kind: str | None
    category: str | None
    geography: str | None
    year: int | None
    unit: str | None
    source_id: str | None
    limit: int
    offset: int


def _parse(
    q: str | None,
    *,
    kind: str | None = None,
    category: str | None = None,
    geography: str | None = None,
    year: int | None = None,
    unit: str | None = None,
    source_id: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> _Query:
    """Check every parameter and normalise the query (raises FactorSearchError naming the parameter)."""
    for name, value in (("q", q), ("category", category), ("geography", geography), ("source_id", source_id)):
        if value is not None and not isinstance(value, str):
            raise FactorSearchError(f"{name} is not text", f"got {value!r}", "give a string", field=name)
        if value is not None and name != "q" and not value.strip():
            raise FactorSearchError(
                f"{name} is empty", "an empty filter", "give a value or leave the filter out", field=name
            )
    text = (q or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise FactorSearchError(
            "query too long",
            f"{len(text)} characters, limit {MAX_QUERY_CHARS}",
            "shorten the query",
            field="q",
        )
    if type(limit) is not int or not 1 <= limit <= MAX_LIMIT:
        raise FactorSearchError(
            "limit out of range",
            f"got {limit!r}, want 1…{MAX_LIMIT}",
            "ask for a smaller page",
            field="limit",
        )
    if type(offset) is not int or offset < 0:
        raise FactorSearchError(
            "offset out of range", f"got {offset!r}, want >= 0", "give 0 or more", field="offset"
        )
    if year is not None and type(year) is not int:
        raise FactorSearchError(
            "year is not a year", f"got {year!r}", "give a year such as 2023", field="year"
        )
    if kind is not None and kind not in _KINDS:
        raise FactorSearchError(
            "unknown factor kind",
            f"got {kind!r}, want one of {sorted(_KINDS)}",
            "use one of those",
            field="kind",
        )
    if unit is not None:
        unit = unit.strip()
        if unit not in DIMENSIONS:
            unit = check_unit(unit, field="unit")
    query_terms = terms(text)
    spaced, compact = name_keys(query_terms)
    return _Query(
        raw_id=unicodedata.normalize("NFKC", text).casefold(),
        terms=tuple(dict.fromkeys(query_terms)),
        spaced=spaced,
        compact=compact,
        kind=kind,
        category=category.strip().casefold() if category is not None else None,
        geography=geography.strip() if geography is not None else None,
        year=year,
        unit=unit,
        source_id=source_id,
        limit=limit,
        offset=offset,
    )


@dataclass(slots=True)
class _TermPostings:
    """Posting sets of one query term, by where the term was found; ``size`` bounds the documents."""

    name: list[set[int]]  # in a name
    name_start: list[set[int]]  # … at the start of a word of a name
    other: list[set[int]]  # in id, key, code, category or publisher
    pinyin: list[set[int]]  # in the pinyin of the Chinese name
    size: int


@dataclass(slots=True)
class _TermMatch:
    name: set[int]
    name_start: set[int]
    other: set[int]
    pinyin: set[int]

    def docs(self) -> set[int]:
        return self.name | self.other | self.pinyin


# -- the index ------------------------------------------------------------------------------------------------


class _Doc(NamedTuple):
    factor: Factor
    fields: tuple[str, ...]  # normalised, in _FIELDS order (terms joined by spaces)
    name_keys: tuple[str, str, str, str]  # spaced and compact keys of name_zh, then of name_en
    name_len: int  # length of the shortest compact name (0: no name)
    pinyin: str  # full pinyin of the Chinese name
    initials: str


class FactorIndex:
    """An immutable search index over factors (ids must be distinct). See the module docstring."""

    def __init__(self, factors: Iterable[Factor]) -> None:
        with _collector_paused():
            self._build(sorted(factors, key=lambda f: f.id))  # doc number order is id order

    @classmethod
    @cache
    def builtin(cls) -> FactorIndex:
        """The index of :meth:`FactorLibrary.builtin` (built once per process; immutable)."""
        return cls(FactorLibrary.builtin().factors())

    def _build(self, ordered: list[Factor]) -> None:
        for a, b in pairwise(ordered):
            if a.id == b.id:
                raise FactorSearchError(
                    "duplicate factor id", repr(a.id), "index one version per factor id", field="factors"
                )
        self._pinyin_of = pinyin = Pinyin()
        memo: dict[str, str] = {}  # value → its terms joined by spaces (values repeat: publishers, keys, …)

        def norm(value: str | None) -> str:
            got = memo.get(value or "")
            if got is None:
                got = memo[value or ""] = " ".join(terms(value or ""))
            return got

        self._names = TokenGroup()  # name_zh, name_en: their terms, and the compact Chinese name
        self._others = TokenGroup()  # id, cpcd_code, and key + category + publisher together
        self._runs = PinyinRuns()  # the Chinese runs of names, by their pinyin
        self._docs: list[_Doc] = []
        self._by_id: dict[str, int] = {}
        for n, f in enumerate(ordered):
            zh, en, key, code = norm(f.name_zh), norm(f.name_en), norm(f.key), norm(f.cpcd_code)
            category, publisher = norm(f.category), norm(f.publisher)
            fields = (norm(f.id), zh, en, key, code, category, publisher)
            zh_terms, en_terms = zh.split(), en.split()
            zh_spaced, zh_compact = name_keys(zh_terms)
            en_spaced, en_compact = name_keys(en_terms)
            if zh:
                self._names.add(zh, n, [*zh_terms, "".join(zh_terms)])
            if en:
                self._names.add(en, n)
            self._others.add(fields[0], n)
            if code:
                self._others.add(code, n)
            self._others.add(f"{key} {category} {publisher}", n)  # one value: tokens of all three
            full, initials = "", ""
            for t in zh_terms:
                if is_cjk(t):
                    run = pinyin.of(t)
                    self._runs.add(t, run, n)
                    full += run[0]
                    initials += run[2]
            shortest = min(len(zh_compact) or 1 << 30, len(en_compact) or 1 << 30)
            self._docs.append(
                _Doc(
                    f,
                    fields,
                    (zh_spaced, zh_compact, en_spaced, en_compact),
                    0 if shortest == 1 << 30 else shortest,
                    full,
                    initials,
                )
            )
            self._by_id[f.id] = n
        postings: dict[str, dict[object, set[int]]] = {}
        for name, values in (
            ("kind", [f.kind for f in ordered]),
            ("category", [(f.category or "").casefold() or None for f in ordered]),
            ("geography", [f.geography.casefold() for f in ordered]),
            ("year", [f.year for f in ordered]),
            ("unit", [f.unit for f in ordered]),
            ("source_id", [f.source_id for f in ordered]),
        ):
            by_value: dict[object, set[int]] = {}
            for n, value in enumerate(values):
                if value is not None:
                    posting = by_value.get(value)
                    if posting is None:
                        by_value[value] = {n}
                    else:
                        posting.add(n)
            postings[name] = by_value
        self._names.freeze()
        self._others.freeze()
        docs_ = self._docs
        numbers = range(len(docs_))
        self._id_keys = SortedKeys([d.factor.id.casefold() for d in docs_], list(numbers))
        # zh spaced and compact, en spaced and compact: exact names, and names starting with the query
        self._name_keys = SortedKeys(
            [k for d in docs_ for k in d.name_keys], [n for n in numbers for _ in range(4)]
        )
        self._pinyin_keys = SortedKeys(  # whole pinyin and initials of the Chinese name
            [k for d in docs_ for k in (d.pinyin, d.initials)], [n for n in numbers for _ in range(2)]
        )
        self._inv_name_len = [1.0 / d.name_len if d.name_len else 0.0 for d in docs_]
        self._inv_pinyin_len = [1.0 / len(d.pinyin) if d.pinyin else 0.0 for d in docs_]
        self._geo = [d.factor.geography for d in docs_]
        self._runs.freeze()
        self._postings = postings
        self._geographies = {g.casefold(): g for g in (*PROVINCE_GRID, *PROVINCE_GRID.values(), "CN", "GLO")}
        self._geographies.update({f.geography.casefold(): f.geography for f in ordered})
        self._dimensions: dict[str, set[int]] = {}
        for u, docs in postings["unit"].items():
            dim = _dimension(str(u))
            if dim is not None:
                self._dimensions.setdefault(dim, set()).update(docs)

    # -- public surface ---------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, factor_id: object) -> bool:
        return isinstance(factor_id, str) and self.get(factor_id) is not None

    def get(self, factor_id: str) -> Factor | None:
        n = self._by_id.get(factor_id)
        return None if n is None else self._docs[n].factor

    def ids(self) -> Iterator[str]:
        return (d.factor.id for d in self._docs)

    def merged(self, *others: FactorIndex) -> CombinedFactorIndex:
        """This index and ``others`` searched as one (no rebuild; factor ids must be distinct across them)."""
        return CombinedFactorIndex(self, *others)

    def search(self, q: str | None = None, **filters: Unpack[SearchFilters]) -> SearchPage:
        """One page of factors matching ``q`` and the filters, best first (see the module docstring)."""
        query = _parse(q, **filters)
        total, top = self._top(query, query.offset + query.limit)
        return SearchPage(
            total=total,
            hits=[self._hit(n, round(0.0 - neg, 3), query) for neg, n in top[query.offset :]],
            offset=query.offset,
            limit=query.limit,
        )

    # -- internals (shared with CombinedFactorIndex) ----------------------------------------------------------

    def _top(self, query: _Query, k: int) -> tuple[int, list[tuple[float, int]]]:
        """(number of matches, the best ``k`` as (−score, doc number), in order)."""
        # (1) the filters, smallest posting first
        chosen = self._filtered(query)
        geo_bonus = self._geo_bonus(query.geography)
        if chosen is not None and not chosen:
            return 0, []
        # (2) no query terms: a listing by filter, ordered by geography nearness then id
        if not query.terms:
            if chosen is None:
                return len(self._docs), [(0.0, n) for n in range(min(k, len(self._docs)))]
            if not geo_bonus:
                return len(chosen), [(0.0, n) for n in heapq.nsmallest(k, chosen)]
            geo = self._geo
            items = ((-float(geo_bonus.get(geo[n], 0)), n) for n in chosen)
            return len(chosen), heapq.nsmallest(k, items)
        # (3) every term must match: the rarest term first, each next one looked up within what is left
        found = chosen
        matches: list[_TermMatch] = []
        for postings in sorted(map(self._term_postings, query.terms), key=lambda t: t.size):
            matches.append(self._match(postings, found))
            found = matches[-1].docs()
            if not found:
                return 0, []
        assert found is not None  # at least one term
        # (4) score: the top tiers by look-up, the rest in bulk (see the table in the module docstring)
        scores: dict[int, float] = {}
        for tier, docs in (
            (700.0, self._id_keys.prefixed(query.raw_id)),
            (800.0, self._name_keys.prefixed(query.spaced)),
            (800.0, self._name_keys.prefixed(query.compact)),
            (900.0, self._name_keys.exact(query.spaced)),
            (900.0, self._name_keys.exact(query.compact)),
            (1000.0, self._id_keys.exact(query.raw_id)),
        ):
            scores.update((n, tier) for n in docs if n in found)
        rest = found.difference(scores)
        direct = rest
        for m in matches:
            direct = direct & (m.name | m.other)
        qlen, inv = len(query.compact), self._inv_name_len
        if len(matches) == 1:
            name, start = matches[0].name, matches[0].name_start
            scores.update(
                (n, 500.0 + 100.0 * (n in name) + 20.0 * (n in start) + 30.0 * min(1.0, qlen * inv[n]))
                for n in direct
            )
        else:
            count = len(matches)
            scores.update(
                (
                    n,
                    500.0
                    + 100.0 * sum(n in m.name for m in matches) / count
                    + 20.0 * sum(n in m.name_start for m in matches) / count
                    + 30.0 * min(1.0, qlen * inv[n]),
                )
                for n in direct
            )
        by_pinyin = rest - direct
        if by_pinyin:
            inv = self._inv_pinyin_len
            scores.update((n, 300.0 + 50.0 * min(1.0, qlen * inv[n])) for n in by_pinyin)
            for tier, docs in (
                (400.0, self._pinyin_keys.prefixed(query.compact)),
                (450.0, self._pinyin_keys.exact(query.compact)),
            ):
                scores.update((n, tier) for n in docs if n in by_pinyin)
        if geo_bonus:
            geo = self._geo
            ranked = ((-(s + geo_bonus.get(geo[n], 0)), n) for n, s in scores.items())
        else:
            ranked = ((-s, n) for n, s in scores.items())
        return len(found), heapq.nsmallest(k, ranked)

    def _filtered(self, query: _Query) -> set[int] | None:
        p = self._postings
        wanted: list[set[int]] = []
        for key, value in (
            ("kind", query.kind),
            ("category", query.category),
            ("year", query.year),
            ("source_id", query.source_id),
        ):
            if value is not None:
                wanted.append(p[key].get(value, set()))
        if query.unit is not None:
            by = self._dimensions if query.unit in DIMENSIONS else p["unit"]
            wanted.append(by.get(query.unit, set()))
        if query.geography is not None:
            chain = self._chain(query.geography)
            wanted.append(set().union(*(p["geography"].get(g.casefold(), set()) for g in chain)))
        if not wanted:
            return None
        wanted.sort(key=len)
        return wanted[0].intersection(*wanted[1:])

    def _chain(self, geography: str) -> list[str]:
        return parents(self._geographies.get(geography.casefold(), geography))

    def _geo_bonus(self, geography: str | None) -> dict[str, int]:
        if geography is None:
            return {}
        chain = self._chain(geography)
        return {g: max(0, 3 - i) for i, g in enumerate(chain) if g != "GLO"}

    def _term_postings(self, term: str) -> _TermPostings:
        t = _TermPostings([], [], [], [], 0)
        for variant in variants(term):
            for docs, starts in self._names.postings(variant):
                t.name.append(docs)
                if starts:
                    t.name_start.append(docs)
            t.other.extend(docs for docs, _ in self._others.postings(variant))
        py = pinyin_term(term)
        if py is not None:
            t.pinyin = self._runs.postings(py)
        t.size = sum(map(len, t.name)) + sum(map(len, t.other)) + sum(map(len, t.pinyin))
        return t

    @staticmethod
    def _match(t: _TermPostings, within: set[int] | None) -> _TermMatch:
        return _TermMatch(
            gather(t.name, within),
            gather(t.name_start, within),
            gather(t.other, within),
            gather(t.pinyin, within),
        )

    def _hit(self, n: int, score: float, query: _Query) -> SearchHit:
        doc = self._docs[n]
        matched: list[str] = []
        if query.terms:
            spellings = [v for t in query.terms for v in variants(t)]
            for name, value in zip(_FIELDS, doc.fields, strict=True):
                if name == "name_zh":
                    value += "\x00" + doc.name_keys[1]  # the compact name: 电解铝水电 for 电解铝（水电）
                if any(v in value for v in spellings):
                    matched.append(name)
            pys = [py for py in map(pinyin_term, query.terms) if py is not None]
            runs = [self._pinyin_of.of(t) for t in doc.fields[1].split() if is_cjk(t)] if pys else []
            if any(
                py in initials or at_syllable(full, starts, py)
                for py in pys
                for full, starts, initials in runs
            ):
                matched.append("pinyin")
        return SearchHit(factor=doc.factor, score=score, matched=tuple(matched))


class CombinedFactorIndex:
    """Several :class:`FactorIndex` searched as one: each returns its best ``offset + limit``, pages merge.

    Correct for any offset and limit because the order (score, then id) is the same total order in every
    index. Factor ids must be distinct across the indexes (checked once, in the size of the smaller ones).
    """

    def __init__(self, *indexes: FactorIndex) -> None:
        if not indexes:
            raise FactorSearchError(
                "no index to combine", "got none", "pass one index or more", field="indexes"
            )
        by_size = sorted(indexes, key=len, reverse=True)
        seen: set[str] = set()
        for index in by_size[1:]:
            for fid in index.ids():
                if fid in seen or fid in by_size[0]:
                    raise FactorSearchError(
                        "factor id in two indexes", repr(fid), "give private factors their own ids", field=fid
                    )
                seen.add(fid)
        self._indexes = indexes

    def __len__(self) -> int:
        return sum(len(i) for i in self._indexes)

    def get(self, factor_id: str) -> Factor | None:
        for index in self._indexes:
            f = index.get(factor_id)
            if f is not None:
                return f
        return None

    def search(self, q: str | None = None, **filters: Unpack[SearchFilters]) -> SearchPage:
        """As :meth:`FactorIndex.search`, over every index."""
        query = _parse(q, **filters)
        k = query.offset + query.limit
        total = 0
        runs: list[list[tuple[float, str, int, FactorIndex]]] = []
        for index in self._indexes:
            count, top = index._top(query, k)
            total += count
            runs.append([(neg, index._docs[n].factor.id, n, index) for neg, n in top])
        page = list(heapq.merge(*runs))[query.offset : k]
        return SearchPage(
            total=total,
            hits=[index._hit(n, round(0.0 - neg, 3), query) for neg, _, n, index in page],
            offset=query.offset,
            limit=query.limit,
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an index is built.

    The build allocates some 10^5 small containers and frees none of them; each allocation burst triggers
    collections that walk every container in the process (pypinyin's phrase dictionary alone holds ~400,000
    lists), which doubled the build time. Reference counting still frees everything as usual; the collector is
    resumed (if it was running) when the build ends, also on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _dimension(unit: str) -> str | None:
    """The :data:`DIMENSIONS` name of ``unit`` (None for a unit of no listed dimension)."""
    for name, example in DIMENSIONS.items():
        try:
            conversion_factor(unit, example)
        except (pint.errors.DimensionalityError, pint.errors.UndefinedUnitError):
            continue
        return name
    return None
