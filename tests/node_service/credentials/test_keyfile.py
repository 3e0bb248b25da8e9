"""Key files: round trips with and without password, wrong password, file mode 0600, refusals."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from node_service.credentials import didkey, errors, keyfile


def _raw(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def test_unencrypted_round_trip_and_mode_0600(tmp_path: Path, private_key: Ed25519PrivateKey):
    path = tmp_path / "key.json"
    info = keyfile.write_key_file(path, private_key)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert info == keyfile.KeyFileInfo(
        didkey.did_key(private_key), didkey.public_key_multibase(private_key), False
    )
    assert _raw(keyfile.read_key_file(path)) == _raw(private_key)
    document = json.loads(path.read_text())
    # PKCS#8 DER in base64, as WebCrypto importKey("pkcs8", …, "Ed25519") takes it
    der = base64.b64decode(document["privateKey"]["data"])
    assert _raw(serialization.load_der_private_key(der, None)) == _raw(private_key)  # type: ignore[arg-type]


def test_encrypted_round_trip_wrong_and_missing_password(tmp_path: Path, private_key: Ed25519PrivateKey):
    path = tmp_path / "key.json"
    info = keyfile.write_key_file(path, private_key, password="correct horse 電池")
    assert info.encrypted and stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert base64.b64encode(_raw(private_key)).decode() not in text
    assert _raw(keyfile.read_key_file(path, password="correct horse 電池")) == _raw(private_key)
    with pytest.raises(errors.WrongPasswordError, match="wrong password"):
        keyfile.read_key_file(path, password="wrong")
    with pytest.raises(errors.WrongPasswordError, match="no password"):
        keyfile.read_key_file(path)


def test_encrypted_format_is_plain_webcrypto_primitives(private_key: Ed25519PrivateKey):
    """Decrypt with nothing but the documented parameters, as a browser would with WebCrypto."""
    document = keyfile.key_file_json(private_key, password="pw")
    enc = document["privateKey"]["encryption"]
    assert enc["name"] == "AES-GCM" and enc["length"] == 256
    assert enc["kdf"]["name"] == "PBKDF2" and enc["kdf"]["hash"] == "SHA-256"
    assert enc["kdf"]["iterations"] >= 600_000
    salt = base64.b64decode(enc["kdf"]["salt"])
    aes_key = PBKDF2HMAC(hashes.SHA256(), 32, salt, enc["kdf"]["iterations"]).derive(b"pw")
    der = AESGCM(aes_key).decrypt(
        base64.b64decode(enc["iv"]), base64.b64decode(document["privateKey"]["data"]), None
    )
    assert _raw(serialization.load_der_private_key(der, None)) == _raw(private_key)  # type: ignore[arg-type]
    # fresh salt and IV every time
    again = keyfile.key_file_json(private_key, password="pw")["privateKey"]["encryption"]
    assert again["iv"] != enc["iv"] and again["kdf"]["salt"] != enc["kdf"]["salt"]


def test_existing_file_is_never_overwritten(tmp_path: Path, private_key: Ed25519PrivateKey):
    path = tmp_path / "key.json"
    path.write_text("precious")
    with pytest.raises(errors.KeyFileError, match="already exists"):
        keyfile.write_key_file(path, private_key)
    assert path.read_text() == "precious"


def test_world_readable_unencrypted_key_is_refused(tmp_path: Path, private_key: Ed25519PrivateKey):
    path = tmp_path / "key.json"
    keyfile.write_key_file(path, private_key)
    os.chmod(path, 0o644)
    with pytest.raises(errors.KeyFileError, match="chmod 600"):
        keyfile.read_key_file(path)


def test_inconsistent_or_foreign_files_are_refused(private_key: Ed25519PrivateKey):
    document = keyfile.key_file_json(private_key)
    other = didkey.public_key_multibase(Ed25519PrivateKey.generate())
    swapped = {**document, "publicKeyMultibase": other, "did": "did:key:" + other}
    with pytest.raises(errors.KeyFileError, match="does not match"):
        keyfile.parse_key_file(swapped)
    with pytest.raises(errors.KeyFileError, match="disagree"):
        keyfile.parse_key_file({**document, "did": "did:key:" + other})
    with pytest.raises(errors.KeyFileError, match="not a tanlian key file"):
        keyfile.parse_key_file({**document, "version": 2})
    with pytest.raises(errors.KeyFileError, match="not JSON"):
        keyfile.parse_key_file(b"-----BEGIN PRIVATE KEY-----")
    with pytest.raises(errors.KeyFileError, match="not base64"):
        keyfile.parse_key_file({**document, "privateKey": {**document["privateKey"], "data": "!!"}})
    weak = keyfile.key_file_json(private_key, password="pw")
    weak["privateKey"]["encryption"]["kdf"]["iterations"] = 1000
    with pytest.raises(errors.KeyFileError, match="iteration count"):
        keyfile.parse_key_file(weak, password="pw")
    with pytest.raises(errors.KeyFileError, match="iteration count"):
        keyfile.key_file_json(private_key, password="pw", iterations=10_000)
    with pytest.raises(errors.KeyFileError, match="empty"):
        keyfile.key_file_json(private_key, password="")


def test_errors_and_info_never_contain_the_private_key(tmp_path: Path, private_key: Ed25519PrivateKey):
    path = tmp_path / "key.json"
    info = keyfile.write_key_file(path, private_key)
    secret_b64 = json.loads(path.read_text())["privateKey"]["data"]
    assert secret_b64 not in repr(info)
    document = json.loads(path.read_text())
    document["publicKeyMultibase"] = document["did"] = "x"
    with pytest.raises(errors.KeyFileError) as caught:
        keyfile.parse_key_file(document)
    assert secret_b64 not in str(caught.value)
