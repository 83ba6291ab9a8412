# Generated from notebooks/07_use_a_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     against the instances notebook 07 launched, from a terminal: see the README,
#     "07's recipes from a terminal"

import argparse
import base64
import socket
import sys

import boto3
import paramiko
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

KEYS = ('-----BEGIN SSH HOST KEY KEYS-----', '-----END SSH HOST KEY KEYS-----')


def console_host_keys(ec2, instance_id: str) -> list[paramiko.PKey]:
    """The host keys the instance printed to its console as it first booted (cloud-init).
    Raises LookupError if it lists none (yet: minutes after the first boot), and ClientError."""
    output = ec2.get_console_output(InstanceId=instance_id).get('Output') or ''
    lines = [line.split('ec2: ')[-1].strip() for line in output.splitlines()]
    block = (lines[lines.index(KEYS[0]) + 1:lines.index(KEYS[1])]
             if KEYS[0] in lines and KEYS[1] in lines else [])
    keys = [paramiko.PKey.from_type_string(line.split()[0], base64.b64decode(line.split()[1]))
            for line in block if line]
    if not keys:
        raise LookupError(f'The console of {instance_id} lists no host keys yet: try again '
                          'a few minutes after its first boot.')
    return keys


def run_command(ec2, instance_id: str, key_file: str, command: str, user: str = 'ec2-user',
                host: str | None = None, port: int = 22, timeout: float = 30) -> str:
    """Run command on the instance over SSH as user, logged in with the private key in
    key_file; return what it printed. host: its public DNS name (or IP) if None, or where a
    tunnel, a bastion or the sandbox listens, with its port. Only a host key the console lists
    is trusted. Raises LookupError (no host keys yet, no public address, a name that does not
    resolve), paramiko's SSHException (another host key) and AuthenticationException (a wrong key
    or user), TimeoutError (no security group lets you in), OSError (nothing listens),
    RuntimeError (the command failed) and ClientError."""
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
    except socket.gaierror:
        raise LookupError(f'{host} does not resolve: give the address (host=, --host).') from None
    except TimeoutError:  # the packets were dropped: what a security group does
        raise TimeoutError(f'{host} port {port} did not answer in {timeout} s: does a security '
                           'group let your address in on port 22?') from None
    finally:
        client.close()


def main(arguments: list[str]) -> None:
    """INSTANCE_ID KEY_FILE COMMAND [--user USER] [--host HOST --port PORT]: run COMMAND there
    and print what it printed; without arguments, list the running instances with a key pair."""
    parser = argparse.ArgumentParser(f'python {sys.argv[0]}', description=main.__doc__)
    parser.add_argument('run', nargs='*', metavar='INSTANCE_ID KEY_FILE COMMAND')
    parser.add_argument('--user', default='ec2-user')
    parser.add_argument('--host', help="default: the instance's public DNS name (or IP)")
    parser.add_argument('--port', type=int, default=22)
    given = parser.parse_args(arguments)
    if given.run and len(given.run) != 3:
        parser.error('give INSTANCE_ID KEY_FILE COMMAND, or nothing to list the instances')
    try:
        ec2 = boto3.client('ec2')
        if given.run:
            instance_id, key_file, command = given.run
            print(run_command(ec2, instance_id, key_file, command, given.user, given.host,
                              given.port), end='')
            return
        running = [instance for page in ec2.get_paginator('describe_instances').paginate(
            Filters=[{'Name': 'instance-state-name', 'Values': ['running']}])
            for reservation in page['Reservations'] for instance in reservation['Instances']
            if instance.get('KeyName')]
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then try again.')
    except (BotoCoreError, ClientError, paramiko.SSHException, LookupError, OSError,
            RuntimeError) as error:  # EC2 or the instance said no, or nothing answered
        raise SystemExit(f'Could not run the command: {error}')
    for instance in running:
        print(instance['InstanceId'], instance['KeyName'], instance.get('PublicDnsName') or '-')
    print(f'{len(running)} running instance(s) with a key pair in {ec2.meta.region_name}.')
    parser.print_usage()


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    main(sys.argv[1:])
