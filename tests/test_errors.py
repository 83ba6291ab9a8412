"""Errors a user meets, each as one sentence that says what to do, the original chained.

botocore's Stubber injects the errors the sandbox cannot produce.
"""

from __future__ import annotations

import errno
import re

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
)
from botocore.parsers import ResponseParserError
from botocore.stub import Stubber

from helpers import (
    DryRunSucceeded,
    KeyPairError,
    create_key_pair,
    delete_key_pair,
    describe_key_pairs,
)
from helpers.errors import explain, friendly_errors, taught_error


@pytest.fixture
def stubbed():
    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="y")
    with Stubber(client) as stub:
        yield client, stub


@pytest.mark.parametrize("code, call, expected", [
    ("RequestLimitExceeded", "describe", "throttling your requests: wait a few seconds"),
    ("UnauthorizedOperation", "create", "may not call CreateKeyPair: ask an administrator to "
                                        "allow ec2:CreateKeyPair"),
    ("UnauthorizedOperation", "delete", "allow ec2:DeleteKeyPair for you"),
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


def client_error(code: str, message: str = "It went wrong.", operation: str = "CreateKeyPair"):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


# Every sentence a learner can meet, word for word: these are what the notebooks teach.
SENTENCES = {
    "InvalidKeyPair.Duplicate": "A key pair named 'laptop' already exists in this Region: pick "
    "another name, or delete the existing key pair first.",
    "InvalidKeyPair.NotFound": "It went wrong in this Region: check the name or id with "
    "describe_key_pairs(), or look in the Region where you created it.",
    "InvalidKey.Format": "EC2 cannot read that public key: give the whole one-line OpenSSH public "
    "key of an RSA or ED25519 key, as in a .pub file ('ssh-ed25519 AAAA...').",
    "InvalidKeyPair.Format": "EC2 cannot read that public key: give the whole one-line OpenSSH "
    "public key of an RSA or ED25519 key, as in a .pub file ('ssh-ed25519 AAAA...').",
    "UnauthorizedOperation": "Your AWS identity may not call CreateKeyPair: ask an administrator "
    "to allow ec2:CreateKeyPair for you (recipes/iam/least-privilege.json holds all this "
    "tutorial calls), or use the sandbox.",
    "RequestLimitExceeded": "AWS is throttling your requests: wait a few seconds and try again, "
    "with fewer calls per second.",
    "Throttling": "AWS is throttling your requests: wait a few seconds and try again, with fewer "
    "calls per second.",
    "AuthFailure": "AWS rejected your credentials, or the Region is not enabled for your account: "
    "check them (aws sts get-caller-identity), or enable the Region (an opt-in Region).",
    "InvalidParameterValue": "It went wrong: correct the value and try again.",
    "ExpiredToken": "Your AWS credentials have expired or are not valid: refresh them (for "
    "example aws sso login) and try again.",
    "RequestExpired": "Your AWS credentials have expired or are not valid: refresh them (for "
    "example aws sso login) and try again.",
    "InvalidClientTokenId": "Your AWS credentials have expired or are not valid: refresh them "
    "(for example aws sso login) and try again.",
    "Unexpected": "EC2 refused CreateKeyPair (Unexpected): It went wrong.",
}


@pytest.mark.parametrize("code", SENTENCES)
def test_each_error_code_reads_as_its_sentence(code):
    assert str(explain(client_error(code), "laptop")) == SENTENCES[code]


@pytest.mark.parametrize(("message", "sentence"), [
    ("You are not authorized to perform this operation. User: arn:aws:iam::1:user/r is not "
     "authorized to perform: ec2:CreateKeyPair on resource: arn:aws:ec2:us-east-1:1:key-pair/x "
     "because no identity-based policy allows the ec2:CreateKeyPair action. Encoded "
     "authorization failure message: AbC", "ask an administrator to allow ec2:CreateKeyPair on "
     "arn:aws:ec2:us-east-1:1:key-pair/x for you"),
    ("You are not authorized to perform this operation. User: arn:aws:iam::1:user/r is not "
     "authorized to perform: ec2:DeleteKeyPair on resource: arn:aws:ec2:us-east-1:1:key-pair/x "
     "with an explicit deny in an identity-based policy.", "a policy denies ec2:DeleteKeyPair "
     "on arn:aws:ec2:us-east-1:1:key-pair/x explicitly, which no allow overrides"),
    ("User: arn:aws:iam::1:user/r is not authorized to perform: ssm:GetParameter",
     "ask an administrator to allow ssm:GetParameter for you"),
])
def test_a_refusal_by_iam_names_the_action_and_resource_to_ask_for(message, sentence):
    said = str(explain(client_error("UnauthorizedOperation", message)))
    assert sentence in said and said.startswith("Your AWS identity may not call CreateKeyPair: ")


def test_a_missing_parameter_says_which_and_what_to_give(ec2):
    with pytest.raises(ClientError) as empty:  # a plain boto3 call, as a learner writes it
        ec2.import_key_pair(KeyName="laptop", PublicKeyMaterial=b"")
    assert str(explain(empty.value)) == (
        "ImportKeyPair needs PublicKeyMaterial, and it was missing or empty: give the whole "
        "one-line OpenSSH public key, as in a .pub file ('ssh-ed25519 AAAA...').")
    other = client_error("MissingParameter", "The request must contain the parameter Foo",
                         "RunInstances")
    assert str(explain(other)) == "RunInstances needs Foo, and it was missing or empty: give it."


def test_a_dry_run_that_would_succeed_says_nothing_changed():
    answer = explain(client_error("DryRunOperation", operation="DeleteKeyPair"))
    assert isinstance(answer, DryRunSucceeded)
    assert str(answer) == ("Dry run of DeleteKeyPair: the request is valid and permitted, and "
                           "nothing was changed; call again without dry_run to do it.")


@pytest.mark.parametrize("error, sentence", [
    (NoCredentialsError(), "No AWS credentials were found: configure them (aws configure or "
     "AWS_PROFILE; for a local endpoint any value works), or use the sandbox by leaving "
     "EC2_KEYPAIRS_LIVE unset."),
    (NoRegionError(), "No AWS Region is set: pass region='us-east-1' (or yours), or set "
     "AWS_DEFAULT_REGION."),
    (OSError(errno.EROFS, "Read-only file system", "keys/k.pem"), "The file system refused: "
     "Read-only file system (keys/k.pem): free space or fix the permissions there, or choose "
     "another folder."),
    (OSError(errno.ENOSPC, "No space left on device"), "The file system refused: No space left "
     "on device: free space or fix the permissions there, or choose another folder."),
    (ValueError("odd"), "ValueError: odd"),
])
def test_other_errors_read_as_one_sentence(error, sentence):
    assert str(explain(error)) == sentence


def test_friendly_errors_chain_the_original_and_let_other_errors_through():
    with pytest.raises(KeyPairError) as raised, friendly_errors("laptop"):
        raise client_error("InvalidKeyPair.Duplicate")
    assert raised.value.__cause__.response["Error"]["Code"] == "InvalidKeyPair.Duplicate"
    with pytest.raises(ZeroDivisionError), friendly_errors():
        raise ZeroDivisionError  # a bug of the caller's own is not dressed up as an AWS error


@pytest.mark.parametrize("variable, remedy", [
    ("AWS_ENDPOINT_URL_EC2", "start the server (make sandbox-server), or fix or unset "
     "AWS_ENDPOINT_URL_EC2."),
    ("AWS_ENDPOINT_URL", "start the server (make sandbox-server), or fix or unset "
     "AWS_ENDPOINT_URL."),
    (None, "check your network, and that the Region exists and is enabled for your account."),
])
def test_nothing_answering_names_the_variable_that_is_set(monkeypatch, variable, remedy):
    for name in ("AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    if variable:
        monkeypatch.setenv(variable, "http://127.0.0.1:5000")
    error = EndpointConnectionError(endpoint_url="http://127.0.0.1:5000")
    assert str(explain(error)) == f"Nothing answers at http://127.0.0.1:5000: {remedy}"


@pytest.mark.parametrize("response", [{}, {"Error": {}}, {"Error": {"Code": None}},
                                      {"Error": {"Code": "", "Message": "Oops"}}])
def test_an_answer_without_an_error_code_says_so(response):
    error = ClientError(response, "DescribeKeyPairs")
    assert str(explain(error)) == (
        "DescribeKeyPairs failed and the answer said nothing about why: try again, and if you "
        "use an endpoint, check that it serves EC2.")


def test_a_message_loses_only_its_final_full_stop():
    error = ClientError({"Error": {"Code": "Unsupported", "Message": "Not on instance type X."}},
                        "CreateKeyPair")
    assert str(explain(error)) == (
        "EC2 refused CreateKeyPair (Unsupported): Not on instance type X.")
    error.response["Error"].pop("Message")
    assert str(explain(error)) == "EC2 refused CreateKeyPair (Unsupported)."


def test_an_error_page_instead_of_an_answer_says_the_endpoint_cannot_do_the_call():
    page = ResponseParserError("Unable to parse response (syntax error: line 1, column 0), "
                               "invalid XML received. Further retries may succeed:\n"
                               "b'<!doctype html>\\n<title>500 Internal Server Error</title>'")
    lines = taught_error(page, None)
    assert lines[0] == ("ResponseParserError: Unable to parse response (syntax error: line 1, "
                        "column 0), invalid XML received. Further retries may succeed:")
    assert lines[1] == ("What to do: The endpoint answered with an error page, not AWS's "
                        "answer: it cannot do this call (a plain moto server or LocalStack?); "
                        "run this on the sandbox, or read the endpoint's log.")


def test_a_taught_error_names_only_your_lines_and_what_to_do(ec2):
    def find(name):
        return ec2.describe_key_pairs(KeyNames=[name])

    try:
        find("gone")
    except ClientError as error:
        lines = taught_error(error, error.__traceback__)
    assert lines[0] == ("ClientError: An error occurred (InvalidKeyPair.NotFound) when calling "
                        "the DescribeKeyPairs operation: The key pair 'gone' does not exist")
    assert re.fullmatch(r'  in your code, line \d+: find\("gone"\)', lines[1])
    assert re.fullmatch(r"  in your code, line \d+: return ec2\.describe_key_pairs\(KeyNames="
                        r"\[name\]\)", lines[2]), "boto3's and botocore's frames are left out"
    assert lines[3] == ("What to do: The key pair 'gone' does not exist in this Region: check the "
                        "name or id with describe_key_pairs(), or look in the Region where you "
                        "created it.")
    assert len(lines) == 5


@pytest.mark.parametrize(("message", "sentence"), [
    ("The keypair 'KEY_PAIR_NAME' already exists.", "A key pair named 'KEY_PAIR_NAME' already "
     "exists in this Region: pick another name, or delete the existing key pair first."),
    ("It exists.", "A key pair with that name already exists in this Region: pick another "
     "name, or delete the existing key pair first."),
])
def test_a_plain_boto3_calls_duplicate_names_the_key_pair_ec2_quoted(message, sentence):
    """A taught error under a plain ec2.create_key_pair() call, where no helper knew the name:
    never 'named None'."""
    assert str(explain(client_error("InvalidKeyPair.Duplicate", message))) == sentence
