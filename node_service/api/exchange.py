"""The node's own REST API. Routes are thin: parse, call a service, shape the response."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from node_service.api._deps import CurrentOrg, NodeDep
from node_service.api.responses import problem_responses
from node_service.log.heads import deployment_history
from node_service.services.footprints import documents as footprint_service
from node_service.services.organisations.registration import register_organisation
from node_service.services.receipts import build_receipt
from node_service.services.records import Footprint, Organisation, Submission
from node_service.services.submissions import submission_of, submit_credential
from node_service.services.submissions.dry_run import dry_run

__all__ = ["router"]

router = APIRouter()

JsonObject = Annotated[dict[str, Any], Body(description="a JSON object")]


class OrganisationPublic(BaseModel):
    id: str
    did: str
    name: dict[str, str | None]
    uscc: str | None
    roles: list[str]


class RegistrationResult(OrganisationPublic):
    apiToken: str = Field(description="shown once; keep it secret")


class SubmissionPublic(BaseModel):
    id: str
    status: str
    productId: str
    periodStart: str
    periodEnd: str
    sha256: str
    footprintId: str
    supersededBy: str | None = None
    flags: list[dict[str, Any]] = Field(
        default_factory=list, description="e.g. signed by a key revoked later"
    )


class Readiness(BaseModel):
    ready: bool
    checks: dict[str, dict[str, Any]] = Field(description="one entry per check, each with ok")


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown member is a mistake: 422 naming it

    organisation: str = Field(description="did of the organisation to share with")


def _org(org: Organisation) -> dict[str, Any]:
    return {
        "id": org.id,
        "did": org.did,
        "name": {"zh": org.name_zh, "en": org.name_en},
        "uscc": org.uscc,
        "roles": list(org.roles),
    }


def _submission(sub: Submission, footprint_id: str) -> SubmissionPublic:
    return SubmissionPublic(
        id=sub.id,
        status=sub.status,
        productId=sub.product_id,
        periodStart=sub.period_start,
        periodEnd=sub.period_end,
        sha256=sub.sha256,
        footprintId=footprint_id,
        supersededBy=sub.superseded_by,
    )


def _footprint(fp: Footprint) -> dict[str, Any]:
    return {"id": fp.id, "sha256": fp.sha256, "document": fp.result}


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    tags=["health"],
    responses={
        200: {"model": Readiness},
        503: {"description": "not ready: the failing checks are named", "model": Readiness},
    },
)
def readyz(node: NodeDep) -> JSONResponse:
    checks = node.readiness()
    ready = all(bool(c.get("ok")) for c in checks.values())
    return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)


@router.get("/chain", tags=["log"])
def chain_info(node: NodeDep) -> dict[str, Any]:
    """Where the log's tree heads are anchored (public: auditors need it)."""
    dep = node.deployment
    info: dict[str, Any] = {"chainId": dep.chain_id, "contract": dep.contract_address}
    # every contract this node anchored in on this chain, oldest first: receipts of earlier ones stay valid
    info["contracts"] = [d["contract"] for d in deployment_history(node.db, dep.chain_id)] or [
        dep.contract_address
    ]
    if node.local_devnet_rpc is not None:  # a local devnet's URL; an external RPC URL may embed credentials
        info["rpcUrl"] = node.local_devnet_rpc
    return info


@router.post("/organisations", status_code=status.HTTP_201_CREATED, tags=["organisations"])
def register(node: NodeDep, document: JsonObject) -> RegistrationResult:
    """Register an organisation from a registration document it signed with its own key (eddsa-jcs-2022)."""
    registered = register_organisation(node, document)
    return RegistrationResult(**_org(registered.organisation), apiToken=registered.api_token)


@router.get("/organisations/me", tags=["organisations"])
def me(org: CurrentOrg) -> OrganisationPublic:
    return OrganisationPublic(**_org(org))


