"""A lesson's first and last cell: lesson.start() begins on a fresh start, and lesson.clean_up()
deletes what the lesson made, and only that, and says what it deleted and what it kept, and why."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import boto3
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from helpers import lesson, sandbox, save_private_key
from helpers.backend import LIVE_ENV


def public_key() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)


def made_elsewhere(ec2, name: str) -> dict:
    """A key pair made outside the lesson (a teammate's, or yours before it began)."""
    made, lesson._made = lesson._made, None
    try:
        return ec2.create_key_pair(KeyName=name, KeyType="ed25519")
    finally:
        lesson._made = made


def rows(table) -> list[tuple[str, ...]]:
    return [tuple(row) for row in table.values.tolist()]


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """No lesson begun in this process yet, in an empty working folder."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(lesson, "_made", None)
    monkeypatch.setattr(lesson, "cleanups", 0)


@pytest.fixture
def on_sandbox(ec2, fresh):
    return lesson.start()


@pytest.fixture
def on_live(monkeypatch, fresh):
    """A stand-in AWS account reached with the live opt-in (moto's own mock, not the sandbox)."""
    sandbox.stop()
    with monkeypatch.context() as patch, mock_aws():
        patch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        patch.setenv(LIVE_ENV, "1")
        yield
    sandbox.start()  # after the environment is back, as in a kernel (it sets its own Region)


def test_clean_up_terminates_stopped_instances_too_then_deletes_their_security_group(
        on_sandbox):
    ec2 = on_sandbox
    group = ec2.create_security_group(GroupName="ssh", Description="SSH from me")["GroupId"]
    instances = [ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                   SecurityGroupIds=[group])["Instances"][0]["InstanceId"]
                 for _ in range(2)]
    ec2.stop_instances(InstanceIds=instances[:1])  # stopped: it still costs its disk
    assert rows(lesson.clean_up()) == [
        ("instance", instances[0], "us-east-1", "deleted", "made by this lesson"),
        ("instance", instances[1], "us-east-1", "deleted", "made by this lesson"),
        ("security group", "ssh", "us-east-1", "deleted", "made by this lesson")]
    states = {i["InstanceId"]: i["State"]["Name"] for r in ec2.describe_instances(
        InstanceIds=instances)["Reservations"] for i in r["Instances"]}
    assert states == dict.fromkeys(instances, "terminated")
    assert [g["GroupName"] for g in ec2.describe_security_groups()["SecurityGroups"]] == [
        "default"]


def test_clean_up_deletes_what_the_lesson_made_in_every_region_and_nothing_else(on_sandbox):
    ec2 = on_sandbox
    theirs = made_elsewhere(ec2, "theirs")
    save_private_key(ec2.create_key_pair(KeyName="mine", KeyType="ed25519"))
    boto3.client("ec2", region_name="eu-west-1").create_key_pair(KeyName="mine")
    instance = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                 KeyName="mine")["Instances"][0]["InstanceId"]
    ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={"KeyName": "mine"})
    boto3.client("secretsmanager").create_secret(Name="ec2-key-pair/mine", SecretString="key")
    Path("keys/laptop").write_text("a private key made on this machine")
    Path("keys/laptop.pub").write_bytes(public_key() + b" me@laptop\n")
    ec2.import_key_pair(KeyName="laptop", PublicKeyMaterial=Path("keys/laptop.pub").read_bytes())
    cleaned = lesson.clean_up()
    assert rows(cleaned) == [
        ("instance", instance, "us-east-1", "deleted", "made by this lesson"),
        ("launch template", "web", "us-east-1", "deleted", "made by this lesson"),
        ("secret", "ec2-key-pair/mine", "us-east-1", "deleted", "made by this lesson"),
        ("key pair", "mine", "us-east-1", "deleted", "made by this lesson"),
        ("key pair", "mine", "eu-west-1", "deleted", "made by this lesson"),
        ("key pair", "laptop", "us-east-1", "deleted", "made by this lesson"),
        ("key file", "keys/sandbox/mine.pem", "", "deleted", "a sandbox key: it opens nothing"),
        ("key file", "keys/laptop.pub", "", "deleted", "written by this lesson"),
        ("key file", "keys/laptop", "", "deleted", "written by this lesson")]
    assert [key["KeyPairId"] for key in ec2.describe_key_pairs()["KeyPairs"]] == \
        [theirs["KeyPairId"]]
    assert not [path for path in Path("keys").rglob("*") if path.is_file()]
    assert ec2.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0][
        "State"]["Name"] == "terminated"
    assert repr(lesson.clean_up()) == ("Nothing to clean up: this lesson made nothing that is "
                                       "still there.")


