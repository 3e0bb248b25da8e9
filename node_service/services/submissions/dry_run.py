"""The dry run of a submission: every check :func:`~node_service.services.submissions.checks.check_submission`
and the footprint engine would make that needs no signature, on UNSIGNED activity data, reporting every problem
found instead of the first — and storing nothing, logging nothing.

:func:`dry_run` follows these steps (each problem names its field inside the credential, ``credentialSubject.…``):

(1) the document: an unsigned credential (its ``credentialSubject``; a proof, if any, is not verified) or the
    ``credentialSubject`` itself; a credential's ``issuer`` must be the caller's did, and its ``id`` must not be
    taken by a stored submission (a signed copy would be refused as a new version of it);
(2) the schema (footprint_engine.activity.ActivityData): every field error at once. The rules across fields
    (green-power claims fit, unique input ids, allocation, scenarios) run only when the fields are valid, and
    then report the first rule broken;
(3) the subject's organisation is the caller (its did or USCC);
(4) every cited identifier, each on its own: syntax, then resolution exactly as the submission path resolves
    (``resolve_cited``, strict or not as the node is set); the product must be the caller's to report;
(5) every cited evidence CID is stored on this node by the caller;
(6) GEC serials: recordable, not given twice, not held by anyone else's submission;
(7) upstream footprint citations: each resolves to one footprint visible to the caller (``cited_footprint``);
(8) factors, input by input, with the engine's own look-up (footprint_engine LineBuilder): a ``factorId`` exists
    in the library, the amount's unit converts to the factor's unit, a factor exists for the key and geography;
    and every geography named (``site.gridRegion``, ``inputs.electricity[i].gridRegion``) is a known one;
(9) only when (1)–(8) found nothing: the engine itself (``calculate_activity``), which refuses one input at a time
    by nature; its result gives the preview (total per declared unit, the factors used and their fallbacks).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as default
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from footprint_engine.activity import ActivityData
from footprint_engine.calculate.line_builder import LineBuilder
from footprint_engine.calculate.options import CalculationOptions
from footprint_engine.calculate.scenario_lines import scenario_lines
from footprint_engine.calculate.upstream import UpstreamFootprint
from footprint_engine.errors import (
    ActivityDataError,
    AllocationError,
    FactorNotFoundError,
    FootprintEngineError,
    GreenPowerClaimError,
    UnitError,
    UpstreamFootprintError,
)
from footprint_engine.factors import FactorLibrary
from footprint_engine.factors.geography import PROVINCE_GRID
from node_service.db.models import Organisation, Submission
from node_service.errors import NodeError
from node_service.services.context import NodeResources
from node_service.services.evidence_files.files import check_cited_evidence, cited_cids
from node_service.services.evidence_files.gec_claims import Claimant, check_serials_free, serial_claims
from node_service.services.factors.library import organisation_library
from node_service.services.footprints.documents import cited_footprint
from node_service.services.footprints.engine import calculate_activity
from node_service.services.organisations.ownership import check_reporter
from node_service.services.organisations.resolution import cited_identifiers, resolve_cited
from node_service.services.submissions.checks import ACTIVITY_TYPE, SUBJECT

__all__ = ["DryRun", "Problem", "dry_run", "known_geographies"]

#: The id a subject without a credential claims GEC serials under (compared with holders' submission ids only).
DRY_RUN_ID = "urn:tanlian:dry-run"
#: At most this many problems are reported (a document of 2,000 bad rows stays a readable answer).
MAX_PROBLEMS = 500


@dataclass(frozen=True)
class Problem:
    """One thing the submission path would refuse: where (``field``), what (``code`` and ``params``, for a
    client to word it in its own language), and the node's English ``message`` and ``fix``."""

    field: str
    code: str
    message: str
    fix: str | None = None
    params: dict[str, Any] = default(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "params": self.params,
        }


@dataclass
class DryRun:
    """What the dry run found: the problems (none: a signed copy would be accepted as far as the checks without
    a signature go), notes that would be flags on the stored submission, and the engine's preview."""

    problems: list[Problem] = default(default_factory=list)
    warnings: list[Problem] = default(default_factory=list)
    preview: dict[str, Any] | None = None
    engine_ran: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "problems": [p.as_json() for p in self.problems],
            "warnings": [w.as_json() for w in self.warnings],
            "engineChecked": self.engine_ran,
            "preview": self.preview,
        }


