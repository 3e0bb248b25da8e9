"""``tanlian factors search|show|resolve|import|tables|table``: the factor library, offline (the built-in library
shipped with the engine) or on a node (``--node URL``, with ``--token`` to include your own factors, required to
import). ``tables`` and ``table NAME`` show the reference tables (offline: the package's; on a node: the versions
it recorded, ``--version`` for an older one); a row flagged for review is marked "待复核 / needs review".

Output is a table whose columns are the factor's name, value, geography and year, and its source (``resolve``:
one line naming the rule, the factor, its version and source, then each fallback taken); ``--json`` prints the
API's JSON instead. A failure is one line on stderr and exit 1 (an import prints each of the table's problems on
its own line first).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Annotated, Any

import typer

from node_service.cli._common import fail, print_json, problem_line

__all__ = ["factors_app", "register"]

factors_app = typer.Typer(
    name="factors",
    help="The factor library (排放因子库): search, show, which factor a rule gives, import your own factors.",
    no_args_is_help=True,
)

NodeOption = Annotated[
    str | None, typer.Option("--node", help="Base URL of a node; without it, the built-in library offline.")
]
TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token", envvar="TANLIAN_API_TOKEN", help="API token: adds your private factors on a node."
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
TIMEOUT = 60.0


# -- talking to a node -----------------------------------------------------------------------------------------


def _request(node: str, method: str, path: str, token: str | None, what: str, **kwargs: Any) -> Any:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.Client(base_url=node.rstrip("/"), timeout=TIMEOUT) as client:
            resp = client.request(method, path, headers=headers, **kwargs)
    except httpx.HTTPError as exc:
        fail(f"{what}: node {node} unreachable: {exc} — check --node and that the node runs")
    if resp.status_code == 422 and isinstance(_json(resp), dict):
        for problem in _json(resp).get("errors") or []:
            if isinstance(problem, dict) and "row" in problem:
                typer.echo(
                    f"row {problem['row']}, column {problem['column']}: {problem['message']} "
                    f"({problem['rule']}) — {problem['fix']}",
                    err=True,
                )
    if resp.status_code >= 400:
        fail(problem_line(resp, what, with_title=False))
    return resp.json()


def _json(resp: Any) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


# -- offline ---------------------------------------------------------------------------------------------------


def _offline_search(q: str, **filters: Any) -> dict[str, Any]:
    from footprint_engine.errors import FootprintEngineError
    from footprint_engine.factors import FactorLibrary
    from footprint_engine.factors.search import FactorIndex
    from node_service.services.factors.views import factor_json

    try:
        page = FactorIndex(FactorLibrary.builtin().factors()).search(q, **filters)
    except FootprintEngineError as exc:
        fail(f"search: {exc.field or 'query'}: {exc.detail} — {exc.fix}")
    items = [{**factor_json(h.factor), "score": h.score, "matched": list(h.matched)} for h in page.hits]
    return {"total": page.total, "offset": page.offset, "limit": page.limit, "items": items}


def _offline_show(factor_id: str) -> dict[str, Any]:
    from footprint_engine.factors import FactorLibrary
    from node_service.services.factors.views import factor_json

    library = FactorLibrary.builtin()
    if factor_id not in library:
        fail(f"show: no factor {factor_id!r} in the built-in library — find one with tanlian factors search")
    return factor_json(library.get(factor_id))


def _offline_resolve(rule: str, geography: str, year: int) -> dict[str, Any]:
    from footprint_engine.errors import FootprintEngineError
    from footprint_engine.factors import FactorLibrary
    from node_service.services.factors.resolve import resolve_in

    try:
        return resolve_in(FactorLibrary.builtin(), rule, geography, year).as_json()
    except FootprintEngineError as exc:
        fail(f"resolve: --{exc.field or 'rule'}: {exc.detail} — {exc.fix}")


# -- rendering -------------------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (Chinese characters take two)."""
    out, used = "", 0
    for c in text:
        w = _width(c)
        if used + w > width - (1 if _width(text) > width else 0):
            out += "…"
            used += 1
            break
        out, used = out + c, used + w
    return out + " " * max(0, width - used)


