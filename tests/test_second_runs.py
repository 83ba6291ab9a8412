"""The second run is the normal case: every notebook runs top to bottom again, after a run that
stopped halfway in the same kernel, after all the others, and against a shared server (twice),
and leaves no key pair and no key file behind. Each test works in a copy of the notebooks' folder
of its own, as a learner's clone is: other tests may run at the same time."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel

from helpers import login
from scripts.notebook_rules import NOTEBOOKS, notebook_paths

COUNT_KEY_PAIRS = ("import boto3\n"
                   "print(sum(len(boto3.client('ec2', region_name=r).describe_key_pairs()"
                   "['KeyPairs']) for r in ('us-east-1', 'eu-west-1')))")
# `make sandbox-server`, and moto's own server without this project's fixes (an emulator that
# answers some calls unlike AWS), each on a free port; the first line printed holds its URL.
SERVERS = {
    "sandbox server": ["-m", "helpers.sandbox.server", "--port", "0"],
    "plain moto server": ["-c", "from moto.server import ThreadedMotoServer\n"
                          "s = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)\n"
                          "s.start(); print('http://%s:%d' % s.get_host_and_port())\n"
                          "import threading; threading.Event().wait()"],
}


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    """A copy of the notebooks and beside it of recipes/, which 08 reads (nothing else: no
    keys/), where the kernels below start."""
    copy = tmp_path / "notebooks"
    copy.mkdir()
    for path in notebook_paths():
        shutil.copy(path, copy)
    shutil.copytree(NOTEBOOKS.parent / "recipes", tmp_path / "recipes",
                    ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(copy)
    return copy


def key_files() -> set[Path]:
    return {p for p in Path("keys").rglob("*") if p.is_file()}


@contextmanager
def kernel(env: dict[str, str] | None = None) -> Iterator:
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(Path.cwd()),
                                       env={**os.environ, **(env or {})})
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, code: str) -> tuple[str, list[str]]:
    """Run code in the kernel; return what it printed and the errors it raised."""
    printed, raised = [], []

    def on_output(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            raised.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

    client.execute_interactive(code, timeout=120, output_hook=on_output)
    return "".join(printed), raised


def run_cells(client, path: Path, stop_at: float = 1.0,
              printed: list[str] | None = None) -> list[str]:
    """Run a notebook's code cells (the first stop_at of them) in the kernel, as Run All does:
    until the first unexpected error, which it returns (what each cell printed goes to
    printed)."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    for index, cell in enumerate(cells[:round(len(cells) * stop_at)]):
        out, raised = run(client, cell.source)
        if printed is not None:
            printed.append(out)
        if raised and "raises-exception" not in cell.metadata.get("tags", []):
            return [f"{path.name} code cell {index}: {raised[0]}"]
    return []


def pasted_in_a_terminal(printed: list[str], command: str) -> str:
    """What the ssh command 07 printed says when a learner pastes it into a terminal (in
    another folder) with command after it."""
    (line,) = [line for out in printed for line in out.splitlines() if line.startswith("ssh -i")]
    done = subprocess.run(f"{line} {command}", shell=True, cwd=Path.home(), text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    return done.stdout + done.stderr


def run_every_notebook(client, stop_at: float = 1.0) -> list[str]:
    return [error for path in sorted(Path.cwd().glob("*.ipynb"))
            for error in run_cells(client, path, stop_at)]


# Files a user may keep in keys/ (it holds real private keys) under names the notebooks use: 02's
# and 03's key names, 05's demo's cli-key.pem. A clean-up deletes only what its notebook wrote.
YOURS = ("KEY_PAIR_NAME.pem", "my-tagged-key.pem", "my-created-key.pem", "old-laptop.pem",
         "exercise-saved.pem", "cli-key.pem")


def test_after_a_run_that_stopped_halfway_every_notebook_runs_again_in_the_same_kernel(folder):
    """In one kernel every notebook stops halfway, leaving its files, then runs whole again,
    each also after all the others; key files of yours in keys/ outlive it all. (A restarted
    kernel meeting the files an earlier sandbox left: the learner's Restart and Run All in
    tests/browser/test_learner.py, for every notebook with exercises.)"""
    yours = [folder / "keys" / name for name in YOURS]
    (folder / "keys").mkdir(mode=0o700)
    for path in yours:
        path.write_text("a key of yours")
    before = key_files()
    paths = sorted(folder.glob("*.ipynb"))
    with kernel() as client:
        for path in paths:
            printed: list[str] = []
            assert run_cells(client, path, stop_at=0.5, printed=printed) == []
            if path.name == "07_use_a_key_pair.ipynb":  # its instance runs: log in from a shell
                assert pasted_in_a_terminal(printed, "whoami") == "ec2-user\n"
        for path in paths:
            assert run_cells(client, path) == [], "Run All again in the same kernel"
        assert run(client, COUNT_KEY_PAIRS)[0].strip() == "0", "key pairs left in the sandbox"
    assert key_files() == before, "key files left behind"
    assert [p.name for p in yours if p.read_text() != "a key of yours"] == []


@pytest.fixture(params=SERVERS, scope="module")
def shared_server(request) -> Iterator[str]:
    """The URL of a server that every kernel shares, as on a workshop machine."""
    process = subprocess.Popen([sys.executable, "-u", *SERVERS[request.param]],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield re.search(r"http://[\d.]+:\d+", process.stdout.readline())[0]
    finally:
        process.kill()


def test_every_notebook_runs_on_a_shared_server_and_leaves_it_as_it_found_it(shared_server,
                                                                             folder, request):
    """Twice on this project's server; once on plain moto, where 07 stops at its first login
    cell, in one sentence (its instances answer nothing), 08 at its first stack (moto's error
    page), and the learner then runs the clean-up; the key pairs' count after the run shows what a
    second run would meet."""
    before = key_files()
    endpoint = {"AWS_ENDPOINT_URL": shared_server, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
    on_ours = request.node.callspec.params["shared_server"] == "sandbox server"
    rounds = ("first", "second") if on_ours else ("first",)
    for round_ in rounds:
        with kernel(endpoint) as client:
            stopped = [] if on_ours else [
                f"07_use_a_key_pair.ipynb code cell 4: KeyPairError: {login.NO_SSH}",
                "08_key_pairs_as_code.ipynb code cell 3: ResponseParserError: Unable to parse "
                "response (syntax error: line 1, column 0), invalid XML received. Further "
                "retries may succeed:"]  # moto's error page: it has no AWS::EC2::KeyPair
            assert [error.splitlines()[0] for error in run_every_notebook(client)] == stopped, (
                f"{round_} run")
            if stopped:
                run(client, "lesson.clean_up()")
            assert run(client, COUNT_KEY_PAIRS)[0].strip() == "0", f"left after the {round_} run"
    assert key_files() == before, "key files left behind"
