"""helpers.fingerprints and the sandbox agree with the user guide's openssl and ssh-keygen."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import boto3
import oracles
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from helpers import fingerprints, sandbox
from helpers.errors import KeyPairError
from helpers.fingerprints import fingerprint_of_private_key, fingerprint_of_public_key


def sh(command: str, data: bytes | None = None) -> str:
    """Run a shell pipeline (the user guide's recipes are pipelines); return its stdout."""
    return subprocess.run(
        command, shell=True, input=data, capture_output=True, check=True
    ).stdout.decode()


def openssl_colon_hex(output: str) -> str:
    """The digest `openssl sha1 -c` / `openssl md5 -c` prints, e.g. 'SHA1(stdin)= 1f:51:...'."""
    return output.split("=", 1)[1].strip()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def pkcs1_pem(key: rsa.RSAPrivateKey) -> bytes:
    """The private key as EC2 returns it: PKCS#1 PEM (an RSA PRIVATE KEY block)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def openssh_public(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )


@pytest.fixture(scope="module")
def ec2():
    """An EC2 client on the in-process sandbox (test_fidelity covers server mode too)."""
    was_running = sandbox.is_running()
    sandbox.start()
    sandbox.reset()
    yield boto3.client("ec2", region_name="us-east-1")
    sandbox.reset()
    if not was_running:
        sandbox.stop()


def test_created_rsa_fingerprint_is_colon_hex_sha1(rsa_key) -> None:
    assert re.fullmatch(
        r"([0-9a-f]{2}:){19}[0-9a-f]{2}", fingerprints.created_rsa_fingerprint(rsa_key)
    )


def test_imported_rsa_fingerprint_is_colon_hex_md5(rsa_key) -> None:
    fingerprint = fingerprints.fingerprint_of_public_key(openssh_public(rsa_key))
    assert re.fullmatch(r"([0-9a-f]{2}:){15}[0-9a-f]{2}", fingerprint)


def test_ed25519_fingerprint_is_padded_base64_without_prefix(ed_key) -> None:
    fingerprint = fingerprints.fingerprint_of_public_key(openssh_public(ed_key))
    assert len(fingerprint) == 44 and fingerprint.endswith("=")
    assert not fingerprint.startswith("SHA256:")


OPENSSH_VECTORS = [v for v in oracles.VECTORS["vectors"] if v["public_key"].startswith("ssh-")]


@pytest.mark.parametrize("vector", OPENSSH_VECTORS, ids=lambda v: v["key"])
def test_imported_fingerprint_matches_the_known_answer(vector) -> None:
    assert fingerprints.fingerprint_of_public_key(vector["public_key"]) == (
        vector["aws_import_fingerprint"])


@pytest.mark.parametrize("vector", oracles.VECTORS["vectors"], ids=lambda v: v["key"])
def test_sandbox_import_shows_the_known_answer(ec2, vector) -> None:
    imported = ec2.import_key_pair(KeyName=f"known-{vector['key']}",
                                   PublicKeyMaterial=vector["public_key"].encode())
    assert imported["KeyFingerprint"] == vector["aws_import_fingerprint"]


@pytest.mark.tools
def test_created_rsa_fingerprint_matches_openssl_pkcs8_sha1(rsa_key, need) -> None:
    need("openssl")
    expected = sh(
        "openssl pkcs8 -inform PEM -outform DER -topk8 -nocrypt | openssl sha1 -c",
        pkcs1_pem(rsa_key),
    )
    assert fingerprints.fingerprint_of_private_key(pkcs1_pem(rsa_key)) == openssl_colon_hex(
        expected
    )


@pytest.mark.tools
def test_imported_rsa_fingerprint_matches_openssl_md5(rsa_key, need) -> None:
    need("openssl")
    expected = sh(
        "openssl rsa -pubout -outform DER 2>/dev/null | openssl md5 -c", pkcs1_pem(rsa_key)
    )
    assert fingerprints.fingerprint_of_public_key(openssh_public(rsa_key)) == (
        openssl_colon_hex(expected)
    )


@pytest.mark.tools
def test_ed25519_fingerprint_matches_ssh_keygen(ed_key, tmp_path: Path, need) -> None:
    ssh_keygen = need("ssh-keygen")
    public_file = tmp_path / "key.pub"
    public_file.write_bytes(openssh_public(ed_key) + b"\n")
    printed = sh(f"{ssh_keygen} -l -f {public_file}").split()[1]  # 'SHA256:<unpadded base64>'
    assert printed == "SHA256:" + fingerprints.fingerprint_of_public_key(
        openssh_public(ed_key)
    ).rstrip("=")


@pytest.mark.tools
def test_sandbox_created_rsa_fingerprint_follows_the_openssl_recipe(ec2, need) -> None:
    need("openssl")
    created = ec2.create_key_pair(KeyName="created-rsa")
    expected = sh(
        "openssl pkcs8 -inform PEM -outform DER -topk8 -nocrypt | openssl sha1 -c",
        created["KeyMaterial"].encode(),
    )
    assert created["KeyFingerprint"] == openssl_colon_hex(expected)


@pytest.mark.tools
def test_sandbox_imported_rsa_fingerprint_follows_the_openssl_recipe(ec2, rsa_key, need) -> None:
    need("openssl")
    imported = ec2.import_key_pair(
        KeyName="imported-rsa", PublicKeyMaterial=openssh_public(rsa_key)
    )
    expected = sh(
        "openssl rsa -pubout -outform DER 2>/dev/null | openssl md5 -c", pkcs1_pem(rsa_key)
    )
    assert imported["KeyFingerprint"] == openssl_colon_hex(expected)


@pytest.mark.tools
def test_sandbox_ed25519_fingerprints_follow_ssh_keygen(ec2, ed_key, tmp_path: Path, need) -> None:
    ssh_keygen = need("ssh-keygen")
    created = ec2.create_key_pair(KeyName="created-ed25519", KeyType="ed25519")
    private_file = tmp_path / "created"
    private_file.write_text(created["KeyMaterial"])
    private_file.chmod(0o600)  # ssh-keygen refuses to read a private key others can read
    printed = sh(f"{ssh_keygen} -l -f {private_file}").split()[1]
    assert printed == "SHA256:" + created["KeyFingerprint"].rstrip("=")

    imported = ec2.import_key_pair(
        KeyName="imported-ed25519", PublicKeyMaterial=openssh_public(ed_key)
    )
    public_file = tmp_path / "imported.pub"
    public_file.write_bytes(openssh_public(ed_key) + b"\n")
    printed = sh(f"{ssh_keygen} -l -f {public_file}").split()[1]
    assert printed == "SHA256:" + imported["KeyFingerprint"].rstrip("=")


@pytest.mark.parametrize(("given", "said"), [(None, "None"), (123, "a int"),
                                             (["ssh-ed25519"], "a list")])
def test_a_key_that_is_not_text_is_named_with_what_it_is(given, said) -> None:
    """A learner who passes a Path's result wrongly, or nothing, reads what to pass instead."""
    with pytest.raises(KeyPairError) as public:
        fingerprint_of_public_key(given)
    assert str(public.value) == (
        f"The public key given is {said}, not text: give it as str or bytes, e.g. "
        "Path('keys/my-laptop.pub').read_text().")
    with pytest.raises(KeyPairError) as private:
        fingerprint_of_private_key(given)
    assert str(private.value).startswith(f"The private key given is {said}, not text")


def test_a_damaged_rsa_key_is_refused_not_fingerprinted(rsa_key) -> None:
    """A .pem whose numbers no longer agree (one byte changed, as a bad copy does) gets the
    sentence, not the fingerprint of nonsense; the sandbox, whose keys are its own, skips the
    check (validate=False, 50 ms a key)."""
    lines = rsa_key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()).splitlines()
    der = bytearray(base64.b64decode(b"".join(lines[1:-1])))
    der[-1] ^= 1  # the last number, the CRT coefficient
    pem = b"\n".join([lines[0], *base64.encodebytes(bytes(der)).splitlines(), lines[-1]])
    for read in (fingerprint_of_private_key, fingerprints.load_private_key):
        with pytest.raises(KeyPairError, match="^That is not an unencrypted PEM or OpenSSH priv"):
            read(pem)
    unchecked = fingerprint_of_private_key(pem, validate=False)  # what the check spares a learner
    assert unchecked != fingerprints.created_rsa_fingerprint(rsa_key)
