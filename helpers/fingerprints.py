"""Key pair fingerprints computed the way Amazon EC2 computes them, to check a key locally.

The algorithms are those of the EC2 user guide, "Verify the fingerprint of your key pair"
(https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/verify-keys.html):

| key pair        | RSA                                   | ED25519                         |
|-----------------|---------------------------------------|---------------------------------|
| created by EC2  | SHA-1 of the private key, PKCS#8 DER  | SHA-256 of the public key blob  |
| imported        | MD5 of the public key, SPKI DER       | SHA-256 of the public key blob  |
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from helpers.errors import KeyPairError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes


def _colon_hex(digest: bytes) -> str:
    """Lowercase hex, a colon between bytes, as `openssl sha1 -c` prints it."""
    return digest.hex(":")


def created_rsa_fingerprint(private_key: rsa.RSAPrivateKey) -> str:
    """SHA-1 of the private key as DER PKCS#8: what EC2 shows for an RSA key it created."""
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return _colon_hex(hashlib.sha1(der).digest())


def imported_rsa_fingerprint(public_key: rsa.RSAPublicKey) -> str:
    """MD5 of the public key as DER SubjectPublicKeyInfo: what EC2 shows for an imported RSA key."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _colon_hex(hashlib.md5(der).digest())


def ed25519_fingerprint(public_key: ed25519.Ed25519PublicKey) -> str:
    """Base64 of SHA-256 of the OpenSSH public key blob: what EC2 shows for any ED25519 key."""
    # EC2 keeps base64's '=' padding and has no 'SHA256:' prefix; `ssh-keygen -l` prints the
    # same digest as 'SHA256:' + this without the '='. Sources: the user guide above ("Amazon
    # EC2 might append padding to the fingerprint with = characters. Other tools, such as
    # ssh-keygen, might omit this padding") and values captured from real EC2 in
    # eksctl-io/eksctl#5151 and mulgadc/spinifex#571 (odzmoB4gyxi1jn9vGD4c+bOpt1XUX1JUyaHaWHHCO2w=).
    line = public_key.public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    blob = base64.b64decode(line.split()[1])
    return base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii")


def _as_bytes(text: str | bytes, what: str, example: str) -> bytes:
    if isinstance(text, str):
        return text.encode("utf-8")
    if isinstance(text, bytes):
        return text
    given = "None" if text is None else f"a {type(text).__name__}"
    raise KeyPairError(f"The {what} given is {given}, not text: give it as str or bytes, e.g. "
                       f"Path({example!r}).read_text().")


def load_private_key(pem: str | bytes, *, validate: bool = True
                     ) -> rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey:
    """The private key of a create response's KeyMaterial (PEM or OpenSSH text, unencrypted).

    validate=False skips the RSA consistency check (50 ms): only for a key made in this process,
    such as the sandbox's own."""
    data = _as_bytes(pem, "private key", "keys/my-laptop.pem").strip()
    key: PrivateKeyTypes
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(
                data, password=None, unsafe_skip_rsa_key_validation=not validate)
    except (ValueError, TypeError, UnsupportedAlgorithm):  # never quote the key: it is private
        raise KeyPairError("That is not an unencrypted PEM or OpenSSH private key: give the "
                           "KeyMaterial of a create response, or the text of its .pem file."
                           ) from None
    if not isinstance(key, (rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
        raise KeyPairError("That key is neither RSA nor ED25519, so no EC2 key pair holds it: "
                           "give the private key of an EC2 key pair.")
    return key


def fingerprint_of_private_key(pem: str | bytes, *, validate: bool = True) -> str:
    """The fingerprint EC2 shows for a key pair it created, from the private key it returned
    (validate: as for load_private_key)."""
    key = load_private_key(pem, validate=validate)
    if isinstance(key, rsa.RSAPrivateKey):
        return created_rsa_fingerprint(key)
    return ed25519_fingerprint(key.public_key())


def fingerprint_of_public_key(openssh_public_key: str | bytes) -> str:
    """The fingerprint EC2 shows for an imported key, from its OpenSSH public key line."""
    try:
        key = serialization.load_ssh_public_key(
            _as_bytes(openssh_public_key, "public key", "keys/my-laptop.pub").strip())
    except (ValueError, UnsupportedAlgorithm):
        raise KeyPairError("That is not an OpenSSH public key: give the one line of a .pub file "
                           "('ssh-ed25519 AAAA...').") from None
    if isinstance(key, rsa.RSAPublicKey):
        return imported_rsa_fingerprint(key)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return ed25519_fingerprint(key)
    raise KeyPairError("That key is neither RSA nor ED25519, so EC2 cannot import it: give the "
                       "public key of an RSA or ED25519 key.")


def ssh_fingerprint(public_key_line: str) -> str:
    """SHA256:... of an OpenSSH public key line, as ssh-keygen -l and ssh print it."""
    blob = base64.b64decode(public_key_line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
