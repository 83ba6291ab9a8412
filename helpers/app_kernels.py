"""The kernels of the workshop app as Voilà serves it (make demo; app/voila.json names the class).

Voilà keeps a pre-heated kernel in a pool, safe from culling while it waits there, however long.
The visitor who takes it got a kernel whose last activity was its pre-heating: after a quiet
minute, the next cull (every 10 s) could shut it down before their page had connected, and the
page never showed the app. Here a kernel's idle time starts again when it leaves the pool.
"""

from __future__ import annotations

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Set


class AppKernels(AsyncMappingKernelManager):
    """Jupyter's kernel manager, with a kernel idle from when it left Voilà's pool (Voilà makes
    its pooling manager from this class, so its _pools are this object's)."""

    _in_the_pool = Set()  # the kernels waiting in Voilà's pool at the last cull

    async def cull_kernels(self) -> None:
        self._in_the_pool |= {item.result()["kernel_id"]
                              for pool in getattr(self, "_pools", {}).values() for item in pool
                              if item.done() and not item.exception()}
        await super().cull_kernels()  # type: ignore[no-untyped-call]  # jupyter_server's

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        # Voilà's pool answers first for the kernels in it: one in _in_the_pool has just left.
        if kernel_id in self._in_the_pool:
            self._in_the_pool.discard(kernel_id)
            self.get_kernel(kernel_id).last_activity = utcnow()
        await super().cull_kernel_if_idle(kernel_id)  # type: ignore[no-untyped-call]