def _value(item: dict[str, Any]) -> str:
    if item.get("value") is not None:
        return f"{item['value']:g} {item['valueUnit']}"
    return "; ".join(f"{k} {v:g}" for k, v in (item.get("flows") or {}).items()) + f" kg/{item['unit']}"


def _source(item: dict[str, Any]) -> str:
    parts = [str(item.get("sourceId") or "").upper() or "-"]
    if item.get("cpcdCode"):
        parts.append(item["cpcdCode"])
    if item.get("publisher"):
        parts.append(str(item["publisher"]))
    return " ".join(parts)


def _name(item: dict[str, Any]) -> str:
    return " / ".join(n for n in (item.get("nameZh"), item.get("nameEn")) if n) or str(item.get("key"))


def _print_table(items: list[dict[str, Any]], total: int) -> None:
    columns = (("名称 Name", 36), ("Value", 22), ("Geo", 10), ("Year", 5), ("Source", 44))
    typer.echo("  ".join(_fit(title, w) for title, w in columns).rstrip())
    for item in items:
        cells = (_name(item), _value(item), item["geography"], str(item.get("year") or "-"), _source(item))
        typer.echo("  ".join(_fit(str(c), w) for c, (_, w) in zip(cells, columns, strict=True)).rstrip())
        flags = [f"v{item['version']}"]
        if item.get("illustrative"):
            flags.append("ILLUSTRATIVE")
        if item.get("redistributable") is False:
            flags.append("not redistributable")
        typer.echo(f"    {item['id']}  ({', '.join(flags)})")
    typer.echo(f"{len(items)} of {total} factor(s)")


# -- commands --------------------------------------------------------------------------------------------------


