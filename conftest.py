"""Rules for the whole suite (tests and notebooks): fresh sandbox keys, slow tests marked, and in CI
no skipped test."""

import os
import shutil
from collections.abc import Generator
from pathlib import Path

import pytest

ROOT = Path(__file__).parent
SANDBOX_KEYS = ROOT / "notebooks" / "keys" / "sandbox"
# What `make check` (the quick tier) leaves out, marked slow: tests that start kernels, a browser,
# the workshop Hub, a site build, the set-up, pytest itself in another process, or the linters of
# the templates and policies (cfn-lint and parliament import for a second each). It leaves out the
# tests marked process too (Python in another process, about 1 s each), which make mutate keeps
# as it always did.
SLOW = ("notebooks/", "tests/browser/", "tests/test_hub.py", "tests/test_site.py",
        "tests/test_notebooks.py", "tests/test_second_runs.py", "tests/test_setup.py",
        "tests/test_network.py", "tests/test_ci_rule.py", "tests/test_linters.py")

# make test spreads the tests over every core a file at a time (a file's tests share its
# fixtures: a Hub, a server), a notebook's cells in one kernel; but the tests of these files one
# at a time: each is long and brings what it needs (a copy of the notebooks, a JupyterLab).
ONE_BY_ONE = ("tests/browser/test_learner.py", "tests/test_second_runs.py")
# Files that share a build (tests/site_build.py): in one process, the site is built once.
SAME_PROCESS = {"tests/test_site.py": "tests/browser/test_site_in_browser.py"}
# The order the workers take them in: the longest first (those above, then the browser's and the
# Hub's files, a minute or more each), then the other slow ones; the short files fill the end.
FIRST = (*ONE_BY_ONE, "tests/browser/", "tests/test_hub.py", *SLOW)

_skipped: list[str] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    if hasattr(session.config, "workerinput"):  # a worker of make check: the main process did it
        return
    # The notebooks run against fresh sandboxes: keys an interrupted run left in keys/sandbox
    # (sandbox keys open nothing) would make them say "Replacing ..." where nbval expects silence.
    shutil.rmtree(SANDBOX_KEYS, ignore_errors=True)


def quick(config: pytest.Config) -> bool:
    """Whether this run leaves the slow tests out: the quick tier, make mutate, make newest-moto."""
    return bool(config.option.markexpr.startswith("not slow"))


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The quick tier and make mutate (-m "not slow...") do not even import what holds only slow
    tests: 2 s a process (playwright, nbformat, the Hub's and the site's modules)."""
    if quick(config) and collection_path.is_relative_to(ROOT):
        relative = collection_path.relative_to(ROOT).as_posix()
        return relative.startswith(SLOW) or (relative + "/").startswith(SLOW) or None
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.relative_to(ROOT).as_posix().startswith(SLOW):
            item.add_marker(pytest.mark.slow)


@pytest.hookimpl(optionalhook=True, wrapper=True)  # xdist's, as below
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """-n auto: xdist's worker a core, and one more where the slow tests run (make test): they
    wait on kernels, Chromium and the Hub nearly half the time, while the cores sit idle."""
    cores = yield
    return cores if quick(config) else cores + 1  # the quick tier's tests keep a core busy


@pytest.hookimpl(optionalhook=True)  # xdist's: without it, there are no workers to spread over
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Spread the tests over the workers a file at a time (with SAME_PROCESS's together), or one
    at a time (ONE_BY_ONE)."""
    from xdist.scheduler import LoadScopeScheduling

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::")[0]
            return nodeid if path in ONE_BY_ONE else SAME_PROCESS.get(path, path)

        def _assign_work_unit(self, node) -> None:
            """In the order of FIRST, and in each group xdist's own, the most tests first (by
            itself it put the long files last: one worker ran them for a minute while the other
            had nothing left to do)."""
            def rank(scope: str) -> int:
                return next((i for i, path in enumerate(FIRST) if scope.startswith(path)),
                            len(FIRST))

            self.workqueue.move_to_end(min(self.workqueue, key=rank), last=False)
            super()._assign_work_unit(node)

        def _reschedule(self, node) -> None:
            """Give a worker its next file once it runs the last test it has, not while it has
            two left: that way a worker could hold three long tests while the other waited."""
            if self.workqueue and self._pending_of(self.assigned_work[node]) > 1:
                return
            super()._reschedule(node)

    return ByFile(config, log)


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
