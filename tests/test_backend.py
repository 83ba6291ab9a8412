"""One function gives the client and names its backend; AWS only on an explicit opt-in."""

from __future__ import annotations

import socket
import subprocess
import sys

import boto3
import pytest
from botocore.stub import Stubber

from helpers import KeyPairError, create_key_pair, describe_key_pairs, ec2_client, sandbox
from helpers import backend as backend_module
from helpers.backend import ENDPOINT_ENVS, LIVE_ENV, which_backend


@pytest.fixture
def clean_env(monkeypatch):
    for name in (*ENDPOINT_ENVS, LIVE_ENV):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    monkeypatch.undo()  # the environment first, then the sandbox (and its fake keys) on top
    sandbox.stop()
    sandbox.start()  # other tests expect the default


def test_default_is_the_sandbox_and_says_so(clean_env, capsys):
    ec2 = ec2_client()
    assert capsys.readouterr().out == (
        "Backend: sandbox (moto inside this kernel), Region us-east-1: no AWS account needed, "
        "nothing leaves this machine.\n")
    assert ec2.meta.region_name == "us-east-1"
    assert "KeyPairs" in ec2.describe_key_pairs()  # and it answers, through every fix


def test_plain_boto3_client_works_inside_the_sandbox(ec2):
    plain = boto3.client("ec2")  # exactly as the walkthrough writes it
    plain.create_key_pair(KeyName="from-plain-boto3", KeyType="ed25519")
    assert [k["KeyName"] for k in describe_key_pairs(ec2)["KeyPairs"]] == ["from-plain-boto3"]


def test_sandbox_honours_an_explicit_region(clean_env, capsys):
    assert ec2_client("eu-west-1").meta.region_name == "eu-west-1"
    assert "Region eu-west-1" in capsys.readouterr().out


@pytest.mark.parametrize("variable", ENDPOINT_ENVS)
def test_endpoint_variable_selects_the_endpoint_backend(clean_env, capsys, variable):
    server, url = sandbox.start_server()
    try:
        sandbox.stop()  # stopping restores the environment moto found: set ours after it
        clean_env.setenv(variable, url)
        clean_env.setenv("AWS_ACCESS_KEY_ID", "testing")
        clean_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        ec2 = ec2_client()
        assert capsys.readouterr().out.strip() == f"Backend: endpoint {url}, Region us-east-1."
        assert not sandbox.is_running()  # no silent in-process sandbox in between
        create_key_pair(ec2, "on-the-server", key_type="ed25519")
        assert ec2.meta.endpoint_url == url
        assert [k["KeyName"] for k in describe_key_pairs(ec2)["KeyPairs"]] == ["on-the-server"]
    finally:
        server.stop()


def test_sandbox_server_on_a_busy_port_says_so_and_exits():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "helpers.sandbox.server", "--port", str(port)],
            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Port {port} is in use (another sandbox server?): stop what uses it, or choose another "
        f"port. With make: make sandbox-server SANDBOX_PORT={port + 1}")


def test_unreachable_endpoint_says_start_the_server(clean_env):
    sandbox.stop()
    clean_env.setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")  # discard port: nobody there
    clean_env.setenv("AWS_MAX_ATTEMPTS", "1")
    clean_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with pytest.raises(KeyPairError, match="Nothing answers at http://127.0.0.1:9.*sandbox-server"):
        describe_key_pairs(ec2_client())


@pytest.mark.parametrize("value, expected", [
    ("1", "live"), ("true", "live"), (" TRUE ", "live"), ("yes", "live"), ("", "sandbox"),
    ("0", "sandbox"), ("no", "sandbox"), ("on", "sandbox")])
def test_live_needs_an_explicit_opt_in(clean_env, value, expected):
    clean_env.setenv(LIVE_ENV, value)
    assert which_backend() == expected


def test_live_opt_in_with_an_endpoint_set_is_refused(clean_env):
    clean_env.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    with pytest.raises(KeyPairError) as raised:
        ec2_client(live=True)
    assert str(raised.value) == (
        "You opted in to live AWS, but AWS_ENDPOINT_URL_EC2 or AWS_ENDPOINT_URL is set and would "
        "redirect every call: unset it, or drop the live opt-in.")


def test_live_shows_account_and_region_before_the_first_change(clean_env, capsys):
    asked: list[str] = []
    clean_env.setattr(backend_module, "account_id",
                      lambda region: asked.append(region) or "123456789012")
    ec2_client("eu-central-1", live=True)  # twice: still one announcement per change
    ec2 = ec2_client("eu-central-1", live=True)
    assert not sandbox.is_running()
    assert capsys.readouterr().out == 2 * (
        "Backend: LIVE AWS, Region eu-central-1: calls that change key pairs change your "
        "account.\n")
    with Stubber(ec2) as stub:
        stub.add_response("describe_key_pairs", {"KeyPairs": []})
        stub.add_response("create_key_pair", {"KeyName": "k", "KeyPairId": "key-1",
                                              "KeyFingerprint": "f", "KeyMaterial": "m"})
        stub.add_response("delete_key_pair", {"Return": True})
        describe_key_pairs(ec2)
        assert capsys.readouterr().out == ""  # reading changes nothing: no announcement
        create_key_pair(ec2, "k")
        assert capsys.readouterr().out == (
            "LIVE AWS: CreateKeyPair runs in account 123456789012, Region eu-central-1.\n")
        ec2.delete_key_pair(KeyName="k")
        assert capsys.readouterr().out == ""  # shown once per client
    assert asked == ["eu-central-1"], "the account of the client's own Region, asked once"


