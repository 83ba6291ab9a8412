"""Notebook 02's exercises: create an ED25519 key pair with its tag, and one for PuTTY, each with
its private key saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers.exercises.common import (
    Verdict,
    find_key_pair,
    holds_private_key_of,
    recorded,
    saved_key_file,
    tags_of,
)
from helpers.keyfiles import shown_path
from helpers.rules import PPK_HEADER

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client


@recorded("02.1")
def ed25519_owned(ec2: EC2Client, name: str = "my-exercise-key", owner: str = "you") -> Verdict:
    """02, exercise 1: an ED25519 key pair tagged Owner=owner, its private key saved."""
    key_pair = find_key_pair(ec2, name)
    if key_pair is None:
        return Verdict(False, f"There is no key pair {name} yet: create it with "
                              "create_key_pair, choosing its key type and its tags.")
    if key_pair.get("KeyType") != "ed25519":
        return Verdict(False, f"{name} is {key_pair.get('KeyType', 'RSA').upper()}, not "
                              "ED25519: delete it and create it again with KeyType='ed25519' "
                              "(key_type= with the helpers).")
    if tags_of(key_pair).get("Owner") != owner:
        return Verdict(False, f"{name} has no tag Owner={owner}: add it with "
                              f"ec2.create_tags(Resources=[key_pair_id], "
                              f"Tags=[{{'Key': 'Owner', 'Value': '{owner}'}}]).")
    saved = saved_key_file(name, ppk=False)
    if isinstance(saved, Verdict):
        return saved
    # e.g. an earlier try's RSA key, which save_private_key would not replace
    if not holds_private_key_of(saved, key_pair):
        return Verdict(False, f"{shown_path(saved)} holds another key than {name} (an earlier "
                              "try's?): delete the file and the key pair, then create and save "
                              "it again.")
    return Verdict(True, f"{name} is ED25519, tagged Owner={owner}, and its private key is in "
                         f"{shown_path(saved)}, mode 600.")


@recorded("02.2")
def putty_saved(ec2: EC2Client, name: str = "my-exercise-ppk") -> Verdict:
    """02, exercise 2: a key pair created for PuTTY, its .ppk file saved."""
    if find_key_pair(ec2, name) is None:
        return Verdict(False, f"There is no key pair {name} yet: create it with "
                              "create_key_pair, in the key format PuTTY reads.")
    saved = saved_key_file(name, ppk=True)
    if isinstance(saved, Verdict):
        return saved
    if not saved.read_text(errors="replace").startswith(PPK_HEADER):
        return Verdict(False, f"{shown_path(saved)} is not a PuTTY key file: create the key pair "
                              "with key_format='ppk' and save that response.")
    return Verdict(True, f"{name}'s private key is in {shown_path(saved)}, ready for PuTTY.")
