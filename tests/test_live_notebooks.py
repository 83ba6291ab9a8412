"""Run All with the live opt-in changes only what a notebook says it changes: each runs here on a
stand-in account (moto's own mock, not the sandbox) that already holds key pairs of its own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import boto3
import nbformat
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ec2.models import ec2_backends
from moto.secretsmanager.models import secretsmanager_backends

from helpers import audit, lesson, sandbox
from helpers.backend import LIVE_ENV, regional_client

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
OWNER_OPS = [{"ResourceType": "key-pair", "Tags": [{"Key": "Owner", "Value": "ops"}]}]


@pytest.fixture
def account(monkeypatch, tmp_path) -> Iterator[None]:
    """An AWS account this process reaches with the live opt-in, in an empty working folder."""
    sandbox.stop()
    sandbox.reset()
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # as a live user configures it
    monkeypatch.setenv(LIVE_ENV, "1")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(lesson, "_made", None)  # as in a new kernel: no lesson begun yet
    mock = mock_aws()
    mock.start()
    yield
    mock.stop()


def run_all_then_clean_up(notebook: str) -> tuple[dict, str | None, dict[str, list[str]]]:
    """What a user does: Run All, which stops at the first error (cells tagged to raise go on),
    then the clean-up cell, as the notebooks advise after a run that stopped. Returns the
    namespace, that first error, and the names the clean-up kept and deleted."""
    import ipykernel  # noqa: F401 (as in a kernel: a recipe's "run as a script" part stays out)

    namespace: dict = {"__name__": "__main__", "display": lambda *_, **__: None}  # as in a kernel
    *cells, last = [c for c in nbformat.read(NOTEBOOKS / notebook, as_version=4).cells
                    if c.cell_type == "code"]
    stopped = None
    for index, cell in enumerate(cells):
        try:
            exec(cell.source, namespace)
        except (Exception, SystemExit) as error:  # a recipe's SystemExit stops Run All too
            if "raises-exception" not in cell.metadata.get("tags", []):
                stopped = f"code cell {index}: {type(error).__name__}: {error}"
                break
    assert last.source == "lesson.clean_up()"
    cleaned = eval(last.source, namespace)
    assert not sandbox.is_running(), "the live opt-in stops the sandbox"
    return namespace, stopped, {result: [f"{name} in {region}" if region else name for name, region
                                         in cleaned.loc[cleaned["Result"] == result,
                                                        ["Name", "Region"]].values.tolist()]
                                for result in ("kept", "deleted")}


def made_a_day_ago(*names: str) -> None:
    for name in names:
        ec2_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].key_pairs[name].create_time -= (
            timedelta(days=1))


def key_pairs(regions: list[str]) -> set[tuple[str, str, str]]:
    return {(region, item["KeyName"], item["KeyPairId"]) for region in regions
            for item in regional_client(region).describe_key_pairs()["KeyPairs"]}


def test_notebook_06_reads_the_account_and_changes_nothing(account):
    """It holds an unused key pair tagged Owner=ops, the tag the notebook cleans up."""
    mine = boto3.client("ec2").create_key_pair(KeyName="old-ops", KeyType="ed25519",
                                               TagSpecifications=OWNER_OPS)
    namespace, stopped, cleaned = run_all_then_clean_up("06_audit_key_pairs.ipynb")
    assert stopped is None and cleaned == {"kept": [], "deleted": []}
    regions = audit.enabled_regions(regional_client("us-east-1"))
    assert key_pairs(regions) == {("us-east-1", "old-ops", mine["KeyPairId"])}
    assert not any(regional_client(region).describe_instances()["Reservations"]
                   for region in ("us-east-1", "eu-west-1", "ap-southeast-2"))
    plan = namespace["clean_up"](namespace["found"], "Owner=ops")
    assert plan["Result"].tolist() == ["would be deleted (pass delete=True)"]


def test_notebook_02_cleans_up_what_it_made_and_keeps_an_older_key_pair_of_the_same_name(account):
    """It holds a ci-deploy-key and its secret, made a day ago with the recipe's own names."""
    boto3.client("ec2").create_key_pair(KeyName="ci-deploy-key", KeyType="ed25519")
    secrets = boto3.client("secretsmanager")
    secrets.create_secret(Name="ec2-key-pair/ci-deploy-key", SecretString="yours")
    made_a_day_ago("ci-deploy-key")
    secretsmanager_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].secrets[
        "ec2-key-pair/ci-deploy-key"].created_date -= 86_400
    before = key_pairs(["us-east-1"])
    _, stopped, cleaned = run_all_then_clean_up("02_create_key_pair.ipynb")
    assert "InvalidKeyPair.Duplicate" in stopped  # the secret recipe refuses the taken name
    assert key_pairs(["us-east-1"]) == before, "what the notebook made is gone, the older kept"
    assert secrets.get_secret_value(SecretId="ec2-key-pair/ci-deploy-key")["SecretString"] == (
        "yours")
    assert cleaned["kept"] == ["ci-deploy-key in us-east-1"]  # shown under the clean-up cell
    assert "KEY_PAIR_NAME in us-east-1" in cleaned["deleted"]
    assert sorted(p.name for p in Path("keys").rglob("*") if p.is_file()) == []


