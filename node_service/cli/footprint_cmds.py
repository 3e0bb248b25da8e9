"""``tanlian footprint …``: compute a product carbon footprint offline (document + factor library alone)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from node_service.cli._common import fail, print_json

__all__ = ["MAX_DOCUMENT_BYTES", "footprint_app", "register"]

#: Largest activity document or credential accepted (bytes).
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

footprint_app = typer.Typer(
    name="footprint",
    help="Product carbon footprints (GB/T 24067-2024 on Brightway, with green-power accounting).",
    no_args_is_help=True,
)


def _read_json(path: Path, what: str) -> Any:
    size = path.stat().st_size
    if size > MAX_DOCUMENT_BYTES:
        fail(f"{what} {path}: {size} bytes, limit {MAX_DOCUMENT_BYTES}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        fail(f"{what} {path}: not JSON ({exc})")


def activity_subject(data: Any) -> dict[str, Any]:
    """The activity document: the JSON itself, or the ``credentialSubject`` of a Verifiable Credential."""
    if isinstance(data, dict) and "credentialSubject" in data:
        subject = data["credentialSubject"]
        if isinstance(subject, list):
            if len(subject) != 1:
                raise ValueError(f"credentialSubject holds {len(subject)} subjects, want 1")
            subject = subject[0]
        data = subject
    if not isinstance(data, dict):
        raise ValueError("want a JSON object (activity data or a credential)")
    return data


@footprint_app.command("compute")
def compute_command(
    activity: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="ACTIVITY.json",
            help="Activity data, bare or as a Verifiable Credential.",
        ),
    ],
    iterations: Annotated[
        int, typer.Option(min=0, max=100_000, help="Monte Carlo iterations (0 turns it off).")
    ] = 1000,
    seed: Annotated[
        int | None, typer.Option(min=0, help="Monte Carlo seed (drawn and reported if absent).")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="json or table.")] = "json",
    gwp: Annotated[str, typer.Option(help="GWP100 set: AR6 or AR5.")] = "AR6",
    grid_basis: Annotated[
        str, typer.Option(help="footprint (MEE life-cycle) or co2 (MEE/NBS grid CO2).")
    ] = "footprint",
    factors: Annotated[
        list[Path] | None,
        typer.Option(
            "--factors", exists=True, dir_okay=False, help="Extra factor set (CSV or JSON); repeatable."
        ),
    ] = None,
    upstream: Annotated[
        list[Path] | None,
        typer.Option("--upstream", exists=True, dir_okay=False, help="Upstream footprint JSON; repeatable."),
    ] = None,
    pact: Annotated[
        bool, typer.Option("--pact", help="Add the PACT v3 pcf object to the JSON output.")
    ] = False,
    pact_v23: Annotated[
        bool, typer.Option("--pact-v23", help="Add the PACT v2.3 pcf object to the JSON output.")
    ] = False,
    product_mass: Annotated[
        float | None,
        typer.Option("--product-mass", help="kg of product per declared unit (PACT, for pieces)."),
    ] = None,
) -> None:
    """Compute the footprint of ACTIVITY.json per declared unit."""
    from footprint_engine.activity import parse_activity
    from footprint_engine.calculate import CalculationOptions, UpstreamFootprint, calculate
    from footprint_engine.calculate.result import FootprintResult
    from footprint_engine.calculate.uncertainty import monte_carlo_inventory
    from footprint_engine.errors import FootprintEngineError
    from footprint_engine.factors import FactorLibrary
    from footprint_engine.pact import to_pact_v3_pcf, to_pact_v23_pcf

    if output_format not in ("json", "table"):
        fail(f"footprint compute: --format {output_format!r}: want json or table")
    if gwp not in ("AR6", "AR5"):
        fail(f"footprint compute: --gwp {gwp!r}: want AR6 or AR5")
    if grid_basis not in ("footprint", "co2"):
        fail(f"footprint compute: --grid-basis {grid_basis!r}: want footprint or co2")
    try:
        doc = parse_activity(activity_subject(_read_json(activity, "activity")))
        library = FactorLibrary.builtin()
        for path in factors or []:
            library = library.with_file(path)
        ups: dict[str, UpstreamFootprint] = {}
        for path in upstream or []:
            data = _read_json(path, "upstream footprint")
            up = (
                UpstreamFootprint.model_validate(data)
                if "flows" in data and "version" in data
                else FootprintResult.model_validate(data).to_upstream(version=int(data.get("version", 1)))
            )
            ups[up.identifier] = up
        options = CalculationOptions(gwp_set=gwp, grid_basis=grid_basis, seed=seed)  # type: ignore[arg-type]
        result = calculate(doc, library=library, upstream=ups, options=options)
        if iterations:
            from footprint_engine.calculate.lines import build_inventory

            inv = build_inventory(doc, library, ups, options)
            with typer.progressbar(length=iterations, label="Monte Carlo", file=sys.stderr) as bar:
                done = [0]

                def progress(i: int, n: int) -> None:
                    bar.update(i - done[0])
                    done[0] = i

                mc = monte_carlo_inventory(
                    inv, options=options, iterations=iterations, seed=seed, progress=progress
                )
            result = result.model_copy(update={"uncertainty": mc})
        pcf = to_pact_v3_pcf(result, product_mass_per_declared_unit_kg=product_mass) if pact else None
        pcf23 = to_pact_v23_pcf(result, product_mass_per_declared_unit_kg=product_mass) if pact_v23 else None
    except FootprintEngineError as exc:
        fail(f"footprint compute: {exc}")
    except (ValueError, OSError) as exc:
        fail(f"footprint compute: {activity}: {exc}")
    if output_format == "table":
        typer.echo(render_table(result))
        return
    out = result.model_dump(mode="json", by_alias=True)
    if pcf is not None:
        out["pactV3Pcf"] = pcf
    if pcf23 is not None:
        out["pactV23Pcf"] = pcf23
    print_json(out)


def render_table(result: Any) -> str:
    e = result.emissions
    unit = result.declared_unit
    lines = [
        f"{result.product_identifier}  ({result.reporting_period_start} … {result.reporting_period_end}, "
        f"{result.system_boundary}, {result.method['gwp']})",
        f"  total                 {e.total:14.6g} kgCO2e/{unit}",
        f"    fossil              {e.fossil:14.6g}",
        f"    aircraft            {e.aircraft:14.6g}",
        f"    dLUC                {e.dluc:14.6g}",
        f"    biogenic emissions  {e.biogenic_emissions:14.6g}",
        f"    biogenic removals   {e.biogenic_removals:14.6g}",
        f"  electricity           location-based {result.electricity.total_location_based:.6g}, "
        f"market-based {result.electricity.total_market_based:.6g} "
        f"(GEC {result.electricity.gec_mwh:g} MWh, contracts {result.electricity.contract_mwh:g} MWh)",
        f"  energy (GB/T 2589)    {result.energy.kgce_per_declared_unit:14.6g} kgce/{unit}",
        f"  primary data share    {result.primary_data_share:14.4g} %",
        "  per stage:",
        *(f"    {s:<24}{v:14.6g}" for s, v in result.per_stage.items() if v),
        *(
            [
                f"  per functional unit   {result.functional_unit.total:14.6g} kgCO2e ({result.functional_unit.description})"
            ]
            if getattr(result, "functional_unit", None) is not None
            else []
        ),
        "  per input:",
        *(
            f"    {c.input_id:<20}{c.kg_co2e:14.6g}  {c.share_percent:6.2f} %  {c.description}"
            for c in sorted(result.per_input, key=lambda c: -abs(c.kg_co2e))
        ),
    ]
    if result.uncertainty is not None:
        u = result.uncertainty
        lines.append(
            f"  Monte Carlo ({u.iterations}, seed {u.seed}): mean {u.mean:.6g}, median {u.median:.6g}, "
            f"95 % interval {u.p2_5:.6g} … {u.p97_5:.6g}"
        )
    if result.illustrative_factors_used:
        lines.append("  note: illustrative secondary factors were used (see factors[].illustrative)")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add the ``footprint`` command group to the main ``tanlian`` app."""
    app.add_typer(footprint_app, name="footprint")
