"""Notebook 07's exercises: let a teammate in on a running instance, and decrypt a Windows
instance's password with the key pair it was launched with."""

from __future__ import annotations

import base64
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric import padding, rsa

from helpers import lesson, login
from helpers.errors import KeyPairError
from helpers.exercises.common import (
    TUTORIAL,
    Verdict,
    not_set_up,
    recorded,
    refuse_a_file_of_yours,
    remember_saved,
    replace_ours,
)
from helpers.fingerprints import load_private_key
from helpers.keyfiles import default_key_dir, key_file_name, save_private_key, shown_path
from helpers.keypairs import KeyType, create_key_pair
from helpers.rules import key_blob

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

TEAMMATE_PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILt2k9hJVVOMsWQhElpigNrj8WSrdvy2g1s4"
                       "j06+TVPi teammate@laptop")
WEB, WINDOWS = "exercise-web", "exercise-windows"  # each instance's Name tag and key pair
SSH_GROUP = "exercise-ssh"
_launched_07: dict[str, str] = {}  # WEB and WINDOWS -> the instance set_up launched
_windows_key: list[rsa.RSAPrivateKey] = []  # WINDOWS's private key, to judge answers (never shown)
NO_PASSWORD = ("This backend's instances keep no encrypted password (a plain moto server or "
               "LocalStack?): do this exercise on the sandbox, where they do.")


def _latest_image(ec2: EC2Client, name: str) -> str:
    """The id of Amazon's newest image whose name matches name (* as a wildcard)."""
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name",
                                                              "Values": [name]}])["Images"]
    return max(images, key=lambda image: image["CreationDate"])["ImageId"]


def set_up(ec2: EC2Client) -> str:
    if lesson.is_live():
        raise KeyPairError("These exercises launch instances, which cost money on AWS: do "
                           "them on the sandbox.")
    paths = [default_key_dir() / key_file_name(name) for name in (WEB, WINDOWS)]
    refuse_a_file_of_yours(paths)
    alive = [i for i in _launched_07.values() if _state(ec2, i) not in (None, "terminated")]
    if alive:  # an earlier set-up's: start over
        ec2.terminate_instances(InstanceIds=alive)
    replace_ours(ec2, [WEB, WINDOWS])
    group = _ssh_group(ec2)
    made = {}
    machines: list[tuple[str, KeyType, str]] = [
        (WEB, "ed25519", "al2023-ami-2023.*-x86_64"),
        (WINDOWS, "rsa", "Windows_Server-*-English-Full-Base-*")]
    for (name, key_type, image), path in zip(machines, paths, strict=True):
        response = create_key_pair(ec2, name, key_type=key_type, tags=TUTORIAL)
        saved = save_private_key(response, overwrite=path.exists())  # ours, or a sandbox key
        remember_saved(saved)
        made[name] = ec2.run_instances(
            ImageId=_latest_image(ec2, image), MinCount=1, MaxCount=1, KeyName=name,
            SecurityGroupIds=[group], TagSpecifications=[{"ResourceType": "instance", "Tags": [
                {"Key": "Name", "Value": name}]}])["Instances"][0]["InstanceId"]
        if name == WINDOWS:  # loaded once (30 ms), not at each check; none if it holds none
            _windows_key.clear()
            with contextlib.suppress(KeyPairError):
                key = load_private_key(response["KeyMaterial"])
                if isinstance(key, rsa.RSAPrivateKey):  # what decrypts a Windows password
                    _windows_key.append(key)
    _launched_07.update(made)
    known = _trust(ec2, made[WEB])
    return (f"{WEB} ({made[WEB]}, Amazon Linux, SSH open to your address) and {WINDOWS} "
            f"({made[WINDOWS]}, Windows), each launched with the key pair of its name, whose "
            f"private key is in {shown_path(paths[0])} and {shown_path(paths[1])}; {WEB}'s "
            f"host keys, from its console, are in {shown_path(known)}")


def _ssh_group(ec2: EC2Client) -> str:
    """The id of the exercises' security group, which lets SSH in from your address only."""
    found = ec2.describe_security_groups(Filters=[{"Name": "group-name",
                                                   "Values": [SSH_GROUP]}])["SecurityGroups"]
    group = found[0]["GroupId"] if found else ec2.create_security_group(
        GroupName=SSH_GROUP, Description="SSH from my address only, for 07's exercises",
        TagSpecifications=[{"ResourceType": "security-group", "Tags": [
            {"Key": key, "Value": value} for key, value in TUTORIAL.items()]}])["GroupId"]
    mine = f"{login.public_address()}/32"
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id",
                                                        "Values": [group]}])["SecurityGroupRules"]
    if not any(rule.get("CidrIpv4") == mine and rule.get("FromPort") == 22 for rule in rules):
        ec2.authorize_security_group_ingress(GroupId=group, IpProtocol="tcp", FromPort=22,
                                             ToPort=22, CidrIp=mine)
    return group


def _trust(ec2: EC2Client, instance_id: str) -> Path:
    """Put the instance's host keys, from its console, into the lesson's known_hosts (in place
    of any an earlier instance left there for its address), which the clean-up deletes; the
    file."""
    host, port = login.ssh_address(ec2, instance_id)
    lines = login.known_hosts(login.console_output(ec2, instance_id), host, port)
    known = default_key_dir() / lesson.KNOWN_HOSTS
    name = lines.split()[0]
    kept = [line for line in known.read_text().splitlines(keepends=True)
            if line.split(" ", 1)[0] != name] if known.exists() else []
    known.write_text("".join(kept) + lines)
    lesson.made_file(known)
    return known


