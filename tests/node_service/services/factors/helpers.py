"""Shared pieces of the factor library tests: a database-only stand-in for the node, organisations, tables."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from node_service.db import Database
from node_service.db.models import Organisation
from node_service.services.factors.models import FactorVersion

HEADER = "id,key,name_zh,name_en,value,unit,gas,geography,year,scope,source_title,publisher,source_url,valid_from,notes"


@dataclass
class DbNode:
    """What the factor services use of a node when no calculation is involved: the database."""

    db: Database


def organisation(db: Database, name: str) -> Organisation:
    org_id = str(uuid.uuid4())
    with db.transaction() as session:
        org = Organisation(
            id=org_id,
            did=f"did:example:{org_id}",
            name_zh=name,
            name_en=name,
            uscc=None,
            roles=["supplier"],
            api_token_hash=uuid.uuid4().hex + uuid.uuid4().hex,
            created_at=datetime.now(UTC),
        )
        session.add(org)
        session.flush()
        session.expunge(org)
    return org


def version_rows(db: Database) -> int:
    with db.transaction() as session:
        return int(session.execute(select(func.count()).select_from(FactorVersion)).scalar_one())


def table(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def own_alumina(value: str = "700") -> str:
    """A company's own alumina factor (EPD), one CSV row."""
    return (
        f",alumina-own,自产氧化铝,Alumina (own refinery),{value},kgCO2e/t,,CN-YN,2024,cradle-to-gate,"
        "EPD 氧化铝 2024,Yunnan Example Alumina Co.,https://epd.example.com/alumina-2024,,own EPD"
    )


def xlsx(rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
