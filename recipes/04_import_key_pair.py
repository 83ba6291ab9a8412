# Generated from notebooks/04_import_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/04_import_key_pair.py

import sys
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError


def read_public_key(path: str | Path) -> bytes:
    """The one line of an OpenSSH RSA or ED25519 public key file (NAME.pub).

    Raises FileNotFoundError if there is no such file (make one with ssh-keygen), and
    ValueError for anything but a .pub file holding a public key: a private key is never sent.
    """
    path = Path(path).expanduser()
    if not path.is_file():  # never a new key made silently: the user would not have its twin
        raise FileNotFoundError(f'There is no file {path}: make a key pair with '
                                f'ssh-keygen -t ed25519 -f {path.with_suffix("")}')
    if path.suffix != '.pub':
        raise ValueError(f'{path} is not a .pub file: give the public half, which ssh-keygen '
                         'writes next to the private key as NAME.pub.')
    material = path.read_bytes().strip()
    if b'PRIVATE KEY' in material or material.startswith(b'PuTTY'):  # OpenSSH, PEM, PuTTY
        raise ValueError(f'{path} holds a private key: never send it; give the .pub file.')
    if not material.startswith((b'ssh-rsa ', b'ssh-ed25519 ')):
        raise ValueError(f'{path} is not an OpenSSH RSA or ED25519 public key.')
    return material


def enabled_regions(session) -> list[str]:
    """The Regions this account has enabled: DescribeRegions lists only those by default."""
    return sorted(region['RegionName']
                  for region in session.client('ec2').describe_regions()['Regions'])


def import_everywhere(session, name: str, material: bytes, regions: list[str]) -> dict[str, str]:
    """Import one public key as key pair `name` into each Region; safe to run again.

    Returns one line per Region: imported (id and fingerprint), already there (the same public
    key), skipped (another key holds the name: delete it first to replace it; instances keep
    the key they started with), or failed (the error). A failing Region stops no other.
    """
    report = {}
    for region in regions:
        ec2 = session.client('ec2', region_name=region)
        try:
            response = ec2.describe_key_pairs(
                Filters=[{'Name': 'key-name', 'Values': [name]}], IncludePublicKey=True)
            found = [key for key in response['KeyPairs'] if key['KeyName'] == name]
            if found and found[0]['PublicKey'].split()[:2] == material.decode().split()[:2]:
                report[region] = f"already there: {found[0]['KeyPairId']}"
            elif found:
                report[region] = 'skipped: another public key holds this name here'
            else:
                imported = ec2.import_key_pair(KeyName=name, PublicKeyMaterial=material)
                report[region] = f"imported: {imported['KeyPairId']} {imported['KeyFingerprint']}"
        except (ClientError, BotoCoreError) as error:
            report[region] = f'failed: {error}'
    return report


def main(public_key_file: str | Path) -> None:
    """Import public_key_file as my-laptop into two Regions; say what happened in each."""
    session = boto3.session.Session()
    regions = ['us-east-1', 'eu-west-1']  # or enabled_regions(session): every one
    try:
        material = read_public_key(public_key_file)
    except (OSError, ValueError) as error:  # no such file, or not a public key: say which
        raise SystemExit(error)
    for region, outcome in import_everywhere(session, 'my-laptop', material, regions).items():
        print(f'{region}: {outcome}')


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    main(sys.argv[1] if len(sys.argv) > 1 else 'keys/my-laptop.pub')  # or ~/.ssh/id_ed25519.pub
