"""The workshop app (make demo) as a presenter uses it: on a projector's 1024x576 and on a
1920x1080 screen, readable from the back of the room, offline, with the presenter's controls."""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
import warnings
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ed25519
from cryptography.utils import CryptographyDeprecationWarning
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from helpers.forms.import_form import PRIVATE_KEY_PASTED
from scripts.bench_app import POOL, kernels, settled
from tests.browser.conftest import APP, Server, browser_tab, serving_the_app

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
    # The status fades after a few seconds (it floats over the bar: the forms never moved).
    expect(status.locator(".kp-fades")).to_have_css("opacity", "0", timeout=15_000)
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
    expect(large).to_have_text("☑ Large text")  # the button says its state, not its fill only
    large.click()  # the kernel adds or removes the style: wait for the page to follow
    app.wait_for_function(f"{seen} < 18")
    expect(large).to_have_text("☐ Large text")
    expect(app.locator(".kp-presenter-status")).to_contain_text(
        "Large text off: the normal size, for your own screen.")
    large.click()
    app.wait_for_function(f"{seen} >= 18")
    expect(large).to_have_text("☑ Large text")

    app.locator(".kp-reset").click()
    expect(app.locator(".kp-presenter-status")).to_contain_text(
        "Sandbox reset: 5 key pairs deleted.")
    show_tab(app, "List")
    expect(table).to_contain_text("No key pairs yet")
    assert not [p for p in voila.root.rglob(f"{demo}.*")], "reset left the sandbox key file"
    assert not console_errors.unexpected(), "\n".join(console_errors.unexpected())



# --- A presenter's hour, in one session -------------------------------------------------------

RELOADS = 3  # a page whose kernel outlived it would leave one more kernel each time
# Every element of the app whose right edge is past the window's (long input running off).
PAST_THE_RIGHT = """() => { const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll('.kp-app *')].map(el => [el, el.getBoundingClientRect()])
        .filter(([el, r]) => r.width > 0 && r.right > width + 0.5)
        .map(([el, r]) => `${el.tagName}.${[...el.classList].join('.')} to ${Math.round(r.right)}`)
        .slice(0, 5); }"""
# How far below the app's top the tab bar starts, at every frame from now on: it must never move.
WATCH_THE_TABS = """() => { window.tabTops = new Set();
    const app = document.querySelector('.kp-app');
    const bar = document.querySelector('.kp-manager .lm-TabBar');
    (function sample() {
        tabTops.add(Math.round(bar.getBoundingClientRect().top - app.getBoundingClientRect().top));
        requestAnimationFrame(sample); })(); }"""


def press(button, timeout: float = 20_000) -> None:
    """Click as a person does, through the browser: Playwright waits until the button is shown,
    on, still and not covered, and fails if it never is."""
    button.click(timeout=timeout)


def all_on_the_page(page: Page) -> None:
    past = page.evaluate(PAST_THE_RIGHT)
    assert not past, f"long input runs off a {page.viewport_size['width']} px window: {past}"


def dsa_public_key() -> str:
    """An OpenSSH DSA public key ("ssh-dss"): EC2 imports RSA and ED25519 keys only."""
    with warnings.catch_warnings():  # cryptography says DSA is on its way out: as EC2 does
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return openssh_public(dsa.generate_private_key(1024))


def tabs_never_moved(page: Page) -> None:
    tops = page.evaluate("[...tabTops]")
    assert len(tops) == 1, f"the forms moved: the tabs started at {tops} px from the top"


def openssh_public(private) -> str:
    return private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode()


def create(page: Page, name: str, key_type: str = "RSA 2048", tag: tuple[str, str] = ("", "")):
    show_tab(page, "Create")
    page.locator(".kp-create-name input").fill(name)
    page.locator(".kp-create-type .widget-toggle-button", has_text=key_type).click()
    page.locator(".kp-create-form .kp-tag-key input").first.fill(tag[0])
    page.locator(".kp-create-form .kp-tag-value input").first.fill(tag[1])
    press(page.locator(".kp-create-button"))
    expect(page.locator(".kp-create-result")).to_contain_text(f"Created {name}")
    expect(page.locator(".kp-create-button")).to_have_text("Create key pair")  # no longer busy


def import_key(page: Page, name: str, key: str) -> None:
    show_tab(page, "Import")
    page.locator(".kp-import-name input").fill(name)
    page.locator(".kp-import-text textarea").fill(key)
    press(page.locator(".kp-import-button"))


def delete(page: Page, *names: str) -> None:
    show_tab(page, "Delete")
    page.locator(".kp-delete-select select").select_option(list(names))
    press(page.locator(".kp-delete-button"))
    press(page.locator(".kp-delete-confirm"))  # "Yes, delete"
    expect(page.locator(".kp-delete-result")).to_contain_text(
        "Deleted " + ", ".join(f"'{name}'" for name in sorted(names)) + ".")


def name_hint(page: Page, form: str, name: str, sentence: str) -> None:
    """Type a name in the form and read the red line under it; the button stays off."""
    page.locator(f".kp-{form}-name input").fill(name)
    expect(page.locator(f".kp-{form}-form .kp-hint")).to_have_text(sentence)


