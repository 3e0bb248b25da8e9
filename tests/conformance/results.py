"""The conformance service's results, one row per test case, as the service reports them
(``src/services/types.ts``: TestResult ``{name, status, errorMessage, mandatory, testKey}``)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["CaseResult", "VersionResult", "parse_run"]

_TEST_KEY = re.compile(r"^TESTCASE#(\d+)(?:\.([A-Z]))?$")
#: the service's result states: SUCCESS, FAILURE, and PENDING for a callback case whose event never came
SUCCESS, FAILURE, PENDING = "SUCCESS", "FAILURE", "PENDING"


@dataclass(frozen=True)
class CaseResult:
    number: str  # "1" … "40", "14.A", "14.B"
    name: str
    mandatory: bool
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status == SUCCESS

    @property
    def sort_key(self) -> tuple[int, str]:
        head, _, tail = self.number.partition(".")
        return (int(head) if head.isdigit() else 1_000, tail)

    def line(self) -> str:
        kind = "mandatory" if self.mandatory else "optional"
        verdict = {SUCCESS: "pass", FAILURE: "FAIL", PENDING: "PENDING"}.get(self.status, self.status)
        text = f"{verdict:7} {self.number:>5} ({kind}) {self.name}"
        if not self.passed and self.message:
            text += f"\n              {self.message[:600]}"
        return text


@dataclass(frozen=True)
class VersionResult:
    version: str  # "V3.0", "V2.3"
    run_id: str
    status: str  # the service's verdict on the mandatory cases: PASS, FAIL, PENDING
    cases: tuple[CaseResult, ...]

    @property
    def passed(self) -> list[CaseResult]:
        return [c for c in self.cases if c.passed]

    @property
    def failed(self) -> list[CaseResult]:
        return [c for c in self.cases if not c.passed]

    def summary(self) -> str:
        mandatory = [c for c in self.cases if c.mandatory]
        return (
            f"PACT {self.version}: {len(self.passed)}/{len(self.cases)} passed "
            f"(mandatory {sum(c.passed for c in mandatory)}/{len(mandatory)}; service verdict {self.status}; "
            f"test run {self.run_id})"
        )

    def report(self) -> str:
        return "\n".join([self.summary(), *(c.line() for c in self.cases)])

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "testRunId": self.run_id,
            "status": self.status,
            "passed": len(self.passed),
            "total": len(self.cases),
            "results": [
                {
                    "number": c.number,
                    "name": c.name,
                    "mandatory": c.mandatory,
                    "status": c.status,
                    "message": c.message,
                }
                for c in self.cases
            ],
        }


def _number(test_key: str, name: str) -> str:
    match = _TEST_KEY.match(test_key)
    if match:
        return match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
    found = re.match(r"Test Case (\d+(?:\.[A-Z])?)", name)
    return found.group(1) if found else test_key


def _message(raw: Any) -> str:
    """The service's message as plain text (it writes ``<br/>`` for its web page)."""
    text = re.sub(r"<br\s*/?>", " ", str(raw or ""))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def parse_run(version: str, run: dict[str, Any]) -> VersionResult:
    """A ``GET /testruns/{id}`` answer of the service as a :class:`VersionResult`."""
    cases = [
        CaseResult(
            number=_number(str(r.get("testKey", "")), str(r.get("name", ""))),
            name=str(r.get("name", "")),
            mandatory=bool(r.get("mandatory")),
            status=str(r.get("status", "")),
            message=_message(r.get("errorMessage")),
        )
        for r in run.get("results", [])
    ]
    return VersionResult(
        version=version,
        run_id=str(run.get("testRunId") or run.get("id") or ""),
        status=str(run.get("status", "")),
        cases=tuple(sorted(cases, key=lambda c: c.sort_key)),
    )