def _state(ec2: EC2Client, instance_id: str) -> str | None:
    """The instance's state ('running', ...), or None if EC2 does not know it."""
    found = ec2.describe_instances(Filters=[{"Name": "instance-id",
                                             "Values": [instance_id]}])["Reservations"]
    return found[0]["Instances"][0]["State"]["Name"] if found else None


def _running(ec2: EC2Client, name: str) -> str | Verdict:
    """The id of the instance set_up launched as name, or the Verdict when it is not running."""
    instance_id = _launched_07[name]
    state = _state(ec2, instance_id)
    if state != "running":
        return Verdict(False, f"{name} ({instance_id}) is {state or 'gone'}: run the set-up cell "
                              "again for a new one.")
    return instance_id


def _run_on(ec2: EC2Client, instance_id: str, key_file: Path, command: str,
            host: str, port: int) -> str:
    """What command printed on the instance, logged in with key_file, its host key checked
    against its console output. paramiko's AuthenticationException if the key is refused."""
    import paramiko  # only here: 07's checks are its only users

    client = paramiko.SSHClient()
    for line in login.known_hosts(login.console_output(ec2, instance_id), host,
                                  port).splitlines():
        entry = paramiko.hostkeys.HostKeyEntry.from_line(line)
        if entry is None:  # a key type paramiko cannot read: nothing to trust it with
            continue
        client.get_host_keys().add(entry.hostnames[0], entry.key.get_name(), entry.key)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(host, port, username=login.default_user(ec2, instance_id),
                       key_filename=str(key_file), look_for_keys=False, allow_agent=False,
                       timeout=10)
        _, stdout, _ = client.exec_command(command, timeout=10)
        return stdout.read().decode()
    finally:
        client.close()


@recorded("07.1")
def teammate_added(ec2: EC2Client) -> Verdict:
    """07, exercise 1: the teammate's public key added to exercise-web's authorized_keys, and
    the learner's own key still opening it."""
    if (not_ready := not_set_up("07")) is not None:
        return not_ready
    instance_id = _running(ec2, WEB)
    if isinstance(instance_id, Verdict):
        return instance_id
    try:
        host, port = login.ssh_address(ec2, instance_id)
    except KeyPairError as error:  # an endpoint whose instances answer nothing
        return Verdict(False, str(error))
    key_file = shown_path(default_key_dir() / key_file_name(WEB))
    if not key_file.exists():
        return Verdict(False, f"Your key file {key_file} is gone: run the set-up cell again.")
    import paramiko

    try:
        lines = _run_on(ec2, instance_id, key_file, "cat ~/.ssh/authorized_keys", host, port)
    except paramiko.AuthenticationException:
        return Verdict(False, f"Your own key, {key_file}, no longer opens {WEB}: its line left "
                              "~/.ssh/authorized_keys (a > where >> adds a line?). Run the "
                              "set-up cell again for a new instance, then add the teammate's "
                              "line with >>.")
    if any(key_blob(line) == key_blob(TEAMMATE_PUBLIC_KEY) for line in lines.splitlines()):
        return Verdict(True, f"your teammate's key opens {WEB}, and so does yours.")
    add = f"echo '{TEAMMATE_PUBLIC_KEY}' >> ~/.ssh/authorized_keys"
    return Verdict(False, f"{WEB}'s ~/.ssh/authorized_keys does not hold your teammate's key "
                          "yet: log in with your key and add its line, e.g. with the recipe "
                          f"above: run_command(ec2, '{instance_id}', '{key_file}', \"{add}\", "
                          f"host='{host}', port={port}).")


@recorded("07.2")
def windows_password(ec2: EC2Client, answer: Any) -> Verdict:
    """07, exercise 2: exercise-windows's Administrator password, decrypted with the private key
    of the key pair it was launched with."""
    if (not_ready := not_set_up("07")) is not None:
        return not_ready
    instance_id = _running(ec2, WINDOWS)
    if isinstance(instance_id, Verdict):
        return instance_id
    data = ec2.get_password_data(InstanceId=instance_id)["PasswordData"]
    truth = _decrypted(data)
    if truth is None:
        return Verdict(False, NO_PASSWORD)
    key_file = shown_path(default_key_dir() / key_file_name(WINDOWS))
    how = (f"decrypt {WINDOWS}'s PasswordData with {key_file}, the private key of the key pair "
           f"it was launched with, e.g. with the recipe above: windows_password(ec2, "
           f"'{instance_id}', '{key_file}')")
    if answer is None:
        return Verdict(False, f"admin_password is still None: {how}.")
    if isinstance(answer, bytes) and answer.decode(errors="replace") == truth:
        return Verdict(False, "admin_password holds bytes: .decode() them into text.")
    if not isinstance(answer, str):
        return Verdict(False, f"admin_password is a {type(answer).__name__}: {how}.")
    if answer.strip() == data.strip():
        return Verdict(False, "That is PasswordData as EC2 returns it, still encrypted: "
                              "base64-decode it, then decrypt it with the private key in "
                              f"{key_file} (padding PKCS1v15).")
    if answer != truth:
        return Verdict(False, f"That is not {WINDOWS}'s password: {how}.")
    return Verdict(True, f"that is {WINDOWS}'s Administrator password (keep it out of "
                         "printed output: a notebook stores what it shows).")


def _decrypted(data: str) -> str | None:
    """PasswordData decrypted with WINDOWS's private key, or None if it cannot be (a backend
    whose PasswordData is not encrypted with the key pair)."""
    try:
        return _windows_key[0].decrypt(base64.b64decode(data), padding.PKCS1v15()).decode()
    except (IndexError, ValueError, TypeError, AttributeError):
        return None
