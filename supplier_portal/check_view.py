"""The node's dry run (node_service.services.submissions.dry_run) and its errors as the portal shows them: each
problem in the user's language from its code and parameters (supplier_portal.problem_texts), placed on the grid's
row and column that its JSON path names, or named by the form's label for the path
(node_service.services.reports.field_labels) — never by the path itself, never in the node's English.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from identifier_resolver import IdentifierError, Uscc, parse_identifier
from node_service.errors import NodeError
from node_service.services.reports.field_labels import label_segments
from supplier_portal.activity_sheet import COLUMN_LABELS, field_locator
from supplier_portal.problem_texts import (
    ENGINE_RULES,
    FALLBACK,
    IDENTIFIER_RULES,
    PROBLEMS,
    SCHEMA_FALLBACK,
    SCHEMA_RULES,
)

__all__ = [
    "cell_errors",
    "identifier_reason",
    "node_error_text",
    "path_label",
    "problem_text",
    "problem_view",
    "summary_rows",
]

Translate = Callable[..., str]


def N_(message: str) -> str:
    return message


_ROW = N_("{name} row {row}")
_JOIN = N_("{first}, {then}")
_LINE = N_("{where}: {text}")
_WHOLE = N_("field:credentialSubject")
_PLACEHOLDER = re.compile(r"{(\w+)}")
#: Codes whose ``params.rule`` is an engine rule (dry_run._ENGINE_CODES)
_ENGINE_CODES = frozenset(
    {
        "unit-invalid",
        "green-power-claim",
        "allocation",
        "upstream-footprint",
        "activity-rule",
        "engine-refused",
    }
)


def path_label(_: Translate, path: str) -> str:
    """A JSON path (``credentialSubject.inputs.electricity[1].unit``) as the form names it: 电力 第 2 行，单位."""
    label = ""
    for segment in label_segments(path):
        name = _(f"field:{segment.key}")
        if name.startswith("field:"):  # a property the glossary lacks (the test keeps this from happening)
            name = segment.key
        part = name if segment.row is None else _(_ROW, name=name, row=segment.row)
        label = _(_JOIN, first=label, then=part) if label else part
    return label or _(_WHOLE)


def identifier_reason(value: str, field: str = "") -> tuple[str, dict[str, str]]:
    """Why ``value`` is not a valid identifier: (rule, its parameters), from the identifier's own syntax check
    (identifier_resolver); ``not-a-product`` for a company's USCC given where a product is named."""
    try:
        parsed = parse_identifier(value)
    except IdentifierError as exc:
        return exc.rule, {k: str(v) for k in ("got", "want") if (v := getattr(exc, k, None)) is not None}
    if isinstance(parsed, Uscc) and not field.endswith("site.identifier"):
        return "not-a-product", {}
    return "", {}


def _choose(_: Translate, texts: tuple[str, ...], params: dict[str, Any]) -> str | None:
    for text in texts:
        if set(_PLACEHOLDER.findall(text)) <= params.keys():
            return _(text, **{k: params[k] for k in _PLACEHOLDER.findall(text)})
    return None


def problem_text(_: Translate, problem: dict[str, Any]) -> str:
    """One problem (``code``, ``params``, ``field``) in the user's language; a code without a text gets the
    generic sentence naming the field (never the node's English message)."""
    code = str(problem.get("code") or "")
    field = str(problem.get("field") or "")
    params = {k: v for k, v in (problem.get("params") or {}).items() if v is not None}
    params["label"] = path_label(_, field)
    rule = str(params.get("rule", ""))
    candidates: tuple[str, ...] = ()
    if code == "schema":
        candidates = SCHEMA_RULES.get(rule, ()) + SCHEMA_FALLBACK
    elif code in _ENGINE_CODES and rule in ENGINE_RULES:
        candidates = ENGINE_RULES[rule]
    elif code == "invalid-identifier" and "value" in params:
        reason_rule, reason_params = identifier_reason(str(params["value"]), field)
        reason = _choose(_, IDENTIFIER_RULES.get(reason_rule, ()), reason_params)
        if reason is not None:
            params["reason"] = reason
    text = _choose(_, candidates + PROBLEMS.get(code, ()), params)
    return text if text is not None else _(FALLBACK, label=params["label"])


def node_error_text(_: Translate, error: NodeError) -> str:
    """A node error a page meets, in the user's language: its problem type's text, with the field's label."""
    return problem_text(_, {"code": error.problem, "field": error.field or "", "params": {}})


def _where(_: Translate, row: int, column: str, field: str) -> str:
    if column not in COLUMN_LABELS:  # a field the grid has no column for: the form's name for its path
        return path_label(_, field)
    label = _(COLUMN_LABELS[column])
    return _("Row {row}, {column}", row=row, column=label) if row else label


Locate = Callable[[str], tuple[int, str]]
#: Problems about an input's factor: shown in the grid's factor column even when their path names the input.
_FACTOR_CODES = frozenset({"unknown-factor", "illustrative-factor"})


def problem_view(
    _: Translate, problem: dict[str, Any], rows: list[dict[str, str]] | Locate | None
) -> dict[str, Any]:
    """A problem as the pages and their scripts show it: its text, and where — the grid's row and column when
    ``rows`` are the rows the document was built from (or their :func:`field_locator`), else the section and
    the input's id."""
    field = str(problem.get("field") or "")
    view = {"field": field, "code": problem.get("code"), "text": problem_text(_, problem)}
    if rows is not None:
        locate = rows if callable(rows) else field_locator(rows)
        row, column = locate(field)
        if (
            column == "id" and problem.get("code") in _FACTOR_CODES
        ):  # the input as a whole: its factor is missing
            column = "factor_id"
        view.update(row=row, column=column, where=_where(_, row, column, field))
    else:
        view["where"] = path_label(_, field) if field else ""
    view["line"] = _(_LINE, where=view["where"], text=view["text"]) if view["where"] else view["text"]
    return view


def cell_errors(_: Translate, problems: list[dict[str, Any]], rows: list[dict[str, str]]) -> dict[str, str]:
    """The grid's errors (``"<row>.<column>"`` → text, as the submit page shows them) for the problems."""
    out: dict[str, str] = {}
    locate = field_locator(rows)
    for problem in problems:
        view = problem_view(_, problem, locate)
        key = f"{view['row']}.{view['column']}"
        out[key] = f"{out[key]} {view['text']}" if key in out else view["text"]
    return out


def summary_rows(
    _: Translate, problems: list[dict[str, Any]], rows: list[dict[str, str]]
) -> list[dict[str, Any]]:
    """Every problem with its place, in grid order (header fields first)."""
    locate = field_locator(rows)
    views = [problem_view(_, p, locate) for p in problems]
    order = list(COLUMN_LABELS)
    return sorted(views, key=lambda v: (v["row"], order.index(v["column"]) if v["column"] in order else 99))
