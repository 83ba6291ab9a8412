"""The workshop app (make demo) as a presenter uses it: on a projector's 1024x576 and on a
1920x1080 screen, readable from the back of the room, offline, with the presenter's controls."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Server, browser_tab

pytestmark = pytest.mark.browser

SIZES = {"projector-1024x576": (1024, 576), "full-hd-1920x1080": (1920, 1080)}
SAMPLES = ["alice-laptop", "bob-workstation", "ci-deploy", "prod-bastion"]
# Text size as the room sees it: the computed font size times the app's zoom (large text).
SEEN_FONT_PX = """el => parseFloat(getComputedStyle(el).fontSize)
    * parseFloat(getComputedStyle(el.closest('.kp-app')).zoom)"""
# WCAG contrast ratio between two CSS colours given as rgb(...).
CONTRAST = """([a, b]) => {
    const lum = c => {
        const [r, g, bl] = c.match(/[\\d.]+/g).slice(0, 3).map(v => {
            v = v / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl; };
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05); }"""


@pytest.fixture(params=SIZES.values(), ids=SIZES.keys())
def app(request, browser, voila: Server, console_errors) -> Iterator[Page]:
    """The app in a new tab of the given size, once its create form answers."""
    with browser_tab(browser, console_errors, *request.param) as tab:
        tab.goto(voila.url("/"), timeout=90_000)
        expect(tab.locator(".kp-app .kp-create-name input")).to_be_visible(timeout=90_000)
        yield tab


def show_tab(page: Page, title: str) -> None:
    page.locator(".kp-manager .lm-TabBar-tab", has_text=title).click()


def no_sideways_scroll(page: Page) -> None:
    width, visible = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= visible, f"the page scrolls sideways: {width} px wide in {visible} px"


def above_the_fold(page: Page, selector: str) -> None:
    """The element is whole on the first screen, with the page scrolled to the top."""
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator(selector).bounding_box()
    assert box and box["y"] + box["height"] <= page.viewport_size["height"], \
        f"{selector} is below the fold: {box}"


def colour(locator, prop: str) -> str:
    return locator.evaluate(f"el => getComputedStyle(el).{prop}")


def test_the_app_reads_from_the_back_of_the_room(app: Page, console_errors):
    expect(app).to_have_title("EC2 key pairs · workshop")
    expect(app.locator(".kp-app-bar h1")).to_have_text("EC2 key pairs")
    expect(app.locator(".kp-app-bar")).to_contain_text("Sandbox · us-east-1")
    help_text = app.locator(".kp-create-form .kp-help")
    assert help_text.evaluate(SEEN_FONT_PX) >= 18, "body text under 18 px"
    assert app.evaluate(CONTRAST, [colour(help_text, "color"), "rgb(255, 255, 255)"]) >= 7

    chosen = app.locator(".kp-create-type .widget-toggle-button.mod-active")
    other = app.locator(".kp-create-type .widget-toggle-button:not(.mod-active)")
    expect(chosen).to_have_count(1)
    assert app.evaluate(CONTRAST, [colour(chosen, "backgroundColor"),
                                   colour(other, "backgroundColor")]) >= 4.5, \
        "the chosen key type is not obvious"
    button = app.locator(".kp-create-button")
    expect(button).to_be_disabled()  # no name yet
    off = (colour(button, "borderStyle"), colour(button, "cursor"))
    assert off == ("dashed", "not-allowed"), f"a button that is off looks like {off}"
    name = app.locator(".kp-create-name input")
    name.fill("laptop")
    expect(button).to_be_enabled()
    assert colour(button, "borderStyle") != "dashed"

    for title in ("Create", "Import", "List", "Delete"):
        show_tab(app, title)
        no_sideways_scroll(app)
    assert not console_errors.unexpected(), "\n".join(console_errors.unexpected())


@pytest.mark.parametrize("app", [SIZES["projector-1024x576"]], indirect=True,
                         ids=["projector-1024x576"])
def test_the_presenter_loads_samples_demos_and_resets(app: Page, voila: Server, console_errors,
                                                      screenshot):
    above_the_fold(app, ".kp-create-button")
    app.locator(".kp-samples").click()
    status = app.locator(".kp-presenter-status")
    expect(status).to_contain_text(f"Loaded {', '.join(SAMPLES)}.")
    show_tab(app, "Delete")  # asked, then cancelled: the answer is on the first screen
    app.locator(".kp-delete-select select").select_option("alice-laptop")
    app.locator(".kp-delete-button").click()
    expect(app.locator(".kp-delete-button")).to_be_hidden()
    above_the_fold(app, ".kp-delete-confirm")
    screenshot("delete-asked")
    app.locator(".kp-delete-cancel").click()
    expect(app.locator(".kp-delete-result")).to_contain_text("nothing was deleted")
    # The status folds away after a few seconds, and gives its row back to the forms.
    app.wait_for_function("el => el.getBoundingClientRect().height == 0",
                          arg=status.element_handle(), timeout=15_000)
    show_tab(app, "Import")
    above_the_fold(app, ".kp-import-button")
    show_tab(app, "List")
    table = app.locator(".kp-list-table")
    for sample in SAMPLES:
        expect(table).to_contain_text(sample)
    no_sideways_scroll(app)
    table.locator("table").scroll_into_view_if_needed()
    box, visible = table.locator("table").bounding_box(), app.viewport_size["width"]
    assert box["x"] + box["width"] <= visible, "the table is cut at the right"
    seen = table.locator("td").first.evaluate(SEEN_FONT_PX)
    assert seen >= 18, f"the list's text is {seen:.1f} px"
    screenshot("samples-listed")

    show_tab(app, "Create")
    name = app.locator(".kp-create-name input")
    button = app.locator(".kp-create-button")
    name.fill("alice-laptop")  # taken: refused as it is typed, before any click
    expect(app.locator(".kp-create-form .kp-hint")).to_contain_text(
        "A key pair named 'alice-laptop' already exists in this Region")
    expect(button).to_be_disabled()

    # The busy state: what the button says and whether it is off, at each change the page makes.
    button.evaluate("""el => { window.buttonStates = [];
        new MutationObserver(() => window.buttonStates.push([el.textContent, el.disabled]))
            .observe(el, {subtree: true, childList: true, characterData: true,
                          attributes: true}); }""")
    demo = f"demo-{secrets.token_hex(3)}"
    name.fill(demo)
    expect(button).to_be_enabled()
    button.click()
    expect(app.locator(".kp-create-result")).to_contain_text(f"{demo}.pem")
    above_the_fold(app, ".kp-create-result")  # the whole result: the path, the fingerprint
    states = app.evaluate("window.buttonStates")
    assert ["Creating…", True] in states, f"no busy state while the call ran: {states}"
    expect(button).to_have_text("Create key pair")
    screenshot("created")

    large = app.locator(".kp-large-text")
    seen = f"({SEEN_FONT_PX})(document.querySelector('.kp-help'))"
    large.click()  # the kernel adds or removes the style: wait for the page to follow
    app.wait_for_function(f"{seen} < 18")
    large.click()
    app.wait_for_function(f"{seen} >= 18")

    app.locator(".kp-reset").click()
    expect(app.locator(".kp-presenter-status")).to_contain_text(
        "Sandbox reset: 5 key pairs deleted.")
    show_tab(app, "List")
    expect(table).to_contain_text("No key pairs yet")
    assert not [p for p in voila.root.rglob(f"{demo}.*")], "reset left the sandbox key file"
    assert not console_errors.unexpected(), "\n".join(console_errors.unexpected())

