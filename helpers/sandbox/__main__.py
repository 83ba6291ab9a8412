"""`python -m helpers.sandbox run SCRIPT.py [ARGS...]`: run a Python file on the sandbox.

A plain `python script.py` is not on the sandbox (only this environment's kernels start it), so
a recipe copied into a file would reach AWS. This runs the file with moto answering instead,
exactly as `python SCRIPT.py ARGS...` would run it otherwise.
"""

from __future__ import annotations

import argparse
import os
import runpy
import sys
from pathlib import Path

from helpers import sandbox
from helpers.backend import ENDPOINT_ENVS, endpoint_url


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
    if endpoint_url():  # moto's in-process mock steps aside for an endpoint: refuse instead
        name = next(name for name in ENDPOINT_ENVS if os.environ.get(name))
        parser.exit(2, f"{name} is set, so the script would reach {endpoint_url()} instead of "
                       f"the sandbox: unset {name} and run again.\n")
    sandbox.start()
    print(f"Running {options.script} on the sandbox (moto in this process): nothing reaches "
          "AWS.", file=sys.stderr)
    sys.argv = [options.script, *options.args]
    runpy.run_path(options.script, run_name="__main__")


if __name__ == "__main__":
    main()
