"""The key pair forms, headless: set values, click, and check the sandbox and what the form shows.

ipywidgets swallows exceptions raised in click handlers, so every test asserts on results.
"""

from __future__ import annotations

import errno
import re
import stat
from datetime import datetime, timezone
from html import escape, unescape

import boto3
import ipywidgets as w
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from helpers import forms_model as model
from helpers import keyfiles, sandbox, tables
from helpers.forms import CreateForm, DeleteForm, ImportForm, KeyPairList, KeyPairManager
from helpers.forms.import_form import PRIVATE_KEY_PASTED
from helpers.forms.manager import backend_badge
from helpers.forms.widgets import box, buttons
from helpers.keypairs import create_key_pair, import_key_pair
from helpers.rules import key_name_problem
from tests.person import CannotPress, press


@pytest.fixture(scope="module")
def fresh_sandbox() -> None:
    sandbox.start()
    sandbox.reset()


@pytest.fixture
def ec2(fresh_sandbox):
    """A sandbox client with no key pairs (cheaper than a reset per test, which halves the time)."""
    client = boto3.client("ec2", region_name="us-east-1")
    for item in client.describe_key_pairs()["KeyPairs"]:
        client.delete_key_pair(KeyName=item["KeyName"])
    return client


def names(ec2) -> list[str]:
    return sorted(k["KeyName"] for k in ec2.describe_key_pairs()["KeyPairs"])


def public_key() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH,
                            serialization.PublicFormat.OpenSSH).decode()


def shown(widget: w.Widget) -> str:
    """Every piece of text a widget tree puts on screen: values, descriptions, option labels."""
    parts = [str(getattr(widget, attr, "")) for attr in ("value", "description", "placeholder")]
    parts += [str(option) for option in getattr(widget, "options", ())]
    return "\n".join(parts + [shown(child) for child in getattr(widget, "children", ())])


def visible(widget: w.Widget) -> bool:
    return widget.layout.display != "none"


def clicked_before_it_went_off(button: w.Button) -> None:
    """A click the browser sent before the button went off (a fast double click): not a press,
    the message that arrives after it; the handler must ignore it."""
    button._handle_button_msg(None, {"event": "click"}, [])


def make_keys(ec2, *names_: str, tutorial: bool = True, tags: dict | None = None) -> None:
    """Import key pairs quickly (no RSA key generation), tagged like the forms' own or not."""
    for name in names_:
        import_key_pair(ec2, name, public_key(),
                        tags={**(tags or {}), **(model.TUTORIAL_TAG if tutorial else {})})


# Create

def test_create_saves_key_0600_and_shows_where_never_the_key(ec2, tmp_path):
    form = CreateForm(ec2, folder=tmp_path / "keys")
    form.name.value = "laptop"
    form.key_format.value = "pem"
    form.tags.rows_box.children[0].children[0].value = "Team"
    form.tags.rows_box.children[0].children[1].value = "ops"
    assert not form.button.disabled
    press(form.button)
    item = ec2.describe_key_pairs(KeyNames=["laptop"])["KeyPairs"][0]
    assert {"Key": "Team", "Value": "ops"} in item["Tags"]
    assert model.is_tutorial_key(item)
    path = tmp_path / "keys" / "laptop.pem"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in form.result.value and item["KeyPairId"] in form.result.value
    assert item["KeyFingerprint"] in form.result.value
    assert f"Log in: <code>ssh -i {path} ec2-user@INSTANCE</code>" in form.result.value
    body = path.read_text().splitlines()[1]  # a line of the private key itself
    assert body not in shown(form) and "PRIVATE KEY" not in shown(form)
    assert form.name.value == "" and form.button.disabled  # ready for the next key


@pytest.mark.parametrize("name", ["", "k" * 256, "clé", " leading", "trailing "],
                         ids=["empty", "too-long", "non-ascii", "leading-space", "trailing-space"])