@pytest.fixture
def own_voila(browser, tmp_path_factory) -> Iterator[Server]:
    """A server of the app for one test: it counts its own kernels, nobody else's."""
    with serving_the_app(tmp_path_factory) as server:
        yield server


@pytest.fixture
def presenter(browser, own_voila: Server, console_errors) -> Iterator[Page]:
    """The presenter's tab on a projector, once the app answers."""
    with browser_tab(browser, console_errors, *SIZES["projector-1024x576"]) as tab:
        tab.goto(own_voila.url("/"), timeout=90_000)
        expect(tab.locator(".kp-create-name input")).to_be_visible(timeout=90_000)
        yield tab


def test_a_presenters_session_from_first_key_to_three_reloads(presenter: Page, own_voila: Server,
                                                              console_errors, screenshot):
    """One tab at 1024x576, every press through the browser, as a presenter's hour goes."""
    app = presenter
    first_load = settled(own_voila.pid)
    app.evaluate(WATCH_THE_TABS)

    create(app, "demo-rsa")
    create(app, "demo-ed25519", "ED25519", ("Team", "ops"))
    for name in ("laptop", "desktop", "spare"):
        import_key(app, name, openssh_public(ed25519.Ed25519PrivateKey.generate()))
        expect(app.locator(".kp-import-result")).to_contain_text(f"Imported {name}")
    show_tab(app, "List")
    expect(app.locator(".kp-list-table")).to_contain_text("Team=ops")
    delete(app, "demo-rsa")
    delete(app, "demo-ed25519")  # the second delete on the page
    delete(app, "laptop", "desktop")  # two at once
    assert not list(own_voila.root.rglob("demo-*.pem")), "a deleted key pair's file stayed"

    press(app.locator(".kp-reset"))
    status = app.locator(".kp-presenter-status")
    expect(status).to_contain_text("Sandbox reset: 1 key pair deleted.")
    press(app.locator(".kp-samples"))
    expect(status).to_contain_text(f"Loaded {', '.join(SAMPLES)}.")
    app.evaluate("document.getAnimations().forEach(a => a.pause())")  # a quick presenter
    delete_question = app.locator(".kp-delete-confirm")
    show_tab(app, "Delete")
    app.locator(".kp-delete-select select").select_option(
        ["alice-laptop", "prod-bastion (not from this tutorial)"])
    press(app.locator(".kp-delete-button"))
    expect(delete_question).to_be_visible()
    expect(status.locator(".kp-fades")).to_have_css("opacity", "1")
    above_the_fold(app, ".kp-delete-confirm")  # while the status shows
    screenshot("status-line")
    app.evaluate("document.getAnimations().forEach(a => a.play())")
    press(app.locator(".kp-delete-cancel"))
    expect(app.locator(".kp-delete-result")).to_contain_text("nothing was deleted")

    # Eight kinds of bad input, each said in one sentence where it was typed.
    show_tab(app, "Create")
    name_hint(app, "create", "alice-laptop", "A key pair named 'alice-laptop' already exists "
              "in this Region: choose another name, or delete that one first.")
    with pytest.raises(PlaywrightError):  # a person cannot press a button that is off
        press(app.locator(".kp-create-button"), timeout=2_000)
    name_hint(app, "create", "laptop ", "The key name starts or ends with a space: remove it.")
    name_hint(app, "create", "k" * 256, "The key name has 256 characters: use at most 255.")
    name_hint(app, "create", "clé", "The key name contains 'é': use ASCII characters only.")
    app.locator(".kp-create-name input").fill("tagged")
    app.locator(".kp-create-form .kp-tag-key input").first.fill("aws:owner")
    expect(app.locator(".kp-create-form .kp-hint")).to_have_text(
        "Tag keys starting with 'aws:' are reserved by AWS: rename 'aws:owner'.")
    expect(app.locator(".kp-create-button")).to_be_disabled()
    private = ed25519.Ed25519PrivateKey.generate()
    import_key_text = app.locator(".kp-import-text textarea")
    show_tab(app, "Import")
    app.locator(".kp-import-name input").fill("pasted")
    import_key_text.fill(private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()).decode())
    import_result = app.locator(".kp-import-result")
    expect(import_result).to_have_text(PRIVATE_KEY_PASTED)
    expect(import_key_text).to_have_value("")
    import_key_text.fill(openssh_public(private))  # the right half: the red box goes
    expect(import_result).to_have_text("")
    unreadable = ("EC2 cannot read that public key: give the whole one-line OpenSSH public "
                  "key of an RSA or ED25519 key, as in a .pub file ('ssh-ed25519 AAAA...').")
    for bad in ("not a key at all", dsa_public_key()):
        import_key(app, "refused", bad)
        expect(import_result).to_have_text(unreadable)

    # Long input wraps: a 300-character tag value's hint, a 255-character name's result.
    show_tab(app, "Create")
    app.locator(".kp-create-form .kp-tag-key input").first.fill("")
    app.locator(".kp-create-form .kp-tag-value input").first.fill("v" * 300)
    expect(app.locator(".kp-create-form .kp-hint")).to_contain_text("has no key")
    all_on_the_page(app)
    app.locator(".kp-create-form .kp-tag-value input").first.fill("")
    create(app, "k" * 255)
    all_on_the_page(app)
    screenshot("long-input")
    tabs_never_moved(app)
    app.set_viewport_size({"width": 1920, "height": 1080})
    all_on_the_page(app)
    screenshot("long-input-1920x1080")
    app.set_viewport_size({"width": 1024, "height": 576})
    app.evaluate("tabTops.clear()")  # the new size moved them: watched again from here
    name_hint(app, "create", "k" * 255, f"A key pair named '{'k' * 255}' already exists in "
              "this Region: choose another name, or delete that one first.")
    all_on_the_page(app)
    show_tab(app, "List")
    expect(app.locator(".kp-list-table")).to_contain_text("k" * 255)
    all_on_the_page(app)
    delete(app, "k" * 255)
    all_on_the_page(app)
    tabs_never_moved(app)

    for _ in range(RELOADS):  # kernels: each page's goes with it
        app.reload()
        expect(app.locator(".kp-create-name input")).to_be_visible(timeout=90_000)
    (first_kernels, first_mib), (kernels_now, mib_now) = first_load, settled(own_voila.pid)
    assert kernels_now <= POOL + 1, (
        f"{kernels_now} kernels after {RELOADS} reloads ({first_kernels} after the first "
        f"load): a page's kernel outlives it")
    assert mib_now <= 1.2 * first_mib, (
        f"{mib_now:.0f} MiB after {RELOADS} reloads, {first_mib:.0f} MiB after the first")
    log = own_voila.log.read_text()
    assert "403 POST" not in log, "the server refused a page's goodbye (its kernel's shutdown)"
    idle = json.loads((APP / "voila.json").read_text())["MappingKernelManager"]["cull_idle_timeout"]
    assert f"Culling kernels with idle durations > {idle} seconds" in log, "no safety net"
    assert not console_errors.unexpected(), "\n".join(console_errors.unexpected())