def dry_run(node: NodeResources, org: Organisation, document: dict[str, Any]) -> DryRun:
    """Every check of the submission path that needs no signature, on ``document`` of ``org`` (module
    docstring), with the organisation's factor library (node_service.services.factors.library), as a
    submission of it would be computed."""
    out = DryRun()
    # (1)
    subject, credential_id = _subject(document, org, out)
    if subject is None:
        return out
    # (2)
    try:
        activity = ActivityData.model_validate(subject)
    except ValidationError as exc:
        for problem in schema_problems(exc):
            out.add(problem)
        return out
    # (3)
    if activity.organisation.id not in (org.did, org.uscc):
        out.add(
            Problem(
                f"{SUBJECT}.organisation.id",
                "organisation-not-you",
                f"{SUBJECT}.organisation.id {activity.organisation.id!r} is not your organisation ({org.did})",
                "report your own organisation's did or USCC",
                {"value": activity.organisation.id, "want": org.did},
            )
        )
    with node.db.transaction() as session:
        factor_library = organisation_library(session, org.id).library
        if credential_id is not None and session.get(Submission, credential_id) is not None:
            out.add(
                Problem(
                    "id",
                    "credential-id-taken",
                    f"a submission with id {credential_id} is stored already",
                    "give the new credential a new id (urn:uuid:…)",
                    {"value": credential_id},
                )
            )
        # (4)
        for cited in cited_identifiers(activity):
            with _collect(out, f"{SUBJECT}.{cited.field}", params={"value": cited.text}):
                _, flags = resolve_cited(
                    session, node.resolver, [cited], strict=node.settings.strict_identifiers
                )
                out.warnings.extend(
                    Problem(where, kind, detail, None, {"value": cited.text}) for kind, where, detail in flags
                )
        with _collect(out, f"{SUBJECT}.productIdentifier"):
            check_reporter(session, activity.product_identifier, org.id, f"{SUBJECT}.productIdentifier")
        # (5)
        for cid, where in cited_cids(subject, SUBJECT).items():
            with _collect(out, where, "evidence-not-stored", {"cid": cid}):
                check_cited_evidence(session, org, {cid: where})
        # (6)
        claimant = Claimant.of(org.id, org.did, credential_id or DRY_RUN_ID, activity)
        with _collect(out, f"{SUBJECT}.inputs.electricity", "gec-serial-invalid"):
            for claim in serial_claims(activity, credential_id or DRY_RUN_ID):
                with _collect(out, f"{claim.path}.serial", params={"serial": claim.serial}):
                    check_serials_free(session, claimant, [claim])
        # (7)
        upstream = _upstream(session, activity, org, out)
    # (8)
    _factor_problems(activity, factor_library, upstream, node, out)
    # (9)
    if out.ok:
        out.engine_ran = True
        with _collect(out, SUBJECT, "engine-refused"):
            result = calculate_activity(node.settings, activity, upstream, library=factor_library)
            out.preview = preview(result)
            out.warnings.extend(illustrative_warnings(result))
    return out


# --- (1) the document ---------------------------------------------------------------------------------------


def _subject(document: Any, org: Organisation, out: DryRun) -> tuple[dict[str, Any] | None, str | None]:
    if not isinstance(document, dict):
        out.add(Problem("", "not-an-object", "the document is not a JSON object", "send a JSON object"))
        return None, None
    if SUBJECT not in document and "VerifiableCredential" not in _types(document):
        return document, None  # the activity data itself
    types = _types(document)
    if ACTIVITY_TYPE not in types:
        out.add(
            Problem(
                "type",
                "wrong-credential-type",
                f"the credential's type {types} does not include {ACTIVITY_TYPE}",
                f'set "type": ["VerifiableCredential", "{ACTIVITY_TYPE}"]',
                {"want": ACTIVITY_TYPE},
            )
        )
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != org.did:
        out.add(
            Problem(
                "issuer",
                "issuer-not-you",
                f"issuer {issuer_id!r} is not your organisation ({org.did})",
                "set issuer to your organisation's did and sign with one of its keys",
                {"value": str(issuer_id), "want": org.did},
            )
        )
    subject = document.get(SUBJECT)
    if not isinstance(subject, dict):
        out.add(
            Problem(SUBJECT, "not-an-object", f"{SUBJECT} is not a JSON object", "give the activity data")
        )
        return None, None
    credential_id = document.get("id")
    return subject, credential_id if isinstance(credential_id, str) and credential_id else None


def _types(document: dict[str, Any]) -> list[str]:
    value = document.get("type")
    return [value] if isinstance(value, str) else [str(v) for v in value] if isinstance(value, list) else []


# --- (2) the schema -------------------------------------------------------------------------------------------

