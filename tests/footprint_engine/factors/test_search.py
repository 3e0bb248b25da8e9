"""Factor search: ranking rules, pinyin, spelling variants, filters, paging and merging, limits.

Most tests build their own factors so the rules are tested independently of the shipped data; a slow,
obviously-correct matcher (``reference_matches``) checks the index's match sets; two tests use the built-in
library (the CPCD rows of issue 17).
"""

from __future__ import annotations

import random
import unicodedata

import pytest
from pypinyin import Style, lazy_pinyin

from footprint_engine.errors import UnitError
from footprint_engine.factors import Factor, FactorLibrary, parents
from footprint_engine.factors._search_text import Pinyin
from footprint_engine.factors.search import (
    MAX_LIMIT,
    MAX_QUERY_CHARS,
    CombinedFactorIndex,
    FactorIndex,
    FactorSearchError,
)


def factor(
    fid: str,
    name_zh: str | None = None,
    name_en: str | None = None,
    *,
    kind: str = "material",
    geography: str = "CN",
    year: int | None = 2020,
    unit: str = "t",
    **extra: object,
) -> Factor:
    return Factor(
        id=fid,
        kind=kind,  # type: ignore[arg-type]
        key=fid.split("/")[1],
        geography=geography,
        year=year,
        unit=unit,
        emissions={"CO2e/fossil": 1.0},
        source="test",
        name_zh=name_zh,
        name_en=name_en,
        **extra,  # type: ignore[arg-type]
    )


ALUMINIUM = [
    factor("material/primary-aluminium-electrolytic/CN/2018", "电解铝", "Primary aluminium (electrolytic)",
           cpcd_code="41431X0102018C", category="metal", source_id="cpcd"),
    factor("material/electrolytic-aluminium-hydro/CN/2020", "电解铝（水电）", "Primary aluminium, hydropower",
           category="metal", source_id="cpcd"),
    factor("material/liquid-aluminium/CN/2020", "某厂电解铝液", "Liquid aluminium", category="metal"),
    factor("material/aluminium-ingot/CN/2020", "铝锭", "Aluminium ingot", category="Metal"),
    factor("material/hydro-aluminium-ingot/CN/2020", "水电铝锭", "Aluminium ingot, hydropower-based smelting"),
    factor("material/alumina/CN/2021", "氧化铝", "Alumina", category="metal", year=2021),
    factor("material/sulphuric-acid/CN/2020", "硫酸", "Sulphuric acid", category="chemical"),
    factor("material/steel-hot-rolled/GLO/2022", "热轧钢", "Hot-rolled steel", geography="GLO", year=2022),
    factor("material/batteries/CN/2022", "锂电池", "Lithium battery"),
    factor("fuel/cn-default/diesel", "柴油", "Diesel", kind="fuel", year=None),
    factor("electricity-grid/co2/CN-YN/2023", "云南电网排放因子", "Grid CO2, Yunnan", kind="electricity-grid",
           geography="CN-YN", year=2023, unit="kWh", source_id="mee-nbs-grid-co2"),
    factor("electricity-grid/co2/CN-South/2023", "南方电网排放因子", "Grid CO2, South grid", kind="electricity-grid",
           geography="CN-South", year=2023, unit="kWh", source_id="mee-nbs-grid-co2"),
    factor("electricity-grid/co2/CN/2023", "全国电网排放因子", "Grid CO2, China", kind="electricity-grid",
           geography="CN", year=2023, unit="kWh", source_id="mee-nbs-grid-co2"),
    factor("electricity-grid/co2/CN-JS/2023", "江苏电网排放因子", "Grid CO2, Jiangsu", kind="electricity-grid",
           geography="CN-JS", year=2023, unit="kWh", source_id="mee-nbs-grid-co2"),
    factor("electricity-generation/hydro/GLO/2014", "水电", "Hydropower", kind="electricity-generation",
           geography="GLO", year=2014, unit="kWh"),
    factor("transport/truck/CN/2024", "重型柴油货车运输", "Heavy diesel truck", kind="transport", year=2024,
           unit="tkm"),
    factor("material/chongqing-cement/CN-CQ/2020", "重庆水泥", "Cement, Chongqing", geography="CN-CQ"),
]  # fmt: skip