def test_tabs_that_are_gone_have_their_kernels_culled_and_an_open_one_keeps_it(
        browser, tmp_path_factory, console_errors):
    """Whatever a page's goodbye did, a kernel with no page is shut down by the server once idle:
    tabs closed as a visitor closes them (their unload handlers run) and one that never said
    goodbye (a crash, a killed browser). make demo waits 60 s (app/voila.json), here 8 s. A tab
    still open keeps its kernel however long it idles, and so does the pre-heated pool; a
    visitor who takes the pool's kernel after a quiet spell keeps it while the page connects."""
    settings = json.loads((APP / "voila.json").read_text())["MappingKernelManager"]
    assert settings["cull_idle_timeout"] + settings["cull_interval"] <= 75
    assert settings["cull_connected"] is False  # an open page's kernel is never culled
    culling = ("--MappingKernelManager.cull_idle_timeout=8",
               "--MappingKernelManager.cull_interval=2")
    with serving_the_app(tmp_path_factory, *culling) as server, \
            browser_tab(browser, console_errors, 1024, 576) as kept, \
            browser_tab(browser, console_errors, 1024, 576) as crashed, \
            browser_tab(browser, console_errors, 1024, 576) as closed:
        for tab in (kept, crashed, closed):
            tab.goto(server.url("/"), timeout=90_000)
            expect(tab.locator(".kp-create-name input")).to_be_visible(timeout=90_000)
        assert settled(server.pid, most=POOL + 3)[0] == POOL + 3
        closed.close(run_before_unload=True)  # as a visitor closes a tab
        crashed.close()  # no beforeunload, so no goodbye: as a crash
        deadline = time.monotonic() + 60
        while len(kernels(server.pid)) > POOL + 1 and time.monotonic() < deadline:
            time.sleep(1)
        assert len(kernels(server.pid)) == POOL + 1, "a gone tab's kernel was not culled"
        assert "due to" in server.log.read_text() and "seconds of inactivity" in \
            server.log.read_text()
        kept.locator(".kp-create-name input").fill("k" * 256)  # a round trip to its kernel
        expect(kept.locator(".kp-create-form .kp-hint")).to_have_text(
            "The key name has 256 characters: use at most 255.")
        assert len(kernels(server.pid)) == POOL + 1
        # After a quiet spell (the pool's kernel idle longer than the cull's wait), a visitor
        # takes that kernel: it is theirs for a full idle wait from then, not culled at the next
        # cull while their page connects. A page that never connects (asked for without a
        # browser) shows it: its kernel outlives two culls, then goes as a gone tab's does.
        time.sleep(10)
        urllib.request.urlopen(server.url("/"), timeout=90).read()
        time.sleep(4)
        assert len(kernels(server.pid)) == POOL + 2, "a kernel taken from the pool was culled"
        deadline = time.monotonic() + 30
        while len(kernels(server.pid)) > POOL + 1 and time.monotonic() < deadline:
            time.sleep(1)
        assert len(kernels(server.pid)) == POOL + 1, "a never-connected page's kernel stayed"
