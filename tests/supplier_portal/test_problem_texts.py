"""Every problem a person can meet through the portal has a text in zh-CN and en (issue 18).

The codes are collected from the code base, not listed here: the node's problem types (every ``problem = "…"`` and
the API's own problem answers), the dry run's codes and parameters (node_service.services.submissions.dry_run),
the footprint engine's rules of the kinds that reach a person, the GEC serial's and identifiers' syntax rules, and
pydantic's error types for every constraint of the activity-data schema. A new code without a text fails here.
Then the leaks of issue 18 "Why" 2, each through the code that showed it.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from pydantic import ValidationError

from footprint_engine.activity import ActivityData
from footprint_engine.examples import load_example
from identifier_resolver import IdentifierError, parse_identifier
from node_service.services.organisations.errors import InvalidIdentifier
from node_service.services.organisations.resolution import UNRESOLVED_FLAG
from node_service.services.reports.field_labels import label_segments
from node_service.services.reports.glossary import FIELD_NAMES
from node_service.services.submissions.dry_run import schema_problems
from supplier_portal.check_view import node_error_text, path_label, problem_text, problem_view
from supplier_portal.errors import IdentifierInvalid
from supplier_portal.i18n import LOCALE_DIR, translations
from supplier_portal.problem_texts import ENGINE_RULES, FALLBACK, IDENTIFIER_RULES, PROBLEMS, SCHEMA_RULES

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"{(\w+)}")
#: Engine errors of these kinds reach a person (dry_run._ENGINE_CODES); library and calculation errors do not.
USER_ENGINE_ERRORS = {
    "UnitError",
    "GreenPowerClaimError",
    "AllocationError",
    "ActivityDataError",
    "FactorNotFoundError",
    "UpstreamFootprintError",
    "GecSerialError",
}


def _trees(*folders: str) -> Iterator[tuple[Path, ast.Module]]:
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _const(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _arg(call: ast.Call, index: int, keyword: str) -> ast.AST | None:
    if len(call.args) > index:
        return call.args[index]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


# --- collecting the codes ---------------------------------------------------------------------------------------


@cache
def node_problem_types() -> frozenset[str]:
    """Every ``problem = "…"`` of a class in the node and the portal, and the codes the API answers itself."""
    found = set()
    for _path, tree in _trees("node_service", "supplier_portal"):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                for stmt in node.body:
                    if (
                        isinstance(stmt, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == "problem" for t in stmt.targets)
                        and (code := _const(stmt.value))
                    ):
                        found.add(code)
    # node_service/api/problems.py: {404: "not-found", 405: …}.get(status, "http"); NodeError's default
    problems = ast.parse((ROOT / "node_service/api/problems.py").read_text(encoding="utf-8"))
    for node in ast.walk(problems):
        if isinstance(node, ast.Dict) and all(
            isinstance(k, ast.Constant) and isinstance(k.value, int) for k in node.keys
        ):
            found.update(v for v in map(_const, node.values) if v)
        if (
            isinstance(node, ast.Call)
            and _name(node) == "get"
            and len(node.args) == 2
            and (c := _const(node.args[1]))
        ):
            found.add(c)
        if (
            isinstance(node, ast.Call)
            and _name(node) == "problem_response"
            and (c := _const(_arg(node, 1, "problem")))
        ):
            found.add(c)
    return frozenset(found)


@cache
def dry_run_codes() -> dict[str, set[str]]:
    """The dry run's codes (``Problem(field, code, …, params)``, ``_collect(out, where, code, params)`` and the
    engine's kinds) → the parameter names it gives them."""
    tree = ast.parse((ROOT / "node_service/services/submissions/dry_run.py").read_text(encoding="utf-8"))
    codes: dict[str, set[str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if _name(node) == "Problem":
            code, params = _const(_arg(node, 1, "code")), _arg(node, 4, "params")
        elif _name(node) == "_collect":
            code, params = _const(_arg(node, 2, "code")), _arg(node, 3, "params")
        else:
            continue
        keys = {k for k in map(_const, params.keys) if k} if isinstance(params, ast.Dict) else set()
        if code:
            codes.setdefault(code, set()).update(keys)
        else:  # the node error's own problem type, with these parameters
            codes.setdefault("", set()).update(keys)
        if isinstance(params, ast.Name) and params.id == "params":
            codes.setdefault(code or "", set()).add("*")  # a dict built before the call (its keys: see below)
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if "_ENGINE_CODES" in names:  # (EngineErrorKind, "code") pairs
                codes.update(
                    {c: set() for c in (_const(n) for n in ast.walk(node.value)) if c and c not in codes}
                )
            if "code" in names and (c := _const(node.value)):  # code = "…"; Problem(where, code, …)
                codes.setdefault(c, set()).add("*")
        if isinstance(node, ast.Return) and (c := _const(node.value)):
            codes.setdefault(c, set())
    codes.setdefault(UNRESOLVED_FLAG, {"value"})  # resolve_cited's flag, a warning of step (4)
    return codes


@cache
def engine_rules() -> frozenset[str]:
    """``what`` of every engine error of the kinds that reach a person, and the GEC serial's rules."""
    found = set()
    for _path, tree in _trees("footprint_engine"):
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _name(node) in USER_ENGINE_ERRORS
                and (c := _const(_arg(node, 0, "what")))
            ):
                found.add(c)
    return frozenset(found)


@cache
def identifier_rules() -> frozenset[str]:
    """The ``rule`` of every identifier syntax error (identifier_resolver/syntax)."""
    found = set()
    for _path, tree in _trees("identifier_resolver/syntax"):
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node) in ("IdentifierError", "CheckDigitError", "_fail"):
                if (c := _const(_arg(node, 1, "rule"))) is not None:
                    found.add(c)
    return frozenset(found)


