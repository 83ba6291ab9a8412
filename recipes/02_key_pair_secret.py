# Generated from notebooks/02_create_key_pair.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/02_key_pair_secret.py

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

# A tagging convention: who owns the key pair, what it is for, and what made it.
TAGS = {'Owner': 'platform-team', 'Purpose': 'ci-deploy', 'CreatedBy': 'create_key_pair_secret'}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    """Tags as the AWS APIs take them: [{'Key': ..., 'Value': ...}]."""
    return [{'Key': key, 'Value': value} for key, value in tags.items()]


def create_key_pair_secret(ec2, secrets, name: str, tags: dict[str, str] = TAGS,
                           key_type: str = 'ed25519') -> tuple[str, str]:
    """Create a key pair and keep its private key only in Secrets Manager: no file anywhere,
    for Lambda or CI. The secret is named ec2-key-pair/NAME and carries the same tags.

    Returns the key pair's id and the secret's ARN. Raises botocore's ClientError if EC2 or
    Secrets Manager refuses (a taken name, an existing secret) and BotoCoreError if nothing was
    reached; if the secret cannot be stored, the key pair is deleted again, by id, first.
    """
    response = ec2.create_key_pair(
        KeyName=name, KeyType=key_type,
        TagSpecifications=[{'ResourceType': 'key-pair', 'Tags': tag_list(tags)}])
    try:
        secret = secrets.create_secret(
            Name=f'ec2-key-pair/{name}', SecretString=response['KeyMaterial'], Tags=tag_list(tags),
            Description=f"Private key of EC2 key pair {name} ({response['KeyPairId']})")
    except (ClientError, BotoCoreError):  # a key pair whose private key is lost is useless
        ec2.delete_key_pair(KeyPairId=response['KeyPairId'])
        raise
    return response['KeyPairId'], secret['ARN']


if __name__ == '__main__':
    try:
        ec2, secrets = boto3.client('ec2'), boto3.client('secretsmanager')
        key_pair_id, arn = create_key_pair_secret(ec2, secrets, 'ci-deploy-key')
    except (NoRegionError, NoCredentialsError):  # nothing set up on this machine yet
        raise SystemExit('No AWS Region or credentials found: run aws configure, then '
                         'try again.')
    except (BotoCoreError, ClientError) as error:  # a name taken
        raise SystemExit(f'Could not create ci-deploy-key: {error}')
    print(f'Created {key_pair_id}; private key only in the secret ec2-key-pair/ci-deploy-key')