@pytest.fixture(scope="module")
def index() -> FactorIndex:
    return FactorIndex(ALUMINIUM)


def ids(page) -> list[str]:
    return [h.factor.id for h in page.hits]


# -- ranking ----------------------------------------------------------------------------------------------------


def test_exact_chinese_name_first_then_prefix_then_substring(index):
    page = index.search("电解铝")
    assert ids(page) == [
        "material/primary-aluminium-electrolytic/CN/2018",  # exact name
        "material/electrolytic-aluminium-hydro/CN/2020",  # name starts with it
        "material/liquid-aluminium/CN/2020",  # contains it
    ]
    assert [h.score for h in page.hits] == sorted((h.score for h in page.hits), reverse=True)
    assert page.hits[0].matched == ("name_zh",)
    assert "material/aluminium-ingot/CN/2020" not in ids(page)  # 铝锭 does not contain 电解铝


def test_single_character_finds_every_name_holding_it(index):
    page = index.search("铝", limit=50)
    assert ids(page)[0] == "material/aluminium-ingot/CN/2020"  # 铝锭 starts with 铝
    assert page.total == 6


def test_exact_id_outranks_everything_and_id_prefix_lists_the_family(index):
    page = index.search("material/aluminium-ingot/CN/2020")
    assert page.hits[0].factor.id == "material/aluminium-ingot/CN/2020"
    assert page.hits[0].score == 1000
    grid = index.search("electricity-grid/co2/", limit=10)
    assert all(h.factor.id.startswith("electricity-grid/co2/") for h in grid.hits)
    assert grid.total == 4 and {h.score for h in grid.hits} == {700}


def test_exact_english_name_ignores_case_and_punctuation(index):
    page = index.search("PRIMARY ALUMINIUM electrolytic")
    assert page.hits[0].factor.id == "material/primary-aluminium-electrolytic/CN/2018"
    assert page.hits[0].score == 900


def test_chinese_needs_no_spaces_and_spaces_are_terms(index):
    assert ids(index.search("电解铝水电")) == ["material/electrolytic-aluminium-hydro/CN/2020"]
    spaced = index.search("水电 铝锭")
    assert ids(spaced) == ["material/hydro-aluminium-ingot/CN/2020"]
    assert ids(index.search("电解铝 hydropower")) == ["material/electrolytic-aluminium-hydro/CN/2020"]


def test_full_width_characters_and_case_are_normalised(index):
    assert ids(index.search("ＡＬＵＭＩＮＡ")) == ids(index.search("alumina"))
    assert ids(index.search("  Alumina  ")) == ids(index.search("alumina"))


def test_cpcd_code_and_category_are_searched(index):
    page = index.search("41431X")
    assert ids(page) == ["material/primary-aluminium-electrolytic/CN/2018"]
    assert page.hits[0].matched == ("cpcd_code",)
    assert index.search("chemical").hits[0].factor.id == "material/sulphuric-acid/CN/2020"


def test_order_is_score_then_id(index):
    page = index.search("aluminium", limit=50)
    keys = [(-h.score, h.factor.id) for h in page.hits]
    assert keys == sorted(keys)


# -- English spelling and plurals -------------------------------------------------------------------------------


def test_aluminum_and_aluminium_find_the_same_rows(index):
    us, uk = index.search("aluminum", limit=50), index.search("Aluminium", limit=50)
    assert ids(us) == ids(uk)
    assert us.total == 5  # every factor with "aluminium" in a name or id (alumina is not aluminium)
    assert index.search("aluminum ingot").hits[0].factor.id == "material/aluminium-ingot/CN/2020"
    assert index.search("aluminum ingot").hits[0].score == 900


def test_sulfur_finds_sulphur_and_plurals_find_singulars(index):
    assert ids(index.search("sulfuric")) == ["material/sulphuric-acid/CN/2020"]
    assert "material/steel-hot-rolled/GLO/2022" in ids(index.search("steels"))
    assert "material/batteries/CN/2022" in ids(index.search("battery"))
    assert ids(index.search("batteries"))[0] == "material/batteries/CN/2022"


# -- pinyin ---------------------------------------------------------------------------------------------------


