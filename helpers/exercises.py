"""The checks of the notebooks' "Try it" exercises: each looks at the sandbox (or the account)
and the saved files, and says in one sentence what is done, or what is still missing or wrong.

A check never raises: whatever the learner's cell left, the answer is a sentence."""

from __future__ import annotations

import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pandas as pd

from helpers.audit import _key_blob
from helpers.backend import EC2Client
from helpers.errors import KeyPairError
from helpers.fingerprints import fingerprint_of_private_key
from helpers.keyfiles import default_key_dir, key_file_name, shown_path
from helpers.rules import PPK_HEADER


@dataclass(frozen=True)
class Verdict:
    """A check's answer: shown as one line, true when the exercise is done."""

    passed: bool
    sentence: str

    def __repr__(self) -> str:
        return f"{'✔ Done' if self.passed else '✘ Not yet'}: {self.sentence}"

    def __bool__(self) -> bool:
        return self.passed


def _key_pair(ec2: EC2Client, name: str) -> dict[str, Any] | None:
    """The key pair named name, with its public key, or None (asked without an error)."""
    found = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}],
                                   IncludePublicKey=True)["KeyPairs"]
    return found[0] if found else None


def _tags(key_pair: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in key_pair.get("Tags", [])}


def _names(answer: Any, what: str) -> set[str] | Verdict:
    """The learner's list of key names, or the Verdict saying why it is not one."""
    if answer is None:
        return Verdict(False, f"{what} is still None: set it to a list of key names.")
    names = list(answer) if isinstance(answer, Iterable) and not isinstance(
        answer, (str, bytes, dict)) else None  # a generator is read once, here
    if names is None or not all(isinstance(name, str) for name in names):
        return Verdict(False, f"{what} should be a list of key names (text), such as "
                              "[key['KeyName'] for key in response['KeyPairs']].")
    return set(names)


def _compare(answer: set[str], truth: set[str], what: str, rule: str, hint: str) -> Verdict:
    """Whether the learner's names are exactly the key pairs that rule ('tagged Team=ops')
    describes; if not, which are wrong and the hint."""
    extra, missing = sorted(answer - truth), sorted(truth - answer)
    if extra:
        return Verdict(False, f"{what} should hold only the key pairs {rule}, not "
                              f"{', '.join(extra)}: {hint}.")
    if missing:
        return Verdict(False, f"{what} misses {', '.join(missing)}, {rule}: {hint}.")
    return Verdict(True, f"{what} holds exactly the key pairs {rule}.")


# 01 · Describe key pairs

def ops_names(ec2: EC2Client, answer: Any) -> Verdict:
    """01, exercise 1: the names of the key pairs tagged Team=ops, found with a filter."""
    names = _names(answer, "ops_names")
    if isinstance(names, Verdict):
        return names
    truth = {key["KeyName"] for key in ec2.describe_key_pairs(
        Filters=[{"Name": "tag:Team", "Values": ["ops"]}])["KeyPairs"]}
    return _compare(names, truth, "ops_names", "tagged Team=ops",
                    "ask with Filters=[{'Name': 'tag:Team', 'Values': ['ops']}]")


def alice_public_key(ec2: EC2Client, answer: Any) -> Verdict:
    """01, exercise 2: alice-laptop's public key, asked from EC2."""
    key_pair = _key_pair(ec2, "alice-laptop")
    if key_pair is None:
        return Verdict(False, "There is no key pair alice-laptop: run the notebook's first cells, "
                              "which import it.")
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
    if answer == key_pair.get("KeyFingerprint"):
        return Verdict(False, "That is a fingerprint, not the public key: ask with "
                              "IncludePublicKey=True and take PublicKey.")
    if _key_blob(answer) != _key_blob(key_pair.get("PublicKey")):
        return Verdict(False, "alice_public_key is not alice-laptop's public key: describe "
                              "KeyNames=['alice-laptop'] with IncludePublicKey=True.")
    return Verdict(True, "that is alice-laptop's public key, as EC2 keeps it.")


# 02 · Create a key pair

