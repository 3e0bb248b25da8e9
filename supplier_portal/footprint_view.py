"""What the footprint page shows, computed from the stored footprint document (pure functions).

The charts' data (ECharts options are assembled in the browser from this): stage bars, the top
contributors, and two Sankey diagrams — emission flows (input → life-cycle stage → total, kgCO2e) and
energy flows (carrier → site energy, kgce, GB/T 2589), with electricity split into grid and GEC-covered.
Sankey links must be positive, so biogenic removals appear in the tables, not in the flows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from node_service.services.reports.factor_notes import FactorNote, factor_notes, rule_notes

__all__ = ["STAGE_LABELS", "chart_data", "factors_used", "summary"]


def N_(message: str) -> str:
    return message


STAGE_LABELS = {
    "raw-material-acquisition": N_("Raw material acquisition"),
    "production": N_("Production"),
    "distribution": N_("Distribution"),
    "use": N_("Use"),
    "end-of-life": N_("End of life"),
}
KIND_LABELS = {
    "material": N_("Materials"),
    "packaging": N_("Packaging"),
    "fuel": N_("Fuels"),
    "electricity": N_("Electricity"),
    "heat": N_("Heat"),
    "transport": N_("Transport"),
    "process": N_("Process emissions"),
    "process-emission": N_("Process emissions"),
    "waste": N_("Waste"),
}
TOP_N = 8


def summary(document: dict[str, Any]) -> dict[str, Any]:
    """The figures the page prints, straight from the engine's result."""
    result = document.get("result") or {}
    return {
        "emissions": result.get("emissions") or {},
        "per_gas": result.get("perGas") or [],
        "per_stage": result.get("perStage") or {},
        "per_input": sorted(result.get("perInput") or [], key=lambda i: -abs(i.get("kgCo2E", 0.0))),
        "electricity": result.get("electricity") or {},
        "energy": result.get("energy") or {},
        "uncertainty": result.get("uncertainty"),
        "dqi": result.get("dqi") or {},
        "primary_data_share": result.get("primaryDataShare"),
        "method": result.get("method") or {},
        "system_boundary": result.get("systemBoundary"),
        "illustrative": result.get("illustrativeFactorsUsed"),
        "factors": result.get("factors") or [],
    }


def factors_used(result: Mapping[str, Any] | None, locale: str) -> dict[str, list[Any]]:
    """The factors a result (or a dry run's preview) used and the account rule, worded in the page's language as
    in the study report: ``{"factors": [FactorNote …], "rules": [sentence …]}``."""
    lang: Literal["zh", "en"] = "en" if locale == "en" else "zh"
    if not result:
        return {"factors": [], "rules": []}
    notes: list[FactorNote] = factor_notes(result, lang)
    return {"factors": notes, "rules": rule_notes(result, lang)}


def _label(item: dict[str, Any]) -> str:
    return str(item.get("description") or item.get("inputId") or "?")


def chart_data(document: dict[str, Any], _: Callable[[str], str]) -> dict[str, Any]:
    result = document.get("result") or {}
    per_stage: dict[str, float] = result.get("perStage") or {}
    stages = [s for s in STAGE_LABELS if s in per_stage]
    inputs = sorted(result.get("perInput") or [], key=lambda i: -i.get("kgCo2E", 0.0))
    total_label = _("Total (kgCO2e)")

    # contributors: the TOP_N largest inputs and the rest as one bar
    top = inputs[:TOP_N]
    rest = sum(i.get("kgCo2E", 0.0) for i in inputs[TOP_N:])
    contributors = [{"name": _label(i), "value": round(i.get("kgCo2E", 0.0), 6)} for i in top]
    if rest:
        contributors.append({"name": _("Other inputs"), "value": round(rest, 6)})

    # emission Sankey: input -> stage -> total (positive flows only)
    nodes: dict[str, None] = {}
    links: list[dict[str, Any]] = []
    stage_name = {s: _(STAGE_LABELS[s]) for s in stages}
    for item in inputs:
        value = item.get("kgCo2E", 0.0)
        stage = item.get("stage")
        if value <= 0 or stage not in stage_name:
            continue
        source = _label(item) if item in top else _("Other inputs")
        nodes[source] = None
        nodes[stage_name[stage]] = None
        links.append({"source": source, "target": stage_name[stage], "value": value})
    for stage in stages:
        if per_stage.get(stage, 0.0) > 0 and stage_name[stage] in nodes:
            nodes[total_label] = None
            links.append({"source": stage_name[stage], "target": total_label, "value": per_stage[stage]})
    links = _merge(links)

    # energy Sankey: carriers -> site energy (kgce), electricity split by GEC coverage
    energy = result.get("energy") or {}
    electricity = result.get("electricity") or {}
    site = _("Site energy (kgce)")
    energy_links: list[dict[str, Any]] = []
    elec_label = _("Electricity")
    for key, value in (energy.get("breakdown") or {}).items():
        if value <= 0:
            continue
        if key == "electricity":
            consumed = electricity.get("consumedMwh") or 0.0
            covered = (electricity.get("gecMwh") or 0.0) + (electricity.get("contractMwh") or 0.0)
            if consumed > 0 and covered > 0:
                green = value * covered / consumed
                energy_links.append(
                    {"source": _("Green electricity (GEC)"), "target": elec_label, "value": green}
                )
                energy_links.append(
                    {"source": _("Grid electricity"), "target": elec_label, "value": value - green}
                )
            energy_links.append({"source": elec_label, "target": site, "value": value})
        else:
            energy_links.append(
                {"source": key.split(":", 1)[-1].replace("_", " "), "target": site, "value": value}
            )
    energy_nodes = list(dict.fromkeys(n for link in energy_links for n in (link["source"], link["target"])))

    return {
        "stages": {
            "labels": [stage_name[s] for s in stages],
            "values": [round(per_stage[s], 6) for s in stages],
        },
        "contributors": contributors,
        "sankey": {"nodes": [{"name": n} for n in nodes], "links": links},
        "energySankey": {"nodes": [{"name": n} for n in energy_nodes], "links": energy_links},
        "units": {"emissions": "kgCO2e / " + str(document.get("declaredUnit", "")), "energy": "kgce"},
    }


def _merge(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], float] = {}
    for link in links:
        key = (link["source"], link["target"])
        merged[key] = merged.get(key, 0.0) + float(link["value"])
    return [{"source": s, "target": t, "value": round(v, 6)} for (s, t), v in merged.items()]