#: JSON Schema keyword (value) → the pydantic error types a value breaking it gets.
_KEYWORD_RULES: dict[tuple[str, Any], tuple[str, ...]] = {
    ("type", "number"): ("float_parsing", "float_type", "finite_number"),
    ("type", "integer"): ("int_parsing", "int_type", "int_from_float"),
    ("type", "string"): ("string_type",),
    ("type", "boolean"): ("bool_parsing", "bool_type"),
    ("type", "array"): ("list_type",),
    ("type", "object"): ("model_type", "model_attributes_type", "dict_type"),
    ("format", "date"): (
        "date_parsing",
        "date_type",
        "date_from_datetime_parsing",
        "date_from_datetime_inexact",
    ),
    ("format", "date-time"): ("datetime_parsing", "datetime_type", "datetime_from_date_parsing"),
}
_CONSTRAINT_RULES = {
    "required": ("missing",),
    "minimum": ("greater_than_equal",),
    "exclusiveMinimum": ("greater_than",),
    "maximum": ("less_than_equal",),
    "exclusiveMaximum": ("less_than",),
    "minLength": ("string_too_short",),
    "maxLength": ("string_too_long",),
    "minItems": ("too_short",),
    "maxItems": ("too_long",),
    "pattern": ("string_pattern_mismatch",),
    "enum": ("literal_error", "enum"),
    "const": ("literal_error",),
    "discriminator": ("union_tag_invalid", "union_tag_not_found"),
}


def _schema() -> dict[str, Any]:
    return json.loads((ROOT / "docs/schemas/activity-data-v1.json").read_text(encoding="utf-8"))


