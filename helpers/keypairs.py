"""Describe, create, delete and import key pairs: thin over boto3, returning what boto3 returns."""

from __future__ import annotations

import base64
import binascii
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from helpers import arguments
from helpers.errors import KeyPairError, friendly_errors
from helpers.rules import (
    key_name_problem,
    key_pair_problem,
    shown,
    shows_private_key,
)

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import (
        DeleteKeyPairResultTypeDef,
        DescribeKeyPairsResultTypeDef,
        ImportKeyPairResultTypeDef,
        KeyPairTypeDef,
        TagSpecificationTypeDef,
    )

KeyType = Literal["rsa", "ed25519"]
KeyFormat = Literal["pem", "ppk"]


def _tag_specifications(tags: dict[str, str]) -> list[TagSpecificationTypeDef]:
    if not tags:
        return []
    return [{"ResourceType": "key-pair",
             "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]


def describe_key_pairs(
    ec2: EC2Client,
    *,
    names: str | list[str] | None = None,
    ids: str | list[str] | None = None,
    filters: dict[str, str | list[str]] | list[dict[str, Any]] | None = None,
    include_public_key: bool = False,
    dry_run: bool = False,
) -> DescribeKeyPairsResultTypeDef:
    """Describe key pairs: all, or by names, ids or filters (e.g. {'tag:Project': 'demo'})."""
    args: dict[str, Any] = {"IncludePublicKey": arguments.flag(include_public_key,
                                                               "include_public_key"),
                            "DryRun": arguments.flag(dry_run, "dry_run")}
    names, ids = arguments.key_names(names), arguments.key_pair_ids(ids)
    if names:
        args["KeyNames"] = names
    if ids:
        args["KeyPairIds"] = ids
    if filters:
        args["Filters"] = arguments.filters(filters)
    with friendly_errors():
        return ec2.describe_key_pairs(**args)


def create_key_pair(
    ec2: EC2Client,
    name: str,
    *,
    key_type: KeyType = "rsa",
    key_format: KeyFormat = "pem",
    tags: dict[str, str] | list[dict[str, str]] | None = None,
    dry_run: bool = False,
) -> KeyPairTypeDef:
    """Create a key pair; the response holds the private key (KeyMaterial), shown only this once."""
    arguments.refuse(key_pair_problem(name, key_type, key_format))
    tags, dry_run = arguments.tags(tags), arguments.flag(dry_run, "dry_run")
    with friendly_errors(name):
        return ec2.create_key_pair(KeyName=name, KeyType=key_type, KeyFormat=key_format,
                                   TagSpecifications=_tag_specifications(tags), DryRun=dry_run)


def delete_key_pair(
    ec2: EC2Client,
    *,
    name: str | None = None,
    key_pair_id: str | None = None,
    dry_run: bool = False,
) -> DeleteKeyPairResultTypeDef:
    """Delete a key pair by name or by id; EC2 answers success even if it did not exist."""
    if (name is None) == (key_pair_id is None):
        raise KeyPairError("Give either name= or key_pair_id= (exactly one) to delete a key pair.")
    arguments.refuse(key_name_problem(name) if name is not None
                     else arguments.key_pair_id_problem(key_pair_id))
    dry_run = arguments.flag(dry_run, "dry_run")
    target = {"KeyName": name} if name is not None else {"KeyPairId": key_pair_id}
    with friendly_errors():
        return ec2.delete_key_pair(**target, DryRun=dry_run)


def _is_path(text: str) -> bool:
    """Whether text names a file rather than holding a key: an existing file, or a name such as
    '~/.ssh/id_ed25519.pub' (a mistyped one then gets "There is no file")."""
    if text.strip().endswith(".pub") and " " not in text.strip():
        return True
    try:
        return Path(text).expanduser().is_file()
    except OSError:  # e.g. a pasted key too long to be a file name
        return False


def read_public_key(public_key: bytes | str | PathLike[str]) -> bytes:
    """Return an OpenSSH public key as bytes, from bytes, text, or the path of a .pub file."""
    if not isinstance(public_key, (bytes, bytearray, memoryview, str, PathLike)):
        raise KeyPairError(f"The public key {shown(public_key)} is not a key: give the text "
                           "'ssh-ed25519 AAAA...', its bytes, or the path of the .pub file.")
    if isinstance(public_key, PathLike) or (isinstance(public_key, str) and _is_path(public_key)):
        path = Path(public_key).expanduser()
        if not path.is_file():
            raise KeyPairError(f"There is no file {path}: give the path of a .pub file.")
        public_key = path.read_bytes()
    material = (public_key.encode() if isinstance(public_key, str) else bytes(public_key)).strip()
    if shows_private_key(material):
        raise KeyPairError("That is a private key: import only the public half "
                           "(the .pub file), and keep the private key to yourself.")
    try:
        # Whitespace out first: `base64 id.pub` wraps its output at 76 columns.
        twice_encoded = base64.b64decode(b"".join(material.split()),
                                         validate=True).startswith(b"ssh-")
    except (binascii.Error, ValueError):
        twice_encoded = False
    if twice_encoded:
        raise KeyPairError("That public key is base64-encoded twice: pass the raw "
                           "'ssh-... AAAA...' text, boto3 encodes it for you.")
    return material


def import_key_pair(
    ec2: EC2Client,
    name: str,
    public_key: bytes | str | PathLike[str],
    *,
    tags: dict[str, str] | list[dict[str, str]] | None = None,
    dry_run: bool = False,
) -> ImportKeyPairResultTypeDef:
    """Import the public half of a key pair you made yourself, given as bytes, text or a path."""
    arguments.refuse(key_name_problem(name))
    tags, dry_run = arguments.tags(tags), arguments.flag(dry_run, "dry_run")
    material = read_public_key(public_key)
    with friendly_errors(name):
        return ec2.import_key_pair(KeyName=name, PublicKeyMaterial=material,
                                   TagSpecifications=_tag_specifications(tags), DryRun=dry_run)
