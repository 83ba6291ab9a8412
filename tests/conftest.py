"""Shared fixtures: a fresh sandbox per test."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import Phase, settings

from helpers import sandbox
from helpers.backend import ENDPOINT_ENVS, LIVE_ENV
from helpers.sandbox import lazy_data

# Before any test module imports moto's EC2, as the sandbox does in a kernel: otherwise moto's
# offerings load at import and their deferral (helpers/sandbox/lazy_data.py) is never tested.
lazy_data.defer()

# Property tests talk to the sandbox: 60 cases each in make test, no deadline; 20 in make check,
# the edit-test loop (--hypothesis-profile=quick: a third of its time went to them), where
# Hypothesis's database replays first any case that failed before. make mutate runs them once per
# mutant (--hypothesis-profile=mutmut): fewer cases and no shrinking, so a mutant that breaks a
# rule fails fast instead of timing out while Hypothesis shrinks its counterexample.
settings.register_profile("tutorial", max_examples=60, deadline=None)
settings.register_profile("quick", settings.get_profile("tutorial"), max_examples=20)
settings.register_profile("mutmut", settings.get_profile("tutorial"), max_examples=20,
                          phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.load_profile("tutorial")

ROOT = Path(__file__).resolve().parents[1]


def copy_the_tutorial(into: Path) -> Path:
    """What the workshop Hub hands out (its HUB_TUTORIAL), copied into `into` for a test to change
    as a presenter fixing a notebook mid-event would."""
    for name in ("notebooks", "recipes"):
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns(
            "keys", "__pycache__", ".ipynb_checkpoints"))
    (into / "docs").mkdir()
    shutil.copy2(ROOT / "docs" / "sandbox-fidelity.md", into / "docs")
    return into


@pytest.fixture
def ec2(monkeypatch, capsys):
    """An EC2 client on a fresh, empty sandbox (the default backend)."""
    for name in (*ENDPOINT_ENVS, LIVE_ENV):
        monkeypatch.delenv(name, raising=False)
    from helpers import ec2_client

    sandbox.start()
    sandbox.reset()  # no key pair, instance or tag of another test's (4 ms; its Region: 4 ms more)
    client = ec2_client()
    capsys.readouterr()  # the backend line has its own test
    return client


@pytest.fixture
def two_keys(ec2):
    """The sandbox with two ED25519 key pairs: alpha, tagged Project=demo, and beta."""
    from helpers.keypairs import create_key_pair

    create_key_pair(ec2, "alpha", key_type="ed25519", tags={"Project": "demo"})
    create_key_pair(ec2, "beta", key_type="ed25519")
    return ec2


@pytest.fixture
def need():
    """need(tool) gives the tool's path; skips if it is missing, except in CI, where it fails."""

    def need(tool: str) -> str:
        path = shutil.which(tool)
        if path is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"{tool} is missing in CI")
            pytest.skip(f"{tool} is not installed: apt-get install it, or run .ci/run")
        return path

    return need


class _RsaKeys:
    """moto's RSA key pairs, made once per process and handed out again in each test: a 2048-bit
    key costs 40 ms to make, and the quick tier made 98. Each test still gets keys that differ
    from one another, in the order it asks; the sandbox that held the last test's is gone."""

    def __init__(self, make) -> None:
        self.make, self.made, self.given, self.lock = make, [], 0, threading.Lock()

    def __call__(self) -> dict:
        with self.lock:
            if self.given == len(self.made):
                self.made.append(self.make())
            self.given += 1
            return dict(self.made[self.given - 1])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    keys = sys.modules.get("moto.ec2.models.key_pairs")
    pool = getattr(keys, "random_rsa_key_pair", None)
    if isinstance(pool, _RsaKeys):
        pool.given = 0
    yield
    keys = sys.modules.get("moto.ec2.models.key_pairs")  # the sandbox loads moto on first start
    if keys is not None and not isinstance(keys.random_rsa_key_pair, _RsaKeys):
        keys.random_rsa_key_pair = _RsaKeys(keys.random_rsa_key_pair)
