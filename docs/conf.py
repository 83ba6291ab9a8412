"""The tutorial's website: `make book` builds it into build/site with Sphinx and myst-nb.

The source folder is the repository itself (sphinx-build -c docs . build/site), so the notebooks
stay where they are and their links (../docs/sandbox-fidelity.md, ../recipes/...) work on the
site as they do in JupyterLab and on GitHub. Notebooks are never run: the site shows the outputs
stored in them (make execute refreshes those). Nothing is fetched while building or reading it.
"""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
REPOSITORY = PROJECT["urls"]["Repository"]  # the one place the repository's address is written

project = "EC2 key pairs with boto3"
author = "the ec2-keypairs-tutorial authors"
copyright = "the ec2-keypairs-tutorial authors, Apache-2.0"
root_doc = "docs/index"

# sphinx-copybutton: a copy button on every code block (its script and icons are in _static).
extensions = ["myst_nb", "sphinx_copybutton", "tutorial_site"]

# Sources: these pages and the numbered notebooks, nothing else. Every other top-level folder
# (.venv, build, mutants...) is pruned, so Sphinx does not even walk it.
include_patterns = ["docs/*.md", "notebooks/[0-9]*.ipynb"]
exclude_patterns = [path.name for path in ROOT.iterdir()
                    if path.is_dir() and path.name not in ("docs", "notebooks")]
exclude_patterns += ["**/.ipynb_checkpoints", "notebooks/keys", "docs/_*"]

# Warnings are errors (make book passes -W -n): every reference must resolve. None is suppressed.
nitpicky = True

# myst-nb: stored outputs only (never run a notebook at build time).
nb_execution_mode = "off"
nb_merge_streams = True
# Widgets: the notebooks keep no widget state, so no page needs the widget manager (which myst-nb
# would load from a CDN); a widget with no still picture becomes a sentence (read_notebook).
nb_ipywidgets_js: dict = {}
nb_custom_formats = {".ipynb": ["tutorial_site.read_notebook", {"folder": str(ROOT / "notebooks")}]}
# An error output as the notebook shows it: the taught errors are short sentences, not Python,
# and a full traceback keeps its ANSI colours (ipythontb would colour "not" and "in" in prose).
nb_render_error_lexer = "myst-ansi"
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence"]

# The look: sphinx-book-theme serves its fonts, icons and scripts from _static.
html_theme = "sphinx_book_theme"
html_title = "EC2 key pairs with boto3"
html_static_path = ["_static"]
html_css_files = ["site.css"]
templates_path = ["_templates"]
html_additional_pages = {"index": "redirect.html"}  # the site's front door: docs/index.html
html_show_sphinx = False
html_copy_source = True  # the notebooks' .ipynb download button needs _sources
# Light always (site.css hides the switch): the notebooks' HTML outputs (the key pair tables, the
# forms' still pictures) carry their own light colours. Set, the theme also stops logging
# "invalid theme mode" in the browser's console.
html_context = {"default_mode": "light"}
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": "HEAD",
    "use_repository_button": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}

# tutorial_site: the launch links on every page.
tutorial_repository = REPOSITORY
tutorial_first_notebook = "notebooks/00_setup.ipynb"
tutorial_run_locally = "docs/run-locally"
