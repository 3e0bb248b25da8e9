"""PACT v2.3 ``$filter`` (Technical Specifications v2.3, Action ListFootprints, request parameter Filter): a
strict parser of exactly the subset the spec allows, into a predicate on a rendered v2.3 ProductFootprint.

The subset, in the syntax of the OData v4.01 URL conventions (RWS: one or more spaces; BWS: any)::

    filter     = term *( RWS "and" RWS term )
    term       = "(" BWS filter BWS ")" / comparison / lambda
    comparison = property RWS operator RWS literal / literal RWS operator RWS property
    operator   = "eq" / "lt" / "le" / "gt" / "ge"
    property   = "created" / "updated" / "productCategoryCpc"
               / "pcf/geographyCountry" / "pcf/referencePeriodStart" / "pcf/referencePeriodEnd"
    lambda     = ( "productIds" / "companyIds" ) "/any(" BWS variable BWS ":" BWS body BWS ")"
    body       = "(" BWS body BWS ")" / variable RWS "eq" RWS string / string RWS "eq" RWS variable
    literal    = string / dateTimeOffset / date
    string     = "'" *( "''" / any character but "'" ) "'"

Operator names (``eq``, ``and``, ``any``) are case-insensitive, as OData 4.01 requires; property names are
PACT's, case-sensitive.

Semantics: ``created``, ``updated`` and the reference period bounds are date-times and compare as instants; the
literal may be quoted (as PACT's examples write it) or bare (as OData does), an RFC 3339 date-time or a date
(midnight UTC). ``productCategoryCpc`` and ``pcf/geographyCountry`` compare as strings (code points) with a quoted
literal. A property the document lacks makes its comparison false (OData's null). ``X/any(v:v eq 's')`` holds
when the collection ``X`` contains ``s``.

Errors: anything outside the subset (``or``, ``not``, ``ne``, functions such as ``contains``, another property,
``all``, …) is :class:`NotImplementedAction` naming it (the spec lets a host refuse such a statement with
NotImplemented); malformed input is :class:`BadRequest` with the character position and what was expected.

Limits: at most :data:`MAX_FILTER_LENGTH` characters, :data:`MAX_DEPTH` nested parentheses and
:data:`MAX_CONDITIONS` comparisons, checked while parsing, so hostile input costs linear time and bounded
recursion.

A hand-written parser rather than a library: the PyPI OData parsers parse the whole OData grammar into a tree that
would still have to be walked to refuse what is outside this subset, and report neither positions nor the
distinction between unsupported and malformed that the spec's error codes need.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from node_service.services.pact.errors import BadRequest, NotImplementedAction
from node_service.services.pact.reads.filters import MAX_VALUE_LENGTH, Criteria

__all__ = [
    "DATE_TIME_PROPERTIES",
    "LAMBDA_COLLECTIONS",
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "MAX_FILTER_LENGTH",
    "STRING_PROPERTIES",
    "AnyEquals",
    "Comparison",
    "ODataFilter",
    "parse_filter",
]

#: longest filter text accepted (characters)
MAX_FILTER_LENGTH = 2000
#: deepest nesting of parentheses (grouping, ``any(…)`` and its body)
MAX_DEPTH = 8
#: most comparisons and ``any`` conditions in one filter
MAX_CONDITIONS = 20

DATE_TIME_PROPERTIES = ("created", "updated", "pcf/referencePeriodStart", "pcf/referencePeriodEnd")
STRING_PROPERTIES = ("productCategoryCpc", "pcf/geographyCountry")
LAMBDA_COLLECTIONS = {"productIds": "productId", "companyIds": "companyId"}  # → the listing's key kind

_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "lt": operator.lt,
    "le": operator.le,
    "gt": operator.gt,
    "ge": operator.ge,
}
_MIRRORED = {"eq": "eq", "lt": "gt", "le": "ge", "gt": "lt", "ge": "le"}  # '3' lt x  ⇔  x gt '3'
#: OData operators and keywords outside the subset
_OTHER_OPERATORS = {"ne", "has", "in", "add", "sub", "mul", "div", "divby", "mod"}
_KEYWORDS = {*_OPERATORS, *_OTHER_OPERATORS, "and", "or", "not", "true", "false", "null"}

_SUPPORTED = (
    "use eq, lt, le, gt or ge on created, updated, productCategoryCpc, pcf/geographyCountry, "
    "pcf/referencePeriodStart or pcf/referencePeriodEnd, joined with and, and "
    "productIds/any(p:p eq '…') or companyIds/any(c:c eq '…')"
)

# ------------------------------------------------------------------ literals
_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2})))?"
)


def _instant(text: str) -> datetime | None:
    """An RFC 3339 date-time (seconds optional, as OData allows) or a date (midnight UTC); None otherwise."""
    m = _DATE_TIME.fullmatch(text)
    if m is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = m.groups()
    if hour is not None and zulu is None and sign is None:
        return None  # a time needs its offset
    try:
        zone = UTC
        if sign is not None:
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            zone = timezone(-offset if sign == "-" else offset)
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=zone,
        )
    except ValueError:  # month 13, hour 25, offset beyond a day …
        return None


# ------------------------------------------------------------------ tokens
@dataclass(frozen=True)
class _Token:
    kind: str  # "name", "string", "datetime", "number", one of "()/:," or "end"
    text: str  # as written (a string's value without quotes, '' unescaped)
    at: int  # offset of its first character
    spaced: bool  # whitespace right before it

    @property
    def word(self) -> str:
        """A name in lower case (operator names are case-insensitive), else ''."""
        return self.text.lower() if self.kind == "name" else ""

    def shown(self) -> str:
        """The token as an error message names it: a string as quoted in OData, a name or value as written."""
        if self.kind == "end":
            return "the end"
        if self.kind == "string":
            return "'" + self.text[:40].replace("'", "''") + "'"
        return self.text[:40] if self.kind in ("name", "number", "datetime") else f"'{self.text}'"


_NAME = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*")
_DATE_TIME_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[Tt][0-9:.]*(?:[Zz]|[+-][0-9:]*)?)?")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _syntax_error(detail: str, at: int) -> BadRequest:
    return BadRequest(
        f"$filter: {detail} at character {at + 1}",
        fix="write it as the PACT v2.3 examples do, e.g. $filter=productCategoryCpc eq '3342'",
    )


def _unsupported(what: str) -> NotImplementedAction:
    return NotImplementedAction(f"$filter: {what} is not supported by this host", fix=_SUPPORTED)


def _tokens(text: str) -> list[_Token]:
    out: list[_Token] = []
    i, spaced = 0, False
    while i < len(text):
        c = text[i]
        if c in " \t":
            i, spaced = i + 1, True
            continue
        if c in "()/:,":
            out.append(_Token(c, c, i, spaced))
            i += 1
        elif c == "'":
            value, end = _string(text, i)
            out.append(_Token("string", value, i, spaced))
            i = end
        elif c.isascii() and (c.isdigit() or c == "-"):
            m = _DATE_TIME_LIKE.match(text, i)
            if m is not None:
                if _instant(m.group()) is None:
                    raise _syntax_error(
                        f"{m.group()[:40]!r} is not an RFC 3339 date-time (an offset's '+' is sent as %2B)", i
                    )
                out.append(_Token("datetime", m.group(), i, spaced))
            elif (m := _NUMBER.match(text, i)) is not None:
                out.append(_Token("number", m.group(), i, spaced))
            else:
                raise _syntax_error(f"unexpected {c!r}", i)
            i = m.end()
        elif (m := _NAME.match(text, i)) is not None:
            out.append(_Token("name", m.group(), i, spaced))
            i = m.end()
        elif c == "@":
            raise _unsupported("a parameter alias (@…)")
        else:
            hint = " (strings are quoted with ')" if c == '"' else ""
            raise _syntax_error(f"unexpected {c!r}{hint}", i)
        spaced = False
    out.append(_Token("end", "", len(text), spaced))
    return out


def _string(text: str, start: int) -> tuple[str, int]:
    """The value of the string literal opening at ``start`` ('' is one quote) and the offset after it."""
    parts: list[str] = []
    i = start + 1
    while True:
        close = text.find("'", i)
        if close < 0:
            raise _syntax_error("a string literal is not closed (a quote inside one is written '')", start)
        parts.append(text[i:close])
        if text.startswith("''", close):
            parts.append("'")
            i = close + 2
        else:
            return "".join(parts), close + 1


# ------------------------------------------------------------------ conditions
@dataclass(frozen=True)
class Comparison:
    """``property operator value``: a date-time property against an instant, a string property against a
    string."""

    property: str
    operator: str
    value: datetime | str

    def matches(self, pf: dict[str, Any]) -> bool:
        found: Any = pf
        for segment in self.property.split("/"):
            found = found.get(segment) if isinstance(found, dict) else None
        if not isinstance(found, str):
            return False  # absent: OData null, every comparison is false
        if isinstance(self.value, datetime):
            moment = _instant(found)
            return moment is not None and _OPERATORS[self.operator](moment, self.value)
        return _OPERATORS[self.operator](found, self.value)


@dataclass(frozen=True)
class AnyEquals:
    """``collection/any(v:v eq value)``: the collection contains ``value``."""

    collection: str
    value: str

    def matches(self, pf: dict[str, Any]) -> bool:
        values = pf.get(self.collection)
        return isinstance(values, list) and self.value in values


@dataclass(frozen=True)
class ODataFilter:
    """A parsed ``$filter``: the conjunction of its conditions."""

    text: str
    conditions: tuple[Comparison | AnyEquals, ...]

    def matches(self, pf: dict[str, Any]) -> bool:
        """Whether the rendered v2.3 ProductFootprint ``pf`` satisfies every condition."""
        return all(condition.matches(pf) for condition in self.conditions)

    def criteria(self) -> Criteria:
        """List criteria every match satisfies (so the listing can narrow by its key index): the first
        ``productIds/any`` and ``companyIds/any`` value. The filter itself is still applied to each row."""
        values: dict[str, list[str]] = {}
        for condition in self.conditions:
            if isinstance(condition, AnyEquals) and len(condition.value) <= MAX_VALUE_LENGTH:
                values.setdefault(LAMBDA_COLLECTIONS[condition.collection], [condition.value])
        return Criteria(values=values)


# ------------------------------------------------------------------ parser
@dataclass(frozen=True)
class _Path:
    text: str
    at: int


@dataclass(frozen=True)
class _Literal:
    token: _Token


class _Parser:
    """Recursive descent over the tokens; recursion is bounded by :data:`MAX_DEPTH`."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0
        self.conditions: list[Comparison | AnyEquals] = []

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, kind: str, what: str) -> _Token:
        token = self.peek()
        if token.kind != kind:
            raise _syntax_error(f"expected {what}, got {token.shown()}", token.at)
        return self.take()

    def open(self) -> None:
        token = self.expect("(", "'('")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _syntax_error(f"parentheses nested deeper than {MAX_DEPTH}", token.at)

    def close(self, expected: str, *, in_lambda: bool = False) -> None:
        token = self.peek()
        if token.word in ("and", "or"):
            raise _unsupported(f"{token.word} inside any()" if in_lambda else token.word)
        if token.kind != ")":
            raise _syntax_error(f"expected {expected}, got {token.shown()}", token.at)
        self.take()
        self.depth -= 1

    def add(self, condition: Comparison | AnyEquals, at: int) -> None:
        if len(self.conditions) == MAX_CONDITIONS:
            raise _syntax_error(f"more than {MAX_CONDITIONS} conditions", at)
        self.conditions.append(condition)

    def binary(self, words: set[str]) -> str | None:
        """The operator name at the cursor if it is one of ``words`` (spaces around it checked), else None."""
        token = self.peek()
        if token.word not in words:
            return None
        following = self.tokens[self.i + 1]
        if not token.spaced or not (following.spaced or following.kind == "end"):
            raise _syntax_error(f"expected a space on each side of {token.text!r}", token.at)
        self.take()
        return token.word

    # filter = term *( RWS "and" RWS term )
    def conjunction(self) -> None:
        self.term()
        while self.binary({"and"}) is not None:
            self.term()

    def finish(self) -> None:
        token = self.peek()
        if token.word == "or":
            raise _unsupported("or")
        if token.kind == ")":
            raise _syntax_error("')' without its '('", token.at)
        if token.kind != "end":
            raise _syntax_error(f"expected 'and' or the end, got {token.shown()}", token.at)

    # term = "(" filter ")" / comparison / lambda
    def term(self) -> None:
        token = self.peek()
        if token.kind == "(":
            self.open()
            self.conjunction()
            self.close("'and' or ')'")
            return
        if token.word == "not":
            raise _unsupported("not")
        left = self.operand()
        if left is None:
            return  # a lambda, added already
        op_token = self.peek()
        op = self.binary(set(_OPERATORS))
        if op is None:
            if op_token.word in _OTHER_OPERATORS:
                raise _unsupported(f"the operator {op_token.word}")
            raise _syntax_error(f"expected eq, lt, le, gt or ge, got {op_token.shown()}", op_token.at)
        right = self.operand()
        if right is None:
            raise _unsupported("a comparison with any()")
        self.comparison(left, op, right, op_token)

    def operand(self) -> _Path | _Literal | None:
        """A property path or a literal; None after parsing a lambda (``collection/any(…)``)."""
        token = self.peek()
        if token.kind in ("string", "datetime", "number"):
            return _Literal(self.take())
        if token.word in ("true", "false", "null"):
            raise _unsupported(f"the literal {token.word}")
        if token.kind != "name" or token.word in _KEYWORDS:
            raise _syntax_error(f"expected a property or a literal, got {token.shown()}", token.at)
        self.take()
        if self.peek().kind == "(":
            raise _unsupported(f"the function {token.text}()")
        segments = [token.text]
        while self.peek().kind == "/" and not self.peek().spaced:
            self.take()
            segment = self.peek()
            if segment.kind != "name" or segment.spaced:
                raise _syntax_error(
                    f"expected a property name right after '/', got {segment.shown()}", segment.at
                )
            self.take()
            if segment.word in ("any", "all") and self.peek().kind == "(":
                self.lambda_(segment, "/".join(segments), token.at)
                return None
            segments.append(segment.text)
        path = "/".join(segments)
        if path in LAMBDA_COLLECTIONS:
            raise _unsupported(f"comparing the collection {path} (use {path}/any(…))")
        if path not in DATE_TIME_PROPERTIES and path not in STRING_PROPERTIES:
            raise _unsupported(f"the property {path[:60]}")
        return _Path(path, token.at)

    def comparison(self, left: _Path | _Literal, op: str, right: _Path | _Literal, op_token: _Token) -> None:
        if isinstance(left, _Path) and isinstance(right, _Path):
            raise _unsupported("comparing two properties")
        if isinstance(left, _Literal) and isinstance(right, _Literal):
            raise _unsupported("comparing two literals")
        if isinstance(left, _Literal):
            left, right, op = right, left, _MIRRORED[op]
        assert isinstance(left, _Path) and isinstance(right, _Literal)
        self.add(Comparison(left.text, op, _value(left.text, right.token)), left.at)

    # lambda = collection "/any(" variable ":" body ")"
    def lambda_(self, segment: _Token, collection: str, at: int) -> None:
        if segment.word == "all":
            raise _unsupported("the lambda operator all")
        if collection not in LAMBDA_COLLECTIONS:
            raise _unsupported(f"any() on {collection[:60]}")
        self.open()
        if self.peek().kind == ")":
            raise _unsupported("any() without an expression")
        variable = self.expect("name", "a lambda variable")
        if variable.word in _KEYWORDS:
            raise _syntax_error(f"expected a lambda variable, got {variable.shown()}", variable.at)
        self.expect(":", "':' after the lambda variable")
        value = self.lambda_body(variable.text)
        self.close("')' closing any(", in_lambda=True)
        self.add(AnyEquals(collection, value), at)

    # body = "(" body ")" / variable "eq" string / string "eq" variable
    def lambda_body(self, variable: str) -> str:
        if self.peek().kind == "(":
            self.open()
            value = self.lambda_body(variable)
            self.close("')'", in_lambda=True)
            return value
        sides = [self.lambda_side(variable)]
        op_token = self.peek()
        op = self.binary({"eq"})
        if op is None:
            if op_token.word in _OPERATORS or op_token.word in _OTHER_OPERATORS:
                raise _unsupported(f"the operator {op_token.word} inside any() (only eq)")
            raise _syntax_error(f"expected eq, got {op_token.shown()}", op_token.at)
        sides.append(self.lambda_side(variable))
        strings = [side for side in sides if side is not None]
        if len(strings) != 1:
            raise _unsupported("any() comparing anything but its variable with a string")
        return strings[0]

    def lambda_side(self, variable: str) -> str | None:
        """None for the lambda variable, the value of a string literal."""
        token = self.take()
        if token.kind == "string":
            return token.text
        if token.kind == "name" and token.text == variable and self.peek().kind not in ("/", "("):
            return None
        if token.kind in ("datetime", "number") or token.word in ("true", "false", "null"):
            raise _unsupported(f"any() with a value that is not a string ({token.shown()})")
        if token.kind == "name" and token.word not in _KEYWORDS:
            raise _unsupported(f"{token.text[:60]} inside any() (only its variable {variable})")
        raise _syntax_error(f"expected {variable} or a string, got {token.shown()}", token.at)


