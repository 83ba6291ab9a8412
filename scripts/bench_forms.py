"""How long a click on create or delete takes to update the manager's list, on the sandbox.

Each figure is a median, and a ratio against a bare describe_key_pairs call timed in the same run.
Run alone: .venv/bin/python scripts/bench_forms.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from helpers import forms_model as model
from helpers import sandbox
from helpers.forms import KeyPairManager
from helpers.keypairs import import_key_pair

ROUNDS = 7
OTHER_KEYS = 20  # a list with some rows, as in a workshop
BUDGET = 0.5  # seconds, from the issue


def median_seconds(action: Callable[[int], object], rounds: int = ROUNDS) -> float:
    """The median time of action(i) over a number of rounds."""
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_forms() -> None:
    """Print the seconds from a click on create and on delete to an updated list, and ratios."""
    sandbox.start()
    sandbox.reset()
    ec2 = boto3.client("ec2", region_name="us-east-1")
    ec2.describe_key_pairs()  # moto loads its EC2 data on the first call: not part of a click
    public_key = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    for i in range(OTHER_KEYS):
        import_key_pair(ec2, f"other-{i:02d}", public_key, tags=model.TUTORIAL_TAG)

    with tempfile.TemporaryDirectory() as folder:
        manager = KeyPairManager(ec2, folder=folder)
        baseline = median_seconds(lambda _: ec2.describe_key_pairs())

        def create(i: int) -> None:
            manager.create.name.value = f"bench-{i}"
            manager.create.button.click()
            assert f"bench-{i}" in manager.list.table.value, manager.create.result.value

        def delete(i: int) -> None:
            manager.delete.select.value = (f"bench-{i}",)
            manager.delete.button.click()
            manager.delete.confirm.click()
            assert f"bench-{i}" not in manager.list.table.value, manager.delete.result.value

        created = median_seconds(create)
        deleted = median_seconds(delete)

    print(f"Sandbox, {OTHER_KEYS} other key pairs in the list, median of {ROUNDS} clicks:")
    print(f"  baseline: bare describe_key_pairs          {baseline * 1000:7.1f} ms")
    for what, seconds in (("create (RSA 2048), saved, list updated", created),
                          ("delete, confirmed, list updated", deleted)):
        verdict = "within" if seconds <= BUDGET else "OVER"
        print(f"  {what:<42}{seconds * 1000:7.1f} ms = {seconds / baseline:5.1f} x baseline "
              f"({verdict} the {BUDGET} s budget)")


if __name__ == "__main__":
    bench_forms()
