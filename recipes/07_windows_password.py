# Generated from notebooks/07_use_a_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/07_windows_password.py

import base64
import sys
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def windows_password(ec2, instance_id: str, key_file: str | Path) -> str | None:
    """The Administrator password of a Windows instance, decrypted with the private key (PEM)
    of the RSA key pair it was launched with; None while EC2 has none (up to 15 minutes after
    launch, and always for Linux).

    Raises ValueError if key_file holds no RSA private key or not that key pair's, TypeError if
    it is encrypted with a passphrase, OSError if it cannot be read, and botocore's ClientError
    (e.g. InvalidInstanceID.NotFound)."""
    data = ec2.get_password_data(InstanceId=instance_id)['PasswordData'].strip()
    if not data:
        return None
    try:
        private_key = serialization.load_pem_private_key(Path(key_file).read_bytes(), None)
    except ValueError:  # not PEM: e.g. an ED25519 key, in OpenSSH's format
        private_key = None
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ValueError(f'{key_file} holds no RSA private key in PEM: Windows instances launch '
                         'with RSA key pairs only.')
    try:
        return private_key.decrypt(base64.b64decode(data), padding.PKCS1v15()).decode()
    except ValueError:
        raise ValueError(f'{key_file} is not the private key of the key pair {instance_id} was '
                         'launched with.') from None


def main(arguments: list[str]) -> None:
    """With INSTANCE_ID KEY_FILE, print that instance's password; without, list the running
    Windows instances."""
    try:
        ec2 = boto3.client('ec2')
        if len(arguments) == 2:
            password = windows_password(ec2, *arguments)
            print(password or f'{arguments[0]} has no password yet: try again in a few minutes.')
            return
        running = [instance for page in ec2.get_paginator('describe_instances').paginate(
            Filters=[{'Name': 'instance-state-name', 'Values': ['running']}])
            for reservation in page['Reservations'] for instance in reservation['Instances']
            if instance.get('Platform') == 'windows']
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then '
                         'try again.')
    except (BotoCoreError, ClientError, OSError, ValueError, TypeError) as error:  # a wrong key
        raise SystemExit(f'Could not get the password: {error}')
    for instance in running:
        print(instance['InstanceId'], instance.get('KeyName', '(no key pair: no password)'))
    print(f'{len(running)} running Windows instance(s) in {ec2.meta.region_name}. Decrypt a '
          'password: python 07_windows_password.py INSTANCE_ID KEY_FILE')


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    main(sys.argv[1:])
