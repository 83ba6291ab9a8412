"""What the tutorial's site needs beyond Sphinx and myst-nb (make book; see docs/conf.py).

- read_notebook: notebooks as stored, with exercises' solutions folded away (a cell tagged
  `solution` shows as a closed toggle: a code cell as "Show solution", its `%load solutions/...`
  replaced by the file it loads; a Markdown cell as its own <details>, or wrapped in one), and
  widgets without a still picture shown as a sentence, not as their text repr
  (VBox(children=...)) nor as a widget manager fetched from a CDN.
- Launch links under every page's title: the notebook on Binder, and how to run it locally.
- Remote images: the README's Binder badge is left out (the launch links say it), any other
  becomes its alt text: the site loads nothing from outside.
- After the build, every internal link and every asset is checked: a broken one, or a script,
  stylesheet, font or image from another host, is a warning (an error under -W).
"""

from __future__ import annotations

import html.parser
import posixpath
import re
import warnings
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
from docutils import nodes
from nbformat.validator import MissingIDFieldWarning
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

SOLUTION_TAG = "solution"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
LOAD = re.compile(r"^%load\s+(\S+)\s*$", re.MULTILINE)
PROGRESS = re.compile(r"^(?P<what>[^\n]*?):?\s*\d+%\|")


# ---------------------------------------------------------------------------------------------
# Reading a notebook


def widget_note(text: str) -> str:
    """The sentence that stands for a live widget with no still picture on a static page."""
    progress = PROGRESS.match(text)
    if progress:
        what = progress["what"].strip() or "the cell"
        return f"A progress bar ({what}) moves here while the cell runs in Jupyter."
    return "An interactive widget: run this notebook in Jupyter to use it."


def fold_solution(cell: nbformat.NotebookNode, folder: Path) -> None:
    """A solution shows as a closed toggle, with what `%load file` would put in the cell."""
    if cell.cell_type == "markdown":
        if "<details" not in cell.source:  # JupyterLab shows it folded already, and so does HTML
            cell.source = (f"<details><summary>Solution (click to show)</summary>\n\n"
                           f"{cell.source.strip()}\n\n</details>")
        return
    tags = cell.metadata.setdefault("tags", [])
    if "hide-cell" not in tags:
        tags.append("hide-cell")
    cell.metadata.setdefault("mystnb", {}).update(
        code_prompt_show="Show solution", code_prompt_hide="Hide solution")

    def inline(match: re.Match) -> str:
        path = folder / match[1]
        try:
            loaded = path.read_text()
        except OSError as error:
            raise ValueError(f"a solution cell loads {match[1]}, which cannot be read from "
                             f"{folder}: {error}") from error
        return f"# %load {match[1]}\n{loaded.rstrip()}"

    cell.source = LOAD.sub(inline, cell.source)


def still_outputs(cell: nbformat.NotebookNode) -> None:
    """Widgets as a static page can show them: their still picture (text/html) when the notebook
    stores one, else a sentence; never the widget view, whose state the notebooks do not keep."""
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if WIDGET_VIEW not in data:
            continue
        del data[WIDGET_VIEW]
        if "text/html" not in data:
            note = widget_note(data.get("text/plain", ""))
            data["text/html"] = f'<p class="widget-note">{note}</p>'
            data["text/plain"] = note


def read_notebook(text: str, folder: str) -> nbformat.NotebookNode:
    """myst-nb's reader for .ipynb files (nb_custom_formats): the notebook as the site shows it."""
    with warnings.catch_warnings():  # cells without ids (added by hand): the site needs none
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        notebook = nbformat.reads(text, as_version=4)
    notebook.metadata.pop("widgets", None)  # widget state would pull the embed script
    for cell in notebook.cells:
        if SOLUTION_TAG in cell.metadata.get("tags", []):
            fold_solution(cell, Path(folder))
        still_outputs(cell)
    return notebook


# ---------------------------------------------------------------------------------------------
# Launch links and remote images


def binder_url(repository: str, labpath: str) -> str:
    owner_repo = urlsplit(repository).path.strip("/")
    return f"https://mybinder.org/v2/gh/{owner_repo}/HEAD?labpath={labpath}"


