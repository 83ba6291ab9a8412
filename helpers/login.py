"""Logging in to an instance with its key pair: which user, which address, which host keys.

The same on the sandbox and on AWS: each function asks EC2 what a person would look up in the
console (the image's name, the instance's address, its console output), never the sandbox itself.
"""

from __future__ import annotations

import urllib.request
from typing import TYPE_CHECKING

from helpers.backend import client_backend
from helpers.errors import KeyPairError
from helpers.facts import FINGERPRINTS, KEYS, LISTENING, WINDOWS_USER, user_for_image
from helpers.fingerprints import ssh_fingerprint

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import InstanceTypeDef


CHECKIP = "https://checkip.amazonaws.com"  # AWS's own what-is-my-address service


def public_address() -> str:
    """This machine's public IPv4 address, as AWS's checkip service sees it (the sandbox answers
    with the address it gives the learner)."""
    with urllib.request.urlopen(CHECKIP, timeout=10) as answer:
        address: str = answer.read().decode().strip()
    return address


def _instance(ec2: EC2Client, instance_id: str) -> InstanceTypeDef:
    (reservation,) = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservation["Instances"][0]


def default_user(ec2: EC2Client, instance_id: str) -> str:
    """The user to log in as on instance_id, from its image; ec2-user when the image is gone."""
    instance = _instance(ec2, instance_id)
    images = ec2.describe_images(Filters=[{"Name": "image-id",
                                           "Values": [instance["ImageId"]]}])["Images"]
    image = images[0] if images else {}
    return user_for_image(image.get("Name"), image.get("Description"),
                          instance.get("Platform") or image.get("Platform"))


# What to do about an instance that is not running, by its state.
START = "start it (ec2.start_instances(InstanceIds=['{id}'])), and ask again: it gets a new address"
TERMINATED = ("a terminated instance cannot be started again. Launch a new one with the same "
              "key pair.")
NOT_RUNNING = {
    "pending": "{id} is still starting (pending): wait until it runs "
               "(ec2.get_waiter('instance_running').wait(InstanceIds=['{id}'])), and ask again.",
    "stopping": "{id} is stopping: wait until it has stopped, then " + START + ".",
    "stopped": "{id} is stopped: " + START + ".",
    "shutting-down": "{id} is being terminated: " + TERMINATED,
    "terminated": "{id} is terminated: " + TERMINATED,
}
NO_SSH = ("This endpoint's instances answer nothing (a plain moto server or LocalStack?): run "
          "this notebook on the sandbox, where they accept SSH.")


def ssh_address(ec2: EC2Client, instance_id: str) -> tuple[str, int]:
    """(host, port) to reach instance_id's SSH server: on AWS its public DNS name (or IP) and 22;
    on the sandbox 127.0.0.1 and the port its console output says sshd listens on. Whether a
    connection gets there is up to its security groups."""
    instance = _instance(ec2, instance_id)
    state = instance["State"]["Name"]
    if state != "running":
        raise KeyPairError(NOT_RUNNING.get(state, "{id} is " + state + ".").format(id=instance_id))
    if (instance.get("Platform") or "").lower() == "windows":
        raise KeyPairError(f"{instance_id} runs Windows: connect with RDP as {WINDOWS_USER} "
                           "(its password: get_password_data), not with SSH.")
    listening = LISTENING.search(console_output(ec2, instance_id))
    if listening:
        return listening[1], int(listening[2])
    backend = client_backend(ec2)
    if backend == "sandbox":
        raise KeyPairError(f"{instance_id} has no SSH server: on the sandbox only a Linux "
                           "instance launched with a key pair (KeyName=...) gets one.")
    if backend == "endpoint":
        raise KeyPairError(NO_SSH)
    host = instance.get("PublicDnsName") or instance.get("PublicIpAddress")
    if not host:
        raise KeyPairError(f"{instance_id} has no public address: launch it in a subnet that "
                           "gives one, or connect from inside its VPC to its PrivateIpAddress.")
    return host, 22


def console_output(ec2: EC2Client, instance_id: str) -> str:
    """The instance's console output as text ('' until the instance has written any)."""
    return ec2.get_console_output(InstanceId=instance_id).get("Output") or ""


def _block(text: str, markers: tuple[str, str]) -> list[str]:
    """The lines between a BEGIN and END marker, with logger's 'ec2: ' prefix taken off."""
    begin, end = markers
    lines = [line.split("ec2: ", 1)[-1].strip() for line in text.splitlines()]
    if begin not in lines or end not in lines[lines.index(begin):]:
        return []
    start = lines.index(begin) + 1
    return [line for line in lines[start:lines.index(end, start)] if line]


def host_key_fingerprints(output: str) -> list[str]:
    """The SHA256 fingerprints the console output lists for the instance's host keys."""
    return [part for line in _block(output, FINGERPRINTS) for part in line.split()
            if part.startswith("SHA256:")]


def known_hosts(output: str, host: str, port: int = 22) -> str:
    """known_hosts lines for the host keys in a console output whose fingerprints it also lists
    (a key without its fingerprint is left out). Raise KeyPairError when none is there yet."""
    listed = set(host_key_fingerprints(output))
    keys = [line for line in _block(output, KEYS) if ssh_fingerprint(line) in listed]
    if not keys:
        raise KeyPairError("The console output has no host keys yet: an instance writes them "
                           "when it first boots, a few minutes after launch. Ask again later.")
    name = host if port == 22 else f"[{host}]:{port}"
    return "".join(f"{name} {' '.join(key.split()[:2])}\n" for key in keys)
