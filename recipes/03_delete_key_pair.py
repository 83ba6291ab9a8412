# Generated from notebooks/03_delete_key_pair.ipynb (its recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/03_delete_key_pair.py

import boto3


def delete_key_pair_if_exists(ec2, name: str) -> str | None:
    """Delete the key pair called exactly `name`; return its id, or None if there was none.

    DeleteKeyPair succeeds for a name it does not know, so this looks first; the key-name filter
    reads * and ? as wildcards, so names are compared exactly, and the delete goes by id, to the
    key pair looked at. Raises botocore's ClientError (for example UnauthorizedOperation).
    """
    response = ec2.describe_key_pairs(Filters=[{'Name': 'key-name', 'Values': [name]}])
    found = [key for key in response['KeyPairs'] if key['KeyName'] == name]
    if not found:
        return None
    ec2.delete_key_pair(KeyPairId=found[0]['KeyPairId'])
    return found[0]['KeyPairId']


if __name__ == '__main__':
    ec2 = boto3.client('ec2')
    deleted = delete_key_pair_if_exists(ec2, 'spare')
    print(f'Deleted spare ({deleted})' if deleted
          else f'No key pair named spare in {ec2.meta.region_name}')
