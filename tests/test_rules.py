"""One set of rules: the helpers refuse exactly what the sandbox refuses, with one sentence."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import KeyPairError, create_key_pair, sandbox
from helpers.rules import MAX_TAGS, PPK_HEADER, key_name_problem, shows_private_key, tag_problem

SANDBOX_ONLY = settings(max_examples=60, deadline=None,
                        suppress_health_check=[HealthCheck.function_scoped_fixture])
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
