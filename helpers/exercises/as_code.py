"""Notebook 08's exercises: a stack whose ED25519 key pair's private key is saved from Parameter
Store, and an IAM policy for interns, which the sandbox enforces on an IAM user of the check's."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from helpers import lesson
from helpers.exercises.common import (
    Verdict,
    find_key_pair,
    holds_private_key_of,
    recorded,
    saved_key_file,
)
from helpers.keyfiles import default_key_dir, key_file_name, shown_path

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

STACK, KEY = "team-keys", "team-deploy"
INTERN = "exercise-intern"  # the IAM user the policy check puts the learner's policy on
RESOURCE = "arn:aws:ec2:*:*:key-pair/intern-*"
PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILt2k9hJVVOMsWQhElpigNrj8WSrdvy2g1s4j06+TVPi "
              "intern@laptop")
_access_keys: dict[str, dict[str, str]] = {}  # INTERN's UserId -> its access key, this kernel's


@recorded("08.1")
def stack_key_saved(ec2: EC2Client) -> Verdict:
    """08, exercise 1: a stack team-keys whose key pair team-deploy is ED25519, its private key
    saved from Parameter Store."""
    cfn = boto3.client("cloudformation", region_name=ec2.meta.region_name)
    try:
        stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    except ClientError:
        return Verdict(False, f"There is no stack {STACK} yet: create it with "
                              "cfn.create_stack(StackName=..., TemplateBody=...), a template "
                              f"whose one resource is an AWS::EC2::KeyPair named {KEY}.")
    if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
        return Verdict(False, f"{STACK} is {stack['StackStatus']}: its events say why "
                              f"(cfn.describe_stack_events(StackName='{STACK}')); delete it, "
                              "correct the template and create it again.")
    resources = cfn.describe_stack_resources(StackName=STACK)["StackResources"]
    if not any(r["ResourceType"] == "AWS::EC2::KeyPair" and r.get("PhysicalResourceId") == KEY
               for r in resources):
        return Verdict(False, f"{STACK} makes no key pair {KEY}: give its AWS::EC2::KeyPair "
                              f"the property KeyName: {KEY}.")
    key_pair = find_key_pair(ec2, KEY)
    if key_pair is None:
        return Verdict(False, f"{KEY} is gone, though {STACK} made it (deleted by hand?): delete "
                              "the stack and create it again.")
    if key_pair.get("KeyType") != "ed25519":
        return Verdict(False, f"{KEY} is RSA, not ED25519 (the default): delete the stack, set "
                              "KeyType: ed25519 in the template and create it again (a new "
                              "KeyType replaces the key pair, which CloudFormation refuses "
                              "while the name stays).")
    path = default_key_dir() / key_file_name(KEY)
    if not path.exists():
        return Verdict(False, f"{KEY}'s private key is in Parameter Store, /ec2/keypair/"
                              f"{key_pair.get('KeyPairId')}, but not in {shown_path(path)}: read "
                              "it with ssm.get_parameter(Name=..., WithDecryption=True), and save "
                              f"it with save_private_key({{'KeyName': '{KEY}', 'KeyMaterial': "
                              "...}).")
    saved = saved_key_file(KEY, ppk=False)
    if isinstance(saved, Verdict):  # a file others may read
        return saved
    if not holds_private_key_of(saved, key_pair):
        return Verdict(False, f"{shown_path(saved)} holds another key than {KEY}'s (an earlier "
                              "stack's?): delete the file, then save the parameter's key again.")
    return Verdict(True, f"{STACK} made {KEY}, ED25519, and its private key is in "
                         f"{shown_path(saved)}, mode 600.")


# (what an intern does, the call, its arguments, whether the policy should let them)
PROBES: list[tuple[str, str, dict[str, Any], bool]] = [
    ("list key pairs", "describe_key_pairs", {}, True),
    ("create intern-laptop", "create_key_pair", {"KeyName": "intern-laptop"}, True),
    ("import intern-laptop", "import_key_pair",
     {"KeyName": "intern-laptop", "PublicKeyMaterial": PUBLIC_KEY.encode()}, True),
    ("delete intern-laptop", "delete_key_pair", {"KeyName": "intern-laptop"}, True),
    ("create prod-web", "create_key_pair", {"KeyName": "prod-web"}, False),
    ("import prod-web", "import_key_pair",
     {"KeyName": "prod-web", "PublicKeyMaterial": PUBLIC_KEY.encode()}, False),
    ("delete prod-web", "delete_key_pair", {"KeyName": "prod-web"}, False),
    ("list instances", "describe_instances", {}, False),
]


@recorded("08.2")
def intern_policy(ec2: EC2Client, answer: Any) -> Verdict:
    """08, exercise 2: a policy that lets an intern list every key pair, and create, import and
    delete only those named intern-*, and nothing else. Judged by what the sandbox lets an IAM
    user with that policy do, each call asked with DryRun (nothing is made)."""
    if lesson.is_live():
        return Verdict(False, "This check makes an IAM user with an access key: run it on the "
                              "sandbox.")
    if answer is None:
        return Verdict(False, "intern_policy is still None: set it to a policy document, a dict "
                              "with Version and Statement, as in recipes/iam/least-privilege.json.")
    try:
        document = json.loads(answer) if isinstance(answer, str) else answer
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return Verdict(False, f"intern_policy is a {type(answer).__name__}: make it a dict with "
                              "Version and Statement, as in recipes/iam/least-privilege.json.")
    try:
        intern = _intern_client(ec2, json.dumps(document))
    except ClientError as error:
        return Verdict(False, f"IAM refuses that policy ({error.response['Error']['Message']}): "
                              "compare it with recipes/iam/least-privilege.json.")
    except (TypeError, ValueError):  # json.dumps of a value it cannot write
        return Verdict(False, "intern_policy holds something that is not JSON: only dicts, "
                              "lists, text, numbers and True or False.")
    for doing, call, arguments, allowed in PROBES:
        code = _dry_run(intern, call, arguments)
        if code == "UnsupportedOperation":
            return Verdict(False, "The sandbox cannot judge a Condition: say which key pairs "
                                  f"with the Resource instead, {RESOURCE} (a key pair's ARN "
                                  "ends with its name).")
        if code not in ("DryRunOperation", "UnauthorizedOperation"):
            return Verdict(False, f"Asking whether an intern may {doing} failed ({code}): run "
                                  "the check again.")
        if allowed and code != "DryRunOperation":
            where = "'*' (listing has no key pair resource)" if call.startswith(
                "describe") else RESOURCE
            return Verdict(False, f"An intern may not {doing}: allow "
                                  f"ec2:{_action(call)} on {where}.")
        if not allowed and code == "DryRunOperation":
            fix = (f"give the key pair actions the Resource {RESOURCE} (a key pair's ARN ends "
                   "with its name)" if "prod" in doing else
                   "allow ec2:DescribeKeyPairs alone, not ec2:Describe* or ec2:*")
            return Verdict(False, f"Your policy lets an intern {doing} too: {fix}.")
    return Verdict(True, "an intern may list every key pair, and create, import and delete only "
                         "those named intern-*; the sandbox refused the rest.")


def _action(call: str) -> str:
    return "".join(word.capitalize() for word in call.split("_"))


def _dry_run(client: Any, call: str, arguments: dict[str, Any]) -> str:
    """The error code DryRun answers: DryRunOperation if the call would be allowed."""
    try:
        getattr(client, call)(DryRun=True, **arguments)
    except ClientError as error:
        return str(error.response["Error"]["Code"])
    return "no answer"


def _intern_client(ec2: EC2Client, document: str) -> Any:
    """An EC2 client signed as INTERN, whose only policy is now document (INTERN and its access
    key made the first time, and again after the lesson's clean-up)."""
    iam = boto3.client("iam")
    try:
        user = iam.get_user(UserName=INTERN)["User"]
    except ClientError:
        user = iam.create_user(UserName=INTERN, Path="/exercise/")["User"]
    if user["UserId"] not in _access_keys:  # a key this kernel does not know: start over
        for old in iam.list_access_keys(UserName=INTERN)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=INTERN, AccessKeyId=old["AccessKeyId"])
        made = iam.create_access_key(UserName=INTERN)["AccessKey"]
        _access_keys[user["UserId"]] = {"id": made["AccessKeyId"],
                                        "secret": made["SecretAccessKey"]}
    iam.put_user_policy(UserName=INTERN, PolicyName="intern_policy", PolicyDocument=document)
    key = _access_keys[user["UserId"]]
    return boto3.client("ec2", region_name=ec2.meta.region_name, aws_access_key_id=key["id"],
                        aws_secret_access_key=key["secret"])
