"""The key pair helpers against the sandbox: each success path and each error path."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from helpers import (
    DryRunSucceeded,
    KeyPairError,
    create_key_pair,
    delete_key_pair,
    describe_key_pairs,
    import_key_pair,
    key_name_problem,
)


def names(response) -> list[str]:
    return sorted(k["KeyName"] for k in response["KeyPairs"])


def openssh_public_key() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)


def test_describe_lists_every_key_pair(two_keys):
    assert names(describe_key_pairs(two_keys)) == ["alpha", "beta"]


def test_describe_by_name_returns_only_that_key(two_keys):
    assert names(describe_key_pairs(two_keys, names=["beta"])) == ["beta"]


def test_describe_by_id_returns_only_that_key(two_keys):
    beta_id = describe_key_pairs(two_keys, names=["beta"])["KeyPairs"][0]["KeyPairId"]
    assert names(describe_key_pairs(two_keys, ids=[beta_id])) == ["beta"]


def test_describe_by_tag_filter_returns_tagged_keys(two_keys):
    assert names(describe_key_pairs(two_keys, filters={"tag:Project": "demo"})) == ["alpha"]
    assert names(describe_key_pairs(two_keys, filters={"tag-key": ["Project"]})) == ["alpha"]


def test_describe_with_public_key_includes_it(two_keys):
    key = describe_key_pairs(two_keys, names=["alpha"], include_public_key=True)["KeyPairs"][0]
    assert key["PublicKey"].startswith("ssh-ed25519 ")
    assert "PublicKey" not in describe_key_pairs(two_keys, names=["alpha"])["KeyPairs"][0]


def test_describe_unknown_name_says_it_does_not_exist(ec2):
    with pytest.raises(KeyPairError, match="nope.*does not exist.*describe_key_pairs"):
        describe_key_pairs(ec2, names=["nope"])


@pytest.mark.parametrize("key_type, header", [("rsa", "-----BEGIN RSA PRIVATE"),
                                              ("ed25519", "-----BEGIN OPENSSH PRIVATE")])
def test_create_returns_the_private_key_once(ec2, key_type, header):
    response = create_key_pair(ec2, f"k-{key_type}", key_type=key_type)
    assert response["KeyMaterial"].startswith(header)
    assert response["KeyPairId"].startswith("key-")
    assert "KeyMaterial" not in describe_key_pairs(ec2)["KeyPairs"][0]


def test_create_with_tags_tags_the_key(ec2):
    create_key_pair(ec2, "tagged", key_type="ed25519", tags={"Owner": "ana"})
    assert describe_key_pairs(ec2)["KeyPairs"][0]["Tags"] == [{"Key": "Owner", "Value": "ana"}]


def test_describe_dry_run_says_it_would_succeed(ec2):
    with pytest.raises(DryRunSucceeded, match="DescribeKeyPairs"):
        describe_key_pairs(ec2, dry_run=True)


def test_create_dry_run_creates_nothing_and_says_so(ec2):
    with pytest.raises(DryRunSucceeded, match="nothing was changed"):
        create_key_pair(ec2, "dry", dry_run=True)
    assert names(describe_key_pairs(ec2)) == []


def test_create_duplicate_name_says_pick_another(ec2):
    create_key_pair(ec2, "twice", key_type="ed25519")
    with pytest.raises(KeyPairError, match="'twice' already exists.*pick another name") as info:
        create_key_pair(ec2, "twice", key_type="ed25519")
    assert info.value.__cause__.response["Error"]["Code"] == "InvalidKeyPair.Duplicate"


@pytest.mark.parametrize("name, problem", [
    ("", "empty"), ("x" * 256, "256 characters: use at most 255"),
    ("clé", "ASCII characters only"), (" lead", "space"), ("trail ", "space"),
    (None, "None is not text"), (42, "42 is not text"),
])
def test_create_refuses_invalid_names_before_calling_aws(ec2, name, problem):
    with pytest.raises(KeyPairError, match=problem):
        create_key_pair(ec2, name)
    assert names(describe_key_pairs(ec2)) == []


def test_key_name_problem_accepts_255_ascii_characters():
    assert key_name_problem("x" * 255) is None
    assert key_name_problem("my key-pair_1.@+=") is None


@pytest.mark.parametrize("option, value, message", [
    ("key_type", "dsa", "Unknown key type 'dsa'"),
    ("key_format", "der", "Unknown key format 'der'"),
])
def test_create_refuses_unknown_type_or_format(ec2, option, value, message):
    with pytest.raises(KeyPairError, match=message):
        create_key_pair(ec2, "k", **{option: value})


def test_delete_by_name_removes_the_key(two_keys):
    delete_key_pair(two_keys, name="alpha")
    assert names(describe_key_pairs(two_keys)) == ["beta"]


def test_delete_by_id_removes_the_key(two_keys):
    alpha_id = describe_key_pairs(two_keys, names=["alpha"])["KeyPairs"][0]["KeyPairId"]
    assert delete_key_pair(two_keys, key_pair_id=alpha_id)["Return"] is True
    assert names(describe_key_pairs(two_keys)) == ["beta"]


def test_delete_missing_key_succeeds_like_ec2(ec2):
    assert delete_key_pair(ec2, name="never-existed")["Return"] is True


def test_delete_needs_exactly_one_of_name_or_id(ec2):
    with pytest.raises(KeyPairError, match="exactly one"):
        delete_key_pair(ec2)
    with pytest.raises(KeyPairError, match="exactly one"):
        delete_key_pair(ec2, name="a", key_pair_id="key-0")


def test_delete_dry_run_keeps_the_key(two_keys):
    with pytest.raises(DryRunSucceeded):
        delete_key_pair(two_keys, name="alpha", dry_run=True)
    assert names(describe_key_pairs(two_keys)) == ["alpha", "beta"]


@pytest.mark.parametrize("given", ["bytes", "text", "path", "path-text"])
def test_import_accepts_bytes_text_or_a_pub_file(ec2, tmp_path, given):
    public = openssh_public_key()
    pub_file = tmp_path / "id.pub"
    pub_file.write_bytes(public + b"\n")
    value = {"bytes": public, "text": public.decode(), "path": pub_file,
             "path-text": str(pub_file)}[given]
    response = import_key_pair(ec2, "imported", value, tags={"Source": "laptop"})
    assert "KeyMaterial" not in response
    key = describe_key_pairs(ec2, include_public_key=True)["KeyPairs"][0]
    assert key["PublicKey"].split()[:2] == public.decode().split()[:2]
    assert key["Tags"] == [{"Key": "Source", "Value": "laptop"}]


@pytest.mark.parametrize("as_text", [False, True])
def test_import_missing_file_says_so(ec2, tmp_path, as_text):
    path = tmp_path / "missing.pub"
    with pytest.raises(KeyPairError, match="There is no file"):
        import_key_pair(ec2, "k", str(path) if as_text else path)


def test_import_refuses_a_private_key_without_sending_it(ec2):
    with pytest.raises(KeyPairError, match="That is a private key"):
        import_key_pair(ec2, "k", ed25519.Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption()))
    assert names(describe_key_pairs(ec2)) == []


def test_import_refuses_a_key_encoded_twice(ec2):
    import base64

    with pytest.raises(KeyPairError, match="base64-encoded twice"):
        import_key_pair(ec2, "k", base64.b64encode(openssh_public_key()))


def test_a_key_encoded_twice_and_wrapped_as_base64_wraps_it_is_named_as_such(ec2):
    """`base64 id.pub` wraps its output at 76 columns: still the same mistake, said the same."""
    import base64

    wrapped = base64.encodebytes(openssh_public_key())  # lines of 76 characters
    assert wrapped.count(b"\n") > 1
    with pytest.raises(KeyPairError, match="base64-encoded twice"):
        import_key_pair(ec2, "k", wrapped)
    assert names(describe_key_pairs(ec2)) == []


def test_import_malformed_key_says_give_the_openssh_line(ec2):
    with pytest.raises(KeyPairError, match="EC2 cannot read that public key"):
        import_key_pair(ec2, "k", b"not-a-key")
    assert names(describe_key_pairs(ec2)) == []


def test_import_reads_text_as_a_key_unless_it_names_a_file(ec2):
    """A comment ending in .pub, or an RSA line too long to be a file name, is a key."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    ending_in_pub = openssh_public_key().decode() + " me@laptop.pub"
    rsa_line = rsa.generate_private_key(public_exponent=65537, key_size=4096).public_key(
    ).public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    import_key_pair(ec2, "commented", ending_in_pub)
    import_key_pair(ec2, "long-rsa", rsa_line + " me@laptop")
    assert names(describe_key_pairs(ec2)) == ["commented", "long-rsa"]


