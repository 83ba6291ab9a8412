"""make bench's figures at the fastest speed the cores ran in the same run (bench_speed.py)."""

import pytest

from scripts.bench_speed import SpeedProbe


def test_a_command_run_while_the_cores_ran_twice_as_slow_counts_at_half_its_core_seconds():
    probe = SpeedProbe()
    probe.samples = [0.035, 0.070, 0.070, 0.040]
    assert probe.slowdown(1, 3) == pytest.approx(2.0)
    assert probe.slowdown(0, 4) == pytest.approx(0.215 / 4 / 0.035)
    assert probe.slowdown(4, 4) == 1.0, "no sample meanwhile: the figure as measured"
