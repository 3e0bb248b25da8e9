"""The communication as the Commission's own "Communication template for installations" workbook
(version of 2024-12-13): a copy of the bundled template with the operator's inputs written into its
input sheets — A_InstData, B_EmInst, C_Emissions&Energy, D_Processes, E_PurchPrec, Summary_Products
(qualifying parameters, carbon price) and Summary_Processes (carbon price instrument, remarks). Every
formula, style, validation list and the Translations sheet stay the template's; the summaries
(Summary_Processes, Summary_Products' figures, Summary_Communication) are the template's own formulas,
computed when the workbook is opened or recalculated (openpyxl does not calculate).

Two sheets of ours follow the template's 19: `tanlian_Receipts` (the receipts of the data behind the
figures) and `tanlian_DefaultComparison`. openpyxl drops the x14 conditional-formatting extensions of
F_Tools and Summary_Processes (colour hints only; docs/cbam.md).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook

from footprint_engine.cbam import workbook_layout as L
from footprint_engine.cbam.communication import verification_statement
from footprint_engine.cbam.errors import CbamInputError
from footprint_engine.cbam.results import Communication, PrecursorContribution, ProcessResult
from footprint_engine.cbam.template_wording import (
    route_index,
    template_category,
    template_route,
)
from footprint_engine.cbam.workbook_extra_sheets import comparison_rows, receipt_rows
from footprint_engine.cbam.xlsx_patch import Cell, TemplatePatch

__all__ = [
    "ELECTRICITY_SOURCE_CODES",
    "RECEIPTS_SHEET",
    "communication_to_xlsx",
    "template_cn_codes",
    "write_communication_xlsx",
]

RECEIPTS_SHEET = "tanlian_Receipts"
COMPARISON_SHEET = "tanlian_DefaultComparison"
#: our electricity basis → the template's "source of the emission factor" code (G_FurtherGuidance j):
#: D.4(b) published average of the grid, D.4.3.1 direct technical link, D.4.3.2 power purchase agreement.
ELECTRICITY_SOURCE_CODES = {
    "grid": "D.4(b)",
    "direct_technical_link": "D.4.3.1",
    "power_purchase_agreement": "D.4.3.2",
}


@functools.cache
def _template_bytes() -> bytes:
    return L.TEMPLATE_PATH.read_bytes()


@functools.cache
def _code_lists() -> tuple[dict[str, str], frozenset[str]]:
    """The template's country names by ISO code (c_CodeLists F:G) and its CN codes (Parameters_CNCodes B)."""
    # data_only: the names are formulas over the Translations sheet; their English results are cached.
    wb = load_workbook(io.BytesIO(_template_bytes()), read_only=True, data_only=True)
    try:
        names = {
            str(code): str(name)
            for code, name in wb["c_CodeLists"].iter_rows(
                min_row=11, max_row=277, min_col=6, max_col=7, values_only=True
            )
            if isinstance(code, str) and isinstance(name, str)
        }
        rows = wb["Parameters_CNCodes"].iter_rows(
            min_row=4, max_row=600, min_col=2, max_col=2, values_only=True
        )
        codes = frozenset(str(v).replace(" ", "") for (v,) in rows if v)
    finally:
        wb.close()
    return names, codes


class _Sheet:
    """Writes into one sheet of the patched template."""

    def __init__(self, patch: TemplatePatch, title: str) -> None:
        self.patch, self.title = patch, title


class _Book:
    def __init__(self, patch: TemplatePatch) -> None:
        self.patch = patch

    def __getitem__(self, title: str) -> _Sheet:
        return _Sheet(self.patch, title)


def _put(ws: _Sheet, cell: str, value: Cell) -> None:
    """Write an input (never over a template formula: the patch refuses it)."""
    ws.patch.put(ws.title, cell, value)


def _check_limits(c: Communication, purchased: list[_Purchased]) -> None:
    categories = {template_category(p.aggregated_goods_category) for p in c.processes}
    limits = (
        ("production processes", len(c.processes), L.MAX_PROCESSES),
        ("aggregated goods categories", len(categories), L.MAX_CATEGORIES),
        ("purchased precursors", len(purchased), L.MAX_PURCHASED_PRECURSORS),
        ("goods", len(c.goods), L.MAX_PRODUCTS),
        ("source streams", sum(1 for s in c.emission_sources if s.kind in ("fuel", "process")), 75),
        ("PFC sources", sum(1 for s in c.emission_sources if s.kind == "pfc"), L.MAX_PFC_SOURCES),
    )
    for what, got, limit in limits:
        if got > limit:
            raise CbamInputError(
                f"communication template: {got} {what}, the template holds at most {limit} per installation — "
                "split the installation's data over a second workbook"
            )