@router.post(
    "/submissions",
    status_code=status.HTTP_201_CREATED,
    tags=["submissions"],
    responses={
        200: {"description": "the same credential was accepted before", "model": SubmissionPublic},
        403: {
            **problem_responses(403)[403],
            "description": "the product belongs to another organisation, which did not delegate its prefix to "
            "the signer (product-not-yours)",
        },
    },
)
def submit(node: NodeDep, credential: JsonObject, response: Response) -> SubmissionPublic:
    """Submit a signed activity-data credential; the footprint is computed and both are logged."""
    accepted = submit_credential(node, credential)
    if not accepted.created:
        response.status_code = status.HTTP_200_OK
    node.anchorer.wake()
    return _submission(accepted.submission, accepted.footprint.id).model_copy(
        update={"flags": accepted.flags}
    )


class CheckProblem(BaseModel):
    field: str = Field(
        description="JSON path inside the credential, e.g. credentialSubject.inputs.materials[2].factorId"
    )
    code: str = Field(
        description="what kind of problem: unknown-factor, unit-mismatch, unknown-geography, schema, …"
    )
    message: str
    fix: str | None = None
    params: dict[str, Any] = Field(default_factory=dict, description="the values the message names, by code")


class CheckResult(BaseModel):
    ok: bool = Field(
        description="true: no problem found; a signed copy passes every check that needs no signature"
    )
    problems: list[CheckProblem] = Field(description="every problem found, not only the first")
    warnings: list[CheckProblem] = Field(description="what would be flagged on the stored submission")
    engineChecked: bool = Field(
        description="the engine ran (it runs once the other checks pass, and refuses one input at a time)"
    )
    preview: dict[str, Any] | None = Field(
        description="the footprint it would compute: totalKgCO2ePerDeclaredUnit, factors used and their fallbacks"
    )


@router.post("/submissions/check", tags=["submissions"])
def check_submission_draft(node: NodeDep, document: JsonObject, org: CurrentOrg) -> CheckResult:
    """Dry run: every check of POST /submissions that needs no signature (schema, identifiers, evidence, GEC
    serials, upstream citations, factor ids, units, geographies, then the engine) on UNSIGNED activity data of
    your organisation — an unsigned credential or its credentialSubject. Stores and logs nothing."""
    return CheckResult.model_validate(dry_run(node, org, document).as_json())


@router.get("/submissions/{submission_id:path}", tags=["submissions"])
def get_submission(node: NodeDep, submission_id: str, org: CurrentOrg) -> dict[str, Any]:
    found = submission_of(node, org, submission_id)
    return {
        **_submission(found.submission, found.footprint_id).model_dump(),
        "flags": found.flags,
        "credential": found.submission.credential,
    }


@router.get("/footprints", tags=["footprints"])
def list_footprints(node: NodeDep, org: CurrentOrg, limit: int = 100) -> dict[str, Any]:
    rows = footprint_service.visible_footprints(node, org, limit=max(1, min(limit, 1000)))
    return {"data": [_footprint(fp) for fp in rows]}


@router.get("/footprints/{footprint_id}", tags=["footprints"])
def get_footprint(node: NodeDep, footprint_id: str, org: CurrentOrg) -> dict[str, Any]:
    return _footprint(footprint_service.visible_footprint(node, footprint_id, org))


@router.post("/footprints/{footprint_id}/shares", status_code=status.HTTP_201_CREATED, tags=["footprints"])
def share(node: NodeDep, footprint_id: str, body: ShareRequest, org: CurrentOrg) -> dict[str, str]:
    footprint_service.share_footprint(node, footprint_id, org, body.organisation)
    return {"footprintId": footprint_id, "sharedWith": body.organisation}


@router.get("/receipts/{entry_id:path}", tags=["log"], responses=problem_responses(409))
def receipt(node: NodeDep, entry_id: str, org: CurrentOrg) -> dict[str, Any]:
    """The receipt of a log entry (DESIGN.md format), once its tree head is anchored (409 before)."""
    return build_receipt(node, entry_id, org)
