"""Logging in to sandbox instances from tests: paramiko with host key checking, never trusting a
host blindly, and never reaching anything but 127.0.0.1."""

from __future__ import annotations

import io

import boto3
import paramiko

from helpers import login
from helpers.sandbox.network import LEARNER_ADDRESS

LINUX_IMAGE = "ami-760aaa0f"  # Amazon Linux in moto's images: ec2-user
UBUNTU_IMAGE = "ami-785db401"  # Ubuntu 16.04 in moto's images: ubuntu
WINDOWS_IMAGE = "ami-03cf127a"  # Windows Server 2016 in moto's images


SSH_GROUP = "ssh-from-the-learner"


def ssh_from_the_learner(ec2) -> str:
    """The id of a security group that lets SSH in from the learner's address, as 07 makes it
    (made once per sandbox)."""
    found = ec2.describe_security_groups(Filters=[{"Name": "group-name",
                                                   "Values": [SSH_GROUP]}])["SecurityGroups"]
    if found:
        return found[0]["GroupId"]
    group = ec2.create_security_group(GroupName=SSH_GROUP, Description="SSH from me")["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpProtocol="tcp", FromPort=22,
                                         ToPort=22, CidrIp=f"{LEARNER_ADDRESS}/32")
    return group


def launch(ec2, key_name: str | None, image: str = LINUX_IMAGE, reachable: bool = True) -> str:
    """Launch one instance with key_name (in a group that lets the learner in, if reachable);
    its id."""
    extra = {"KeyName": key_name} if key_name else {}
    if reachable:
        extra["SecurityGroupIds"] = [ssh_from_the_learner(ec2)]
    return ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, **extra)[
        "Instances"][0]["InstanceId"]


def sandbox_address(ec2, instance_id: str) -> tuple[str, int]:
    """Where the sandbox's console output says the instance's sshd listens (fails if it does
    not say: a test never connects to an address a real instance would have)."""
    found = login.LISTENING.search(login.console_output(ec2, instance_id))
    assert found, f"{instance_id}'s console output names no sshd on 127.0.0.1"
    return found[1], int(found[2])


def private_key(pem: str) -> paramiko.PKey:
    """paramiko's key for a KeyMaterial (PKCS#1 RSA, or OpenSSH ED25519)."""
    kind = paramiko.Ed25519Key if "OPENSSH PRIVATE KEY" in pem else paramiko.RSAKey
    return kind.from_private_key(io.StringIO(pem))


def run(ec2, instance_id: str, pem: str, command: str = "whoami", user: str = "ec2-user",
        timeout: float = 10, known: str | None = None) -> str:
    """Log in as user with the private key pem, checking the host key against the console
    output (or given as known_hosts lines); run command and return its output. paramiko's
    AuthenticationException if refused, TimeoutError if nothing answers within timeout s."""
    host, port = sandbox_address(ec2, instance_id)
    client = paramiko.SSHClient()
    known = known or login.known_hosts(login.console_output(ec2, instance_id), host, port)
    for line in known.splitlines():
        entry = paramiko.hostkeys.HostKeyEntry.from_line(line)
        client.get_host_keys().add(entry.hostnames[0], entry.key.get_name(), entry.key)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(host, port, username=user, pkey=private_key(pem), look_for_keys=False,
                       allow_agent=False, timeout=timeout)
        _, stdout, _ = client.exec_command(command, timeout=10)
        return stdout.read().decode()
    finally:
        client.close()


def instance_connect(ec2):
    """An EC2 Instance Connect client on the same backend as ec2 (in-process, or the server)."""
    endpoint = ec2.meta.endpoint_url
    if endpoint.startswith("http://127.0.0.1"):
        return boto3.client("ec2-instance-connect", endpoint_url=endpoint,
                            region_name=ec2.meta.region_name, aws_access_key_id="testing",
                            aws_secret_access_key="testing")
    return boto3.client("ec2-instance-connect", region_name=ec2.meta.region_name)