def test_invalid_name_disables_create_and_says_why(ec2, tmp_path, name):
    form = CreateForm(ec2, folder=tmp_path)
    form.name.value = "ok"
    form.name.value = name
    assert form.button.disabled
    assert escape(key_name_problem(name)) in form.name_problem.value
    with pytest.raises(CannotPress):
        press(form.button)
    assert names(ec2) == [] and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("form_class", [CreateForm, ImportForm])
def test_a_name_already_taken_is_refused_as_it_is_typed(ec2, tmp_path, form_class):
    create_key_pair(ec2, "laptop")
    form = CreateForm(ec2, folder=tmp_path) if form_class is CreateForm else ImportForm(ec2)
    if form_class is ImportForm:
        form.text.value = public_key()
    form.name.value = "laptop"
    assert form.button.disabled
    assert "A key pair named &#x27;laptop&#x27; already exists in this Region: choose another " \
        "name, or delete that one first." in form.name_problem.value
    form.name.value = "laptop-2"
    assert not form.button.disabled and form.name_problem.value == ""


def test_a_name_taken_after_the_form_loaded_is_refused_by_ec2_and_saves_nothing(ec2, tmp_path):
    form = CreateForm(ec2, folder=tmp_path)
    create_key_pair(ec2, "laptop")  # by someone else, meanwhile
    form.name.value = "laptop"
    press(form.button)
    assert "already exists in this Region" in form.result.value
    assert list(tmp_path.iterdir()) == [] and names(ec2) == ["laptop"]
    assert form.button.disabled, "the form learned the name is taken"


def test_create_refuses_before_creating_when_the_file_exists(ec2, tmp_path):
    (tmp_path / "laptop.pem").write_text("an older key")
    form = CreateForm(ec2, folder=tmp_path)
    form.name.value = "laptop"
    press(form.button)
    assert "already exists, so nothing was created" in form.result.value
    assert names(ec2) == [] and (tmp_path / "laptop.pem").read_text() == "an older key"


@pytest.mark.parametrize("folder", ["not-a-folder", "not-a-folder/keys"])
def test_a_folder_that_is_a_file_is_said_as_it_is_typed_and_nothing_is_created(ec2, tmp_path,
                                                                                folder):
    (tmp_path / "not-a-folder").write_text("")
    form = CreateForm(ec2, folder=tmp_path / folder)
    form.name.value = "laptop"
    assert form.button.disabled
    assert f"{tmp_path}/not-a-folder is a file, not a folder" in form.folder_problem.value
    with pytest.raises(CannotPress):
        press(form.button)
    with pytest.raises(model.KeyPairError) as raised:
        model.create_and_save(ec2, "laptop", folder=tmp_path / folder)
    # said before EC2 was asked: not "could not be saved ..., so the key pair was deleted again"
    assert str(raised.value) == (f"{tmp_path}/not-a-folder is a file, not a folder: choose a "
                                 "folder for the key.")
    assert names(ec2) == []


def test_a_full_disk_is_said_in_words_and_the_key_pair_deleted_again(ec2, tmp_path, monkeypatch):
    def full_disk(response, folder):
        raise OSError(errno.ENOSPC, "No space left on device", f"{folder}/laptop.pem")

    monkeypatch.setattr(model, "save_private_key", full_disk)
    with pytest.raises(model.KeyPairError) as raised:
        model.create_and_save(ec2, "laptop", folder=tmp_path)
    assert str(raised.value) == (
        f"The private key could not be saved (The file system refused: No space left on device "
        f"({tmp_path}/laptop.pem): free space or fix the permissions there, or choose another "
        "folder.), so the key pair 'laptop' was deleted again: choose another folder.")
    assert names(ec2) == []


