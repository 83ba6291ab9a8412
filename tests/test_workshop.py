"""The workshop app and the presenter's controls: samples, reset, large text, and where."""

from __future__ import annotations

import stat

import pytest

from helpers import forms_model as model
from helpers import workshop
from helpers.errors import KeyPairError
from helpers.forms import app as app_module
from helpers.forms.app import WorkshopApp
from tests.person import press

SAMPLE_NAMES = [name for name, _, _ in workshop.SAMPLES]


def described(ec2) -> dict[str, dict]:
    return {item["KeyName"]: item for item in model.all_key_pairs(ec2)}


def test_samples_are_imported_once_with_their_tags_and_no_private_key(ec2):
    assert workshop.load_samples(ec2) == SAMPLE_NAMES
    assert workshop.load_samples(ec2) == []  # a second click adds nothing
    items = described(ec2)
    assert sorted(items) == sorted(SAMPLE_NAMES)
    assert {t["Key"]: t["Value"] for t in items["bob-workstation"]["Tags"]} == {
        "Owner": "bob", "Team": "ops", **model.TUTORIAL_TAG}
    assert items["bob-workstation"]["KeyType"] == "rsa"
    assert not model.is_tutorial_key(items["prod-bastion"]), "the safety has nothing to keep"
    assert all(model.is_tutorial_key(items[n]) for n in SAMPLE_NAMES if n != "prod-bastion")


def test_samples_fill_only_the_names_that_are_free(ec2):
    model.import_public_key(ec2, "ci-deploy", workshop._public_key("ed25519"))
    assert workshop.load_samples(ec2) == ["alice-laptop", "bob-workstation", "prod-bastion"]


def test_reset_empties_the_sandbox_and_its_key_files(ec2, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    workshop.load_samples(ec2)
    made = model.create_and_save(ec2, "demo")
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    outcome = workshop.reset_sandbox(ec2)
    assert sorted(outcome.deleted) == sorted([*SAMPLE_NAMES, "demo"])
    assert described(ec2) == {} and not made.path.exists()


@pytest.mark.parametrize("backend", ["endpoint", "live"])
def test_reset_is_refused_beyond_the_sandbox_and_deletes_nothing(ec2, monkeypatch, backend):
    workshop.load_samples(ec2)
    monkeypatch.setattr(workshop, "client_backend", lambda _: backend)
    with pytest.raises(KeyPairError) as refused:
        workshop.reset_sandbox(ec2)
    assert str(refused.value) == ("Reset empties the sandbox only: on an endpoint or live AWS, "
                                  "delete key pairs one by one in the Delete tab.")
    assert sorted(described(ec2)) == sorted(SAMPLE_NAMES)


def test_samples_never_go_to_live_aws(ec2, monkeypatch):
    monkeypatch.setattr(workshop, "client_backend", lambda _: "live")
    with pytest.raises(KeyPairError, match="never for your AWS account"):
        workshop.load_samples(ec2)
    assert described(ec2) == {}


def test_the_app_loads_samples_refuses_a_taken_name_and_resets(ec2, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the app saves to keys/sandbox, as under make demo
    app = WorkshopApp()
    assert "kp-large" in app._dom_classes and app.large.value, "large text is the default"
    press(app.samples)
    assert "Loaded alice-laptop, bob-workstation, ci-deploy, prod-bastion." in app.status.value
    assert 'class="kp-fades"' in app.status.value, "what went well folds away (app.css)"
    assert app.manager.list.count.value == "4 key pairs"
    create = app.manager.create
    create.name.value = "ci-deploy"
    assert create.button.disabled and "already exists in this Region" in create.name_problem.value
    create.name.value = "demo"
    press(create.button)
    assert "Created <b>demo</b>" in create.result.value
    press(app.reset)
    assert "Sandbox reset: 5 key pairs deleted." in app.status.value
    assert app.manager.list.count.value == "0 key pairs" and create.result.value == ""
    assert list((tmp_path / "keys" / "sandbox").iterdir()) == [], "a key file outlived reset"
    assert not app.reset.disabled and not app.samples.disabled


def test_a_reset_closes_the_delete_question_it_made_stale(ec2, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = WorkshopApp()
    press(app.samples)
    delete = app.manager.delete
    app.manager.tabs.selected_index = 3
    delete.select.value = ("ci-deploy",)
    press(delete.button)
    assert delete.confirm_box.layout.display == "flex"
    press(app.reset)
    assert delete.confirm_box.layout.display == "none" and delete.pending is None
    assert delete.select.options == () and delete.button.disabled


def test_the_large_text_switch_adds_and_removes_the_style_and_says_which_it_is(ec2):
    app = WorkshopApp()
    assert app.large.description == "☑ Large text"
    app.large.value = False
    assert "kp-large" not in app._dom_classes
    assert app.large.description == "☐ Large text"
    assert "Large text off: the normal size, for your own screen." in app.status.value
    app.large.value = True
    assert "kp-large" in app._dom_classes
    assert app.large.description == "☑ Large text"
    assert "Large text on: for the room, 18 px and more." in app.status.value


@pytest.mark.parametrize(("backend", "reset_shown", "samples_shown"),
                         [("sandbox", True, True), ("endpoint", False, True),
                          ("live", False, False)])
def test_the_controls_shown_match_the_backend(ec2, monkeypatch, backend, reset_shown,
                                              samples_shown):
    monkeypatch.setattr(app_module, "client_backend", lambda _: backend)
    app = WorkshopApp()
    assert (app.reset.layout.display != "none") is reset_shown
    assert (app.samples.layout.display != "none") is samples_shown


def test_a_failed_action_says_why_and_leaves_the_buttons_on(ec2, monkeypatch):
    app = WorkshopApp()

    def fail(_):
        raise KeyPairError("The endpoint did not answer: start it again.")

    monkeypatch.setattr(workshop, "load_samples", fail)
    press(app.samples)
    assert "The endpoint did not answer: start it again." in app.status.value
    assert "kp-fades" not in app.status.value, "an error stays until the next action"
    assert app.samples.description == "Load sample key pairs" and not app.samples.disabled