class _Purchased:
    """One purchased precursor of the template (A_InstData 5 / E_PurchPrec): the same precursor id with
    the same data, consumed by one or more processes."""

    def __init__(self, first: PrecursorContribution) -> None:
        self.contribution = first
        self.consumed: dict[str, float] = {}


def _purchased_precursors(c: Communication) -> list[_Purchased]:
    found: dict[str, _Purchased] = {}
    for p in c.processes:
        for pre in p.precursors:
            if pre.from_process is not None:
                continue
            entry = found.get(pre.precursor_id)
            if entry is None:
                entry = found[pre.precursor_id] = _Purchased(pre)
            elif (
                entry.contribution.see_direct,
                entry.contribution.see_indirect,
                entry.contribution.cn_code,
            ) != (
                pre.see_direct,
                pre.see_indirect,
                pre.cn_code,
            ):
                raise CbamInputError(
                    f"purchased precursor {pre.precursor_id!r} appears twice with different data — give each "
                    "a distinct precursor_id"
                )
            entry.consumed[p.process_id] = entry.consumed.get(p.process_id, 0.0) + pre.mass_t
    return list(found.values())


def _process_names(c: Communication) -> dict[str, str]:
    names: dict[str, str] = {}
    for p in c.processes:
        name = (p.name or p.process_id)[:200]
        if name in names.values():
            name = f"{name} ({p.process_id})"
        names[p.process_id] = name
    return names


def _fill_installation(wb: _Book, c: Communication, countries: dict[str, str]) -> None:
    ws = wb["A_InstData"]
    inst = c.installation
    _put(ws, L.REPORTING_START, inst.reporting_period_start)
    _put(ws, L.REPORTING_END, inst.reporting_period_end)
    values: dict[str, Cell] = {
        "name_local": inst.name_local,
        "name": inst.name,
        "street": inst.street,
        "economic_activity": inst.economic_activity,
        "postcode": inst.postcode,
        "po_box": inst.po_box,
        "city": inst.city,
        "country_name": countries.get(inst.country, inst.country),
        "unlocode": inst.unlocode,
        "latitude": inst.latitude,
        "longitude": inst.longitude,
    }
    if inst.contact is not None:
        values.update(
            contact_name=inst.contact.name, contact_email=inst.contact.email, contact_phone=inst.contact.phone
        )
    for key, value in values.items():
        _put(ws, L.INSTALLATION_CELLS[key], value)
    v = inst.verifier
    if v is not None:
        verifier: dict[str, Cell] = {
            "company_name": v.company_name,
            "street": v.street,
            "city": v.city,
            "postcode": v.postcode,
            "country_name": countries.get(v.country, v.country),
            "accreditation_member_state": v.accreditation_member_state,
            "accreditation_body": v.accreditation_body,
            "registration_number": v.registration_number,
        }
        if v.representative is not None:
            verifier.update(
                representative_name=v.representative.name,
                representative_email=v.representative.email,
                representative_phone=v.representative.phone,
            )
        for key, value in verifier.items():
            _put(ws, L.VERIFIER_CELLS[key], value)


