"""Rules for the whole suite (tests and notebooks): fresh sandbox keys, and in CI no skipped test."""

import os
import shutil
from pathlib import Path

import pytest

SANDBOX_KEYS = Path(__file__).parent / "notebooks" / "keys" / "sandbox"

_skipped: list[str] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    # The notebooks run against fresh sandboxes: keys an interrupted run left in keys/sandbox
    # (sandbox keys open nothing) would make them say "Replacing ..." where nbval expects silence.
    shutil.rmtree(SANDBOX_KEYS, ignore_errors=True)


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
