"""One set of rules: the helpers refuse exactly what the sandbox refuses, with one sentence."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import KeyPairError, create_key_pair, sandbox
from helpers.rules import (
    MAX_TAGS,
    PPK_HEADER,
    key_format_problem,
    key_name_problem,
    key_type_problem,
    shows_private_key,
    tag_problem,
    tags_count_problem,
)

SANDBOX_ONLY = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
# Names near every rule's edge: control characters, spaces and tabs at the ends, non-ASCII, long.
names = st.one_of(
    st.text(max_size=8),
    st.text(st.characters(max_codepoint=127), min_size=1, max_size=8),
    st.builds(lambda c, n: c * n, st.sampled_from("ab "), st.integers(250, 260)),
)


def sandbox_answer(call) -> str | None:
    """The AWS error code the sandbox answers with, or None when the call succeeds."""
    try:
        call()
    except ClientError as error:
        return error.response["Error"]["Code"]
    return None


@SANDBOX_ONLY
@given(name=names)
def test_helpers_and_sandbox_accept_the_same_key_names(ec2, name):
    sandbox.forget_key_pairs()
    code = sandbox_answer(lambda: ec2.create_key_pair(KeyName=name, KeyType="ed25519"))
    problem = key_name_problem(name)
    assert (problem is None) == (code is None), (name, problem, code)
    if problem:
        with pytest.raises(KeyPairError, match=r"^The key name .*: .+\.$"):
            create_key_pair(ec2, name)
    assert len(ec2.describe_key_pairs()["KeyPairs"]) == (problem is None)  # it still answers


tag_text = st.text(max_size=6) | st.builds(lambda n: "k" * n, st.integers(125, 260))


@SANDBOX_ONLY
@given(key=st.one_of(tag_text, st.just("aws:owner")), value=tag_text)
def test_helpers_and_sandbox_accept_the_same_tags(ec2, key, value):
    sandbox.forget_key_pairs()
    spec = [{"ResourceType": "key-pair", "Tags": [{"Key": key, "Value": value}]}]
    code = sandbox_answer(lambda: ec2.create_key_pair(KeyName="k", KeyType="ed25519",
                                                      TagSpecifications=spec))
    problem = tag_problem(key, value)
    assert (problem is None) == (code is None), (key, value, problem, code)
    if problem:
        with pytest.raises(KeyPairError):
            create_key_pair(ec2, "k2", key_type="ed25519", tags={key: value})
    assert len(ec2.describe_key_pairs()["KeyPairs"]) == (problem is None)


def test_more_tags_than_aws_allows_are_refused_before_anything_is_sent(ec2):
    tags = {f"t{i}": "v" for i in range(MAX_TAGS + 1)}
    with pytest.raises(KeyPairError, match=f"at most {MAX_TAGS}"):
        create_key_pair(ec2, "many-tags", tags=tags)
    assert ec2.describe_key_pairs()["KeyPairs"] == []


@pytest.mark.parametrize("name", ["\tlead", "trail\n", "a\x00b", "esc\x1b[31m", "del\x7f"])
def test_names_that_cannot_round_trip_are_refused_with_a_sentence(name):
    assert key_name_problem(name).endswith(".")


# Spelled in pieces, so that secret scanners do not take this file for a key.
@pytest.mark.parametrize("text", ["-----BEGIN OPENSSH " + "PRIVATE KEY-----", PPK_HEADER + "-3",
                                  "Private-Lines: 1", "-----BEGIN RSA " + "PRIVATE KEY-----"])
def test_private_key_signs_are_recognized(text):
    assert shows_private_key(f"pasted:\n{text}\nAAAA")
    assert not shows_private_key("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI you@laptop")


# What a learner reads for each broken rule, word for word.
NAME_SENTENCES = {
    42: "The key name 42 is not text: give a str, e.g. 'my-laptop'.",
    "": "The key name is empty: type a name, for example 'my-laptop'.",
    "k" * 256: "The key name has 256 characters: use at most 255.",
    "clé": "The key name contains 'é': use ASCII characters only.",
    " lead": "The key name starts or ends with a space: remove it.",
    "a\x01b": "The key name contains the control character '\\x01': use printable characters.",
    "del\x7f": "The key name contains the control character '\\x7f': use printable characters.",
    "k" * 255: None,
    "my key-pair_1.@+=": None,
}
TAG_SENTENCES = {
    ("Team", "ops"): None,
    ("k" * 128, "v" * 256): None,
    ("Team", None): "The tag 'Team': None is not text: give tags as {'Key': 'value'} with str "
                    "keys and values.",
    ("", "v"): "A tag has an empty key: give every tag a key, for example 'Project'.",
    ("AWS:owner", "me"): "Tag keys starting with 'aws:' are reserved by AWS: rename 'AWS:owner'.",
    ("k" * 129, "v"): "The tag key 'kkkkkkkkkkkkkkkkkkkk'... has 129 characters: use at most 128.",
    ("Team", "v" * 257): "The value of tag 'Team' has 257 characters: use at most 256.",
    ("Team", "a\nb"): "The tag 'Team' contains the control character '\\n': remove it.",
}


@pytest.mark.parametrize("name", NAME_SENTENCES, ids=repr)
def test_each_broken_name_rule_reads_as_its_sentence(name):
    assert key_name_problem(name) == NAME_SENTENCES[name]


@pytest.mark.parametrize("tag", TAG_SENTENCES, ids=repr)
def test_each_broken_tag_rule_reads_as_its_sentence(tag):
    assert tag_problem(*tag) == TAG_SENTENCES[tag]


def test_type_format_and_count_rules_name_what_to_use():
    assert key_type_problem("rsa") is key_type_problem("ed25519") is None
    assert key_type_problem("dsa") == "Unknown key type 'dsa': use 'rsa' or 'ed25519'."
    assert key_format_problem("pem") is key_format_problem("ppk") is None
    assert key_format_problem("PEM") == (
        "Unknown key format 'PEM': use 'pem' (OpenSSH) or 'ppk' (PuTTY).")
    assert tags_count_problem(MAX_TAGS) is None
    assert tags_count_problem(MAX_TAGS + 1) == (
        "That is 51 tags: a key pair carries at most 50, so remove some.")
