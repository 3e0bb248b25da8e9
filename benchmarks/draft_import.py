"""Draft import benchmark (issue 18, "A 20,000-row CSV imports (into a draft, all rows checked) in ≤ 10 s").

End to end through the portal, as a browser does it, on a real node (SQLite in a temporary directory):
  upload   POST /portal/submissions/upload with the 20,000-row GB18030 CSV of benchmarks/sheet_import.py: the file
           read, every row checked, the rows saved as the organisation's draft, the first page of the grid rendered
  check    POST /portal/submissions/prepare with what the page sends ("Check and continue"): the header, the 200
           rows of the page and the draft's id; the route reads the 20,000 rows from the draft, builds the document
           and runs the node's full dry run over all of them, then renders the review page (or the problems)
  total    upload + check
The body the check sends is printed too (it stays far below the node's 4 MiB limit: no 413). Exits 1 when the
median total is above --limit seconds.

Run: .venv/bin/python benchmarks/draft_import.py [--rows 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import html
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from benchmarks.sheet_import import build_csv
from node_service.app import create_app
from node_service.runtime import Node
from node_service.settings import Settings
from supplier_portal.activity_sheet import MAX_ROWS
from tests.node_service.helpers import registration, serve_example_identifiers

PREFIX = "88.118.4477"


def _csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf-token" content="([0-9a-f]{64})"', client.get(path).text)
    assert found
    return found.group(1)


def _page_fields(page: str) -> list[tuple[str, str]]:
    """The fields of the grid's form as the browser would send them (inputs and selected options)."""
    form = page[page.index('id="activity-form"') : page.index("</form>", page.index('id="activity-form"'))]
    fields = []
    for tag in re.findall(r"<input [^>]*>", form):
        name, value = re.search(r' name="([^"]+)"', tag), re.search(r' value="([^"]*)"', tag)
        if name and name.group(1) != "csrf_token" and 'type="file"' not in tag:
            fields.append((html.unescape(name.group(1)), html.unescape(value.group(1)) if value else ""))
    for name, options in re.findall(
        r'<select (?:id="[^"]*" )?name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        fields.append((name, html.unescape(chosen.group(1)) if chosen else ""))
    return fields


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=MAX_ROWS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=float, default=10.0, help="seconds allowed for the median total")
    args = parser.parse_args()
    data = build_csv(args.rows, "gb18030")
    print(f"CSV: {args.rows:,} rows, {len(data) / 2**20:.2f} MiB, GB18030")
    times: dict[str, list[float]] = {"upload": [], "check": [], "total": []}
    with tempfile.TemporaryDirectory() as tmp:
        node = Node(Settings(data_dir=Path(tmp) / "data", database_url=f"sqlite:///{tmp}/db.sqlite")).start()
        try:
            client = TestClient(create_app(node=node), base_url="http://127.0.0.1")
            serve_example_identifiers(client)
            body = {
                "registration": registration(
                    Ed25519PrivateKey.generate(), "云南绿铝", ["supplier"], idisPrefixes=[PREFIX]
                ),
                "username": "bench-admin",
                "password": "a long enough password",
            }
            resp = client.post(
                "/portal/register", json=body, headers={"X-CSRF-Token": _csrf(client, "/portal/register")}
            )
            assert resp.status_code == 201, resp.text
            product = {"identifier": f"{PREFIX}/AL-A00", "name_zh": "原铝锭", "declared_unit": "t",
                       "csrf_token": _csrf(client, "/portal/products")}  # fmt: skip
            assert client.post("/portal/products", data=product, follow_redirects=False).status_code == 303
            client.get("/portal/lang/zh_CN")
            found = re.search(
                r'<option value="([^"]+)"[^>]*>原铝锭', client.get("/portal/submissions/new").text
            )
            assert found
            header = {"product": found.group(1), "period_start": "2024-01-01", "period_end": "2024-12-31",
                      "site_name": "昆明电解铝厂", "grid_region": "CN-YN", "produced_quantity": "100000",
                      "comment": "", "rows": "0"}  # fmt: skip
            for _ in range(args.rounds):
                form = dict(header, csrf_token=_csrf(client, "/portal/submissions/new?fresh=1"))
                t0 = time.perf_counter()
                page = client.post(
                    "/portal/submissions/upload",
                    data=form,
                    files={"file": ("活动数据.csv", data, "text/csv")},
                )
                t1 = time.perf_counter()
                shown = re.search(r"共 ([\d,]+) 行，显示第 ([\d,]+)–([\d,]+) 行", page.text)
                assert page.status_code == 200 and shown, (page.status_code, page.text[:300])
                fields = [*_page_fields(page.text), ("csrf_token", _csrf(client, "/portal/submissions/new"))]
                sent = len(urllib.parse.urlencode(fields).encode())
                t2 = time.perf_counter()
                checked = client.post("/portal/submissions/prepare", data=dict(fields))
                t3 = time.perf_counter()
                problems = len(re.findall(r"<li data-field", checked.text))
                if checked.status_code != 200:
                    print(re.findall(r"<li data-field[^>]*>([^<]+)<", checked.text)[:3])
                outcome = (
                    "review page"
                    if checked.status_code == 200
                    else f"{checked.status_code}, {problems} problems"
                )
                print(
                    f"upload {t1 - t0:.2f} s ({shown.group(0)}); check {t3 - t2:.2f} s "
                    f"(body {sent / 1024:.0f} KiB, {outcome}, page {len(checked.content) / 2**20:.1f} MiB)"
                )
                times["upload"].append(t1 - t0)
                times["check"].append(t3 - t2)
                times["total"].append(t1 - t0 + t3 - t2)
        finally:
            node.stop()
    for name, values in times.items():
        print(f"{name:7s} median {statistics.median(values):6.2f} s   max {max(values):6.2f} s")
    median = statistics.median(times["total"])
    if median > args.limit:
        print(f"FAIL: median total {median:.2f} s > {args.limit} s")
        return 1
    print(f"OK: median total {median:.2f} s ≤ {args.limit} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
