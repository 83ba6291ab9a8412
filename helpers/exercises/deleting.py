"""Notebook 03's exercises: delete the key pairs a tag marks old, and one key pair with its file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers.exercises.common import (
    TUTORIAL,
    Verdict,
    find_key_pair,
    not_set_up,
    recorded,
    refuse_a_file_of_yours,
    remember_saved,
    replace_ours,
)
from helpers.keyfiles import default_key_dir, key_file_name, save_private_key, shown_path
from helpers.keypairs import create_key_pair

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

STAGES = {"old-1": "old", "old-2": "old", "old-3": "old", "keep-me": "new"}  # 03, exercise 1
SAVED = "exercise-saved"  # 03, exercise 2: deleted with its private key file


def set_up(ec2: EC2Client) -> str:
    path = default_key_dir() / key_file_name(SAVED)
    refuse_a_file_of_yours([path])
    replace_ours(ec2, [*STAGES, SAVED])
    for name, stage in STAGES.items():
        create_key_pair(ec2, name, key_type="ed25519", tags={**TUTORIAL, "Stage": stage})
    saved = save_private_key(create_key_pair(ec2, SAVED, key_type="ed25519", tags=TUTORIAL),
                             overwrite=path.exists())  # checked above: ours, or a sandbox key
    remember_saved(saved)
    return (f"{', '.join(n for n, s in STAGES.items() if s == 'old')} tagged Stage=old, keep-me "
            f"tagged Stage=new, and {SAVED} with its private key in {saved}")


@recorded("03.1")
def old_ones_deleted(ec2: EC2Client) -> Verdict:
    """03, exercise 1: every key pair set_up tagged Stage=old deleted, the Stage=new one kept."""
    if (not_ready := not_set_up("03")) is not None:
        return not_ready
    there = {name for name in STAGES if find_key_pair(ec2, name) is not None}
    if "keep-me" not in there:
        return Verdict(False, "keep-me, tagged Stage=new, is gone too: run the set-up cell "
                              "again, then delete only the key pairs tagged Stage=old.")
    left = sorted(name for name in there if STAGES[name] == "old")
    if left:
        return Verdict(False, f"{len(left)} key pair(s) tagged Stage=old are still there "
                              f"({', '.join(left)}): find them with Filters=[{{'Name': "
                              "'tag:Stage', 'Values': ['old']}] and delete each.")
    return Verdict(True, "every key pair tagged Stage=old is gone, and the Stage=new one stays.")


@recorded("03.2")
def deleted_with_its_file(ec2: EC2Client) -> Verdict:
    """03, exercise 2: the key pair set_up saved deleted, and its private key file too."""
    if (not_ready := not_set_up("03")) is not None:
        return not_ready
    path = default_key_dir() / key_file_name(SAVED)
    there = find_key_pair(ec2, SAVED) is not None
    if there and path.exists():
        return Verdict(False, f"{SAVED} and {shown_path(path)} are both still there: delete the "
                              "key pair, then the file.")
    if there:
        return Verdict(False, f"The file is gone but the key pair {SAVED} is still there: "
                              f"delete_key_pair(ec2, name='{SAVED}').")
    if path.exists():
        return Verdict(False, f"The key pair is gone, but its private key is still in "
                              f"{shown_path(path)}: delete the file too "
                              f"(Path('{shown_path(path)}').unlink()).")
    return Verdict(True, f"{SAVED} is gone, and so is its private key file.")