def test_pinyin_full_and_initials_find_the_chinese_name(index):
    for q in ("dianjielv", "DianJieLv", "djl", "dian jie lv"):
        page = index.search(q)
        assert page.hits[0].factor.id == "material/primary-aluminium-electrolytic/CN/2018", q
        assert "pinyin" in page.hits[0].matched
    assert index.search("dianjielv").hits[0].score == 450  # the whole pinyin of the name
    assert index.search("dianjie").hits[0].score == 400  # a prefix of it


def test_pinyin_matches_whole_syllables_only(index):
    assert "material/primary-aluminium-electrolytic/CN/2018" in ids(index.search("jielv"))
    assert "material/primary-aluminium-electrolytic/CN/2018" not in ids(index.search("ianjie"))
    assert ids(index.search("lü")) == ids(index.search("lv"))  # ü typed as v


def test_pinyin_follows_phrases_for_heteronyms(index):
    # 重庆 is chongqing (not zhongqing); 重型 is zhongxing
    assert ids(index.search("chongqing")) == ["material/chongqing-cement/CN-CQ/2020"]
    assert "transport/truck/CN/2024" in ids(index.search("zhongxing"))


def test_direct_matches_rank_above_pinyin_only_matches(index):
    page = index.search("shuidian", limit=50)  # 水电: the name of one factor, pinyin of others'
    assert page.hits[0].factor.id == "electricity-generation/hydro/GLO/2014"
    assert all(h.score < 500 for h in page.hits)


@pytest.mark.parametrize(
    "text",
    ["电解铝", "重庆水泥", "银行行业", "长江长大", "绿色女性", "一个不要", "乐山音乐", "云南电解铝水电铝锭"],
)
def test_pinyin_is_what_lazy_pinyin_gives(text):
    # the index converts word by word (cached) with tone marks, then strips them: the same as pypinyin's plain style
    assert Pinyin().syllables(text) == lazy_pinyin(text) == lazy_pinyin(text, style=Style.NORMAL)


# -- filters --------------------------------------------------------------------------------------------------


def test_geography_filter_takes_the_fallback_chain_nearest_first(index):
    page = index.search(kind="electricity-grid", geography="CN-YN")
    assert parents("CN-YN")[:3] == ["CN-YN", "CN-South", "CN"]
    assert ids(page) == [
        "electricity-grid/co2/CN-YN/2023",
        "electricity-grid/co2/CN-South/2023",
        "electricity-grid/co2/CN/2023",
    ]  # not Jiangsu
    assert ids(index.search(kind="electricity-grid", geography="cn-yn")) == ids(page)  # case-insensitive
    glo = index.search("hydropower", geography="CN-YN")
    assert "electricity-generation/hydro/GLO/2014" in ids(glo)  # GLO ends every chain


def test_year_kind_category_source_filters_are_exact(index):
    assert ids(index.search(year=2021)) == ["material/alumina/CN/2021"]
    assert "fuel/cn-default/diesel" not in ids(index.search("diesel", year=2020))  # no year: no match
    assert ids(index.search("diesel", kind="fuel")) == ["fuel/cn-default/diesel"]
    assert index.search(category="METAL").total == 5  # case-insensitive
    assert index.search(source_id="cpcd").total == 2
    assert index.search("aluminium", source_id="cpcd", category="metal").total == 2


def test_unit_filter_exact_or_by_dimension(index):
    assert index.search(unit="kWh").total == 5
    assert index.search(unit="tkm").total == 1
    by_mass = index.search(unit="mass", limit=50)
    assert by_mass.total == 11 and all(h.factor.unit == "t" for h in by_mass.hits)
    assert index.search(unit="energy").total == 5
    with pytest.raises(UnitError, match="unit"):
        index.search(unit="no-such-unit")


def test_no_query_lists_by_filter_in_id_order(index):
    page = index.search(limit=100)
    assert page.total == len(ALUMINIUM)
    assert ids(page) == sorted(f.id for f in ALUMINIUM)
    assert all(h.score == 0 and h.matched == () for h in page.hits)


# -- limits and bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["!!!", "（）、。", "   ", "-/-", "\u3000"])
def test_a_query_without_letters_is_an_empty_query(index, q):
    assert index.search(q).total == len(ALUMINIUM)


