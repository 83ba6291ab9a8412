"""The key pair manager in a real browser: create, list and delete a key, in JupyterLab and Voilà.

When the lab test is the first to open a page on its JupyterLab (it is, in file order), it also
times the cold start: server launch to a form that answers.
"""

from __future__ import annotations

import re
import secrets
import stat
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from helpers.rules import PRIVATE_KEY_SIGNS
from tests.browser.conftest import left_as_it_was

pytestmark = pytest.mark.browser

MANAGER_NOTEBOOK = "05_key_pair_manager.ipynb"


class ManagerApp:
    """The manager widget (helpers.forms), found by the CSS classes the forms add."""

    def __init__(self, root: Locator) -> None:
        self.root = root

    def part(self, css_class: str) -> Locator:
        return self.root.locator(f".{css_class}")

    def show(self, css_class: str) -> Locator:
        """Click the manager's tab that holds css_class, and return that part once visible."""
        index = self.root.evaluate(
            """(root, cls) => {
                const contents = root.querySelector(':scope > .widget-tab-contents');
                let panel = root.querySelector('.' + cls);
                while (panel && panel.parentElement !== contents) panel = panel.parentElement;
                return panel ? [...contents.children].indexOf(panel) : -1;
            }""",
            css_class,
        )
        if index >= 0:
            self.root.locator(":scope > .widget-tab-bar .lm-TabBar-tab").nth(index).click()
        part = self.part(css_class)
        expect(part).to_be_visible()
        return part

    def type_key_name(self, name: str) -> None:
        name_field = self.show("kp-create-name").locator("input")
        name_field.fill(name)
        name_field.blur()  # a Text with continuous_update=False sends its value on blur

    def click_create(self, name: str) -> Locator:
        """Click create and wait for the result to name the saved file (the call is done)."""
        self.part("kp-create-button").click()
        result = self.part("kp-create-result")
        expect(result).to_contain_text(f"{name}.pem")
        return result

    def list_table(self) -> Locator:
        return self.show("kp-list-table")

    def delete(self, name: str) -> Locator:
        """Choose the key, click delete, confirm; return the result."""
        choice = self.show("kp-delete-select").locator("select")
        option = choice.locator("option", has_text=name)
        expect(option).to_have_count(1)
        choice.select_option(value=option.get_attribute("value"))
        button = self.part("kp-delete-button")
        expect(button).to_be_enabled()
        button.click()
        confirm = self.part("kp-delete-confirm")
        expect(confirm).to_be_visible()
        expect(confirm).to_be_enabled()
        confirm.click()
        self.confirmed_at = time.monotonic()
        result = self.part("kp-delete-result")
        expect(result).to_contain_text(name)
        expect(option).to_have_count(0)
        return result


def find_manager(page: Page, timeout: float = 60_000) -> ManagerApp:
    # The last one: notebook 05 shows each form on its own before the whole manager.
    root = page.locator(".kp-manager").last
    expect(root).to_be_visible(timeout=timeout)
    return ManagerApp(root)


def saved_private_keys(root: Path, name: str) -> list[Path]:
    return [p for p in root.rglob(f"{name}.*") if p.suffix in (".pem", ".ppk")]


def create_list_delete(page: Page, app: ManagerApp, root: Path, name: str, screenshot,
                       timings: dict[str, float], where: str) -> None:
    """Create name, see it listed and saved privately, delete it, see it gone; time both clicks."""
    clicked = time.monotonic()
    app.click_create(name)
    expect(app.part("kp-list-table")).to_contain_text(name)  # still on the Create tab
    timings[f"{where}: create click to the key in the list, s"] = time.monotonic() - clicked
    expect(page.locator("body")).not_to_contain_text(PRIVATE_KEY_SIGNS)
    keys = saved_private_keys(root, name)
    assert len(keys) == 1, f"expected one private key file for {name} under {root}, got {keys}"
    assert stat.S_IMODE(keys[0].stat().st_mode) == 0o600, f"{keys[0]} is not mode 0600"
    expect(app.list_table()).to_contain_text(name)
    screenshot("listed")

    result = app.delete(name)
    expect(result).to_contain_text(f"Removed the sandbox key file '{keys[0].relative_to(root)}'")
    assert saved_private_keys(root, name) == [], "the sandbox key file outlived its key pair"
    expect(app.part("kp-list-table")).not_to_contain_text(name)
    timings[f"{where}: delete confirmation to the key gone from the list, s"] = (
        time.monotonic() - app.confirmed_at)
    screenshot("deleted")
    expect(app.list_table()).not_to_contain_text(name)


def test_jupyterlab_run_all_then_create_list_and_delete_a_key(
    page, lab, open_in_lab, close_notebook, console_errors, record_property, timings, screenshot
):
    assert (lab.root / MANAGER_NOTEBOOK).exists(), f"notebooks/{MANAGER_NOTEBOOK} is missing"
    cold = lab.pages_opened == 0  # nothing opened on this server yet: time its cold start
    moments = {}
    open_in_lab(MANAGER_NOTEBOOK)
    moments["kernel idle"] = time.monotonic()
    expect(page.locator(".jp-mod-current.jp-mod-dirty")).to_have_count(0)  # opened: not changed
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    app = find_manager(page)
    moments["manager shown after Run All"] = time.monotonic()
    name = f"browser-lab-{secrets.token_hex(4)}"
    app.type_key_name(name)
    expect(app.part("kp-create-button")).to_be_enabled()
    moments["interactive form (name validated by the kernel)"] = time.monotonic()
    if cold:
        for moment, at in moments.items():
            timings[f"JupyterLab launch to {moment}, s"] = at - lab.launched_at
        record_property("cold_start_to_interactive_form_s", round(at - lab.launched_at, 1))

    create_list_delete(page, app, lab.root, name, screenshot, timings, "JupyterLab")
    assert not console_errors.unexpected(), "\n".join(console_errors.unexpected())
    close_notebook(page)  # discarding the new outputs, as a reader who does not save
    left_as_it_was(lab, MANAGER_NOTEBOOK)


def test_voila_app_creates_and_deletes_a_key(page, voila, console_errors, timings, screenshot):
    started = time.monotonic()
    page.goto(voila.url("/"), timeout=90_000)  # Voilà runs the whole notebook before answering
    app = find_manager(page, timeout=90_000)
    timings["Voilà page request to the manager shown, s"] = time.monotonic() - started
    expect(app.list_table()).to_contain_text("No key pairs yet")  # an empty sandbox per visitor
    name = f"browser-voila-{secrets.token_hex(4)}"
    app.type_key_name(name)
    expect(app.part("kp-create-button")).to_be_enabled()

    create_list_delete(page, app, voila.root, name, screenshot, timings, "Voilà")
    assert not console_errors.unexpected(), "\n".join(console_errors.unexpected())
