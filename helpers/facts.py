"""What the learner's helpers and the sandbox both know: facts of EC2, of botocore and of this
tutorial's folders. The lowest floor: it imports nothing of helpers and keeps no state."""

from __future__ import annotations

import os
import re
from pathlib import Path

# botocore sends a plain boto3.client("ec2") to the endpoint these name (botocore >= 1.31).
ENDPOINT_ENVS = ("AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL")

# Private keys are saved under keys/, next to the notebook; the sandbox's, which open nothing,
# in keys/sandbox, apart from real ones.
KEY_DIR = Path("keys")
SANDBOX_KEY_DIR = KEY_DIR / "sandbox"

# The default user of an image, by a word in its name or description (EC2 user guide, "Connect to
# your Linux instance": the default user name is set by the AMI); anything else: ec2-user (Amazon
# Linux, RHEL, SUSE, Oracle, FreeBSD). Windows has no SSH user: RDP as Administrator.
USERS = (("ubuntu", "ubuntu"), ("debian", "admin"), ("centos", "centos"), ("fedora", "fedora"),
         ("rocky", "rocky"), ("bitnami", "bitnami"))
DEFAULT_USER = "ec2-user"
WINDOWS_USER = "Administrator"

# What cloud-init writes to the console (tools/write-ssh-key-fingerprints, through logger -t ec2).
FINGERPRINTS = ("-----BEGIN SSH HOST KEY FINGERPRINTS-----",
                "-----END SSH HOST KEY FINGERPRINTS-----")
KEYS = ("-----BEGIN SSH HOST KEY KEYS-----", "-----END SSH HOST KEY KEYS-----")
# The sandbox's sshd says where it listens, as sshd logs it; only a loopback address is taken
# from a console, so a real instance's "0.0.0.0 port 22" never sends anyone elsewhere.
LISTENING = re.compile(r"sshd\[\d+\]: Server listening on (127\.0\.0\.1) port (\d+)\.")


def endpoint_variable() -> str | None:
    """The variable that redirects EC2 (AWS_ENDPOINT_URL_EC2 before AWS_ENDPOINT_URL), if set."""
    return next((name for name in ENDPOINT_ENVS if os.environ.get(name)), None)


def endpoint_url() -> str | None:
    """The endpoint that AWS_ENDPOINT_URL_EC2 or AWS_ENDPOINT_URL redirects EC2 to, if any."""
    variable = endpoint_variable()
    return os.environ[variable] if variable else None


def user_for_image(name: str | None, description: str | None = None,
                   platform: str | None = None) -> str:
    """The user an image's instances log in as (Administrator for Windows, over RDP)."""
    if (platform or "").lower() == "windows":
        return WINDOWS_USER
    words = f"{name or ''} {description or ''}".lower()
    return next((user for word, user in USERS if word in words), DEFAULT_USER)
