"""Instances you log in to, each figure against a baseline measured in the same run: a login
(ssh ... whoami) against the ssh client alone; the first launch with a key pair against the first
launch without one, each in a fresh kernel; a kernel's memory with one reachable instance against
one whose instance has no key pair.

    .venv/bin/python -m scripts.bench_ssh      # also part of make bench
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from scripts.kernels import fresh_kernel

RUNS = 5
SETUP = """
import json, os, time, urllib.request
import boto3
ec2 = boto3.client('ec2')
ec2.create_key_pair(KeyName='bench-nokey', KeyType='ed25519')
me = urllib.request.urlopen('https://checkip.amazonaws.com').read().decode().strip()
group = ec2.create_security_group(GroupName='ssh', Description='SSH from me')['GroupId']
ec2.authorize_security_group_ingress(GroupId=group, IpProtocol='tcp', FromPort=22, ToPort=22,
                                     CidrIp=f'{me}/32')
"""
LAUNCH = """
start = time.perf_counter()
instance = ec2.run_instances(ImageId='ami-760aaa0f', MinCount=1, MaxCount=1,
                             SecurityGroupIds=[group]{key})['Instances'][0]['InstanceId']
seconds = time.perf_counter() - start
"""
KEYED = """
created = ec2.create_key_pair(KeyName='bench', KeyType='ed25519')
path = os.path.join({folder!r}, 'bench.pem')
with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), 'w') as file:
    file.write(created['KeyMaterial'])
"""
RSS = ("import gc; gc.collect()\n"
       "rss = int(next(l.split()[1] for l in open('/proc/self/status')"
       " if l.startswith('VmRSS'))) / 1024\n")


def _kernel_number(code: str) -> float:
    """Run code in a fresh kernel; the number (JSON) its last printed line holds."""
    printed: list[str] = []

    def keep(message: dict[str, Any]) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    with fresh_kernel() as client:
        reply = client.execute_interactive(code, timeout=120, output_hook=keep)
        assert reply["content"]["status"] == "ok", reply["content"]
        return float(json.loads("".join(printed).splitlines()[-1]))


def _median(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=30)
        times.append(time.perf_counter() - start)
        assert done.returncode == 0, done.stderr
    return statistics.median(times)


def login_seconds() -> tuple[float, float]:
    """A login's seconds (ssh ... whoami, median of 5) to an instance a kernel launched, and
    the ssh client's own start (ssh -V)."""
    ssh = shutil.which("ssh")
    assert ssh, "ssh is not installed: apt-get install openssh-client"
    with tempfile.TemporaryDirectory() as folder, fresh_kernel() as client:
        printed: list[str] = []
        code = (SETUP + KEYED.format(folder=folder) + LAUNCH.format(key=", KeyName='bench'") +
                "from helpers import login\nprint(login.ssh_address(ec2, instance)[1])")
        client.execute_interactive(code, timeout=120, output_hook=lambda m: printed.append(
            m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        port = int("".join(printed).split()[-1])
        command = [ssh, "-i", str(Path(folder, "bench.pem")), "-p", str(port), "-F", "/dev/null",
                   "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                   "-o", "BatchMode=yes", "ec2-user@127.0.0.1", "whoami"]
        login = _median(command)
    return login, _median([ssh, "-V"])


def first_launch_seconds(key: bool) -> float:
    """Seconds of a fresh kernel's first run_instances, with or without a key pair."""
    with tempfile.TemporaryDirectory() as folder:
        code = (SETUP + (KEYED.format(folder=folder) if key else "") +
                LAUNCH.format(key=", KeyName='bench'" if key else "") +
                "print(json.dumps(seconds))")
        return _kernel_number(code)


def rss_mib(key: bool) -> float:
    """A fresh kernel's resident memory (MiB) after launching one instance, with a key pair
    (so reachable over SSH) or without."""
    with tempfile.TemporaryDirectory() as folder:
        code = (SETUP + (KEYED.format(folder=folder) if key else "") +
                LAUNCH.format(key=", KeyName='bench'" if key else "") + RSS +
                "print(json.dumps(rss))")
        return _kernel_number(code)


def bench_ssh() -> None:
    login, client = login_seconds()
    print(f"{'login: ssh ... whoami (median of 5)':<48} {login:6.2f} s = {login / client:5.1f} x "
          f"ssh -V ({client:.2f} s); target: within 1 s")
    without = statistics.median(first_launch_seconds(False) for _ in range(3))
    with_key = statistics.median(first_launch_seconds(True) for _ in range(3))
    print(f"{'first launch with a key pair (fresh kernel)':<48} {with_key:6.2f} s = "
          f"{with_key - without:+.2f} s on a first launch without one ({without:.2f} s); "
          "target: within +0.5 s")
    # median of 3 each: one kernel's RSS varies by up to 20 MiB (what its warm-up had loaded)
    bare = statistics.median(rss_mib(False) for _ in range(3))
    reachable = statistics.median(rss_mib(True) for _ in range(3))
    print(f"{'kernel memory with one reachable instance':<48} {reachable:6.0f} MiB = "
          f"{reachable - bare:+.1f} MiB on one whose instance has no key pair ({bare:.0f} MiB); "
          "target: within 15 MiB")


if __name__ == "__main__":
    bench_ssh()