def test_messages_of_the_helpers_own_checks_read_in_full(ec2):
    with pytest.raises(KeyPairError) as raised:
        delete_key_pair(ec2)
    assert str(raised.value) == (
        "Give either name= or key_pair_id= (exactly one) to delete a key pair.")
    with pytest.raises(KeyPairError) as raised:
        import_key_pair(ec2, "k", base64.b64encode(openssh_public_key()))
    assert str(raised.value) == ("That public key is base64-encoded twice: pass the raw "
                                 "'ssh-... AAAA...' text, boto3 encodes it for you.")
    with pytest.raises(KeyPairError) as raised:
        import_key_pair(ec2, "k", "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3BlbnNzaA==")
    assert str(raised.value) == ("That is a private key: import only the public half (the .pub "
                                 "file), and keep the private key to yourself.")


def test_import_checks_tags_before_sending(ec2):
    with pytest.raises(KeyPairError) as raised:
        import_key_pair(ec2, "k", openssh_public_key(), tags={"aws:owner": "me"})
    assert str(raised.value) == (
        "Tag keys starting with 'aws:' are reserved by AWS: rename 'aws:owner'.")


@pytest.mark.parametrize("material", [
    b"\xff\xfe not text at all",  # a binary file read as the key
    "AAAAC3NzaC1lZDI1NTE5AAAAIJ6adBSdlreaNKGI3HaqpL8qnmmLfevsNUNAtpAubpNP",  # the body alone
])
def test_import_of_what_is_no_key_says_give_the_openssh_line(ec2, material):
    with pytest.raises(KeyPairError, match="^EC2 cannot read that public key"):
        import_key_pair(ec2, "k", material)
    assert names(describe_key_pairs(ec2)) == []


