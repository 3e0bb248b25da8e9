"""recompute_dependents: the version each document cites, new versions, outdated citations (notices)."""

import importlib.util
from pathlib import Path

import pytest
from pytest import approx

from footprint_engine.activity import parse_activity
from footprint_engine.calculate import calculate
from footprint_engine.calculate.supply_chain import OutdatedCitation, recompute_dependents
from footprint_engine.errors import CalculationError, UpstreamFootprintError

_spec = importlib.util.spec_from_file_location("three_tier", Path(__file__).with_name("three_tier.py"))
three_tier = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(three_tier)

RESIN, PART, ASSY = "88.100.1/RESIN", "88.100.2/PART", "88.100.3/ASSY"


@pytest.fixture(scope="module")
def chain():
    r1 = calculate(parse_activity(three_tier.tier1()))
    r2 = calculate(parse_activity(three_tier.tier2()), upstream={f"{RESIN}@1": r1.to_upstream(1)})
    docs = {d["productIdentifier"]: parse_activity(d) for d in (three_tier.tier2(), three_tier.tier3())}
    doubled = {k: 2 * v for k, v in r1.flows.items()}
    return r1, r2, docs, doubled


def test_a_new_upstream_version_gives_notices_not_silent_recomputes(chain):
    r1, r2, docs, doubled = chain
    v2 = r1.to_upstream(2).model_copy(update={"flows": doubled})
    out = recompute_dependents(docs, [r1.to_upstream(1), v2, r2.to_upstream(1)], [RESIN])
    assert dict(out) == {}  # the part's signed document still cites resin v1: nothing to recompute
    assert out.outdated == [
        OutdatedCitation(
            PART, "inputs.materials[0].upstreamFootprint", RESIN, cited_version=1, newest_version=2
        )
    ]
    assert list(out.notices()) == [PART]


def test_a_restated_cited_version_is_recomputed_with_that_version(chain):
    r1, r2, docs, doubled = chain
    restated = r1.to_upstream(1).model_copy(update={"flows": doubled})
    newer = r1.to_upstream(2)  # exists, but nobody cites it: must not be used
    out = recompute_dependents(docs, [restated, newer, r2.to_upstream(1)], [f"{RESIN}@1"])
    assert list(out) == [PART]
    assert out.versions == {PART: 2}
    assert out.cited == {PART: [f"{RESIN}@1"]}
    part_resin = 500 * 2 * r1.emissions.total
    # wind GEC: MEE 2024 wind 0.0324 + transmission and distribution 0.0046 (the MWh came over the grid)
    want = 0.8 * (part_resin + 0.5 * 200 * 0.107 + 1000 * (0.0324 + 0.0046) + 2000 * 0.5777) / 1000
    assert out[PART].emissions.total == approx(want, rel=1e-9)
    assert out[PART].upstream_footprints == [f"{RESIN}@1"]
    # the assembly cites part v1; part v2 now exists → notice (not recomputed), and the part cites an old resin
    assert {(o.product, o.identifier, o.cited_version, o.newest_version) for o in out.outdated} == {
        (ASSY, PART, 1, 2),
        (PART, RESIN, 1, 2),
    }


def test_newest_policy_recomputes_the_whole_chain_and_reports_every_stale_citation(chain):
    r1, r2, docs, doubled = chain
    v2 = r1.to_upstream(2).model_copy(update={"flows": doubled})
    out = recompute_dependents(docs, [r1.to_upstream(1), v2, r2.to_upstream(1)], [RESIN], policy="newest")
    assert list(out) == [PART, ASSY]
    assert out.versions == {PART: 2, ASSY: 1}
    assert out.cited == {PART: [f"{RESIN}@2"], ASSY: [f"{PART}@2"]}
    assert {(o.product, o.identifier, o.newest_version) for o in out.outdated} == {
        (PART, RESIN, 2),
        (ASSY, PART, 2),
    }


def test_a_cited_version_not_supplied_names_the_input(chain):
    r1, r2, docs, _ = chain
    with pytest.raises(UpstreamFootprintError) as info:
        recompute_dependents(docs, [r1.to_upstream(2), r2.to_upstream(1)], [f"{RESIN}@1"])
    assert info.value.field == f"{PART}:inputs.materials[0].upstreamFootprint"
    assert f"{RESIN}@1" in str(info.value)


def test_an_unknown_changed_identifier_is_refused(chain):
    _, _, docs, _ = chain
    with pytest.raises(UpstreamFootprintError) as info:
        recompute_dependents(docs, [], ["88.100.9/NOPE"])
    assert info.value.field == "changed"


def test_an_unknown_policy_is_refused(chain):
    r1, _, docs, _ = chain
    with pytest.raises(CalculationError) as info:
        recompute_dependents(docs, [r1.to_upstream(1)], [RESIN], policy="latest")  # type: ignore[arg-type]
    assert info.value.field == "policy"


def test_calculate_refuses_a_bare_upstream_of_another_version(chain):
    r1, _, _, _ = chain
    with pytest.raises(UpstreamFootprintError) as info:
        calculate(parse_activity(three_tier.tier2()), upstream={RESIN: r1.to_upstream(2)})
    assert info.value.field == "inputs.materials[0].upstreamFootprint.version"
    assert f"{RESIN}@1" in str(info.value)
