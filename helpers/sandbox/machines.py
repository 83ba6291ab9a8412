"""The sandbox's instances as machines you use with a key pair: the one place that starts and
stops their SSH servers, and what booting writes (console output, a Windows password).

An instance launched with a key pair boots as AWS boots it: a Linux one puts the key pair's public
key in ~/.ssh/authorized_keys, makes its own host keys, prints their fingerprints to the console
(cloud-init's format) and accepts SSH on 127.0.0.1 at a port of its own; a Windows one encrypts a
new Administrator password with the key pair's public key. asyncssh is imported, and a port
opened, only when the first such Linux instance launches.
"""

from __future__ import annotations

import base64
import secrets
import string
from datetime import datetime, timezone
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from helpers.facts import FINGERPRINTS, KEYS, user_for_image
from helpers.fingerprints import ssh_fingerprint
from helpers.sandbox import network

_ports: dict[str, tuple[Any, Any]] = {}  # instance id -> (instance, its SSH Port), while it runs
# uname -a by the image's user; {host}, {arch} filled in per instance.
UNAME = {
    "ubuntu": "Linux {host} 6.8.0-1021-aws #23-Ubuntu SMP Mon Dec  9 23:59:34 UTC 2024 "
              "{arch} {arch} {arch} GNU/Linux",
    "admin": "Linux {host} 6.1.0-28-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 "
             "(2024-11-22) {arch} GNU/Linux",
}
AMAZON_LINUX = ("Linux {host} 6.1.119-129.201.amzn2023.{arch} #1 SMP PREEMPT_DYNAMIC Tue Dec  3 "
                "21:07:35 UTC 2024 {arch} {arch} {arch} GNU/Linux")
PASSWORD_CHARACTERS = string.ascii_letters + string.digits + "!$%&()*;=?@"


def _image(instance: Any) -> Any:
    return instance.ec2_backend.amis.get(instance.image_id)


def is_windows(instance: Any) -> bool:
    return (instance.platform or "").lower() == "windows"


def _machine(instance: Any, public_key: str) -> Any:
    """The instance's state as its SSH server sees it, made when it first boots."""
    from helpers.sandbox import shell, ssh_server

    image = _image(instance)
    user = user_for_image(getattr(image, "name", None), getattr(image, "description", None))
    arch = "aarch64" if instance.architecture == "arm64" else "x86_64"
    full = instance.private_dns_name  # ip-10-1-2-3.ec2.internal
    host = full.split(".")[0] if user in UNAME else full  # Debian's and Ubuntu's: the short name
    return shell.Machine(
        user=user, hostname=host, uname=UNAME.get(user, AMAZON_LINUX).format(host=host, arch=arch),
        authorized_keys=[public_key], host_keys=ssh_server.new_host_keys())


def launched(instance: Any, public_key: str) -> None:
    """Boot a just-launched instance with its key pair's public key ('ssh-... key-name'): a Linux
    one starts accepting SSH; a Windows one gets its encrypted Administrator password."""
    if is_windows(instance):
        instance.sandbox_password_data = _encrypted_password(public_key)
        return
    instance.sandbox_machine = _machine(instance, public_key)
    started(instance)


def started(instance: Any) -> None:
    """Give the instance its SSH port (a new one, as a restarted instance gets a new public
    address), open if its security groups let the learner in, and write its console output."""
    machine = getattr(instance, "sandbox_machine", None)
    if machine is None or instance.id in _ports:
        return
    from helpers.sandbox import ssh_server

    port = ssh_server.Port(machine)
    port.set_open(network.lets_in(instance))
    _ports[instance.id] = instance, port
    instance.sandbox_console = _console(machine, port.number)


def stopped(instance_id: str) -> None:
    """Close the instance's SSH port, if it has one."""
    if instance_id in _ports:
        _ports.pop(instance_id)[1].close()


def stop_all() -> None:
    """Close every SSH port (the sandbox is reset or stopped)."""
    for instance_id in list(_ports):
        stopped(instance_id)


def follow_security_groups() -> None:
    """Open or close each running instance's port as its security groups and address now allow
    (after any call that may have changed them: at once, as on AWS)."""
    for instance, port in list(_ports.values()):
        port.set_open(network.lets_in(instance))


def machine_of(instance: Any) -> Any:
    """The instance's Machine (for EC2 Instance Connect's pushed keys), or None."""
    return getattr(instance, "sandbox_machine", None)


def console_output(instance: Any) -> str | None:
    """What the instance printed to its console when it last booted, or None if it never did."""
    return getattr(instance, "sandbox_console", None)


def password_data(instance: Any) -> str:
    """GetPasswordData's PasswordData: the encrypted password of a Windows instance launched with
    a key pair, else ''."""
    return getattr(instance, "sandbox_password_data", "")


def _encrypted_password(public_key: str) -> str:
    """A new Administrator password, encrypted as EC2 does: RSA PKCS#1 v1.5, then base64."""
    key = serialization.load_ssh_public_key(public_key.encode())
    assert isinstance(key, rsa.RSAPublicKey)  # the launch refused any other key for Windows
    password = "".join(secrets.choice(PASSWORD_CHARACTERS) for _ in range(32))
    return base64.b64encode(key.encrypt(password.encode(), padding.PKCS1v15())).decode()


def _console(machine: Any, port: int) -> str:
    """A boot's console output, with cloud-init's host key blocks and sshd's listening line."""
    stamp = datetime.now(timezone.utc).strftime("%b %e %H:%M:%S")
    log = f"<14>{stamp} ec2: "
    keys = [key.export_public_key("openssh").decode().strip() + f" root@{machine.hostname}"
            for key in machine.host_keys]
    kinds = {"ecdsa-sha2-nistp256": "ECDSA", "ssh-ed25519": "ED25519"}
    fingerprints = [f"256 {ssh_fingerprint(k)} root@{machine.hostname} ({kinds[k.split()[0]]})"
                    for k in keys]
    rule = "#" * 61
    lines = [f"[    0.000000] Linux version {machine.uname.split()[2]}",
             "[   14.201915] cloud-init[1709]: Cloud-init v. 22.2.2 running 'modules:final'.",
             f"{log}", f"{log}{rule}", f"{log}{FINGERPRINTS[0]}",
             *[log + line for line in fingerprints],
             f"{log}{FINGERPRINTS[1]}", f"{log}{rule}",
             KEYS[0], *keys, KEYS[1],
             f"[   14.812320] sshd[1893]: Server listening on 127.0.0.1 port {port}.",
             "", f"{machine.hostname.split('.')[0]} login: "]
    return "\n".join(lines) + "\n"
