"""Private key files: 0600 in a 0700 folder, whole or not at all, never overwritten silently."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers import KeyPairError, create_key_pair, keyfiles, redacted, sandbox, save_private_key
from helpers.tables import key_pairs_table


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def created(ec2):
    return create_key_pair(ec2, "laptop", key_type="ed25519")


def test_saved_key_is_private_and_whole(created, tmp_path):
    path = save_private_key(created, tmp_path / "keys")
    assert path == tmp_path / "keys" / "laptop.pem"
    assert path.read_text() == created["KeyMaterial"]
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["laptop.pem"]  # no temporary left


def test_existing_key_file_is_kept_unless_overwrite(created, tmp_path):
    path = tmp_path / "laptop.pem"
    tmp_path.chmod(0o700)
    path.write_text("my old key")
    with pytest.raises(KeyPairError) as raised:
        save_private_key(created, tmp_path)
    assert str(raised.value) == (
        f"{path} already exists and was kept, so the private key of 'laptop' is not saved: save "
        "the response again to another folder or with overwrite=True, or, without the "
        "response, move the file away, then delete the key pair and create it again (a "
        "notebook's clean-up cell deletes the files it saved).")
    assert path.read_text() == "my old key"
    save_private_key(created, tmp_path, overwrite=True)
    assert path.read_text() == created["KeyMaterial"]
    assert mode(path) == 0o600


def test_key_file_that_appears_during_the_save_is_kept(created, tmp_path, monkeypatch):
    # Another process writes the file between the existence check and the write.
    path = tmp_path / "laptop.pem"
    real_exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: False if self == path else real_exists(self))
    path.write_text("the other process's key")
    with pytest.raises(KeyPairError) as raised:
        save_private_key(created, tmp_path)
    assert str(raised.value) == (
        f"{path} already exists and was kept: pass overwrite=True to replace it.")
    assert path.read_text() == "the other process's key"
    assert [p.name for p in tmp_path.iterdir()] == ["laptop.pem"]  # no temporary file left


def test_folder_readable_by_others_is_refused(created, tmp_path):
    tmp_path.chmod(0o755)
    with pytest.raises(KeyPairError, match="can be read by others.*chmod 700"):
        save_private_key(created, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_unsafe_key_name_becomes_a_safe_file_name(ec2, tmp_path):
    response = create_key_pair(ec2, "../team/web key", key_type="ed25519")
    path = save_private_key(response, tmp_path / "keys")
    assert path.parent == tmp_path / "keys"
    assert path.name == f"_team_web_key-{short_hash('../team/web key')}.pem"


@pytest.mark.parametrize("name", ["x" * 255, "...", "."])
def test_longest_and_dot_only_names_save_to_distinct_visible_files(ec2, tmp_path, name):
    response = create_key_pair(ec2, name, key_type="ed25519")
    path = save_private_key(response, tmp_path / "keys")
    assert path.read_text() == response["KeyMaterial"] and mode(path) == 0o600
    assert not path.name.startswith(".") and len(path.name) <= 255
    other = create_key_pair(ec2, name[:-1] + "y" if len(name) > 1 else "..", key_type="ed25519")
    assert save_private_key(other, tmp_path / "keys") != path


def test_ppk_key_gets_a_ppk_suffix(ec2, tmp_path):
    response = create_key_pair(ec2, "putty", key_type="ed25519", key_format="ppk")
    assert save_private_key(response, tmp_path / "k").suffix == ".ppk"


def test_a_response_without_key_material_cannot_be_saved(tmp_path):
    with pytest.raises(KeyPairError, match="holds no private key"):
        save_private_key({"KeyName": "imported"}, tmp_path)


def test_redacted_view_hides_the_private_key(created):
    shown = redacted(created)
    assert "PRIVATE KEY" not in str(shown)
    assert shown["KeyMaterial"] == "<private key: redacted, save it with save_private_key()>"
    assert shown["KeyName"] == "laptop" and "ResponseMetadata" not in shown
    assert "KeyMaterial" in created  # the caller's response is untouched


def test_table_of_a_create_response_never_shows_the_private_key(created):
    table = key_pairs_table(created)
    assert "KeyMaterial" not in table.columns
    assert "PRIVATE KEY" not in table.to_string()


def test_key_saved_inside_the_working_folder_is_shown_relative(created, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert save_private_key(created) == Path("keys/sandbox/laptop.pem")
    assert mode(tmp_path / "keys" / "sandbox" / "laptop.pem") == 0o600


def test_a_key_file_another_sandbox_left_is_replaced_and_said(created, tmp_path, monkeypatch,
                                                              capsys):
    monkeypatch.chdir(tmp_path)
    first = save_private_key(created)
    with pytest.raises(KeyPairError, match="already exists and was kept"):
        save_private_key(created)  # this sandbox's own file: kept, as on AWS
    first.write_text("left by yesterday's sandbox")
    keyfiles._saved_here.clear()  # as in a new kernel
    assert save_private_key(created) == first
    assert first.read_text() == created["KeyMaterial"] and mode(first) == 0o600
    assert capsys.readouterr().out == (
        "Replacing keys/sandbox/laptop.pem, which another sandbox left (sandbox keys open "
        "nothing).\n")


def test_after_a_reset_the_files_this_sandbox_saved_are_an_earlier_sandboxs(created, tmp_path,
                                                                           monkeypatch, capsys):
    """Run All again in the same kernel: the notebook resets the sandbox, then saves again."""
    monkeypatch.chdir(tmp_path)
    first = save_private_key(created)
    sandbox.reset()
    assert save_private_key(created) == first
    said = capsys.readouterr().out
    assert "Replacing keys/sandbox/laptop.pem, which another sandbox left" in said
    with pytest.raises(KeyPairError, match="already exists and was kept"):
        save_private_key(created)  # saved since the reset: this sandbox's own again


def test_a_clean_up_may_delete_sandbox_keys_and_files_written_since_it_began(tmp_path,
                                                                          monkeypatch):
    monkeypatch.chdir(tmp_path)
    yours = Path("keys/laptop.pem")
    yours.parent.mkdir(mode=0o700)
    yours.write_text("a key of yours, from before")
    os.utime(yours, (0, 0))
    started = datetime.now(timezone.utc).replace(microsecond=0)
    written = Path("keys/written.pem")
    written.write_text("written by this run")
    sandbox_key = Path("keys/sandbox/old.pem")
    sandbox_key.parent.mkdir(mode=0o700)
    sandbox_key.write_text("an earlier sandbox's")
    os.utime(sandbox_key, (0, 0))
    assert [keyfiles.may_clean_up(p, started) for p in (yours, written, sandbox_key)] == [
        False, True, True]
    assert not keyfiles.may_clean_up(Path("keys/none.pem"), started)


def test_a_key_file_outside_the_sandbox_folder_is_never_replaced(created, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keys").mkdir(mode=0o700)
    (tmp_path / "keys" / "laptop.pem").write_text("maybe a live key")
    with pytest.raises(KeyPairError, match="clean-up cell"):
        save_private_key(created, "keys")
    assert (tmp_path / "keys" / "laptop.pem").read_text() == "maybe a live key"


def test_off_the_sandbox_even_its_folder_is_never_replaced(created, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    save_private_key(created).write_text("a file nobody may replace now")
    keyfiles._saved_here.clear()
    sandbox.stop()
    try:
        with pytest.raises(KeyPairError, match="already exists and was kept"):
            save_private_key(created, "keys/sandbox")
    finally:
        sandbox.start()
    assert Path("keys/sandbox/laptop.pem").read_text() == "a file nobody may replace now"


def test_every_folder_the_save_makes_is_private(created, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    save_private_key(created)  # makes keys/ and keys/sandbox/
    assert mode(tmp_path / "keys") == mode(tmp_path / "keys" / "sandbox") == 0o700


def short_hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:8]


@pytest.mark.parametrize("key_name, file_name", [
    ("MyKey-01_a.b", "MyKey-01_a.b.pem"),
    ("my key/../x", f"my_key_.._x-{short_hash('my key/../x')}.pem"),
    (".hidden", f"hidden-{short_hash('.hidden')}.pem"),
    ("...", f"key-{short_hash('...')}.pem"),
])
def test_key_file_names_keep_safe_characters_and_never_hide(key_name, file_name):
    assert keyfiles.key_file_name(key_name) == file_name


@given(st.text(min_size=1, max_size=255), st.text(min_size=1, max_size=255))
def test_two_key_names_never_share_a_key_file(first, second):
    assume(first != second)
    assert keyfiles.key_file_name(first) != keyfiles.key_file_name(second)


def test_a_key_pair_never_takes_another_ones_key_file(ec2, tmp_path, monkeypatch):
    """'web/prod' and 'web prod' were both web_prod.pem: deleting one removed the other's key."""
    monkeypatch.chdir(tmp_path)
    saved = save_private_key(create_key_pair(ec2, "web/prod"))
    other = save_private_key(create_key_pair(ec2, "web prod"))
    assert saved != other and saved.exists() and other.exists()