def _fill_goods_and_processes(
    wb: _Book, c: Communication, purchased: list[_Purchased], names: dict[str, str]
) -> None:
    ws = wb["A_InstData"]
    # 4(a): every aggregated goods category produced, with the routes used.
    categories: dict[str, list[str]] = {}
    for p in c.processes:
        category = template_category(p.aggregated_goods_category)
        routes = categories.setdefault(category, [])
        route = template_route(p.aggregated_goods_category, p.production_route)
        if route not in routes:
            routes.append(route)
    for offset, (category, routes) in enumerate(categories.items()):
        row = L.CATEGORY_FIRST_ROW + offset
        _put(ws, f"E{row}", category)
        for letter, route in zip(L.CATEGORY_ROUTE_COLUMNS, routes, strict=False):
            _put(ws, f"{letter}{row}", route)
    # 4(b): production processes.
    for offset, p in enumerate(c.processes):
        row = L.PROCESS_FIRST_ROW + offset
        _put(ws, f"E{row}", template_category(p.aggregated_goods_category))
        _put(ws, f"F{row}", L.ONLY_DIRECT_PRODUCTION)
        _put(ws, f"L{row}", names[p.process_id])
    # 5: purchased precursors.
    for offset, entry in enumerate(purchased):
        pre = entry.contribution
        row = L.PURCHASED_FIRST_ROW + offset
        _put(ws, f"E{row}", template_category(pre.aggregated_goods_category))
        _put(ws, f"F{row}", pre.country_of_origin)
        _put(ws, f"G{row}", template_route(pre.aggregated_goods_category, pre.production_route))
        _put(ws, f"L{row}", pre.precursor_id[:200])


def _source_row(ws: _Sheet, row: int, line: Any) -> None:
    """One calculation-based source stream. Activity in t or 1000Nm3 with a factor per unit goes in as
    activity × factor; anything else (energy in TJ, emissions given as tCO2e) as its emissions with a
    factor of 1 tCO2/t, the derivation spelled out in the stream's name."""
    method = "Combustion" if line.kind == "fuel" else "Process emissions"
    _put(ws, f"D{row}", method)
    unit = line.activity_unit.strip()
    if line.activity_data is not None and unit in ("t", "1000Nm3"):
        name = f"{line.source_id}: {line.description}".strip(": ")
        ad, ef, ef_unit = (
            line.activity_data,
            line.emission_factor,
            "tCO2/t" if unit == "t" else "tCO2/1000Nm3",
        )
    else:
        how = (
            f"{line.activity_data:g} {unit or 'units'} × {line.emission_factor:g} ({line.factor_source})"
            if line.activity_data is not None
            else "emissions as reported"
        )
        name = f"{line.source_id}: {line.description + '; ' if line.description else ''}{how}"
        ad, ef, unit, ef_unit = line.tco2e, 1.0, "t", "tCO2/t"
    _put(ws, f"E{row}", name[:250])
    _put(ws, f"F{row}", ad)
    _put(ws, f"G{row}", unit)
    _put(ws, f"J{row}", ef)
    _put(ws, f"K{row}", ef_unit)
    _put(ws, f"{'N' if method == 'Combustion' else 'P'}{row}", 100)
    _put(ws, f"R{row}", 0)


def _fill_sources(wb: _Book, c: Communication) -> None:
    ws = wb["B_EmInst"]
    streams = [s for s in c.emission_sources if s.kind in ("fuel", "process")]
    for offset, line in enumerate(streams):
        _source_row(ws, L.SOURCE_STREAM_FIRST_ROW + offset, line)
    pfcs = [s for s in c.emission_sources if s.kind == "pfc"]
    for offset, line in enumerate(pfcs):
        slope = line.pfc_slope
        assert slope is not None  # _check_goods
        row = L.PFC_FIRST_ROW + offset
        for col, value in (
            ("D", "Slope method"),
            ("E", slope.technology),
            ("F", slope.primary_aluminium_t),
            ("AG", slope.anode_effect_frequency),
            ("AH", slope.anode_effect_duration),
            ("AI", slope.sef_cf4),
            ("AM", slope.f_c2f6),
            ("AT", slope.collection_efficiency),
        ):
            _put(ws, f"{col}{row}", value)
    energy = wb["C_Emissions&Energy"]
    inst = c.installation
    _put(energy, L.TOTAL_INDIRECT_MANUAL, inst.total_indirect_tco2e)
    _put(energy, L.DATA_QUALITY, inst.data_quality)
    _put(energy, L.DEFAULT_JUSTIFICATION, inst.default_value_justification)
    qa = inst.quality_assurance or ("Third-party verification" if inst.verified else "")
    _put(energy, L.QUALITY_ASSURANCE, qa)


def _electricity_source(p: ProcessResult) -> str:
    codes = {ELECTRICITY_SOURCE_CODES[line.basis] for line in p.electricity}
    if len(codes) == 1:
        return codes.pop()
    return "Mix" if codes else ELECTRICITY_SOURCE_CODES["grid"]


