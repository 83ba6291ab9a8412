"""The second run is the normal case: every notebook runs again in the same kernel, after all the
others, and leaves no key pair and no key file behind."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from jupyter_client.manager import start_new_kernel

from scripts.notebook_rules import NOTEBOOKS, notebook_paths

COUNT_KEY_PAIRS = ("import boto3\n"
                   "print(sum(len(boto3.client('ec2', region_name=r).describe_key_pairs()"
                   "['KeyPairs']) for r in ('us-east-1', 'eu-west-1')))")


def key_files() -> set[Path]:
    return {p.relative_to(NOTEBOOKS) for p in (NOTEBOOKS / "keys").rglob("*") if p.is_file()}


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


def run_cells(client, path: Path) -> list[str]:
    """Run a notebook's code cells in the kernel; return the unexpected errors."""
    errors = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "code":
            _, raised = run(client, cell.source)
            if raised and "raises-exception" not in cell.metadata.get("tags", []):
                errors.append(f"{path.name} cell {index}: {raised[0]}")
    return errors


def test_one_kernel_runs_every_notebook_twice_and_leaves_nothing_behind():
    before = key_files()
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(NOTEBOOKS),
                                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    try:
        for round_ in (1, 2):
            for path in notebook_paths():
                assert run_cells(client, path) == [], f"round {round_}"
        assert run(client, COUNT_KEY_PAIRS)[0].strip() == "0", "key pairs left in the sandbox"
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    assert key_files() == before, "key files left behind"
