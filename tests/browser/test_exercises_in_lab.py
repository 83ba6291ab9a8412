"""A learner does 02's exercises in JupyterLab: the check says what is missing, then what is
wrong, then done; a solution stays folded away until clicked, even after Run All."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from helpers.rules import shows_private_key


def code_cell(panel: Locator, text: str) -> Locator:
    """The code cell whose source holds text now, found by its place (a source may change)."""
    sources = panel.locator(".jp-CodeCell .jp-InputArea").all_inner_texts()
    return panel.locator(".jp-CodeCell").nth(next(i for i, s in enumerate(sources) if text in s))


def run(page: Page, cell: Locator, source: str | None = None) -> None:
    """Click into cell, replace its source if given, and run it (Ctrl+Enter: the focus stays)."""
    cell.locator(".cm-content").click()
    if source is not None:
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(source)
    page.keyboard.press("Control+Enter")
    expect(cell.locator(".jp-InputPrompt")).to_contain_text(re.compile(r"\[\d+\]"))


def test_a_learner_does_the_exercises_of_02(page, open_in_lab, close_notebook, screenshot):
    panel = open_in_lab("02_create_key_pair.ipynb")
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    expect(panel.locator(".jp-CodeCell .jp-InputPrompt").last).to_contain_text(
        re.compile(r"\[\d+\]"), timeout=60_000)

    answer = code_cell(panel, "# your answer: create the key pair")
    check = code_cell(panel, "exercises.ed25519_owned(ec2)")
    check.scroll_into_view_if_needed()
    expect(check.locator(".jp-OutputArea")).to_contain_text(
        "✘ Not yet: There is no key pair my-exercise-key yet")
    screenshot("unsolved")

    run(page, answer, "response = create_key_pair(ec2, 'my-exercise-key', key_type='ed25519', "
                      "tags={'Owner': 'you'})")
    run(page, check)
    expect(check.locator(".jp-OutputArea")).to_contain_text(
        "✘ Not yet: There is no file keys/sandbox/my-exercise-key.pem: save the private key")
    screenshot("wrong")

    run(page, answer, "save_private_key(response)")
    run(page, check)
    expect(check.locator(".jp-OutputArea")).to_contain_text(
        "✔ Done: my-exercise-key is ED25519, tagged Owner=you, and its private key is in "
        "keys/sandbox/my-exercise-key.pem, mode 600.")
    screenshot("solved")

    folded = panel.locator(".jp-MarkdownCell details").nth(1)
    expect(folded.locator("pre")).not_to_be_visible()
    folded.locator("summary").click()
    solution = folded.locator("pre").inner_text()
    assert "key_format='ppk'" in solution
    run(page, code_cell(panel, "# your answer"), solution)  # the learner copies it
    putty_check = code_cell(panel, "exercises.putty_saved(ec2)")
    run(page, putty_check)
    expect(putty_check.locator(".jp-OutputArea")).to_contain_text(
        "✔ Done: my-exercise-ppk's private key is in keys/sandbox/my-exercise-ppk.ppk")
    assert not shows_private_key(panel.inner_text())
    close_notebook(page)
