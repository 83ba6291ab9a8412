"""Small patches that make moto answer like AWS; see docs/sandbox-fidelity.md, whose sections
are this package's modules, one a topic: key pairs, Regions, launch templates, instances,
permissions, and stacks, which apply when the sandbox first serves CloudFormation (its moto
costs a second).

Each fix is a function named for the behaviour it corrects, called in place of a moto method with
that method (`original`) and its arguments; each module's FIXES says which methods each one
wraps, and its SIGNATURES what they rely on. tests/test_fidelity.py pins each one, and fails with
"moto now does ... itself" once plain moto answers like AWS without it.
The fixes wrap moto internals, so apply() first checks moto's version and the signatures they
wrap, and refuses to start a sandbox that would answer wrongly.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import moto
import moto.backends

from helpers.errors import KeyPairError
from helpers.sandbox.fidelity import instances, key_pairs, launch_templates, permissions, regions

# The moto releases these fixes were written and tested against: [first, last) as (major, minor).
MOTO_VERSIONS = ((5, 2), (5, 3))
TOPICS = (key_pairs, regions, launch_templates, instances, permissions)
FIXES = tuple(fix for topic in TOPICS for fix in topic.FIXES)
_applied = False
_stacks_applied = False


def moto_mismatch() -> str | None:
    """Say why these fixes may not fit the installed moto, or None when they do."""
    version = tuple(int(part) for part in moto.__version__.split(".")[:2])
    first, last = MOTO_VERSIONS
    if not first <= version < last:
        return (f"moto {moto.__version__} is not a release the sandbox's fixes were tested "
                f"with (>= {first[0]}.{first[1]}, < {last[0]}.{last[1]}): install the pinned "
                f"versions (make setup), or review {Path(__file__).parent} against it.")
    return next(filter(None, map(_changed, TOPICS)), None)


def _changed(topic: Any) -> str | None:
    """Say which method of moto's a topic's fixes rely on has changed, or None."""
    for (cls, name), expected in topic.SIGNATURES.items():
        found = tuple(inspect.signature(getattr(cls, name, None) or (lambda: None)).parameters)
        if found != expected:
            return (f"moto {moto.__version__} changed {cls.__name__}.{name}{found}, which "
                    f"the sandbox's fixes wrap as {expected}: review {topic.__file__} "
                    "against it.")
    return None


def _wrap(cls: Any, name: str, fix: Callable[..., Any]) -> None:
    """Make cls.name (a method, a classmethod, or a module's function) call fix(self or cls or
    the first argument, the function it replaces, *arguments)."""
    static = inspect.getattr_static(cls, name)
    original = static.__func__ if isinstance(static, classmethod) else getattr(cls, name)

    @functools.wraps(original)
    def fixed(self: Any, *args: Any, **kwargs: Any) -> Any:
        return fix(self, original, *args, **kwargs)

    setattr(cls, name, classmethod(fixed) if isinstance(static, classmethod) else fixed)


def _apply(topic: Any) -> None:
    """Patch what a topic's fixes wrap, or refuse if it does not fit this moto."""
    mismatch = _changed(topic)
    if mismatch:
        raise KeyPairError(f"The sandbox cannot start: {mismatch}")
    for fix, targets in topic.FIXES:
        for cls, name in targets:
            _wrap(cls, name, fix)


def _with_stacks(get_backend: Callable[[str], Any]) -> Callable[[str], Any]:
    """moto's get_backend, which first applies the stacks' fixes when moto loads CloudFormation
    (in this process, or in the sandbox server)."""

    @functools.wraps(get_backend)
    def get_backend_with_stacks(name: str) -> Any:
        global _stacks_applied
        if name == "cloudformation" and not _stacks_applied:
            from helpers.sandbox.fidelity import stacks

            _apply(stacks)
            stacks.model_key_pairs()
            _stacks_applied = True
        return get_backend(name)

    return get_backend_with_stacks


def apply() -> None:
    """Patch moto's key pair classes once (safe to call twice), or refuse if they do not fit."""
    global _applied
    if not _applied:
        mismatch = moto_mismatch()
        if mismatch:
            raise KeyPairError(f"The sandbox cannot start: {mismatch}")
        for topic in TOPICS:
            _apply(topic)
        moto.backends.get_backend = _with_stacks(moto.backends.get_backend)
        _applied = True
