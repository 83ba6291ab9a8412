"""Arguments as people pass them: boto3's own shapes work, anything else gets one sentence."""

from __future__ import annotations

import pytest

from helpers import KeyPairError, create_key_pair, describe_key_pairs, save_private_key


def names(response) -> list[str]:
    return sorted(k["KeyName"] for k in response["KeyPairs"])


def refusal(call) -> str:
    with pytest.raises(KeyPairError) as raised:
        call()
    return str(raised.value)


def test_filters_in_boto3s_own_list_shape_find_the_tagged_key(two_keys):
    boto3_filters = [{"Name": "tag:Project", "Values": ["demo"]}]
    assert names(describe_key_pairs(two_keys, filters=boto3_filters)) == ["alpha"]


@pytest.mark.parametrize("entry", [{"Name": "key-name"}, {"Name": "key-name", "Value": ["a*"]}])
def test_a_boto3_filter_without_name_and_values_gets_a_sentence(ec2, entry):
    assert refusal(lambda: describe_key_pairs(ec2, filters=[entry])) == (
        f"filters={[entry]!r}: give a dict such as {{'tag:Project': 'demo'}}, or boto3's "
        "[{'Name': 'tag:Project', 'Values': ['demo']}].")


@pytest.mark.parametrize("name", ["", "key-name\n", "\tkey-name"])
def test_an_empty_filter_name_or_one_with_a_control_character_is_no_filter(ec2, name):
    assert refusal(lambda: describe_key_pairs(ec2, filters={name: "a*"})) == (
        f"The filter name {name!r} is not a filter: use one such as 'key-name', 'fingerprint' "
        "or 'tag:Project'.")


def test_a_filter_value_that_is_no_text_is_quoted_in_the_sentence(ec2):
    assert refusal(lambda: describe_key_pairs(ec2, filters={"key-name": 5})) == (
        "The filter 'key-name' has the value 5: give a str or a list of str, e.g. "
        "{'key-name': ['a*', 'b*']}.")


def test_ids_that_are_not_text_get_a_sentence_naming_ids(ec2):
    assert refusal(lambda: describe_key_pairs(ec2, ids=[1])) == (
        "ids=[1]: give a list of str, e.g. ids=['key-0123456789abcdef0'].")


def test_tags_in_boto3s_own_list_shape_tag_the_key(ec2):
    create_key_pair(ec2, "tagged", key_type="ed25519",
                    tags=[{"Key": "Project", "Value": "demo"}, {"Key": "Owner", "Value": "ana"}])
    assert describe_key_pairs(ec2)["KeyPairs"][0]["Tags"] == [
        {"Key": "Project", "Value": "demo"}, {"Key": "Owner", "Value": "ana"}]


def test_a_boto3_tag_without_a_value_gets_a_sentence_and_creates_nothing(ec2):
    assert refusal(lambda: create_key_pair(ec2, "k", tags=[{"Key": "Project"}])) == (
        "tags=[{'Key': 'Project'}]: give a dict such as {'Project': 'demo'}, or boto3's "
        "[{'Key': 'Project', 'Value': 'demo'}].")
    assert names(describe_key_pairs(ec2)) == []


@pytest.mark.parametrize("folder", ["", "  "])
def test_an_empty_folder_gets_a_sentence_and_nothing_is_written(ec2, tmp_path, monkeypatch,
                                                                folder):
    monkeypatch.chdir(tmp_path)
    response = create_key_pair(ec2, "k", key_type="ed25519")
    assert refusal(lambda: save_private_key(response, folder)) == (
        "The folder is empty: give a folder for the key, e.g. 'keys'.")
    assert list(tmp_path.rglob("*")) == []
