"""LibreOffice headless: recalculate workbooks (every formula, on load) and render them to PDF."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

#: a user profile that tells Calc to recalculate OOXML and ODF files on load (the default is "never").
_RECALC_ON_LOAD = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str:
    """Path of soffice; skips on a developer machine without LibreOffice, fails in CI."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None and not os.environ.get("CI"):
        pytest.skip("LibreOffice (soffice) not installed; in CI this test fails instead of skipping")
    assert found is not None, "LibreOffice (soffice) missing in CI: install libreoffice-calc-nogui"
    return found


def convert(sources: list[Path], fmt: str, out_dir: Path) -> list[Path]:
    """Convert files in one soffice run (`fmt` e.g. "xlsx:Calc MS Excel 2007 XML" or "pdf"), with formulas
    recalculated on load; returns the converted paths in order."""
    profile = out_dir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ON_LOAD, encoding="utf-8")
    target = out_dir / fmt.split(":")[0]
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(target),
            *map(str, sources),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )
    out = [target / (s.stem + "." + fmt.split(":")[0]) for s in sources]
    missing = [p for p in out if not p.exists()]
    assert not missing, f"LibreOffice did not write {missing}"
    return out