@factors_app.command("search")
def search_command(
    query: Annotated[
        str, typer.Argument(help="Chinese or English name, pinyin, id or CPCD code (may be '').")
    ],
    kind: Annotated[str | None, typer.Option(help="material, electricity-grid, fuel, transport, …")] = None,
    geography: Annotated[
        str | None, typer.Option(help="e.g. CN-YN (its grid, CN and GLO factors too)")
    ] = None,
    year: Annotated[int | None, typer.Option(help="data year")] = None,
    unit: Annotated[
        str | None, typer.Option(help="activity unit (t, kWh) or dimension (mass, energy)")
    ] = None,
    category: Annotated[str | None, typer.Option(help="e.g. metal")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
    node: NodeOption = None,
    token: TokenOption = None,
) -> None:
    """Search the factor library, best match first, each factor with its source."""
    filters = {"kind": kind, "geography": geography, "year": year, "unit": unit, "category": category}
    if node is None:
        page = _offline_search(query, limit=limit, offset=offset, **filters)
    else:
        params = {
            k: v
            for k, v in {"q": query, **filters, "limit": limit, "offset": offset}.items()
            if v is not None
        }
        page = _request(node, "GET", "/factors", token, "search", params=params)
    if as_json:
        print_json(page)
    else:
        _print_table(page["items"], page["total"])


@factors_app.command("show")
def show_command(
    factor_id: Annotated[
        str, typer.Argument(metavar="ID", help="The factor id, e.g. electricity-grid/co2/CN-YN/2023")
    ],
    as_json: JsonOption = False,
    node: NodeOption = None,
    token: TokenOption = None,
) -> None:
    """One factor with its source, terms and (on a node) every version."""
    from urllib.parse import quote

    item = (
        _offline_show(factor_id)
        if node is None
        else _request(node, "GET", f"/factors/{quote(factor_id, safe='/')}", token, "show")
    )
    if as_json:
        print_json(item)
        return
    rows = [
        ("id", item["id"]),
        ("name", _name(item)),
        ("value", _value(item)),
        ("geography / year", f"{item['geography']} / {item.get('year') or '-'}"),
        ("scope", item.get("scope")),
        ("version", item["version"]),
        ("valid", f"{item.get('validFrom') or '-'} … {item.get('validTo') or 'current'}"),
        ("source", item.get("source")),
        ("publisher", item.get("publisher")),
        ("source URL", item.get("sourceUrl")),
        ("CPCD code", item.get("cpcdCode")),
        ("terms", item.get("terms")),
        ("illustrative", "yes" if item.get("illustrative") else None),
        ("redistributable", "no" if item.get("redistributable") is False else None),
        ("note", item.get("note")),
    ]
    for label, value in rows:
        if value:
            typer.echo(f"{label:>16}: {value}")
    for version in item.get("versions") or []:
        state = "current" if version["current"] else f"until {version['validTo']}"
        typer.echo(f"{'version ' + version['version']:>16}: {_value({**item, **version})} ({state})")


@factors_app.command("resolve")
def resolve_command(
    rule: Annotated[
        str,
        typer.Option(
            help="account rule, e.g. organisation-inventory/generic or product-footprint "
            "(an unknown one is answered with the list)"
        ),
    ],
    geography: Annotated[
        str, typer.Option(help="the site's ISO 3166-2:CN code (CN-YN), regional grid or CN")
    ],
    year: Annotated[int, typer.Option(help="reporting year")],
    as_json: JsonOption = False,
    node: NodeOption = None,
    token: TokenOption = None,
) -> None:
    """Which grid-electricity factor an account rule gives a site and year: one line with the factor, the rule
    and the version, then each fallback the rule took."""
    if node is None:
        result = _offline_resolve(rule, geography, year)
    else:
        params = {"rule": rule, "geography": geography, "year": year}
        result = _request(node, "GET", "/factors/resolve", token, "resolve", params=params)
    if as_json:
        print_json(result)
        return
    typer.echo(result["line"])
    for sentence in result["fallbacks"]:
        typer.echo(f"    fallback: {sentence}")


@factors_app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A factor table (.csv/.xlsx) or an LCI database.")
    ],
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="csv, xlsx, or ecospold2 (.zip/.spold), simapro-csv, brightway-excel."),
    ] = None,
    node: NodeOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import your own factors into a node (all rows or none); without --node, check a table offline."""
    from node_service.services.factors.table_import import MAX_IMPORT_BYTES, ImportRefused, read_factor_table

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"import: {str(file)!r} cannot be read: {exc.strerror} — check the path")
    if node is None:
        if file_format not in (None, "csv", "xlsx"):
            fail(f"import: a {file_format} database is read on a node — give --node URL and --token")
        if len(data) > MAX_IMPORT_BYTES:
            fail(f"import: {len(data)} bytes, limit {MAX_IMPORT_BYTES} — split the table")
        try:
            factors = read_factor_table(data, file.name, "0" * 12, file_format)
        except ImportRefused as exc:
            for p in exc.problems:
                typer.echo(f"row {p.row}, column {p.column}: {p.message} ({p.rule}) — {p.fix}", err=True)
            fail(f"import: {exc.message}")
        typer.echo(f"{len(factors)} factor(s) read, no problem found (checked offline; nothing stored)")
        return
    if not token:
        fail("import: a node needs your API token — pass --token or set TANLIAN_API_TOKEN")
    form = {"format": file_format} if file_format else {}
    result = _request(
        node, "POST", "/factors/import", token, "import", files={"file": (file.name, data)}, data=form
    )
    if as_json:
        print_json(result)
        return
    for factor_id in result["created"]:
        typer.echo(f"new      {factor_id}")
    for item in result["newVersions"]:
        typer.echo(f"version  {item['id']} → {item['version']}")
    typer.echo(
        f"{len(result['created'])} new, {len(result['newVersions'])} new version(s), "
        f"{len(result['unchanged'])} unchanged; {result['notices']} recompute notice(s) sent"
    )


def _offline_tables() -> list[dict[str, Any]]:
    from footprint_engine.reference import reference_tables
    from node_service.services.factors.reference_tables import summary_json, table_json

    return [summary_json(table_json(t)) for t in reference_tables()]


def _offline_table(name: str, version: str | None) -> dict[str, Any]:
    from footprint_engine.reference import reference_table, reference_table_names
    from node_service.services.factors.reference_tables import table_json

    if name not in reference_table_names():
        fail(
            f"table: no reference table {name!r} — give one of {', '.join(reference_table_names())} "
            "(tanlian factors tables)"
        )
    data = table_json(reference_table(name))
    if version is not None and version != data["version"]:
        fail(
            f"table: --version {version}: the package has {name} {data['version']} only — "
            "older versions are read on a node (--node URL)"
        )
    return {**data, "review": sum(1 for r in data["rows"] if r["provenance"]["review"])}


@factors_app.command("tables")
def tables_command(as_json: JsonOption = False, node: NodeOption = None) -> None:
    """The reference tables (参考数据表): version, rows, how many need review, publishers."""
    items = (
        _offline_tables()
        if node is None
        else _request(node, "GET", "/reference-tables", None, "tables")["data"]
    )
    if as_json:
        print_json(items)
        return
    for item in items:
        review = f", {item['review']} {REVIEW}" if item["review"] else ""
        typer.echo(f"{item['name']}  v{item['version']}  {item['rows']} rows{review}")
        typer.echo(f"    {item['titleZh']}")
        typer.echo(f"    {item['titleEn']}")
        publishers = "; ".join(f"{s['publisher']} ({s['rows']})" for s in item["sources"])
        typer.echo(f"    source: {_fit(publishers, 100).rstrip()}")
    typer.echo(f"{len(items)} reference table(s); show one with: tanlian factors table NAME")


@factors_app.command("table")
def table_command(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="e.g. energy-limit-levels (see: factors tables)")
    ],
    version: Annotated[
        str | None, typer.Option("--version", help="a version the node recorded (default: the current one)")
    ] = None,
    as_json: JsonOption = False,
    node: NodeOption = None,
) -> None:
    """One reference table: every row with its source, rows flagged for review marked "待复核 / needs review"."""
    from urllib.parse import quote

    if node is None:
        table = _offline_table(name, version)
    else:
        params = {"version": version} if version else {}
        table = _request(
            node, "GET", f"/reference-tables/{quote(name, safe='')}", None, "table", params=params
        )
    if as_json:
        print_json(table)
        return
    typer.echo(f"{table['name']}  v{table['version']}  sha256 {table['sha256'][:16]}…")
    typer.echo(f"{table['titleZh']}\n{table['titleEn']}")
    if table.get("note"):
        typer.echo(f"note: {table['note']}")
    review = table["review"]
    flagged = (
        f", {review} {REVIEW}: check them against the source before a result relies on them" if review else ""
    )
    typer.echo(f"{len(table['rows'])} rows{flagged}")
    columns = table["columns"]
    typer.echo("  ".join(_column_title(c) for c in columns))
    notes: dict[str, int] = {}
    for i, row in enumerate(table["rows"], start=1):
        cells = [_cell(row["values"][c["name"]]) for c in columns]
        typer.echo(f"{i:>3}. " + " | ".join(cells))
        p = row["provenance"]
        flag = f"  [{REVIEW}]" if p["review"] else ""
        where = ", ".join(str(x) for x in (p["publisher"], p["year"]) if x)
        typer.echo(f"     {_fit(p['source'], 90).rstrip()}" + (f" ({where})" if where else "") + flag)
        if p["review"] and p["reviewNote"]:
            notes.setdefault(p["reviewNote"], i)
    for note, first in notes.items():
        typer.echo(f"review (row {first} and others like it): {note}")
    for v in table.get("versions") or []:
        state = "current" if v["current"] else f"until {v['validTo']}"
        typer.echo(f"version {v['version']}: {v['rows']} rows, recorded {v['recordedAt'][:10]} ({state})")


REVIEW = "待复核 / needs review"


def _column_title(column: dict[str, Any]) -> str:
    unit = f" [{column['unit']}]" if column.get("unit") else ""
    return f"{column['name']}{unit}"


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return _fit(str(value), 40).rstrip()


def register(app: typer.Typer) -> None:
    """Add ``factors`` to the main ``tanlian`` app."""
    app.add_typer(factors_app, name="factors")
