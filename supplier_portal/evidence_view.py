"""Evidence (佐证材料) as the portal shows it next to activity data: file names for the CIDs a grid or review page
cites, and a footprint's cited files with what each supports and its receipt.

What a viewer sees follows the node's evidence rule (``evidence_files.files.readable_copy``): its own copies,
copies granted to it, and the files cited by a footprint shared with it (``footprint_shares``). A footprint seen
only because it is public shows the number of cited files, not the files. The footprint itself is looked up with
the one visibility rule (``footprints.documents.footprint_for``), so an organisation that may not see the
footprint gets the same "not found" as for the footprint page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from node_service.db.models import Organisation, Submission
from node_service.services.context import NodeResources
from node_service.services.evidence_files.files import readable_copy
from node_service.services.evidence_files.models import EvidenceFile
from node_service.services.footprints.documents import footprint_for
from supplier_portal.review_view import SECTIONS

__all__ = ["CitedFile", "FootprintEvidence", "citations", "evidence_names", "footprint_evidence", "kind_of"]

Translate = Callable[..., str]


def N_(message: str) -> str:
    return message


_SECTION_TITLE = dict(SECTIONS)
_CLAIM_LABEL = {"gec": N_("GEC"), "green-power-contract": N_("Green-power contract")}
#: the file's kind as a practitioner names it, from its media type (msgids)
_KINDS = (
    ("application/pdf", N_("PDF document")),
    ("image/", N_("Image (scan or photo)")),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml", N_("Spreadsheet")),
    ("application/vnd.ms-excel", N_("Spreadsheet")),
    ("text/csv", N_("Spreadsheet")),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml", N_("Word document")),
    ("application/msword", N_("Word document")),
    ("application/zip", N_("Archive (ZIP)")),
    ("text/", N_("Text file")),
)


def kind_of(media_type: str, _: Translate) -> str:
    """What kind of file it is (PDF, image, spreadsheet …) in the page's language."""
    for prefix, label in _KINDS:
        if media_type.startswith(prefix):
            return _(label)
    return _("Other file")


@dataclass(frozen=True)
class CitedFile:
    cid: str
    filename: str
    kind: str  # PDF, image, spreadsheet … in the page's language
    size: int
    supports: tuple[str, ...]  # the rows (or the whole document) citing it, in the page's language
    entry_id: str  # its log entry: the receipt


@dataclass(frozen=True)
class FootprintEvidence:
    files: tuple[CitedFile, ...]  # the cited files this viewer may read, in citing order
    hidden: int  # cited files this viewer may not read (shown as a number only)


_PATH = re.compile(r"^inputs\.(\w+)\[(\d+)\](?:\.greenPowerClaims\[(\d+)\])?\.evidence$")


def citations(subject: Mapping[str, Any], _: Translate) -> dict[str, list[str]]:
    """Every CID the activity data cites, with what each citation supports (row or whole document), in order."""
    found: dict[str, list[str]] = {}

    def add(cids: Any, label: str) -> None:
        for cid in cids if isinstance(cids, list) else ():
            if isinstance(cid, str) and label not in found.setdefault(cid, []):
                found[cid].append(label)

    add(subject.get("evidence"), _("The whole activity data"))
    inputs = subject.get("inputs") or {}
    for list_name, title in SECTIONS:
        for item in inputs.get(list_name) or ():
            if not isinstance(item, Mapping):
                continue
            name = str(item.get("name") or item.get("material") or item.get("id") or "")
            row = f"{_(title)} · {name}"
            add(item.get("evidence"), row)
            for claim in item.get("greenPowerClaims") or ():
                if isinstance(claim, Mapping):
                    kind = _(_CLAIM_LABEL.get(str(claim.get("type", "gec")), N_("GEC")))
                    ref = str(claim.get("serial") or claim.get("contractId") or "")
                    add(claim.get("evidence"), f"{row} · {kind} {ref}")
    return found


def evidence_names(node: NodeResources, org: Organisation, cids: Iterable[str]) -> dict[str, str]:
    """The file names of ``org``'s own copies of ``cids`` (the grid and the review page show names, not hashes)."""
    wanted = list(dict.fromkeys(cids))[:2000]
    if not wanted:
        return {}
    with node.db.transaction() as session:
        rows = session.execute(
            select(EvidenceFile.cid, EvidenceFile.filename).where(
                EvidenceFile.organisation_id == org.id, EvidenceFile.cid.in_(wanted)
            )
        )
        return {str(cid): str(name) for cid, name in rows}


def footprint_evidence(
    node: NodeResources, footprint_id: str, viewer: Organisation, _: Translate
) -> FootprintEvidence:
    """The files the footprint's signed activity data cites that ``viewer`` may read (name, kind, what each
    supports, receipt), and how many more it cites. NotFound when ``viewer`` may not see the footprint."""
    with node.db.transaction() as session:
        footprint = footprint_for(session, footprint_id, viewer)
        submission = session.get(Submission, footprint.submission_id)
        subject = (submission.credential.get("credentialSubject") or {}) if submission else {}
        cited = citations(subject, _)
        files: list[CitedFile] = []
        for cid, supports in cited.items():
            copy = readable_copy(session, viewer, cid)
            if copy is None:
                continue
            files.append(
                CitedFile(
                    cid=cid,
                    filename=copy.filename,
                    kind=kind_of(copy.media_type or "", _),
                    size=int(copy.size),
                    supports=tuple(supports),
                    entry_id=copy.entry_id,
                )
            )
    return FootprintEvidence(files=tuple(files), hidden=len(cited) - len(files))
