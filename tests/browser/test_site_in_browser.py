"""The tutorial's website (make book) in headless Chromium at 1024x768, served over http from
127.0.0.1: every notebook page shows its tables, the search finds pages, solutions open on a
click, and no page asks anything of another machine (browser_tab refuses and records it)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from site_build import NOTEBOOKS, BuiltSite, built_site, output_tables, page_of

from conftest import SCREENSHOTS, ConsoleErrors, browser_tab

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1024, 768


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> BuiltSite:
    built = built_site(tmp_path_factory)
    if built.returncode != 0:
        pytest.fail(f"the site did not build:\n{built.output[-4000:]}", pytrace=False)
    return built


@pytest.fixture(scope="module")
def site_url(site: BuiltSite) -> Iterator[str]:
    """The built site served as a static host serves it, on a free loopback port."""
    handler = functools.partial(_QuietHandler, directory=str(site.path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def site_tab(browser: Browser, console_errors: ConsoleErrors) -> Iterator[Page]:
    """A tab on a 1024x768 screen (a projector's) that reaches 127.0.0.1 only."""
    with browser_tab(browser, console_errors, WIDTH, HEIGHT) as tab:
        yield tab


def save_view(page: Page, name: str) -> Path:
    """What the reader sees on the screen, as screenshots/site-<name>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"site-{name}.png"
    page.screenshot(path=path)
    return path


def assert_nothing_went_wrong(page: Page, errors: ConsoleErrors) -> None:
    assert not errors.unexpected(), errors.seen  # JS errors, missing files, requests off-machine
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page is {overflow} px wider than the screen"


def test_the_home_page_shows_the_readme_and_lists_every_notebook(site_tab, site_url,
                                                                  console_errors):
    site_tab.goto(f"{site_url}/index.html")  # the front door sends the reader on to docs/
    expect(site_tab).to_have_url(f"{site_url}/docs/index.html")
    expect(site_tab.locator("article h1")).to_contain_text("EC2 key pairs with boto3")
    navigation = site_tab.locator("nav.bd-docs-nav")
    for notebook in NOTEBOOKS:
        expect(navigation.locator(f'a[href="../{page_of(notebook)}"]')).to_be_visible()
    expect(site_tab.locator("p.launch-links a.launch-binder")).to_be_visible()
    site_tab.wait_for_load_state("networkidle")
    save_view(site_tab, "home")
    assert_nothing_went_wrong(site_tab, console_errors)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda n: n.name)
def test_a_notebook_page_renders_its_tables(site_tab, site_url, console_errors, notebook):
    site_tab.goto(f"{site_url}/{page_of(notebook)}")
    expect(site_tab.locator("article h1")).to_be_visible()
    launch = site_tab.locator("p.launch-links")
    expect(launch.locator("a.launch-binder")).to_have_attribute(
        "href", f"https://mybinder.org/v2/gh/ec2-keypairs-tutorial/ec2-keypairs-tutorial/HEAD"
                f"?labpath=notebooks/{notebook.name}")
    expect(launch.locator("a.launch-local")).to_be_visible()
    # The tables of every output on show (a solution's stay folded until asked for).
    tables = site_tab.locator("div.cell_output table:not(details table)")
    expect(tables).to_have_count(output_tables(notebook, shown_only=True))
    for index in range(tables.count()):
        expect(tables.nth(index)).to_be_visible()
        expect(tables.nth(index).locator("tbody tr").first).to_be_visible()
    site_tab.wait_for_load_state("networkidle")
    if notebook.name.startswith("01_"):
        save_view(site_tab, "01-top")
        tables.first.scroll_into_view_if_needed()
        save_view(site_tab, "01-table")
    assert_nothing_went_wrong(site_tab, console_errors)


def test_a_solution_opens_when_the_reader_asks(site_tab, site_url, console_errors):
    site_tab.goto(f"{site_url}/notebooks/01_describe_key_pairs.html")
    solution = site_tab.locator("article details", has_text="olution").first
    code = solution.locator("pre")
    expect(code).to_be_hidden()
    solution.locator("summary").click()
    expect(code).to_be_visible()
    expect(code).to_contain_text("describe_key_pairs")
    assert_nothing_went_wrong(site_tab, console_errors)


def test_the_search_finds_the_pages_that_teach_a_call(site_tab, site_url, console_errors):
    site_tab.goto(f"{site_url}/docs/index.html")
    site_tab.locator("button.search-button-field").click()
    field = site_tab.locator("#search-input:visible")
    expect(field).to_be_focused()
    field.fill("import_key_pair")
    field.press("Enter")
    expect(site_tab).to_have_url(f"{site_url}/search.html?q=import_key_pair")
    results = site_tab.locator("#search-results ul.search li a")
    expect(results.first).to_be_visible()
    expect(site_tab.locator("#search-results ul.search")).to_contain_text("Import a key pair")
    save_view(site_tab, "search")
    # A search result opens its page.
    site_tab.locator("#search-results ul.search li a", has_text="Import a key pair").first.click()
    expect(site_tab).to_have_url(re.compile(
        re.escape(f"{site_url}/notebooks/04_import_key_pair.html") + r"(\?.*)?$"))
    assert_nothing_went_wrong(site_tab, console_errors)


def test_on_your_machine_leads_to_the_set_up_commands(site_tab, site_url, console_errors):
    site_tab.goto(f"{site_url}/notebooks/00_setup.html")
    site_tab.locator("p.launch-links a.launch-local").click()
    expect(site_tab).to_have_url(f"{site_url}/docs/run-locally.html")
    commands = site_tab.locator("article pre")
    expect(commands.first).to_contain_text("git clone")
    expect(commands.first).to_contain_text("make lab")
    assert_nothing_went_wrong(site_tab, console_errors)


def test_every_code_block_has_a_copy_button_that_copies_it(site_tab, site_url, console_errors):
    site_tab.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url)
    site_tab.goto(f"{site_url}/notebooks/02_create_key_pair.html")
    blocks = site_tab.locator("article div.highlight pre")
    assert blocks.count() >= 40  # the cells and their outputs
    expect(site_tab.locator("article button.copybtn")).to_have_count(blocks.count())
    code = site_tab.locator("article div.cell_input div.highlight").first
    code.hover()
    code.locator("button.copybtn").click()
    copied = site_tab.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == code.locator("pre").inner_text().strip()
    assert "import" in copied
    assert_nothing_went_wrong(site_tab, console_errors)


# Where each part of a still picture of a form is on the page: a row's label and field, and the
# Tags row's label, fields and buttons (the innermost element with each text).
STILL_PICTURE_GEOMETRY = """picture => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {left: r.left, right: r.right, middle: (r.top + r.bottom) / 2}; };
  const innermost = text => [...picture.querySelectorAll('span, div')]
      .filter(e => e.textContent.trim() === text).pop();
  const label = [...picture.querySelectorAll('span')]
      .find(e => e.style.width === '130px' && e.textContent.trim());
  return {label: box(label), field: box(label.nextElementSibling),
          picture: box(picture.closest('div.cell_output')),
          tags: box(innermost('Tags')), key: box(innermost('key, e.g. Team')),
          value: box(innermost('value, e.g. ops')), remove: box(innermost('✕')),
          add: box(innermost('+ Add tag'))};
}"""


def test_the_still_pictures_of_the_forms_line_up_their_tags_row(site_tab, site_url,
                                                               console_errors):
    """Page 05 shows each form as a still picture (helpers/forms/static.py): the Tags row lines
    up with the rows above it, its fields and buttons on one line inside the picture."""
    site_tab.goto(f"{site_url}/notebooks/05_key_pair_manager.html")
    pictures = site_tab.locator("div.cell_output div.output", has_text="Still picture of the form"
                                ).filter(has_text="+ Add tag")
    assert pictures.count() >= 2  # the Create and Import forms at least
    for index in range(pictures.count()):
        picture = pictures.nth(index)
        picture.scroll_into_view_if_needed()
        if index == 0:
            SCREENSHOTS.mkdir(exist_ok=True)
            picture.screenshot(path=SCREENSHOTS / "site-05-create.png")
        at = picture.evaluate(STILL_PICTURE_GEOMETRY)
        assert abs(at["tags"]["right"] - at["label"]["right"]) <= 6, "Tags is not under the labels"
        assert abs(at["key"]["left"] - at["field"]["left"]) <= 6, "the key is not under the fields"
        for part in ("value", "remove", "add"):
            assert abs(at[part]["middle"] - at["key"]["middle"]) <= 4, f"{part} is on another line"
        assert at["key"]["right"] <= at["value"]["left"] <= at["remove"]["left"] <= \
            at["add"]["left"]
        assert at["add"]["right"] <= at["picture"]["right"], "+ Add tag is cut off"
    assert_nothing_went_wrong(site_tab, console_errors)
