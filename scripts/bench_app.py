"""The workshop app's speed: a page request to a form that answers, against a bare Voilà page
(one text box, Voilà's defaults) timed the same way in the same run, both servers warm."""

from __future__ import annotations

import os
import re
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def voila(notebook: Path, *options: str, env: dict[str, str] | None = None):
    """A Voilà server on a free port, answering; yield its URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
         *options], env={**os.environ, **(env or {})}, cwd=notebook.parent,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{url}voila/static/voila.js", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def load_times(browser, url: str, ready: str) -> list[float]:
    """Seconds from the page request until `ready` (a CSS selector of an input) is visible,
    for one warm-up load and then LOADS loads, each in a new browser context."""
    times = []
    for load in range(LOADS + 1):
        time.sleep(3)  # Voilà refills its pre-heated kernel between two visitors
        context = browser.new_context(viewport={"width": 1024, "height": 576})
        # Offline, as in a workshop without internet: a request off the machine fails at once.
        context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])"), lambda r: r.abort())
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.locator(ready).first.wait_for(timeout=120_000)
        if load:  # the first load warms the server's caches
            times.append(time.perf_counter() - start)
        context.close()
    return times


def bench_app() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp, "bare.ipynb")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import ipywidgets\nipywidgets.Text(description='Key name')")])
        nbformat.write(nb, bare)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless", "--no-sandbox"])
            with voila(bare) as url:
                baseline = statistics.median(load_times(browser, url, ".widget-text input"))
            with voila(ROOT / "app" / "workshop.ipynb", "--Voila.config_file_paths=app",
                       env={"JUPYTER_PATH": str(ROOT / "app")}) as url:
                app = load_times(browser, url, ".kp-create-name input")
            browser.close()
    median = statistics.median(app)
    print(f"{'make demo: page request to a usable form (median)':<48} {median:6.2f} s = "
          f"{median / baseline:5.1f} x a bare Voila page with one text box ({baseline:.2f} s); "
          f"{LOADS} loads: {', '.join(f'{t:.2f}' for t in app)}")


if __name__ == "__main__":
    bench_app()