def test_a_new_sandbox_creates_over_a_key_file_an_earlier_one_left(ec2, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the forms' default folder: keys/sandbox
    form = CreateForm(ec2)
    assert form.folder.value == "keys/sandbox"
    form.name.value = "workshop"
    press(form.button)
    keyfiles._saved_here.clear()  # a new kernel: the rehearsal's sandbox is gone, its file stays
    sandbox.forget_key_pairs()
    form = CreateForm(ec2)  # the new kernel's form
    form.name.value = "workshop"
    press(form.button)
    assert "replacing the file another sandbox left" in form.result.value
    assert names(ec2) == ["workshop"]


def test_delete_removes_the_sandbox_key_file_and_says_so(ec2, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model.create_and_save(ec2, "workshop")
    outcome = model.delete_key_pairs(ec2, ["workshop"])
    assert not (tmp_path / "keys/sandbox/workshop.pem").exists()
    assert outcome.message() == ("Deleted 'workshop'.\n"
                                 "Removed the sandbox key file 'keys/sandbox/workshop.pem'.")


def test_delete_keeps_a_key_file_that_may_be_live_and_says_where(ec2, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model.create_and_save(ec2, "workshop", folder="keys")
    monkeypatch.setattr(keyfiles, "default_key_dir", lambda: keyfiles.KEY_DIR)  # as off the sandbox
    outcome = model.delete_key_pairs(ec2, ["workshop"])
    assert (tmp_path / "keys/workshop.pem").exists()
    assert "Kept the private key file 'keys/workshop.pem': delete it yourself" in outcome.message()


def test_tag_without_key_disables_create_until_removed(ec2, tmp_path):
    form = CreateForm(ec2, folder=tmp_path)
    form.name.value = "laptop"
    key, value = form.tags.add_row()
    value.value = "ops"
    assert form.button.disabled and "has no key" in form.tags_problem.value
    press(form.tags.rows_box.children[-1].children[2])  # the row's remove button
    assert not form.button.disabled and form.tags_problem.value == ""


def test_double_click_on_create_makes_one_key_and_one_message(ec2, tmp_path):
    form = CreateForm(ec2, folder=tmp_path)
    form.name.value = "laptop"
    press(form.button)
    with pytest.raises(CannotPress):  # off until a new name
        press(form.button)
    clicked_before_it_went_off(form.button)
    assert names(ec2) == ["laptop"]
    assert form.result.value.count("Created") == 1 and "already exists" not in form.result.value


def test_click_while_a_create_runs_is_ignored_and_the_button_is_off(ec2, tmp_path):
    form = CreateForm(ec2, folder=tmp_path)
    seen = []

    def second_click(**_):  # runs inside the first click's call to EC2
        seen.append(form.button.disabled)
        clicked_before_it_went_off(form.button)

    ec2.meta.events.register("before-call.ec2.CreateKeyPair", second_click)
    form.name.value = "laptop"
    press(form.button)
    assert seen == [True] and names(ec2) == ["laptop"]


# Import

def test_import_from_pasted_text(ec2):
    form = ImportForm(ec2)
    form.name.value = "desktop"
    form.text.value = public_key()
    press(form.button)
    item = ec2.describe_key_pairs(KeyNames=["desktop"])["KeyPairs"][0]
    assert model.is_tutorial_key(item)
    assert item["KeyFingerprint"] in form.result.value and "Imported" in form.result.value
    assert form.text.value == "" and form.button.disabled


def uploaded(name: str, content: bytes) -> tuple[dict, ...]:
    """A FileUpload value, as the browser sends it."""
    return ({"name": name, "type": "", "size": len(content), "content": memoryview(content),
             "last_modified": datetime.now(timezone.utc)},)


def test_import_from_uploaded_file_takes_its_name(ec2):
    form = ImportForm(ec2)
    content = public_key().encode()
    form.upload.value = uploaded("workstation.pub", content)
    assert form.name.value == "workstation" and form.text.value == content.decode()
    assert form.upload.value == ()  # its text is in the text box: one place holds the key
    press(form.button)
    assert names(ec2) == ["workstation"]


def test_a_pasted_private_key_leaves_the_screen_at_once(ec2):
    private = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()).decode()
    form = ImportForm(ec2)
    form.name.value = "oops"
    form.text.value = private  # pasted: gone from the screen at once, before any click
    assert form.text.value == "" and form.button.disabled
    assert form.result.value == box(PRIVATE_KEY_PASTED, "error")
    with pytest.raises(CannotPress):
        press(form.button)
    assert names(ec2) == []


def test_a_refused_private_key_s_message_goes_when_a_public_key_is_pasted(ec2):
    private = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption()).decode()
    form = ImportForm(ec2)
    form.name.value = "laptop"
    form.text.value = private
    assert form.result.value == box(PRIVATE_KEY_PASTED, "error")
    form.text.value = public_key()  # the right half, pasted after
    assert form.result.value == "", "the red box about the private key is still up"
    press(form.button)
    assert "Imported <b>laptop</b>" in form.result.value and names(ec2) == ["laptop"]


def test_an_uploaded_private_key_is_refused_and_kept_nowhere(ec2):
    private = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption())
    form = ImportForm(ec2)
    form.upload.value = uploaded("laptop.pub", private)  # the private key, saved as .pub
    assert form.result.value == box(
        "laptop.pub holds a private key: it was sent nowhere and is cleared from the form. "
        "Upload the public half (the .pub file) instead.", "error")
    # not in the upload (the browser's copy of the widget), the text box or the name
    assert form.upload.value == () and form.text.value == "" and form.name.value == ""
    assert form.button.disabled
    good = public_key().encode()
    form.upload.value = uploaded("workstation.pub", good)
    assert (form.name.value, form.text.value, form.result.value) == (
        "workstation", good.decode(), "")


