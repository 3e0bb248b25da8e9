"""JSON Schema of the activity-data document, published at docs/schemas/activity-data-v1.json.

Regenerate with ``python -m footprint_engine.schema docs/schemas/activity-data-v1.json``; a test checks
the committed file is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from footprint_engine.activity import SCHEMA_ID, SCHEMA_VERSION, ActivityData

__all__ = ["activity_json_schema", "schema_text"]


def activity_json_schema() -> dict[str, Any]:
    schema = ActivityData.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"tanlian activity data v{SCHEMA_VERSION}",
        "description": (
            "Activity data for one product and one reporting period; the credentialSubject of a W3C Verifiable "
            "Credential. Unit dimensions, green-power validity and allocation sums are checked by the engine "
            "beyond this schema (see docs/activity-data.md)."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(activity_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    if out is None:
        sys.stdout.write(schema_text())
    else:
        out.write_text(schema_text(), encoding="utf-8")
