"""node_service.api.responses: every operation documents the statuses its route can answer, in its family's shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter

from node_service.api._deps import CurrentOrg
from node_service.api.problems import PROBLEM_JSON
from node_service.app import create_app
from node_service.settings import Settings


def _app(tmp_path: Path) -> Any:
    return create_app(Settings(data_dir=tmp_path / "data"))  # not started: the document needs no node


def _media(response: dict[str, Any]) -> dict[str, str]:
    return {media: body["schema"]["$ref"].rsplit("/", 1)[-1] for media, body in response["content"].items()}


def test_a_new_authenticated_route_is_documented_without_declaring_anything(tmp_path: Path) -> None:
    app = _app(tmp_path)
    router = APIRouter()

    @router.post("/widgets/{widget_id}")
    def write(widget_id: str, org: CurrentOrg) -> dict[str, str]:
        return {}

    app.include_router(router)
    operation = app.openapi()["paths"]["/widgets/{widget_id}"]["post"]
    assert sorted(operation["responses"]) == ["200", "401", "403", "404", "409", "413", "422"]
    for code in ("401", "403", "404", "409", "413", "422"):
        assert _media(operation["responses"][code]) == {PROBLEM_JSON: "Problem"}, code


def test_families_keep_their_error_shapes(tmp_path: Path) -> None:
    document = _app(tmp_path).openapi()
    paths = document["paths"]
    assert _media(paths["/3/footprints/{footprint_id}"]["get"]["responses"]["404"]) == {
        "application/json": "PactError"
    }
    assert "422" not in paths["/3/footprints/{footprint_id}"]["get"]["responses"]  # PACT answers 400
    assert _media(paths["/auth/token"]["post"]["responses"]["401"]) == {"application/json": "OAuthError"}
    handle_404 = _media(paths["/api/handles/{handle}"]["get"]["responses"]["404"])
    assert handle_404 == {"application/json": "HandleError", PROBLEM_JSON: "Problem"}
    assert _media(paths["/organisations/me"]["get"]["responses"]["401"]) == {PROBLEM_JSON: "Problem"}
    assert "HTTPValidationError" not in str(document)  # FastAPI's 422 shape is answered by no route
    public = paths["/log/heads"]["get"]["responses"]
    assert sorted(public) == ["200"]  # a public route without parameters can only succeed


def test_every_error_response_of_every_operation_names_its_body(tmp_path: Path) -> None:
    for path, operations in _app(tmp_path).openapi()["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code[0] in "45":
                    assert response.get("content"), f"{method.upper()} {path} {code} has no body schema"