def test_notebook_01_keeps_a_teammates_key_pair_with_the_tutorials_tag(account):
    tag = [{"ResourceType": "key-pair", "Tags": [{"Key": "Project", "Value": "keypair-tutorial"}]}]
    theirs = boto3.client("ec2").create_key_pair(KeyName="teammate", KeyType="ed25519",
                                                 TagSpecifications=tag)
    made_a_day_ago("teammate")
    _, stopped, cleaned = run_all_then_clean_up("01_describe_key_pairs.ipynb")
    assert stopped is None
    assert key_pairs(["us-east-1"]) == {("us-east-1", "teammate", theirs["KeyPairId"])}
    assert cleaned["kept"] == [] and "teammate" not in str(cleaned)  # never even looked at


@pytest.mark.parametrize("notebook, names, error, listed", [
    ("03_delete_key_pair.ipynb", ["spare"], "A key pair named 'spare' already exists",
     ["spare in us-east-1"]),
    # Run All stops at the first: the lesson never tried the second name
    ("04_import_key_pair.ipynb", ["my-rsa-key", "my-laptop"], "InvalidKeyPair.Duplicate",
     ["my-rsa-key in us-east-1"]),
])
def test_a_key_pair_of_yours_with_a_lessons_name_stops_it_and_the_clean_up_keeps_it(
        account, notebook, names, error, listed):
    ec2 = boto3.client("ec2")
    for name in names:
        ec2.create_key_pair(KeyName=name, KeyType="ed25519")
    made_a_day_ago(*names)
    before = key_pairs(["us-east-1", "eu-west-1"])
    _, stopped, cleaned = run_all_then_clean_up(notebook)
    assert error in stopped
    assert key_pairs(["us-east-1", "eu-west-1"]) == before
    assert cleaned["kept"] == listed


def test_notebook_07_launches_nothing_on_live_aws(account):
    """Instances cost money: on live AWS the lesson stops, with a sentence, before it makes
    anything."""
    mine = boto3.client("ec2").create_key_pair(KeyName="web-key", KeyType="ed25519")
    made_a_day_ago("web-key")
    _, stopped, cleaned = run_all_then_clean_up("07_use_a_key_pair.ipynb")
    assert stopped == ("code cell 1: KeyPairError: This lesson launches instances: run it on the "
                       "sandbox (without EC2_KEYPAIRS_LIVE). Its recipes work on AWS as they are.")
    assert cleaned == {"kept": [], "deleted": []}
    assert key_pairs(["us-east-1"]) == {("us-east-1", "web-key", mine["KeyPairId"])}
    assert not boto3.client("ec2").describe_instances()["Reservations"]
    assert not Path("keys").exists()


def test_notebook_08_makes_no_stack_and_no_iam_user_on_live_aws(account):
    """An instance and IAM users with access keys: on live AWS the lesson stops, with a sentence
    that says so, before it makes anything."""
    _, stopped, cleaned = run_all_then_clean_up("08_key_pairs_as_code.ipynb")
    assert stopped == ("code cell 1: KeyPairError: This lesson launches an instance and makes IAM "
                       "users: run it on the sandbox (without EC2_KEYPAIRS_LIVE). Its templates "
                       "and recipe work on AWS as they are.")
    assert cleaned == {"kept": [], "deleted": []}
    assert not boto3.client("cloudformation").describe_stacks()["Stacks"]
    assert not boto3.client("iam").list_users()["Users"]
    assert not boto3.client("ec2").describe_key_pairs()["KeyPairs"]
