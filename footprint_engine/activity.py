"""The activity-data document (schema version 1).

A supplier's activity data for one product and one reporting period. It travels as the
``credentialSubject`` of a W3C Verifiable Credential; this module only knows the subject.
JSON names are camelCase (the names below, through ``alias_generator``); Python attributes are
snake_case. Identifiers (IDIS handles, GTINs, URNs) are carried as strings: the node resolves them.

Rules checked here (each error names the field path):

* every amount is finite and >= 0 (produced quantity > 0);
* every unit is known to pint and has the dimension its field needs;
* green-power claims: whole MWh per GEC serial, no serial twice in the document, claimed MWh per
  electricity input <= consumed MWh (date rules need the library-free period check in
  :mod:`footprint_engine.greenpower`, which also runs at validation time);
* co-product allocation shares, when given, name the product and every co-product and sum to 100 %;
* input ids are unique across the document (scenario items included);
* life-cycle scenarios (use, end of life, functional unit): see :mod:`footprint_engine.scenarios`.

The parts of the document are defined below it: the value types and the model base in
:mod:`footprint_engine.activity_base`, the inputs in :mod:`footprint_engine.activity_inputs`, co-products and
allocation in :mod:`footprint_engine.allocation`, the scenarios in :mod:`footprint_engine.scenarios`; this
module puts them together, runs the rules that involve several parts, and re-exports the public names.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from footprint_engine.activity_base import (
    STAGES,
    Cid,
    DataQuality,
    DataSource,
    DocumentModel,
    Gas,
    Origin,
    Quantity,
    ReportingPeriod,
    Stage,
    Uncertainty,
)
from footprint_engine.activity_inputs import (
    INPUT_LISTS,
    ContractClaim,
    ElectricityInput,
    FuelInput,
    GecCancellation,
    GecClaim,
    HeatInput,
    Inputs,
    MaterialInput,
    PackagingInput,
    ProcessEmission,
    TransportLeg,
    UpstreamReference,
    WasteInput,
)
from footprint_engine.allocation import Allocation, CoProduct, allocation_shares
from footprint_engine.errors import ActivityDataError, AllocationError, GreenPowerClaimError, UnitError
from footprint_engine.gec_serial import legacy_gec_serial_key
from footprint_engine.greenpower import validate_claims
from footprint_engine.scenarios import (
    EndOfLifeRoute,
    EndOfLifeScenario,
    FunctionalUnit,
    UseElectricity,
    UseEmission,
    UseFuel,
    UseScenario,
    check_scenarios,
    scenario_items,
)
from footprint_engine.units import check_unit, conversion_factor

__all__ = [
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "STAGES",
    "ActivityData",
    "Allocation",
    "CoProduct",
    "ContractClaim",
    "DataQuality",
    "DataSource",
    "ElectricityInput",
    "EndOfLifeRoute",
    "EndOfLifeScenario",
    "Exclusion",
    "FuelInput",
    "FunctionalUnit",
    "Gas",
    "GecCancellation",
    "GecClaim",
    "HeatInput",
    "MaterialInput",
    "Organisation",
    "Origin",
    "PackagingInput",
    "ProcessEmission",
    "Quantity",
    "ReportingPeriod",
    "Site",
    "Stage",
    "TransportLeg",
    "Uncertainty",
    "UpstreamReference",
    "UseElectricity",
    "UseEmission",
    "UseFuel",
    "UseScenario",
    "WasteInput",
    "parse_activity",
]

SCHEMA_VERSION = "1.0"
SCHEMA_ID = "https://tanlian.example/schemas/activity-data-v1.json"


class Organisation(DocumentModel):
    id: str = Field(
        min_length=1, description="did:key or unified social credit code of the reporting company."
    )
    name: str | None = None


class Site(DocumentModel):
    name: str = Field(min_length=1)
    grid_region: str = Field(min_length=2, description="Province or grid code, e.g. CN-YN, CN-Southwest, CN.")
    country: str = "CN"
    identifier: str | None = None


class Exclusion(DocumentModel):
    description: str = Field(min_length=1)
    estimated_share_percent: float = Field(ge=0, le=100)


class ActivityData(DocumentModel):
    """Activity data for one product and one reporting period (``credentialSubject``)."""

    schema_version: Literal["1.0"] = "1.0"
    type: Literal["ActivityData"] = "ActivityData"
    product_identifier: str = Field(min_length=1, description="IDIS handle, GTIN or URN.")
    product_name: str | None = None
    organisation: Organisation
    reporting_period: ReportingPeriod
    site: Site
    declared_unit: str = Field(description="Unit of analysis, e.g. kg, t, piece, kWh, m3.")
    produced_quantity: Quantity
    inputs: Inputs = Field(default_factory=Inputs)
    co_products: list[CoProduct] = Field(default_factory=list)
    allocation: Allocation | None = None
    exclusions: list[Exclusion] = Field(default_factory=list)
    evidence: list[Cid] = Field(default_factory=list)
    comment: str | None = None
    functional_unit: FunctionalUnit | None = Field(
        default=None, description="Required with the scenarios (cradle-to-grave); optional otherwise."
    )
    use_scenario: UseScenario | None = Field(
        default=None, description="Use stage per declared unit; with endOfLifeScenario: cradle-to-grave."
    )
    end_of_life_scenario: EndOfLifeScenario | None = Field(
        default=None, description="End-of-life routes (cut-off approach); with useScenario: cradle-to-grave."
    )

    @field_validator("declared_unit")
    @classmethod
    def declared_unit_is_known(cls, value: str) -> str:
        return check_unit(value, field="declaredUnit")

    @model_validator(mode="after")
    def check_document(self) -> ActivityData:
        self._produced_quantity_matches_declared_unit()
        self._input_ids_are_unique()
        self._green_power_claims_fit()
        validate_claims(self.inputs.electricity, self.reporting_period, self.organisation.id)
        self._allocation_is_complete()
        check_scenarios(
            use=self.use_scenario,
            eol=self.end_of_life_scenario,
            functional_unit=self.functional_unit,
            declared_unit=self.declared_unit,
        )
        return self

    @property
    def system_boundary(self) -> Literal["cradle-to-gate", "cradle-to-grave"]:
        """Cradle-to-grave when the use and end-of-life scenarios are given (or, as before the scenarios
        existed, when an input is tagged with the use or end-of-life stage)."""
        if self.use_scenario is not None and self.end_of_life_scenario is not None:
            return "cradle-to-grave"
        tagged = any(item.stage in ("use", "end-of-life") for _, item in self.all_inputs())
        return "cradle-to-grave" if tagged else "cradle-to-gate"

    def _produced_quantity_matches_declared_unit(self) -> None:
        q = self.produced_quantity
        check_unit(q.unit, field="producedQuantity.unit")
        try:
            conversion_factor(q.unit, self.declared_unit)
        except Exception:
            raise UnitError(
                "unit has the wrong dimension",
                f"producedQuantity.unit {q.unit!r} cannot be converted to declaredUnit {self.declared_unit!r}",
                "express the produced quantity in the declared unit's dimension",
                field="producedQuantity.unit",
            ) from None
        if q.amount <= 0:
            raise ActivityDataError(
                "produced quantity is zero",
                "producedQuantity.amount must be > 0",
                "give the quantity produced in the reporting period",
                field="producedQuantity.amount",
            )

    def all_inputs(self) -> list[tuple[str, Any]]:
        """Every input with its JSON path, in document order."""
        out: list[tuple[str, Any]] = []
        for name, alias in INPUT_LISTS:
            for i, item in enumerate(getattr(self.inputs, name)):
                out.append((f"inputs.{alias}[{i}]", item))
        return out

    def _input_ids_are_unique(self) -> None:
        scenario = list(scenario_items(self.use_scenario, self.end_of_life_scenario))
        ids = [item.id for name, _ in INPUT_LISTS for item in getattr(self.inputs, name)]
        ids += [item.id for _, item in scenario]
        if len(set(ids)) == len(ids):
            return  # the usual case; the paths below are only built to name a duplicate
        seen: dict[str, str] = {}
        for path, item in [*self.all_inputs(), *scenario]:
            if item.id in seen:
                raise ActivityDataError(
                    "duplicate input id",
                    f"{path}.id {item.id!r} is already used by {seen[item.id]}",
                    "give every input its own id",
                    field=f"{path}.id",
                )
            seen[item.id] = path

    def _green_power_claims_fit(self) -> None:
        serials: dict[str, str] = {}
        for i, elec in enumerate(self.inputs.electricity):
            base = f"inputs.electricity[{i}]"
            claimed = 0.0
            for j, claim in enumerate(elec.green_power_claims):
                path = f"{base}.greenPowerClaims[{j}]"
                claimed += claim.quantity_mwh
                if isinstance(claim, GecClaim):
                    key = legacy_gec_serial_key(claim.serial)  # one certificate, however it is spelt
                    if key in serials:
                        raise GreenPowerClaimError(
                            "GEC serial claimed twice",
                            f"{path}.serial {claim.serial!r} is also claimed at {serials[key]}",
                            "claim each certificate serial once (serials compare in their canonical form: "
                            "case, spaces, separators and invisible characters do not count)",
                            field=f"{path}.serial",
                        )
                    serials[key] = path
            consumed = elec.consumed_mwh()
            if claimed > consumed * (1 + 1e-9) + 1e-12:
                raise GreenPowerClaimError(
                    "green-power claim exceeds consumption",
                    f"{base} claims {claimed:g} MWh but consumed {consumed:g} MWh",
                    "claim at most the MWh consumed; carry surplus certificates to another period",
                    field=f"{base}.greenPowerClaims",
                )

    def _allocation_is_complete(self) -> None:
        if not self.co_products:
            if self.allocation is not None and self.allocation.shares:
                extra = set(self.allocation.shares) - {self.product_identifier}
                if extra:
                    raise AllocationError(
                        "allocation names unknown products",
                        f"allocation.shares names {sorted(extra)} but coProducts is empty",
                        "list every co-product under coProducts",
                        field="allocation.shares",
                    )
            return
        if self.allocation is None:
            raise AllocationError(
                "allocation missing",
                f"{len(self.co_products)} co-product(s) but no allocation",
                "add allocation with basis 'physical' or 'economic' (and shares if not derivable)",
                field="allocation",
            )
        allocation_shares(  # raises AllocationError naming the field
            product=self.product_identifier,
            produced=self.produced_quantity,
            declared_unit=self.declared_unit,
            co_products=self.co_products,
            allocation=self.allocation,
        )


def parse_activity(data: dict[str, Any] | str | bytes) -> ActivityData:
    """Validate a JSON document (dict or text) and return :class:`ActivityData`.

    Raises :class:`ActivityDataError` (or a subclass) naming the first field at fault.
    """
    try:
        if isinstance(data, (str, bytes)):
            return ActivityData.model_validate_json(data)
        return ActivityData.model_validate(data)
    except ValidationError as exc:
        raise _to_engine_error(exc) from None


def _to_engine_error(exc: ValidationError) -> ActivityDataError:
    err = exc.errors(include_url=False)[0]
    path = _loc_to_path(err.get("loc", ()))
    ctx_error = (err.get("ctx") or {}).get("error")
    if isinstance(ctx_error, ActivityDataError):
        # raised inside a validator: keep its class and message, complete the field path
        return type(ctx_error)(
            ctx_error.what, ctx_error.detail, ctx_error.fix, field=_join_path(path, ctx_error.field)
        )
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    kind = UnitError if "unit" in path.rsplit(".", 1)[-1] else ActivityDataError
    more = f" (and {exc.error_count() - 1} more error(s))" if exc.error_count() > 1 else ""
    return kind(
        "activity data invalid",
        f"{msg}{more}",
        "fix this field and submit again (schema: docs/schemas/activity-data-v1.json)",
        field=path or None,
    )


_ALIASES = {"quantity_mwh": "quantityMWh", "quantityMwh": "quantityMWh"}


def _join_path(loc_path: str, field: str | None) -> str | None:
    if not field:
        return loc_path or None
    if not loc_path:
        return field
    if loc_path == field or loc_path.endswith("." + field) or field.startswith(loc_path):
        return loc_path if len(loc_path) >= len(field) else field
    if loc_path.endswith(field.split(".")[0]):  # "…distance" + "distance.unit"
        return loc_path + field[len(field.split(".")[0]) :]
    return f"{loc_path}.{field}"


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("gec", "green-power-contract"):
            continue  # discriminator tag in pydantic's location
        else:
            name = _ALIASES.get(str(part), to_camel(str(part)))
            path += ("." if path else "") + name
    return path
