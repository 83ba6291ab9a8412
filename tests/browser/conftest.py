"""Headless Chromium driving JupyterLab and Voilà, each serving a temporary copy of notebooks/."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
APP = ROOT / "app"
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SERVER_START_SECONDS = 60
SERVER_STOP_SECONDS = 15
# Every expect() waits this long: a kernel round trip on a busy 2-core machine can take seconds.
expect.set_options(timeout=20_000)
# Filled in by the fixtures and the tests, printed at the end of the run.
TIMINGS: dict[str, float] = {}


@dataclass
class ConsoleErrors:
    """JavaScript errors a page logged or threw, as 'message [url]', and requests off the
    machine."""

    seen: list[str] = field(default_factory=list)

    def unexpected(self, since: int = 0) -> list[str]:
        """The errors seen since the since-th one (every error fails a test: none is allowed)."""
        return self.seen[since:]


@dataclass
class Server:
    """A server a test started: where it answers, and its log for when something goes wrong."""

    base_url: str
    root: Path
    log: Path
    launched_at: float
    token: str = ""
    pages_opened: int = 0
    pid: int = 0  # the server's process: its kernels are its children

    def url(self, path: str) -> str:
        query = f"{'&' if '?' in path else '?'}token={self.token}" if self.token else ""
        return f"{self.base_url}/{path.lstrip('/')}{query}"


def free_port() -> int:
    """A port nothing listens on right now: bind port 0, read it, release it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _children(pid: int) -> list[int]:
    """Ids of pid's child processes (kernels run in their own sessions: killpg misses them)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stop(process: subprocess.Popen) -> None:
    """Ask the server to stop (it shuts its kernels down); kill it and its kernels if it hangs."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(SERVER_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        for pid in [*_children(process.pid), process.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait()


def _wait_until_ready(process: subprocess.Popen, url: str, log: Path, ok: set[int]) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{log.stem} exited with code {process.returncode} before serving; "
                        f"the end of {log}:\n{_log_tail(log)}", pytrace=False)
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = None
        if status in ok:
            return
        time.sleep(0.2)
    pytest.fail(f"{log.stem} did not answer {url} within {SERVER_START_SECONDS} s; "
                f"the end of {log}:\n{_log_tail(log)}", pytrace=False)


def _interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _serve(command: list[str], home: Path, log: Path, probe_url: str, ok: set[int],
           extra_env: dict[str, str] | None = None):
    """Start a server in its own session with a private Jupyter home; wait until it answers."""
    # A run that is terminated (a CI timeout, kill) unwinds like Ctrl-C, so the fixtures stop
    # their servers: in their own sessions, they would outlive it.
    signal.signal(signal.SIGTERM, _interrupt)
    env = {k: v for k, v in os.environ.items()
           if k not in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "EC2_KEYPAIRS_LIVE")}
    # Nothing from the user's ~/.jupyter (passwords, kernels, open tabs) leaks into a test;
    # the environment's own settings (the news toast turned off) still apply.
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env[name] = str(home / name.lower())
    env.update(extra_env or {})
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   cwd=home, start_new_session=True)
    try:
        _wait_until_ready(process, probe_url, log, ok)
    except BaseException:
        _stop(process)
        raise
    return process


def in_ci() -> bool:
    return os.environ.get("CI") == "true"  # as the root conftest.py reads it


MISSING_CHROMIUM = (f"Chromium is not at {CHROMIUM}: to run them, `apt-get install chromium` "
                    "(or run .ci/run, which installs it)")
