"""Re-run the tutorial notebooks in place and store their outputs, with clean, stable metadata.

    python -m scripts.execute_notebooks [NOTEBOOK ...]    # default: every notebooks/NN_*.ipynb
    python -m scripts.execute_notebooks --check           # only check the generated cells

Besides executing, it refreshes what is generated: the table of contents in 00_setup (the
markdown cell tagged `toc`), the navigation line that ends every notebook, and recipes/NN_*.py,
each notebook's recipe cell as a file to copy. A notebook whose new outputs differ from the
stored ones only in values tests/nbval-sanitize.cfg masks (ids, fingerprints, times) is left as
it was, so that re-running changes no file without a reason.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers.rules import shows_private_key
from scripts.notebook_rules import (
    KERNELSPEC,
    NOTEBOOKS,
    VOLATILE_CELL_METADATA,
    masked,
    navigation_line,
    notebook_paths,
    recipe_files,
    table_of_contents,
)

SECONDS_BUDGET = 5.0


def refresh_generated(notebook: nbformat.NotebookNode, path: Path, paths: list[Path]) -> list[str]:
    """Bring the table of contents and navigation line up to date; say what was stale."""
    stale = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and "toc" in cell.metadata.get("tags", []):
            toc = table_of_contents(paths)
            if cell.source != toc:
                stale.append("table of contents")
                cell.source = toc
    last = notebook.cells[-1] if notebook.cells else None
    navigation = navigation_line(path, paths)
    if last is None or last.cell_type != "markdown" or not last.source.startswith("["):
        sys.exit(f"{path.name}: the last cell must be the markdown navigation line:\n{navigation}")
    if last.source != navigation:
        stale.append("navigation line")
        last.source = navigation
    return stale


def refresh_recipes(path: Path, check: bool) -> bool:
    """Write the notebook's recipe files that differ (check: only say so); True if any did."""
    stale = False
    for file, text in recipe_files(path).items():
        if file.exists() and file.read_text(encoding="utf-8") == text:
            continue
        stale = True
        if check:
            print(f"{file.name}: out of date with {path.name}'s recipe cell: run make execute")
        else:
            file.parent.mkdir(exist_ok=True)
            file.write_text(text, encoding="utf-8")
            print(f"{file.name}: exported from {path.name}")
    return stale


def clean(notebook: nbformat.NotebookNode) -> None:
    """One kernelspec, no machine-specific versions, run timestamps, widget state or paths."""
    language = {k: v for k, v in notebook.metadata.get("language_info", {}).items()
                if k != "version"} or {"name": "python"}
    notebook.metadata = nbformat.NotebookNode(kernelspec=KERNELSPEC, language_info=language)
    count = 0
    for cell in notebook.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = merged_streams(cell.outputs)
        for output in cell.outputs:
            if output.output_type == "execute_result":
                output.execution_count = count
            if output.output_type == "error" and not output.traceback[0].startswith(
                    f"{output.ename}: "):
                # Keep the line a reader needs ("ZeroDivisionError: ..."); the frames above it
                # name this machine's paths, and nbval does not compare tracebacks. A taught
                # error's short block (helpers.errors.taught_error) names no path: kept whole,
                # as a learner sees it live.
                output.traceback = output.traceback[-1:]


def merged_streams(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """Outputs with each run of one stream's pieces joined: how the kernel's buffer cut the
    text varies from run to run, the text does not."""
    merged: list[nbformat.NotebookNode] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.output_type == "stream" and previous is not None
                and previous.output_type == "stream" and previous.name == output.name):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def check_outputs(notebook: nbformat.NotebookNode, path: Path) -> None:
    """Refuse to store private key material, or a raises-exception cell that raised nothing."""
    for index, cell in enumerate(notebook.cells):
        text = nbformat.writes(nbformat.v4.new_notebook(cells=[cell]))
        if shows_private_key(text):
            sys.exit(f"{path.name}, cell {index}: it holds private key material; print "
                     "redacted(response) instead, and save keys with save_private_key().")
        tags = cell.metadata.get("tags", [])
        if "raises-exception" in tags and not any(o.output_type == "error" for o in cell.outputs):
            sys.exit(f"{path.name}, cell {index}: it is tagged raises-exception but raised "
                     "nothing; remove the tag or make the cell show the error.")


def masked_run(text: str) -> str:
    """The notebook as nbval compares it: volatile values masked in each decoded string (as
    nbval sees outputs, with a tab a tab, not JSON's \\t), widget ids too."""
    def mask(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            return {k: mask(value, k) for k, value in node.items()}
        if isinstance(node, list):
            return [mask(value) for value in node]
        if isinstance(node, str):  # a new id for every widget in every kernel; nbval skips views
            return "MODEL-ID" if key == "model_id" else masked(node)
        return node

    return json.dumps(mask(json.loads(text)))


def execute(path: Path) -> tuple[float, bool]:
    """Run one notebook top to bottom in a fresh kernel, and store it if anything real changed.

    Return the seconds its cells took, and whether the file was written.
    """
    notebook = nbformat.read(path, as_version=4)
    started: list[float] = []

    def note_the_first_start(**_: Any) -> None:
        if not started:
            started.append(time.perf_counter())

    client = NotebookClient(
        notebook, kernel_name="python3", timeout=120,
        resources={"metadata": {"path": str(NOTEBOOKS)}}, on_cell_start=note_the_first_start,
    )
    try:
        client.execute()
    except CellExecutionError as error:
        # nbclient lets cells tagged raises-exception fail; any other error stops here.
        cell = str(error).split("-" * 18)[1].strip()  # the failing cell, as nbclient frames it
        sys.exit(f"{path.name}: a cell not tagged raises-exception failed; nothing was written."
                 f"\n{cell}\n{error.ename}: {error.evalue}")
    seconds = time.perf_counter() - started[0] if started else 0.0
    clean(notebook)
    check_outputs(notebook, path)
    text = nbformat.writes(notebook).rstrip("\n") + "\n"
    if masked_run(text) == masked_run(path.read_text(encoding="utf-8")):
        return seconds, False
    path.write_text(text, encoding="utf-8")
    return seconds, True


def main() -> None:
    try:
        run()
    except ValueError as error:  # a notebook that breaks a rule: say which, and how
        sys.exit(str(error))


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook")
    parser.add_argument("--check", action="store_true",
                        help="only check that the table of contents, navigation lines and "
                             "recipe files are up to date; exit 1 if not")
    args = parser.parse_args()
    paths = notebook_paths()
    chosen = [p.resolve() for p in args.notebooks] or paths
    for path in chosen:
        if path not in paths:
            sys.exit(f"{path} is not a tutorial notebook (notebooks/NN_name.ipynb).")
    stale_anywhere = False
    for path in chosen:
        notebook = nbformat.read(path, as_version=4)
        stale = refresh_generated(notebook, path, paths)
        stale_anywhere |= refresh_recipes(path, args.check) and args.check
        if args.check:
            if stale:
                stale_anywhere = True
                print(f"{path.name}: {' and '.join(stale)} out of date: run make execute")
            continue
        if stale:
            nbformat.write(notebook, path)
            print(f"{path.name}: refreshed the {' and '.join(stale)}")
        seconds, written = execute(path)
        over = f" (over the {SECONDS_BUDGET:.0f} s budget)" if seconds > SECONDS_BUDGET else ""
        kept = "written" if written else "file kept: nothing but masked values changed"
        print(f"{path.name}: executed in {seconds:.1f} s{over}; {kept}")
    sys.exit(1 if stale_anywhere else 0)


if __name__ == "__main__":
    main()