def test_clean_up_deletes_its_stacks_what_they_kept_their_key_files_and_its_iam_users(
        on_sandbox):
    ec2, cfn, ssm, iam = on_sandbox, *(boto3.client(s) for s in ("cloudformation", "ssm", "iam"))
    key = {"Type": "AWS::EC2::KeyPair", "Properties": {"KeyName": "stack-key"}}
    kept = {"Type": "AWS::EC2::KeyPair", "DeletionPolicy": "Retain",
            "Properties": {"KeyName": "kept-key", "KeyType": "ed25519"}}
    cfn.create_stack(StackName="keys", TemplateBody=json.dumps({"Resources": {
        "Key": key, "Kept": kept}}))
    Path("keys").mkdir(mode=0o700)
    Path("keys/laptop").write_text("a private key made on this machine")
    Path("keys/laptop.pub").write_bytes(public_key() + b" me@laptop\n")
    imported = {"Type": "AWS::EC2::KeyPair", "Properties": {
        "KeyName": "laptop", "PublicKeyMaterial": {"Ref": "PublicKey"}}}
    cfn.create_stack(StackName="laptop", TemplateBody=json.dumps({
        "Parameters": {"PublicKey": {"Type": "String"}}, "Resources": {"Key": imported}}),
        Parameters=[{"ParameterKey": "PublicKey",
                     "ParameterValue": Path("keys/laptop.pub").read_text()}])
    stack_key = ec2.describe_key_pairs(KeyNames=["stack-key"])["KeyPairs"][0]["KeyPairId"]
    save_private_key({"KeyName": "stack-key", "KeyMaterial": ssm.get_parameter(
        Name=f"/ec2/keypair/{stack_key}", WithDecryption=True)["Parameter"]["Value"]})
    iam.create_user(UserName="reader")
    iam.create_access_key(UserName="reader")
    iam.put_user_policy(UserName="reader", PolicyName="reads", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ec2:DescribeKeyPairs", "Resource": "*"}]}))
    cfn.delete_stack(StackName="laptop")  # deleted by the learner: gone already
    assert rows(lesson.clean_up()) == [
        ("stack", "keys", "us-east-1", "deleted", "made by this lesson"),
        ("IAM user", "reader", "", "deleted", "made by this lesson"),
        ("key pair", "kept-key", "us-east-1", "deleted", "made by this lesson"),
        ("key file", "keys/sandbox/stack-key.pem", "", "deleted",
         "a sandbox key: it opens nothing"),
        ("key file", "keys/laptop.pub", "", "deleted", "written by this lesson"),
        ("key file", "keys/laptop", "", "deleted", "written by this lesson")]
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    assert ssm.describe_parameters()["Parameters"] == []
    assert iam.list_users()["Users"] == []
    assert not [path for path in Path("keys").rglob("*") if path.is_file()]


def test_a_key_pair_the_lesson_made_then_someone_replaced_is_kept(on_sandbox):
    on_sandbox.create_key_pair(KeyName="shared", KeyType="ed25519")
    on_sandbox.delete_key_pair(KeyName="shared")
    theirs = made_elsewhere(on_sandbox, "shared")  # the name, now another key pair
    assert rows(lesson.clean_up()) == []
    assert on_sandbox.describe_key_pairs()["KeyPairs"][0]["KeyPairId"] == theirs["KeyPairId"]


def test_run_all_again_on_the_sandbox_starts_empty_with_no_key_file_of_the_first_run(
        on_sandbox, capsys):
    save_private_key(on_sandbox.create_key_pair(KeyName="first-run", KeyType="ed25519"))
    again = lesson.start()
    assert again.describe_key_pairs()["KeyPairs"] == []
    assert not Path("keys/sandbox/first-run.pem").exists()
    assert "Replacing" not in capsys.readouterr().out
    assert rows(lesson.clean_up()) == []


def test_on_live_aws_an_older_key_pair_and_key_file_are_kept_and_said(on_live, capsys):
    ec2 = boto3.client("ec2")
    yours = ec2.create_key_pair(KeyName="my-laptop", KeyType="ed25519")
    Path("keys").mkdir(mode=0o700)
    Path("keys/made.pem").write_text("yours, from before the lesson")
    os.utime("keys/made.pem", (time.time() - 86_400,) * 2)
    ec2 = lesson.start()
    assert lesson.is_live()
    with pytest.raises(ec2.exceptions.ClientError, match="InvalidKeyPair.Duplicate"):
        ec2.import_key_pair(KeyName="my-laptop", PublicKeyMaterial=public_key())
    ec2.create_key_pair(KeyName="made", KeyType="ed25519")  # its file exists: the older one
    assert rows(lesson.clean_up()) == [
        ("key pair", "made", "us-east-1", "deleted", "made by this lesson"),
        ("key file", "keys/made.pem", "", "kept", "older than this lesson: it may be yours"),
        ("key pair", "my-laptop", "us-east-1", "kept", lesson.YOURS)]
    assert [key["KeyPairId"] for key in ec2.describe_key_pairs()["KeyPairs"]] == \
        [yours["KeyPairId"]]
    assert Path("keys/made.pem").read_text() == "yours, from before the lesson"


def test_on_live_aws_run_all_again_deletes_nothing_unasked_and_says_what_is_left(on_live,
                                                                                capsys):
    ec2 = lesson.start()
    halfway = ec2.create_key_pair(KeyName="halfway", KeyType="ed25519")  # then the run stopped
    ec2 = lesson.start()
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 made since this lesson's first run in this kernel are still there: lesson.clean_up() "
        "deletes them (the key pairs' names are taken till then).")
    assert ec2.describe_key_pairs()["KeyPairs"][0]["KeyPairId"] == halfway["KeyPairId"]
    assert rows(lesson.clean_up()) == [
        ("key pair", "halfway", "us-east-1", "deleted", "made by this lesson")]


