"""Supply-chain recomputation: when an upstream footprint changes, recompute the dependent products and
report every dependent whose document cites an outdated version (for the node's recompute notices).

Two policies for the version a dependent is computed with:

* ``"cited"`` (default): exactly the version its document cites (``upstreamFootprint.version``), taken from
  ``published`` by ``identifier@version``. A signed document is never silently re-pointed: a product is
  recomputed only when a version it cites changed (``changed`` names ``identifier@version``, or a bare
  ``identifier`` for its newest version); its own new version is not cited by anyone yet, so its
  dependents are reported as outdated instead of recomputed;
* ``"newest"``: a what-if over the whole chain: every affected product cites the newest footprint of each
  upstream product (the ones recomputed in this run included) and gets the next version.

Steps:
  (1) index ``published`` by (identifier, version) and find the newest version of each identifier;
  (2) find the affected products and order them so that every product comes after the products it cites
      (a loop is an error);
  (3) compute each in that order with the versions the policy gives (they count as primary data, their
      breakdown carries through); a cited version that was not supplied is an error naming the input;
  (4) cross-check on Brightway: the affected products as one technosphere (linked where a product cites a
      result of this run), solved once for the cumulative score of every product
      (A^T s = B^T c with bw2calc's matrices); each total must match its result within 1e-9 relative;
  (5) list every citation, among the products depending on the changed ones, of a version older than the
      newest (recomputed versions included).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.sparse.linalg import spsolve

from footprint_engine.activity import ActivityData
from footprint_engine.brightway import import_bw2calc
from footprint_engine.calculate.build import build_result, engine_meta
from footprint_engine.calculate.lines import Inventory, build_inventory
from footprint_engine.calculate.matrices import build_system
from footprint_engine.calculate.options import CalculationOptions
from footprint_engine.calculate.result import FootprintResult
from footprint_engine.calculate.upstream import UpstreamFootprint
from footprint_engine.errors import CalculationError, UpstreamFootprintError
from footprint_engine.factors import FactorLibrary

__all__ = [
    "OutdatedCitation",
    "Recomputation",
    "citations",
    "cited_identifiers",
    "dependents_in_order",
    "recompute_dependents",
]

Policy = Literal["cited", "newest"]


@dataclass(frozen=True, slots=True)
class OutdatedCitation:
    """``product``'s document cites ``identifier`` at ``cited_version`` while ``newest_version`` exists."""

    product: str
    path: str  # e.g. inputs.materials[0].upstreamFootprint
    identifier: str
    cited_version: int
    newest_version: int


class Recomputation(dict[str, FootprintResult]):
    """New results by product identifier, in computation order, with what the node needs besides:

    ``versions`` (version number of each new result), ``cited`` (the ``identifier@version`` references each
    result was computed with), ``outdated`` (citations of versions older than the newest), ``policy``.
    """

    def __init__(self, policy: Policy) -> None:
        super().__init__()
        self.policy: Policy = policy
        self.versions: dict[str, int] = {}
        self.cited: dict[str, list[str]] = {}
        self.outdated: list[OutdatedCitation] = []

    def notices(self) -> dict[str, list[OutdatedCitation]]:
        """Outdated citations grouped by the product whose owner should be told to recompute."""
        out: dict[str, list[OutdatedCitation]] = {}
        for o in self.outdated:
            out.setdefault(o.product, []).append(o)
        return out


@dataclass(slots=True)
class _Published:
    by_ref: dict[tuple[str, int], UpstreamFootprint] = field(default_factory=dict)
    newest: dict[str, int] = field(default_factory=dict)

    def add(self, fp: UpstreamFootprint) -> None:
        self.by_ref[(fp.identifier, fp.version)] = fp
        self.newest[fp.identifier] = max(self.newest.get(fp.identifier, 0), fp.version)

    def latest(self, identifier: str) -> UpstreamFootprint | None:
        v = self.newest.get(identifier)
        return None if v is None else self.by_ref[(identifier, v)]


def citations(activity: ActivityData) -> list[tuple[str, str, int]]:
    """(path, identifier, version) of every upstream footprint the document cites."""
    return [
        (
            f"inputs.materials[{i}].upstreamFootprint",
            m.upstream_footprint.identifier,
            m.upstream_footprint.version,
        )
        for i, m in enumerate(activity.inputs.materials)
        if m.upstream_footprint
    ]


def cited_identifiers(activity: ActivityData) -> set[str]:
    return {identifier for _, identifier, _ in citations(activity)}


def dependents_in_order(documents: Mapping[str, ActivityData], changed: Iterable[str]) -> list[str]:
    """Identifiers of the products affected by ``changed`` (identifiers), each after everything it cites."""
    cites = {pid: cited_identifiers(doc) for pid, doc in documents.items()}
    return _order(cites, _closure(cites, set(changed)))