@pytest.mark.parametrize("call", [
    lambda ec2: describe_key_pairs(ec2, dry_run="yes"),
    lambda ec2: delete_key_pair(ec2, name="alpha", dry_run="yes"),
    lambda ec2: import_key_pair(ec2, "imported", openssh_public_key(), dry_run="yes"),
], ids=["describe", "delete", "import"])
def test_a_dry_run_that_is_not_a_bool_is_refused_by_name_and_changes_nothing(two_keys, call):
    with pytest.raises(KeyPairError) as raised:
        call(two_keys)
    assert str(raised.value) == ("dry_run='yes' is not True or False: pass dry_run=True, or "
                                 "leave it out for dry_run=False.")
    assert names(describe_key_pairs(two_keys)) == ["alpha", "beta"]


def test_a_key_line_too_long_to_be_a_file_name_is_read_as_the_key(ec2):
    """No '/' in its first 255 characters: as a file name it is too long, so it is the key."""
    public = openssh_public_key().decode()
    while "/" in public:  # about one key in three has none
        public = openssh_public_key().decode()
    import_key_pair(ec2, "long-comment", f"{public} {'laptop-' * 40}")
    key = describe_key_pairs(ec2, include_public_key=True)["KeyPairs"][0]
    assert key["PublicKey"].split()[:2] == public.split()[:2]
