"""The sandbox answers key pair calls like AWS, in-process and as a server; each fix is pinned.

Each behaviour test below is also run against plain moto (a fresh process, no fixes applied):
if plain moto already passes every test pinning a fix, test_fix_is_still_needed says to remove it.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import socket
import struct
import subprocess
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import logins
import oracles
import paramiko
import pytest
import test_stacks
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, padding, rsa
from moto.ec2.models.key_pairs import KeyPairBackend
from moto.ec2.responses.key_pairs import KeyPairs

from helpers import login, sandbox
from helpers.fingerprints import ssh_fingerprint
from helpers.rules import PPK_HEADER, key_name_problem
from helpers.sandbox import fidelity, shell
from helpers.sandbox.fidelity import stacks
from helpers.sandbox.network import LEARNER_ADDRESS

REGION = "us-east-1"
BAD_KEY_MESSAGE = "Key is not in valid OpenSSH public key format"


@pytest.fixture(scope="module")
def sandbox_on():
    was_running = sandbox.is_running()
    sandbox.start()
    sandbox.reset()
    yield
    sandbox.reset()
    if not was_running:
        sandbox.stop()


@pytest.fixture(scope="module")
def server_url(sandbox_on):
    server, url = sandbox.start_server()
    yield url
    server.stop()


@pytest.fixture(params=["in-process", pytest.param("server", marks=pytest.mark.server)])
def ec2(request: pytest.FixtureRequest, sandbox_on):
    """An EC2 client on an empty sandbox, once in this process and once through the server (make
    test: make check runs each check in this process only)."""
    sandbox.reset()  # one set of moto backends serves both modes
    if request.param == "server":
        return boto3.client(
            "ec2",
            endpoint_url=request.getfixturevalue("server_url"),
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    return boto3.client("ec2", region_name=REGION)


def error_of(call: Callable[[], object]) -> dict[str, str]:
    """The AWS error (Code, Message) a call answers with."""
    with pytest.raises(ClientError) as raised:
        call()
    return raised.value.response["Error"]


@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def openssh_line(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )


def ssh_line(algorithm: bytes, *numbers: int) -> bytes:
    """An OpenSSH public key line built by hand (for keys cryptography will not write)."""

    def string(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = string(algorithm) + b"".join(
        string(n.to_bytes(n.bit_length() // 8 + 1, "big")) for n in numbers
    )
    return algorithm + b" " + base64.b64encode(blob)


def malformed_public_keys() -> dict[str, bytes]:
    dsa_numbers = dsa.generate_private_key(key_size=1024).public_key().public_numbers()
    params = dsa_numbers.parameter_numbers
    rsa_der = base64.b64encode(rsa_key().public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    ed25519_der = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {
        "two words": b"foo bar",
        "blank": b"  \n",
        "binary garbage": b"\xff\x00garbage",
        "truncated": openssh_line(rsa_key())[:40],
        "dsa": ssh_line(b"ssh-dss", params.p, params.q, params.g, dsa_numbers.y),
        "ecdsa": openssh_line(ec.generate_private_key(ec.SECP256R1())),
        "rsa 512-bit": ssh_line(b"ssh-rsa", 65537, (1 << 511) + 111),  # too short for EC2
        "base64 der with a character outside base64": rsa_der[:40] + b"!" + rsa_der[40:],
        "base64 der of an ed25519 key": base64.b64encode(ed25519_der),  # RSA only, says AWS
    }


# Behaviours. Each test asserts AWS's answer; PINS below ties each fix to its tests.


def test_key_created_without_key_type_is_rsa(ec2) -> None:
    created = ec2.create_key_pair(KeyName="default-type")
    assert created["KeyMaterial"].startswith("-----BEGIN RSA PRIVATE")  # PKCS#1 PEM
    (info,) = ec2.describe_key_pairs(KeyNames=["default-type"])["KeyPairs"]
    assert info["KeyType"] == "rsa"
    again = ec2.create_key_pair(KeyName="default-type-again")  # each create makes a new key
    assert (again["KeyMaterial"], again["KeyFingerprint"]) != (
        created["KeyMaterial"], created["KeyFingerprint"])


def test_key_type_filter_finds_keys_by_type(ec2) -> None:
    ec2.create_key_pair(KeyName="rsa-by-default")
    ec2.create_key_pair(KeyName="ed", KeyType="ed25519")
    for key_type, names in (("rsa", ["rsa-by-default"]), ("ed25519", ["ed"])):
        found = ec2.describe_key_pairs(Filters=[{"Name": "key-type", "Values": [key_type]}])
        assert [k["KeyName"] for k in found["KeyPairs"]] == names


def test_unknown_filter_is_refused(ec2) -> None:
    error = error_of(lambda: ec2.describe_key_pairs(Filters=[{"Name": "Project", "Values": ["x"]}]))
    assert error == {"Code": "InvalidParameterValue", "Message": "The filter 'Project' is invalid"}
    tagged = ec2.describe_key_pairs(Filters=[{"Name": "tag:Project", "Values": ["x"]}])
    assert tagged["KeyPairs"] == []
    for near_miss in ("tagged", "tag", "key-names"):
        filters = [{"Name": near_miss, "Values": ["x"]}]
        assert error_of(lambda f=filters: ec2.describe_key_pairs(Filters=f))["Code"] == (
            "InvalidParameterValue"), near_miss


def test_unknown_key_type_is_refused(ec2) -> None:
    error = error_of(lambda: ec2.create_key_pair(KeyName="dsa", KeyType="dsa"))
    assert error["Code"] == "InvalidParameterValue" and "dsa" in error["Message"]
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_invalid_key_names_are_refused(ec2) -> None:
    cases = {"": "MissingParameter", "x" * 256: "InvalidParameterValue"}
    cases |= {"clé": "InvalidParameterValue", " lead": "InvalidParameterValue"}
    cases |= {"trail ": "InvalidParameterValue", "\tlead": "InvalidParameterValue"}
    cases |= {"a\x00b": "InvalidParameterValue", "esc\x1b": "InvalidParameterValue"}
    material = openssh_line(rsa_key())
    for name, code in cases.items():
        created = error_of(lambda n=name: ec2.create_key_pair(KeyName=n, KeyType="ed25519"))
        imported = error_of(
            lambda n=name: ec2.import_key_pair(KeyName=n, PublicKeyMaterial=material)
        )
        assert created["Code"] == imported["Code"] == code, repr(name)
        if code == "MissingParameter":  # AWS's words, which boto3 shows the learner
            assert created["Message"] == "The request must contain the parameter KeyName"
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_a_refused_key_name_is_quoted_in_the_answer_as_given_escaped(ec2) -> None:
    """The sandbox's own sentence (AWS's is unconfirmed): the name the learner gave, in ASCII
    escapes so that the XML answer stays readable, then what is wrong with it."""
    for name, quoted in [("clé", "cl\\xe9"), ("esc\x1b", "esc\\x1b"), (" lead", " lead")]:
        message = error_of(lambda n=name: ec2.create_key_pair(KeyName=n))["Message"]
        assert message == (f"Value ({quoted}) for parameter KeyName is invalid. "
                           f"{key_name_problem(name)}")


def test_tags_that_aws_refuses_are_refused(ec2) -> None:
    material = openssh_line(rsa_key())
    refused = [{"aws:owner": "me"}, {"": "no key"}, {"k" * 129: "v"}, {"k": "v" * 257},
               {"k": "bell\x07"}]
    for tags in refused:
        spec = [{"ResourceType": "key-pair",
                 "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}]
        created = error_of(lambda s=spec: ec2.create_key_pair(KeyName="k", TagSpecifications=s))
        imported = error_of(lambda s=spec: ec2.import_key_pair(
            KeyName="k", PublicKeyMaterial=material, TagSpecifications=s))
        assert created["Code"] == imported["Code"] == "InvalidParameterValue", tags
    assert ec2.describe_key_pairs()["KeyPairs"] == []  # and the sandbox still answers


def test_malformed_public_keys_get_invalid_key_format(ec2) -> None:
    for label, material in malformed_public_keys().items():
        error = error_of(lambda m=material: ec2.import_key_pair(KeyName="k", PublicKeyMaterial=m))
        assert error == {"Code": "InvalidKey.Format", "Message": BAD_KEY_MESSAGE}, label


def test_rsa_public_keys_import_from_each_format_aws_accepts(ec2) -> None:
    public_key = rsa_key().public_key()
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    body = openssh_line(rsa_key()).split()[1].decode()  # the same base64 blob
    rfc4716 = "---- BEGIN SSH2 PUBLIC KEY ----\n" + "\n".join(
        body[i : i + 70] for i in range(0, len(body), 70)
    )
    formats = {
        "openssh": openssh_line(rsa_key()) + b" me@laptop\n",
        "base64 der": base64.b64encode(der),
        "rfc4716": (rfc4716 + "\n---- END SSH2 PUBLIC KEY ----\n").encode(),
    }
    expected = oracles.imported_fingerprint(openssh_line(rsa_key()).decode())
    for label, material in formats.items():
        imported = ec2.import_key_pair(KeyName=label, PublicKeyMaterial=material)
        assert imported["KeyFingerprint"] == expected, label
    assert {k["KeyType"] for k in ec2.describe_key_pairs()["KeyPairs"]} == {"rsa"}


def test_ppk_format_returns_a_putty_key(ec2) -> None:
    for key_type in ("ed25519", "rsa"):
        created = ec2.create_key_pair(KeyName=key_type, KeyType=key_type, KeyFormat="ppk")
        lines = created["KeyMaterial"].splitlines()
        assert lines[:2] == [f"{PPK_HEADER}-3: ssh-{key_type}", "Encryption: none"]
        (info,) = ec2.describe_key_pairs(KeyNames=[key_type], IncludePublicKey=True)["KeyPairs"]
        public_lines = int(lines[3].removeprefix("Public-Lines: "))
        assert "".join(lines[4 : 4 + public_lines]) == info["PublicKey"].split()[1]


@pytest.mark.tools
def test_puttygen_reads_the_sandboxs_ppk_as_the_key_pair_ec2_keeps(ec2, need, tmp_path) -> None:
    puttygen, ssh_keygen = need("puttygen"), need("ssh-keygen")
    for key_type in ("ed25519", "rsa"):
        ppk, pub = tmp_path / f"{key_type}.ppk", tmp_path / f"{key_type}.pub"
        ppk.write_text(ec2.create_key_pair(KeyName=key_type, KeyType=key_type,
                                           KeyFormat="ppk")["KeyMaterial"])
        (info,) = ec2.describe_key_pairs(KeyNames=[key_type], IncludePublicKey=True)["KeyPairs"]
        pub.write_text(info["PublicKey"] + "\n")
        # Asking for the private half makes puttygen check the file's MAC too.
        subprocess.run([puttygen, str(ppk), "-O", "private-openssh", "-o", str(tmp_path / "k")],
                       check=True, capture_output=True)
        read = subprocess.run([puttygen, str(ppk), "-O", "fingerprint"], check=True,
                              capture_output=True, text=True).stdout.split()[-1]
        kept = subprocess.run([ssh_keygen, "-l", "-f", str(pub)], check=True,
                              capture_output=True, text=True).stdout.split()[1]
        assert read == kept, f"puttygen reads another {key_type} key than EC2 keeps"


def test_unknown_key_format_is_refused(ec2) -> None:
    error = error_of(lambda: ec2.create_key_pair(KeyName="der", KeyFormat="der"))
    assert error["Code"] == "InvalidParameterValue" and "der" in error["Message"]


def test_describe_by_key_pair_ids_returns_only_those(ec2) -> None:
    wanted = ec2.create_key_pair(KeyName="wanted", KeyType="ed25519")["KeyPairId"]
    ec2.create_key_pair(KeyName="other", KeyType="ed25519")
    found = ec2.describe_key_pairs(KeyPairIds=[wanted])["KeyPairs"]
    assert [k["KeyPairId"] for k in found] == [wanted]


def test_describe_unknown_key_pair_id_is_not_found(ec2) -> None:
    ec2.create_key_pair(KeyName="exists", KeyType="ed25519")
    error = error_of(lambda: ec2.describe_key_pairs(KeyPairIds=["key-0123456789abcdef0"]))
    assert error["Code"] == "InvalidKeyPair.NotFound"
    assert "key-0123456789abcdef0" in error["Message"]


def test_delete_by_key_pair_id_deletes_the_key(ec2) -> None:
    key_pair_id = ec2.create_key_pair(KeyName="doomed", KeyType="ed25519")["KeyPairId"]
    deleted = ec2.delete_key_pair(KeyPairId=key_pair_id)
    assert deleted["Return"] is True and deleted["KeyPairId"] == key_pair_id
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_delete_by_an_unknown_key_pair_id_succeeds_without_an_id(ec2) -> None:
    kept = ec2.create_key_pair(KeyName="kept", KeyType="ed25519")["KeyPairId"]
    deleted = ec2.delete_key_pair(KeyPairId="key-0123456789abcdef0")
    assert deleted["Return"] is True and "KeyPairId" not in deleted
    assert [k["KeyPairId"] for k in ec2.describe_key_pairs()["KeyPairs"]] == [kept]


def test_a_public_key_after_blank_lines_imports(ec2) -> None:
    line = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    ec2.import_key_pair(KeyName="pasted", PublicKeyMaterial=b"\n  " + line + b"\n")
    assert ec2.describe_key_pairs()["KeyPairs"][0]["KeyName"] == "pasted"


def test_missing_key_pair_is_named_in_not_found(ec2) -> None:
    ec2.create_key_pair(KeyName="exists", KeyType="ed25519")
    error = error_of(lambda: ec2.describe_key_pairs(KeyNames=["exists", "nope"]))
    assert error == {
        "Code": "InvalidKeyPair.NotFound",
        "Message": "The key pair 'nope' does not exist",
    }


def test_dry_run_describe_answers_dry_run_operation(ec2) -> None:
    error = error_of(lambda: ec2.describe_key_pairs(DryRun=True))
    assert error == {
        "Code": "DryRunOperation",
        "Message": "Request would have succeeded, but DryRun flag is set.",
    }


# The Regions every AWS account has enabled, those launched before 20 March 2019 (AWS General
# Reference, "Enable or disable AWS Regions").
ENABLED_BY_DEFAULT = ["ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
                      "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1",
                      "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
                      "us-east-1", "us-east-2", "us-west-1", "us-west-2"]


def test_describe_regions_lists_the_enabled_regions_and_marks_the_opt_in_ones(ec2) -> None:
    enabled = ec2.describe_regions()["Regions"]
    assert sorted(r["RegionName"] for r in enabled) == ENABLED_BY_DEFAULT
    assert {r["OptInStatus"] for r in enabled} == {"opt-in-not-required"}
    every = {r["RegionName"]: r["OptInStatus"]
             for r in ec2.describe_regions(AllRegions=True)["Regions"]}
    assert every["ap-east-1"] == every["af-south-1"] == "not-opted-in"
    assert not [name for name in every if name.startswith(("cn-", "us-gov-"))], \
        "another partition's Regions belong to another account"
    opt_in = ec2.describe_regions(AllRegions=True, Filters=[
        {"Name": "opt-in-status", "Values": ["not-opted-in"]}])["Regions"]
    assert sorted(r["RegionName"] for r in opt_in) == sorted(set(every) - set(ENABLED_BY_DEFAULT))
    named = ec2.describe_regions(Filters=[{"Name": "region-name", "Values": ["eu-west-1"]}])
    assert [r["RegionName"] for r in named["Regions"]] == ["eu-west-1"]
    endpoint = "ec2.eu-west-1.amazonaws.com"
    found = ec2.describe_regions(Filters=[{"Name": "endpoint", "Values": [endpoint]}])["Regions"]
    assert [(r["RegionName"], r["Endpoint"]) for r in found] == [("eu-west-1", endpoint)]
    refused = error_of(lambda: ec2.describe_regions(Filters=[{"Name": "colour", "Values": ["x"]}]))
    assert refused == {"Code": "InvalidParameterValue", "Message": "The filter 'colour' is invalid"}


def test_fingerprints_follow_aws(ec2) -> None:
    # Checked against OpenSSL and OpenSSH (tests/oracles.py), never against helpers.fingerprints.
    for key_type in ("rsa", "ed25519"):
        created = ec2.create_key_pair(KeyName=f"created-{key_type}", KeyType=key_type)
        assert created["KeyFingerprint"] == oracles.created_fingerprint(created["KeyMaterial"])
    for index, vector in enumerate(oracles.VECTORS["vectors"]):
        imported = ec2.import_key_pair(KeyName=f"imported-{index}",
                                       PublicKeyMaterial=vector["public_key"].encode())
        assert imported["KeyFingerprint"] == vector["aws_import_fingerprint"], vector["key"]


def test_a_launch_template_version_starts_from_its_source_version(ec2) -> None:
    data = {"ImageId": "ami-12345678", "InstanceType": "t3.micro", "KeyName": "old"}
    template = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData=data)
    template_id = template["LaunchTemplate"]["LaunchTemplateId"]
    ec2.create_launch_template_version(LaunchTemplateId=template_id, SourceVersion="1",
                                       LaunchTemplateData={"InstanceType": "m5.large"})
    made = ec2.create_launch_template_version(  # from the default (1), not the latest (2)
        LaunchTemplateName="web", SourceVersion="$Default",
        LaunchTemplateData={"KeyName": "new"})["LaunchTemplateVersion"]
    assert made["LaunchTemplateData"] == {**data, "KeyName": "new"}
    (stored,) = ec2.describe_launch_template_versions(
        LaunchTemplateId=template_id, Versions=["3"])["LaunchTemplateVersions"]
    assert stored["LaunchTemplateData"] == {**data, "KeyName": "new"}


def test_a_region_aws_does_not_have_cannot_be_reached(ec2) -> None:
    # In this process in both modes: a server cannot fail to be reached for one Region only.
    typo = boto3.client("ec2", region_name="eu-west-7", config=Config(retries={"max_attempts": 1}))
    with pytest.raises(EndpointConnectionError) as raised:
        typo.describe_key_pairs()
    assert str(raised.value) == (
        'Could not connect to the endpoint URL: "https://ec2.eu-west-7.amazonaws.com/"')
    assert ec2.describe_key_pairs()["KeyPairs"] == []  # the Regions AWS has still answer


def test_an_empty_public_key_is_a_missing_parameter(ec2) -> None:
    # As OpenStack's ec2api tempest plugin expects of AWS (test_import_empty_key_pair).
    error = error_of(lambda: ec2.import_key_pair(KeyName="k", PublicKeyMaterial=b""))
    assert error == {"Code": "MissingParameter",
                     "Message": "The request must contain the parameter PublicKeyMaterial"}
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_a_public_key_ends_with_its_key_pairs_name(ec2) -> None:
    ec2.create_key_pair(KeyName="made", KeyType="ed25519")
    line = openssh_line(rsa_key())
    ec2.import_key_pair(KeyName="laptop", PublicKeyMaterial=line + b" me@laptop")
    found = {k["KeyName"]: k["PublicKey"]
             for k in ec2.describe_key_pairs(IncludePublicKey=True)["KeyPairs"]}
    assert found["laptop"] == f"{line.decode()} laptop"
    assert found["made"].startswith("ssh-ed25519 AAAA") and found["made"].endswith(" made")


# Instances launched with a key pair (the instances you log in to; tests/logins.py connects).


def test_a_launch_with_a_key_pair_that_does_not_exist_is_refused(ec2) -> None:
    error = error_of(lambda: logins.launch(ec2, "nope"))
    assert error == {"Code": "InvalidKeyPair.NotFound",
                     "Message": "The key pair 'nope' does not exist"}
    assert ec2.describe_instances()["Reservations"] == []


def test_an_ed25519_key_pair_cannot_launch_a_windows_instance(ec2) -> None:
    ec2.create_key_pair(KeyName="ed", KeyType="ed25519")
    error = error_of(lambda: logins.launch(ec2, "ed", logins.WINDOWS_IMAGE))
    assert error == {"Code": "Unsupported", "Message": fidelity.instances.WINDOWS_ED25519}
    assert ec2.describe_instances()["Reservations"] == []
    logins.launch(ec2, "ed")  # a Linux image takes it


def test_an_instance_accepts_ssh_with_its_key_pair_as_its_images_user(ec2) -> None:
    key = ec2.create_key_pair(KeyName="web", KeyType="ed25519")
    amazon, ubuntu = (logins.launch(ec2, "web", image)
                      for image in (logins.LINUX_IMAGE, logins.UBUNTU_IMAGE))
    assert logins.run(ec2, amazon, key["KeyMaterial"]) == "ec2-user\n"
    assert logins.run(ec2, ubuntu, key["KeyMaterial"], user="ubuntu") == "ubuntu\n"
    with pytest.raises(paramiko.AuthenticationException):
        logins.run(ec2, ubuntu, key["KeyMaterial"], user="ec2-user")
    other = ec2.create_key_pair(KeyName="other")
    with pytest.raises(paramiko.AuthenticationException):
        logins.run(ec2, amazon, other["KeyMaterial"])
    ec2.delete_key_pair(KeyName="web")  # changes no instance
    assert logins.run(ec2, amazon, key["KeyMaterial"], "cat ~/.ssh/authorized_keys") == (
        f"{key_line(key)} web\n")


def key_line(created: dict) -> str:
    """The OpenSSH public key of a created key pair's private key, without a comment."""
    private = serialization.load_ssh_private_key if "OPENSSH" in created["KeyMaterial"] else \
        serialization.load_pem_private_key
    return openssh_line(private(created["KeyMaterial"].encode(), None)).decode()