def test_pasted_text_is_never_read_as_a_path_on_the_server(ec2, tmp_path):
    pub = tmp_path / "server-side.pub"
    pub.write_text(public_key())  # a file on the machine that serves the form, e.g. under Voilà
    form = ImportForm(ec2)
    form.name.value = "probe"
    form.text.value = str(pub)
    press(form.button)
    assert names(ec2) == [] and "EC2 cannot read that public key" in form.result.value


def test_import_button_waits_for_a_key(ec2):
    form = ImportForm(ec2)
    form.name.value = "desktop"
    assert form.button.disabled
    form.text.value = public_key()
    assert not form.button.disabled


# List

def test_list_filters_by_name_and_by_tag(ec2):
    make_keys(ec2, "alice-laptop", "bob-laptop")
    make_keys(ec2, "ci-runner", tags={"Team": "ops"})
    view = KeyPairList(ec2)
    assert view.count.value == "3 key pairs"
    view.filter.value = "laptop"
    assert "alice-laptop" in view.table.value and "ci-runner" not in view.table.value
    assert view.count.value == "2 of 3 key pairs match"
    view.filter.value = "team=OPS"
    assert "ci-runner" in view.table.value and "alice-laptop" not in view.table.value
    view.filter.value = "nothing-like-it"
    assert "No key pairs match" in view.table.value


def test_list_shows_tags_as_text_never_as_html(ec2):
    make_keys(ec2, "odd", tags={"Note": "<b>bold</b>"})
    view = KeyPairList(ec2)
    assert "Note=<wbr>&lt;b&gt;bold&lt;/b&gt;" in view.table.value
    assert "<b>bold" not in view.table.value


def test_list_refresh_shows_keys_made_elsewhere(ec2):
    view = KeyPairList(ec2)
    assert "No key pairs yet" in view.table.value
    make_keys(ec2, "made-by-boto3")
    press(view.refresh_button)
    assert "made-by-boto3" in view.table.value


# Delete

def ask_to_delete(form: DeleteForm, *chosen: str) -> None:
    form.select.value = chosen
    press(form.button)


def test_delete_after_confirmation(ec2):
    make_keys(ec2, "old", "older", "keep")
    form = DeleteForm(ec2)
    ask_to_delete(form, "old", "older")
    assert visible(form.confirm_box) and "&#x27;old&#x27;, &#x27;older&#x27;" in form.question.value
    assert not visible(form.button), "the question takes the delete button's place"
    assert names(ec2) == ["keep", "old", "older"]  # nothing goes before the confirmation
    press(form.confirm)
    assert names(ec2) == ["keep"] and not visible(form.confirm_box) and visible(form.button)
    assert "Deleted" in form.result.value
    assert [value for _, value in form.select.options] == ["keep"]


