"""The two sheets of ours after the template's 19: the comparison with the marked-up default values, and
the receipts of the data behind the figures (entry id, type, leaf index, tree size, root, transaction,
the receipt's JSON)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from footprint_engine.cbam.results import Communication
from footprint_engine.cbam.xlsx_patch import Cell

__all__ = ["comparison_rows", "receipt_rows"]


def comparison_rows(c: Communication) -> list[Sequence[Cell]]:
    rows: list[Sequence[Cell]] = [
        (
            "CN code",
            "Product name",
            "SEE counted (actual)",
            "Default key",
            "Default direct",
            "Default indirect",
            "Mark-up",
            "Default counted incl. mark-up",
            "Difference per t",
            "Quantity (t)",
            "Difference (tCO2e)",
            "Certificate price (EUR)",
            "Difference (EUR)",
            "Default source",
        )
    ]
    for g in c.goods:
        d = g.default_comparison
        if d is None:
            rows.append((g.cn_code, g.product_name, g.see_counted, "; ".join(g.notes)))
            continue
        rows.append(
            (
                g.cn_code,
                g.product_name,
                g.see_counted,
                d.default_key,
                d.default_direct,
                d.default_indirect,
                d.markup,
                d.default_counted_per_t,
                d.difference_per_t,
                d.quantity_t,
                d.difference_t,
                d.certificate_price_eur,
                d.difference_eur,
                d.source,
            )
        )
    return rows


def receipt_rows(receipts: Iterable[dict[str, Any]]) -> list[Sequence[Cell]]:
    rows: list[Sequence[Cell]] = [
        (
            "Entry id",
            "Entry type",
            "Leaf index",
            "Tree size",
            "Root hash",
            "Transaction hash",
            "Receipt (JSON)",
        )
    ]
    for r in receipts:
        raw_entry, raw_anchor = r.get("entry"), r.get("anchor")
        entry: dict[str, Any] = raw_entry if isinstance(raw_entry, dict) else {}
        anchor: dict[str, Any] = raw_anchor if isinstance(raw_anchor, dict) else {}
        leaf, size = r.get("leafIndex"), r.get("treeSize")
        rows.append(
            (
                str(entry.get("id", r.get("entryId", ""))),
                str(entry.get("type", "")),
                leaf if isinstance(leaf, int) else None,
                size if isinstance(size, int) else None,
                str(r.get("rootHash", "")),
                str(anchor.get("transactionHash", r.get("transactionHash", ""))),
                json.dumps(r, sort_keys=True, ensure_ascii=False),
            )
        )
    return rows
