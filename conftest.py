"""Rules for the whole suite (tests and notebooks): fresh sandbox keys, slow tests marked, and in CI
no skipped test."""

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).parent
SANDBOX_KEYS = ROOT / "notebooks" / "keys" / "sandbox"
# What `make check` (the quick tier) leaves out, marked slow: tests that start kernels, a browser,
# the workshop Hub, a site build, the set-up or pytest itself in another process.
SLOW = ("notebooks/", "tests/browser/", "tests/test_hub.py", "tests/test_site.py",
        "tests/test_notebooks.py", "tests/test_second_runs.py", "tests/test_setup.py",
        "tests/test_network.py", "tests/test_ci_rule.py")

# What must run in one process, one after the other (make test spreads the rest over every
# core): the browser tests share one Chromium and one JupyterLab; the notebooks and the second
# runs share notebooks/keys; and a module's tests share its fixtures (a Hub, a server).
TOGETHER = {"tests/browser/": "browser", "notebooks/": "notebooks",
            "tests/test_second_runs.py": "notebooks"}

_skipped: list[str] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):  # a worker of make check: the main process did it
        return
    # The notebooks run against fresh sandboxes: keys an interrupted run left in keys/sandbox
    # (sandbox keys open nothing) would make them say "Replacing ..." where nbval expects silence.
    shutil.rmtree(SANDBOX_KEYS, ignore_errors=True)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The quick tier (-m "not slow") does not even import what holds only slow tests: 2 s a
    process (playwright, nbformat, the Hub's and the site's modules)."""
    if config.option.markexpr == "not slow" and collection_path.is_relative_to(ROOT):
        relative = collection_path.relative_to(ROOT).as_posix()
        return relative.startswith(SLOW) or (relative + "/").startswith(SLOW) or None
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(ROOT).as_posix().startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(optionalhook=True)  # xdist's: without it, there are no workers to spread over
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Spread the tests over the workers a group at a time: a test file, or what TOGETHER joins."""
    from xdist.scheduler import LoadScopeScheduling

    class Together(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return next((name for start, name in TOGETHER.items() if path.startswith(start)),
                        path)

    return Together(config, log)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:  # a whole module skipped as it is collected (pytest.importorskip)
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") == "true" and _skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    if os.environ.get("CI") == "true" and _skipped:
        terminalreporter.write_line(
            f"FAILED: CI=true and {len(_skipped)} test(s) were skipped; CI must run them all: "
            + ", ".join(_skipped), red=True)

