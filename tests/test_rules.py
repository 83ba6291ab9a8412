"""One set of rules: the helpers refuse exactly what the sandbox refuses, with one sentence."""

from __future__ import annotations

import base64
import textwrap

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import KeyPairError, create_key_pair, describe_key_pairs, import_key_pair, sandbox
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
    b"k" * 40: "The key name b'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk' is not text: give a str, "
               "e.g. 'my-laptop'.",  # 43 characters quoted whole, one more and it is cut short
    b"k" * 41: "The key name b'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk... is not text: give a str, "
               "e.g. 'my-laptop'.",
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


# Private keys are made afresh on every run, never stored. Without its BEGIN/END lines (or as raw
# DER bytes) a private key is still recognized by how its bytes start.
def _der(key, private_format, encryption=None) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, private_format,
                             encryption or serialization.NoEncryption())


def _body(der: bytes) -> str:
    """The base64 lines of a PEM file, without its BEGIN and END lines."""
    return "\n".join(textwrap.wrap(base64.b64encode(der).decode(), 64))


_ED25519 = ed25519.Ed25519PrivateKey.generate()
_OPENSSH_BODY = "\n".join(_ED25519.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
    serialization.NoEncryption()).decode().strip().splitlines()[1:-1])
PRIVATE_DER = {
    "EC (SEC1, version 1)": _der(ec.generate_private_key(ec.SECP256R1()),
                                 serialization.PrivateFormat.TraditionalOpenSSL),
    "Ed25519 (PKCS#8, short DER length)": _der(_ED25519, serialization.PrivateFormat.PKCS8),
    "encrypted PKCS#8": _der(_ED25519, serialization.PrivateFormat.PKCS8,
                             serialization.BestAvailableEncryption(b"passphrase")),
    "OpenSSH": base64.b64decode(_OPENSSH_BODY),
}
PRIVATE_KEY_SENTENCE = ("That is a private key: import only the public half (the .pub file), "
                        "and keep the private key to yourself.")


def refused_as_private(ec2, material) -> bool:
    """Whether import_key_pair refuses the material as a private key, having sent nothing."""
    try:
        import_key_pair(ec2, "k", material)
    except KeyPairError as error:
        if str(error) == PRIVATE_KEY_SENTENCE:
            assert describe_key_pairs(ec2)["KeyPairs"] == []
            return True
    return False


@pytest.mark.parametrize("kind", PRIVATE_DER)
@pytest.mark.parametrize("form", ["DER bytes", "base64 body"])
def test_a_private_key_without_its_armor_is_refused_whatever_its_kind(ec2, kind, form):
    der = PRIVATE_DER[kind]
    assert refused_as_private(ec2, der if form == "DER bytes" else _body(der))


BODY = _body(PRIVATE_DER["Ed25519 (PKCS#8, short DER length)"])  # one line of 64 characters
PASTED = {
    "after other words": f"my key: {BODY}",
    "wrapped at 32 columns": f"{BODY[:32]}\n{BODY[32:]}",
    "quoted in an email": f"> {BODY[:32]}\n> {BODY[32:]}",
    "after a line that is not quite base64": f"MTIz=\n{BODY}",
    "cut short after 13 characters": BODY[:13],
    "cut short after 30 characters": BODY[:30],
    "encrypted, cut short after 30 characters": _body(PRIVATE_DER["encrypted PKCS#8"])[:30],
    "as DER cut short after 8 bytes": PRIVATE_DER["Ed25519 (PKCS#8, short DER length)"][:8],
}


@pytest.mark.parametrize("pasted", PASTED)
def test_a_private_key_is_refused_however_it_was_pasted(ec2, pasted):
    assert refused_as_private(ec2, PASTED[pasted])


# A public key in PEM (SubjectPublicKeyInfo, as openssl -pubout writes it) also starts with a DER
# sequence, but no version: EC2 is asked, and says it cannot read it. So is a lone "0" (0x30).
@pytest.mark.parametrize("material", [
    _ED25519.public_key().public_bytes(serialization.Encoding.PEM,
                                       serialization.PublicFormat.SubjectPublicKeyInfo),
    "0",
], ids=["PEM public key", "0"])
def test_what_only_looks_like_a_private_key_goes_to_ec2_which_says_why(ec2, material):
    with pytest.raises(KeyPairError, match="^EC2 cannot read that public key"):
        import_key_pair(ec2, "k", material)
    assert describe_key_pairs(ec2)["KeyPairs"] == []