def _fill_processes(wb: _Book, c: Communication) -> None:
    ws = wb["D_Processes"]
    index = {p.process_id: i for i, p in enumerate(c.processes)}
    consumed_in: dict[str, dict[str, float]] = {p.process_id: {} for p in c.processes}
    for p in c.processes:
        for pre in p.precursors:
            if pre.from_process is not None:
                by = consumed_in[pre.from_process]
                by[p.process_id] = by.get(p.process_id, 0.0) + pre.mass_t
    for i, p in enumerate(c.processes):
        category = template_category(p.aggregated_goods_category)
        route = template_route(p.aggregated_goods_category, p.production_route)
        _put(ws, f"L{L.process_row(i, 4 + route_index(category, route))}", p.activity_level_t)
        in_house = consumed_in[p.process_id]
        _put(ws, f"L{L.process_row(i, 16)}", p.activity_level_t - sum(in_house.values()))
        for consumer, mass in in_house.items():
            k = index[consumer] + 1  # 1-based process number of the consumer
            row_offset = 21 + (k - 1 if k < i + 1 else k - 2)
            _put(ws, f"L{L.process_row(i, row_offset)}", mass)
        _put(ws, f"L{L.process_row(i, 30)}", 0)
        _put(ws, f"K{L.process_row(i, 39)}", False)  # measurable heat: in DirEm
        _put(ws, f"L{L.process_row(i, 39)}", False)  # waste gases
        _put(ws, f"L{L.process_row(i, 43)}", p.attributed_direct_tco2e)
        factor = p.attributed_indirect_tco2e / p.electricity_mwh if p.electricity_mwh else 0.0
        _put(ws, f"L{L.process_row(i, 54)}", p.electricity_mwh)
        _put(ws, f"L{L.process_row(i, 55)}", factor)
        _put(ws, f"L{L.process_row(i, 56)}", _electricity_source(p))


def _fill_purchased(wb: _Book, c: Communication, purchased: list[_Purchased], grid: float | None) -> None:
    ws = wb["E_PurchPrec"]
    index = {p.process_id: i for i, p in enumerate(c.processes)}
    for j, entry in enumerate(purchased):
        pre = entry.contribution
        category = template_category(pre.aggregated_goods_category)
        route = template_route(pre.aggregated_goods_category, pre.production_route)
        total = sum(entry.consumed.values())
        _put(ws, f"L{L.purchased_row(j, 2 + route_index(category, route))}", total)
        for process_id, mass in entry.consumed.items():
            _put(ws, f"L{L.purchased_row(j, 14 + index[process_id])}", mass)
        _put(ws, f"L{L.purchased_row(j, 24)}", 0)
        source = "Default" if pre.determination == "default" else "Measured"
        _put(ws, f"L{L.purchased_row(j, 35)}", pre.see_direct)
        _put(ws, f"M{L.purchased_row(j, 35)}", source)
        # SEE (indirect) = specific electricity × EF: the supplier's figures when given; otherwise the
        # electricity implied by SEE (indirect) at the grid factor of this installation's country.
        if pre.electricity_mwh_per_t is not None and pre.electricity_factor is not None:
            mwh, factor, mwh_source = pre.electricity_mwh_per_t, pre.electricity_factor, source
        elif pre.see_indirect == 0:
            mwh, factor, mwh_source = 0.0, grid or 0.0, source
        else:
            factor = grid or 1.0
            mwh, mwh_source = pre.see_indirect / factor, "Default" if source == "Default" else "Unknown"
        _put(ws, f"L{L.purchased_row(j, 36)}", mwh)
        _put(ws, f"M{L.purchased_row(j, 36)}", mwh_source)
        _put(ws, f"L{L.purchased_row(j, 37)}", factor)
        _put(ws, f"M{L.purchased_row(j, 37)}", ELECTRICITY_SOURCE_CODES["grid"])
        if pre.determination == "default" and c.installation.default_value_justification:
            _put(ws, f"K{L.purchased_row(j, 40)}", c.installation.default_value_justification)


def template_cn_codes() -> frozenset[str]:
    """The 8-digit CN codes the template lists (Parameters_CNCodes column B, "7208 39 00")."""
    return _code_lists()[1]


