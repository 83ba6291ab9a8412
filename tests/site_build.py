"""The tutorial's website, built as `make book` builds it, once per test session, into a temporary
folder (test_site.py and browser/test_site_in_browser.py share it)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
# What make book passes to Sphinx (test_site.py checks that the Makefile agrees), less -q: a
# failed build shows everything it said.
SPHINX_OPTIONS = ["-b", "html", "-c", "docs", "-E", "-W", "--keep-going", "-n"]
HIDDEN_TAGS = {"solution", "hide-cell", "hide-output", "remove-output", "remove-cell"}


# Sphinx run in a process that records every connection it opens or name it looks up, and every
# process it starts (a kernel, were a notebook run), then writes them as JSON to argv[1].
WATCHED_BUILD = """
import json, sys
seen = {"connections": [], "processes": []}
def audit(event, args):
    if event in ("socket.connect", "socket.getaddrinfo"):
        seen["connections"].append(repr(args[1] if event == "socket.connect" else args[0]))
    elif event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.system"):
        seen["processes"].append(repr(args[:2]))
sys.addaudithook(audit)
from sphinx.cmd.build import main
status = main(sys.argv[2:])
with open(sys.argv[1], "w") as out:
    json.dump(seen, out)
sys.exit(status)
"""


@dataclass
class BuiltSite:
    path: Path
    returncode: int
    output: str
    seconds: float
    connections: list[str]  # what the build opened or looked up (nothing, it is offline)
    processes: list[str]  # what it started (nothing: no notebook is run)

    def page(self, name: str) -> Path:
        return self.path / name


_built: list[BuiltSite] = []


def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build the site the first time a test asks for it; later tests get the same build."""
    if not _built:
        folder = tmp_path_factory.mktemp("book")
        seen = folder / "seen.json"
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", WATCHED_BUILD, str(seen), *SPHINX_OPTIONS,
             "-d", str(folder / "doctrees"), str(ROOT), str(folder / "site")],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
        watched = json.loads(seen.read_text()) if seen.exists() else {
            "connections": ["(the build stopped before saying)"], "processes": []}
        _built.append(BuiltSite(folder / "site", done.returncode, done.stdout + done.stderr,
                                time.monotonic() - started, **watched))
    return _built[0]


def output_tables(notebook: Path, shown_only: bool = False) -> int:
    """How many tables the notebook's stored outputs hold (DataFrames, key pair tables); with
    shown_only, leaving out the outputs of cells the site folds away (solutions, hidden cells)."""
    count = 0
    for cell in json.loads(notebook.read_text())["cells"]:
        if shown_only and HIDDEN_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        for output in cell.get("outputs", []):
            count += "".join(output.get("data", {}).get("text/html", "")).count("<table")
    return count


def page_of(notebook: Path) -> str:
    return f"notebooks/{notebook.stem}.html"
