# Generated from notebooks/06_audit_key_pairs.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/06_audit_key_pairs.py

from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

RETRIES = Config(retries={'mode': 'standard', 'max_attempts': 5})


def enabled_regions(session: boto3.session.Session) -> list[str]:
    """The Regions the account can use (an opt-in Region only once enabled)."""
    response = session.client('ec2', config=RETRIES).describe_regions(Filters=[
        {'Name': 'opt-in-status', 'Values': ['opt-in-not-required', 'opted-in']}])
    return sorted(region['RegionName'] for region in response['Regions'])


def inventory(session: boto3.session.Session,
              regions: list[str]) -> tuple[list[dict], dict[str, str]]:
    """Every key pair of the Regions, each with its Region, and why each failed Region failed."""
    # Clients made here, one per Region: a session is not thread-safe, its clients are.
    clients = {r: session.client('ec2', region_name=r, config=RETRIES) for r in regions}
    with ThreadPoolExecutor(max_workers=8) as pool:
        asked = {r: pool.submit(c.describe_key_pairs) for r, c in clients.items()}
    key_pairs, failed = [], {}
    for region, answer in asked.items():
        try:
            key_pairs += [{'Region': region, **k} for k in answer.result()['KeyPairs']]
        except (ClientError, BotoCoreError) as error:  # one Region's failure stops no other
            failed[region] = str(error)
    return key_pairs, failed


if __name__ == '__main__':
    session = boto3.session.Session()
    try:
        regions = enabled_regions(session)
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then '
                         'try again.')
    except (BotoCoreError, ClientError) as error:  # no permission
        raise SystemExit(f'Could not list the Regions: {error}')
    key_pairs, failed = inventory(session, regions)
    for key in key_pairs:
        print(f"{key['Region']}: {key['KeyName']} {key['KeyPairId']}")
    for region, why in failed.items():
        print(f'{region}: could not be asked: {why}')
    print(f'{len(key_pairs)} key pairs in {len(regions)} Regions, {len(failed)} could not be asked')
