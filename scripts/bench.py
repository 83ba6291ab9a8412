"""Speed figures for the set-up and the sandbox, each with a baseline measured in the same run.

Run with `make bench`; `--quick` skips the fresh clone and full test run (minutes).
"""

from __future__ import annotations

import argparse
import itertools
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager

from scripts.bench_app import bench_app
from scripts.bench_audit import bench_audit
from scripts.bench_forms import bench_forms
from scripts.bench_speed import SpeedProbe
from scripts.bench_ssh import bench_ssh
from scripts.bench_suite import report_groups, test_seconds
from scripts.kernels import fresh_kernel

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, **env: str) -> float:
    """Seconds a command takes (with env added to this environment); it must succeed."""
    return measured(command, cwd, **env)[0]


def measured(command: list[str], cwd: Path, **env: str) -> tuple[float, float]:
    """Seconds a command takes, and its core-seconds: user + sys of it and of every process it
    waited for, as /usr/bin/time counts them (what the suite's budget is in)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        returncode = subprocess.run(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                    env={**os.environ, **env}).returncode
        seconds = time.perf_counter() - start
        if returncode:  # a figure of a failed run means nothing: say what failed instead
            output.seek(0)
            tail = output.read().decode(errors="replace").splitlines()[-40:]
            raise SystemExit("\n".join([*tail, f"{' '.join(command)} failed (exit {returncode}) "
                                         f"in {cwd}: its last lines are above."]))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def in_fresh_kernel(code: str) -> tuple[float, float]:
    """Seconds a kernel of this environment takes to start, then to run `code` at once."""
    start = time.perf_counter()
    with fresh_kernel() as client:
        ready = time.perf_counter()
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda _: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return ready - start, time.perf_counter() - ready


SEED = "import boto3\nboto3.client('ec2').describe_key_pairs()"  # the walkthrough's first call
CLIENT_ONLY = "import boto3\nboto3.client('ec2', region_name='us-east-1')"
BARE = "--InteractiveShellApp.extensions=[]"  # this environment's kernel without its sandbox


def kernel_seconds(code: str, *options: str) -> tuple[float, float]:
    """Seconds from a kernel's start to its first reply (ready), and to the end of code."""
    start = time.perf_counter()
    with fresh_kernel(*options) as client:
        ready = time.perf_counter() - start
        reply = client.execute_interactive(code, timeout=60, output_hook=lambda _: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return ready, time.perf_counter() - start


def report_kernel_start(runs: int = 5) -> None:
    """A sandbox kernel against a bare one of the same environment, side by side (medians)."""
    pairs = [(kernel_seconds(CLIENT_ONLY, BARE), kernel_seconds(SEED)) for _ in range(runs)]
    bare, sandbox = ([statistics.median(times) for times in zip(*kernels, strict=True)]
                     for kernels in zip(*pairs, strict=True))
    report("sandbox kernel ready", sandbox[0], "a bare kernel ready", bare[0])
    report("  the seed's describe answered, from start", sandbox[1],
           "a bare kernel making a client", bare[1])


def restart_seconds() -> float:
    """Seconds a sandbox kernel takes to restart, as JupyterLab's Restart does (shut down, then
    start again), after its first call."""
    with fresh_kernel() as client:
        client.execute_interactive("from helpers import ec2_client\n"
                                   "ec2_client().describe_key_pairs()",
                                   timeout=60, output_hook=lambda _: None)
        manager = client.parent  # the client's parent: its kernel manager
        assert isinstance(manager, KernelManager), manager
        start = time.perf_counter()
        manager.restart_kernel(now=False)
        client.wait_for_ready(timeout=60)
        return time.perf_counter() - start


def peak_mib(code: str, *kernel_options: str) -> float:
    """The peak memory (VmHWM) of a fresh kernel of this environment after it ran `code`, MiB."""
    printed: list[str] = []

    def keep(message: dict[str, Any]) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    with fresh_kernel(*kernel_options) as client:
        client.execute_interactive(
            code + "\nprint(next(l.split()[1] for l in open('/proc/self/status')"
                   " if l.startswith('VmHWM')))", timeout=60, output_hook=keep)
    return int(printed[-1].split()[-1]) / 1024


def report_memory() -> None:
    """A sandbox kernel after its first call, against a kernel that only makes a boto3 client
    (this environment's kernel without its sandbox extension)."""
    client = "import boto3\nboto3.client('ec2', region_name='us-east-1')"
    bare = peak_mib(client, "--InteractiveShellApp.extensions=[]")
    sandbox = peak_mib("from helpers import ec2_client\nec2_client().describe_key_pairs()")
    print(f"{'sandbox kernel, peak memory after a first call':<48} {sandbox:6.0f} MiB = "
          f"{sandbox / bare:5.1f} x a kernel with only a boto3 client ({bare:.0f} MiB)")


def report(what: str, seconds: float, baseline_name: str, baseline: float) -> None:
    print(f"{what:<48} {seconds:6.2f} s = {seconds / baseline:5.2f} x {baseline_name} "
          f"({baseline:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the fresh clone (minutes)")
    quick = parser.parse_args().quick
    probe = SpeedProbe().start()

    with tempfile.TemporaryDirectory() as tmp:
        bare_venv = timed([sys.executable, "-m", "venv", "--without-pip", f"{tmp}/bare"], ROOT)
    report("second set-up (make setup, up to date)", timed(["make", "setup"], ROOT),
           "a bare venv", bare_venv)

    print(f"load average {os.getloadavg()[0]:.2f}")
    report_kernel_start()
    import_boto3 = timed([sys.executable, "-c", "import boto3"], ROOT)
    kernel_start, first_call = in_fresh_kernel(
        "from helpers import ec2_client\nec2_client().describe_key_pairs()")
    report("fresh kernel start, sandbox on", kernel_start, "python -c 'import boto3'",
           import_boto3)
    report("first sandbox call in a fresh kernel", first_call, "python -c 'import boto3'",
           import_boto3)
    _, warmed = in_fresh_kernel("import time; time.sleep(3)\n"
                                "from helpers import ec2_client\nec2_client().describe_key_pairs()")
    report("  same, after 3 s of reading", warmed - 3, "python -c 'import boto3'", import_boto3)
    report("kernel restart after a sandbox call", restart_seconds(), "python -c 'import boto3'",
           import_boto3)
    report_memory()

    bench_forms()
    bench_audit(report)
    bench_ssh()
    bench_app()

    if not quick:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["git", "clone", "-q", str(ROOT), f"{tmp}/clone"], check=True)
            clone = Path(tmp, "clone")
            install_mark = probe.mark()
            install = timed(["make", "setup"], clone)
            loads, marks = [os.getloadavg()[0]], [probe.mark()]
            slow_install = probe.slowdown(install_mark, marks[0])
            check, check_cores = measured(["make", "check"], clone)  # its mypy starts cold
            loads.append(os.getloadavg()[0])
            marks.append(probe.mark())
            again, again_cores = measured(["make", "check"], clone)
            loads.append(os.getloadavg()[0])
            marks.append(probe.mark())
            tests, test_cores = measured(["make", "test"], clone,  # and the groups' times
                                         PYTEST_ADDOPTS=f"--junitxml={tmp}/junit.xml")
            marks.append(probe.mark())
            load = os.getloadavg()[0]
            groups = test_seconds(Path(tmp, "junit.xml"))
            subprocess.run([sys.executable, "-m", "venv", "--without-pip", f"{tmp}/bare"],
                           check=True)
            pinned = timed([str(ROOT / ".venv/bin/uv"), "pip", "sync", "-q", "--python",
                            f"{tmp}/bare/bin/python", str(ROOT / "requirements.txt")], ROOT)
        baseline = "a bare install of the pinned set"
        report("fresh clone: make setup (venv, uv, pinned set)", install, baseline, pinned)
        report("  then make check (the quick tier)", check, baseline, pinned)
        report("  then make check again (mypy's cache warm)", again, baseline, pinned)
        report("  then make test (every test, browser included)", tests, baseline, pinned)
        report("fresh clone -> make test green, install included", install + tests, baseline,
               pinned)
        print(f"load average {load:.2f} after make test")
        # Each figure also at the fastest speed the probe saw in this run: the figure over how
        # many times slower the cores ran meanwhile (scripts/bench_speed.py says why).
        slow = [probe.slowdown(start, end) for start, end in itertools.pairwise(marks)]
        print(f"the cores' speed: a fixed loop took {probe.fastest_ms():.0f} ms at its fastest "
              f"in this run; it ran {slow[0]:.2f}, {slow[1]:.2f} and {slow[2]:.2f} x slower "
              "during the two make checks and make test")
        print(f"make check: {check:.1f} s, then {again:.1f} s (goal: 30 s), {check_cores:.0f} and "
              f"{again_cores:.0f} core-seconds; at the fastest speed {check / slow[0]:.1f} s and "
              f"{again / slow[1]:.1f} s; load average {loads[0]:.2f} and {loads[1]:.2f} before "
              "each")
        print(f"make test: {test_cores:.0f} core-seconds (user + sys; budget: 460) in "
              f"{tests:.0f} s; at the fastest speed {test_cores / slow[2]:.0f} core-seconds in "
              f"{tests / slow[2]:.0f} s; load average {loads[2]:.2f} before it")
        print(f"fresh clone -> make test green: {install + tests:.0f} s (goal: 360 s); at the "
              f"fastest speed {install / slow_install + tests / slow[2]:.0f} s (make setup ran "
              f"{slow_install:.2f} x slower)")
        report_groups(groups, tests)

if __name__ == "__main__":
    main()
