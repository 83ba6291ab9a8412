"""The recipe files (recipes/*.py, exported from the notebooks), each function tested alone: on
the sandbox for what works, and with botocore's Stubber or an injected failure for what fails."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError, WaiterError
from botocore.stub import Stubber
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from helpers.facts import KEYS as HOST_KEY_MARKERS
from helpers.fingerprints import fingerprint_of_private_key
from helpers.rules import PPK_HEADER, shows_private_key
from tests import logins
from tests.person import press

RECIPES = Path(__file__).resolve().parents[1] / "recipes"


def recipe(stem: str):
    """A recipe file imported as a module: its functions, without running its demo."""
    spec = importlib.util.spec_from_file_location(stem, RECIPES / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def names(ec2) -> list[str]:
    return sorted(key["KeyName"] for key in ec2.describe_key_pairs()["KeyPairs"])


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def public_key_line() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)


# 00 -----------------------------------------------------------------------------------------

def test_setup_recipe_stops_with_a_sentence_when_no_region_is_set(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(tmp_path)  # no ~/.aws/config either
    run = subprocess.run([sys.executable, str(RECIPES / "00_setup.py")], env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr.strip() == ("No AWS Region is set: run aws configure, or set "
                                  "AWS_DEFAULT_REGION.")


# 01 and 03: exact names, never a wildcard's match -------------------------------------------

def test_find_key_pair_matches_the_name_exactly(ec2):
    find_key_pair = recipe("01_describe_key_pairs").find_key_pair
    ec2.create_key_pair(KeyName="prod-bastion", KeyType="ed25519")
    assert find_key_pair(ec2, "prod-*") is None  # the filter alone would match prod-bastion
    assert find_key_pair(ec2, "prod-?astion") is None
    assert find_key_pair(ec2, "prod-bastion")["KeyName"] == "prod-bastion"


def test_delete_if_unused_deletes_only_the_exact_name(ec2):
    delete = recipe("03_delete_key_pair").delete_key_pair_if_unused
    made = ec2.create_key_pair(KeyName="prod-bastion", KeyType="ed25519")
    assert delete(ec2, "prod-*") is None
    assert names(ec2) == ["prod-bastion"]
    assert delete(ec2, "prod-bastion") == made["KeyPairId"]
    assert names(ec2) == []
    assert delete(ec2, "prod-bastion") is None  # a second run: nothing to do, no error


# 02: create to a file safely -------------------------------------------------------------------

def test_create_key_pair_file_writes_the_key_0600_and_returns_its_id(ec2, here):
    create = recipe("02_create_key_pair").create_key_pair_file
    key_pair_id, path = create(ec2, "laptop", key_type="ed25519")
    assert path == Path("keys/laptop.pem") and oct(path.stat().st_mode & 0o777) == "0o600"
    assert shows_private_key(path.read_text())
    assert ec2.describe_key_pairs(KeyNames=["laptop"])["KeyPairs"][0]["KeyPairId"] == key_pair_id


@pytest.mark.parametrize("name", ["../escape", "/etc/evil", "a/b", ".hidden", "", 42, "k" * 252])
def test_create_key_pair_file_refuses_a_name_that_is_no_plain_file_name(ec2, here, name):
    with pytest.raises(ValueError, match="cannot be a file name"):
        recipe("02_create_key_pair").create_key_pair_file(ec2, name)
    assert names(ec2) == [] and list(here.rglob("*")) == []


def test_create_key_pair_file_creates_nothing_when_the_file_exists(ec2, here):
    Path("keys").mkdir()
    Path("keys/laptop.pem").write_text("mine")
    with pytest.raises(FileExistsError):
        recipe("02_create_key_pair").create_key_pair_file(ec2, "laptop")
    assert names(ec2) == [] and Path("keys/laptop.pem").read_text() == "mine"


def test_create_key_pair_file_on_a_full_disk_leaves_no_key_pair_and_no_file(ec2, here,
                                                                           monkeypatch):
    module = recipe("02_create_key_pair")
    ec2.create_key_pair(KeyName="laptop-2", KeyType="ed25519")  # the same name's neighbour

    class FullDisk:
        def __init__(self, descriptor, mode):
            os.close(descriptor)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def write(self, text):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(module.os, "fdopen", FullDisk)
    with pytest.raises(OSError, match="No space left"):
        module.create_key_pair_file(ec2, "laptop")
    assert names(ec2) == ["laptop-2"], "the new key pair is deleted again, by id, and no other"
    assert list(Path("keys").iterdir()) == [], "no half-written key file"


def test_create_key_pair_file_undoes_the_create_by_the_id_it_got(here, monkeypatch):
    module = recipe("02_create_key_pair")
    ec2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x")

    def full_disk(path, text):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "write_private", full_disk)
    with Stubber(ec2) as stub:  # the delete must name the key pair just made, not its name
        stub.add_response("create_key_pair", {"KeyName": "laptop", "KeyMaterial": "k",
                                              "KeyPairId": "key-0123456789abcdef0"})
        stub.add_response("delete_key_pair", {"Return": True},
                          expected_params={"KeyPairId": "key-0123456789abcdef0"})
        with pytest.raises(OSError):
            module.create_key_pair_file(ec2, "laptop")
        stub.assert_no_pending_responses()


def test_a_create_whose_answer_was_lost_says_the_private_key_is_lost(here):
    module = recipe("02_create_key_pair")
    ec2 = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x",
                       aws_secret_access_key="x")
    with Stubber(ec2) as stub:  # botocore retried a create EC2 had done: the retry is a Duplicate
        stub.add_client_error("create_key_pair", "InvalidKeyPair.Duplicate")
        stub.add_response("describe_key_pairs", {"KeyPairs": [{
            "KeyName": "laptop", "KeyPairId": "key-0123456789abcdef0",
            "CreateTime": datetime.now(timezone.utc) - timedelta(seconds=3)}]})
        with pytest.raises(RuntimeError, match="^laptop was created seconds ago.*lost"):
            module.create_key_pair_file(ec2, "laptop")
        stub.add_client_error("create_key_pair", "InvalidKeyPair.Duplicate")
        stub.add_response("describe_key_pairs", {"KeyPairs": [{
            "KeyName": "laptop", "KeyPairId": "key-0123456789abcdef0",
            "CreateTime": datetime.now(timezone.utc) - timedelta(days=9)}]})
        with pytest.raises(ClientError, match="InvalidKeyPair.Duplicate"):  # simply taken
            module.create_key_pair_file(ec2, "laptop")
    assert list(Path("keys").iterdir()) == []


# 04: one public key into every Region, resumable ----------------------------------------------

@pytest.fixture
def pub(here) -> Path:
    Path("keys").mkdir(mode=0o700)
    path = Path("keys/laptop.pub")
    path.write_bytes(public_key_line() + b"\n")
    return path


def test_read_public_key_refuses_anything_but_a_public_key_file(here, pub):
    read = recipe("04_import_key_pair").read_public_key
    assert read(pub) == pub.read_bytes().strip()
    Path("keys/laptop").write_bytes(ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()))  # made now, never stored
    with pytest.raises(ValueError, match="is not a .pub file"):  # the private half, no .pub
        read("keys/laptop")
    Path("keys/oops.pub").write_text(Path("keys/laptop").read_text())
    with pytest.raises(ValueError, match="holds a private key: never send it"):
        read("keys/oops.pub")
    with pytest.raises(FileNotFoundError, match="ssh-keygen -t ed25519 -f keys/typo"):
        read("keys/typo.pub")  # a mistyped path: never a new key made silently


def test_import_everywhere_is_safe_to_run_again(ec2, pub):
    module = recipe("04_import_key_pair")
    session, regions = boto3.session.Session(), ["us-east-1", "eu-west-1"]
    material = module.read_public_key(pub)
    first = module.import_everywhere(session, "laptop", material, regions)
    assert all(line.startswith("imported: key-") for line in first.values()), first
    again = module.import_everywhere(session, "laptop", material, regions)
    assert again == {region: f"already there: {first[region].split()[1]}" for region in regions}


def test_import_everywhere_skips_a_region_where_another_key_has_the_name(ec2, pub):
    module = recipe("04_import_key_pair")
    ec2.import_key_pair(KeyName="laptop", PublicKeyMaterial=public_key_line())  # another key
    report = module.import_everywhere(boto3.session.Session(), "laptop",
                                      module.read_public_key(pub), ["us-east-1", "eu-west-1"])
    assert report["us-east-1"] == "skipped: another public key holds this name here"
    assert report["eu-west-1"].startswith("imported: key-")


def test_a_failing_region_stops_no_other(ec2, pub):
    module = recipe("04_import_key_pair")
    session = boto3.session.Session()

    class OneRegionRefuses:
        def client(self, service, region_name):
            client = session.client(service, region_name=region_name)
            if region_name == "ap-south-2":  # not opted in: AWS answers AuthFailure
                stub = Stubber(client)
                stub.add_client_error("describe_key_pairs", "AuthFailure", "not opted in")
                stub.activate()
            return client

    report = module.import_everywhere(OneRegionRefuses(), "laptop", module.read_public_key(pub),
                                      ["ap-south-2", "eu-west-1"])
    assert report["ap-south-2"].startswith("failed: An error occurred (AuthFailure)")
    assert report["eu-west-1"].startswith("imported: key-")


# 05: the widget recipe, clicked ----------------------------------------------------------------

@pytest.fixture
def form(ec2, here):
    module = recipe("05_key_pair_manager")
    module.name.value = "workshop-key"
    return module


def test_the_form_says_when_nothing_reached_ec2(form, monkeypatch):
    def no_credentials(*_, **__):
        raise NoCredentialsError()

    monkeypatch.setattr(form.boto3, "client", no_credentials)  # the click makes the client
    press(form.button)
    assert form.result.value == "Unable to locate credentials"
    assert not form.button.disabled and not Path("keys/workshop-key.pem").exists()


def test_the_form_deletes_the_key_pair_again_when_the_file_cannot_be_written(form, ec2):
    Path("keys").write_text("a file where the folder should be")
    press(form.button)
    assert form.result.value.startswith("Could not save the private key (")
    assert form.result.value.endswith("), so the key pair was deleted.")
    assert names(ec2) == [], "no orphan key pair"


def test_the_form_says_what_ec2_refused(form, ec2):
    ec2.create_key_pair(KeyName="workshop-key", KeyType="ed25519")
    press(form.button)
    assert form.result.value == "The keypair 'workshop-key' already exists."  # AWS's words
    assert names(ec2) == ["workshop-key"]


# 02 without a file system: the private key in Secrets Manager -------------------------------

@pytest.fixture
def secrets(ec2):
    """Secrets Manager on the sandbox (as empty as the rest: the ec2 fixture resets it all)."""
    return boto3.client("secretsmanager", region_name="us-east-1")


def test_key_pair_secret_keeps_the_private_key_in_secrets_manager_only(ec2, secrets, here):
    module = recipe("02_key_pair_secret")
    key_pair_id, arn = module.create_key_pair_secret(ec2, secrets, "ci-key")
    secret = secrets.get_secret_value(SecretId="ec2-key-pair/ci-key")
    assert secret["ARN"] == arn
    assert fingerprint_of_private_key(secret["SecretString"]) == (
        ec2.describe_key_pairs(KeyPairIds=[key_pair_id])["KeyPairs"][0]["KeyFingerprint"])
    tags = {t["Key"]: t["Value"] for t in secrets.describe_secret(SecretId=arn)["Tags"]}
    assert tags == module.TAGS == {t["Key"]: t["Value"] for t in ec2.describe_key_pairs(
        KeyNames=["ci-key"])["KeyPairs"][0]["Tags"]}
    assert list(here.iterdir()) == [], "no file anywhere"


def test_key_pair_secret_that_cannot_be_stored_leaves_no_key_pair(ec2, secrets, here):
    module = recipe("02_key_pair_secret")
    secrets.create_secret(Name="ec2-key-pair/ci-key", SecretString="someone else's")
    with pytest.raises(ClientError, match="ResourceExistsException"):
        module.create_key_pair_secret(ec2, secrets, "ci-key")
    assert names(ec2) == []
    assert secrets.get_secret_value(SecretId="ec2-key-pair/ci-key")["SecretString"] == (
        "someone else's")


# 03: in use?, delete if unused, rotate ------------------------------------------------------

AMI = "ami-760aaa0f"  # an image moto knows (Amazon Linux: EC2 refuses ED25519 for Windows)


@pytest.fixture
def retire(ec2):
    for name in ("old", "new"):
        ec2.create_key_pair(KeyName=name, KeyType="ed25519")
    template = ec2.create_launch_template(LaunchTemplateName="web", LaunchTemplateData={
        "ImageId": AMI, "KeyName": "old"})["LaunchTemplate"]["LaunchTemplateId"]
    return recipe("03_delete_key_pair"), template


def test_key_pair_users_names_live_instances_and_current_template_versions(ec2, retire):
    module, template = retire
    assert module.key_pair_users(ec2, "old") == ["launch template web version 1"]
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                 KeyName="old")["Instances"][0]["InstanceId"]
    assert module.key_pair_users(ec2, "old") == [f"instance {instance}",
                                                 "launch template web version 1"]
    ec2.terminate_instances(InstanceIds=[instance])
    assert module.key_pair_users(ec2, "old") == ["launch template web version 1"]
    assert module.key_pair_users(ec2, "ol?") == [], "exact names, no wildcard"


def test_a_key_pair_used_only_by_a_stopped_instance_is_in_use_and_kept(ec2, retire):
    module, template = retire
    ec2.delete_launch_template(LaunchTemplateId=template)  # only the instance is left
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                 KeyName="old")["Instances"][0]["InstanceId"]
    ec2.stop_instances(InstanceIds=[instance])
    assert module.key_pair_users(ec2, "old") == [f"instance {instance}"]
    with pytest.raises(RuntimeError, match=f"^old is still used by instance {instance}"):
        module.delete_key_pair_if_unused(ec2, "old")
    assert names(ec2) == ["new", "old"]


def test_delete_if_unused_refuses_a_key_pair_in_use_and_says_by_what(ec2, retire):
    module, _ = retire
    with pytest.raises(RuntimeError, match="^old is still used by launch template web version 1"):
        module.delete_key_pair_if_unused(ec2, "old")
    assert names(ec2) == ["new", "old"]
    assert module.delete_key_pair_if_unused(ec2, "new") is not None
    assert names(ec2) == ["old"]


def test_rotate_moves_the_template_to_the_new_key_then_deletes_the_old(ec2, retire):
    module, template = retire
    assert module.rotate_key_pair(ec2, "old", "new", template) == 2
    (default,) = ec2.describe_launch_template_versions(
        LaunchTemplateId=template, Versions=["$Default"])["LaunchTemplateVersions"]
    assert default["VersionNumber"] == 2 and default["LaunchTemplateData"]["KeyName"] == "new"
    assert names(ec2) == ["new"]


def test_rotate_builds_on_the_default_version_not_a_newer_draft(ec2, retire):
    module, template = retire
    ec2.create_launch_template_version(  # a draft someone is still testing: not the default
        LaunchTemplateId=template, SourceVersion="1", LaunchTemplateData={"ImageId": "ami-draft"})
    assert module.rotate_key_pair(ec2, "old", "new", template) == 3
    (default,) = ec2.describe_launch_template_versions(
        LaunchTemplateId=template, Versions=["$Default"])["LaunchTemplateVersions"]
    assert default["LaunchTemplateData"] == {"ImageId": AMI, "KeyName": "new"}


def test_rotate_keeps_an_old_key_that_an_instance_still_uses(ec2, retire):
    module, template = retire
    instance = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1,
                                 KeyName="old")["Instances"][0]["InstanceId"]
    with pytest.raises(RuntimeError, match=f"^old is still used by instance {instance}"):
        module.rotate_key_pair(ec2, "old", "new", template)
    assert names(ec2) == ["new", "old"]
    assert module.key_pair_users(ec2, "new") == ["launch template web version 2"]


def test_rotate_to_a_missing_key_pair_changes_nothing(ec2, retire):
    module, template = retire
    with pytest.raises(ClientError, match="InvalidKeyPair.NotFound"):
        module.rotate_key_pair(ec2, "old", "typo", template)
    versions = ec2.describe_launch_template_versions(LaunchTemplateId=template)
    assert len(versions["LaunchTemplateVersions"]) == 1


# 05 on the command line -----------------------------------------------------------------------

def cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = recipe("05_keypairs_cli").main(list(argv))
    out, err = capsys.readouterr()
    return status, out.strip(), err.strip()


def test_the_command_line_creates_lists_and_deletes(ec2, here, capsys):
    status, out, _ = cli(capsys, "create", "laptop", "--region", "us-east-1")
    assert status == 0 and re.fullmatch(
        r"Created key-[0-9a-f]{17}; private key in keys/laptop\.pem \(mode 0600\)", out)
    assert oct(Path("keys/laptop.pem").stat().st_mode & 0o777) == "0o600"
    status, out, _ = cli(capsys, "list", "--region", "us-east-1")
    assert status == 0 and out.startswith("laptop\ted25519\tkey-")
    assert cli(capsys, "list", "--region", "eu-west-1") == (0, "", "")  # key pairs are Regional
    status, out, _ = cli(capsys, "delete", "laptop", "--region", "us-east-1")
    assert status == 0 and out.startswith("Deleted laptop (key-")
    assert names(ec2) == []


def test_the_command_line_takes_options_anywhere_and_refuses_a_word_too_many(ec2, here, capsys):
    assert cli(capsys, "create", "--dry-run", "laptop", "--region", "us-east-1") == (
        0, "Dry run: create laptop would succeed; nothing changed.", "")
    with pytest.raises(SystemExit) as stopped:
        cli(capsys, "list", "extra")
    assert stopped.value.code == 2
    assert "list takes no name: 'extra' is one too many" in capsys.readouterr().err


def test_the_command_line_dry_run_changes_nothing(ec2, here, capsys):
    assert cli(capsys, "create", "laptop", "--dry-run", "--region", "us-east-1") == (
        0, "Dry run: create laptop would succeed; nothing changed.", "")
    assert names(ec2) == [] and not Path("keys/laptop.pem").exists()
    ec2.create_key_pair(KeyName="laptop", KeyType="ed25519")
    assert cli(capsys, "delete", "laptop", "--dry-run", "--region", "us-east-1")[0] == 0
    assert names(ec2) == ["laptop"]


def test_the_command_line_says_what_is_wrong_in_one_line(ec2, here, capsys, monkeypatch):
    assert cli(capsys, "create", "../escape", "--region", "us-east-1") == (1, "", (
        "keys/../escape.pem exists, or '../escape' is no plain file name: nothing created."))
    ec2.create_key_pair(KeyName="taken", KeyType="ed25519")
    assert cli(capsys, "create", "taken", "--region", "us-east-1") == (
        1, "", "InvalidKeyPair.Duplicate: The keypair 'taken' already exists.")
    assert not Path("keys").exists(), "nothing written"
    assert cli(capsys, "list", "--profile", "nobody")[::2] == (
        1, "The config profile (nobody) could not be found")
    assert cli(capsys, "list", "--region", "us-east1") == (1, "", (  # a typo: said at once
        "us-east1 is no EC2 Region this boto3 knows: check its spelling (e.g. us-east-1), or "
        "update boto3."))
    assert cli(capsys, "list", "--region", "cn-north-1")[0] == 0  # another partition's
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("HOME", str(here))
    assert cli(capsys, "list")[::2] == (1, "No Region is set: pass --region, or run aws configure.")
    assert cli(capsys, "delete", "nothing-here", "--region", "us-east-1") == (
        0, "No key pair named nothing-here: nothing to delete.", "")


def test_enabled_regions_are_those_describe_regions_lists(ec2):
    regions = recipe("04_import_key_pair").enabled_regions(boto3.session.Session())
    assert {"us-east-1", "eu-west-1"} <= set(regions) and regions == sorted(regions)
    assert regions == sorted(r["RegionName"] for r in ec2.describe_regions()["Regions"])


def test_wait_for_key_pair_returns_once_it_is_listed_and_says_when_it_never_is(ec2):
    module = recipe("01_describe_key_pairs")
    client = boto3.client("ec2", region_name="us-east-1", config=module.RETRIES)
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 10}
    client.create_key_pair(KeyName="fresh", KeyType="ed25519")
    module.wait_for_key_pair(client, "fresh")
    with pytest.raises(WaiterError, match="^Waiter KeyPairExists failed: Max attempts exceeded"):
        module.wait_for_key_pair(client, "never", seconds=1)  # one try, no waiting


# 07: run a command by instance id, decrypt a Windows password ----------------------------------

WINDOWS_AMI = "ami-03cf127a"  # Windows Server 2016 in moto's images


@pytest.fixture
def web(ec2, tmp_path):
    """An Amazon Linux instance launched with ED25519 key pair web: its id, key file (0600),
    and where the sandbox's console output says it listens."""
    created = ec2.create_key_pair(KeyName="web", KeyType="ed25519")
    key_file = tmp_path / "web.pem"
    key_file.write_text(created["KeyMaterial"])
    key_file.chmod(0o600)
    instance = logins.launch(ec2, "web", AMI)
    output = ec2.get_console_output(InstanceId=instance)["Output"]
    port = int(re.search(r"Server listening on 127\.0\.0\.1 port (\d+)\.", output)[1])
    return instance, key_file, port


