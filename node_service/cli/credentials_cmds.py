"""``tanlian keys generate``, ``tanlian sign`` and ``tanlian verify-credential``.

Private keys stay in key files on the user's machine; no command prints or logs them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from node_service.credentials import eddsa_jcs_2022, keyfile, vc
from node_service.credentials.didkey import public_key_from_multibase
from node_service.credentials.errors import CredentialError, KeyFileError, MalformedCredentialError

__all__ = ["keys_app", "register"]

MAX_PASSWORD_FILE_BYTES = 4096

keys_app = typer.Typer(
    name="keys",
    help="Ed25519 signing keys (did:key) kept in local key files.",
    no_args_is_help=True,
)


def _fail(command: str, reason: str) -> typer.Exit:
    typer.echo(f"{command}: {reason}", err=True)
    return typer.Exit(code=1)


def _read_password_file(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(
            "password file cannot be read", f"{str(path)!r}: {exc.strerror}", "check --password-file"
        ) from exc
    if len(raw) > MAX_PASSWORD_FILE_BYTES:
        raise KeyFileError(
            "password file is too large",
            f"got {len(raw)} bytes, want at most {MAX_PASSWORD_FILE_BYTES}",
            "put only the password in the file",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise KeyFileError("password file is not UTF-8", str(exc), "save it as UTF-8") from exc
    password = text[:-1] if text.endswith("\n") else text
    password = password[:-1] if password.endswith("\r") else password
    if not password:
        raise KeyFileError("password file is empty", str(path), "write the password on the first line")
    return password


def _read_document(doc: str) -> dict[str, Any]:
    if doc == "-":
        raw = sys.stdin.buffer.read(vc.MAX_DOCUMENT_BYTES + 1)
    else:
        try:
            with open(doc, "rb") as handle:
                raw = handle.read(vc.MAX_DOCUMENT_BYTES + 1)
        except OSError as exc:
            raise MalformedCredentialError(
                "document cannot be read", f"{doc!r}: {exc.strerror}", "check the file path"
            ) from exc
    return vc.load_document(raw)


@keys_app.command("generate")
def generate_command(
    out: Annotated[
        Path,
        typer.Option("--out", help="Key file to create (mode 0600; an existing file is never replaced)."),
    ],
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file", help="Encrypt the key with the password on the first line of this file."
        ),
    ] = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Encrypt the key with a password typed at a prompt.")
    ] = False,
) -> None:
    """Generate an Ed25519 key, write it to OUT, and print its did:key on stdout."""
    try:
        if password_file is not None and encrypt:
            raise KeyFileError(
                "conflicting options", "--password-file and --encrypt both given", "choose one of them"
            )
        password: str | None = None
        if password_file is not None:
            password = _read_password_file(password_file)
        elif encrypt:
            password = typer.prompt("Key file password", hide_input=True, confirmation_prompt=True, err=True)
        info = keyfile.write_key_file(out, keyfile.generate_key(), password=password)
    except CredentialError as exc:
        raise _fail("keys generate", str(exc)) from exc
    state = "encrypted with a password" if info.encrypted else "NOT encrypted"
    typer.echo(f"wrote {out} ({state}); keep it private and back it up", err=True)
    typer.echo(info.did)


def sign_command(
    doc: Annotated[
        str,
        typer.Argument(help="Unsigned VC, or bare activity-data JSON object to wrap as one ('-' = stdin)."),
    ],
    key: Annotated[Path, typer.Option("--key", help="Key file made by 'tanlian keys generate'.")],
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="Password for an encrypted key file.")
    ] = None,
) -> None:
    """Sign DOC with eddsa-jcs-2022 and print the signed credential (JSON) on stdout.

    A bare JSON object becomes the credentialSubject of a new VC 2.0 (ActivityDataCredential) whose
    issuer is the key's did:key; an unsigned VC must already name that did as its issuer.
    """
    try:
        info = keyfile.key_file_info(_read_key_bytes(key))
        password: str | None = None
        if info.encrypted and password_file is not None:
            password = _read_password_file(password_file)
        elif info.encrypted:
            if doc == "-":
                raise KeyFileError(
                    "key file is encrypted and DOC comes from stdin",
                    "the password prompt and the document would both read stdin",
                    "pass --password-file FILE, or give DOC as a file",
                )
            password = typer.prompt("Key file password", hide_input=True, err=True)
        private_key = keyfile.read_key_file(key, password=password)
        document = _read_document(doc)
        if "proof" in document:
            raise MalformedCredentialError(
                "document is already signed", "it has a proof", "sign the document without its proof"
            )
        credential = (
            document if vc.looks_like_credential(document) else vc.build_credential(document, info.did)
        )
        signed = vc.sign_credential(credential, private_key)
    except CredentialError as exc:
        raise _fail("sign", str(exc)) from exc
    typer.echo(json.dumps(signed, indent=2, ensure_ascii=False))


def _read_key_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(keyfile.MAX_KEY_FILE_BYTES + 1)
    except OSError as exc:
        raise KeyFileError(
            "key file cannot be read", f"{str(path)!r}: {exc.strerror}", "check --key"
        ) from exc


def verify_credential_command(
    file: Annotated[str, typer.Argument(help="Signed credential (JSON file, or '-' for stdin).")],
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="Issuer public key (Multikey z6Mk…) for verification methods that are not did:key.",
        ),
    ] = None,
) -> None:
    """Verify FILE's eddsa-jcs-2022 proof and VC 2.0 structure; exit 0 if valid, 1 with the reason if not."""
    try:
        key = public_key_from_multibase(public_key, field="--public-key") if public_key is not None else None
        verified = vc.verify_credential(_read_document(file), public_key=key)
    except CredentialError as exc:
        raise _fail("invalid credential", str(exc)) from exc
    proof = verified.proof
    created = eddsa_jcs_2022.format_datetime(proof.created) if proof.created else "(no created time)"
    typer.echo(
        f"valid: {verified.credential.get('id', '(no id)')} issued by {verified.issuer}, "
        f"signed {created} with {proof.public_key_multibase}"
    )


def register(app: typer.Typer, *, keys: typer.Typer | None = None) -> None:
    """Add ``keys generate``, ``sign`` and ``verify-credential`` to the main ``tanlian`` app.

    When the app already has a ``keys`` group, pass it as ``keys`` and ``generate`` is added to it.
    """
    if keys is None:
        app.add_typer(keys_app, name="keys")
    else:
        keys.command("generate")(generate_command)
    app.command("sign")(sign_command)
    app.command("verify-credential")(verify_credential_command)
