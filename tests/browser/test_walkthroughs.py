"""Each walkthrough notebook opens in JupyterLab with its stored outputs shown and no JS errors,
and closes without asking to be saved, changing nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from helpers.tables import COLUMNS
from tests.browser.conftest import left_as_it_was

pytestmark = pytest.mark.browser

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
STANDARD_COLUMNS = {*COLUMNS, "Region"}  # a key pair table's own columns, and an audit's Region
# Every numbered notebook but the manager, whose forms test_manager.py drives.
WALKTHROUGHS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
                      if p.name != "05_key_pair_manager.ipynb")


def title_of(cells: list[dict]) -> str:
    """The text of the notebook's first markdown heading, as it reads once rendered."""
    for cell in cells:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return re.sub(r"[*_`]", "", line.lstrip("#")).strip()
    pytest.fail("the notebook has no markdown heading to check")


def first_printed_line(outputs: list[dict]) -> str | None:
    """The first non-empty line the notebook printed (stdout), as stored in the file."""
    for output in outputs:
        if output["output_type"] == "stream" and output["name"] == "stdout":
            for line in "".join(output["text"]).splitlines():
                if line.strip():
                    return line.strip()
    return None


@pytest.mark.parametrize("notebook", WALKTHROUGHS)
def test_walkthrough_renders_its_stored_outputs_without_js_errors(
    notebook, lab_tab, lab_tab_errors, lab, request, close_notebook, screenshot
):
    cells = json.loads((lab.root / notebook).read_text())["cells"]
    outputs = [output for cell in cells for output in cell.get("outputs", [])]
    tables = sum("<table" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    errors_before = len(lab_tab_errors.seen)

    # Double-click in the file browser, as a learner does. The checks need no kernel: the stored
    # outputs show without one (its kernel starts meanwhile).
    lab_tab.locator(".jp-DirListing-item", has_text=notebook).dblclick(timeout=60_000)
    panel = lab_tab.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panel).to_have_count(1)
    # After the final screenshot, if the test stopped before it closed the notebook itself.
    request.addfinalizer(lambda: close_notebook(lab_tab) if panel.count() else None)
    expect(panel.locator(".jp-RenderedMarkdown h1, .jp-RenderedMarkdown h2").first
           ).to_contain_text(title_of(cells))
    assert outputs, f"{notebook} has no stored outputs: run make execute"
    printed = first_printed_line(outputs)
    if printed:
        expect(panel.locator(".jp-OutputArea-output").filter(has_text=printed).first).to_be_visible()
    rendered_tables = panel.locator(".jp-OutputArea-output table")
    if tables:
        rendered_tables.first.scroll_into_view_if_needed()
        expect(rendered_tables.first).to_be_visible()
    expect(rendered_tables).to_have_count(tables)
    expect(lab_tab.locator("#filebrowser")).to_be_visible()
    for table in panel.locator(".jp-OutputArea-output:has(.kp-table)").all():
        headers = {text.replace("\u200b", "") for text in table.locator("th").all_inner_texts()}
        if not headers <= STANDARD_COLUMNS:
            continue  # an audit's findings add columns: those tables may scroll
        table.scroll_into_view_if_needed()
        wide, room = table.evaluate("el => [el.scrollWidth, el.clientWidth]")
        widths = table.locator("th").evaluate_all(
            "ths => ths.map(th => th.textContent + ' ' + Math.round(th.offsetWidth))")
        assert wide <= room, f"a key pair table scrolls sideways: {wide} px in {room} px {widths}"
        cells = table.locator("td").all_inner_texts()
        assert not {"None", "NaT", "nan"} & set(cells), f"noise in a table: {cells}"
        align = table.locator("td").first.evaluate("el => getComputedStyle(el).textAlign")
        assert align == "left", f"table cells are aligned {align}"
    unexpected = lab_tab_errors.unexpected(since=errors_before)
    assert not unexpected, "\n".join(unexpected)

    screenshot("rendered")
    close_notebook(lab_tab, read_only=True)  # a reader closes it: nothing asks to be saved
    left_as_it_was(lab, notebook)


def appearance(lab_tab, item: str) -> None:
    """View > Appearance > item, through the menus as a presenter clicks them."""
    lab_tab.locator(".lm-MenuBar-itemLabel", has_text="View").click()
    lab_tab.locator(".lm-Menu-itemLabel", has_text="Appearance").click()
    lab_tab.locator(".lm-Menu-itemLabel", has_text=item).click()


def test_the_presenter_shows_a_notebook_to_the_room_in_jupyterlabs_presentation_mode(
    lab_tab, lab_tab_errors, lab, request, close_notebook, screenshot
):
    """Any notebook, as it is (no slide metadata, nothing installed): JupyterLab's own
    Presentation Mode makes its text larger for the room (14 -> 17 px; the browser's zoom adds
    the rest, README.md says)."""
    errors_before = len(lab_tab_errors.seen)
    notebook = "02_create_key_pair.ipynb"
    lab_tab.locator(".jp-DirListing-item", has_text=notebook).dblclick(timeout=60_000)
    panel = lab_tab.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panel).to_have_count(1)
    request.addfinalizer(lambda: close_notebook(lab_tab) if panel.count() else None)
    text = panel.locator(".jp-RenderedMarkdown p").first
    size = "el => parseFloat(getComputedStyle(el).fontSize)"
    before = text.evaluate(size)
    appearance(lab_tab, "Presentation Mode")
    lab_tab.wait_for_function(f"({size})(document.querySelector('.jp-RenderedMarkdown p')) > "
                              f"{before * 1.2}")
    screenshot("presentation-mode")
    appearance(lab_tab, "Presentation Mode")  # and back, for the next notebook
    expect(text).to_have_css("font-size", f"{before:g}px")
    assert not lab_tab_errors.unexpected(since=errors_before)
    close_notebook(lab_tab, read_only=True)
    left_as_it_was(lab, notebook)
