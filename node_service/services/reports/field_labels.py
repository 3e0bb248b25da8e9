"""A field of the activity data named as the forms name it: ``credentialSubject.inputs.electricity[1].unit`` →
``电力 第 2 行，单位`` / ``electricity row 2, unit``, instead of the JSON path.

:func:`label_segments` splits a path into the glossary's field names (node_service.services.reports.glossary
FIELD_NAMES) and 1-based row numbers; :func:`field_label` joins them in one language (the report's ``used by``
column). The portal joins the same segments through its gettext catalogue (supplier_portal.check_view).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from node_service.services.reports.glossary import FIELD_NAMES, TERMS

__all__ = ["Segment", "field_label", "field_name", "label_segments"]

Lang = Literal["zh", "en"]

#: Path parts that only group others and name nothing a person fills in.
_SILENT = frozenset({"credentialSubject", "inputs"})
_PART = re.compile(r"([^.\[\]]+)((?:\[\d+\])*)")
_ROW = {"zh": "{name} 第 {row} 行", "en": "{name} row {row}"}
_JOIN = {"zh": "，", "en": ", "}


@dataclass(frozen=True)
class Segment:
    """One named part of a path: its glossary key (``unit``, or ``cancellation.date`` when the parent changes its
    meaning) and its row number (1-based) when the part is a list item."""

    key: str
    row: int | None = None


def field_name(key: str, lang: Lang) -> str:
    """A property of the activity data (a key of FIELD_NAMES) in ``lang``; an unknown one stays as it is."""
    names = FIELD_NAMES.get(key)
    return key if names is None else names[0 if lang == "zh" else 1]


def label_segments(path: str) -> list[Segment]:
    """The named parts of a JSON path, parents first (grouping parts such as ``inputs`` left out)."""
    segments: list[Segment] = []
    parent = ""
    for match in _PART.finditer(path):
        name, indices = match.group(1), re.findall(r"\d+", match.group(2))
        if name not in _SILENT:
            key = f"{parent}.{name}" if f"{parent}.{name}" in FIELD_NAMES else name
            segments.append(Segment(key, int(indices[-1]) + 1 if indices else None))
        parent = name
    return segments


def field_label(path: str, lang: Lang) -> str:
    """``path`` (``credentialSubject.…`` or relative to the subject) as the form's label in ``lang``."""
    parts = []
    for segment in label_segments(path):
        name = field_name(segment.key, lang)
        parts.append(name if segment.row is None else _ROW[lang].format(name=name, row=segment.row))
    return _JOIN[lang].join(parts) if parts else TERMS["activity-data"].in_(lang)
