"""What every tutorial notebook follows: its title, its navigation line, the table of contents
in 00_setup, and clean metadata. The execute script writes these; the tests check them."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SANITIZE = NOTEBOOKS.parent / "tests" / "nbval-sanitize.cfg"  # what nbval masks before comparing
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# Cell metadata that only records when or how a cell last ran in someone's JupyterLab.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "collapsed", "scrolled", "widgets")
TITLE = re.compile(r"^# (\d\d) · (\S.*)$")


def notebook_paths() -> list[Path]:
    """Every tutorial notebook, in reading order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def title_of(path: Path) -> str:
    """'01 · Describe key pairs', from the notebook's first line, or ValueError saying why."""
    notebook = nbformat.read(path, as_version=4)
    first_line = notebook.cells[0].source.splitlines()[0] if notebook.cells else ""
    match = TITLE.match(first_line)
    if not match or match[1] != path.name[:2]:
        raise ValueError(f"{path.name} must open with '# {path.name[:2]} · Title', "
                         f"not {first_line!r}")
    return f"{match[1]} · {match[2]}"


def navigation_line(path: Path, paths: list[Path]) -> str:
    """The last cell's text: links to the previous and the next notebook that exist."""
    index = paths.index(path)
    links = []
    if index > 0:
        links.append(f"[← {title_of(paths[index - 1])}]({paths[index - 1].name})")
    if index < len(paths) - 1:
        links.append(f"[{title_of(paths[index + 1])} →]({paths[index + 1].name})")
    return " | ".join(links)


def table_of_contents(paths: list[Path]) -> str:
    """The table of contents in 00_setup (the markdown cell tagged toc)."""
    return "\n".join(["## The notebooks", "", *(f"- [{title_of(p)}]({p.name})" for p in paths)])


def sanitize_masks() -> list[tuple[str, str, str]]:
    """(name, regex, replacement) of each mask in tests/nbval-sanitize.cfg, in nbval's order."""
    return re.findall(r"^\[(.+)\]\nregex: (.*)\nreplace: (.*)$", SANITIZE.read_text(), re.M)


def masked(text: str) -> str:
    """The text with every volatile value replaced, as nbval sees it."""
    for _, pattern, replacement in sanitize_masks():
        text = re.sub(pattern, replacement, text)
    return text


RECIPES = NOTEBOOKS.parent / "recipes"


def recipe_files(path: Path) -> dict[Path, str]:
    """The plain .py files a notebook's recipe cells (tagged recipe) are exported to, and their
    text. The notebook is the source, the files are generated: recipes/NN_name.py for the
    notebook's closing recipe, or the name in the cell's metadata "recipe_file"; the run line
    of its header ends with the arguments in "recipe_args" (a recipe that saves a key takes the
    folder, keys/sandbox on the sandbox), or, with "recipe_run": "terminal", points to the
    README's way of running it against what a notebook made."""
    files = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if "recipe" not in cell.metadata.get("tags", []):
            continue
        file = RECIPES / f"{cell.metadata.get('recipe_file', path.stem)}.py"
        if "display(" in cell.source:
            run = ("#     paste it into a notebook cell: it is a form, and this environment's "
                   "kernels\n#     start on the sandbox\n")
        elif cell.metadata.get("recipe_run") == "terminal":  # it works on what a notebook made
            run = ("#     against the instances notebook 07 launched, from a terminal: see the "
                   "README,\n#     \"07's recipes from a terminal\"\n")
        else:
            run = (f"#     .venv/bin/python -m helpers.sandbox run recipes/{file.name}"
                   f"{' ' * bool(cell.metadata.get('recipe_args'))}"
                   f"{cell.metadata.get('recipe_args', '')}\n")
        header = (f"# Generated from notebooks/{path.name} (a recipe cell) by make execute:\n"
                  "# edit the notebook, not this file. On the sandbox, nothing reaching AWS:\n"
                  f"{run}\n")
        files[file] = header + cell.source.rstrip() + "\n"
    return files