def test_one_delete_after_another_and_two_at_once_on_the_same_form(ec2):
    make_keys(ec2, "first", "second", "third", "fourth", "kept")
    form = DeleteForm(ec2)
    for chosen in (["first"], ["second"], ["third", "fourth"]):
        ask_to_delete(form, *chosen)
        press(form.confirm)  # "Yes, delete": on again after the delete before
        assert "Deleted" in form.result.value and not visible(form.confirm_box)
    assert names(ec2) == ["kept"]
    ask_to_delete(form, "kept")
    press(form.cancel)
    assert names(ec2) == ["kept"] and not form.select.disabled


def test_while_a_call_runs_every_button_of_the_form_is_off_then_on_again(ec2, tmp_path):
    form = CreateForm(ec2, folder=tmp_path)
    form.tags.add_row()
    seen = []
    ec2.meta.events.register("before-call.ec2.CreateKeyPair", lambda **_: seen.extend(
        (button.description, button.disabled) for button in buttons(form)))
    form.name.value = "laptop"
    press(form.button)
    assert sorted(seen) == [("+ Add tag", True), ("Creating…", True), ("✕", True), ("✕", True)]
    assert sorted((b.description, b.disabled) for b in buttons(form)) == [
        ("+ Add tag", False), ("Create key pair", True), ("✕", False)]  # off: no name yet


def test_delete_cancelled_keeps_the_key(ec2):
    make_keys(ec2, "old")
    form = DeleteForm(ec2)
    ask_to_delete(form, "old")
    press(form.cancel)
    assert names(ec2) == ["old"] and not visible(form.confirm_box) and visible(form.button)
    assert "nothing was deleted" in form.result.value


def test_safety_keeps_keys_the_tutorial_did_not_make_until_turned_off(ec2):
    make_keys(ec2, "mine")
    make_keys(ec2, "production", tutorial=False)
    form = DeleteForm(ec2)
    assert "production (not from this tutorial)" in shown(form)
    ask_to_delete(form, "mine", "production")
    assert "The safety keeps &#x27;production&#x27;" in form.question.value
    press(form.confirm)
    assert names(ec2) == ["production"]
    assert "Kept &#x27;production&#x27;" in form.result.value
    form.safety.value = False
    assert "Safety off" in form.warning.value
    ask_to_delete(form, "production")
    assert "The safety is off: &#x27;production&#x27;" in form.question.value
    press(form.confirm)
    assert names(ec2) == []


def test_when_the_safety_keeps_every_choice_nothing_asks_to_be_confirmed(ec2):
    make_keys(ec2, "production", tutorial=False)
    form = DeleteForm(ec2)
    ask_to_delete(form, "production")
    assert not visible(form.confirm_box) and not form.button.disabled
    assert "Nothing will be deleted. The safety keeps &#x27;production&#x27;" in form.result.value
    assert names(ec2) == ["production"]


def test_double_click_on_confirm_deletes_once_with_one_message(ec2):
    make_keys(ec2, "old")
    form = DeleteForm(ec2)
    ask_to_delete(form, "old")
    press(form.confirm)
    with pytest.raises(CannotPress):  # the question has gone
        press(form.confirm)
    clicked_before_it_went_off(form.confirm)
    assert names(ec2) == [] and form.result.value.count("Deleted") == 1


def test_delete_of_a_key_already_gone_says_so(ec2):
    make_keys(ec2, "old")
    form = DeleteForm(ec2)
    ask_to_delete(form, "old")
    ec2.delete_key_pair(KeyName="old")
    press(form.confirm)
    assert "was already gone" in form.result.value


# Manager

