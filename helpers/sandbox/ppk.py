"""PuTTY private key files (PPK format version 3, unencrypted), as EC2 returns for KeyFormat=ppk."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from helpers.rules import PPK_HEADER


def _string(data: bytes) -> bytes:
    """SSH wire 'string': a 4-byte big-endian length, then the bytes."""
    return struct.pack(">I", len(data)) + data


def _mpint(n: int) -> bytes:
    """SSH wire 'mpint': a string of the big-endian two's complement bytes (positive here)."""
    # One spare bit, so that a high bit set in the top byte gets a leading zero byte.
    return _string(n.to_bytes(n.bit_length() // 8 + 1, "big") if n else b"")


def _blobs(private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> tuple[str, bytes, bytes]:
    """The algorithm name, public blob and private blob PuTTY stores for a key."""
    if isinstance(private_key, rsa.RSAPrivateKey):
        numbers = private_key.private_numbers()
        public = (
            _string(b"ssh-rsa")
            + _mpint(numbers.public_numbers.e)
            + _mpint(numbers.public_numbers.n)
        )
        # PuTTY wants iqmp = q^-1 mod p; cryptography's iqmp is the same quantity.
        private = _mpint(numbers.d) + _mpint(numbers.p) + _mpint(numbers.q) + _mpint(numbers.iqmp)
        return "ssh-rsa", public, private
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        raw_public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return "ssh-ed25519", _string(b"ssh-ed25519") + _string(raw_public), _string(seed)
    raise TypeError(f"PPK export supports RSA and Ed25519 keys, not {type(private_key).__name__}")


def _lines(blob: bytes) -> list[str]:
    """Base64 of a blob in the 64-character lines PuTTY writes."""
    text = base64.b64encode(blob).decode("ascii")
    return [text[i : i + 64] for i in range(0, len(text), 64)]


def to_ppk(private_key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey, comment: str) -> str:
    """Return the text of an unencrypted PuTTY key file, version 3, holding this private key."""
    algorithm, public, private = _blobs(private_key)
    encryption = "none"
    # Unencrypted v3 files are authenticated with HMAC-SHA-256 under an empty key.
    mac_data = b"".join(
        _string(part)
        for part in (algorithm.encode(), encryption.encode(), comment.encode(), public, private)
    )
    mac = hmac.new(b"", mac_data, hashlib.sha256).hexdigest()
    public_lines, private_lines = _lines(public), _lines(private)
    return "\n".join(
        [
            f"{PPK_HEADER}-3: {algorithm}",
            f"Encryption: {encryption}",
            f"Comment: {comment}",
            f"Public-Lines: {len(public_lines)}",
            *public_lines,
            f"Private-Lines: {len(private_lines)}",
            *private_lines,
            f"Private-MAC: {mac}",
            "",
        ]
    )