def _check_goods(c: Communication) -> None:
    known = template_cn_codes()
    for g in c.goods:
        if g.cn_code[:8] not in known:
            near = sorted(code for code in known if code[:4] == g.cn_code[:4])
            raise CbamInputError(
                f"good {g.good_id!r}: CN code {g.cn_code[:8]} is not in the communication template's CN list "
                f"(version {L.TEMPLATE_VERSION}) — use the current 8-digit code"
                + (f", e.g. {', '.join(near[:5])}" if near else "")
            )
    for line in c.emission_sources:
        if line.kind == "pfc" and line.pfc_slope is None:
            raise CbamInputError(
                f"direct emission source {line.source_id!r}: PFC given as tCO2e, but the communication template "
                "computes PFC emissions by the slope method — give pfc_slope (anode effects, SEF, F(C2F6), "
                "collection efficiency)"
            )


def _fill_products(wb: _Book, c: Communication, names: dict[str, str]) -> None:
    ws = wb["Summary_Products"]
    columns = L.PARAMETER_COLUMNS
    for offset, g in enumerate(c.goods):
        row = L.PRODUCTS_FIRST_ROW + offset
        _put(ws, f"D{row}", names[g.process_id])
        _put(ws, f"F{row}", g.cn_code[:8])
        _put(ws, f"H{row}", g.product_name or g.cn_name[:200])
        _put(ws, f"P{row}", g.reducing_agent)
        _put(ws, f"Q{row}", g.steel_mill_id)
        for name, parameter in g.qualifying_parameters.items():
            _put(ws, f"{columns[name]}{row}", parameter)
        cp = g.carbon_price
        if cp is not None:
            for col, value in (
                ("AL", cp.instrument_type),
                ("AM", cp.share_covered),
                ("AP", cp.currency),
                ("AR", cp.price_due_per_t),
                ("AT", cp.rebate_type),
                ("AU", cp.rebate_share),
                ("AX", cp.rebate_amount_per_t),
            ):
                _put(ws, f"{col}{row}", value)


def _fill_remarks(wb: _Book, c: Communication) -> None:
    ws = wb["Summary_Processes"]
    instruments = sorted(
        {
            f"{g.carbon_price.instrument_type}: {g.carbon_price.legal_act}".rstrip(": ")
            for g in c.goods
            if g.carbon_price
        }
    )
    _put(ws, L.CARBON_PRICE_INSTRUMENT, "; ".join(instruments)[:250])
    _put(
        ws,
        L.ADDITIONAL_INFORMATION,
        (
            f"{verification_statement(c)}. Electricity factor rule: {c.electricity_rule} "
            f"Receipts of the data behind these figures: sheet {RECEIPTS_SHEET}."
        )[:1000],
    )


def write_communication_xlsx(
    communication: Communication, target: str | Path | IO[bytes], *, grid_factor: float | None = None
) -> None:
    """Fill a copy of the template and write it to a path or a binary stream.

    `grid_factor`: tCO2/MWh used to express a purchased precursor's SEE (indirect) as electricity × factor
    when its supplier gave only the product (the installation's grid factor when None)."""
    c = communication
    purchased = _purchased_precursors(c)
    _check_limits(c, purchased)
    _check_goods(c)
    if grid_factor is None:
        grid_lines = [line for p in c.processes for line in p.electricity if line.basis == "grid"]
        grid_factor = grid_lines[0].factor_tco2_per_mwh if grid_lines else None
    patch = TemplatePatch(_template_bytes())
    wb = _Book(patch)
    names = _process_names(c)
    _fill_installation(wb, c, _code_lists()[0])
    _fill_goods_and_processes(wb, c, purchased, names)
    _fill_sources(wb, c)
    _fill_processes(wb, c)
    _fill_purchased(wb, c, purchased, grid_factor)
    _fill_products(wb, c, names)
    _fill_remarks(wb, c)
    patch.append_sheet(RECEIPTS_SHEET, receipt_rows(c.receipts))
    patch.append_sheet(COMPARISON_SHEET, comparison_rows(c))
    data = patch.render()
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)


def communication_to_xlsx(communication: Communication) -> bytes:
    """The filled workbook as bytes."""
    buffer = io.BytesIO()
    write_communication_xlsx(communication, buffer)
    return buffer.getvalue()
