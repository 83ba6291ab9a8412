"""How fast this machine's cores run, sampled through a benchmark run, against the fastest sample
of the same run.

This machine is a virtual one on a shared host: when other tenants' work shares its physical
cores, the same work costs more core-seconds, up to twice as many, and the load average inside
the machine does not show it. A thread times a fixed piece of pure Python every 2 s; a command's
slowdown is its samples' mean over the run's fastest sample.
"""

from __future__ import annotations

import statistics
import threading
import time

EVERY = 2.0  # seconds between samples: 1 to 2 % of one core


def sample() -> float:
    """CPU seconds (this thread's own) for a fixed loop: 35 ms on a quiet core here."""
    start = time.thread_time()
    total = 0
    for number in range(1_000_000):
        total += number
    return time.thread_time() - start


class SpeedProbe:
    """Samples from start() until the process ends (a daemon thread)."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    def start(self) -> SpeedProbe:
        def run() -> None:
            while True:
                self.samples.append(sample())
                time.sleep(EVERY)

        threading.Thread(target=run, daemon=True).start()
        return self

    def mark(self) -> int:
        return len(self.samples)

    def slowdown(self, since: int, until: int) -> float:
        """How many times slower than the fastest sample so far the cores ran between two
        marks (1.0 when there is no sample between them)."""
        window = self.samples[since:until]
        return statistics.mean(window) / min(self.samples) if window else 1.0

    def fastest_ms(self) -> float:
        return min(self.samples) * 1000
