"""Fingerprints as OpenSSH and OpenSSL compute them (the EC2 user guide's recipes), and committed
known answers: what the sandbox and helpers.fingerprints are checked against, never themselves."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

VECTORS = json.loads((Path(__file__).parent / "data" / "import-fingerprints.json").read_text())


def _run(command: str, data: bytes) -> str:
    return subprocess.run(command, shell=True, input=data, capture_output=True,
                          check=True).stdout.decode()


def _openssl_digest(printed: str) -> str:
    """'SHA1(stdin)= 1f:51:…' -> '1f:51:…'."""
    return printed.split("=", 1)[1].strip()


def _ssh_keygen_fingerprint(key_text: str) -> str:
    """ssh-keygen -l's SHA-256, with the '=' padding EC2 keeps."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "key")
        path.write_text(key_text.strip() + "\n")
        path.chmod(0o600)  # ssh-keygen refuses to read a private key others can read
        digest = _run(f"ssh-keygen -l -f {path}", b"").split()[1].removeprefix("SHA256:")
    return digest + "=" * (-len(digest) % 4)


def created_fingerprint(key_material: str) -> str:
    """What EC2 shows for a key pair it created, from the private key it returned."""
    if "OPENSSH PRIVATE KEY" in key_material:  # ED25519
        return _ssh_keygen_fingerprint(key_material)
    return _openssl_digest(_run(
        "openssl pkcs8 -inform PEM -outform DER -topk8 -nocrypt | openssl sha1 -c",
        key_material.encode()))


def imported_fingerprint(public_key: str) -> str:
    """What EC2 shows for an imported public key (one OpenSSH line)."""
    if public_key.startswith("ssh-ed25519"):
        return _ssh_keygen_fingerprint(public_key)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "key.pub")
        path.write_text(public_key.strip() + "\n")
        der = f"ssh-keygen -e -m PKCS8 -f {path} | openssl pkey -pubin -outform DER"
        return _openssl_digest(_run(f"{der} | openssl md5 -c", b""))
