"""CI must run every test: with CI=true a skipped test fails the run, and says which."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ON_WORKERS = ["-p", "xdist", "-n", "2"]  # as make test runs the quick tier: workers report skips


def run_pytest_on_a_skipping_test(tmp_path: Path, ci: str, options: list[str]
                                  ) -> subprocess.CompletedProcess:
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")  # the rule under test
    (tmp_path / "test_sample.py").write_text(
        "import pytest\n\ndef test_runs():\n    pass\n\n"
        "def test_needs_a_browser():\n    pytest.skip('no browser here')\n")
    (tmp_path / "test_module_skipped.py").write_text(
        "import pytest\n\npytest.importorskip('a_module_nobody_installed')\n")
    # No plugins (nbval, playwright): the rule needs none of them, and they take seconds to load.
    env = {**os.environ, "CI": ci, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", *options,
         str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("options", [[], ON_WORKERS], ids=["one process", "workers"])
def test_a_skip_fails_the_run_in_ci(tmp_path, options):
    result = run_pytest_on_a_skipping_test(tmp_path, "true", options)
    assert result.returncode == 1
    assert "CI must run them all: test_module_skipped.py, test_sample.py::test_needs_a_browser" \
        in result.stdout


def test_a_skip_is_only_reported_outside_ci(tmp_path):
    result = run_pytest_on_a_skipping_test(tmp_path, "", [])
    assert result.returncode == 0
    assert "1 passed, 2 skipped" in result.stdout
