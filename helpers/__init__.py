"""Helpers for the EC2 key pair tutorial: thin over boto3, never hiding it."""

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

__all__ = [
    "DryRunSucceeded", "KeyPairError", "create_key_pair", "default_key_dir", "delete_key_pair",
    "describe_key_pairs", "ec2_client", "import_key_pair", "key_name_problem",
    "key_pairs_table", "redacted", "save_private_key", "which_backend",
]
