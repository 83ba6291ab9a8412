"""The tutorial's website (make book): it builds with warnings as errors, every notebook has its
page with its tables, solutions folded, launch links, no private key, no broken internal link and
nothing loaded from another host."""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from site_build import (
    NOTEBOOKS,
    ROOT,
    SPHINX_OPTIONS,
    BuiltSite,
    built_site,
    output_tables,
    page_of,
)

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import tutorial_site  # noqa: E402

REPOSITORY = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["urls"]["Repository"]
OWNER_REPO = urlsplit(REPOSITORY).path.strip("/")
DOC_PAGES = ["docs/index.html", "docs/run-locally.html", "docs/sandbox-fidelity.html",
             "docs/bad-input.html", "docs/mutation-testing.html"]
# Attributes that make the browser fetch something as the page loads (an <a href> only on a click).
LOADING = {"script": ["src"], "img": ["src", "srcset"], "iframe": ["src"],
           "source": ["src", "srcset"], "video": ["src", "poster"], "audio": ["src"],
           "embed": ["src"], "object": ["data"], "link": ["href"], "image": ["href"],
           "use": ["href"]}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    return built_site(tmp_path_factory)


def pages(site: BuiltSite) -> list[Path]:
    """Every page Sphinx wrote (the themes' Jinja macros in _static are not pages)."""
    return [p for p in sorted(site.path.rglob("*.html"))
            if not p.relative_to(site.path).parts[0] == "_static"]


@functools.cache
def soup(path: Path) -> BeautifulSoup:
    """The page parsed, once per test session (the tests only read it)."""
    return BeautifulSoup(path.read_text(), "html.parser")


def test_make_book_builds_with_warnings_as_errors_and_the_readme_says_so():
    dry_run = subprocess.run(["make", "-n", "book"], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout
    sphinx = next(line for line in dry_run.splitlines() if "-m sphinx" in line).split()
    assert all(option in sphinx for option in SPHINX_OPTIONS), "the tests build as make book does"
    assert sphinx[-2:] == [".", "build/site"]
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "build/site" in readme


def test_the_site_builds_without_a_single_warning(site):
    assert site.returncode == 0, f"sphinx-build failed:\n{site.output[-6000:]}"
    assert "WARNING" not in site.output, site.output
    print(f"site built in {site.seconds:.1f} s")


def test_the_build_runs_no_notebook_and_opens_no_connection(site):
    assert site.connections == []  # no name looked up, no socket connected: offline
    assert site.processes == []  # no kernel, no subprocess of any kind


def test_every_notebook_and_document_has_a_page_with_its_title(site):
    assert len(NOTEBOOKS) >= 7
    for notebook in NOTEBOOKS:
        page = site.page(page_of(notebook))
        assert page.is_file(), f"no page for {notebook.name}"
        cells = json.loads(notebook.read_text())["cells"]
        heading = next(line for cell in cells if cell["cell_type"] == "markdown"
                       for line in "".join(cell["source"]).splitlines() if line.startswith("# "))
        title = soup(page).find("h1").get_text(" ", strip=True).rstrip("#").strip()
        assert title == re.sub(r"[*_`]", "", heading[2:]).strip()
    for name in DOC_PAGES:
        assert site.page(name).is_file(), name
    # The front door: index.html sends the reader to the home page, which lists every notebook.
    assert 'url=docs/index.html' in site.page("index.html").read_text()
    navigation = soup(site.page("docs/index.html")).select_one("nav.bd-docs-nav")
    linked = {a["href"] for a in navigation.find_all("a")}
    assert {f"../{page_of(n)}" for n in NOTEBOOKS} <= linked
    assert {"sandbox-fidelity.html", "run-locally.html"} <= linked


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda n: n.name)
def test_a_notebook_page_shows_its_stored_tables_as_tables(site, notebook):
    expected = output_tables(notebook)
    shown = soup(site.page(page_of(notebook))).select("div.cell_output table")
    assert len(shown) == expected
    assert all(table.find("th") and table.find("td") for table in shown)


