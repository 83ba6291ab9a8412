"""The key pair API's rules, in one place: the helpers, the forms and the sandbox all check input
against them (the sandbox answers a broken rule with AWS's error code). Each check returns one
sentence saying what is wrong and what to do, or None when the input is fine."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

KEY_TYPES = ("rsa", "ed25519")
KEY_FORMATS = ("pem", "ppk")
MAX_NAME_LENGTH = 255
MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS = 128, 256, 50
# The first line's start of a PuTTY key file. Spelled in two pieces so that secret scanners,
# which look for it, do not mistake this source file for a key.
PPK_HEADER = "PuTTY-User-Key-" + "File"
# What shows that a text holds a private key: a PEM or OpenSSH header, or a PuTTY key file.
PRIVATE_KEY_SIGNS = re.compile(rf"BEGIN [A-Z0-9 ]*PRIVATE KEY|{PPK_HEADER}|Private-Lines")
# ... or without its armor: how the bytes of an OpenSSH private key start, and the algorithms of
# an encrypted PKCS#8 key (PBES2, PKCS#12 PBE) as DER object ids.
OPENSSH_PRIVATE_MAGIC = b"openssh-key-v1\x00"
ENCRYPTED_KEY_OIDS = (bytes.fromhex("2a864886f70d01050d"), bytes.fromhex("2a864886f70d010c01"))
BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/]+={0,2}")
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f]")  # what XML 1.0, so EC2's answer, cannot carry


def shown(value: Any) -> str:
    """A value as a sentence quotes it: its repr, cut short."""
    text = repr(value)
    return f"{text[:40]}..." if len(text) > 43 else text


def _control_character(text: str) -> str | None:
    """The first character that XML 1.0, and so EC2's answer, cannot carry back."""
    found = CONTROL_CHARACTERS.search(text)
    return found.group() if found else None


def printable(text: str) -> str:
    """The text with each control character written as its escape ('\\x08'), as XML can carry."""
    return CONTROL_CHARACTERS.sub(lambda found: repr(found.group())[1:-1], text)


def key_blob(public_key: Any) -> str | None:
    """A public key without its comment ('ssh-ed25519 AAAA...'): two imports of one key match."""
    if isinstance(public_key, bytes):
        public_key = public_key.decode(errors="replace")
    parts = public_key.split() if isinstance(public_key, str) else []
    return " ".join(parts[:2]) if len(parts) >= 2 else None


def key_name_problem(name: Any) -> str | None:
    """Say what is wrong with a key name under the rules AWS documents, or None if it is fine."""
    if not isinstance(name, str):
        return f"The key name {shown(name)} is not text: give a str, e.g. 'my-laptop'."
    if not name:
        return "The key name is empty: type a name, for example 'my-laptop'."
    if len(name) > MAX_NAME_LENGTH:
        return f"The key name has {len(name)} characters: use at most {MAX_NAME_LENGTH}."
    if not name.isascii():
        bad = next(c for c in name if not c.isascii())
        return f"The key name contains {bad!r}: use ASCII characters only."
    control = _control_character(name)
    if control:
        return f"The key name contains the control character {control!r}: use printable characters."
    if name != name.strip():
        return "The key name starts or ends with a space: remove it."
    return None


def key_type_problem(key_type: Any) -> str | None:
    """Say what is wrong with a KeyType, or None for 'rsa' and 'ed25519'."""
    if key_type in KEY_TYPES:
        return None
    return f"Unknown key type {key_type!r}: use 'rsa' or 'ed25519'."


def key_pair_problem(name: Any, key_type: Any = "rsa", key_format: Any = "pem") -> str | None:
    """The first thing wrong with a new key pair's name, type or format, or None."""
    return key_name_problem(name) or key_type_problem(key_type) or key_format_problem(key_format)


def key_format_problem(key_format: Any) -> str | None:
    """Say what is wrong with a KeyFormat, or None for 'pem' and 'ppk'."""
    if key_format in KEY_FORMATS:
        return None
    return f"Unknown key format {key_format!r}: use 'pem' (OpenSSH) or 'ppk' (PuTTY)."


def tag_problem(key: Any, value: Any) -> str | None:
    """Say what is wrong with one tag under AWS's rules, or None if it is fine."""
    if not isinstance(key, str) or not isinstance(value, str):
        return (f"The tag {key!r}: {value!r} is not text: give tags as {{'Key': 'value'}} "
                "with str keys and values.")
    if not key:
        return "A tag has an empty key: give every tag a key, for example 'Project'."
    if key.lower().startswith("aws:"):
        return f"Tag keys starting with 'aws:' are reserved by AWS: rename {key!r}."
    if len(key) > MAX_TAG_KEY:
        return f"The tag key {key[:20]!r}... has {len(key)} characters: use at most {MAX_TAG_KEY}."
    if len(value) > MAX_TAG_VALUE:
        return (f"The value of tag {key!r} has {len(value)} characters: use at most "
                f"{MAX_TAG_VALUE}.")
    bad = _control_character(key + value)
    if bad:
        return f"The tag {key!r} contains the control character {bad!r}: remove it."
    return None


def tags_count_problem(count: int) -> str | None:
    """Say so when a key pair would carry more tags than AWS allows."""
    if count <= MAX_TAGS:
        return None
    return f"That is {count} tags: a key pair carries at most {MAX_TAGS}, so remove some."


def _is_private_der(data: bytes) -> bool:
    """Whether bytes start like a private key: OpenSSH's, or DER in PKCS#1, SEC1 or PKCS#8 (whose
    first field is a version, 0 or 1, where a public key starts with a sequence), or encrypted."""
    if data.startswith(OPENSSH_PRIVATE_MAGIC):
        return True
    if len(data) < 8 or data[0] != 0x30:  # a DER sequence
        return False
    start = 2 + (data[1] & 0x7F if data[1] & 0x80 else 0)
    return (data[start:start + 3] in (b"\x02\x01\x00", b"\x02\x01\x01")
            or any(oid in data[start:start + 24] for oid in ENCRYPTED_KEY_OIDS))


def _holds_private_key_body(text: str) -> bool:
    """Whether the text holds the base64 body of a private key, its BEGIN and END lines cut off,
    on one line or many."""
    tokens = text.split()
    for i, token in enumerate(tokens):
        if not token.startswith(("M", "b3Blbn")):  # how a DER sequence and OpenSSH's start
            continue
        run = ""
        for part in tokens[i:]:
            if len(run) >= 64 or not BASE64_TOKEN.fullmatch(part):
                break
            run += part
        try:
            data = base64.b64decode(run[:64][:len(run) // 4 * 4])
        except binascii.Error:
            continue
        if _is_private_der(data):
            return True
    return False


def shows_private_key(text: str | bytes) -> bool:
    """Whether the text holds (or starts) a private key: PEM, OpenSSH or PuTTY, armored or only
    its base64 body, or DER bytes."""
    if isinstance(text, bytes):
        if _is_private_der(text):
            return True
        text = text.decode("utf-8", "replace")
    return bool(PRIVATE_KEY_SIGNS.search(text)) or _holds_private_key_body(text)
