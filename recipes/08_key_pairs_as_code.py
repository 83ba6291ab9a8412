# Generated from notebooks/08_key_pairs_as_code.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/08_key_pairs_as_code.py

import argparse
import os
import sys
from pathlib import Path

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

PARAMETER = '/ec2/keypair/{}'  # where CloudFormation keeps a created key pair's private key


def stack_key_pairs(session=None) -> list[tuple[str, str, str]]:
    """(stack name, logical id, key pair name) of every key pair the Region's stacks made."""
    cfn = (session or boto3.Session()).client('cloudformation')
    found = []
    for page in cfn.get_paginator('describe_stacks').paginate():
        for stack in page['Stacks']:
            resources = cfn.describe_stack_resources(StackName=stack['StackName'])
            found += [(stack['StackName'], r['LogicalResourceId'], r['PhysicalResourceId'])
                      for r in resources['StackResources']
                      if r['ResourceType'] == 'AWS::EC2::KeyPair']
    return found


def save_stack_private_key(stack_name: str, logical_id: str, folder: str | Path = 'keys',
                           session=None) -> Path:
    """Save the private key of the key pair that stack_name's resource logical_id made, from
    Parameter Store to FOLDER/NAME.pem (.ppk for PuTTY's format), mode 0600; return its path.

    Safe to run again: a file that holds this key already is kept as it is, and one that holds
    another key is never replaced (FileExistsError). Raises LookupError if the resource is no
    key pair, or one without a private key in Parameter Store (an imported key), and
    ClientError for what AWS refuses (an unknown stack or logical id, a missing permission)."""
    session = session or boto3.Session()
    cfn, ec2, ssm = (session.client(service) for service in ('cloudformation', 'ec2', 'ssm'))
    resource = cfn.describe_stack_resource(StackName=stack_name, LogicalResourceId=logical_id)
    detail = resource['StackResourceDetail']
    if detail['ResourceType'] != 'AWS::EC2::KeyPair':
        raise LookupError(f"{logical_id} in {stack_name} is an {detail['ResourceType']}, not "
                          'an AWS::EC2::KeyPair.')
    name = detail['PhysicalResourceId']
    key_pair_id = ec2.describe_key_pairs(KeyNames=[name])['KeyPairs'][0]['KeyPairId']
    try:
        private_key = ssm.get_parameter(Name=PARAMETER.format(key_pair_id),
                                        WithDecryption=True)['Parameter']['Value']
    except ClientError as error:
        if error.response['Error']['Code'] != 'ParameterNotFound':
            raise
        raise LookupError(f'{name} has no private key in Parameter Store: it was imported (its '
                          'private key is where its public key came from).') from None
    suffix = '.pem' if private_key.startswith('-----BEGIN') else '.ppk'  # else PuTTY's
    path = Path(folder) / f'{name}{suffix}'
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists() and path.read_text() == private_key:
        return path  # saved before: nothing to do
    try:  # O_EXCL: never replace a file, even one that appears meanwhile
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise FileExistsError(f'{path} holds another key: move it away, then run this '
                              'again.') from None
    try:
        with os.fdopen(descriptor, 'w') as file:
            file.write(private_key)
    except OSError:
        path.unlink()  # no half-written key file
        raise
    return path


def main(arguments: list[str]) -> None:
    """STACK LOGICAL_ID: save the private key of that stack's key pair; without arguments, list
    the key pairs the Region's stacks made."""
    parser = argparse.ArgumentParser(f'python {sys.argv[0]}', description=main.__doc__)
    parser.add_argument('stack', nargs='?', metavar='STACK')
    parser.add_argument('logical_id', nargs='?', metavar='LOGICAL_ID')
    parser.add_argument('--folder', default='keys', metavar='DIR',
                        help='where to save it (default: keys)')
    given = parser.parse_args(arguments)
    if given.stack and not given.logical_id:
        parser.error('give STACK and LOGICAL_ID, or nothing to list the key pairs of stacks')
    try:
        if given.stack:
            path = save_stack_private_key(given.stack, given.logical_id, given.folder)
            print(f'Private key of {given.stack}/{given.logical_id} in {path} (mode 0600).')
            return
        found = stack_key_pairs()
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then try again.')
    except (BotoCoreError, ClientError, LookupError, OSError) as error:
        raise SystemExit(f'Could not save the private key: {error}')
    for stack, logical_id, name in found:
        print(stack, logical_id, name)
    print(f'{len(found)} key pair(s) made by stacks in {boto3.Session().region_name}.')
    parser.print_usage()


if __name__ == '__main__' and 'ipykernel' not in sys.modules:  # as a script, not in Jupyter
    main(sys.argv[1:])
