"""WBCSD's PACT conformance service (server mode, so the callback cases run too) against a tanlian node of this
checkout served over HTTPS: every case of v3.0 (41) and v2.3 (22) must pass, the optional ones included.

Needs Node.js with npm, the service's tarball and PostgreSQL: in CI (CI=true) a missing one fails the test,
elsewhere it is skipped with the reason. The service's npm install is cached (tests/conformance/service.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conformance.results import VersionResult
from tests.conformance.run import Report, default_postgres_admin, run_local
from tests.conformance.service import missing_prerequisites

pytestmark = pytest.mark.postgres

#: the number of test cases the service (839bfe8) has for each version
CASES = {"V3.0": 41, "V2.3": 22}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    missing = missing_prerequisites(default_postgres_admin())
    if missing:
        reason = "PACT conformance run impossible: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    done = run_local(tuple(CASES), workdir=Path(tmp_path_factory.mktemp("conformance")))
    print(done.text())  # shown with -s, and in the report of a failing test
    return done


def _version(report: Report, version: str) -> VersionResult:
    found = [v for v in report.versions if v.version == version]
    assert found, f"no {version} run in the report"
    return found[0]


def _failures(result: VersionResult, *, mandatory: bool) -> str:
    rows = [c.line() for c in result.cases if c.mandatory is mandatory and not c.passed]
    return f"{result.summary()}\n" + "\n".join(rows)


@pytest.mark.parametrize("version", CASES)
def test_every_case_ran(report: Report, version: str) -> None:
    result = _version(report, version)
    assert len(result.cases) == CASES[version], (
        f"PACT {version}: got {len(result.cases)} test cases, want {CASES[version]}\n{result.report()}"
    )


@pytest.mark.parametrize("version", CASES)
def test_mandatory_cases_pass(report: Report, version: str) -> None:
    result = _version(report, version)
    failed = [c for c in result.cases if c.mandatory and not c.passed]
    assert not failed, (
        f"mandatory PACT {version} conformance cases failed:\n{_failures(result, mandatory=True)}"
    )


@pytest.mark.parametrize("version", CASES)
def test_optional_cases_pass(report: Report, version: str) -> None:
    result = _version(report, version)
    failed = [c for c in result.cases if not c.mandatory and not c.passed]
    assert not failed, (
        f"optional PACT {version} conformance cases failed:\n{_failures(result, mandatory=False)}"
    )
