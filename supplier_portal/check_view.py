"""The node's dry run (node_service.services.submissions.dry_run) as the portal shows it: each problem in the
user's language from its code and parameters, placed on the grid's row and column that its JSON path names.

Codes without a text of their own, and schema rules without one, fall back to a generic text that carries the
node's English detail (issue 18 words every code).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from supplier_portal.activity_sheet import COLUMN_LABELS, locate_field

__all__ = ["cell_errors", "problem_text", "problem_view", "summary_rows"]

Translate = Callable[..., str]


def N_(message: str) -> str:
    return message


#: code → (text with every parameter, text when a parameter is missing)
_TEXTS: dict[str, tuple[str, str]] = {
    "unknown-factor": (
        N_(
            "No factor {factorId} in your factor library: pick one with the search in the emission factor column."
        ),
        N_(
            "No factor in your factor library fits this input: pick one with the search in the emission factor column."
        ),
    ),
    "unit-mismatch": (
        N_("The unit {unit} cannot be converted to {factorUnit}, the unit of factor {factorId}."),
        N_("The unit {unit} cannot be converted to the unit of the factor."),
    ),
    "unknown-geography": (
        N_(
            "{value} is not a known region: give a province code such as CN-YN, a regional grid such as CN-South, or CN."
        ),
        N_(
            "Not a known region: give a province code such as CN-YN, a regional grid such as CN-South, or CN."
        ),
    ),
    "unit-invalid": (
        N_("This unit is unknown or does not fit this field: use a unit such as t, kg, kWh, MWh, GJ or m3."),
        N_("This unit is unknown or does not fit this field: use a unit such as t, kg, kWh, MWh, GJ or m3."),
    ),
    "organisation-not-you": (
        N_("The activity data names another organisation ({value})."),
        N_("The activity data names another organisation."),
    ),
    "issuer-not-you": (
        N_("The credential's issuer is not your organisation; sign with your organisation's key."),
        N_("The credential's issuer is not your organisation; sign with your organisation's key."),
    ),
    "credential-id-taken": (
        N_("This credential id is taken by a stored submission: prepare the activity data again."),
        N_("This credential id is taken by a stored submission: prepare the activity data again."),
    ),
    "invalid-identifier": (
        N_("“{value}” is not a valid identifier: give an IDIS handle, a GTIN or a URN."),
        N_("Not a valid identifier: give an IDIS handle, a GTIN or a URN."),
    ),
    "unresolvable-identifier": (
        N_("The identifier “{value}” does not resolve: no record of it is registered."),
        N_("The identifier does not resolve: no record of it is registered."),
    ),
    "product-not-yours": (
        N_("This product belongs to another organisation, which has not delegated its prefix to you."),
        N_("This product belongs to another organisation, which has not delegated its prefix to you."),
    ),
    "evidence-not-stored": (
        N_("Evidence {cid} was not uploaded by your organisation: upload it first."),
        N_("This evidence was not uploaded by your organisation: upload it first."),
    ),
    "gec-serial-claimed": (
        N_("GEC serial {serial} is already claimed on this exchange."),
        N_("This GEC serial is already claimed on this exchange."),
    ),
    "upstream-footprint-not-visible": (
        N_(
            "No footprint of {identifier} is shared with you: ask the supplier to share it, or remove the citation."
        ),
        N_("The cited footprint is not shared with you."),
    ),
}
#: pydantic rule (``params.rule`` of code ``schema``) → text
_SCHEMA_TEXTS: dict[str, tuple[str, str]] = {
    "missing": (N_("This field is required."), N_("This field is required.")),
    "extra_forbidden": (N_("Unknown field: remove it."), N_("Unknown field: remove it.")),
    "float_parsing": (N_("Enter a number (got “{value}”)."), N_("Enter a number.")),
    "float_type": (N_("Enter a number (got “{value}”)."), N_("Enter a number.")),
    "int_parsing": (N_("Enter a whole number (got “{value}”)."), N_("Enter a whole number.")),
    "greater_than_equal": (N_("Enter a number of at least {ge}."), N_("Enter a larger number.")),
    "greater_than": (N_("Enter a number above {gt}."), N_("Enter a larger number.")),
    "string_too_short": (N_("This field may not be empty."), N_("This field may not be empty.")),
    "literal_error": (N_("Use one of {expected}."), N_("Use one of the allowed values.")),
    "date_from_datetime_parsing": (N_("Enter a date as YYYY-MM-DD (got “{value}”)."), N_("Enter a date as YYYY-MM-DD.")),
    "date_parsing": (N_("Enter a date as YYYY-MM-DD (got “{value}”)."), N_("Enter a date as YYYY-MM-DD.")),
    "string_pattern_mismatch": (N_("“{value}” does not have the expected form."), N_("The value does not have the expected form.")),
}  # fmt: skip
_GENERIC = N_("{detail} (field {path})")
_ENGINE = N_("The calculation refused this input: {detail}")
_LINE = N_("{where}: {text}")


def problem_text(_: Translate, problem: dict[str, Any]) -> str:
    """One problem of the dry run in the user's language."""
    code = str(problem.get("code") or "")
    params = {k: v for k, v in (problem.get("params") or {}).items() if v is not None}
    texts = _SCHEMA_TEXTS.get(str(params.get("rule"))) if code == "schema" else _TEXTS.get(code)
    if texts is not None:
        full, short = texts
        try:
            return _(full, **params)
        except (KeyError, IndexError):
            return _(short)
    detail = str(problem.get("message") or code)
    if code == "engine-refused":
        return _(_ENGINE, detail=detail)
    return _(_GENERIC, detail=detail, path=str(problem.get("field") or "").removeprefix("credentialSubject."))


def _where(_: Translate, row: int, column: str) -> str:
    label = _(COLUMN_LABELS[column]) if column in COLUMN_LABELS else column
    return _("Row {row}, {column}", row=row, column=label) if row else label


def problem_view(_: Translate, problem: dict[str, Any], rows: list[dict[str, str]] | None) -> dict[str, Any]:
    """A problem as the pages and their scripts show it: its text, and where — the grid's row and column when
    ``rows`` are the rows the document was built from, else the section and the input's id."""
    field = str(problem.get("field") or "")
    view = {"field": field, "code": problem.get("code"), "text": problem_text(_, problem)}
    if rows is not None:
        row, column = locate_field(field, rows)
        view.update(row=row, column=column, where=_where(_, row, column))
    else:
        view["where"] = field.removeprefix("credentialSubject.")
    view["line"] = _(_LINE, where=view["where"], text=view["text"]) if view["where"] else view["text"]
    return view


def cell_errors(_: Translate, problems: list[dict[str, Any]], rows: list[dict[str, str]]) -> dict[str, str]:
    """The grid's errors (``"<row>.<column>"`` → text, as the submit page shows them) for the problems."""
    out: dict[str, str] = {}
    for problem in problems:
        view = problem_view(_, problem, rows)
        key = f"{view['row']}.{view['column']}"
        out[key] = f"{out[key]} {view['text']}" if key in out else view["text"]
    return out


def summary_rows(
    _: Translate, problems: list[dict[str, Any]], rows: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Every problem with its place, in grid order (header fields first)."""
    views = [problem_view(_, p, rows) for p in problems]
    order = list(COLUMN_LABELS)
    return sorted(views, key=lambda v: (v["row"], order.index(v["column"]) if v["column"] in order else 99))