def _cited_by(cites: Mapping[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for pid, ups in cites.items():
        for up in ups:
            out.setdefault(up, set()).add(pid)
    return out


def _closure(cites: Mapping[str, set[str]], changed: set[str]) -> set[str]:
    cited_by = _cited_by(cites)
    affected: set[str] = set()
    queue = deque(changed)
    while queue:
        for dep in cited_by.get(queue.popleft(), ()):
            if dep not in affected:
                affected.add(dep)
                queue.append(dep)
    return affected


def _order(cites: Mapping[str, set[str]], affected: set[str]) -> list[str]:
    """Kahn's algorithm restricted to ``affected``."""
    cited_by = _cited_by(cites)
    indegree = {p: len(cites[p] & affected) for p in affected}
    ready = deque(sorted(p for p, d in indegree.items() if d == 0))
    order: list[str] = []
    while ready:
        p = ready.popleft()
        order.append(p)
        for dep in sorted(cited_by.get(p, set()) & affected):
            indegree[dep] -= 1
            if indegree[dep] == 0:
                ready.append(dep)
    if len(order) != len(affected):
        loop = sorted(affected - set(order))[:5]
        raise CalculationError(
            "supply chain loops",
            f"products cite each other: {loop}",
            "break the loop; a product cannot be its own upstream",
        )
    return order


def recompute_dependents(
    documents: Mapping[str, ActivityData],
    published: Mapping[str, UpstreamFootprint] | Iterable[UpstreamFootprint],
    changed: Iterable[str],
    *,
    library: FactorLibrary | None = None,
    options: CalculationOptions | None = None,
    cross_check: bool = True,
    policy: Policy = "cited",
) -> Recomputation:
    """New results for the products depending on ``changed``, and the outdated citations among them.

    ``documents``: activity data by product identifier; ``published``: the published footprints (every
    version a document may cite; a mapping's keys are ignored, each footprint carries identifier and
    version); ``changed``: ``identifier`` (its newest version changed) or ``identifier@version``.
    A new result's version is the newest published version of that product + 1.
    """
    library = library or FactorLibrary.builtin()
    options = options or CalculationOptions()
    # (1)
    pub = _Published()
    for fp in published.values() if isinstance(published, Mapping) else published:
        pub.add(fp)
    changed_refs = {_parse_ref(c, pub) for c in changed}
    changed_ids = {identifier for identifier, _ in changed_refs}
    cites = {pid: cited_identifiers(doc) for pid, doc in documents.items()}
    dependents = _closure(cites, changed_ids)
    # (2)
    if policy == "newest":
        affected = dependents
    elif policy == "cited":
        affected = {
            pid
            for pid, doc in documents.items()
            if any((identifier, v) in changed_refs for _, identifier, v in citations(doc))
        }
    else:
        raise CalculationError("unknown policy", repr(policy), "use 'cited' or 'newest'", field="policy")
    order = _order(cites, affected)
    out = Recomputation(policy)
    inventories: list[Inventory] = []
    for pid in order:  # (3)
        started = time.perf_counter()
        upstream = _upstream_for(pid, documents[pid], pub, policy)
        inv = build_inventory(documents[pid], library, upstream, options)
        flows, keys = _line_flows(inv)
        result = build_result(inv, keys, flows, library, options, engine_meta(library, options, started))
        version = pub.newest.get(pid, 0) + 1
        out[pid] = result
        out.versions[pid] = version
        out.cited[pid] = sorted(fp.reference for fp in upstream.values())
        pub.add(result.to_upstream(version=version))
        inventories.append(inv)
    if cross_check and inventories:  # (4)
        _cross_check(inventories, out, order, options, link=policy == "newest")
    # (5)
    for pid in sorted(dependents):
        for path, identifier, v in citations(documents[pid]):
            newest = pub.newest.get(identifier, v)
            if v < newest:
                out.outdated.append(OutdatedCitation(pid, path, identifier, v, newest))
    return out


def _parse_ref(ref: str, pub: _Published) -> tuple[str, int]:
    identifier, sep, version = ref.rpartition("@")
    if sep and version.isdigit():
        return identifier, int(version)
    if ref not in pub.newest:
        raise UpstreamFootprintError(
            "changed footprint not supplied",
            f"{ref!r} is named as changed but no version of it is in published",
            "pass its new footprint in published, or name it as identifier@version",
            field="changed",
        )
    return ref, pub.newest[ref]


def _upstream_for(
    pid: str, doc: ActivityData, pub: _Published, policy: Policy
) -> dict[str, UpstreamFootprint]:
    upstream: dict[str, UpstreamFootprint] = {}
    for path, identifier, v in citations(doc):
        fp = pub.latest(identifier) if policy == "newest" else pub.by_ref.get((identifier, v))
        if fp is None:
            raise UpstreamFootprintError(
                "upstream footprint missing",
                f"{pid} cites {identifier}@{v}, which is not among the published footprints",
                "pass every cited version in published (or recompute with policy='newest')",
                field=f"{pid}:{path}",
            )
        upstream[f"{identifier}@{v}"] = fp
    return upstream


def _line_flows(inv: Inventory) -> tuple[np.ndarray, list[str]]:
    keys = sorted({f for line in inv.lines for f in line.flows})
    index = {k: i for i, k in enumerate(keys)}
    out = np.zeros((len(keys), len(inv.lines)))
    for j, line in enumerate(inv.lines):
        for f, kg in line.flows.items():
            out[index[f], j] = kg * line.amount
    return out, keys


def _cross_check(
    inventories: list[Inventory],
    results: Mapping[str, FootprintResult],
    order: list[str],
    options: CalculationOptions,
    *,
    link: bool,
) -> None:
    system = build_system(inventories, options.gwp_set, link_products=link)
    bc = import_bw2calc(options.brightway_dir)
    lca = bc.LCA({0: 1.0}, data_objs=[system.datapackage])
    lca.lci()
    lca.lcia()
    c = lca.characterization_matrix.diagonal()
    cumulative = spsolve(lca.technosphere_matrix.T.tocsc(), lca.biosphere_matrix.T @ c)
    for k, pid in enumerate(order):
        got = float(cumulative[lca.dicts.activity[k]])
        want = results[pid].emissions.total
        if abs(got - want) > 1e-9 * max(1.0, abs(want)):
            raise CalculationError(
                "supply-chain cross-check failed",
                f"{pid}: Brightway linked system {got} vs product result {want}",
                "report this as a bug",
                field=pid,
            )
