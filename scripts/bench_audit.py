"""The audit's speed on the sandbox, each figure against a baseline measured in the same run:
17 Regions with 100 ms added to every call, asked at once against one after another; and 5,000
key pairs (the quota) as a table against the raw describe call."""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

import boto3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from helpers import audit, ec2_client, key_pairs_table, sandbox
from helpers.backend import default_session

LATENCY = 0.1
RUNS = 3


def _slow_network(**_: Any) -> None:
    time.sleep(LATENCY)  # before-call: moto answers at before-send, so the wait comes first


def median_time(action: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sequential(regions: list[str]) -> None:
    """What a first script does: one Region after another, a client for each."""
    for region in regions:
        boto3.client("ec2", region_name=region).describe_key_pairs(IncludePublicKey=True)


def bench_audit(report: Callable[[str, float, str, float], None]) -> None:
    with contextlib.redirect_stdout(io.StringIO()):
        ec2 = ec2_client()
    regions = audit.enabled_regions(ec2)
    sequential(regions)  # each Region's sandbox data loads once, outside the timings
    events = default_session().events
    events.register("before-call.ec2", _slow_network)
    try:
        one_by_one = median_time(lambda: sequential(regions))
        first = time.perf_counter()  # the first audit in a kernel makes its 17 clients
        audit.inventory(ec2, regions, progress=False)
        first = time.perf_counter() - first
        again = median_time(lambda: audit.inventory(ec2, regions, progress=False))
    finally:
        events.unregister("before-call.ec2", _slow_network)
    report(f"audit: inventory of {len(regions)} Regions, 100 ms a call", again,
           "a loop, one Region after another", one_by_one)
    report("audit: the same, first in a kernel (makes clients)", first,
           "a loop, one Region after another", one_by_one)

    sandbox.forget_key_pairs()
    for number in range(5000):
        public = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        ec2.import_key_pair(KeyName=f"key-{number:04}", PublicKeyMaterial=public)
    raw = median_time(lambda: ec2.describe_key_pairs())
    table = median_time(lambda: key_pairs_table(ec2.describe_key_pairs()))
    report("audit: 5,000 key pairs as a table (describe + table)", table,
           "the describe call alone", raw)
    sandbox.forget_key_pairs()
