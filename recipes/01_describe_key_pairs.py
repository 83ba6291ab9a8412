# Generated from notebooks/01_describe_key_pairs.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/01_describe_key_pairs.py

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

# botocore's standard retries: back off and retry throttled or failed calls, 9 times at most.
RETRIES = Config(retries={'mode': 'standard', 'max_attempts': 9})


def find_key_pair(ec2, name: str) -> dict | None:
    """The key pair called exactly `name` in the client's Region, or None if there is none.

    Asks with the key-name filter, which never raises NotFound, then compares names exactly:
    the filter reads * and ? as wildcards. Raises botocore's ClientError (for example
    UnauthorizedOperation) and BotoCoreError (no credentials, no network).
    """
    response = ec2.describe_key_pairs(Filters=[{'Name': 'key-name', 'Values': [name]}])
    return next((key for key in response['KeyPairs'] if key['KeyName'] == name), None)


def wait_for_key_pair(ec2, name: str, seconds: int = 60) -> None:
    """Wait until DescribeKeyPairs lists `name`: EC2 is eventually consistent, so a key pair made
    a moment ago elsewhere may not show yet. Raises botocore's WaiterError after `seconds`."""
    ec2.get_waiter('key_pair_exists').wait(
        KeyNames=[name], WaiterConfig={'Delay': 5, 'MaxAttempts': max(1, seconds // 5)})


if __name__ == '__main__':
    try:
        ec2 = boto3.client('ec2', config=RETRIES)
        key_pairs = sorted(ec2.describe_key_pairs()['KeyPairs'], key=lambda key: key['KeyName'])
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then '
                         'try again.')
    except (BotoCoreError, ClientError) as error:  # no permission
        raise SystemExit(f'Could not list the key pairs: {error}')
    print(f'{len(key_pairs)} key pairs in {ec2.meta.region_name}')
    for key in key_pairs:
        print(f"{key['KeyName']:<14} {key['KeyType']:<8} {key['KeyPairId']} "
              f"{key['CreateTime']:%Y-%m-%d %H:%M:%S}")
    print('build-server exists:', find_key_pair(ec2, 'build-server') is not None)
