"""The forms' model without widgets: the sentences a person reads, and what each call records."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import KeyPairError, keyfiles
from helpers import forms_model as model
from helpers.keypairs import import_key_pair
from helpers.rules import PPK_HEADER


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tutorial_key(ec2, name: str, public_key: str) -> None:
    import_key_pair(ec2, name, public_key, tags=model.TUTORIAL_TAG)


PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ6adBSdlreaNKGI3HaqpL8qnmmLfevsNUNAtpAubpNP"


def test_create_and_save_honours_the_chosen_format_and_remembers_the_key(ec2, here):
    made = model.create_and_save(ec2, "putty", key_type="ed25519", key_format="ppk",
                                 folder="keys")
    assert made.path.name == "putty.ppk" and made.path.read_text().startswith(PPK_HEADER)
    assert made.login_command() == "plink -i keys/putty.ppk ec2-user@INSTANCE"  # 07 shows how
    assert model.made_here()[-1] == "putty"
    model.import_public_key(ec2, "imported", PUBLIC)
    assert model.made_here()[-1] == "imported"
    model.delete_key_pairs(ec2, ["putty", "imported"])
    assert "putty" not in model.made_here() and "imported" not in model.made_here()


def test_create_and_save_says_nothing_itself(ec2, here, monkeypatch, capsys):
    monkeypatch.setattr(keyfiles, "is_sandbox_leftover", lambda path: True)  # a replace: it
    model.create_and_save(ec2, "quiet", key_type="ed25519", folder="keys")  # would print
    assert capsys.readouterr().out == ""


def test_a_failed_save_whose_undo_fails_says_to_delete_it_yourself(ec2, here, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    def refuse(*args, **kwargs):
        raise KeyPairError("EC2 refused DeleteKeyPair (Blocked).")

    monkeypatch.setattr(model, "save_private_key", full_disk)
    monkeypatch.setattr(model, "delete_key_pair", refuse)
    with pytest.raises(KeyPairError) as raised:
        model.create_and_save(ec2, "stuck", key_type="ed25519", folder="keys")
    assert str(raised.value) == (
        "The private key could not be saved (The file system refused: No space left on device: "
        "free space or fix the permissions there, or choose another folder.) and the key pair "
        "'stuck' could not be deleted again: delete it yourself.")


def test_import_checks_the_tag_rows_before_sending(ec2):
    assert model.import_problem("laptop", PUBLIC, [("", "v")]) == (
        "The tag value 'v' has no key: type its key, or remove the row.")
    assert model.import_problem("laptop", " ", []) == (
        "Paste a public key ('ssh-ed25519 AAAA...') or upload a .pub file.")
    with pytest.raises(KeyPairError, match="^The tag value 'v' has no key"):
        model.import_public_key(ec2, "laptop", PUBLIC, rows=[("", "v")])
    assert ec2.describe_key_pairs()["KeyPairs"] == []


def test_a_long_tag_value_without_a_key_is_quoted_cut_short_as_a_long_key_is():
    assert model.tags_problem([("", "v" * 300)]) == (
        f"The tag value '{'v' * 39}... has no key: type its key, or remove the row.")
    assert model.tags_problem([("k" * 300, "v")]).startswith(f"The tag key '{'k' * 20}'...")


def test_matching_with_no_text_is_everything():
    items = [{"KeyName": "a"}, {"KeyName": "b", "Tags": [{"Key": "Team", "Value": "ops"}]}]
    assert model.matching(items) == items
    assert model.matching(items, "OPS") == items[1:]


@pytest.mark.parametrize("chosen, safety, question", [
    (["mine"], True, "Delete 'mine'? This cannot be undone."),
    (["theirs"], True, "Nothing will be deleted. The safety keeps 'theirs': not created by this "
                       "tutorial."),
    (["mine", "theirs"], True, "Delete 'mine'? This cannot be undone. The safety keeps "
                               "'theirs': not created by this tutorial."),
    (["mine", "theirs"], False, "Delete 'mine', 'theirs'? This cannot be undone. The safety is "
                                "off: 'theirs' was not created by this tutorial."),
])
def test_the_delete_question_says_what_goes_and_what_stays(chosen, safety, question):
    items = [{"KeyName": "mine", "Tags": [{"Key": k, "Value": v}
                                          for k, v in model.TUTORIAL_TAG.items()]},
             {"KeyName": "theirs"}]
    assert model.delete_question(chosen, items, safety) == question


def test_delete_keeps_the_safety_on_unless_told(ec2):
    import_key_pair(ec2, "theirs", PUBLIC)
    outcome = model.delete_key_pairs(ec2, ["theirs", "gone"])
    assert outcome.refused == ["theirs"] and outcome.missing == ["gone"]
    assert outcome.message() == (
        "Kept 'theirs': not created by this tutorial (no CreatedBy=ec2-keypairs-tutorial tag); "
        "turn the safety off to delete it.\n'gone' was already gone: nothing to delete.")


def test_a_deleted_key_pairs_live_key_file_is_kept_and_named(ec2, here, monkeypatch):
    tutorial_key(ec2, "laptop", PUBLIC)
    Path("keys").mkdir(mode=0o700)
    Path("keys/laptop.pem").write_text("a key that may open something")
    monkeypatch.setattr(model, "key_files", lambda name: [Path("keys/laptop.pem")])
    monkeypatch.setattr(model, "is_sandbox_key_file", lambda path: False)
    outcome = model.delete_key_pairs(ec2, ["laptop"])
    assert outcome.message() == (
        "Deleted 'laptop'.\nKept the private key file 'keys/laptop.pem': delete it yourself "
        "once nothing needs it (key files are never removed for you outside the sandbox).")
    assert Path("keys/laptop.pem").exists()


def test_a_sandbox_key_file_already_gone_is_no_error(ec2, here, monkeypatch):
    tutorial_key(ec2, "laptop", PUBLIC)
    monkeypatch.setattr(model, "key_files", lambda name: [Path("keys/sandbox/laptop.pem")])
    monkeypatch.setattr(model, "is_sandbox_key_file", lambda path: True)
    outcome = model.delete_key_pairs(ec2, ["laptop"])  # the file vanished meanwhile
    assert outcome.deleted == ["laptop"] and outcome.error is None
