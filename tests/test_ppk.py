"""helpers.sandbox.ppk writes PuTTY key files (format 3, unencrypted) that puttygen reads."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from helpers.rules import PPK_HEADER
from helpers.sandbox.ppk import to_ppk


@pytest.fixture(scope="module", params=["rsa", "ed25519"])
def key(request: pytest.FixtureRequest) -> rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey:
    if request.param == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ed25519.Ed25519PrivateKey.generate()


def openssh_public(key: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )


def test_ppk_has_the_version_3_unencrypted_layout(key) -> None:
    lines = to_ppk(key, "my-key").splitlines()
    algorithm = openssh_public(key).split()[0]
    assert lines[:3] == [
        f"{PPK_HEADER}-3: {algorithm}",
        "Encryption: none",
        "Comment: my-key",
    ]
    public_count = int(lines[3].removeprefix("Public-Lines: "))
    assert lines[4 + public_count].startswith("Private-Lines: ")
    assert all(len(line) <= 64 for line in lines[4 : 4 + public_count])
    # The public blob is exactly the one in the OpenSSH public key line.
    assert "".join(lines[4 : 4 + public_count]) == openssh_public(key).split()[1]
    mac = lines[-1].removeprefix("Private-MAC: ")
    assert len(mac) == 64 and int(mac, 16) >= 0


def mpints(blob: bytes) -> list[int]:
    """The SSH mpints (4-byte length, big-endian two's complement) one after another in blob."""
    numbers = []
    while blob:
        length = int.from_bytes(blob[:4], "big")
        numbers.append(int.from_bytes(blob[4:4 + length], "big", signed=True))
        blob = blob[4 + length:]
    return numbers


def test_an_rsa_ppk_holds_d_p_q_and_iqmp_in_that_order() -> None:
    """PuTTY's format (PPK version 3, "RSA" private blob): mpint d, p, q, iqmp."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    lines = to_ppk(key, "my-key").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Private-Lines: "))
    count = int(lines[start].removeprefix("Private-Lines: "))
    blob = base64.b64decode("".join(lines[start + 1:start + 1 + count]))
    numbers = key.private_numbers()
    assert mpints(blob) == [numbers.d, numbers.p, numbers.q, numbers.iqmp]


def test_ppk_refuses_keys_ec2_does_not_make() -> None:
    with pytest.raises(TypeError) as raised:
        to_ppk(ec.generate_private_key(ec.SECP256R1()), "ecdsa")  # type: ignore[arg-type]
    assert str(raised.value) == (
        "PPK export supports RSA and Ed25519 keys, not ECPrivateKey")


@pytest.mark.tools
def test_puttygen_reads_the_ppk_and_finds_the_same_key(key, tmp_path: Path, need) -> None:
    puttygen, ssh_keygen = need("puttygen"), need("ssh-keygen")
    ppk_file, openssh_file, public_file = (tmp_path / n for n in ("k.ppk", "k.openssh", "k.pub"))
    ppk_file.write_text(to_ppk(key, "my-key"))
    public_file.write_text(openssh_public(key) + "\n")

    fingerprint = subprocess.run(
        [puttygen, str(ppk_file), "-O", "fingerprint"], capture_output=True, text=True, check=True
    ).stdout.split()[-1]
    expected = subprocess.run(
        [ssh_keygen, "-l", "-f", str(public_file)], capture_output=True, text=True, check=True
    ).stdout.split()[1]
    assert fingerprint == expected

    # Reading the private half makes puttygen check the MAC, so this also proves the MAC right.
    subprocess.run(
        [puttygen, str(ppk_file), "-O", "private-openssh", "-o", str(openssh_file)],
        capture_output=True,
        check=True,
    )
    data = openssh_file.read_bytes()
    back = (
        serialization.load_ssh_private_key(data, password=None)
        if b"OPENSSH" in data
        else serialization.load_pem_private_key(data, password=None)
    )
    assert openssh_public(back) == openssh_public(key)  # type: ignore[arg-type]


@pytest.mark.tools
def test_puttygen_rejects_a_ppk_whose_mac_does_not_match(tmp_path: Path, need) -> None:
    puttygen = need("puttygen")
    ppk_file = tmp_path / "k.ppk"
    text = to_ppk(ed25519.Ed25519PrivateKey.generate(), "my-key")
    ppk_file.write_text(text.replace("Comment: my-key", "Comment: changed"))
    result = subprocess.run(
        [puttygen, str(ppk_file), "-O", "private-openssh", "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "MAC" in result.stderr + result.stdout
