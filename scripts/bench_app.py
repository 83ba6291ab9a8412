"""The workshop app's speed: a page request to a form that answers, against a bare Voilà page
(one text box, Voilà's defaults) timed the same way in the same run, both servers warm. And what
make demo holds after 20 page loads (kernels, memory), against what it held after the first."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat
from playwright.sync_api import Browser, Page, sync_playwright

from scripts.load_test import descendants, free_port, rss_bytes

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
LOADS = 7
POOL = 1  # app/voila.json: default_pool_size
# Offline, as in a workshop without internet: a host off this machine is not found, at once (a
# Playwright route would do the same, but it sends every request through this script: +1.5 s).
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
Server = tuple[str, Callable[[], None], int]  # a running Voila's URL, its warm(), its pid


@contextmanager
def voila(notebook: Path, *options: str, pool: bool = False,
          env: dict[str, str] | None = None) -> Iterator[Server]:
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
        yield url, warm, process.pid
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def kernels(server_pid: int) -> list[int]:
    """The kernels a server holds: its processes that run ipykernel."""
    found = []
    for pid in descendants(server_pid):
        try:
            if b"ipykernel" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:  # gone meanwhile
            pass
    return found


def memory_mib(server_pid: int) -> float:
    """The RSS of a server and every process it started (its kernels), MiB."""
    return sum(map(rss_bytes, [server_pid, *descendants(server_pid)])) / 2**20


def settled(server_pid: int, most: int = POOL + 1, wait: float = 90) -> tuple[int, float]:
    """(kernels, MiB) once the server holds at most `most` kernels, each about as big as the
    biggest (the one that replaced a kernel taken from the pool has run the notebook too), and
    its memory has stayed put for 2 s; or whatever it holds after `wait` seconds."""
    deadline, last, steady = time.monotonic() + wait, 0.0, 0
    while time.monotonic() < deadline and steady < 2:
        time.sleep(1)
        sizes, now = [rss_bytes(pid) for pid in kernels(server_pid)], memory_mib(server_pid)
        alike = len(sizes) <= most and min(sizes, default=0) >= 0.8 * max(sizes, default=0)
        steady = steady + 1 if alike and abs(now - last) < 0.01 * now else 0
        last = now
    return len(kernels(server_pid)), memory_mib(server_pid)


def load_times(browser: Browser, server: Server, ready: str, reload: bool) -> list[float]:
    """Seconds from the page request until `ready` (a CSS selector of an input) is visible, for
    one warm-up load and then LOADS loads: each a first visit (a new browser context, nothing
    cached), or each a reload of one tab (the presenter's: scripts from the browser's cache)."""
    url, warm, _ = server
    times: list[float] = []
    tab: Page | None = None
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
    if tab is not None:
        tab.context.close()
    return times


def held_after_loads(browser: Browser, server: Server, loads: int = 20
                     ) -> tuple[tuple[int, float], ...]:
    """(kernels, MiB) the server held after the first page load and after `loads`: one tab,
    reloaded as a presenter does, each load until the form answers."""
    url, _, pid = server
    tab = browser.new_context(viewport={"width": 1024, "height": 576}).new_page()
    held = []
    for load in range(loads):
        tab.reload() if load else tab.goto(url)
        tab.locator(".kp-create-name input").wait_for(timeout=120_000)
        if load in (0, loads - 1):
            held.append(settled(pid))
    tab.context.close()
    return tuple(held)


def closed_tabs(browser: Browser, server: Server, tabs: int = 10, kept_for: float = 180,
                goodbye: bool = True) -> tuple[float | None, int, bool]:
    """Tabs opened and closed as a visitor closes them (the page's unload handlers run; without
    goodbye, as a crash: they do not), with one tab open all along: the seconds after the last
    close until the server held at most the pool and the open tab's kernel (None: not within
    120 s), the kernels it held 90 s after it, and whether the open tab's kernel still answered
    after kept_for seconds."""
    url, warm, pid = server
    kept = browser.new_context(viewport={"width": 1024, "height": 576}).new_page()
    kept.goto(url)
    kept.locator(".kp-create-name input").wait_for(timeout=120_000)
    opened = time.monotonic()
    for _ in range(tabs):
        warm()
        tab = browser.new_context(viewport={"width": 1024, "height": 576}).new_page()
        tab.goto(url)
        tab.locator(".kp-create-name input").wait_for(timeout=120_000)
        tab.close(run_before_unload=goodbye)
        tab.context.close()
    closed, freed, after_90 = time.monotonic(), None, -1
    while time.monotonic() - closed < 120 or time.monotonic() - opened < kept_for:
        held = len(kernels(pid))
        if freed is None and held <= POOL + 1:
            freed = time.monotonic() - closed
        if after_90 < 0 and time.monotonic() - closed >= 90:
            after_90 = held
        time.sleep(1)
    kept.locator(".kp-create-name input").fill("k" * 256)  # a round trip to its kernel
    try:
        kept.get_by_text("The key name has 256 characters").wait_for(timeout=20_000)
        answered = True
    except Exception:  # the kernel is gone: the page no longer answers
        answered = False
    kept.context.close()
    return freed, after_90, answered


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
            demo = (ROOT / "app" / "workshop.ipynb", f"--Voila.config_file_paths={ROOT / 'app'}")
            with voila(*demo, pool=True, env={"JUPYTER_PATH": str(ROOT / "app")}) as server:
                app_times = {reload: load_times(browser, server, ".kp-create-name input", reload)
                             for reload in (False, True)}
            with voila(*demo, pool=True, env={"JUPYTER_PATH": str(ROOT / "app")}) as server:
                (first_kernels, first_mib), (kernels_now, mib_now) = held_after_loads(browser,
                                                                                      server)
            with voila(*demo, pool=True, env={"JUPYTER_PATH": str(ROOT / "app")}) as server:
                freed, after_90, answered = closed_tabs(browser, server)
            browser.close()
    for reload, what in ((False, "first visit"), (True, "reload")):
        median, baseline = statistics.median(app_times[reload]), bare_times[reload]
        print(f"{'make demo: page request to a usable form, ' + what:<48} {median:6.2f} s = "
              f"{median / baseline:5.1f} x a bare Voila page with one text box "
              f"({baseline:.2f} s); {LOADS} loads: "
              f"{', '.join(f'{t:.2f}' for t in app_times[reload])}")
    print(f"{'make demo: memory after 20 page loads':<48} {mib_now:6.0f} MiB = "
          f"{mib_now / first_mib:5.2f} x after the first ({first_mib:.0f} MiB; server and "
          f"kernels, RSS); kernels: {kernels_now} after 20 loads, {first_kernels} after the first "
          f"(goal: at most the pool and one, {POOL + 1})")
    print(f"{'make demo: 10 tabs opened and closed':<48} {after_90} kernels 90 s after the last "
          f"closed (goal: at most {POOL + 1}: the pool's and the open tab's); at most "
          f"{POOL + 1} after {'more than 120' if freed is None else f'{freed:.0f}'} s; a tab "
          f"open for 3 minutes {'kept' if answered else 'LOST'} its kernel")


if __name__ == "__main__":
    bench_app()
