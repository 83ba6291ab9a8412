"""The workshop app's speed: a page request to a form that answers, against a bare Voilà page
(one text box, Voilà's defaults) timed the same way in the same run, both servers warm."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LOADS = 7
# Offline, as in a workshop without internet: a host off this machine is not found, at once (a
# Playwright route would do the same, but it sends every request through this script: +1.5 s).
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def voila(notebook: Path, *options: str, pool: bool = False,
          env: dict[str, str] | None = None):
    """A Voilà server on a free port, answering; yield its URL, and a function that waits until
    the server is warm again: with a pool, until it holds a pre-heated kernel that has run the
    notebook (at once without one)."""
    port = free_port()
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
         *options], env={**os.environ, **(env or {})}, cwd=notebook.parent,
        stdout=subprocess.DEVNULL, stderr=log)
    url, fills = f"http://127.0.0.1:{port}/", 0

    def filled() -> int:  # how many times Voilà has said "Kernel pool of ... is filled with"
        log.seek(0)
        return log.read().count(" is filled with ")

    def warm() -> None:
        nonlocal fills
        if pool:
            while filled() <= fills:
                time.sleep(0.2)
            fills += 1
            time.sleep(10)  # the new kernel runs the notebook: about 5 s here, on a quiet machine

    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}voila/static/voila.js", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url, warm
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def load_times(browser, server, ready: str, reload: bool) -> list[float]:
    """Seconds from the page request until `ready` (a CSS selector of an input) is visible, for
    one warm-up load and then LOADS loads: each a first visit (a new browser context, nothing
    cached), or each a reload of one tab (the presenter's: scripts from the browser's cache)."""
    (url, warm), times, tab = server, [], None
    for load in range(LOADS + 1):
        warm()  # Voilà has refilled its pool since the last visitor
        if tab is None or not reload:
            if tab is not None:
                tab.context.close()
            tab = browser.new_context(viewport={"width": 1024, "height": 576}).new_page()
        start = time.perf_counter()
        tab.goto(url)
        tab.locator(ready).first.wait_for(timeout=120_000)
        if load:  # the first load warms the server's caches
            times.append(time.perf_counter() - start)
    tab.context.close()
    return times


def bench_app() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp, "bare.ipynb")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import ipywidgets\nipywidgets.Text(description='Key name')")])
        nbformat.write(nb, bare)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless", "--no-sandbox", OFFLINE])
            with voila(bare) as server:
                bare_times = {reload: statistics.median(
                    load_times(browser, server, ".widget-text input", reload))
                    for reload in (False, True)}
            # The settings as make demo passes them (a path relative to the notebook's folder
            # would miss them: no pre-heated kernel, Voilà's default template).
            with voila(ROOT / "app" / "workshop.ipynb", f"--Voila.config_file_paths={ROOT / 'app'}",
                       pool=True, env={"JUPYTER_PATH": str(ROOT / "app")}) as server:
                app_times = {reload: load_times(browser, server, ".kp-create-name input", reload)
                             for reload in (False, True)}
            browser.close()
    for reload, what in ((False, "first visit"), (True, "reload")):
        median, baseline = statistics.median(app_times[reload]), bare_times[reload]
        print(f"{'make demo: page request to a usable form, ' + what:<48} {median:6.2f} s = "
              f"{median / baseline:5.1f} x a bare Voila page with one text box "
              f"({baseline:.2f} s); {LOADS} loads: "
              f"{', '.join(f'{t:.2f}' for t in app_times[reload])}")


if __name__ == "__main__":
    bench_app()
