"""Errors a user meets, each as one sentence that says what to do, the original chained.

botocore's Stubber injects the errors the sandbox cannot produce.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from helpers import KeyPairError, create_key_pair, delete_key_pair, describe_key_pairs


@pytest.fixture
def stubbed():
    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="y")
    with Stubber(client) as stub:
        yield client, stub


@pytest.mark.parametrize("code, call, expected", [
    ("RequestLimitExceeded", "describe", "throttling your requests: wait a few seconds"),
    ("UnauthorizedOperation", "create", "may not call CreateKeyPair: ask for the "
                                        "ec2:CreateKeyPair permission"),
    ("UnauthorizedOperation", "delete", "ec2:DeleteKeyPair permission"),
    ("RequestExpired", "describe", "credentials have expired or are not valid: refresh them"),
    ("AuthFailure", "describe", "rejected your credentials"),
    ("InternalError", "describe", r"EC2 refused DescribeKeyPairs \(InternalError\): boom\."),
])
def test_client_errors_become_one_sentence(stubbed, code, call, expected):
    client, stub = stubbed
    operation = {"describe": "describe_key_pairs", "create": "create_key_pair",
                 "delete": "delete_key_pair"}[call]
    stub.add_client_error(operation, service_error_code=code, service_message="boom")
    with pytest.raises(KeyPairError, match=expected) as info:
        {"describe": lambda: describe_key_pairs(client),
         "create": lambda: create_key_pair(client, "k"),
         "delete": lambda: delete_key_pair(client, name="k")}[call]()
    message = str(info.value)
    assert "\n" not in message and message.endswith(".")
    assert isinstance(info.value.__cause__, ClientError)
    assert info.value.__cause__.response["Error"]["Code"] == code
