# Generated from notebooks/00_setup.ipynb (a recipe cell) by make execute:
# edit the notebook, not this file. On the sandbox, nothing reaching AWS:
#     .venv/bin/python -m helpers.sandbox run recipes/00_setup.py

import boto3

session = boto3.session.Session()  # or boto3.session.Session(profile_name='work')
if session.region_name is None:
    raise SystemExit('No AWS Region is set: run aws configure, or set AWS_DEFAULT_REGION.')
account = session.client('sts').get_caller_identity()['Account']
print(f'Account {account}, Region {session.region_name}')
