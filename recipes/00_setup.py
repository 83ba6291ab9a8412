# Generated from notebooks/00_setup.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/00_setup.py

import boto3
from botocore.exceptions import BotoCoreError, ClientError

session = boto3.session.Session()  # or boto3.session.Session(profile_name='work')
if session.region_name is None:
    raise SystemExit('No AWS Region is set: run aws configure, or set AWS_DEFAULT_REGION.')
try:
    account = session.client('sts').get_caller_identity()['Account']
except (BotoCoreError, ClientError) as error:  # no credentials, expired ones, no network
    raise SystemExit(f'AWS did not say who you are ({error}): run aws configure, or aws sso login.')
print(f'Account {account}, Region {session.region_name}')