def test_manager_keeps_list_and_delete_choices_in_sync(ec2, tmp_path):
    manager = KeyPairManager(ec2, folder=tmp_path)
    assert "kp-manager" in manager.tabs._dom_classes
    assert manager.tabs.titles == ("Create", "Import", "List", "Delete")
    manager.create.name.value = "laptop"
    press(manager.create.button)
    manager.tabs.selected_index = 1
    manager.import_.name.value = "desktop"
    manager.import_.text.value = public_key()
    press(manager.import_.button)
    assert "laptop" in manager.list.table.value and "desktop" in manager.list.table.value
    assert [v for _, v in manager.delete.select.options] == ["desktop", "laptop"]
    manager.tabs.selected_index = 3
    ask_to_delete(manager.delete, "laptop")
    press(manager.delete.confirm)
    assert "laptop" not in manager.list.table.value
    assert [v for _, v in manager.delete.select.options] == ["desktop"]


def test_the_page_gets_the_new_choices_before_the_sentence_that_ends_a_click(ec2, tmp_path):
    """A selection reaches the kernel as positions in the list the page shows: when "Deleted ..."
    came before the new choices, a quick next click picked the key pair next to the one meant
    (a browser test under load deleted 'laptop' and 'spare' for 'desktop' and 'laptop')."""
    manager = KeyPairManager(ec2, folder=tmp_path)
    told: list[str] = []
    manager.delete.select.observe(
        lambda change: told.append(" ".join(v for _, v in change.new)), "options")
    for form in (manager.create, manager.import_, manager.delete):
        form.result.observe(lambda change: told.extend(
            re.findall(r"(?:Created|Imported|Deleted) [^ .(]+",
                       unescape(re.sub("<[^>]+>", "", change.new)))), "value")
    manager.create.name.value = "laptop"
    press(manager.create.button)
    manager.tabs.selected_index = 1
    manager.import_.name.value, manager.import_.text.value = "desktop", public_key()
    press(manager.import_.button)
    manager.tabs.selected_index = 3
    ask_to_delete(manager.delete, "laptop")
    press(manager.delete.confirm)
    assert told == ["laptop", "Created laptop", "desktop laptop", "Imported desktop", "desktop",
                    "Deleted 'laptop'"]


def test_manager_list_refresh_also_offers_keys_made_elsewhere_for_deletion(ec2, tmp_path):
    manager = KeyPairManager(ec2, folder=tmp_path)
    make_keys(ec2, "made-by-boto3")
    manager.tabs.selected_index = 2
    press(manager.list.refresh_button)
    assert "made-by-boto3" in manager.list.table.value
    assert [v for _, v in manager.delete.select.options] == ["made-by-boto3"]


def test_manager_says_it_is_the_sandbox(ec2, tmp_path):
    manager = KeyPairManager(ec2, folder=tmp_path)
    assert "Sandbox · us-east-1" in manager.children[0].value


def test_badge_follows_the_client_it_is_given_not_the_environment(fresh_sandbox):
    endpoint = boto3.client("ec2", region_name="eu-west-1", endpoint_url="http://127.0.0.1:9",
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    assert "Endpoint http://127.0.0.1:9 · eu-west-1" in backend_badge(endpoint)
    sandbox.stop()
    try:
        live = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x",
                            aws_secret_access_key="x")
        assert "LIVE AWS · us-east-1" in backend_badge(live)
    finally:
        sandbox.start()


def test_list_styles_follow_column_names_whatever_their_order(ec2, monkeypatch):
    make_keys(ec2, "laptop")
    monkeypatch.setattr(tables, "COLUMNS", tables.COLUMNS[::-1])
    html = KeyPairList(ec2).table.value
    headers = re.findall(r'<th class="kp-col-(\w+)"[^>]*>(.*?)</th>', html)
    assert [name for name, _ in headers] == tables.COLUMNS
    assert [text.replace("<wbr>", "") for _, text in headers] == tables.COLUMNS
    (key_pair_id,) = re.findall(r'<td class="kp-col-KeyPairId"[^>]*>([^<]*)</td>', html)
    assert key_pair_id == ec2.describe_key_pairs()["KeyPairs"][0]["KeyPairId"]
    assert re.search(r'<td class="kp-col-KeyFingerprint" style="[^"]*monospace', html)


