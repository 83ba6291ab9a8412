"""Where make test's time goes: each group's test-seconds (setup, call and teardown, summed over
the workers), from the JUnit report of one run, beside that run's wall time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from conftest import SLOW

# Groups by where the tests live; the first prefix that matches wins. The other slow tests (the
# set-up, the site's build, the network, the CI rule...) and the quick tier are the rest.
GROUPS = {
    "notebooks under strict nbval": ("notebooks/",),
    "notebooks and recipes in their own processes": ("tests/test_notebooks.py",),
    "second runs (same kernel, restarted, shared server)": ("tests/test_second_runs.py",),
    "browser: a learner's Run All and exercises": ("tests/browser/test_learner.py",),
    "browser: the workshop app and the manager": ("tests/browser/test_app.py",
                                                  "tests/browser/test_manager.py"),
    "browser: walkthroughs and the website": ("tests/browser/",),
    "the Hub (logins, culling, every notebook)": ("tests/test_hub.py",),
    "other slow tests (set-up, site build, network, CI rule)": SLOW,
}
QUICK = "the quick tier's modules (their process tests too)"


def group_of(classname: str) -> str:
    """The group of a JUnit testcase, by its classname (tests.browser.test_app, or
    notebooks.02_create_key_pair.ipynb for a notebook's cells)."""
    path = classname.replace(".", "/")
    return next((group for group, prefixes in GROUPS.items()
                 if any(path.startswith(prefix.removesuffix(".py")) for prefix in prefixes)),
                QUICK)


def test_seconds(junit: Path) -> defaultdict[str, float]:
    seconds: defaultdict[str, float] = defaultdict(float)
    for case in ET.parse(junit).iter("testcase"):
        seconds[group_of(case.get("classname", ""))] += float(case.get("time", 0))
    return seconds


def report_groups(seconds: defaultdict[str, float], wall: float) -> None:
    total = sum(seconds.values())
    print(f"make test, by group: test-seconds over every worker ({total:.0f} in {wall:.0f} s "
          "of wall time)")
    for group in (*GROUPS, QUICK):
        print(f"  {group:<56} {seconds[group]:6.1f} s  {seconds[group] / total:4.0%}")