def add_launch_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Under the page's title: this notebook (or the first one) on Binder, and on your machine."""
    config = app.config
    source = Path(app.env.doc2path(docname, False)).as_posix()  # relative to the repository
    is_notebook = source.endswith(".ipynb")
    labpath = source if is_notebook else config.tutorial_first_notebook
    title = next(iter(doctree.findall(nodes.title)), None)
    if title is None:
        return
    links = nodes.paragraph(classes=["launch-links"])
    links += nodes.Text("Run this notebook: " if is_notebook else "Run the notebooks: ")
    links += nodes.reference("", "on Binder", refuri=binder_url(config.tutorial_repository,
                                                                  labpath),
                             classes=["launch-binder"])
    links += nodes.Text(" · ")
    local = app.builder.get_relative_uri(docname, config.tutorial_run_locally)
    links += nodes.reference("", "on your machine", refuri=local, internal=True,
                             classes=["launch-local"])
    title.parent.insert(title.parent.index(title) + 1, links)


class RemoteImages(SphinxTransform):
    """Nothing is fetched from another host: a line of remote images only (the README's Binder
    badge) is left out, as every page has its launch links; another remote image becomes its alt
    text (a link still, if it was one)."""

    default_priority = 200

    def apply(self, **kwargs) -> None:
        for image in list(self.document.findall(nodes.image)):
            if "://" not in image["uri"] or image.parent is None:
                continue
            paragraph = image.parent
            while paragraph is not None and not isinstance(paragraph, nodes.paragraph):
                paragraph = paragraph.parent
            if paragraph is not None and all(
                    "://" in i["uri"] for i in paragraph.findall(nodes.image)) and \
                    not "".join(t.astext() for t in paragraph.findall(nodes.Text)).strip():
                paragraph.parent.remove(paragraph)
                continue
            text = image.get("alt") or image["uri"]
            image.replace_self(nodes.inline(text, text, classes=["remote-image"]))


# ---------------------------------------------------------------------------------------------
# Checking the built site


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        for name in ("href", "src", "data"):
            if name in values:
                self.links.append((tag, name, values[name]))
        if "srcset" in values:
            for candidate in values["srcset"].split(","):
                self.links.append((tag, "srcset", candidate.split()[0]))


def site_problems(site: Path) -> list[str]:
    """Broken internal links (missing file or #anchor) and assets from other hosts, per page."""
    parsed: dict[Path, _Links] = {}

    def parse(page: Path) -> _Links:
        if page not in parsed:
            parser = _Links()
            parser.feed(page.read_text(errors="replace"))
            parsed[page] = parser
        return parsed[page]

    problems = []
    for page in sorted(site.rglob("*.html")):
        name = page.relative_to(site).as_posix()
        if name.startswith("_static/"):
            continue  # the themes' Jinja macros, copied as they are: not pages
        for tag, attribute, value in parse(page).links:
            url = urlsplit(value)
            if url.scheme in ("http", "https") or value.startswith("//"):
                if not (tag == "a" and attribute == "href"):
                    problems.append(f"{name}: <{tag} {attribute}> loads {value} from another host")
                continue
            if url.scheme or not (url.path or url.fragment):
                continue  # mailto:, javascript:, data: and the like
            path = url.path
            target = page if not path else (
                site / posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(path))))
            if path.endswith("/"):
                target = target / "index.html"
            if not target.resolve().is_relative_to(site.resolve()) or not target.is_file():
                problems.append(f"{name}: <{tag} {attribute}={value!r}> points to a missing file")
            elif url.fragment and target.suffix == ".html" and tag == "a" and \
                    unquote(url.fragment) not in parse(target).ids:
                problems.append(f"{name}: <{tag} {attribute}={value!r}> points to a missing anchor")
    return problems


def check_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        for problem in site_problems(Path(app.outdir)):
            logger.warning(problem, type="tutorial_site", subtype="link")


def setup(app: Sphinx) -> dict:
    app.add_config_value("tutorial_repository", "", "html")
    app.add_config_value("tutorial_first_notebook", "", "html")
    app.add_config_value("tutorial_run_locally", "", "html")
    app.add_transform(RemoteImages)
    app.connect("doctree-resolved", add_launch_links)
    app.connect("build-finished", check_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
