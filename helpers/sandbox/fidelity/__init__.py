"""Small patches that make moto answer like AWS; see docs/sandbox-fidelity.md, whose sections
are this package's modules, one a topic: key pairs, Regions, launch templates, instances.

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

from helpers.errors import KeyPairError
from helpers.sandbox.fidelity import instances, key_pairs, launch_templates, regions

# The moto releases these fixes were written and tested against: [first, last) as (major, minor).
MOTO_VERSIONS = ((5, 2), (5, 3))
TOPICS = (key_pairs, regions, launch_templates, instances)
FIXES = tuple(fix for topic in TOPICS for fix in topic.FIXES)
_applied = False


def moto_mismatch() -> str | None:
    """Say why these fixes may not fit the installed moto, or None when they do."""
    version = tuple(int(part) for part in moto.__version__.split(".")[:2])
    first, last = MOTO_VERSIONS
    if not first <= version < last:
        return (f"moto {moto.__version__} is not a release the sandbox's fixes were tested "
                f"with (>= {first[0]}.{first[1]}, < {last[0]}.{last[1]}): install the pinned "
                f"versions (make setup), or review {Path(__file__).parent} against it.")
    for topic in TOPICS:
        for (cls, name), expected in topic.SIGNATURES.items():
            found = tuple(inspect.signature(getattr(cls, name, None) or (lambda: None)).parameters)
            if found != expected:
                return (f"moto {moto.__version__} changed {cls.__name__}.{name}{found}, which "
                        f"the sandbox's fixes wrap as {expected}: review {topic.__file__} "
                        "against it.")
    return None


def _wrap(cls: type, name: str, fix: Callable[..., Any]) -> None:
    """Make cls.name call fix(self, the method it replaces, *arguments)."""
    original = getattr(cls, name)

    @functools.wraps(original)
    def fixed(self: Any, *args: Any, **kwargs: Any) -> Any:
        return fix(self, original, *args, **kwargs)

    setattr(cls, name, fixed)


def apply() -> None:
    """Patch moto's key pair classes once (safe to call twice), or refuse if they do not fit."""
    global _applied
    if not _applied:
        mismatch = moto_mismatch()
        if mismatch:
            raise KeyPairError(f"The sandbox cannot start: {mismatch}")
        for fix, targets in FIXES:
            for cls, name in targets:
                _wrap(cls, name, fix)
        _applied = True