def test_run_command_runs_it_on_the_instance_its_host_key_checked(ec2, web):
    instance, key_file, port = web
    run_command = recipe("07_use_a_key_pair").run_command
    private_dns = ec2.describe_instances(InstanceIds=[instance])["Reservations"][0][
        "Instances"][0]["PrivateDnsName"]
    assert run_command(ec2, instance, key_file, "whoami; hostname", host="127.0.0.1",
                       port=port) == f"ec2-user\n{private_dns}\n"
    assert run_command(ec2, instance, str(key_file), "whoami", host="127.0.0.1",
                       port=port) == "ec2-user\n"  # the second run, and a str path


def test_run_command_without_a_host_connects_to_the_public_name(ec2, web):
    """As copied, on AWS: host is the instance's PublicDnsName (here stubbed to the sandbox)."""
    instance, key_file, port = web
    client = boto3.client("ec2", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("describe_instances", {"Reservations": [{"Instances": [
        {"InstanceId": instance, "PublicDnsName": "127.0.0.1"}]}]}, {"InstanceIds": [instance]})
    console = ec2.get_console_output(InstanceId=instance)["Output"].encode()
    stub.add_response("get_console_output", {"Output": base64.b64encode(console).decode()},
                      {"InstanceId": instance})  # as EC2 sends it: botocore decodes it
    with stub:
        assert recipe("07_use_a_key_pair").run_command(client, instance, key_file, "whoami",
                                                       port=port) == "ec2-user\n"


def test_run_command_refuses_a_host_key_that_is_not_the_consoles(ec2, web):
    """Another instance at the address (here: another instance's port): nothing is run."""
    import paramiko

    instance, key_file, _ = web
    other = logins.launch(ec2, "web", AMI)
    other_port = int(re.search(r"port (\d+)\.", ec2.get_console_output(
        InstanceId=other)["Output"])[1])
    with pytest.raises(paramiko.SSHException, match="Host key for server|not found in known"):
        recipe("07_use_a_key_pair").run_command(ec2, instance, key_file, "whoami",
                                                host="127.0.0.1", port=other_port)


def test_run_command_says_a_wrong_key_or_user_is_refused_and_a_failed_command_failed(
        ec2, web, tmp_path):
    import paramiko

    instance, key_file, port = web
    run_command = recipe("07_use_a_key_pair").run_command
    with pytest.raises(paramiko.AuthenticationException):
        run_command(ec2, instance, key_file, "whoami", user="ubuntu", host="127.0.0.1",
                    port=port)
    other = tmp_path / "other.pem"
    other.write_text(ec2.create_key_pair(KeyName="other", KeyType="ed25519")["KeyMaterial"])
    with pytest.raises(paramiko.AuthenticationException):
        run_command(ec2, instance, other, "whoami", host="127.0.0.1", port=port)
    with pytest.raises(RuntimeError, match=r"^'nope' failed \(127\): bash: nope: command not "
                                           r"found$"):
        run_command(ec2, instance, key_file, "nope", host="127.0.0.1", port=port)


def test_run_command_connects_nowhere_without_host_keys_or_an_address(ec2, web):
    """An instance whose console shows no host keys yet (on the sandbox: launched without a key
    pair), or one with no public address: LookupError, before any connection."""
    instance, key_file, _ = web
    module = recipe("07_use_a_key_pair")
    bare = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    with pytest.raises(LookupError, match=f"^The console of {bare} lists no host keys yet"):
        module.run_command(ec2, bare, key_file, "whoami", host="127.0.0.1", port=1)
    client = boto3.client("ec2", region_name="us-east-1")
    empty_block = "".join(f"ec2: {marker}\n" for marker in HOST_KEY_MARKERS)
    with Stubber(client) as stub:  # the block is there, but lists no key: nothing to trust
        stub.add_response("get_console_output", {"Output": base64.b64encode(
            empty_block.encode()).decode()})
        with pytest.raises(LookupError, match=f"^The console of {instance} lists no host keys"):
            module.run_command(client, instance, key_file, "whoami", host="127.0.0.1", port=1)
    client = boto3.client("ec2", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_response("describe_instances", {"Reservations": [{"Instances": [
            {"InstanceId": instance, "PrivateIpAddress": "10.0.0.5"}]}]})
        with pytest.raises(LookupError, match=f"^{instance} has no public address"):
            module.run_command(client, instance, key_file, "whoami")


def test_the_run_command_script_lists_what_runs_with_a_key_pair_then_runs_on_it(
        ec2, web, capsys, monkeypatch):
    instance, key_file, port = web
    module = recipe("07_use_a_key_pair")
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)  # no key pair: not listed
    module.main([])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{instance} web ") and out[2].startswith("usage: python ")
    assert out[1] == "1 running instance(s) with a key pair in us-east-1."
    monkeypatch.setattr(sys, "argv", ["recipes/07_use_a_key_pair.py"])
    module.main([])
    assert "\nusage: python recipes/07_use_a_key_pair.py [-h]" in capsys.readouterr().out, (
        "the path as it was typed")
    module.main([instance, str(key_file), "whoami", "--host", "127.0.0.1", "--port", str(port)])
    assert capsys.readouterr().out == "ec2-user\n"
    with pytest.raises(SystemExit, match=r"^Could not run the command: .*InvalidInstanceID"):
        module.main(["i-0123456789abcdef0", str(key_file), "whoami"])


@pytest.fixture
def windows(ec2, tmp_path):
    """A Windows instance launched with RSA key pair win: its id and its key file."""
    key_file = tmp_path / "win.pem"
    key_file.write_text(ec2.create_key_pair(KeyName="win")["KeyMaterial"])
    instance = ec2.run_instances(ImageId=WINDOWS_AMI, MinCount=1, MaxCount=1,
                                 KeyName="win")["Instances"][0]["InstanceId"]
    return instance, key_file


def test_windows_password_decrypts_the_password_data_with_the_launch_key(ec2, windows):
    instance, key_file = windows
    windows_password = recipe("07_windows_password").windows_password
    password = windows_password(ec2, instance, key_file)
    assert re.fullmatch(r"[A-Za-z0-9!$%&()*;=?@]{32}", password)
    assert windows_password(ec2, instance, str(key_file)) == password  # the same, every time


def test_windows_password_is_none_until_ec2_has_one_and_a_linux_instance_has_none(ec2, windows,
                                                                                  web):
    linux, *_ = web
    _, key_file = windows
    windows_password = recipe("07_windows_password").windows_password
    bare = ec2.run_instances(ImageId=WINDOWS_AMI, MinCount=1, MaxCount=1)["Instances"][0][
        "InstanceId"]  # launched without a key pair: no password to decrypt
    assert windows_password(ec2, bare, key_file) is None
    with pytest.raises(ValueError, match=f"^{linux} is a Linux instance: it has no "
                                         "Administrator password. Log in with SSH"):
        windows_password(ec2, linux, key_file)


def test_windows_password_says_which_key_it_is_not(ec2, windows, web, tmp_path):
    instance, _ = windows
    _, ed25519_file, _ = web
    windows_password = recipe("07_windows_password").windows_password
    other = tmp_path / "other.pem"
    other.write_text(ec2.create_key_pair(KeyName="other")["KeyMaterial"])  # RSA, not win's
    with pytest.raises(ValueError, match=f"^{other} is not the private key of the key pair "
                                         f"{instance} was launched with"):
        windows_password(ec2, instance, other)
    with pytest.raises(ValueError, match="holds no RSA private key"):
        windows_password(ec2, instance, ed25519_file)
    with pytest.raises(ClientError, match="InvalidInstanceID"):
        windows_password(ec2, "i-0123456789abcdef0", other)


def test_windows_password_still_decrypts_with_the_launch_key_once_its_key_pair_is_deleted(
        ec2, windows):
    instance, key_file = windows
    windows_password = recipe("07_windows_password").windows_password
    password = windows_password(ec2, instance, key_file)
    ec2.delete_key_pair(KeyName="win")  # the instance keeps its key, as on AWS
    assert windows_password(ec2, instance, key_file) == password


def test_the_windows_password_script_lists_windows_instances_then_prints_one(
        ec2, windows, capsys, monkeypatch):
    instance, key_file = windows
    module = recipe("07_windows_password")
    monkeypatch.setattr(sys, "argv", ["07_windows_password.py"])
    module.main([])
    assert capsys.readouterr().out.splitlines() == [
        f"{instance} win", "1 running Windows instance(s) in us-east-1.",
        "usage: python 07_windows_password.py [-h] [INSTANCE_ID] [KEY_FILE]"]
    module.main([instance, str(key_file)])
    assert capsys.readouterr().out.strip() == module.windows_password(ec2, instance, key_file)
    with pytest.raises(SystemExit, match=r"^Could not get the password: \[Errno 2\] No such file"):
        module.main([instance, str(key_file.with_name("lost.pem"))])


# 08 -----------------------------------------------------------------------------------------

def stack(ec2, name: str, **properties) -> None:
    """A stack name whose one resource, Key, is a key pair with these properties."""
    cfn = boto3.client("cloudformation", region_name=ec2.meta.region_name)
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": {
        "Key": {"Type": "AWS::EC2::KeyPair", "Properties": properties},
        "Group": {"Type": "AWS::EC2::SecurityGroup",
                  "Properties": {"GroupDescription": "not a key pair"}}}}))