def test_a_notebook_without_a_kernel_shows_one_readable_line(ec2, tmp_path):
    manager = KeyPairManager(ec2, folder=tmp_path)
    for widget in (manager, manager.create, manager.delete):
        text = widget._repr_mimebundle_()["text/plain"]
        assert text.endswith("run this cell in Jupyter to use the " +
                             ("manager." if widget is manager else "form."))


# The model alone, without widgets

def test_tags_problem_names_each_mistake():
    assert model.tags_problem([("", ""), ("Team", "ops")]) is None
    assert "reserved by AWS" in model.tags_problem([("aws:owner", "me")])
    assert "appears twice" in model.tags_problem([("Team", "a"), ("Team", "b")])
    assert "themselves" in model.tags_problem([("CreatedBy", "me")])


def test_tags_problem_follows_aws_limits_and_counts_the_forms_own_tag():
    assert model.tags_problem([("k" * 128, "v" * 256)]) is None
    assert "at most 128" in model.tags_problem([("k" * 129, "v")])
    assert "at most 256" in model.tags_problem([("k", "v" * 257)])
    rows = [(f"t{i}", "v") for i in range(49)]
    assert model.tags_problem(rows) is None  # 49 and the forms' own tag make 50
    assert "at most 50" in model.tags_problem([*rows, ("one-more", "v")])


def test_delete_of_several_stops_at_the_first_failure_and_says_what_was_done(ec2, monkeypatch):
    make_keys(ec2, "a-key", "b-key", "c-key")
    real_delete = model.delete_key_pair

    def failing_on_b(client, *, name):
        if name == "b-key":
            raise model.KeyPairError("EC2 is throttling your requests.")
        return real_delete(client, name=name)

    monkeypatch.setattr(model, "delete_key_pair", failing_on_b)
    outcome = model.delete_key_pairs(ec2, ["a-key", "b-key", "c-key"])
    assert outcome.deleted == ["a-key"] and names(ec2) == ["b-key", "c-key"]
    assert outcome.message() == ("Deleted 'a-key'.\nStopped at 'b-key': EC2 is throttling your "
                                 "requests.")


def test_tutorial_tag_is_added_to_every_tag_set():
    assert model.tags_from_rows([("Team", "ops"), ("", "")]) == {"Team": "ops",
                                                                 **model.TUTORIAL_TAG}


def test_model_results_and_messages_read_in_full(ec2, tmp_path):
    made = model.create_and_save(ec2, "rsa-default", folder=tmp_path)
    assert made.shown_path() == str(tmp_path / "rsa-default.pem")
    assert ec2.describe_key_pairs(KeyNames=["rsa-default"])["KeyPairs"][0]["KeyType"] == "rsa"
    imported = model.import_public_key(ec2, "laptop", public_key())
    assert imported.shown_path() == "" and imported.path is None
    assert model.tutorial_tag_text() == "CreatedBy=ec2-keypairs-tutorial"
    assert model.Deletion().message() == "Nothing was chosen: select one or more key pairs."
    both = model.Deletion(deleted=["a"], missing=["b"], error="Stopped at 'c': throttled.")
    assert both.message() == ("Deleted 'a'.\n'b' was already gone: nothing to delete.\n"
                              "Stopped at 'c': throttled.")
    assert model.create_problem("laptop", [], " ") == (
        "Give a folder for the private key, for example 'keys'.")
    assert model.planned_key_path("putty", "ppk", tmp_path) == tmp_path / "putty.ppk"