def test_a_response_without_key_material_says_only_create_returns_one(tmp_path):
    with pytest.raises(KeyPairError) as raised:
        save_private_key({"KeyName": "k", "KeyFingerprint": "x"}, tmp_path)
    assert str(raised.value) == ("This response holds no private key: only create_key_pair "
                                 "returns one, once; for an imported key you already have it.")


def test_key_file_names_at_the_length_limit(tmp_path):
    assert keyfiles.key_file_name("k" * keyfiles.MAX_STEM) == "k" * keyfiles.MAX_STEM + ".pem"
    longer = "k" * (keyfiles.MAX_STEM + 1)
    cut = keyfiles.key_file_name(longer)
    assert cut == "k" * (keyfiles.MAX_STEM - 9) + "-" + hashlib.sha256(
        longer.encode()).hexdigest()[:8] + ".pem"
    assert len(cut) == keyfiles.MAX_STEM + len(".pem")
    assert keyfiles.key_file_name("Xbox") == "Xbox.pem"  # only leading dots go


def test_off_the_sandbox_keys_go_to_keys(monkeypatch):
    monkeypatch.setattr(sandbox, "is_running", lambda: False)
    assert keyfiles.default_key_dir() == Path("keys")
    monkeypatch.setattr(sandbox, "is_running", lambda: True)
    assert keyfiles.default_key_dir() == Path("keys/sandbox")


def test_key_files_finds_both_formats(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sandbox, "is_running", lambda: True)
    Path("keys/sandbox").mkdir(parents=True)
    assert keyfiles.key_files("laptop") == []
    Path("keys/sandbox/laptop.ppk").write_text("")
    assert keyfiles.key_files("laptop") == [Path("keys/sandbox/laptop.ppk")]
    Path("keys/sandbox/laptop.pem").write_text("")
    assert keyfiles.key_files("laptop") == [Path("keys/sandbox/laptop.pem"),
                                            Path("keys/sandbox/laptop.ppk")]

