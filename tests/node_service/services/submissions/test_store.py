"""The submission store's fast path: plain statements, canonical JSON text, group commit.

Concurrent submissions are written together by whichever thread holds the log lock; each must stay all or
nothing, and the log must be the same RFC 9162 tree as if they had been appended one by one.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from footprint_engine.examples import load_example
from identifier_resolver import HandleRecord, HandleValue, parse_handle
from node_service.credentials import eddsa_jcs_2022
from node_service.credentials.didkey import did_key, verification_method_id
from node_service.credentials.jcs import canonicalize
from node_service.credentials.vc import build_credential
from node_service.db.models import Footprint, LogEntry, Submission
from node_service.errors import Conflict
from node_service.log.tree_store import SqlSubtreeStore
from node_service.services import submissions as subs
from node_service.services.evidence_files.errors import GecSerialClaimed
from node_service.services.evidence_files.models import GecClaimRecord
from node_service.services.organisations.handles import DatabaseHandleStore
from node_service.services.organisations.registration import register_organisation
from node_service.services.submissions import store as store_module
from node_service.transparency.merkle import hash_children
from node_service.transparency.tree import MerkleTree
from tests.node_service.helpers import EXAMPLE_MATERIALS, EXAMPLE_PRODUCT, drop_evidence

USCC = "91530100MA6K8Q2L5T"


@pytest.fixture(params=["sqlite", "postgresql"])
def node(request, make_node, tmp_path):
    if request.param == "sqlite":
        return make_node(f"sqlite:///{tmp_path / 'db.sqlite'}")
    return make_node(request.getfixturevalue("postgres_url"))


def _org(node: Any, *, example: bool = True) -> tuple[Ed25519PrivateKey, str]:
    """An organisation; ``example``: the example's smelter (its USCC, its prefixes and their records)."""
    key = Ed25519PrivateKey.generate()
    did = did_key(key)
    subject: dict[str, Any] = {"id": did, "name": {"en": "Store test"}, "roles": ["supplier"]}
    if example:
        subject.update(uscc=USCC, idisPrefixes=["88.118.8", "88.118.5"])
    reg = build_credential(subject, did, credential_type="OrganisationRegistration")
    register_organisation(node, eddsa_jcs_2022.sign(reg, key, verification_method_id(key)))
    if example:
        store = DatabaseHandleStore(lambda: node.db)
        for text in (EXAMPLE_PRODUCT, *EXAMPLE_MATERIALS):
            store.put(HandleRecord.build(parse_handle(text), [HandleValue.string(1, "NAME", text)]))
    return key, did


def _credential(
    key: Ed25519PrivateKey, did: str, serials: tuple[str, str] | None = None, *, as_itself: bool = False
) -> dict[str, Any]:
    """The example signed by ``did``, without its placeholder evidence CIDs, claiming ``serials`` (default:
    serials of its own); ``as_itself``: reported under ``did`` instead of the example smelter's USCC, for a
    product of its own (a GTIN no record declares: the example's handle is the smelter's to report)."""
    doc = load_example("aluminium-ingot-yunnan")
    if as_itself:
        doc = json.loads(json.dumps(doc).replace(json.dumps(USCC), json.dumps(did)))
        doc["productIdentifier"] = "urn:gtin:06901234567892"
    drop_evidence(doc)
    claims = doc["inputs"]["electricity"][0]["greenPowerClaims"]
    for claim, serial in zip(claims, serials or (str(uuid.uuid4()), str(uuid.uuid4())), strict=True):
        claim["serial"] = serial
    return eddsa_jcs_2022.sign(build_credential(doc, did), key, verification_method_id(key))


def _document(checked: subs.Checked, footprint_id: str) -> dict[str, Any]:
    # a small stand-in for the engine's document (the store does not look inside it), with an integral float
    # (its version is the store's to set)
    return {"id": footprint_id, "submissionId": checked.credential_id, "pcf": 12.0, "x": [0.5]}


