"""Evidence store on a Kubo node, through Kubo's HTTP RPC API (``/api/v0``) with httpx.

Calls used (Kubo RPC API v0 reference; every call is a POST):

- ``/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-262144&hash=sha2-256&pin=true
  &trickle=false&inline=false&wrap-with-directory=false&progress=false`` with the file
  as one ``multipart/form-data`` part; the answer is one JSON object per line,
  ``{"Name": ..., "Hash": ..., "Size": ...}`` (``Size`` is the cumulative DAG size,
  as a string);
- ``/api/v0/cat?arg=<cid>&offline=true`` streams the file bytes;
- ``/api/v0/pin/add?arg=<cid>`` answers ``{"Pins": [<cid>, ...]}``;
- ``/api/v0/pin/ls?arg=<cid>&type=recursive&offline=true`` answers ``{"Keys": {<cid>: {"Type": "recursive"}}}``
  or, for a CID that is not pinned, HTTP 500 with ``{"Message": "... is not pinned", "Code": 0,
  "Type": "error"}``;
- ``/api/v0/files/stat?arg=/ipfs/<cid>&offline=true`` answers ``{"Size": <file bytes>, ...}``.

``offline=true`` (Kubo's global ``--offline`` option) keeps reads and checks local:
without it a CID missing on this node would be searched for on the network.

Trust but verify: the file is imported here while it is uploaded, and the CID and
DAG size Kubo answers must equal ours (``CidMismatchError`` otherwise, after
unpinning Kubo's differing DAG). Reads are checked against the CID at end of file.
``exists`` means "pinned on this node": the store pins what it adds, and a pin
check never waits on the network the way a block fetch for a missing CID would.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any, BinaryIO

import httpx

from node_service.evidence.cid import parse_cid
from node_service.evidence.errors import (
    CidMismatchError,
    EvidenceNotFoundError,
    EvidenceStorageError,
    KuboRpcError,
)
from node_service.evidence.store import MAX_EVIDENCE_SIZE, StoredEvidence, open_verified
from node_service.evidence.unixfs import DEFAULT_CHUNK_SIZE, BalancedFileImporter, read_chunks

__all__ = ["KUBO_ADD_PARAMS", "KuboEvidenceStore"]

# The flags that make Kubo's `add` produce the CID this package computes.
KUBO_ADD_PARAMS: dict[str, str] = {
    "cid-version": "1",
    "raw-leaves": "true",
    "chunker": f"size-{DEFAULT_CHUNK_SIZE}",
    "hash": "sha2-256",
    "pin": "true",
    "trickle": "false",
    "inline": "false",
    "wrap-with-directory": "false",
    "progress": "false",
}
_MAX_JSON_ANSWER = 1024 * 1024  # bytes of a non-streaming JSON answer we are willing to parse


class KuboEvidenceStore:
    """Evidence stored and pinned on a Kubo node."""

    def __init__(
        self,
        api_url: str = "http://127.0.0.1:5001",
        timeout: float = 60.0,
        *,
        max_size: int = MAX_EVIDENCE_SIZE,
        client: httpx.Client | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.max_size = max_size
        self._client = client if client is not None else httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> KuboEvidenceStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- EvidenceStore -------------------------------------------------------------------------

    def put(self, stream: BinaryIO) -> StoredEvidence:
        importer = BalancedFileImporter(max_size=self.max_size)
        boundary = secrets.token_hex(16)

        def body() -> Iterator[bytes]:
            yield (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="evidence"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode("ascii")
            buffer = bytearray(DEFAULT_CHUNK_SIZE)
            while count := read_chunks(stream, buffer):
                chunk = bytes(buffer[:count])
                importer.update(chunk)  # raises EvidenceTooLargeError past max_size
                yield chunk
            yield f"\r\n--{boundary}--\r\n".encode("ascii")

        # (1): upload while importing locally.
        answer = self._post(
            "add",
            params=KUBO_ADD_PARAMS,
            content=body(),
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        ours = importer.finalize()
        # (2): the last JSON line names the file's root.
        added = _last_json_line(answer, "add")
        kubo_cid = added.get("Hash")
        kubo_dag_size = added.get("Size")
        # (3): Kubo's CID and DAG size must equal ours.
        if kubo_cid != ours.cid or str(kubo_dag_size) != str(ours.dag_size):
            if isinstance(kubo_cid, str):
                self._unpin_quietly(kubo_cid)
            raise CidMismatchError(
                f"Kubo add: node answered CID {kubo_cid} (DAG size {kubo_dag_size}), want {ours.cid} "
                f"(DAG size {ours.dag_size}) — the node's import settings differ from "
                "`ipfs add --cid-version=1` defaults (Import.* config, chunker, max links); reset them"
            )
        return StoredEvidence(cid=ours.cid, sha256=ours.sha256_hex, size=ours.size)

    def open(self, cid: str) -> BinaryIO:
        text = str(parse_cid(cid))
        if not self.exists(text):
            raise self._not_found(text)
        request = self._client.build_request(
            "POST", self._url("cat"), params={"arg": text, "offline": "true"}
        )
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise self._transport_error("cat", exc) from exc
        if response.status_code != 200:
            response.read()
            response.close()
            raise _rpc_error("cat", response)
        chunks = response.iter_bytes(DEFAULT_CHUNK_SIZE)
        pending = bytearray()

        def readinto(view: memoryview) -> int:
            while not pending:
                try:
                    pending.extend(next(chunks))
                except StopIteration:
                    return 0
                except httpx.HTTPError as exc:
                    raise self._transport_error("cat", exc) from exc
            count = min(len(view), len(pending))
            view[:count] = pending[:count]
            del pending[:count]
            return count

        return open_verified(readinto, text, on_close=response.close, source=f"Kubo node {self.api_url}")

    def exists(self, cid: str) -> bool:
        text = str(parse_cid(cid))
        try:
            answer = self._post("pin/ls", params={"arg": text, "type": "recursive", "offline": "true"})
        except KuboRpcError as exc:
            if "not pinned" in str(exc):
                return False
            raise
        keys = _single_json(answer, "pin/ls").get("Keys")
        return isinstance(keys, dict) and text in keys

    def size(self, cid: str) -> int:
        text = str(parse_cid(cid))
        if not self.exists(text):
            raise self._not_found(text)
        stat = _single_json(
            self._post("files/stat", params={"arg": f"/ipfs/{text}", "offline": "true"}), "files/stat"
        )
        size = stat.get("Size")
        if not isinstance(size, int) or size < 0:
            raise KuboRpcError(
                f"Kubo files/stat: Size is {size!r}, want a non-negative integer — check the node"
            )
        return size

    # -- Kubo specifics ------------------------------------------------------------------------

    def pin(self, cid: str) -> None:
        """Pin ``cid`` recursively (``/api/v0/pin/add``)."""
        text = str(parse_cid(cid))
        pins = _single_json(self._post("pin/add", params={"arg": text}), "pin/add").get("Pins")
        if not isinstance(pins, list) or text not in pins:
            raise KuboRpcError(
                f"Kubo pin/add: answer pins {pins!r}, want a list containing {text} — check the node"
            )

    def _not_found(self, cid: str) -> EvidenceNotFoundError:
        return EvidenceNotFoundError(
            f"evidence {cid}: not pinned on the Kubo node {self.api_url} — store it first"
        )

    def _unpin_quietly(self, cid: str) -> None:
        try:
            self._post("pin/rm", params={"arg": cid})
        except EvidenceStorageError:
            pass

    def _url(self, command: str) -> str:
        return f"{self.api_url}/api/v0/{command}"

    def _post(self, command: str, **kwargs: Any) -> bytes:
        try:
            response = self._client.post(self._url(command), **kwargs)
        except httpx.HTTPError as exc:
            raise self._transport_error(command, exc) from exc
        if response.status_code != 200:
            raise _rpc_error(command, response)
        return response.content

    def _transport_error(self, command: str, exc: Exception) -> EvidenceStorageError:
        return EvidenceStorageError(
            f"Kubo {command}: cannot reach the RPC API at {self.api_url} ({type(exc).__name__}: {exc}) — "
            "check that the Kubo daemon runs and the API address and timeout are right"
        )


def _rpc_error(command: str, response: httpx.Response) -> KuboRpcError:
    message = response.text[:500]
    try:
        parsed = json.loads(response.content[:_MAX_JSON_ANSWER])
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("Message"), str):
        message = parsed["Message"]
    return KuboRpcError(
        f"Kubo {command}: HTTP {response.status_code}: {message} — check the request and the node's log"
    )


def _single_json(answer: bytes, command: str) -> dict[str, Any]:
    if len(answer) > _MAX_JSON_ANSWER:
        raise KuboRpcError(f"Kubo {command}: answer of {len(answer)} bytes, want at most {_MAX_JSON_ANSWER}")
    try:
        parsed = json.loads(answer)
    except ValueError as exc:
        raise KuboRpcError(f"Kubo {command}: answer is not JSON ({exc}) — check the API address") from exc
    if not isinstance(parsed, dict):
        raise KuboRpcError(f"Kubo {command}: answer is {type(parsed).__name__}, want a JSON object")
    return parsed


def _last_json_line(answer: bytes, command: str) -> dict[str, Any]:
    lines = [line for line in answer.splitlines() if line.strip()]
    if not lines:
        raise KuboRpcError(f"Kubo {command}: empty answer, want JSON lines — check the API address")
    return _single_json(lines[-1], command)
