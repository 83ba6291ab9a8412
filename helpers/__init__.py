"""Helpers for the EC2 key pair tutorial: thin over boto3, never hiding it.

Each name below is imported from its module on first use, so that importing a part of the
package (the kernel's sandbox extension, say) does not load pandas and boto3 with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "ec2_client": "backend", "which_backend": "backend",
    "DryRunSucceeded": "errors", "KeyPairError": "errors",
    "default_key_dir": "keyfiles", "redacted": "keyfiles", "save_private_key": "keyfiles",
    "create_key_pair": "keypairs", "delete_key_pair": "keypairs",
    "describe_key_pairs": "keypairs", "import_key_pair": "keypairs",
    "key_name_problem": "rules", "key_pairs_table": "tables",
}
__all__ = [  # noqa: RUF022 (the same order as _WHERE)
    "ec2_client", "which_backend", "DryRunSucceeded", "KeyPairError", "default_key_dir",
    "redacted", "save_private_key", "create_key_pair", "delete_key_pair", "describe_key_pairs",
    "import_key_pair", "key_name_problem", "key_pairs_table",
]

if TYPE_CHECKING:
    from helpers.backend import ec2_client, which_backend
    from helpers.errors import DryRunSucceeded, KeyPairError
    from helpers.keyfiles import default_key_dir, redacted, save_private_key
    from helpers.keypairs import (
        create_key_pair,
        delete_key_pair,
        describe_key_pairs,
        import_key_pair,
    )
    from helpers.rules import key_name_problem
    from helpers.tables import key_pairs_table


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"helpers.{_WHERE[name]}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