SKIPPED: list[pytest.Item] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without Chromium, set the browser tests aside to report them in one line (not in CI)."""
    if CHROMIUM.exists() or in_ci():
        return
    here = Path(__file__).parent
    SKIPPED.extend(item for item in items if item.path.is_relative_to(here))
    if SKIPPED:
        items[:] = [item for item in items if item not in SKIPPED]
        config.hook.pytest_deselected(items=SKIPPED)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; in CI a missing Chromium fails every browser test."""
    if not CHROMIUM.exists():
        pytest.fail(f"CI=true, and the browser tests must run, but {MISSING_CHROMIUM}",
                    pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


SUITE = "browser suite (set-up, run and tear-down of every browser test), s"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    TIMINGS[SUITE] = TIMINGS.get(SUITE, 0.0) + report.duration


@pytest.fixture(scope="session")
def notebooks_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway copy of notebooks/ (and beside it of recipes/, which 08 reads): tests create
    keys and files, never in the repository."""
    copy = tmp_path_factory.mktemp("browser") / "notebooks"
    shutil.copytree(NOTEBOOKS, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "keys"))
    shutil.copytree(NOTEBOOKS.parent / "recipes", copy.parent / "recipes",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture(scope="session")
def lab(browser: Browser, notebooks_copy: Path, tmp_path_factory) -> Iterator[Server]:
    """One JupyterLab for the whole session, on a free loopback port, with a random token."""
    home = tmp_path_factory.mktemp("lab-home")
    port, token = free_port(), secrets.token_hex(16)
    server = Server(f"http://127.0.0.1:{port}", notebooks_copy, home / "jupyterlab.log",
                    time.monotonic(), token)
    process = _serve([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
                      "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                      "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
                      f"--ServerApp.root_dir={notebooks_copy}"],
                     home, server.log, server.url("api/status"), ok={200})
    TIMINGS["JupyterLab server launch to answering, s"] = time.monotonic() - server.launched_at
    try:
        yield server
    finally:
        _stop(process)


@contextmanager
def serving_the_app(tmp_path_factory, *options: str) -> Iterator[Server]:
    """The workshop app as make demo serves it (app/voila.json, the page template through
    JUPYTER_PATH), from a throwaway copy of app/, on a free loopback port; options are added to
    Voilà's command line."""
    copy = tmp_path_factory.mktemp("voila") / "app"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "keys"))
    home = tmp_path_factory.mktemp("voila-home")
    port = free_port()
    server = Server(f"http://127.0.0.1:{port}", copy, home / "voila.log", time.monotonic())
    # Any answer from a static file means Voilà listens; asking for / would use up its kernel.
    process = _serve([sys.executable, "-m", "voila", str(copy / "workshop.ipynb"),
                      f"--Voila.config_file_paths={copy}", "--no-browser", f"--port={port}",
                      *options],
                     home, server.log, server.url("voila/static/voila.js"), ok={200, 404},
                     extra_env={"JUPYTER_PATH": str(copy)})
    server.pid = process.pid
    try:
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def voila(browser: Browser, tmp_path_factory) -> Iterator[Server]:
    """The workshop app, one server for the session's tests."""
    with serving_the_app(tmp_path_factory) as server:
        yield server


@contextmanager
def browser_tab(browser: Browser, errors: ConsoleErrors,
                width: int = 1280, height: int = 900) -> Iterator[Page]:
    """A browser tab that reaches only 127.0.0.1 (as offline) and records in errors its JS
    errors and any request that would leave the machine."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    context.set_default_navigation_timeout(60_000)

    def refuse(route) -> None:  # the same result with or without internet
        errors.seen.append(f"a request off the machine: {route.request.url}")
        route.abort()

    context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])"), refuse)
    tab = context.new_page()
    tab.on("console", lambda message: message.type == "error" and errors.seen.append(
        f"{message.text} [{message.location.get('url', '')}]"))
    tab.on("pageerror", lambda error: errors.seen.append(f"uncaught {error}"))
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(browser: Browser, console_errors: ConsoleErrors) -> Iterator[Page]:
    """A fresh browser tab for one test."""
    with browser_tab(browser, console_errors) as tab:
        yield tab


@pytest.fixture(scope="module")
def lab_tab_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture(scope="module")
def lab_tab(browser: Browser, lab: Server, lab_tab_errors: ConsoleErrors) -> Iterator[Page]:
    """One JupyterLab tab for a module's tests, as a learner opens one notebook after another,
    on a 1024 px wide screen (a projector's) with the file browser open."""
    with browser_tab(browser, lab_tab_errors, 1024, 768) as tab:
        lab.pages_opened += 1
        tab.goto(lab.url("lab?reset"))
        yield tab  # its kernels idle until JupyterLab stops, and it stops them all at once


def screenshot_path(test_name: str) -> Path:
    return SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.\[\]-]", "_", test_name) + ".png")


@pytest.fixture
def screenshot(request: pytest.FixtureRequest):
    """Return a function that saves the test's page now, as screenshots/<test>-<moment>.png."""

    def save(moment: str) -> Path:
        tab = next(v for v in request.node.funcargs.values() if isinstance(v, Page))
        path = screenshot_path(f"{request.node.name}-{moment}")
        path.parent.mkdir(exist_ok=True)
        tab.screenshot(path=path, full_page=True)
        return path

    return save


