# Generated from notebooks/02_create_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/02_create_key_pair.py keys/sandbox

import os
import re
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError


def create_key_pair_file(ec2, name: str, folder: str | Path = 'keys', key_type: str = 'rsa',
                         key_format: str = 'pem') -> tuple[str, Path]:
    """Create a key pair and write its private key to folder/name.pem (or .ppk), mode 0600.

    Returns the key pair's id and the file's path. Raises ValueError if the name cannot be a
    file name in folder, FileExistsError if the file exists (nothing is created), botocore's
    ClientError if EC2 refuses (e.g. InvalidKeyPair.Duplicate), and OSError if the file cannot
    be written, after deleting the key pair again, by id: EC2 returns a private key only once.
    """
    if not isinstance(name, str) or not re.fullmatch(r'[A-Za-z0-9][A-Za-z0-9._-]{0,250}', name):
        raise ValueError(f'{name!r} cannot be a file name: use up to 251 letters, digits, '
                         '".", "_", "-".')
    path = Path(folder) / f'{name}.{key_format}'
    for level in reversed([path.parent, *path.parent.parents]):  # keys/ too: only you open it
        level.mkdir(mode=0o700, exist_ok=True)
    if path.exists():  # checked first: EC2 returns the private key only once
        raise FileExistsError(f'{path} exists: move it away or choose another name.')
    try:
        response = ec2.create_key_pair(KeyName=name, KeyType=key_type, KeyFormat=key_format)
    except ClientError as error:
        if error.response['Error']['Code'] == 'InvalidKeyPair.Duplicate' and made_just_now(
                ec2, name):
            raise RuntimeError(f'{name} was created seconds ago, perhaps by this call (its answer '
                               'lost, then retried): its private key is lost. Delete the key '
                               'pair and try again.') from error
        raise
    try:
        write_private(path, response['KeyMaterial'])
    except BaseException:  # no orphan key pair either: delete the one just made, by its id
        ec2.delete_key_pair(KeyPairId=response['KeyPairId'])
        raise
    return response['KeyPairId'], path


def write_private(path: Path, text: str) -> None:
    """Write text to a new file that only its owner can read (mode 0600); on failure, no file.

    Raises FileExistsError if the file exists (it is never replaced) and OSError otherwise."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, 'w') as file:
            file.write(text)
    except BaseException:  # a full disk, Ctrl-C: no half-written key file
        path.unlink()
        raise


def made_just_now(ec2, name: str, seconds: int = 60) -> bool:
    """Whether the key pair called exactly `name` was created in the last `seconds`."""
    found = ec2.describe_key_pairs(Filters=[{'Name': 'key-name', 'Values': [name]}])['KeyPairs']
    now = datetime.now(timezone.utc)
    return any(key['KeyName'] == name and now - key['CreateTime'] < timedelta(seconds=seconds)
               for key in found)


def main(folder: str | Path = 'keys') -> int:
    """Create my-created-key with its private key in folder, and say in one line what happened.
    Returns the exit status: 0 if it was created, 1 if not (nothing was created)."""
    try:
        key_pair_id, path = create_key_pair_file(boto3.client('ec2'), 'my-created-key', folder)
    except FileExistsError as error:  # an earlier run's key file: it is never replaced
        print(f'{error} Nothing was created.', file=sys.stderr)
        return 1
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then '
                         'try again.')
    except (BotoCoreError, ClientError) as error:  # EC2 said no
        raise SystemExit(f'Could not create my-created-key: {error}')
    print(f'Created {key_pair_id}; private key in {path}, mode {oct(path.stat().st_mode & 0o777)}')
    return 0


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    sys.exit(main(*sys.argv[1:2]))  # python 02_create_key_pair.py [FOLDER]