def test_create_and_save_checks_tags_and_the_file_before_creating(ec2, tmp_path):
    with pytest.raises(model.KeyPairError) as raised:
        model.create_and_save(ec2, "k", rows=[("", "orphan")], folder=tmp_path)
    assert str(raised.value) == ("The tag value 'orphan' has no key: type its key, or remove "
                                 "the row.")
    (tmp_path / "taken.ppk").write_text("an older key")
    with pytest.raises(model.KeyPairError) as raised:
        model.create_and_save(ec2, "taken", key_format="ppk", folder=tmp_path)
    assert str(raised.value) == (f"{tmp_path}/taken.ppk already exists, so nothing was created: "
                                 "choose another name or folder, or move that file away.")
    made = model.create_and_save(ec2, "modern", key_type="ed25519", folder=tmp_path)
    assert ec2.describe_key_pairs(KeyNames=["modern"])["KeyPairs"][0]["KeyType"] == "ed25519"
    assert names(ec2) == ["modern"] and made.path == tmp_path / "modern.pem"


def test_message_of_keeps_our_sentences_and_explains_aws_errors():
    from botocore.exceptions import ClientError

    assert model.message_of(model.KeyPairError("Said already.")) == "Said already."
    duplicate = ClientError({"Error": {"Code": "InvalidKeyPair.Duplicate", "Message": "x"}},
                            "CreateKeyPair")
    assert model.message_of(duplicate).startswith("A key pair with that name already exists")


@pytest.mark.parametrize("value", [
    ({"name": "laptop.pub", "content": b"ssh-ed25519 AAAA me"},),  # ipywidgets 8: a tuple
    {"laptop.pub": {"name": "laptop.pub", "content": b"ssh-ed25519 AAAA me"}},  # 7: a dict
])
def test_an_uploaded_pub_file_gives_its_name_and_text(value):
    assert model.uploaded_public_key(value) == ("laptop.pub", "ssh-ed25519 AAAA me")


def test_an_upload_without_a_name_or_as_binary_is_said():
    nameless = ({"content": b"ssh-ed25519 AAAA"},)
    assert model.uploaded_public_key(nameless) == ("", "ssh-ed25519 AAAA")
    assert model.uploaded_public_key(()) is None
    with pytest.raises(model.KeyPairError) as raised:
        model.uploaded_public_key(({"name": "id", "content": b"\x00\xff"},))
    assert str(raised.value) == ("That file is not a text public key: upload the .pub file, "
                                 "whose one line starts with 'ssh-'.")


def test_where_no_kernel_runs_each_form_shows_a_still_picture_of_itself(ec2, tmp_path):
    """GitHub, nbviewer and books show text/html; JupyterLab and Voilà the live widget."""
    bundle = KeyPairManager(ec2, folder=tmp_path)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    still = bundle["text/html"]
    assert still.startswith('<div style="font-size:13px;line-height:1.5"><div style="color:'
                            '#546e7a;font-style:italic;margin-bottom:4px">Still picture of the '
                            "form: open the notebook in Jupyter and run it to use it.</div>")
    for seen in ("Sandbox · us-east-1", ">Create<", ">Import<", ">List<", ">Delete<",
                 "Key name", "e.g. my-laptop", "RSA 2048", "ED25519", "PEM · OpenSSH",
                 "Create key pair", str(tmp_path)):
        assert seen in still, f"the still picture lacks {seen!r}"
    chosen = re.findall(r'background:#0d47a1;color:#fff;font-weight:600">([^<]*)<', still)
    assert chosen == ["Create", "RSA 2048", "PEM · OpenSSH"], "the chosen tab and options"
    assert "Import a public key" not in still, "only the tab that shows is drawn"


def test_a_still_picture_leaves_out_what_is_hidden_and_shows_what_is_typed(ec2, monkeypatch):
    from helpers.forms import app as app_module
    from helpers.forms.app import WorkshopApp

    monkeypatch.setattr(app_module, "client_backend", lambda _: "endpoint")
    app = WorkshopApp()
    app.manager.create.name.value = "typed-name"
    still = app._repr_mimebundle_()["text/html"]
    assert "Reset sandbox" not in still and "Load sample key pairs" in still
    assert "typed-name" in still and "<style>" not in still