def test_the_exercises_after_a_clean_up_are_the_lessons_too(on_sandbox):
    """Learners Run All (the clean-up runs), then do the exercises, then clean up again."""
    lesson.clean_up()
    on_sandbox.create_key_pair(KeyName="my-exercise-key", KeyType="ed25519")
    assert rows(lesson.clean_up()) == [
        ("key pair", "my-exercise-key", "us-east-1", "deleted", "made by this lesson")]


def test_a_clean_up_before_the_first_cell_says_what_to_run(fresh):
    with pytest.raises(RuntimeError, match=r"run the lesson's first cell, ec2 = lesson.start\(\)"):
        lesson.clean_up()


NAMES = st.sets(st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True), max_size=4)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ours=NAMES, theirs=NAMES)
def test_clean_up_leaves_exactly_what_others_made(on_sandbox, ours, theirs):
    ec2 = lesson.start()
    for name in theirs:
        made_elsewhere(ec2, name)
    for name in ours:
        try:
            ec2.create_key_pair(KeyName=name, KeyType="ed25519")
        except ec2.exceptions.ClientError:  # a name of theirs: theirs stays theirs
            pass
    cleaned = lesson.clean_up()
    left = {key["KeyName"] for key in ec2.describe_key_pairs()["KeyPairs"]}
    assert left == theirs
    assert set(cleaned.loc[cleaned["Result"] == "deleted", "Name"]) == ours - theirs
    assert set(cleaned.loc[cleaned["Result"] == "kept", "Name"]) == ours & theirs