def test_long_queries_are_bounded(index):
    with pytest.raises(FactorSearchError, match=f"limit {MAX_QUERY_CHARS}") as err:
        index.search("铝" * 2000)
    assert err.value.field == "q"
    assert index.search("铝" * MAX_QUERY_CHARS).total == 0
    assert index.search("a " * (MAX_QUERY_CHARS // 2)).total >= 1  # 100 one-letter terms, all "a"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": MAX_LIMIT + 1}, "limit"),
        ({"limit": True}, "limit"),
        ({"offset": -1}, "offset"),
        ({"year": "2020"}, "year"),
        ({"kind": "metal"}, "kind"),
        ({"geography": " "}, "geography"),
        ({"category": ""}, "category"),
        ({"q": 17}, "q"),
    ],
)
def test_bad_parameters_name_the_field(index, params, field):
    with pytest.raises(FactorSearchError) as err:
        index.search(**{"q": "铝", **params})
    assert err.value.field == field


def test_duplicate_ids_are_refused():
    with pytest.raises(FactorSearchError, match="duplicate factor id"):
        FactorIndex([ALUMINIUM[0], ALUMINIUM[0]])


def test_empty_index():
    empty = FactorIndex([])
    assert empty.search("铝").total == 0 and empty.search().hits == []


# -- paging and merging ---------------------------------------------------------------------------------------


def _library(n: int, seed: int) -> list[Factor]:
    """Names repeat (many ties), geographies and years vary."""
    rng = random.Random(seed)
    names = [("电解铝", "Primary aluminium"), ("铝锭", "Aluminium ingot"), ("水泥", "Cement"),
             ("热轧钢", "Hot-rolled steel"), ("电网", "Grid electricity"), ("柴油", "Diesel")]  # fmt: skip
    geos = ["CN", "CN-YN", "CN-South", "CN-JS", "GLO"]
    out = []
    for i in range(n):
        zh, en = names[rng.randrange(len(names))]
        geo = geos[rng.randrange(len(geos))]
        prefix = rng.choice(["", "云南", "再生"])
        out.append(
            factor(
                f"material/item-{i:04d}/{geo}/{2015 + i % 9}",
                prefix + zh,
                f"{en} {i % 7}",
                geography=geo,
                year=2015 + i % 9,
                unit=rng.choice(["t", "kg", "kWh"]),
            )
        )
    return out


QUERIES = [
    {"q": "铝"}, {"q": "电解铝"}, {"q": "aluminium"}, {"q": "aluminum ingot"}, {"q": "lv"}, {"q": "djl"},
    {"q": None, "geography": "CN-YN"}, {"q": "水泥", "year": 2016}, {"q": "steel", "unit": "mass"},
    {"q": "2018"}, {"q": "yunnan"}, {"q": "yn"}, {"q": "再生 铝"}, {"q": "item-01"}, {"q": None},
]  # fmt: skip


def test_pages_concatenate_to_the_full_ranking():
    index = FactorIndex(_library(300, 1))
    for params in QUERIES:
        full = index.search(**params, limit=MAX_LIMIT)
        paged = []
        for offset in range(0, full.total + 7, 7):
            page = index.search(**params, limit=7, offset=offset)
            assert page.total == full.total
            paged += page.hits
        assert [(h.factor.id, h.score) for h in paged] == [(h.factor.id, h.score) for h in full.hits], params


def test_a_combined_index_pages_exactly_like_one_index_over_all_factors():
    factors = _library(400, 2)
    rng = random.Random(3)
    rng.shuffle(factors)
    whole = FactorIndex(factors)
    combined = FactorIndex(factors[:370]).merged(FactorIndex(factors[370:395]), FactorIndex(factors[395:]))
    assert isinstance(combined, CombinedFactorIndex) and len(combined) == 400
    for params in QUERIES:
        for offset, limit in ((0, 20), (0, 1), (5, 10), (19, 3), (100, 50), (390, 20), (1000, 5)):
            want = whole.search(**params, limit=limit, offset=offset)
            got = combined.search(**params, limit=limit, offset=offset)
            assert got.total == want.total, params
            assert [(h.factor.id, h.score, h.matched) for h in got.hits] == [
                (h.factor.id, h.score, h.matched) for h in want.hits
            ], (params, offset, limit)
    assert combined.get(factors[399].id) == factors[399] and combined.get("nope") is None