@pytest.fixture(scope="session")
def timings() -> dict[str, float]:
    """Seconds by what was measured; printed in the summary as 'browser timings'."""
    return TIMINGS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Screenshot every test's final page; a failure names its screenshot and shows the end of
    its servers' logs (a kernel that never answered says why there)."""
    report = yield
    funcargs = getattr(item, "funcargs", {})
    if report.failed:
        for server in (v for v in funcargs.values() if isinstance(v, Server)):
            report.sections.append((f"end of {server.log}", _log_tail(server.log)))
    tab = next((v for v in funcargs.values() if isinstance(v, Page)), None)
    if call.when != "call" or tab is None or tab.is_closed():
        return report
    path = screenshot_path(item.name)
    try:
        path.parent.mkdir(exist_ok=True)
        tab.screenshot(path=path, full_page=True, timeout=10_000)
        note = f"Screenshot of the final page: {path.relative_to(ROOT)}"
    except Exception as error:  # a broken page must not hide the test's own failure
        note = f"No screenshot ({type(error).__name__}: {error})"
    if report.failed and hasattr(report.longrepr, "addsection"):
        report.longrepr.addsection("screenshot", note)
    elif report.failed:
        report.sections.append(("screenshot", note))
    return report


def pytest_terminal_summary(terminalreporter) -> None:
    if SKIPPED:
        terminalreporter.write_sep("=", f"{len(SKIPPED)} browser tests skipped: {MISSING_CHROMIUM}",
                                   yellow=True)
    if TIMINGS:
        terminalreporter.section("browser timings")
        for what, seconds in TIMINGS.items():
            terminalreporter.line(f"{what}: {seconds:.1f}")


def wait_for_idle_kernel(page: Page) -> None:
    """Wait until JupyterLab's status bar says the current notebook's kernel is idle."""
    expect(page.locator("#jp-main-statusbar")).to_contain_text(re.compile(r"\| Idle"),
                                                               timeout=60_000)


@pytest.fixture(scope="session")
def close_notebook():
    """Return a function that closes the open notebook as a reader does, once its kernel is idle
    (one closed while its kernel starts throws 'Disposed' into the page)."""

    def close(page: Page, read_only: bool = False) -> None:
        """read_only: the notebook was only read, so nothing may ask to be saved."""
        wait_for_idle_kernel(page)
        if read_only:  # its language_info has arrived: the last chance to differ from the file
            expect(page.locator(".jp-mod-current.jp-mod-dirty")).to_have_count(0)
        page.locator(".lm-DockPanel-tabBar .lm-mod-current .lm-TabBar-tabCloseIcon").click()
        # After a run JupyterLab asks to save the new outputs: a reader who only tried it discards.
        page.wait_for_function("!document.querySelector('.jp-NotebookPanel')"
                               " || document.querySelector('.jp-Dialog')")
        discard = page.locator(".jp-Dialog").get_by_role("button", name="Discard")
        if discard.count():
            assert not read_only, "JupyterLab asks to save a notebook that was only read"
            discard.click()
        expect(page.locator(".jp-NotebookPanel")).to_have_count(0)

    return close


def left_as_it_was(lab: Server, notebook: str) -> None:
    """After a notebook was closed: its kernel is shut down (its memory back), JupyterLab did not
    rewrite it, and it left no file git would see (keys/ is ignored)."""
    def kernels() -> list:
        with urllib.request.urlopen(lab.url("api/kernels"), timeout=10) as answer:
            return json.load(answer)

    deadline = time.monotonic() + 10  # JupyterLab asks for the shutdown as it closes
    while kernels() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert kernels() == [], "closing a notebook shuts its kernel down (its memory back)"
    assert (lab.root / notebook).read_bytes() == (NOTEBOOKS / notebook).read_bytes(), (
        f"JupyterLab rewrote {notebook}")
    stray = sorted(str(p.relative_to(lab.root)) for p in lab.root.rglob("*") if p.is_file()
                   and p.relative_to(lab.root).parts[0] not in ("keys", ".ipynb_checkpoints")
                   and not (NOTEBOOKS / p.relative_to(lab.root)).exists())
    assert stray == [], f"files git would see: {stray}"


@pytest.fixture
def open_in_lab(page: Page, lab: Server):
    """Return a function that opens a notebook in JupyterLab and waits for its kernel to be idle:
    the test's first from its URL, the next ones from the file browser, as a learner does."""

    def open_notebook(notebook: str) -> Locator:
        if page.url.startswith(f"{lab.base_url}/lab"):  # no reload: 2-3 s each
            page.locator(".jp-DirListing-item", has_text=notebook).dblclick()
        else:  # reset: an empty workspace, not with the tabs an earlier test left open
            lab.pages_opened += 1
            page.goto(lab.url(f"lab/tree/{notebook}?reset"))
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        expect(panel).to_have_count(1, timeout=60_000)
        wait_for_idle_kernel(page)
        return panel

    return open_notebook
