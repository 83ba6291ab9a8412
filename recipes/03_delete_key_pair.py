# Generated from notebooks/03_delete_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/03_delete_key_pair.py

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped']


def find_key_pair(ec2, name: str) -> dict | None:
    """The key pair called exactly `name`, or None (the key-name filter reads * and ? as
    wildcards, so names are compared exactly)."""
    response = ec2.describe_key_pairs(Filters=[{'Name': 'key-name', 'Values': [name]}])
    return next((key for key in response['KeyPairs'] if key['KeyName'] == name), None)


def key_pair_users(ec2, name: str) -> list[str]:
    """What in the client's Region still names key pair `name`: instances not terminated, and
    the latest and default versions of launch templates.

    A hint, not a verdict: Auto Scaling launch configurations and Spot requests can name a key
    pair too, and an instance keeps the public key it started with, whatever EC2 holds.
    Raises botocore's ClientError (for example UnauthorizedOperation).
    """
    users = []
    instances = ec2.get_paginator('describe_instances').paginate(Filters=[
        {'Name': 'key-name', 'Values': [name]},
        {'Name': 'instance-state-name', 'Values': LIVE_STATES}])
    for page in instances:
        users += [f"instance {instance['InstanceId']}" for reservation in page['Reservations']
                  for instance in reservation['Instances'] if instance.get('KeyName') == name]
    for page in ec2.get_paginator('describe_launch_templates').paginate():
        for template in page['LaunchTemplates']:
            versions = ec2.describe_launch_template_versions(
                LaunchTemplateId=template['LaunchTemplateId'],
                Versions=['$Latest', '$Default'])['LaunchTemplateVersions']
            users += sorted({f"launch template {template['LaunchTemplateName']} version "
                             f"{version['VersionNumber']}" for version in versions
                             if version['LaunchTemplateData'].get('KeyName') == name})
    return users


def delete_key_pair_if_unused(ec2, name: str) -> str | None:
    """Delete the key pair called exactly `name`, by id, if nothing uses it; return its id, or
    None if there was none (DeleteKeyPair itself succeeds for a name it does not know).

    Raises RuntimeError, naming its users, if something still uses it, and ClientError.
    """
    key = find_key_pair(ec2, name)
    if key is None:
        return None
    users = key_pair_users(ec2, name)
    if users:
        raise RuntimeError(f'{name} is still used by {", ".join(users)}: not deleted.')
    ec2.delete_key_pair(KeyPairId=key['KeyPairId'])
    return key['KeyPairId']


def rotate_key_pair(ec2, old: str, new: str, launch_template_id: str) -> int:
    """Move a launch template from key pair `old` to `new` (made or imported first, see 02 and
    04) in a new default version, made from the current default (a newer draft version is
    not promoted), then delete `old` if nothing else uses it.

    Returns the new version's number. Raises ClientError before any change if `new` does not
    exist, and RuntimeError, naming them, if other users keep `old` (the template has moved on;
    replace those, then delete `old`). Running instances keep the key they started with.
    """
    ec2.describe_key_pairs(KeyNames=[new])  # InvalidKeyPair.NotFound: nothing changed yet
    version = ec2.create_launch_template_version(
        LaunchTemplateId=launch_template_id, SourceVersion='$Default',
        LaunchTemplateData={'KeyName': new}, VersionDescription=f'key pair {old} -> {new}',
    )['LaunchTemplateVersion']['VersionNumber']
    ec2.modify_launch_template(LaunchTemplateId=launch_template_id, DefaultVersion=str(version))
    delete_key_pair_if_unused(ec2, old)
    return version


if __name__ == '__main__':
    try:
        ec2 = boto3.client('ec2')
        deleted = delete_key_pair_if_unused(ec2, 'spare')
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then '
                         'try again.')
    except (BotoCoreError, ClientError) as error:  # no permission
        raise SystemExit(f'Could not delete spare: {error}')
    print(f'Deleted spare ({deleted})' if deleted
          else f'No key pair named spare in {ec2.meta.region_name}')