def test_combining_indexes_that_share_an_id_is_refused():
    a = FactorIndex(ALUMINIUM[:5])
    with pytest.raises(FactorSearchError, match="two indexes") as err:
        a.merged(FactorIndex(ALUMINIUM[4:6]))
    assert err.value.field == ALUMINIUM[4].id


# -- the index against a slow, obviously-correct matcher ---------------------------------------------------------


def _norm(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def reference_matches(factors: list[Factor], q: str) -> set[str]:
    """Factors where every term, or a spelling variant of it, is inside a field or (letters) the pinyin."""
    from footprint_engine.factors._search_text import is_cjk, terms, variants

    out = set()
    for f in factors:
        fields = [" ".join(_norm(x).split()) for x in (f.id, f.name_zh, f.name_en, f.key, f.cpcd_code,
                                                        f.category, f.publisher)]  # fmt: skip
        fields = [" ".join(terms(x)) for x in fields] + ["".join(terms(f.name_zh or ""))]
        runs = [t for t in terms(f.name_zh or "") if is_cjk(t)]
        syllables = [[s.replace("ü", "v") for s in lazy_pinyin(r, v_to_u=False)] for r in runs]

        def in_pinyin(t: str, syllables=syllables) -> bool:
            if len(t) < 2 or not (t.isascii() and t.isalpha()):
                return False
            for ss in syllables:
                if t in "".join(s[0] for s in ss):
                    return True
                if any("".join(ss[i:]).startswith(t) for i in range(len(ss))):
                    return True
            return False

        if all(any(v in fld for v in variants(t) for fld in fields) or in_pinyin(t) for t in terms(q)):
            out.add(f.id)
    return out


def test_match_sets_equal_the_reference_matcher():
    factors = _library(250, 4) + ALUMINIUM
    index = FactorIndex(factors)
    queries = ["铝", "电解", "云南电解铝", "alu", "aluminum", "ingots", "djl", "yn", "lv", "dian", "jie lv", "2018",
               "cn-yn", "item", "item-02", "material cn", "41431", "zhongxing", "gang", "a", "电 铝", "rolled steel",
               "hot rolled", "xyz", "铝锭 ingot"]  # fmt: skip
    for q in queries:
        page = index.search(q, limit=MAX_LIMIT)
        assert {h.factor.id for h in page.hits} == reference_matches(factors, q), q
        assert page.total == len(page.hits)
        for year in (2016, 2020):  # a filter narrows the first term's look-up: same answer
            filtered = index.search(q, year=year, limit=MAX_LIMIT)
            want = {f.id for f in factors if f.year == year} & reference_matches(factors, q)
            assert {h.factor.id for h in filtered.hits} == want, (q, year)


# -- the built-in library (issue 17: the CPCD rows) ---------------------------------------------------------------


@pytest.fixture(scope="module")
def builtin_index() -> FactorIndex:
    index = FactorIndex.builtin()
    assert index is FactorIndex.builtin() and len(index) == len(FactorLibrary.builtin())
    return index


def test_builtin_电解铝_finds_the_cpcd_row_first(builtin_index):
    for q in ("电解铝", "dianjielv", "djl"):
        first = builtin_index.search(q).hits[0].factor
        assert first.name_zh == "电解铝", q
        assert first.source_id == "cpcd" and first.cpcd_code, q


def test_builtin_aluminium_lists_cpcd_rows_in_english(builtin_index):
    us, uk = builtin_index.search("aluminum", limit=50), builtin_index.search("aluminium", limit=50)
    assert ids(us) == ids(uk) and us.total >= 5
    assert any(h.factor.source_id == "cpcd" and h.factor.cpcd_code for h in uk.hits)


def test_builtin_电解铝_also_finds_原铝_the_same_product(builtin_index):
    """Practitioners call primary aluminium 电解铝; CPCD also lists it as 原铝: either name finds both."""
    for q in ("电解铝", "原铝"):
        names = [h.factor.name_zh for h in builtin_index.search(q, geography="CN").hits]
        assert "电解铝" in names and "原铝" in names, q
    # the exact name still ranks first
    assert builtin_index.search("原铝").hits[0].factor.name_zh == "原铝"
    assert builtin_index.search("电解铝").hits[0].factor.name_zh == "电解铝"