def _saved_file(name: str, ppk: bool) -> Verdict | Path:
    """The key pair's saved private key file, or the Verdict saying what is missing."""
    path = default_key_dir() / key_file_name(name, ppk)
    other = default_key_dir() / key_file_name(name, not ppk)
    if not path.exists() and other.exists():
        kind, want = ("PEM", "KeyFormat='ppk'") if ppk else ("PPK", "KeyFormat='pem'")
        return Verdict(False, f"{shown_path(other)} is a {kind} file: delete the key pair and "
                              f"the file, create it again with {want}, and save it.")
    if not path.exists():
        return Verdict(False, f"There is no file {shown_path(path)}: save the private key with "
                              "save_private_key(response), from the response of the create.")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != 0o600:
        return Verdict(False, f"{shown_path(path)} has mode {mode:o}: only you should read it "
                              f"(chmod 600 {shown_path(path)}; save_private_key does this).")
    return path


def ed25519_owned(ec2: EC2Client, name: str = "my-exercise-key", owner: str = "you") -> Verdict:
    """02, exercise 1: an ED25519 key pair tagged Owner=owner, its private key saved."""
    key_pair = _key_pair(ec2, name)
    if key_pair is None:
        return Verdict(False, f"There is no key pair {name} yet: create it with "
                              "create_key_pair, choosing its key type and its tags.")
    if key_pair.get("KeyType") != "ed25519":
        return Verdict(False, f"{name} is {key_pair.get('KeyType', 'RSA').upper()}, not "
                              "ED25519: delete it and create it again with key_type='ed25519'.")
    if _tags(key_pair).get("Owner") != owner:
        return Verdict(False, f"{name} has no tag Owner={owner}: add it with "
                              f"ec2.create_tags(Resources=[key_pair_id], "
                              f"Tags=[{{'Key': 'Owner', 'Value': '{owner}'}}]).")
    saved = _saved_file(name, ppk=False)
    if isinstance(saved, Verdict):
        return saved
    try:
        holds = fingerprint_of_private_key(saved.read_bytes()) == key_pair.get("KeyFingerprint")
    except (KeyPairError, OSError):
        holds = False
    if not holds:  # e.g. an earlier try's RSA key, which save_private_key would not replace
        return Verdict(False, f"{shown_path(saved)} holds another key than {name} (an earlier "
                              "try's?): delete the file and the key pair, then create and save "
                              "it again.")
    return Verdict(True, f"{name} is ED25519, tagged Owner={owner}, and its private key is in "
                         f"{shown_path(saved)}, mode 600.")


def putty_saved(ec2: EC2Client, name: str = "my-exercise-ppk") -> Verdict:
    """02, exercise 2: a key pair created for PuTTY, its .ppk file saved."""
    if _key_pair(ec2, name) is None:
        return Verdict(False, f"There is no key pair {name} yet: create it with "
                              "create_key_pair, in the key format PuTTY reads.")
    saved = _saved_file(name, ppk=True)
    if isinstance(saved, Verdict):
        return saved
    if not saved.read_text(errors="replace").startswith(PPK_HEADER):
        return Verdict(False, f"{shown_path(saved)} is not a PuTTY key file: create the key pair "
                              "with key_format='ppk' and save that response.")
    return Verdict(True, f"{name}'s private key is in {shown_path(saved)}, ready for PuTTY.")


# 03 · Delete a key pair

def old_ones_deleted(ec2: EC2Client) -> Verdict:
    """03, exercise 1: every key pair tagged Stage=old deleted, the one tagged Stage=new kept."""
    def tagged(stage: str) -> list[str]:
        return sorted(key["KeyName"] for key in ec2.describe_key_pairs(
            Filters=[{"Name": "tag:Stage", "Values": [stage]}])["KeyPairs"])

    if not tagged("new"):
        return Verdict(False, "The key pair tagged Stage=new is gone too (or was never made): "
                              "run the cell that makes the exercise's key pairs, then delete "
                              "only those tagged Stage=old.")
    left = tagged("old")
    if left:
        return Verdict(False, f"{len(left)} key pair(s) tagged Stage=old are still there "
                              f"({', '.join(left)}): find them with Filters=[{{'Name': "
                              "'tag:Stage', 'Values': ['old']}] and delete each.")
    return Verdict(True, "every key pair tagged Stage=old is gone, and the Stage=new one stays.")


