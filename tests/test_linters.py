"""The templates and policies in recipes/ pass the linters teams run on theirs: cfn-lint on every
CloudFormation template (CDK's synthesized one too), parliament on every IAM policy; and each
linter still finds the mistake a learner makes most."""

from __future__ import annotations

import importlib.resources
import json
import sys
import types
from pathlib import Path

import pytest

RECIPES = Path(__file__).resolve().parents[1] / "recipes"
TEMPLATES = sorted([*RECIPES.glob("templates/*.yaml"), *RECIPES.glob("cdk/*.template.json")])
POLICIES = sorted(p for p in RECIPES.glob("iam/*.json") if not p.name.endswith(".aws-answers.json"))


def cfn_lint(template: str) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    return [str(match) for match in lint(template, config=ManualArgs(regions=["us-east-1"]))]


def parliament_findings(policy: str) -> list[str]:
    if "pkg_resources" not in sys.modules:  # parliament 1.6.4 imports it; setuptools 82 has none
        try:
            import pkg_resources  # noqa: F401
        except ModuleNotFoundError:  # it only calls resource_filename
            sys.modules["pkg_resources"] = types.SimpleNamespace(
                resource_filename=lambda package, name: str(
                    importlib.resources.files(package) / name))
    from parliament import analyze_policy_string

    return [f"{finding.issue}: {finding.detail}"
            for finding in analyze_policy_string(policy).findings]


def test_there_are_templates_and_policies_to_lint():
    assert {p.name for p in TEMPLATES} == {"key-pair.yaml", "imported-key-pair.yaml",
                                           "retained-key-pair.yaml",
                                           "key-pair-stack.template.json"}
    assert {p.name for p in POLICIES} == {"least-privilege.json", "ed25519-team-keys.json"}


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_passes_every_template(path):
    assert cfn_lint(path.read_text()) == []


def test_cfn_lint_finds_a_key_type_cloudformation_refuses():
    template = ("Resources:\n  Key:\n    Type: AWS::EC2::KeyPair\n    Properties:\n"
                "      KeyName: k\n      KeyType: dsa\n")
    assert any("'dsa' is not one of ['rsa', 'ed25519']" in found for found in cfn_lint(template))


@pytest.mark.parametrize("path", POLICIES, ids=lambda p: p.name)
def test_parliament_reports_nothing_on_every_policy(path):
    assert parliament_findings(path.read_text()) == []


def test_parliament_finds_a_condition_key_the_action_does_not_have():
    """ec2:KeyPairName is a DeleteKeyPair key, not a CreateKeyPair one (the Service
    Authorization Reference): on AWS, such an Allow never allows."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "ec2:CreateKeyPair",
        "Resource": "arn:aws:ec2:*:*:key-pair/*",
        "Condition": {"StringLike": {"ec2:KeyPairName": "team-*"}}}]}
    assert [found.split(":")[0] for found in parliament_findings(json.dumps(policy))] == [
        "UNKNOWN_CONDITION_FOR_ACTION"]