def test_save_stack_private_key_saves_it_0600_once_and_again_keeps_the_file(ec2, tmp_path):
    save = recipe("08_key_pairs_as_code").save_stack_private_key
    stack(ec2, "team", KeyName="deploy", KeyType="ed25519")
    path = save("team", "Key", tmp_path / "keys")
    assert path == tmp_path / "keys" / "deploy.pem" and stat.S_IMODE(path.stat().st_mode) == 0o600
    (key_pair,) = ec2.describe_key_pairs()["KeyPairs"]
    assert fingerprint_of_private_key(path.read_text()) == key_pair["KeyFingerprint"]
    path.chmod(0o400)  # a run again changes nothing, and does not even write
    assert save("team", "Key", tmp_path / "keys") == path and stat.S_IMODE(
        path.stat().st_mode) == 0o400


def test_save_stack_private_key_never_replaces_another_key_and_says_why_it_cannot(ec2, tmp_path):
    save = recipe("08_key_pairs_as_code").save_stack_private_key
    stack(ec2, "team", KeyName="deploy", KeyType="ed25519")
    stack(ec2, "laptop", KeyName="laptop", PublicKeyMaterial=public_key_line().decode())
    (tmp_path / "deploy.pem").write_text("another key")
    with pytest.raises(FileExistsError, match="deploy.pem holds another key: move it away"):
        save("team", "Key", tmp_path)
    assert (tmp_path / "deploy.pem").read_text() == "another key"
    with pytest.raises(LookupError, match="^laptop has no private key in Parameter Store: it "
                                          "was imported"):
        save("laptop", "Key", tmp_path)
    with pytest.raises(LookupError, match="^Group in team is an AWS::EC2::SecurityGroup, not an "
                                          "AWS::EC2::KeyPair"):
        save("team", "Group", tmp_path)
    with pytest.raises(ClientError, match="Stack with id nope does not exist"):
        save("nope", "Key", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deploy.pem"]


def test_a_ppk_stack_key_is_saved_as_a_ppk_file(ec2, tmp_path):
    stack(ec2, "putty", KeyName="putty", KeyFormat="ppk")
    path = recipe("08_key_pairs_as_code").save_stack_private_key("putty", "Key", tmp_path)
    assert path.name == "putty.ppk" and path.read_text().startswith(f"{PPK_HEADER}-3: ")


def test_the_stack_key_script_lists_the_key_pairs_of_stacks_then_saves_one(ec2, here, capsys,
                                                                         monkeypatch):
    module = recipe("08_key_pairs_as_code")
    stack(ec2, "team", KeyName="deploy", KeyType="ed25519")
    monkeypatch.setattr(sys, "argv", ["08_key_pairs_as_code.py"])
    module.main([])
    assert capsys.readouterr().out.splitlines() == [
        "team Key deploy", "1 key pair(s) made by stacks in us-east-1.",
        "usage: python 08_key_pairs_as_code.py [-h] [--folder DIR] [STACK] [LOGICAL_ID]"]
    module.main(["team", "Key", "--folder", "mine"])
    assert capsys.readouterr().out == "Private key of team/Key in mine/deploy.pem (mode 0600).\n"
    with pytest.raises(SystemExit, match="^Could not save the private key: .*holds another key"):
        (here / "mine" / "deploy.pem").write_text("changed")
        module.main(["team", "Key", "--folder", "mine"])
