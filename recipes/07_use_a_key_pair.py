# Generated from notebooks/07_use_a_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/07_use_a_key_pair.py

import base64
import sys

import boto3
import paramiko
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

KEYS = ('-----BEGIN SSH HOST KEY KEYS-----', '-----END SSH HOST KEY KEYS-----')


def console_host_keys(ec2, instance_id: str) -> list[paramiko.PKey]:
    """The host keys the instance printed to its console as it first booted (cloud-init).

    Raises LookupError if the console shows none (yet: they appear minutes after the first
    boot), and botocore's ClientError (e.g. InvalidInstanceID.NotFound)."""
    output = ec2.get_console_output(InstanceId=instance_id).get('Output') or ''
    lines = [line.split('ec2: ')[-1].strip() for line in output.splitlines()]
    if KEYS[0] not in lines or KEYS[1] not in lines:
        raise LookupError(f'The console of {instance_id} shows no host keys yet: try again '
                          'a few minutes after its first boot.')
    block = lines[lines.index(KEYS[0]) + 1:lines.index(KEYS[1])]
    return [paramiko.PKey.from_type_string(line.split()[0], base64.b64decode(line.split()[1]))
            for line in block if line]


def run_command(ec2, instance_id: str, key_file: str, command: str, user: str = 'ec2-user',
                host: str | None = None, port: int = 22, timeout: float = 30) -> str:
    """Run command on the instance over SSH as user, logged in with the private key in
    key_file, and return what it printed. host: the instance's public DNS name (or IP) if None.

    Only a host key from the instance's console is accepted. Raises LookupError (no host keys
    yet, or no public address), paramiko's BadHostKeyException or SSHException (another host
    key), AuthenticationException (a wrong key or user), OSError (nothing answers), RuntimeError
    (the command failed: its error output) and botocore's ClientError."""
    if host is None:
        (reservation,) = ec2.describe_instances(InstanceIds=[instance_id])['Reservations']
        instance = reservation['Instances'][0]
        host = instance.get('PublicDnsName') or instance.get('PublicIpAddress')
        if not host:
            raise LookupError(f'{instance_id} has no public address: connect from inside its '
                              'VPC, with host= its PrivateIpAddress.')
    client = paramiko.SSHClient()
    name = host if port == 22 else f'[{host}]:{port}'  # as known_hosts names a host
    for key in console_host_keys(ec2, instance_id):
        client.get_host_keys().add(name, key.get_name(), key)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())  # never trust a new host key
    try:
        client.connect(host, port, username=user, key_filename=str(key_file),
                       look_for_keys=False, allow_agent=False, timeout=timeout)
        _, stdout, stderr = client.exec_command(command, timeout=timeout)
        printed, status = stdout.read().decode(), stdout.channel.recv_exit_status()
        if status != 0:
            raise RuntimeError(f'{command!r} failed ({status}): {stderr.read().decode().strip()}')
        return printed
    finally:
        client.close()


def main(arguments: list[str]) -> None:
    """With INSTANCE_ID KEY_FILE COMMAND [USER], run COMMAND there and print what it printed;
    without, list the running instances that have a key pair."""
    try:
        ec2 = boto3.client('ec2')
        if len(arguments) >= 3:
            instance_id, key_file, command, *rest = arguments
            user = rest[0] if rest else 'ec2-user'
            print(run_command(ec2, instance_id, key_file, command, user), end='')
            return
        running = [instance for page in ec2.get_paginator('describe_instances').paginate(
            Filters=[{'Name': 'instance-state-name', 'Values': ['running']}])
            for reservation in page['Reservations'] for instance in reservation['Instances']
            if instance.get('KeyName')]
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then '
                         'try again.')
    except (BotoCoreError, ClientError, paramiko.SSHException, LookupError, OSError,
            RuntimeError) as error:  # EC2 or the instance said no, or nothing answered
        raise SystemExit(f'Could not run the command: {error}')
    for instance in running:
        print(instance['InstanceId'], instance['KeyName'],
              instance.get('PublicDnsName') or '(no public address)')
    print(f'{len(running)} running instance(s) with a key pair in {ec2.meta.region_name}. '
          'Run a command: python 07_use_a_key_pair.py INSTANCE_ID KEY_FILE COMMAND [USER]')


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    main(sys.argv[1:])