def test_live_plain_boto3_client_also_shows_the_account_before_a_change(clean_env, capsys):
    clean_env.setattr(backend_module, "account_id", lambda region: "123456789012")
    ec2_client("eu-central-1", live=True)
    plain = boto3.client("ec2", region_name="eu-central-1")  # as the walkthrough writes it
    with Stubber(plain) as stub:
        stub.add_response("create_key_pair", {"KeyName": "k", "KeyPairId": "key-1"})
        capsys.readouterr()
        plain.create_key_pair(KeyName="k")
        assert capsys.readouterr().out == (
            "LIVE AWS: CreateKeyPair runs in account 123456789012, Region eu-central-1.\n")
    ec2_client()  # back on the sandbox: plain clients announce nothing
    boto3.client("ec2").create_key_pair(KeyName="sandboxed", KeyType="ed25519")
    assert "LIVE AWS" not in capsys.readouterr().out


def test_live_without_credentials_fails_clearly_instead_of_falling_back(clean_env, tmp_path):
    sandbox.stop()  # it restores the environment it found: clear credentials after it
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        clean_env.delenv(name, raising=False)
    clean_env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    clean_env.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    clean_env.setenv("AWS_EC2_METADATA_DISABLED", "true")
    ec2 = ec2_client("us-east-1", live=True)
    with pytest.raises(KeyPairError, match="No AWS credentials were found"):
        describe_key_pairs(ec2)


def test_live_without_a_region_says_how_to_set_one(clean_env, tmp_path):
    clean_env.delenv("AWS_DEFAULT_REGION", raising=False)
    clean_env.delenv("AWS_REGION", raising=False)
    clean_env.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(KeyPairError, match="No AWS Region is set"):
        ec2_client(live=True)


def test_live_after_the_sandbox_uses_the_configured_region(clean_env, tmp_path):
    clean_env.delenv("AWS_DEFAULT_REGION", raising=False)
    clean_env.delenv("AWS_REGION", raising=False)
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-2\n")
    clean_env.setenv("AWS_CONFIG_FILE", str(config))
    sandbox.stop()
    sandbox.start()  # as in a kernel: the sandbox first, then the learner opts in
    assert ec2_client(live=True).meta.region_name == "eu-west-2"


REGION_SENTENCE = ("{!r} is not a Region: give one such as 'us-east-1' or 'eu-west-1' (list them "
                   "with aws ec2 describe-regions).")


@pytest.mark.parametrize("region", ["", "moon-1", "EU-WEST-1"])
@pytest.mark.parametrize("backend", ["sandbox", "endpoint"])
def test_a_region_not_shaped_like_one_is_refused_on_every_backend(clean_env, capsys, backend,
                                                                  region):
    if backend == "endpoint":
        clean_env.setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")  # never reached
    with pytest.raises(KeyPairError) as raised:
        ec2_client(region)
    assert str(raised.value) == REGION_SENTENCE.format(region)
    assert capsys.readouterr().out == ""  # no backend line: no client was made


def test_the_sandbox_refuses_a_region_aws_does_not_have(clean_env, capsys):
    with pytest.raises(KeyPairError) as raised:
        ec2_client("eu-moon-1")
    assert str(raised.value) == REGION_SENTENCE.format("eu-moon-1")
    assert capsys.readouterr().out == ""


def test_the_sandbox_uses_the_region_in_aws_default_region(clean_env, capsys):
    clean_env.setenv("AWS_DEFAULT_REGION", "eu-west-2")  # as the README says it does
    assert ec2_client().meta.region_name == "eu-west-2"
    assert "Region eu-west-2:" in capsys.readouterr().out


def test_leaving_live_for_an_endpoint_stops_the_announcements(clean_env, capsys):
    clean_env.setattr(backend_module, "account_id", lambda region: "123456789012")
    ec2_client("eu-central-1", live=True)
    clean_env.setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")
    clean_env.setenv("AWS_ACCESS_KEY_ID", "testing")
    clean_env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    ec2_client("eu-central-1")  # off live AWS: plain clients must stop announcing
    plain = boto3.client("ec2", region_name="eu-central-1")
    with Stubber(plain) as stub:
        stub.add_response("create_key_pair", {"KeyName": "k", "KeyPairId": "key-1"})
        capsys.readouterr()
        plain.create_key_pair(KeyName="k")
    assert capsys.readouterr().out == ""