def test_the_tables_come_from_the_notebooks_outputs():
    """The table test is not vacuous: the notebooks that teach with tables store them."""
    assert sum(output_tables(notebook) > 0 for notebook in NOTEBOOKS) >= 5


def solution_code(cell: nbformat.NotebookNode, folder: Path) -> list[str]:
    """The code lines a solution cell gives: a code cell's (with the files it %loads), or the
    fenced code of a Markdown one."""
    if cell.cell_type == "markdown":
        code = "\n".join(re.findall(r"```[a-z]*\n(.*?)```", cell.source, re.DOTALL))
    else:
        code = re.sub(r"^%load\s+(\S+)\s*$", lambda m: (folder / m[1]).read_text(), cell.source,
                      flags=re.MULTILINE)
    return [line.strip() for line in code.splitlines() if line.strip()]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda n: n.name)
def test_solutions_are_folded_away_closed_with_their_code(site, notebook):
    cells = nbformat.read(notebook, as_version=4).cells
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    toggles = [d for d in soup(site.page(page_of(notebook))).select("article details")
               if d.summary and "olution" in d.summary.get_text()]
    assert len(toggles) == len(solutions)
    for solution, toggle in zip(solutions, toggles, strict=True):
        assert not toggle.has_attr("open")  # closed until the reader asks
        shown = toggle.get_text()
        code = solution_code(solution, notebook.parent)
        assert code and all(line in shown for line in code), f"{solution.source[:80]} not shown"


def test_the_exercises_have_solutions():
    """The test above is not vacuous: the notebooks' exercises come with solutions."""
    tagged = [c for n in NOTEBOOKS for c in nbformat.read(n, as_version=4).cells
              if "solution" in c.metadata.get("tags", [])]
    assert len(tagged) >= 5


def test_widgets_show_a_still_picture_or_a_sentence_never_their_repr(site):
    manager = site.page("notebooks/05_key_pair_manager.html").read_text()
    assert "Still picture of the form" in manager
    assert "VBox(children" not in manager and "An interactive widget" in manager
    audit = site.page("notebooks/06_audit_key_pairs.html").read_text()
    assert "0%|" not in audit and "A progress bar (Key pairs)" in audit


def test_the_reader_folds_solutions_and_replaces_widgets(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "answer.py").write_text("answer = 42\n")
    folded = "<details><summary>Solution</summary>\n\n```python\nanswer = 42\n```\n\n</details>"
    tagged = {"tags": ["solution"]}
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%load solutions/answer.py", metadata=tagged),
        nbformat.v4.new_markdown_cell(folded, metadata=tagged),
        nbformat.v4.new_markdown_cell("```python\nanswer = 42\n```", metadata=tagged),
        nbformat.v4.new_code_cell("bar", outputs=[nbformat.v4.new_output(
            "display_data", {"text/plain": "Usage:  40%|####  | 4/10",
                             tutorial_site.WIDGET_VIEW: {"model_id": "x"}})]),
        nbformat.v4.new_code_cell("form", outputs=[nbformat.v4.new_output(
            "execute_result", {"text/plain": "Form", "text/html": "<b>still</b>",
                               tutorial_site.WIDGET_VIEW: {"model_id": "y"}})]),
    ])
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    read = tutorial_site.read_notebook(nbformat.writes(notebook), str(tmp_path))
    solution, already_folded, to_fold, bar, form = read.cells
    assert solution.source == "# %load solutions/answer.py\nanswer = 42"
    assert already_folded.source == folded
    assert to_fold.source == ("<details><summary>Solution (click to show)</summary>\n\n"
                              "```python\nanswer = 42\n```\n\n</details>")
    assert "hide-cell" in solution.metadata.tags
    assert solution.metadata.mystnb["code_prompt_show"] == "Show solution"
    assert bar.outputs[0].data["text/plain"] == (
        "A progress bar (Usage) moves here while the cell runs in Jupyter.")
    assert form.outputs[0].data == {"text/plain": "Form", "text/html": "<b>still</b>"}
    assert "widgets" not in read.metadata
    with pytest.raises(ValueError, match="missing.py"):
        tutorial_site.read_notebook(nbformat.writes(nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_code_cell("%load solutions/missing.py",
                                      metadata={"tags": ["solution"]})])), str(tmp_path))


