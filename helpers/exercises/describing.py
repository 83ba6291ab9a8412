"""Notebook 01's exercises: find key pairs by tag, and read a public key back from EC2."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from helpers.exercises.common import (
    TUTORIAL,
    Verdict,
    compare,
    names_in,
    not_set_up,
    recorded,
    replace_ours,
)
from helpers.fingerprints import fingerprint_of_public_key
from helpers.keypairs import create_key_pair, import_key_pair
from helpers.rules import key_blob

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

ALICE_PUBLIC_KEY = ("ssh-ed25519 "
                    "AAAAC3NzaC1lZDI1NTE5AAAAIJ6adBSdlreaNKGI3HaqpL8qnmmLfevsNUNAtpAubpNP")


def set_up(ec2: EC2Client) -> str:
    replace_ours(ec2, ["build-server", "deploy-bot", "alice-laptop"])
    create_key_pair(ec2, "build-server", tags={**TUTORIAL, "Team": "ci"})
    create_key_pair(ec2, "deploy-bot", key_type="ed25519", tags={**TUTORIAL, "Team": "ops"})
    import_key_pair(ec2, "alice-laptop", ALICE_PUBLIC_KEY, tags=TUTORIAL)
    return "build-server (Team=ci), deploy-bot (Team=ops) and alice-laptop"


@recorded("01.1")
def ops_names(ec2: EC2Client, answer: Any) -> Verdict:
    """01, exercise 1: the names of the key pairs tagged Team=ops, found with a filter."""
    names = names_in(answer, "ops_names")
    if isinstance(names, Verdict):
        return names
    if (not_ready := not_set_up("01")) is not None:
        return not_ready
    return compare(names, {"deploy-bot"}, "ops_names", "tagged Team=ops",
                    "ask with Filters=[{'Name': 'tag:Team', 'Values': ['ops']}]")


@recorded("01.2")
def alice_public_key(ec2: EC2Client, answer: Any) -> Verdict:
    """01, exercise 2: alice-laptop's public key, asked from EC2."""
    if (not_ready := not_set_up("01")) is not None:
        return not_ready
    if answer is None:
        return Verdict(False, "alice_public_key is still None: describe alice-laptop with "
                              "IncludePublicKey=True and take its PublicKey.")
    if isinstance(answer, dict):
        return Verdict(False, "alice_public_key is a whole dictionary: take the text of its "
                              "PublicKey, e.g. response['KeyPairs'][0]['PublicKey'].")
    if isinstance(answer, bytes):  # e.g. the key as read from a .pub file
        answer = answer.decode(errors="replace")
    if not isinstance(answer, str):
        return Verdict(False, f"alice_public_key is a {type(answer).__name__}: take the text "
                              "of PublicKey, e.g. response['KeyPairs'][0]['PublicKey'].")
    if answer.strip() == fingerprint_of_public_key(ALICE_PUBLIC_KEY):
        return Verdict(False, "That is a fingerprint, not the public key: ask with "
                              "IncludePublicKey=True and take PublicKey.")
    if key_blob(answer) != key_blob(ALICE_PUBLIC_KEY):
        return Verdict(False, "alice_public_key is not alice-laptop's public key: describe "
                              "KeyNames=['alice-laptop'] with IncludePublicKey=True.")
    return Verdict(True, "that is alice-laptop's public key, as EC2 keeps it.")
