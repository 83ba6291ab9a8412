"""The recipe files (recipes/*.py, exported from the notebooks), each function tested alone: on
the sandbox for what works, and with botocore's Stubber or an injected failure for what fails."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError, NoCredentialsError
from botocore.stub import Stubber
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

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


def test_delete_if_exists_deletes_only_the_exact_name(ec2):
    delete = recipe("03_delete_key_pair").delete_key_pair_if_exists
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
    assert path.read_text().startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert ec2.describe_key_pairs(KeyNames=["laptop"])["KeyPairs"][0]["KeyPairId"] == key_pair_id


@pytest.mark.parametrize("name", ["../escape", "/etc/evil", "a/b", ".hidden", ""])
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
    Path("keys/laptop").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...\n")
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
    def no_credentials(**_):
        raise NoCredentialsError()

    monkeypatch.setattr(form.ec2, "create_key_pair", no_credentials)
    form.button.click()
    assert form.result.value == "Unable to locate credentials"
    assert not form.button.disabled and not Path("keys/workshop-key.pem").exists()


def test_the_form_deletes_the_key_pair_again_when_the_file_cannot_be_written(form, ec2):
    Path("keys").write_text("a file where the folder should be")
    form.button.click()
    assert form.result.value.startswith("Could not save the private key (")
    assert form.result.value.endswith("), so the key pair was deleted.")
    assert names(ec2) == [], "no orphan key pair"


def test_the_form_says_what_ec2_refused(form, ec2):
    ec2.create_key_pair(KeyName="workshop-key", KeyType="ed25519")
    form.button.click()
    assert form.result.value == "The keypair 'workshop-key' already exists."  # AWS's words
    assert names(ec2) == ["workshop-key"]