def test_every_page_has_launch_links_to_binder_and_to_running_it_locally(site):
    for notebook in NOTEBOOKS:
        links = soup(site.page(page_of(notebook))).select_one("p.launch-links")
        binder, local = links.select_one("a.launch-binder"), links.select_one("a.launch-local")
        assert binder["href"] == (f"https://mybinder.org/v2/gh/{OWNER_REPO}/HEAD"
                                  f"?labpath=notebooks/{notebook.name}")
        assert local["href"] == "../docs/run-locally.html"
    for name in DOC_PAGES:
        assert soup(site.page(name)).select_one("p.launch-links a.launch-binder"), name
    run_locally = soup(site.page("docs/run-locally.html")).get_text()
    assert f"git clone {REPOSITORY}" in run_locally and "make lab" in run_locally


def test_the_readme_and_the_site_name_the_repository_of_pyproject():
    readme = (ROOT / "README.md").read_text()
    assert f"https://mybinder.org/v2/gh/{OWNER_REPO}/HEAD?labpath=notebooks/" in readme  # badge
    run_locally = (ROOT / "docs" / "run-locally.md").read_text()
    assert f"git clone {REPOSITORY}\ncd {OWNER_REPO.split('/')[1]}\n" in run_locally
    assert set(re.findall(r"/v2/gh/([\w.-]+/[\w.-]+)/", readme)) == {OWNER_REPO}


def test_no_private_key_material_anywhere_in_the_site(site):
    for path in site.path.rglob("*"):
        if path.is_file():
            assert b"PRIVATE KEY-----" not in path.read_bytes(), path.relative_to(site.path)


def test_every_internal_link_resolves(site):
    """Every href and src of every page that stays on the site names a file of the site, and an
    #anchor one of its ids. Independent of the check make book runs (tutorial_site.py)."""
    broken = []
    for page in pages(site):
        for element in soup(page).find_all(lambda tag: tag.has_attr("href") or tag.has_attr("src")):
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None:
                    continue
                url = urlsplit(value)
                if url.scheme or value.startswith("//") or not (url.path or url.fragment):
                    continue
                target = (page.parent / unquote(url.path)).resolve() if url.path else page
                name = f"{page.relative_to(site.path)}: {value}"
                if not target.is_relative_to(site.path.resolve()) or not target.is_file():
                    broken.append(name)
                elif url.fragment and target.suffix == ".html" and element.name == "a" \
                        and not soup(target).find(id=unquote(url.fragment)):
                    broken.append(f"{name} (no such anchor)")
    assert not broken, "\n".join(broken)
    assert len(pages(site)) >= len(NOTEBOOKS) + len(DOC_PAGES)


def test_the_site_checker_finds_broken_links_and_remote_assets(tmp_path):
    (tmp_path / "a.html").write_text(
        '<a href="b.html#there">ok</a><a href="gone.html">gone</a><a href="b.html#nowhere">x</a>'
        '<a href="https://example.org/">fine</a><script src="https://cdn.example.org/x.js">'
        '</script><link rel="stylesheet" href="//cdn.example.org/x.css">')
    (tmp_path / "b.html").write_text('<h1 id="there">b</h1>')
    problems = tutorial_site.site_problems(tmp_path)
    assert len(problems) == 4, problems
    assert all(p.startswith("a.html") for p in problems)


def test_nothing_is_loaded_from_another_host(site):
    """Scripts, stylesheets, fonts, images: all served by the site (a link to click may leave)."""
    remote = []
    for page in pages(site):
        for element in soup(page).find_all(list(LOADING)):
            for attribute in LOADING[element.name]:
                for value in (element.get(attribute) or "").split(","):
                    value = value.strip().split(" ")[0]
                    if re.match(r"(https?:)?//", value):
                        remote.append(f"{page.relative_to(site.path)}: <{element.name}> {value}")
    for css in site.path.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^'\")]+)", css.read_text()):
            remote.append(f"{css.relative_to(site.path)}: url({url})")
    assert not remote, "\n".join(remote)
