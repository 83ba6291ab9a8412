"""08's exercises (a stack's key saved, a policy for interns): with no answer, with the mistakes
learners make, with the solution, twice, and after the lesson's clean-up."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from test_exercises import ANSWERS, here, not_yet, solve  # noqa: F401 (here: a fixture)
from test_recipes import recipe

from helpers import default_key_dir, exercises, lesson, save_private_key

DESCRIBE = {"Effect": "Allow", "Action": "ec2:DescribeKeyPairs", "Resource": "*"}
KEY_PAIRS = {"Effect": "Allow",
             "Action": ["ec2:CreateKeyPair", "ec2:ImportKeyPair", "ec2:DeleteKeyPair"],
             "Resource": "arn:aws:ec2:*:*:key-pair/intern-*"}


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.fixture
def tried(here):  # noqa: F811 (the fixture imported above)
    """What a learner has after Run All: the clients, save_private_key, the recipe's function."""
    return {"ec2": here, "cfn": boto3.client("cloudformation"), "ssm": boto3.client("ssm"),
            "exercises": exercises, "save_private_key": save_private_key,
            "default_key_dir": default_key_dir,
            "save_stack_private_key": recipe("08_key_pairs_as_code").save_stack_private_key}


def team_keys(cfn: Any, **properties: Any) -> None:
    cfn.create_stack(StackName="team-keys", TemplateBody=json.dumps({"Resources": {"Deploy": {
        "Type": "AWS::EC2::KeyPair", "Properties": {"KeyName": "team-deploy", **properties}}}}))


def test_a_stack_key_saved_judged_from_no_stack_to_the_solution(tried):
    ec2, cfn = tried["ec2"], tried["cfn"]
    not_yet(exercises.stack_key_saved(ec2), "There is no stack team-keys yet: create it with "
            "cfn.create_stack(StackName=..., TemplateBody=...), a template whose one resource "
            "is an AWS::EC2::KeyPair named team-deploy.")
    team_keys(cfn)  # KeyType left out: RSA
    assert exercises.stack_key_saved(ec2).sentence.startswith(
        "team-deploy is RSA, not ED25519 (the default): delete the stack, set KeyType: ed25519")
    cfn.delete_stack(StackName="team-keys")
    team_keys(cfn, KeyType="dsa")
    assert exercises.stack_key_saved(ec2).sentence.startswith(
        "team-keys is ROLLBACK_COMPLETE: its events say why")
    cfn.delete_stack(StackName="team-keys")
    team_keys(cfn, KeyType="ed25519")
    key_id = ec2.describe_key_pairs()["KeyPairs"][0]["KeyPairId"]
    not_yet(exercises.stack_key_saved(ec2), f"team-deploy's private key is in Parameter Store, "
            f"/ec2/keypair/{key_id}, but not in keys/sandbox/team-deploy.pem: read it with "
            "ssm.get_parameter(Name=..., WithDecryption=True), and save it with "
            "save_private_key({'KeyName': 'team-deploy', 'KeyMaterial': ...}).")
    other = ec2.create_key_pair(KeyName="other", KeyType="ed25519")["KeyMaterial"]
    save_private_key({"KeyName": "team-deploy", "KeyMaterial": other})
    assert exercises.stack_key_saved(ec2).sentence.startswith(
        "keys/sandbox/team-deploy.pem holds another key than team-deploy's")
    (default_key_dir() / "team-deploy.pem").unlink()
    tried["save_stack_private_key"]("team-keys", "Deploy", default_key_dir())
    assert repr(exercises.stack_key_saved(ec2)) == (
        "✔ Done: team-keys made team-deploy, ED25519, and its private key is in "
        "keys/sandbox/team-deploy.pem, mode 600.")


def test_the_stack_solution_is_done_and_the_clean_up_takes_its_key_file(tried):
    solve("08.1", **tried)
    assert exercises.stack_key_saved(tried["ec2"])
    cleaned = lesson.clean_up()
    assert ["keys/sandbox/team-deploy.pem"] == cleaned.loc[
        cleaned["What"] == "key file", "Name"].tolist()
    assert not exercises.stack_key_saved(tried["ec2"])


@pytest.mark.parametrize("answer, sentence", [
    (None, "intern_policy is still None: set it to a policy document"),
    (policy({**KEY_PAIRS, "Resource": "*"}, DESCRIBE),
     "Your policy lets an intern create prod-web too: give the key pair actions the Resource "
     "arn:aws:ec2:*:*:key-pair/intern-*"),
    (policy(KEY_PAIRS), "An intern may not list key pairs: allow ec2:DescribeKeyPairs on '*'"),
    (policy(DESCRIBE, {**KEY_PAIRS, "Action": ["ec2:CreateKeyPair", "ec2:DeleteKeyPair"]}),
     "An intern may not import intern-laptop: allow ec2:ImportKeyPair on "
     "arn:aws:ec2:*:*:key-pair/intern-*."),
    (policy({**DESCRIBE, "Action": "ec2:Describe*"}, KEY_PAIRS),
     "Your policy lets an intern list instances too: allow ec2:DescribeKeyPairs alone"),
    (policy(DESCRIBE, {**KEY_PAIRS, "Resource": "*", "Condition": {
        "StringLike": {"ec2:KeyPairName": "intern-*"}}}),
     "The sandbox cannot judge a Condition: say which key pairs with the Resource instead"),
    ({"Statement": "everything"}, "IAM refuses that policy ("),
    ([DESCRIBE], "intern_policy is a list: make it a dict with Version and Statement"),
])
def test_an_intern_policy_that_allows_too_much_or_too_little_is_not_yet(here, answer, sentence):  # noqa: F811
    verdict = exercises.intern_policy(here, answer)
    assert not verdict and verdict.sentence.startswith(sentence), verdict


def test_the_intern_policy_solution_is_done_twice_and_again_after_the_clean_up(here):  # noqa: F811
    answer = solve("08.2")["intern_policy"]
    for _ in range(2):
        assert repr(exercises.intern_policy(here, answer)) == (
            "✔ Done: an intern may list every key pair, and create, import and delete only "
            "those named intern-*; the sandbox refused the rest.")
    assert here.describe_key_pairs()["KeyPairs"] == [], "asked with DryRun: nothing was made"
    cleaned = lesson.clean_up()
    assert cleaned.loc[cleaned["What"] == "IAM user", "Name"].tolist() == ["exercise-intern"]
    assert exercises.intern_policy(here, json.dumps(answer))  # as JSON text too


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=ANSWERS)
def test_an_intern_policy_check_answers_any_answer_with_a_sentence(here, answer):  # noqa: F811
    verdict = exercises.intern_policy(here, answer)
    assert isinstance(verdict, exercises.Verdict) and verdict.sentence.endswith(".")


def test_the_stack_solution_again_after_a_restart_replaces_the_last_sandboxs_key_file(
        tried, monkeypatch, capsys):
    """Restart and Run All with the answer in: a new sandbox, the old key file still there."""
    solve("08.1", **tried)
    monkeypatch.setattr(lesson, "_made", None)  # a new kernel: no lesson begun yet
    tried["ec2"] = lesson.start()
    capsys.readouterr()
    solve("08.1", **tried)
    assert "which another sandbox left" in capsys.readouterr().out
    assert exercises.stack_key_saved(tried["ec2"])