def test_the_console_output_lists_the_host_keys_the_instance_presents(ec2) -> None:
    ec2.create_key_pair(KeyName="web", KeyType="ed25519")
    instance = logins.launch(ec2, "web")
    output = login.console_output(ec2, instance)
    listed = login.host_key_fingerprints(output)
    assert len(listed) == 2 and output.count(login.FINGERPRINTS[0]) == 1
    host, port = logins.sandbox_address(ec2, instance)
    transport = paramiko.Transport((host, port))
    try:
        transport.start_client(timeout=10)
        presented = transport.get_remote_server_key()
    finally:
        transport.close()
    blob = base64.b64encode(presented.asbytes()).decode()
    assert ssh_fingerprint(f"{presented.get_name()} {blob}") in listed
    another = logins.launch(ec2, "web")
    assert not set(login.host_key_fingerprints(login.console_output(ec2, another))) & set(
        listed), "each instance has its own host keys"


def test_a_stopped_instance_refuses_ssh_and_a_started_one_accepts_it_again(ec2) -> None:
    key = ec2.create_key_pair(KeyName="web", KeyType="ed25519")
    instance = logins.launch(ec2, "web")
    logins.run(ec2, instance, key["KeyMaterial"], "echo 'ssh-ed25519 AAAA kept' >> "
                                                  "~/.ssh/authorized_keys")
    host, port = logins.sandbox_address(ec2, instance)
    ec2.stop_instances(InstanceIds=[instance])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((host, port), timeout=5)
    ec2.start_instances(InstanceIds=[instance])
    assert logins.run(ec2, instance, key["KeyMaterial"], "cat .ssh/authorized_keys").endswith(
        "ssh-ed25519 AAAA kept\n"), "authorized_keys is on the instance's disk: it stays"
    ec2.terminate_instances(InstanceIds=[instance])
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(logins.sandbox_address(ec2, instance), timeout=5)


