"""Notebook 04's exercises (and 06's second): import a key made on this machine, and the same
public key into several Regions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import boto3

from helpers.exercises.common import Verdict, find_key_pair, recorded
from helpers.rules import key_blob

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client


@recorded("04.1")
def imported_from_file(ec2: EC2Client, public_key_file: str | Path,
                       name: str = "my-laptop-key") -> Verdict:
    """04, exercise 1: a key made on this machine (ssh-keygen) imported from its .pub file."""
    path = Path(public_key_file)
    if not path.exists():
        return Verdict(False, f"There is no file {path}: make the key in a cell of its own with "
                              f"!mkdir -p -m 700 {path.parent} && ssh-keygen -t ed25519 -N '' "
                              f"-f {path.with_suffix('')}")
    key_pair = find_key_pair(ec2, name)
    if key_pair is None:
        return Verdict(False, f"There is no key pair {name} yet: "
                              f"import_key_pair(ec2, '{name}', Path('{path}')).")
    if key_blob(key_pair.get("PublicKey")) != key_blob(path.read_text(errors="replace")):
        return Verdict(False, f"{name} holds another public key than {path}: delete it and "
                              "import that file.")
    return Verdict(True, f"{name} holds the public key of {path}; its private half never left "
                         "this machine.")


@recorded("04.2")
def in_every_region(ec2: EC2Client, regions: list[str], name: str = "my-laptop-key",
                    public_key: str | bytes | None = None) -> Verdict:
    """04, exercise 2: name holds public_key in each Region given (by default, the public key it
    holds in ec2's Region)."""
    return same_key_in_regions(ec2, regions, name, public_key)


@recorded("06.2")
def one_key_everywhere(ec2: EC2Client, regions: list[str], name: str,
                       public_key: str | bytes | None) -> Verdict:
    """06, exercise 2: name holds public_key in each Region given, ensured by the audit's
    ensure_key_pair."""
    return same_key_in_regions(ec2, regions, name, public_key)


def same_key_in_regions(ec2: EC2Client, regions: list[str], name: str,
                        public_key: str | bytes | None) -> Verdict:
    """Whether name holds public_key in each Region given (None: the public key it holds in
    ec2's Region, which is then checked too)."""
    home = ec2.meta.region_name
    if public_key is None:
        found = find_key_pair(ec2, name)
        if found is None:
            return Verdict(False, f"There is no key pair {name} in {home}: do the exercise "
                                  "before this one first.")
        public_key, regions = found.get("PublicKey"), [home, *regions]
    missing, other = [], []
    for region in regions:
        found = find_key_pair(boto3.client("ec2", region_name=region), name)
        if found is None:
            missing.append(region)
        elif key_blob(found.get("PublicKey")) != key_blob(public_key):
            other.append(region)
    if missing:
        return Verdict(False, f"{name} is missing in {_listed(missing)}: import the same "
                              "public key there with a client for each Region "
                              "(boto3.client('ec2', region_name=...)).")
    if other:
        return Verdict(False, f"{name} holds another public key in {_listed(other)}: delete "
                              "it there and import the right one.")
    return Verdict(True, f"{name} holds the same public key in {_listed(regions)}.")


def _listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
