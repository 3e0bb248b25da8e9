"""The report as data: language-resolved text in sections of blocks, independent of the PDF writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from node_service.services.reports.messages import Lang

__all__ = [
    "BarChart",
    "Block",
    "Code",
    "Fields",
    "Paragraph",
    "ReportContent",
    "ReportInput",
    "Section",
    "Steps",
    "Subheading",
    "Table",
]


@dataclass(frozen=True)
class ReportInput:
    """What the report is made from: the stored footprint and its place in the log (and chain)."""

    document: dict[str, Any]  # the footprint document as stored and served by GET /footprints/{id}
    document_sha256: str  # SHA-256 of its RFC 8785 JSON, as in the log entry
    organisation_name: dict[str, str | None]  # {"zh": …, "en": …}
    log_entry: dict[str, Any] | None  # the "footprint" entry exactly as logged
    leaf_index: int | None
    receipt: dict[str, Any] | None  # build_receipt(...) once anchored, else None
    generated_at: datetime


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: str = "body"  # body | note | warning


@dataclass(frozen=True)
class Subheading:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label/value rows; ``mono`` values (hashes, ids) are set in the monospaced face."""

    rows: tuple[tuple[str, str], ...]
    mono: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the text width, summing to 1
    numeric: frozenset[int] = frozenset()  # right-aligned columns
    mono: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        n = len(self.header)
        if len(self.widths) != n:
            raise ValueError(f"table widths: got {len(self.widths)}, want {n} (one per column)")
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise ValueError(f"table row {i}: got {len(row)} cells, want {n}")


@dataclass(frozen=True)
class BarChart:
    labels: tuple[str, ...]
    values: tuple[float, ...]
    unit: str


@dataclass(frozen=True)
class Steps:
    """A numbered checklist."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Code:
    """Preformatted monospaced lines (JSON, hashes)."""

    lines: tuple[str, ...]


Block = Paragraph | Subheading | Fields | Table | BarChart | Steps | Code


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportContent:
    lang: Lang
    title: str
    subtitle: str
    headline: str
    cover: Fields
    warning: str | None
    sections: tuple[Section, ...]
    footer: str  # printed on every page beside the page number
    page_label: str  # "第 {n} 页" / "Page {n}"
    author: str
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """Every string of the report in reading order (for tests and search indexing)."""
        parts = [self.title, self.subtitle, self.headline, *(f"{k} {v}" for k, v in self.cover.rows)]
        if self.warning:
            parts.append(self.warning)
        for section in self.sections:
            parts.append(f"{section.number} {section.title}")
            for block in section.blocks:
                parts.extend(_block_text(block))
        return "\n".join(parts)


def _block_text(block: Block) -> list[str]:
    if isinstance(block, Paragraph | Subheading):
        return [block.text]
    if isinstance(block, Fields):
        return [f"{k} {v}" for k, v in block.rows]
    if isinstance(block, Table):
        return [" ".join(block.header), *(" ".join(r) for r in block.rows)]
    if isinstance(block, BarChart):
        return [f"{label} {value}" for label, value in zip(block.labels, block.values, strict=True)]
    if isinstance(block, Steps):
        return list(block.items)
    return list(block.lines)
