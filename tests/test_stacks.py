"""AWS::EC2::KeyPair in the sandbox's CloudFormation, tested as moto tests its models: plain boto3,
a template, and what the describe calls answer then (helpers/sandbox/key_pair_stack.py and
helpers/sandbox/fidelity/stacks.py)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import logins
import pytest

from helpers.fingerprints import fingerprint_of_private_key
from helpers.rules import PPK_HEADER
from helpers.sandbox.network import LEARNER_ADDRESS


def client(ec2: Any, service: str) -> Any:
    """A client of service on the same backend (in this process, or the sandbox server), Region
    and credentials as ec2."""
    credentials = ec2._request_signer._credentials
    endpoint = ec2.meta.endpoint_url
    return boto3.client(service, region_name=ec2.meta.region_name,
                        endpoint_url=None if "amazonaws.com" in endpoint else endpoint,
                        aws_access_key_id=credentials.access_key,
                        aws_secret_access_key=credentials.secret_key)


def key_pair_template(**properties: Any) -> str:
    policies = {key: properties.pop(key) for key in ("DeletionPolicy", "UpdateReplacePolicy")
                if key in properties}
    resource = {"Type": "AWS::EC2::KeyPair", "Properties": {"KeyName": "stack-key", **properties}}
    return json.dumps({
        "Resources": {"Key": {**resource, **policies}},
        "Outputs": {"Name": {"Value": {"Ref": "Key"}},
                    "KeyPairId": {"Value": {"Fn::GetAtt": ["Key", "KeyPairId"]}},
                    "KeyFingerprint": {"Value": {"Fn::GetAtt": ["Key", "KeyFingerprint"]}}}})


def create(ec2: Any, template: str, name: str = "keys") -> dict[str, str]:
    """Create the stack, wait for it; its outputs."""
    cfn = client(ec2, "cloudformation")
    cfn.create_stack(StackName=name, TemplateBody=template)
    cfn.get_waiter("stack_create_complete").wait(StackName=name)
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def parameters(ec2: Any) -> list[str]:
    return [p["Name"] for p in client(ec2, "ssm").describe_parameters()["Parameters"]]


@pytest.mark.parametrize("key_type", ["rsa", "ed25519"])
def test_a_stack_makes_a_key_pair_and_keeps_its_private_key_in_parameter_store(ec2, key_type):
    outputs = create(ec2, key_pair_template(KeyType=key_type))
    (key_pair,) = ec2.describe_key_pairs()["KeyPairs"]
    assert (outputs["Name"], outputs["KeyPairId"], outputs["KeyFingerprint"]) == (
        "stack-key", key_pair["KeyPairId"], key_pair["KeyFingerprint"])
    assert key_pair["KeyType"] == key_type
    parameter = client(ec2, "ssm").get_parameter(Name=f"/ec2/keypair/{key_pair['KeyPairId']}",
                                                 WithDecryption=True)["Parameter"]
    assert parameter["Type"] == "SecureString"
    assert fingerprint_of_private_key(parameter["Value"]) == key_pair["KeyFingerprint"]


def test_a_ppk_key_pair_keeps_a_putty_key_in_its_parameter(ec2):
    outputs = create(ec2, key_pair_template(KeyFormat="ppk"))
    value = client(ec2, "ssm").get_parameter(Name=f"/ec2/keypair/{outputs['KeyPairId']}",
                                             WithDecryption=True)["Parameter"]["Value"]
    assert value.startswith(f"{PPK_HEADER}-3: ssh-rsa")


def test_a_key_pair_from_a_public_key_gets_no_parameter(ec2):
    public = ec2.create_key_pair(KeyName="made-here", KeyType="ed25519")
    ec2.delete_key_pair(KeyName="made-here")
    line = logins.private_key(public["KeyMaterial"]).get_base64()
    outputs = create(ec2, key_pair_template(PublicKeyMaterial=f"ssh-ed25519 {line}"))
    (key_pair,) = ec2.describe_key_pairs(IncludePublicKey=True)["KeyPairs"]
    assert key_pair["KeyPairId"] == outputs["KeyPairId"] and line in key_pair["PublicKey"]
    assert parameters(ec2) == []


def test_deleting_the_stack_deletes_the_key_pair_and_its_parameter_unless_it_is_retained(ec2):
    cfn = client(ec2, "cloudformation")
    create(ec2, key_pair_template(KeyType="ed25519"), "gone")
    create(ec2, key_pair_template(KeyName="kept", KeyType="ed25519", DeletionPolicy="Retain",
                                  UpdateReplacePolicy="Retain"), "kept")
    for name in ("gone", "kept"):
        cfn.delete_stack(StackName=name)
        cfn.get_waiter("stack_delete_complete").wait(StackName=name)
    (kept,) = ec2.describe_key_pairs()["KeyPairs"]
    assert kept["KeyName"] == "kept" and parameters(ec2) == [f"/ec2/keypair/{kept['KeyPairId']}"]


def test_a_deleted_stacks_resources_are_listed_as_deleted_and_not_made_again(ec2):
    cfn = client(ec2, "cloudformation")
    template = json.loads(key_pair_template(KeyType="ed25519"))
    template["Resources"]["Group"] = {"Type": "AWS::EC2::SecurityGroup",
                                      "Properties": {"GroupDescription": "made by the stack"}}
    create(ec2, json.dumps(template), "gone")
    stack_id = cfn.describe_stacks(StackName="gone")["Stacks"][0]["StackId"]
    cfn.delete_stack(StackName="gone")
    listed = cfn.describe_stack_resources(StackName=stack_id)["StackResources"]
    assert {(r["LogicalResourceId"], r["ResourceStatus"]) for r in listed} == {
        ("Key", "DELETE_COMPLETE"), ("Group", "DELETE_COMPLETE")}
    assert ec2.describe_key_pairs()["KeyPairs"] == []
    groups = ec2.describe_security_groups()["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["default"]


def test_a_changed_property_replaces_the_key_pair_and_a_kept_name_is_refused(ec2):
    cfn = client(ec2, "cloudformation")
    first = create(ec2, key_pair_template(KeyType="ed25519"))
    cfn.update_stack(StackName="keys", TemplateBody=key_pair_template(KeyType="rsa"))
    (stack,) = cfn.describe_stacks(StackName="keys")["Stacks"]
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    (failed, *_) = [e for e in cfn.describe_stack_events(StackName="keys")["StackEvents"]
                    if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert failed["LogicalResourceId"] == "Key" and failed["ResourceStatusReason"] == (
        "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
        "Rename stack-key and update the stack again.")
    cfn.update_stack(StackName="keys", TemplateBody=key_pair_template(KeyName="new-key",
                                                                      KeyType="rsa"))
    cfn.get_waiter("stack_update_complete").wait(StackName="keys")
    (key_pair,) = ec2.describe_key_pairs()["KeyPairs"]
    assert (key_pair["KeyName"], key_pair["KeyType"]) == ("new-key", "rsa")
    assert key_pair["KeyPairId"] != first["KeyPairId"]
    assert parameters(ec2) == [f"/ec2/keypair/{key_pair['KeyPairId']}"]


def test_a_resource_that_fails_rolls_its_stack_back_and_the_waiter_says_so_at_once(ec2):
    cfn = client(ec2, "cloudformation")
    cfn.create_stack(StackName="bad", TemplateBody=key_pair_template(KeyType="dsa"))
    with pytest.raises(Exception, match="ROLLBACK_COMPLETE"):
        cfn.get_waiter("stack_create_complete").wait(StackName="bad")
    events = [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
              for e in cfn.describe_stack_events(StackName="bad")["StackEvents"]]
    assert ("Key", "CREATE_FAILED", "Properties validation failed for resource Key with "
            "message:\n#/KeyType: failed validation constraint for keyword [enum]") in events
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_yaml_short_forms_read_as_cloudformation_reads_them(ec2):
    template = ("Resources:\n  Key:\n    Type: AWS::EC2::KeyPair\n    Properties:\n"
                "      KeyName: yaml-key\n      KeyType: ed25519\nOutputs:\n"
                "  Id:\n    Value: !GetAtt [Key, KeyPairId]\n"
                "  Name:\n    Value: !Base64 {Ref: Key}\n")
    outputs = create(ec2, template)
    (key_pair,) = ec2.describe_key_pairs()["KeyPairs"]
    assert outputs == {"Id": key_pair["KeyPairId"], "Name": "eWFtbC1rZXk="}


def test_an_instance_of_the_stack_launches_with_its_key_pair_and_lets_ssh_in(ec2):
    template = json.dumps({
        "Resources": {
            "Key": {"Type": "AWS::EC2::KeyPair",
                    "Properties": {"KeyName": "web-key", "KeyType": "ed25519"}},
            "Ssh": {"Type": "AWS::EC2::SecurityGroup", "Properties": {
                "GroupDescription": "SSH from me", "SecurityGroupIngress": [{
                    "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                    "CidrIp": f"{LEARNER_ADDRESS}/32"}]}},
            "Web": {"Type": "AWS::EC2::Instance", "Properties": {
                "ImageId": logins.LINUX_IMAGE, "KeyName": {"Ref": "Key"},
                "SecurityGroupIds": [{"Fn::GetAtt": ["Ssh", "GroupId"]}]}}},
        "Outputs": {"Web": {"Value": {"Ref": "Web"}},
                    "KeyPairId": {"Value": {"Fn::GetAtt": ["Key", "KeyPairId"]}}}})
    outputs = create(ec2, template)
    private_key = client(ec2, "ssm").get_parameter(
        Name=f"/ec2/keypair/{outputs['KeyPairId']}", WithDecryption=True)["Parameter"]["Value"]
    assert logins.run(ec2, outputs["Web"], private_key) == "ec2-user\n"
