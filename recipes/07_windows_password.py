# Generated from notebooks/07_use_a_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     against the instances notebook 07 launched, from a terminal: see the README,
#     "07's recipes from a terminal"

import argparse
import base64
import getpass
import sys
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def read_rsa_private_key(key_file: str | Path, passphrase: str | None = None):
    """The RSA private key in key_file: PEM (PKCS#1 or PKCS#8, as EC2 gives it) or OpenSSH's
    format (as ssh-keygen -t rsa writes it), decrypted with passphrase if it is encrypted.

    Raises TypeError if it is encrypted and no passphrase was given, ValueError if the
    passphrase is wrong or the file holds no RSA private key, OSError if it cannot be read."""
    data = Path(key_file).read_bytes()
    load = (serialization.load_ssh_private_key if b'OPENSSH PRIVATE KEY' in data
            else serialization.load_pem_private_key)
    try:
        key = load(data, passphrase.encode() if passphrase else None)
    except TypeError:  # encrypted, and no passphrase given (or one for a key that has none)
        if not passphrase:
            raise TypeError(f'{key_file} is encrypted: give its passphrase.') from None
        key = load(data, None)
    except ValueError:
        raise ValueError(f'{key_file} could not be read: a wrong passphrase, or no private '
                         'key in PEM or OpenSSH format.') from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f'{key_file} holds no RSA private key: Windows instances launch with '
                         'RSA key pairs only.')
    return key


def windows_password(ec2, instance_id: str, key_file: str | Path,
                     passphrase: str | None = None) -> str | None:
    """The Administrator password of a Windows instance, decrypted with the private key of the
    RSA key pair it was launched with; None while EC2 has none yet (up to 15 minutes).

    Raises ValueError for a Linux instance or a key that is not that key pair's, besides
    read_rsa_private_key's errors and botocore's ClientError (InvalidInstanceID.NotFound)."""
    (reservation,) = ec2.describe_instances(InstanceIds=[instance_id])['Reservations']
    if reservation['Instances'][0].get('Platform') != 'windows':
        raise ValueError(f'{instance_id} is a Linux instance: it has no Administrator password. '
                         'Log in with SSH and its key pair instead.')
    data = ec2.get_password_data(InstanceId=instance_id)['PasswordData'].strip()
    if not data:
        return None
    private_key = read_rsa_private_key(key_file, passphrase)
    mine = private_key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                                 serialization.PublicFormat.OpenSSH).split()
    # Public keys first: with a wrong key, OpenSSL 3.2+ decrypts PKCS#1 v1.5 to random bytes.
    key_pairs = ec2.describe_key_pairs(IncludePublicKey=True, Filters=[  # none if deleted since
        {'Name': 'key-name', 'Values': [reservation['Instances'][0]['KeyName']]}])['KeyPairs']
    try:
        if any(pair['PublicKey'].encode().split()[:2] != mine for pair in key_pairs):
            raise ValueError  # not its key pair's: the same answer as a failed decryption
        return private_key.decrypt(base64.b64decode(data), padding.PKCS1v15()).decode()
    except ValueError:
        raise ValueError(f'{key_file} is not the private key of the key pair {instance_id} was '
                         'launched with.') from None


def main(arguments: list[str]) -> None:
    """INSTANCE_ID KEY_FILE: print that instance's password (asking for the key's passphrase if
    it has one); without arguments, list the running Windows instances."""
    parser = argparse.ArgumentParser(f'python {sys.argv[0]}', description=main.__doc__)
    parser.add_argument('instance_id', nargs='?', metavar='INSTANCE_ID')
    parser.add_argument('key_file', nargs='?', metavar='KEY_FILE')
    given = parser.parse_args(arguments)
    if given.instance_id and not given.key_file:
        parser.error('give INSTANCE_ID and KEY_FILE, or nothing to list the instances')
    try:
        ec2 = boto3.client('ec2')
        if given.key_file:
            try:
                password = windows_password(ec2, given.instance_id, given.key_file)
            except TypeError:  # an encrypted key: its passphrase, typed unseen
                passphrase = getpass.getpass(f'Passphrase for {given.key_file}: ')
                password = windows_password(ec2, given.instance_id, given.key_file, passphrase)
            print(password or f'{given.instance_id} has no password yet: try again in minutes.')
            return
        running = [instance for page in ec2.get_paginator('describe_instances').paginate(
            Filters=[{'Name': 'instance-state-name', 'Values': ['running']}])
            for reservation in page['Reservations'] for instance in reservation['Instances']
            if instance.get('Platform') == 'windows']
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then try again.')
    except (BotoCoreError, ClientError, OSError, ValueError) as error:  # a wrong key or instance
        raise SystemExit(f'Could not get the password: {error}')
    for instance in running:
        print(instance['InstanceId'], instance.get('KeyName', '(no key pair: no password)'))
    print(f'{len(running)} running Windows instance(s) in {ec2.meta.region_name}.')
    parser.print_usage()


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    main(sys.argv[1:])