def deleted_with_its_file(ec2: EC2Client, name: str = "exercise-saved") -> Verdict:
    """03, exercise 2: a key pair deleted, and its private key file too."""
    path = default_key_dir() / key_file_name(name)
    there = _key_pair(ec2, name) is not None
    if there and path.exists():
        return Verdict(False, f"{name} and {shown_path(path)} are both still there: delete the "
                              "key pair, then the file.")
    if there:
        return Verdict(False, f"The file is gone but the key pair {name} is still there: "
                              f"delete_key_pair(ec2, name='{name}').")
    if path.exists():
        return Verdict(False, f"The key pair is gone, but its private key is still in "
                              f"{shown_path(path)}: delete the file too "
                              f"(Path('{shown_path(path)}').unlink()).")
    return Verdict(True, f"{name} is gone, and so is its private key file.")


# 04 · Import a key pair

def imported_from_file(ec2: EC2Client, public_key_file: str | Path,
                       name: str = "my-laptop-key") -> Verdict:
    """04, exercise 1: a key made on this machine (ssh-keygen) imported from its .pub file."""
    path = Path(public_key_file)
    if not path.exists():
        return Verdict(False, f"There is no file {path}: make the key with "
                              f"ssh-keygen -t ed25519 -N '' -f {path.with_suffix('')}.")
    key_pair = _key_pair(ec2, name)
    if key_pair is None:
        return Verdict(False, f"There is no key pair {name} yet: "
                              f"import_key_pair(ec2, '{name}', Path('{path}')).")
    if _key_blob(key_pair.get("PublicKey")) != _key_blob(path.read_text(errors="replace")):
        return Verdict(False, f"{name} holds another public key than {path}: delete it and "
                              "import that file.")
    return Verdict(True, f"{name} holds the public key of {path}; its private half never left "
                         "this machine.")


def in_every_region(ec2: EC2Client, regions: list[str],
                    name: str = "my-laptop-key") -> Verdict:
    """04, exercise 2 and 06, exercise 2: name holds the same public key in each Region as in
    ec2's Region."""
    home = _key_pair(ec2, name)
    if home is None:
        return Verdict(False, f"There is no key pair {name} in {ec2.meta.region_name}: do the "
                              "exercise before this one first.")
    missing, other = [], []
    for region in regions:
        found = _key_pair(boto3.client("ec2", region_name=region), name)
        if found is None:
            missing.append(region)
        elif _key_blob(found.get("PublicKey")) != _key_blob(home.get("PublicKey")):
            other.append(region)
    if missing:
        return Verdict(False, f"{name} is missing in {', '.join(missing)}: import the same "
                              "public key there with a client for each Region "
                              "(boto3.client('ec2', region_name=...)).")
    if other:
        return Verdict(False, f"{name} holds another public key in {', '.join(other)}: delete it "
                              f"there and import the one from {ec2.meta.region_name}.")
    *others, last = [ec2.meta.region_name, *regions]
    return Verdict(True, f"{name} holds the same public key in {', '.join(others)} and {last}.")


# 06 · Audit key pairs across Regions

def ownerless(keys: Any, answer: Any, owner_tag: str = "Owner") -> Verdict:
    """06, exercise 1: the names of the key pairs that have no owner tag, from the inventory."""
    names = _names(answer, "ownerless")
    if isinstance(names, Verdict):
        return names
    if not isinstance(keys, pd.DataFrame) or not {"KeyName", "Tags"} <= set(keys.columns):
        return Verdict(False, "Give the check the inventory first: "
                              "exercises.ownerless(keys, ownerless), keys from audit.inventory.")
    listed = keys.dropna(subset=["KeyName"])
    truth = {name for name, tags in zip(listed["KeyName"], listed["Tags"].fillna(""), strict=True)
             if not any(tag.startswith(f"{owner_tag}=") for tag in tags.split(", "))}
    return _compare(names, truth, "ownerless", f"without an {owner_tag} tag",
                    f"keep the rows whose Tags hold no '{owner_tag}=' (or use findings' "
                    "NoOwner column)")
