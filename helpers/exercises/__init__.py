"""The notebooks' "Try it" exercises, one module a notebook: set_up() makes what an exercise
works on (again, after the lesson's clean-up), and each check judges the answer against that, in
one sentence: what is done, or what is still missing or wrong.

A check never raises: whatever the learner's cell left, the answer is a sentence. Each public
check judges one exercise, '02.1' (notebook 02, its first Try it), as common.recorded marks it: on
the workshop Hub its verdicts also go to the presenter's room view; EXERCISES lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpers.errors import KeyPairError
from helpers.exercises import deleting, describing, using
from helpers.exercises.as_code import intern_policy, stack_key_saved
from helpers.exercises.auditing import ownerless
from helpers.exercises.common import EXERCISES, Verdict, mark_set_up
from helpers.exercises.creating import ed25519_owned, putty_saved
from helpers.exercises.deleting import deleted_with_its_file, old_ones_deleted
from helpers.exercises.describing import ALICE_PUBLIC_KEY, alice_public_key, ops_names
from helpers.exercises.importing import imported_from_file, in_every_region, one_key_everywhere
from helpers.exercises.using import TEAMMATE_PUBLIC_KEY, teammate_added, windows_password

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

__all__ = ["ALICE_PUBLIC_KEY", "EXERCISES", "TEAMMATE_PUBLIC_KEY", "Verdict", "alice_public_key",
           "deleted_with_its_file", "ed25519_owned", "imported_from_file", "in_every_region",
           "intern_policy", "old_ones_deleted", "one_key_everywhere", "ops_names", "ownerless",
           "putty_saved", "set_up", "stack_key_saved", "teammate_added", "windows_password"]
SET_UPS = {"01": describing.set_up, "03": deleting.set_up, "07": using.set_up}


def set_up(ec2: EC2Client, notebook: str) -> None:
    """Make what notebook's exercises work on ('01', '03' or '07'), again if the lesson's
    clean-up deleted it: what this lesson made of it before is replaced; a key pair of the same
    name that it did not make (yours?) is left, and stops it with a sentence."""
    if notebook not in SET_UPS:
        raise KeyPairError(f"Notebook {notebook!r} has no exercises to set up: "
                           f"{' or '.join(map(repr, SET_UPS))}.")
    print(f"Ready for the exercises: {SET_UPS[notebook](ec2)}.")
    mark_set_up(notebook)
