"""`python -m helpers.sandbox run SCRIPT.py [ARGS...]`: run a Python file on the sandbox.

A plain `python script.py` is not on the sandbox (only this environment's kernels start it), so
a recipe copied into a file would reach AWS. This runs the file with moto answering instead,
exactly as `python SCRIPT.py ARGS...` would run it otherwise, except that it writes nothing into
keys/, the folder for real private keys, but in keys/sandbox: a sandbox key opens nothing.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path
from typing import Any

from helpers import sandbox
from helpers.facts import KEY_DIR, SANDBOX_KEY_DIR, endpoint_url, endpoint_variable

WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


class RealKeyFolder(PermissionError):
    """A sandbox run tried to write into keys/, where real private keys live."""


def _keep_out_of_real_keys(event: str, args: tuple[Any, ...]) -> None:
    """An audit hook: refuse to write or make anything in keys/ but keys/sandbox."""
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) and args[2] & WRITES:
        path = args[0]
    elif event in ("os.mkdir", "os.rename", "os.link", "os.symlink"):
        path = args[1] if event != "os.mkdir" else args[0]
    else:
        return
    target = Path(os.fsdecode(path)).absolute()
    real, sandboxed = KEY_DIR.absolute(), SANDBOX_KEY_DIR.absolute()
    if real in target.parents and target != sandboxed and sandboxed not in target.parents:
        raise RealKeyFolder(f"A sandbox run writes no file into {KEY_DIR}/, the folder for real "
                            f"private keys ({Path(os.fsdecode(path))}): give the script a folder "
                            f"in {SANDBOX_KEY_DIR}/ (the recipes take it as an argument).")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m helpers.sandbox",
                                     description="Run a Python file on the sandbox.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run SCRIPT with moto answering every AWS call")
    run.add_argument("script", help="the Python file to run")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    options = parser.parse_args(argv)
    if not Path(options.script).is_file():
        parser.exit(2, f"There is no file {options.script}: give the path of a Python file.\n")
    name = endpoint_variable()
    if name:  # moto's in-process mock steps aside for an endpoint: refuse instead
        parser.exit(2, f"{name} is set, so the script would reach {endpoint_url()} instead of "
                       f"the sandbox: unset {name} and run again.\n")
    sandbox.start()
    print(f"Running {options.script} on the sandbox (moto in this process): nothing reaches "
          "AWS.", file=sys.stderr)
    sys.argv = [options.script, *options.args]
    sys.addaudithook(_keep_out_of_real_keys)
    try:
        runpy.run_path(options.script, run_name="__main__")
    except RealKeyFolder as refused:
        parser.exit(2, f"{refused}\n")


if __name__ == "__main__":
    main()