_ENGINE_CODES: tuple[tuple[type[FootprintEngineError], str], ...] = (
    (UnitError, "unit-invalid"),
    (GreenPowerClaimError, "green-power-claim"),
    (AllocationError, "allocation"),
    (FactorNotFoundError, "unknown-factor"),
    (UpstreamFootprintError, "upstream-footprint"),
    (ActivityDataError, "activity-rule"),
)


def _engine_code(exc: FootprintEngineError) -> str:
    for kind, code in _ENGINE_CODES:
        if isinstance(exc, kind):
            return code
    return "engine-refused"


def _json_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("gec", "green-power-contract"):  # the claim type's tag in pydantic's location
            path += ("." if path else "") + str(part)
    return path


def _join(where: str, engine_field: str | None) -> str:
    """The location of an engine rule raised inside a validator: pydantic's location (the validated member) and
    the engine's field (relative to that member, or from the document's root) joined without repeating a part."""
    if not engine_field or where.endswith(engine_field):
        return where
    if not where or engine_field.startswith(where):
        return engine_field
    head = engine_field.split(".")[0]
    if where.endswith(head):  # "…distance" + "distance.unit"
        return where + engine_field[len(head) :]
    return f"{where}.{engine_field}"


def schema_problems(exc: ValidationError) -> list[Problem]:
    """Every error of one validation, each naming its field (``credentialSubject.…``): a pydantic error has code
    ``schema`` and its pydantic type as ``params.rule``; a rule of the engine raised inside a validator has the
    code of its kind (unit-invalid, green-power-claim, allocation, activity-rule) and the engine's own field."""
    problems = []
    for error in exc.errors(include_url=False):
        where = _json_path(tuple(error.get("loc", ())))
        ctx = (error.get("ctx") or {}).get("error")
        if isinstance(ctx, FootprintEngineError):
            where = _join(where, ctx.field)
            problems.append(
                Problem(
                    f"{SUBJECT}.{where}" if where else SUBJECT,
                    _engine_code(ctx),
                    f"{ctx.what}: {ctx.detail}",
                    ctx.fix,
                    {"rule": ctx.what},
                )
            )
            continue
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        params: dict[str, Any] = {"rule": error["type"]}
        if "input" in error and isinstance(error["input"], (str, int, float, bool)):
            params["value"] = str(error["input"])[:80]
        for key in ("expected", "ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
            if key in (error.get("ctx") or {}):
                params[key] = str(error["ctx"][key])
        problems.append(
            Problem(
                f"{SUBJECT}.{where}" if where else SUBJECT,
                "schema",
                f"{where or SUBJECT}: {message}",
                "correct this field (schema: docs/schemas/activity-data-v1.json)",
                params,
            )
        )
    return problems


# --- (4)–(7) checks of the submission path, each problem collected ------------------------------------------------


@contextmanager
def _collect(
    out: DryRun, where: str, code: str | None = None, params: dict[str, Any] | None = None
) -> Iterator[None]:
    """Run one check of the submission path; its refusal becomes a problem (code: the node error's problem type,
    or ``code`` for the generic ``validation-failed``)."""
    try:
        yield
    except NodeError as exc:
        kind = exc.problem if exc.problem != "validation-failed" or code is None else code
        out.add(Problem(exc.field or where, kind, exc.detail, exc.fix, dict(params or {})))


def _upstream(
    session: Session, activity: ActivityData, org: Organisation, out: DryRun
) -> dict[str, UpstreamFootprint]:
    """The cited footprints the caller may use (``upstream_for``, citation by citation)."""
    found: dict[str, UpstreamFootprint] = {}
    for i, material in enumerate(activity.inputs.materials):
        ref = material.upstream_footprint
        if ref is None:
            continue
        where = f"{SUBJECT}.inputs.materials[{i}].upstreamFootprint"
        with _collect(out, where, "upstream-footprint-not-visible", {"identifier": ref.identifier}):
            cited = cited_footprint(session, ref.identifier, ref.version, org.id, where)
            found[f"{ref.identifier}@{ref.version}"] = cited.to_upstream(ref.version)
    return found


# --- (8) factors, units and geographies ----------------------------------------------------------------------------


def known_geographies(library: FactorLibrary) -> frozenset[str]:
    """Provinces, regional grids, CN and GLO (footprint_engine.factors.geography), and every geography a factor of
    ``library`` is published for."""
    named = {*PROVINCE_GRID, *PROVINCE_GRID.values(), "CN", "GLO"}
    return frozenset(named | {f.geography for f in library.factors()})


def _factor_problems(
    activity: ActivityData,
    library: FactorLibrary,
    upstream: dict[str, UpstreamFootprint],
    node: NodeResources,
    out: DryRun,
) -> None:
    known = known_geographies(library)
    regions = [("site.gridRegion", activity.site.grid_region)]
    regions += [
        (f"inputs.electricity[{i}].gridRegion", e.grid_region)
        for i, e in enumerate(activity.inputs.electricity)
        if e.grid_region
    ]
    for where, geography in regions:
        if geography not in known:
            out.add(
                Problem(
                    f"{SUBJECT}.{where}",
                    "unknown-geography",
                    f"{where} {geography!r} is not a geography the factor library knows",
                    "give a province code (ISO 3166-2:CN, e.g. CN-YN), a regional grid (e.g. CN-South) or CN",
                    {"value": geography, "examples": "CN-YN, CN-South, CN"},
                )
            )
    options = CalculationOptions(brightway_dir=node.settings.brightway_dir)
    year = options.factor_year or activity.reporting_period.end.year
    builder = LineBuilder(activity, library, upstream, options, year)
    for path, item in activity.all_inputs():
        material = getattr(item, "upstream_footprint", None)
        if material is not None and f"{material.identifier}@{material.version}" not in upstream:
            continue  # its citation is a problem of (7) already
        try:
            builder.lines_for(path, item)
        except FootprintEngineError as exc:
            out.add(_factor_problem(exc, path, item, library))
    if activity.use_scenario is not None or activity.end_of_life_scenario is not None:
        try:
            scenario_lines(builder, activity)
        except FootprintEngineError as exc:
            out.add(_factor_problem(exc, exc.field or "useScenario", None, library))


def _factor_problem(exc: FootprintEngineError, path: str, item: Any, library: FactorLibrary) -> Problem:
    where = f"{SUBJECT}.{exc.field or path}"
    factor_id = getattr(item, "factor_id", None)
    params: dict[str, Any] = {}
    if isinstance(exc, FactorNotFoundError):
        code = "unknown-factor"
        if factor_id and where.endswith(".factorId"):
            params = {"factorId": factor_id}
            fix = "pick a factor from the library (GET /factors?q=…, tanlian factors search, or the portal's picker)"
        else:
            params = {"detail": exc.detail}
            fix = exc.fix
        return Problem(where, code, f"{exc.what}: {exc.detail}", fix, params)
    if isinstance(exc, UnitError) and exc.what == "unit mismatch":
        unit = getattr(item, "unit", None)
        factor_unit = library.get(factor_id).unit if factor_id and factor_id in library else None
        params = {"unit": unit, "factorUnit": factor_unit, "factorId": factor_id}
        return Problem(where, "unit-mismatch", f"{exc.what}: {exc.detail}", exc.fix, params)
    return Problem(where, _engine_code(exc), f"{exc.what}: {exc.detail}", exc.fix, {"rule": exc.what})


# --- (9) the preview --------------------------------------------------------------------------------------------


def illustrative_warnings(result: dict[str, Any]) -> list[Problem]:
    """One warning per input that would use an illustrative factor (order of magnitude only): the footprint
    would say so, and a published factor is usually there to pick instead."""
    out = []
    for factor in result.get("factors") or []:
        if not factor.get("illustrative"):
            continue
        for path in factor.get("usedBy") or []:
            out.append(
                Problem(
                    f"{SUBJECT}.{path}",
                    "illustrative-factor",
                    f"{factor['id']} is an illustrative value (order of magnitude only); the footprint will say so",
                    "pick a published factor for this input (the portal's factor picker, or `tanlian factors "
                    "search`) and give its id in factorId",
                    {"factorId": factor["id"]},
                )
            )
    return out


def preview(result: dict[str, Any]) -> dict[str, Any]:
    """What the footprint would be: the total per declared unit, and every factor used with its provenance and
    geography fallback (as the stored result will say)."""
    emissions = result.get("emissions") or {}
    return {
        "totalKgCO2ePerDeclaredUnit": emissions.get("total"),
        "declaredUnit": result.get("declaredUnit"),
        "geography": result.get("geography"),
        "reportingPeriodEnd": result.get("reportingPeriodEnd"),
        "systemBoundary": result.get("systemBoundary"),
        "illustrativeFactorsUsed": result.get("illustrativeFactorsUsed"),
        "primaryDataShare": result.get("primaryDataShare"),
        "factors": result.get("factors") or [],
        "rules": result.get("rules"),
    }