def _store_concurrently(node: Any, checked: list[subs.Checked]) -> list[Any]:
    """Hold the log lock until every thread has queued its write, so they are written as one group."""
    results: list[Any] = [None] * len(checked)
    group = node.submission_group

    def work(i: int) -> None:
        fid = str(uuid.uuid4())
        try:
            results[i] = subs.store_submission(node, checked[i], fid, _document(checked[i], fid))
        except Exception as exc:  # collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(checked))]
    with node.tlog.lock:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(group._pending) < len(checked):
            assert time.monotonic() < deadline, "threads did not queue"
            time.sleep(0.01)
    for t in threads:
        t.join(30)
    return results


def _leaf_hashes(session: Any) -> list[bytes]:
    rows = session.execute(select(LogEntry).order_by(LogEntry.leaf_index)).scalars()
    return [bytes(r.leaf_hash) for r in rows]


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1 MTH, recursively, for comparison with the stored tree."""
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return hash_children(_mth(leaves[:k]), _mth(leaves[k:]))


def test_a_group_is_stored_atomically_each_and_logged_in_order(node):
    key, did = _org(node)
    checked = [subs.check_submission(node, _credential(key, did)) for _ in range(5)]
    assert all(isinstance(c, subs.Checked) for c in checked)
    results = _store_concurrently(node, checked)
    assert all(isinstance(r, subs.Accepted) and r.created for r in results), results
    with node.db.transaction() as session:
        rows = session.execute(select(Submission)).scalars().all()
        assert len(rows) == 5
        assert sorted(r.status for r in rows) == ["accepted"] + ["superseded"] * 4  # same product and period
        leaves = _leaf_hashes(session)
        size = node.tlog.size(session)
        assert size == len(leaves) >= 10
        assert MerkleTree(SqlSubtreeStore(session)).root(size) == _mth(leaves)
        entries = session.execute(select(LogEntry).order_by(LogEntry.leaf_index)).scalars().all()
        ids = [e.entry_id for e in entries if e.type == "submission"]
        assert set(ids) == {c.credential_id for c in checked}
        for sub in rows:  # each submission's footprint entry follows its submission entry
            i = next(e.leaf_index for e in entries if e.entry_id == sub.id)
            fp = session.execute(select(Footprint).where(Footprint.submission_id == sub.id)).scalar_one()
            assert entries[i + 1 - entries[0].leaf_index].entry_id == fp.id
        claims = session.execute(select(GecClaimRecord)).scalars().all()  # two serials of its own each
        assert sorted(c.submission_id for c in claims) == sorted(2 * [c.credential_id for c in checked])
        assert {e.entry_id for e in entries if e.type == "gec-claim"} == {c.entry_id for c in claims}


def test_concurrent_versions_of_a_product_are_numbered_in_the_order_stored_and_logged_with_it(node):
    key, did = _org(node)
    first = subs.check_submission(node, _credential(key, did))
    fid = str(uuid.uuid4())
    assert subs.store_submission(node, first, fid, _document(first, fid)).footprint.version == 1
    # four more at once, written in one group: versions 2..5, never one twice
    checked = [subs.check_submission(node, _credential(key, did)) for _ in range(4)]
    results = _store_concurrently(node, checked)
    assert sorted(r.footprint.version for r in results) == [2, 3, 4, 5]
    with node.db.transaction() as session:
        rows = session.execute(select(Footprint)).scalars().all()
        assert sorted(fp.version for fp in rows) == [1, 2, 3, 4, 5]
        for fp in rows:  # the stored document carries the version, and the logged hash covers it
            assert fp.result["version"] == fp.version
            assert fp.sha256 == hashlib.sha256(canonicalize(fp.result)).hexdigest()
            logged = session.execute(select(LogEntry).where(LogEntry.entry_id == fp.id)).scalar_one()
            assert logged.entry["sha256"] == fp.sha256
        # the newest version is the accepted submission
        accepted = session.execute(select(Submission).where(Submission.status == "accepted")).scalar_one()
        assert next(fp for fp in rows if fp.submission_id == accepted.id).version == 5


def test_a_duplicate_in_the_group_is_refused_and_writes_nothing(node):
    key, did = _org(node)
    one = subs.check_submission(node, _credential(key, did))
    other = subs.check_submission(node, _credential(key, did))
    results = _store_concurrently(node, [one, one, other])
    assert sum(isinstance(r, subs.Accepted) for r in results) == 2
    assert sum(isinstance(r, Conflict) for r in results) == 1
    with node.db.transaction() as session:
        assert len(session.execute(select(Submission)).scalars().all()) == 2
        assert len(session.execute(select(Footprint)).scalars().all()) == 2
        assert node.tlog.size(session) == len(_leaf_hashes(session))


def test_a_failing_member_does_not_fail_the_group(node, monkeypatch):
    key, did = _org(node)
    checked = [subs.check_submission(node, _credential(key, did)) for _ in range(3)]
    bad = checked[1].credential_id
    write_rows = store_module._write_rows

    def failing(session, item, ids):
        write_rows(session, item, ids)
        if item.checked.credential_id == bad:
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "_write_rows", failing)
    results = _store_concurrently(node, checked)
    assert isinstance(results[1], RuntimeError)
    assert isinstance(results[0], subs.Accepted) and isinstance(results[2], subs.Accepted)
    with node.db.transaction() as session:
        stored = {r.id for r in session.execute(select(Submission)).scalars()}
        assert stored == {checked[0].credential_id, checked[2].credential_id}
        logged = {e.entry_id for e in session.execute(select(LogEntry)).scalars()}
        assert bad not in logged
        assert node.tlog.size(session) == len(logged)
        held = {c.submission_id for c in session.execute(select(GecClaimRecord)).scalars()}
        assert held == stored  # the failed member's claims went with it


def _nothing_of(node: Any, session: Any, credential_id: str) -> None:
    """Nothing of ``credential_id`` is stored or logged, and the log is whole."""
    assert session.get(Submission, credential_id) is None
    assert session.execute(select(Footprint).where(Footprint.submission_id == credential_id)).first() is None
    assert not session.execute(
        select(GecClaimRecord).where(GecClaimRecord.submission_id == credential_id)
    ).all()
    assert not [e for e in session.execute(select(LogEntry)).scalars() if credential_id in e.entry_id]
    assert node.tlog.size(session) == len(_leaf_hashes(session))


def test_two_members_of_a_group_claiming_one_serial_the_first_wins(node):
    key, did = _org(node)
    other_key, other_did = _org(node, example=False)
    serials = (f"GEC-T-{uuid.uuid4()}", f"GEC-T-{uuid.uuid4()}")
    mine = subs.check_submission(node, _credential(key, did, serials))
    theirs = subs.check_submission(node, _credential(other_key, other_did, serials, as_itself=True))
    assert isinstance(mine, subs.Checked) and isinstance(theirs, subs.Checked)  # nothing claimed yet
    results = _store_concurrently(node, [mine, theirs])
    won = [r for r in results if isinstance(r, subs.Accepted)]
    lost = [r for r in results if isinstance(r, GecSerialClaimed)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].status == 409
    assert lost[0].field == "credentialSubject.inputs.electricity[0].greenPowerClaims[0].serial"
    loser = theirs if won[0].submission.id == mine.credential_id else mine
    with node.db.transaction() as session:
        _nothing_of(node, session, loser.credential_id)
        held = {c.serial: c.submission_id for c in session.execute(select(GecClaimRecord)).scalars()}
        assert held == dict.fromkeys(serials, won[0].submission.id)


def test_a_serial_claimed_after_the_check_is_refused_when_stored(node):
    key, did = _org(node)
    other_key, other_did = _org(node, example=False)
    serials = (f"GEC-T-{uuid.uuid4()}", f"GEC-T-{uuid.uuid4()}")
    late = subs.check_submission(node, _credential(other_key, other_did, serials, as_itself=True))
    assert isinstance(late, subs.Checked)
    subs.submit_credential(node, _credential(key, did, serials))
    fid = str(uuid.uuid4())
    with pytest.raises(GecSerialClaimed) as caught:
        subs.store_submission(node, late, fid, _document(late, fid))
    assert serials[0] in caught.value.detail
    with node.db.transaction() as session:
        _nothing_of(node, session, late.credential_id)
    with pytest.raises(GecSerialClaimed):  # and the check refuses it now, before the engine runs
        subs.check_submission(node, _credential(other_key, other_did, serials, as_itself=True))


def test_new_versions_in_a_group_take_the_claims_over(node):
    key, did = _org(node)
    serials = (f"GEC-T-{uuid.uuid4()}", f"GEC-T-{uuid.uuid4()}")
    checked = [subs.check_submission(node, _credential(key, did, serials)) for _ in range(3)]
    results = _store_concurrently(node, checked)
    assert all(isinstance(r, subs.Accepted) for r in results), results
    with node.db.transaction() as session:
        current = session.execute(select(Submission).where(Submission.status == "accepted")).scalar_one()
        claims = session.execute(select(GecClaimRecord)).scalars().all()
        assert {c.serial: c.submission_id for c in claims} == dict.fromkeys(serials, current.id)
        assert all(c.claim["submissionId"] == current.id for c in claims)
        assert all(c.sha256 == hashlib.sha256(canonicalize(c.claim)).hexdigest() for c in claims)
        logged = session.execute(select(LogEntry).where(LogEntry.type == "gec-claim")).scalars().all()
        assert len(logged) == 6  # every version logged its claims
        assert {c.entry_id for c in claims} <= {e.entry_id for e in logged}


def test_json_columns_hold_the_hashed_canonical_text(node):
    key, did = _org(node)
    checked = subs.check_submission(node, _credential(key, did))
    assert isinstance(checked, subs.Checked)
    fid = str(uuid.uuid4())
    document = _document(checked, fid)
    accepted = subs.store_submission(node, checked, fid, document)
    with node.db.transaction() as session:
        sub = session.get(Submission, checked.credential_id)
        fp = session.get(Footprint, fid)
        assert sub is not None and fp is not None
        assert sub.credential == checked.credential and fp.result == document
        assert (
            sub.sha256
            == hashlib.sha256(canonicalize(sub.credential)).hexdigest()
            == accepted.submission.sha256
        )
        assert fp.sha256 == hashlib.sha256(canonicalize(fp.result)).hexdigest()
        assert eddsa_jcs_2022.verify(sub.credential).controller == did  # still verifies as stored
        assert json.dumps(fp.result["pcf"]) == "12"  # canonical text: integral floats as integers


def test_migration_0009_indexes_the_current_version_as_the_model_declares(node):
    from sqlalchemy import inspect as sa_inspect

    indexes = {i["name"]: i["column_names"] for i in sa_inspect(node.db.engine).get_indexes("submissions")}
    want = [c.name for c in Submission.__table__.indexes if c.name == "ix_submissions_current"]
    assert want == ["ix_submissions_current"]
    assert indexes["ix_submissions_current"] == ["product_id", "period_start", "period_end", "status"]


def test_log_size_read_in_the_appending_session_follows_the_append(node):
    from node_service.log.append import make_entry

    with node.tlog.lock, node.db.transaction() as session:
        before = node.tlog.size(session)  # loads the LogState object into the session
        node.tlog.append(session, [make_entry("submission", f"urn:x:{uuid.uuid4()}", "00" * 32, "did:x")])
        assert node.tlog.size(session) == before + 1
    with node.db.transaction() as session:
        assert node.tlog.size(session) == before + 1 == len(_leaf_hashes(session))
