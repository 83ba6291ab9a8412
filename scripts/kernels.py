"""A fresh kernel of this environment, for the figures of make bench."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import start_new_kernel


@contextmanager
def fresh_kernel(*options: str) -> Iterator[BlockingKernelClient]:
    """A new kernel of this environment (its client), shut down afterwards."""
    manager, client = start_new_kernel(kernel_name="python3", extra_arguments=list(options))
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