def test_an_instance_launched_without_security_groups_is_in_its_vpcs_default_group(ec2) -> None:
    instance = logins.launch(ec2, None, reachable=False)
    (default,) = ec2.describe_security_groups(Filters=[
        {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    (reservation,) = ec2.describe_instances(InstanceIds=[instance])["Reservations"]
    assert reservation["Instances"][0]["SecurityGroups"] == [
        {"GroupId": default["GroupId"], "GroupName": "default"}]


def test_a_default_security_group_lets_in_only_its_own_members(ec2) -> None:
    (default,) = ec2.describe_security_groups(Filters=[
        {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]
    assert default["IpPermissions"] == [{
        "IpProtocol": "-1", "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [],
        "UserIdGroupPairs": [{"GroupId": default["GroupId"], "UserId": default["OwnerId"]}]}]


def test_a_terminated_instance_can_be_neither_started_nor_stopped(ec2) -> None:
    instance = logins.launch(ec2, None, reachable=False)
    ec2.terminate_instances(InstanceIds=[instance])
    for call, verb in ((ec2.start_instances, "started"), (ec2.stop_instances, "stopped")):
        assert error_of(lambda call=call: call(InstanceIds=[instance])) == {
            "Code": "IncorrectInstanceState",
            "Message": f"The instance '{instance}' is not in a state from which it can be {verb}."}
    (reservation,) = ec2.describe_instances(InstanceIds=[instance])["Reservations"]
    assert reservation["Instances"][0]["State"]["Name"] == "terminated"


def ssh_rule(cidr: str, protocol: str = "tcp", ports: tuple[int, int] = (22, 22)) -> list:
    return [{"IpProtocol": protocol, "FromPort": ports[0], "ToPort": ports[1],
             "IpRanges": [{"CidrIp": cidr}]}]


def test_ssh_gets_in_only_while_a_security_group_lets_the_learners_address_in(ec2) -> None:
    key = ec2.create_key_pair(KeyName="web", KeyType="ed25519")["KeyMaterial"]
    instance = logins.launch(ec2, "web", reachable=False)  # the default group: no one from outside
    with pytest.raises(TimeoutError):
        logins.run(ec2, instance, key, timeout=0.2)
    group = ec2.create_security_group(GroupName="ssh", Description="SSH")["GroupId"]
    ec2.modify_instance_attribute(InstanceId=instance, Groups=[group])
    for rule in (ssh_rule("198.51.100.7/32"), ssh_rule(f"{LEARNER_ADDRESS}/32", "udp"),
                 ssh_rule(f"{LEARNER_ADDRESS}/32", ports=(80, 443))):  # another address, or port
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rule)
        with pytest.raises(TimeoutError):
            logins.run(ec2, instance, key, timeout=0.2)
    for rule in (ssh_rule(f"{LEARNER_ADDRESS}/32"), ssh_rule("203.0.113.0/24", ports=(20, 30)),
                 [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": f"{LEARNER_ADDRESS}/32"}]}]):
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=rule)
        assert logins.run(ec2, instance, key) == "ec2-user\n", "in at once"
        ec2.revoke_security_group_ingress(GroupId=group, IpPermissions=rule)
        with pytest.raises(TimeoutError):
            logins.run(ec2, instance, key, timeout=0.2)


def test_an_instance_without_a_public_address_cannot_be_reached_even_with_ssh_open(ec2) -> None:
    key = ec2.create_key_pair(KeyName="web", KeyType="ed25519")["KeyMaterial"]
    private = ec2.run_instances(ImageId=logins.LINUX_IMAGE, MinCount=1, MaxCount=1,
                                KeyName="web", NetworkInterfaces=[{
                                    "DeviceIndex": 0, "AssociatePublicIpAddress": False,
                                    "Groups": [logins.ssh_from_the_learner(ec2)]}])[
        "Instances"][0]["InstanceId"]
    (reservation,) = ec2.describe_instances(InstanceIds=[private])["Reservations"]
    assert "PublicIpAddress" not in reservation["Instances"][0]
    with pytest.raises(TimeoutError):
        logins.run(ec2, private, key, timeout=0.2)


def test_a_known_hosts_line_saved_at_first_boot_still_logs_in_after_a_stop_and_start(
        ec2) -> None:
    key = ec2.create_key_pair(KeyName="web", KeyType="ed25519")["KeyMaterial"]
    instance = logins.launch(ec2, "web")
    first_boot = login.console_output(ec2, instance)
    ec2.stop_instances(InstanceIds=[instance])
    ec2.start_instances(InstanceIds=[instance])
    host, port = logins.sandbox_address(ec2, instance)  # a new address, as on AWS
    assert logins.run(ec2, instance, key, known=login.known_hosts(first_boot, host, port)) == (
        "ec2-user\n"), "the host keys live on the instance's disk"


def test_the_sandbox_answers_checkip_with_the_learners_address_and_sends_nothing(
        sandbox_on) -> None:
    import requests

    for _ in range(2):  # and again after a reset, which forgets moto's answers to requests
        assert urllib.request.urlopen("https://checkip.amazonaws.com").read() == (
            f"{LEARNER_ADDRESS}\n".encode())
        assert requests.get("http://checkip.amazonaws.com/").text.strip() == LEARNER_ADDRESS
        assert login.public_address() == LEARNER_ADDRESS
        sandbox.reset()


def iam_user(ec2: Any, *statements: dict[str, Any]) -> Any:
    """An EC2 client signed with the access key of a new IAM user whose policy holds statements."""
    iam = test_stacks.client(ec2, "iam")
    name = f"user{len(iam.list_users()['Users'])}"
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="its", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": list(statements)}))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.client("ec2", region_name=REGION, endpoint_url=None if "amazonaws.com" in
                        ec2.meta.endpoint_url else ec2.meta.endpoint_url,
                        aws_access_key_id=key["AccessKeyId"],
                        aws_secret_access_key=key["SecretAccessKey"])


def test_an_iam_users_calls_are_allowed_only_by_its_policies(ec2) -> None:
    user = iam_user(ec2, {"Effect": "Allow", "Action": "ec2:DescribeKeyPairs", "Resource": "*"},
                    {"Effect": "Allow", "Action": "ec2:CreateKeyPair",
                     "Resource": "arn:aws:ec2:*:*:key-pair/team-*"},
                    {"Effect": "Deny", "Action": "ec2:DeleteKeyPair", "Resource": "*"})
    assert user.create_key_pair(KeyName="team-a", KeyType="ed25519")["KeyName"] == "team-a"
    assert [k["KeyName"] for k in user.describe_key_pairs()["KeyPairs"]] == ["team-a"]
    arn = re.escape("arn:aws:iam::123456789012:user/user0")
    with pytest.raises(ClientError, match=rf"\(UnauthorizedOperation\).*: You are not authorized "
                       rf"to perform this operation\. User: {arn} is not authorized to perform: "
                       r"ec2:CreateKeyPair on resource: arn:aws:ec2:us-east-1:123456789012:"
                       r"key-pair/other because no identity-based policy allows the "
                       r"ec2:CreateKeyPair action\.$"):
        user.create_key_pair(KeyName="other")
    assert error_of(lambda: user.delete_key_pair(KeyName="team-a"))["Message"].endswith(
        "with an explicit deny in an identity-based policy.")
    ec2.delete_key_pair(KeyName="team-a")  # the account's own credentials may do anything
    wrong = boto3.client("ec2", region_name=REGION, endpoint_url=user.meta.endpoint_url,
                         aws_access_key_id=user._request_signer._credentials.access_key,
                         aws_secret_access_key="not its secret")
    assert error_of(wrong.describe_key_pairs)["Code"] in ("SignatureDoesNotMatch", "AuthFailure")


def test_a_dry_run_asks_the_policy_and_a_key_pair_id_is_its_names_resource(ec2) -> None:
    """DryRun answers whether the caller may (DryRunOperation, or UnauthorizedOperation), and
    changes nothing; a key pair named by its id is the same resource as by its name."""
    user = iam_user(ec2, {"Effect": "Allow", "Action": ["ec2:CreateKeyPair", "ec2:DeleteKeyPair"],
                          "Resource": "arn:aws:ec2:*:*:key-pair/intern-*"})
    assert error_of(lambda: user.create_key_pair(KeyName="intern-a", DryRun=True))[
        "Code"] == "DryRunOperation"
    assert error_of(lambda: user.create_key_pair(KeyName="prod", DryRun=True))[
        "Code"] == "UnauthorizedOperation"
    ids = {name: ec2.create_key_pair(KeyName=name)["KeyPairId"] for name in ("intern-b", "prod")}
    assert error_of(lambda: user.delete_key_pair(KeyPairId=ids["prod"]))["Message"].endswith(
        "on resource: arn:aws:ec2:us-east-1:123456789012:key-pair/prod because no "
        "identity-based policy allows the ec2:DeleteKeyPair action.")
    user.delete_key_pair(KeyPairId=ids["intern-b"])
    assert [key["KeyName"] for key in ec2.describe_key_pairs()["KeyPairs"]] == ["prod"]


def test_a_policy_condition_is_refused_in_a_sentence_not_guessed_at(ec2) -> None:
    user = iam_user(ec2, {"Effect": "Allow", "Action": "ec2:CreateKeyPair", "Resource": "*",
                          "Condition": {"StringEquals": {"ec2:KeyPairType": "ed25519"}}})
    assert error_of(lambda: user.create_key_pair(KeyName="k", KeyType="rsa")) == {
        "Code": "UnsupportedOperation", "Message": "The sandbox does not evaluate IAM policy "
        "conditions (ec2:KeyPairType): try this policy on AWS (notebook 08 shows what AWS "
        "answers).", "Type": "Sender"}
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_a_windows_password_is_encrypted_with_the_launch_key_pair(ec2) -> None:
    key = ec2.create_key_pair(KeyName="admin")
    windows = logins.launch(ec2, "admin", logins.WINDOWS_IMAGE)
    linux = logins.launch(ec2, "admin")
    data = ec2.get_password_data(InstanceId=windows)["PasswordData"]
    private = serialization.load_pem_private_key(key["KeyMaterial"].encode(), None)
    password = private.decrypt(base64.b64decode(data), padding.PKCS1v15()).decode()
    assert len(password) == 32 and password.isprintable() and " " not in password
    assert ec2.get_password_data(InstanceId=windows)["PasswordData"] == data, (
        "the instance encrypted its password once, as it booted")
    assert ec2.get_password_data(InstanceId=linux)["PasswordData"] == ""


def test_instance_connect_lets_a_pushed_key_in_for_60_seconds(ec2) -> None:
    ec2.create_key_pair(KeyName="lost", KeyType="ed25519")  # its private key: lost
    instance = logins.launch(ec2, "lost")
    new = ed25519.Ed25519PrivateKey.generate()
    pem = new.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                            serialization.NoEncryption()).decode()
    with pytest.raises(paramiko.AuthenticationException):
        logins.run(ec2, instance, pem)
    pushed = logins.instance_connect(ec2).send_ssh_public_key(
        InstanceId=instance, InstanceOSUser="ec2-user", SSHPublicKey=openssh_line(new).decode())
    assert pushed["Success"] is True
    assert logins.run(ec2, instance, pem) == "ec2-user\n"
    real_clock = shell.clock
    try:
        shell.clock = lambda: real_clock() + 61
        with pytest.raises(paramiko.AuthenticationException):
            logins.run(ec2, instance, pem)
    finally:
        shell.clock = real_clock


def test_instance_connect_checks_the_instance_the_user_and_the_key(ec2) -> None:
    ec2.create_key_pair(KeyName="web", KeyType="ed25519")
    instance = logins.launch(ec2, "web")
    connect, key = logins.instance_connect(ec2), openssh_line(rsa_key()).decode()

    def push(**changes: str) -> dict[str, str]:
        request = {"InstanceId": instance, "InstanceOSUser": "ec2-user", "SSHPublicKey": key}
        return error_of(lambda: connect.send_ssh_public_key(**{**request, **changes}))

    assert push(InstanceId="mi-0123456789abcdef0")["Code"] == "InvalidArgsException"
    assert "at 'instanceId' failed to satisfy constraint" in push(InstanceId="I-0123456789")[
        "Message"]
    assert push(InstanceOSUser="ec2 user")["Code"] == "InvalidArgsException"
    assert push(SSHPublicKey="ssh-ed25519 " + "A" * 80)["Message"].endswith(
        "SSH Public key is invalid")
    small = ssh_line(b"ssh-rsa", 65537, (1 << 1023) + 1)  # 1024 bits: under 2048
    assert push(SSHPublicKey=small.decode())["Code"] == "InvalidArgsException"
    assert push(InstanceId="i-0123456789abcdef0")["Code"] == "EC2InstanceNotFoundException"
    ec2.stop_instances(InstanceIds=[instance])
    assert push()["Code"] == "EC2InstanceStateInvalidException"


# Behaviours plain moto already gets right: kept as guards, pinned to no fix.


def test_key_name_of_255_ascii_characters_is_accepted(ec2) -> None:
    name = "k" * 255
    assert ec2.create_key_pair(KeyName=name, KeyType="ed25519")["KeyName"] == name


def test_dry_run_on_create_import_and_delete_changes_nothing(ec2) -> None:
    kept = ec2.create_key_pair(KeyName="kept", KeyType="ed25519")
    for call in (lambda: ec2.create_key_pair(KeyName="new", DryRun=True),
                 lambda: ec2.import_key_pair(KeyName="new", DryRun=True,
                                             PublicKeyMaterial=openssh_line(rsa_key())),
                 lambda: ec2.delete_key_pair(KeyName="kept", DryRun=True),
                 lambda: ec2.delete_key_pair(KeyPairId=kept["KeyPairId"], DryRun=True)):
        assert error_of(call) == {
            "Code": "DryRunOperation",
            "Message": "Request would have succeeded, but DryRun flag is set.",
        }
    assert [k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"]] == ["kept"]


def test_deleting_a_missing_key_pair_succeeds(ec2) -> None:
    assert ec2.delete_key_pair(KeyName="never-there")["Return"] is True


def test_errors_quote_control_characters_escaped(ec2) -> None:
    assert error_of(lambda: ec2.describe_key_pairs(KeyNames=["a\x01"]))["Message"] == (
        "The key pair 'a\\x01' does not exist")
    filters = [{"Name": "\x08", "Values": ["x"]}]
    assert error_of(lambda: ec2.describe_key_pairs(Filters=filters))["Message"] == (
        "The filter '\\x08' is invalid")
    assert ec2.describe_key_pairs()["KeyPairs"] == []  # and it goes on answering


PINS: dict[str, list[Callable[..., None]]] = {
    "default_key_type_to_rsa": [
        test_key_created_without_key_type_is_rsa,
        test_key_type_filter_finds_keys_by_type,
    ],
    "reject_unknown_key_types": [test_unknown_key_type_is_refused],
    "fingerprint_created_keys_like_aws": [test_fingerprints_follow_aws],
    "fingerprint_imported_keys_like_aws": [test_fingerprints_follow_aws],
    "reject_malformed_public_keys": [
        test_malformed_public_keys_get_invalid_key_format,
        test_rsa_public_keys_import_from_each_format_aws_accepts,
    ],
    "validate_key_names": [test_invalid_key_names_are_refused],
    "validate_tags": [test_tags_that_aws_refuses_are_refused],
    "return_ppk_when_asked": [
        test_ppk_format_returns_a_putty_key,
        test_unknown_key_format_is_refused,
    ],
    "name_the_missing_key_pair": [test_missing_key_pair_is_named_in_not_found],
    "reject_unknown_filters": [test_unknown_filter_is_refused],
    "describe_by_key_pair_ids": [
        test_describe_by_key_pair_ids_returns_only_those,
        test_describe_unknown_key_pair_id_is_not_found,
    ],
    "delete_by_key_pair_id": [test_delete_by_key_pair_id_deletes_the_key],
    "honour_dry_run_on_describe": [test_dry_run_describe_answers_dry_run_operation],
    "escape_control_characters_in_errors": [test_errors_quote_control_characters_escaped],
    "start_from_the_source_version": [
        test_a_launch_template_version_starts_from_its_source_version],
    "reach_no_region_aws_lacks": [test_a_region_aws_does_not_have_cannot_be_reached],
    "answer_regions_like_aws": [
        test_describe_regions_lists_the_enabled_regions_and_marks_the_opt_in_ones],
    "name_the_key_pair_in_its_public_key": [test_a_public_key_ends_with_its_key_pairs_name],
    "empty_public_key_material_is_missing": [test_an_empty_public_key_is_a_missing_parameter],
    "boot_instances_with_their_key_pair": [
        test_a_launch_with_a_key_pair_that_does_not_exist_is_refused,
        test_an_ed25519_key_pair_cannot_launch_a_windows_instance,
        test_an_instance_accepts_ssh_with_its_key_pair_as_its_images_user],
    "stop_serving_stopped_instances": [
        test_a_stopped_instance_refuses_ssh_and_a_started_one_accepts_it_again],
    "launch_into_the_default_security_group": [
        test_an_instance_launched_without_security_groups_is_in_its_vpcs_default_group],
    "let_the_default_group_in_from_itself": [
        test_a_default_security_group_lets_in_only_its_own_members],
    "keep_terminated_instances_terminated": [
        test_a_terminated_instance_can_be_neither_started_nor_stopped],
    "check_iam_users_against_their_policies": [
        test_an_iam_users_calls_are_allowed_only_by_its_policies],
    "name_the_resource_that_failed": [
        test_stacks.test_a_resource_that_fails_rolls_its_stack_back_and_the_waiter_says_so_at_once],
    "remember_what_a_deleted_stack_had": [
        test_stacks.test_a_deleted_stacks_resources_are_listed_as_deleted_and_not_made_again],
    "read_a_deleted_resource_without_making_it": [
        test_stacks.test_a_deleted_stacks_resources_are_listed_as_deleted_and_not_made_again],
    "roll_back_a_stack_whose_resource_failed": [
        test_stacks.test_a_resource_that_fails_rolls_its_stack_back_and_the_waiter_says_so_at_once],
    "roll_back_an_update_that_failed": [
        test_stacks.test_a_changed_property_replaces_the_key_pair_and_a_kept_name_is_refused],
    "read_yaml_short_forms_whole": [
        test_stacks.test_yaml_short_forms_read_as_cloudformation_reads_them],
    "launch_stack_instances_into_their_groups": [
        test_stacks.test_an_instance_of_the_stack_launches_with_its_key_pair_and_lets_ssh_in],
    "let_in_only_what_security_groups_allow": [
        test_ssh_gets_in_only_while_a_security_group_lets_the_learners_address_in,
        test_an_instance_without_a_public_address_cannot_be_reached_even_with_ssh_open],
    "print_host_keys_to_the_console": [
        test_the_console_output_lists_the_host_keys_the_instance_presents],
    "encrypt_the_windows_password_with_the_key_pair": [
        test_a_windows_password_is_encrypted_with_the_launch_key_pair],
    "accept_keys_pushed_with_instance_connect": [
        test_instance_connect_lets_a_pushed_key_in_for_60_seconds,
        test_instance_connect_checks_the_instance_the_user_and_the_key],
}


def plain_moto_results() -> dict[str, bool]:
    """Run each fix's tests on plain moto (call in a process that never applied the fixes)."""
    from moto import mock_aws

    assert not fidelity._applied, "plain moto means a process without fidelity.apply()"
    mock = mock_aws()
    mock.start()
    client = boto3.client("ec2", region_name=REGION)
    passed = {}
    for fix, checks in PINS.items():
        passed[fix] = True
        for check in checks:
            sandbox.forget_key_pairs()
            try:
                check(client)
            except (Exception, pytest.fail.Exception):  # pytest's Failed is no Exception
                passed[fix] = False
    mock.stop()
    return passed


@pytest.fixture(scope="module", autouse=True)
def plain_moto_run(request):
    """Start plain moto's run in a fresh process now, so that it overlaps the tests above; not at
    all where test_fix_is_still_needed is not selected (make check: it starts Python, 5 core-s)."""
    if not any(item.originalname == "test_fix_is_still_needed" for item in request.session.items):
        yield None
        return
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    script = "import json, test_fidelity as t; print(json.dumps(t.plain_moto_results()))"
    run = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yield run
    run.kill()  # no-op once it has finished


@pytest.fixture(scope="module")
def plain_moto(plain_moto_run: subprocess.Popen) -> dict[str, bool]:
    out, err = plain_moto_run.communicate(timeout=120)
    assert plain_moto_run.returncode == 0, err
    return json.loads(out.splitlines()[-1])


def test_applying_the_fixes_twice_changes_nothing(sandbox_on) -> None:
    patched = (KeyPairBackend.create_key_pair, KeyPairs.describe_key_pairs)
    fidelity.apply()
    assert (KeyPairBackend.create_key_pair, KeyPairs.describe_key_pairs) == patched


TOPICS = (*fidelity.TOPICS, stacks)  # stacks' fixes apply as CloudFormation is first served
FIXES = tuple(fix for topic in TOPICS for fix in topic.FIXES)


def test_every_fix_is_pinned_by_a_test() -> None:
    assert set(PINS) == {fix.__name__ for fix, _ in FIXES}


@pytest.mark.process
@pytest.mark.parametrize("fix", PINS)
def test_fix_is_still_needed(plain_moto: dict[str, bool], fix: str) -> None:
    function = next(function for function, _ in FIXES if function.__name__ == fix)
    behaviour = function.__doc__.split(" (")[0]
    where = Path(sys.modules[function.__module__].__file__).relative_to(Path(__file__).parents[1])
    assert not plain_moto[fix], (
        f"moto now does this itself ({behaviour}): remove fix {fix} from {where}")



def test_each_fix_has_its_row_in_the_section_of_the_module_that_holds_it() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "sandbox-fidelity.md").read_text()
    sections = {re.search(r"fidelity/(\w+)\.py", part)[1]: part
                for part in doc.split("\n### ")[1:]}
    assert set(sections) == {topic.__name__.rpartition(".")[2] for topic in TOPICS}
    misplaced = [fix.__name__ for fix, _ in FIXES
                 if f"`{fix.__name__}`" not in sections[fix.__module__.rpartition(".")[2]]]
    assert misplaced == []
