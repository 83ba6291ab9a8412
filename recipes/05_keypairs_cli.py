# Generated from notebooks/05_key_pair_manager.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/05_keypairs_cli.py create my-key --folder keys/sandbox

"""List, create and delete EC2 key pairs from the command line (saved as keypairs_cli.py).

    python keypairs_cli.py list [--region eu-west-1] [--profile work]
    python keypairs_cli.py create NAME [--type ed25519] [--folder keys] [--dry-run]  # FOLDER/NAME.pem
    python keypairs_cli.py delete NAME [--dry-run]
"""
import argparse
import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status (1 with one line on stderr if it fails)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('command', choices=['list', 'create', 'delete'])
    parser.add_argument('name', nargs='?', help='the key pair (create and delete)')
    parser.add_argument('--region', help='default: your configured Region')
    parser.add_argument('--profile', help='a profile from ~/.aws/config')
    parser.add_argument('--type', default='ed25519', choices=['rsa', 'ed25519'])
    parser.add_argument('--folder', default='keys', help='where create saves the private key')
    parser.add_argument('--dry-run', action='store_true', help='check permissions, change nothing')
    args = parser.parse_intermixed_args(argv)  # options before the name too: create --dry-run x
    if (args.command == 'list') == bool(args.name):  # list takes no name, the others one
        parser.error(f'list takes no name: {args.name!r} is one too many' if args.name
                     else f'{args.command} needs the name of a key pair')
    try:
        session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
        regions = {region for partition in session.get_available_partitions()  # aws, aws-cn...
                   for region in session.get_available_regions('ec2', partition_name=partition)}
        if session.region_name not in (None, *regions):  # a typo: say so now, not after retries
            print(f'{session.region_name} is no EC2 Region this boto3 knows: check its spelling '
                  '(e.g. us-east-1), or update boto3.', file=sys.stderr)
            return 1
        # botocore's standard retries: back off and retry throttled or failed calls, 9 times at most
        ec2 = session.client('ec2', config=Config(retries={'mode': 'standard', 'max_attempts': 9}))
        return run(ec2, args)
    except ClientError as error:
        code = error.response['Error']['Code']
        if code == 'DryRunOperation':
            print(f'Dry run: {args.command} {args.name} would succeed; nothing changed.')
            return 0
        print(f"{code}: {error.response['Error']['Message']}", file=sys.stderr)
    except NoRegionError:
        print('No Region is set: pass --region, or run aws configure.', file=sys.stderr)
    except (BotoCoreError, OSError) as error:  # no credentials or network, a file problem
        print(error, file=sys.stderr)
    return 1


def write_private(path: Path, text: str) -> None:
    """Write text to a new file that only its owner can read (mode 0600); on failure, no file."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, 'w') as file:
            file.write(text)
    except BaseException:
        path.unlink()
        raise


def run(ec2, args) -> int:
    """The command itself; botocore's errors are main's to say."""
    if args.command == 'list':
        for key in sorted(ec2.describe_key_pairs()['KeyPairs'], key=lambda key: key['KeyName']):
            print(f"{key['KeyName']}\t{key['KeyType']}\t{key['KeyPairId']}\t{key['KeyFingerprint']}")
    elif args.command == 'create':
        path = Path(args.folder, f'{args.name}.pem')
        if Path(args.name).name != args.name or path.exists():
            print(f'{path} exists, or {args.name!r} is no plain file name: nothing created.',
                  file=sys.stderr)
            return 1
        response = ec2.create_key_pair(KeyName=args.name, KeyType=args.type, DryRun=args.dry_run)
        try:
            for level in reversed([path.parent, *path.parent.parents]):  # keys/ too: 0700
                level.mkdir(mode=0o700, exist_ok=True)
            write_private(path, response['KeyMaterial'])
        except BaseException:  # no orphan key pair: delete the one just made, by its id
            ec2.delete_key_pair(KeyPairId=response['KeyPairId'])
            raise
        print(f"Created {response['KeyPairId']}; private key in {path} (mode 0600)")
    else:
        found = [key for key in ec2.describe_key_pairs(
            Filters=[{'Name': 'key-name', 'Values': [args.name]}])['KeyPairs']
            if key['KeyName'] == args.name]
        if not found:
            print(f'No key pair named {args.name}: nothing to delete.')
            return 0
        # By name, the exact one found: every EC2 look-alike honours it (some ignore an id).
        ec2.delete_key_pair(KeyName=args.name, DryRun=args.dry_run)
        print(f"Deleted {args.name} ({found[0]['KeyPairId']})")
    return 0


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    sys.exit(main())
