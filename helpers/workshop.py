"""What a presenter does between demos, as plain functions: the workshop app's buttons call them.

Both act only where nothing real can be lost: reset needs the sandbox; the sample key pairs are
public keys made on the spot (their private halves are thrown away) and never go to live AWS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from helpers import forms_model as model
from helpers.backend import client_backend
from helpers.errors import KeyPairError
from helpers.keypairs import import_key_pair

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

# (name, key type, tags): a laptop, a shared workstation, a CI deploy key, and a key pair someone
# made outside the tutorial (no tutorial tag), for the delete form's safety to keep.
SAMPLES = [
    ("alice-laptop", "ed25519", {"Owner": "alice"}),
    ("bob-workstation", "rsa", {"Owner": "bob", "Team": "ops"}),
    ("ci-deploy", "ed25519", {"Team": "ci"}),
    ("prod-bastion", "ed25519", None),
]


def _public_key(key_type: str) -> bytes:
    private = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
               if key_type == "rsa" else ed25519.Ed25519PrivateKey.generate())
    return private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH)


def load_samples(ec2: EC2Client) -> list[str]:
    """Import the sample key pairs that are not there yet; return the names imported."""
    if client_backend(ec2) == "live":
        raise KeyPairError("Sample key pairs are for the sandbox or a local endpoint, never for "
                           "your AWS account: create or import your own key pairs there.")
    taken = {item["KeyName"] for item in model.all_key_pairs(ec2)}
    loaded = []
    for name, key_type, tags in SAMPLES:
        if name in taken:
            continue
        if tags is None:  # made outside the tutorial: no tutorial tag
            import_key_pair(ec2, name, _public_key(key_type))
        else:
            model.import_public_key(ec2, name, _public_key(key_type), rows=list(tags.items()))
        loaded.append(name)
    return loaded


def reset_sandbox(ec2: EC2Client) -> model.Deletion:
    """Delete every key pair of the client's Region, and their sandbox key files: the sandbox as
    it was when the app started. Refused anywhere but the sandbox in this process."""
    if client_backend(ec2) != "sandbox":
        raise KeyPairError("Reset empties the sandbox only: on an endpoint or live AWS, delete "
                           "key pairs one by one in the Delete tab.")
    names = [item["KeyName"] for item in model.all_key_pairs(ec2)]
    return model.delete_key_pairs(ec2, names, safety=False)