def _schema_nodes(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


@cache
def schema_rules() -> frozenset[str]:
    """The pydantic error types the activity data's constraints can raise, from the schema's keywords."""
    found = {"extra_forbidden", "value_error"}  # additionalProperties: false; the engine's own validators
    for node in _schema_nodes(_schema()):
        for key, value in node.items():
            if isinstance(value, str | int | float | bool):
                found.update(_KEYWORD_RULES.get((key, value), ()))
            found.update(_CONSTRAINT_RULES.get(key, ()))
    return frozenset(found)


def schema_paths() -> Iterator[str]:
    """Every path of the activity data's schema, lists as ``[0]``."""
    schema = _schema()
    defs = schema["$defs"]

    def walk(node: dict[str, Any], path: str, seen: tuple[str, ...]) -> Iterator[str]:
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in seen:
                return
            yield from walk(defs[name], path, (*seen, name))
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for option in node.get(key, []):
                yield from walk(option, path, seen)
        if "items" in node:
            yield from walk(node["items"], f"{path}[0]", seen)
        for name, child in node.get("properties", {}).items():
            child_path = f"{path}.{name}" if path else name
            yield child_path
            yield from walk(child, child_path, seen)

    yield from walk(schema, "", ())


# --- translating ------------------------------------------------------------------------------------------------


def _translate(locale: str) -> Callable[..., str]:
    catalog = translations(locale)

    def _(message: str, **params: Any) -> str:
        text = catalog.gettext(message)
        return text.format(**params) if params else text

    return _


ZH, EN = _translate("zh_CN"), _translate("en")


@cache
def catalog(locale: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "portal.po").open("rb") as handle:
        return {m.id: str(m.string) for m in read_po(handle) if m.id}


def _assert_translated(texts: tuple[str, ...], what: str) -> None:
    assert texts, f"{what}: no text"
    for text in texts:
        for locale in ("zh_CN", "en"):
            got = catalog(locale).get(text)
            assert got, f"{what}: {locale} lacks {text!r}"
            assert set(PLACEHOLDER.findall(got)) == set(PLACEHOLDER.findall(text)), (what, locale, text)
        zh = catalog("zh_CN")[text]
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{what}: the zh text is not Chinese: {zh!r}"


# --- the walks --------------------------------------------------------------------------------------------------


def test_the_collectors_find_codes() -> None:
    """The walks below are only as good as the collection: it finds the codes we know of."""
    assert {
        "validation-failed",
        "invalid-identifier",
        "key-revoked",
        "csrf-failed",
        "not-found",
    } <= node_problem_types()
    assert {"unknown-factor", "unit-mismatch", "unknown-geography", "illustrative-factor", "schema"} <= set(
        dry_run_codes()
    )
    assert {"unknown unit", "GEC claim refused", "allocation shares do not sum to 100 %"} <= engine_rules()
    assert {
        "uscc-check-character",
        "gtin-check-digit",
        "unrecognised",
        "handle-separator",
    } <= identifier_rules()
    assert {
        "missing",
        "extra_forbidden",
        "float_parsing",
        "greater_than_equal",
        "date_parsing",
    } <= schema_rules()


@pytest.mark.parametrize("code", sorted(node_problem_types() | set(dry_run_codes()) - {""}))
def test_every_problem_code_has_a_text_in_zh_and_en(code: str) -> None:
    texts = PROBLEMS.get(code)
    assert texts is not None, f"problem code {code!r} has no text in supplier_portal.problem_texts.PROBLEMS"
    _assert_translated(texts, code)
    # the last candidate needs nothing but the field's label: every problem can be worded
    assert set(PLACEHOLDER.findall(texts[-1])) <= {"label"}, code


@pytest.mark.parametrize("code", sorted(set(dry_run_codes()) - {""}))
def test_parameters_named_in_a_text_exist(code: str) -> None:
    """A placeholder is the field's label, the identifier's reason, or a parameter the dry run gives this code (or
    that a node error collected with parameters gets)."""
    codes = dry_run_codes()
    given = (
        codes[code]
        | codes.get("", set())
        | {"label"}
        | ({"reason"} if code == "invalid-identifier" else set())
    )
    if "*" in given:
        given |= {"detail", "factorId", "unit", "factorUnit", "rule"}  # dry_run._factor_problem's params
    for text in PROBLEMS.get(code, ()):
        assert set(PLACEHOLDER.findall(text)) <= given, (code, text, sorted(given))


@pytest.mark.parametrize("what", sorted(engine_rules()))
def test_every_engine_rule_has_a_text(what: str) -> None:
    assert what in ENGINE_RULES, (
        f"engine rule {what!r} has no text in supplier_portal.problem_texts.ENGINE_RULES"
    )
    _assert_translated(ENGINE_RULES[what], what)
    assert set(PLACEHOLDER.findall(ENGINE_RULES[what][-1])) <= {"label"}, what


@pytest.mark.parametrize("rule", sorted(identifier_rules() | {"not-a-product"}))
def test_every_identifier_rule_has_a_reason(rule: str) -> None:
    assert rule in IDENTIFIER_RULES, f"identifier rule {rule!r} has no text in IDENTIFIER_RULES"
    _assert_translated(IDENTIFIER_RULES[rule], rule)
    for text in IDENTIFIER_RULES[rule]:
        assert set(PLACEHOLDER.findall(text)) <= {"got", "want"}, text
    assert not PLACEHOLDER.findall(IDENTIFIER_RULES[rule][-1]), rule


@pytest.mark.parametrize("rule", sorted(schema_rules()))
def test_every_schema_rule_has_a_text(rule: str) -> None:
    assert rule in SCHEMA_RULES, f"pydantic error type {rule!r} has no text in SCHEMA_RULES"
    _assert_translated(SCHEMA_RULES[rule], rule)


def test_the_fallback_is_chinese_and_names_the_field() -> None:
    _assert_translated((FALLBACK,), "fallback")
    problem = {
        "code": "no-such-code",
        "field": "credentialSubject.inputs.fuels[2].amount",
        "message": "English",
    }
    assert problem_text(ZH, problem) == "燃料 第 3 行，数量：该项未通过检查，请核对后重新填写。"
    assert (
        problem_text(EN, problem)
        == "fuels row 3, amount: this value was not accepted — check it and try again."
    )


def test_every_schema_path_has_a_label() -> None:
    paths = list(schema_paths())
    assert len(paths) > 80 and "inputs[0]" not in paths and "inputs.electricity[0].unit" in paths
    missing = sorted({s.key for p in paths for s in label_segments(p) if s.key not in FIELD_NAMES})
    assert not missing, f"fields without a label in the glossary: {missing}"
    for key in FIELD_NAMES:
        _assert_translated((f"field:{key}",), key)
        assert catalog("zh_CN")[f"field:{key}"] == FIELD_NAMES[key][0], (
            key
        )  # the portal says what the PDF says
        assert catalog("en")[f"field:{key}"] == FIELD_NAMES[key][1], key
    for path in paths:
        for translate in (ZH, EN):
            label = path_label(translate, f"credentialSubject.{path}")
            assert "field:" not in label and "[" not in label and "credentialSubject" not in label, (
                path,
                label,
            )


def test_paths_read_as_the_forms_labels() -> None:
    path = "credentialSubject.inputs.electricity[1].unit"
    assert path_label(ZH, path) == "电力 第 2 行，单位"
    assert path_label(EN, path) == "electricity row 2, unit"
    claim = "credentialSubject.inputs.electricity[0].greenPowerClaims[1].cancellation.date"
    assert path_label(ZH, claim) == "电力 第 1 行，绿色电力声明 第 2 行，绿证核销，核销日期"
    assert path_label(ZH, "credentialSubject.organisation.id") == "组织，组织标识（DID 或统一社会信用代码）"
    assert path_label(ZH, "credentialSubject.site.gridRegion") == "生产场所，电网区域"
    assert path_label(ZH, "credentialSubject.productIdentifier") == "产品标识"
    assert path_label(ZH, "credentialSubject") == "活动数据"


# --- the leaks of issue 18, "Why" 2 ----------------------------------------------------------------------------

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
#: Latin words a zh problem text may hold: identifiers, units and standard names.
ALLOWED_LATIN = {"IDIS", "GTIN", "URN", "USCC", "PACT", "DID", "CID", "kWh", "MWh", "YYYY", "DDThh", "ssZ"}


def _no_english(text: str) -> None:
    words = set(LATIN_WORD.findall(text)) - ALLOWED_LATIN
    assert not words, f"English in a zh text: {sorted(words)} in {text!r}"


def _schema_problem(subject: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as caught:
        ActivityData.model_validate(subject)
    return [p.as_json() for p in schema_problems(caught.value)]


def test_an_unknown_unit_is_said_in_chinese_without_pint() -> None:
    """Was: ``'吨' is not a unit pint knows`` on the zh page. A unit nobody maps (斤两) is worded in Chinese."""
    subject = load_example("aluminium-ingot-yunnan")
    subject["inputs"]["electricity"][0]["unit"] = "斤两"
    problems = _schema_problem(subject)
    assert problems and all("pint" not in p["message"] or p["code"] == "unit-invalid" for p in problems)
    views = [problem_view(ZH, p, None) for p in problems]
    unit = next(v for v in views if v["field"].endswith("electricity[0].unit"))
    assert unit["text"] == "无法识别该单位：请选择所列单位（吨、千克、千瓦时、兆瓦时、吉焦、立方米等）。"
    assert unit["where"] == "电力 第 1 行，单位"
    _no_english(unit["line"])
    assert problem_view(EN, problems[0], None)["where"] == "electricity row 1, unit"


def test_a_wrong_check_character_gives_the_reason_in_chinese() -> None:
    """Was: ``… (rule uscc-check-character)`` in the check's list."""
    problem = {
        "code": "invalid-identifier",
        "field": "credentialSubject.site.identifier",
        "params": {"value": "91350100M000100Y44"},
        "message": "credentialSubject.site.identifier '91350100M000100Y44': check character got '4', want '3' "
        "(rule uscc-check-character)",
    }
    zh = problem_view(ZH, problem, None)
    assert zh["text"] == (
        "“91350100M000100Y44”不是有效标识：校验码（第 18 位）为 4，应为 3：有字符输错，请按营业执照重新抄录。"
    )
    assert zh["where"] == "生产场所，标识"
    _no_english(zh["line"])
    en = problem_text(EN, problem)
    assert "rule" not in en and "the check character (the 18th) is 4 but should be 3" in en


def test_a_product_identifier_that_names_a_company_says_so() -> None:
    problem = {
        "code": "invalid-identifier",
        "field": "credentialSubject.productIdentifier",
        "params": {"value": "91350100M000100Y43"},
    }
    assert "这是企业的统一社会信用代码，不是产品标识" in problem_text(ZH, problem)


def test_the_product_form_words_an_identifier_problem_in_chinese() -> None:
    """Was: ``平台无法识别该标识：invalid identifier …`` (the library's English message) on the products page."""
    from supplier_portal import catalogue

    class Admin:
        def require(self, *roles: str) -> None:
            return None

    with pytest.raises(IdentifierInvalid) as caught:
        catalogue.add_product(None, Admin(), "hdl:88.118.8", "原铝锭", "", "t", "")  # type: ignore[arg-type]
    zh, en = caught.value.text(ZH), caught.value.text(EN)
    assert zh == "“hdl:88.118.8”不是有效标识：前缀与后缀之间缺少“/”。", zh
    assert en == "“hdl:88.118.8” is not a valid identifier: it has no “/” between prefix and suffix.", en
    assert caught.value.field == "identifier"
    with pytest.raises(IdentifierError) as gtin:
        parse_identifier("06901234567891")
    assert IdentifierInvalid("06901234567891", gtin.value, field="identifier").text(ZH) == (
        f"“06901234567891”不是有效标识：校验位为 1，应为 {gtin.value.want}：有数字输错，请按产品标签重新抄录 GTIN。"  # type: ignore[attr-defined]
    )


def test_a_node_error_after_signing_is_worded_from_its_problem_type() -> None:
    """Was: the node's English message (``… (rule uscc-check-character) — re-read …``) on the zh error page."""
    error = InvalidIdentifier(
        "credentialSubject.site.identifier '91350100M000100Y44': check character got '4', want '3' "
        "(rule uscc-check-character)",
        fix="re-read the identifier from its source",
        field="credentialSubject.site.identifier",
    )
    text = node_error_text(ZH, error)
    assert text == catalog("zh_CN")[PROBLEMS["invalid-identifier"][-1]] and "标识" in text
    _no_english(text)
    assert "rule" not in node_error_text(EN, error)