def _value(path: str, token: _Token) -> datetime | str:
    """The literal ``token`` as the type of property ``path``."""
    if path in DATE_TIME_PROPERTIES:
        moment = _instant(token.text) if token.kind in ("string", "datetime") else None
        if moment is None:
            raise BadRequest(
                f"$filter: {path} is a date-time, got {token.shown()} at character {token.at + 1}",
                fix="write an RFC 3339 date-time, e.g. '2023-01-01T00:00:00Z'",
            )
        return moment
    if token.kind != "string":
        raise BadRequest(
            f"$filter: {path} is a string, got {token.shown()} at character {token.at + 1}",
            fix=f"quote the value: '{token.text[:40]}'",
        )
    return token.text


def parse_filter(text: str) -> ODataFilter:
    """The ``$filter`` ``text`` as a predicate; :class:`BadRequest` when it is malformed or beyond the limits,
    :class:`NotImplementedAction` when it uses OData beyond the PACT v2.3 subset."""
    # (1) the length cap before any work
    if len(text) > MAX_FILTER_LENGTH:
        raise BadRequest(
            f"$filter: got {len(text)} characters, want at most {MAX_FILTER_LENGTH}",
            fix="split the query into several requests",
        )
    # (2) tokens, (3) the grammar, (4) nothing after the filter
    parser = _Parser(_tokens(text))
    parser.conjunction()
    parser.finish()
    return ODataFilter(text, tuple(parser.conditions))
