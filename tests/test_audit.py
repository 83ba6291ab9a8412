"""The audit across Regions: one inventory, what uses each key pair, findings, failures as rows."""

from __future__ import annotations

import re
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from helpers import audit
from helpers.backend import regional_client
from helpers.rules import key_blob, shows_private_key
from helpers.tables import COLUMNS

REGIONS = ["ap-south-1", "eu-west-1", "us-east-1"]
POLICY = "recipes/iam/least-privilege.json"  # the sentence names it: it must exist (test_errors)


def public_key() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)


def client(region: str):
    """The audit's own client for region: made once a test, not once a call (45 ms each)."""
    return regional_client(region)


def tagged(owner: str) -> list[dict]:
    return [{"ResourceType": "key-pair", "Tags": [{"Key": "Owner", "Value": owner}]}]


@pytest.fixture
def estate(ec2):
    """alice's one public key in three Regions (one used by a launch template), a CI key pair
    with no owner used by a running instance, and one used only by a terminated instance."""
    key = public_key()
    for region in REGIONS:
        client(region).import_key_pair(KeyName="alice", PublicKeyMaterial=key,
                                       TagSpecifications=tagged("alice"))
    ireland = client("eu-west-1")
    ireland.create_key_pair(KeyName="ci", KeyType="ed25519")  # an RSA key takes 75 ms to make
    ireland.create_key_pair(KeyName="gone", KeyType="ed25519", TagSpecifications=tagged("bob"))
    image = "ami-12345678"  # the sandbox launches any image id (describing its AMIs takes 2 s)
    ireland.run_instances(ImageId=image, MinCount=1, MaxCount=1, KeyName="ci")
    old = ireland.run_instances(ImageId=image, MinCount=1, MaxCount=1, KeyName="gone")
    ireland.terminate_instances(InstanceIds=[old["Instances"][0]["InstanceId"]])
    ireland.create_launch_template(LaunchTemplateName="web",
                                   LaunchTemplateData={"KeyName": "alice"})
    return ec2


def refusing(region: str, code: str = "AuthFailure", call: str = ""):
    """regional_clients whose client for region answers every call (or only call) with code, as
    an opt-in Region you have not enabled, or a policy that denies it, does."""
    real = audit.regional_clients

    def clients(regions):
        made = real(regions)
        if region in made:
            def refuse(**kwargs):
                raise ClientError({"Error": {"Code": code, "Message": "Not for you"}},
                                  kwargs["model"].name)
            made[region] = boto3.client("ec2", region_name=region)  # the audit's are kept
            event = f"before-call.ec2.{call}" if call else "before-call.ec2"
            made[region].meta.events.register(event, refuse)
        return made

    return clients


def test_enabled_regions_are_the_ones_the_account_can_use(ec2):
    regions = audit.enabled_regions(ec2)
    assert regions == sorted(regions) and len(regions) == 17 and "eu-west-1" in regions
    assert "ap-east-1" not in regions, "an opt-in Region the account has not enabled"


def test_the_inventory_holds_every_key_pair_of_every_region_with_its_region(estate):
    keys = audit.inventory(estate, REGIONS, progress=False)
    assert keys[["Region", "KeyName"]].values.tolist() == [
        ["ap-south-1", "alice"], ["eu-west-1", "alice"], ["eu-west-1", "ci"],
        ["eu-west-1", "gone"], ["us-east-1", "alice"]]
    assert keys["Error"].isna().all() and keys["PublicKey"].str.startswith("ssh-").all()
    assert not shows_private_key(keys.to_string())
    assert keys.attrs["asked"] == REGIONS
    assert keys.index.tolist() == list(range(5)), "numbered as one table (its index not shown)"
    assert ">0<" not in keys._repr_html_()


def test_by_default_the_inventory_asks_every_enabled_region_with_a_progress_bar(estate, capsys):
    keys = audit.inventory(estate)
    bar = capsys.readouterr().err
    regions = audit.enabled_regions(estate)
    assert re.search(rf"(^|\r)Key pairs: +\d+%\|[^|]+\| \d+/{len(regions)} "
                     r"\[[^]]*(Region/s|s/Region)\]", bar), bar  # so many of so many Regions
    assert bar.endswith("\r"), "the bar is cleared once done (tqdm's leave=False)"
    assert keys.attrs["asked"] == regions
    assert sorted(keys["Region"].unique()) == REGIONS


def test_an_audit_of_no_regions_is_an_empty_table_with_every_column(ec2):
    keys = audit.inventory(ec2, [], progress=False)
    assert keys.empty and keys.columns.tolist() == ["Region", *COLUMNS, "PublicKey", "Error"]
    assert str(keys["CreateTime"].dtype) == "datetime64[ns, UTC]", "as when there are rows"
    assert keys.attrs["asked"] == []


def test_a_region_that_fails_is_a_row_saying_why_and_the_others_still_come(estate, monkeypatch):
    monkeypatch.setattr(audit, "regional_clients", refusing("ap-south-1"))
    keys = audit.inventory(estate, REGIONS, progress=False)
    failed = keys[keys["Error"].notna()]
    assert failed["Region"].tolist() == ["ap-south-1"]
    assert failed["Error"].iloc[0] == (
        "AWS rejected your credentials, or the Region is not enabled for your account: check "
        "them (aws sts get-caller-identity), or enable the Region (an opt-in Region).")
    assert sorted(keys.dropna(subset=["KeyName"])["Region"].unique()) == REGIONS[1:]


def test_usage_names_instances_not_terminated_and_launch_templates(estate):
    used = audit.usage(estate, REGIONS, progress=False)
    rows = used[["Region", "KeyName"]].values.tolist()
    assert ["eu-west-1", "ci"] in rows and ["eu-west-1", "alice"] in rows
    assert ["eu-west-1", "gone"] not in rows, "a terminated instance uses no key pair"
    assert audit.usage(estate, ["us-east-1"], progress=False).empty, "only the Regions given"
    by = dict(zip(used["KeyName"], used["UsedBy"], strict=True))
    assert by["alice"] == "launch template web v1"
    assert by["ci"].startswith("instance i-") and by["ci"].endswith(" (running)")


def test_usage_counts_a_launch_templates_latest_and_default_versions_once_each(estate, capsys):
    ireland = client("eu-west-1")
    ireland.create_launch_template(LaunchTemplateName="keyless",
                                   LaunchTemplateData={"InstanceType": "t3.micro"})
    made = ireland.create_launch_template(LaunchTemplateName="batch",
                                          LaunchTemplateData={"KeyName": "gone"})
    batch = made["LaunchTemplate"]["LaunchTemplateId"]
    for key in ("alice", "ci"):  # v2 becomes the default, v3 the latest; v1 is neither
        ireland.create_launch_template_version(LaunchTemplateId=batch,
                                               LaunchTemplateData={"KeyName": key})
    ireland.modify_launch_template(LaunchTemplateId=batch, DefaultVersion="2")
    used = audit.usage(estate)  # every enabled Region, with a progress bar
    assert re.search(r"(^|\r)Usage: ", capsys.readouterr().err)
    rows = used.loc[used["UsedBy"].str.startswith("launch template"), ["KeyName", "UsedBy"]]
    assert sorted(rows.values.tolist()) == [["alice", "launch template batch v2"],
                                            ["alice", "launch template web v1"],
                                            ["ci", "launch template batch v3"]]


def test_findings_flag_unused_old_ownerless_and_the_same_key_in_several_regions(estate):
    keys = audit.inventory(estate, REGIONS, progress=False)
    later = keys["CreateTime"].max() + timedelta(days=100)
    found = audit.findings(keys, audit.usage(estate, REGIONS, progress=False), now=later)
    row = found.set_index(["Region", "KeyName"])
    assert row.loc[("eu-west-1", "alice"), "Unused"] == False  # noqa: E712 (numpy bool)
    assert row.loc[("us-east-1", "alice"), "Unused"] and row.loc[("eu-west-1", "gone"), "Unused"]
    assert row.loc[("eu-west-1", "ci"), "NoOwner"] and not row.loc[("eu-west-1", "gone"), "NoOwner"]
    assert found["Old"].all() and (found["AgeDays"] >= 100).all()
    assert row.loc[("us-east-1", "alice"), "SameKeyIn"] == "ap-south-1, eu-west-1"
    assert row.loc[("eu-west-1", "ci"), "SameKeyIn"] == ""
    assert audit.report(keys, found).splitlines() == [
        "5 key pairs in 3 Regions (3 asked).",
        "Unused (no instance or launch template names them): 3.",
        "Older than 90 days: 5.",
        "Without an Owner tag: 1.",
        "Imported into several Regions: 1 key name(s), 3 key pairs."]


def test_the_same_key_is_found_by_its_public_key_not_its_fingerprint(ec2):
    """An RSA key pair EC2 made has a SHA-1 fingerprint; its public half imported elsewhere has
    an MD5 one. Only the public key shows they are one key."""
    made = client("us-east-1").create_key_pair(KeyName="build")
    line = client("us-east-1").describe_key_pairs(
        KeyNames=["build"], IncludePublicKey=True)["KeyPairs"][0]["PublicKey"]
    client("eu-west-1").import_key_pair(KeyName="build", PublicKeyMaterial=line.encode())
    keys = audit.inventory(ec2, ["eu-west-1", "us-east-1"], progress=False)
    found = audit.findings(keys, audit.usage(ec2, ["eu-west-1", "us-east-1"], progress=False))
    assert found["SameKeyIn"].tolist() == ["us-east-1", "eu-west-1"]
    assert made["KeyFingerprint"] not in found.loc[found["Region"] == "eu-west-1",
                                                   "KeyFingerprint"].tolist()


def test_the_same_key_under_another_comment_is_the_same_key(ec2):
    key = public_key()
    client("eu-west-1").import_key_pair(KeyName="alice-laptop",
                                        PublicKeyMaterial=key + b" alice@laptop")
    client("us-east-1").import_key_pair(KeyName="alice-desk",
                                        PublicKeyMaterial=key + b" alice@desk")
    regions = ["eu-west-1", "us-east-1"]
    keys = audit.inventory(ec2, regions, progress=False)
    assert keys["PublicKey"].tolist() == [f"{key.decode()} alice-laptop",
                                          f"{key.decode()} alice-desk"], "named as AWS names them"
    found = audit.findings(keys, audit.usage(ec2, regions, progress=False))
    assert found["SameKeyIn"].tolist() == ["us-east-1", "eu-west-1"]


def test_where_usage_could_not_be_asked_nothing_is_called_unused(estate, monkeypatch):
    keys = audit.inventory(estate, REGIONS, progress=False)
    monkeypatch.setattr(audit, "regional_clients", refusing("us-east-1", "UnauthorizedOperation"))
    used = audit.usage(estate, REGIONS, progress=False)
    assert used.loc[used["Error"].notna(), "Region"].tolist() == ["us-east-1"]
    assert used.loc[used["Error"].notna(), "Error"].tolist() == [
        "Your AWS identity may not call DescribeInstances: ask an administrator to allow "
        f"ec2:DescribeInstances for you ({POLICY} holds all this tutorial calls), or use the "
        "sandbox."]
    found = audit.findings(keys, used).set_index(["Region", "KeyName"])
    assert not found.loc[("us-east-1", "alice"), "Unused"]


def test_a_region_that_could_not_be_asked_is_left_out_of_the_findings_and_named_in_the_report(
        estate, monkeypatch):
    monkeypatch.setattr(audit, "regional_clients", refusing("ap-south-1"))
    keys = audit.inventory(estate, REGIONS, progress=False)
    found = audit.findings(keys, audit.usage(estate, REGIONS, progress=False))
    assert sorted(found["Region"].unique()) == REGIONS[1:] and "Error" not in found
    assert found["KeyName"].notna().all()
    assert audit.report(keys, found).splitlines()[-1] == (
        "ap-south-1 could not be asked: AWS rejected your credentials, or the Region is not "
        "enabled for your account: check them (aws sts get-caller-identity), or enable the "
        "Region (an opt-in Region).")


def test_old_means_more_than_the_days_given(estate):
    keys = audit.inventory(estate, REGIONS, progress=False)
    used = audit.usage(estate, REGIONS, progress=False)
    newest = keys["CreateTime"].max()
    for days, old in ((90, False), (91, True)):
        found = audit.findings(keys, used, now=newest + timedelta(days=days, hours=1))
        assert found.loc[found["CreateTime"] == newest, "Old"].tolist() == [old] * (
            (keys["CreateTime"] == newest).sum()), days
    assert audit.findings(keys, used, older_than_days=200,
                          now=newest + timedelta(days=150))["Old"].sum() == 0


def test_a_key_pair_used_twice_names_both_users(estate):
    ireland = client("eu-west-1")
    ireland.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, KeyName="alice")
    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    (used_by,) = found.loc[(found["Region"] == "eu-west-1") & (found["KeyName"] == "alice"),
                           "UsedBy"]
    assert re.fullmatch(r"instance i-\w+ \(running\), launch template web v1", used_by)


def test_a_key_pair_whose_public_key_aws_did_not_give_is_the_same_as_no_other(estate):
    keys = audit.inventory(estate, REGIONS, progress=False)
    keys.loc[keys["KeyName"] == "ci", "PublicKey"] = None
    found = audit.findings(keys, audit.usage(estate, REGIONS, progress=False))
    assert found.loc[found["KeyName"] == "ci", "SameKeyIn"].tolist() == [""]


def test_an_owner_tag_is_matched_as_written_not_as_a_pattern(ec2):
    client("eu-west-1").create_key_pair(KeyName="k", TagSpecifications=[{
        "ResourceType": "key-pair", "Tags": [{"Key": "teamXowner", "Value": "bob"}]}])
    keys = audit.inventory(ec2, ["eu-west-1"], progress=False)
    used = audit.usage(ec2, ["eu-west-1"], progress=False)
    assert audit.findings(keys, used, owner_tag="team.owner")["NoOwner"].tolist() == [True]
    assert audit.findings(keys, used, owner_tag="teamXowner")["NoOwner"].tolist() == [False]


def test_ensure_imports_where_missing_does_nothing_where_present_and_refuses_another_key(ec2):
    from helpers.audit_actions import KEEPS_OLD_KEY, ensure_key_pair

    key, other = public_key(), public_key()
    client("eu-west-1").import_key_pair(KeyName="deploy", PublicKeyMaterial=other)
    first = ensure_key_pair("deploy", key, REGIONS, progress=False)
    assert dict(zip(first["Region"], first["Result"], strict=True)) == {
        "ap-south-1": "imported",
        "eu-west-1": "refused: this name holds a different public key; pass replace=True to "
                     f"replace it ({KEEPS_OLD_KEY})",
        "us-east-1": "imported"}
    again = ensure_key_pair("deploy", key, ["ap-south-1", "us-east-1"], progress=False)
    assert set(again["Result"]) == {"already there, same public key: nothing to do"}
    replaced = ensure_key_pair("deploy", key, ["eu-west-1"], replace=True, progress=False)
    assert replaced["Result"].tolist() == [f"replaced ({KEEPS_OLD_KEY})"]
    keys = audit.inventory(ec2, REGIONS, progress=False)
    assert keys["PublicKey"].map(key_blob).nunique() == 1, "one key everywhere"


def test_ensure_in_a_dry_run_says_what_it_would_do_and_changes_nothing(ec2):
    from helpers.audit_actions import KEEPS_OLD_KEY, ensure_key_pair

    key = public_key()
    client("eu-west-1").import_key_pair(KeyName="deploy", PublicKeyMaterial=public_key())
    client("us-east-1").import_key_pair(KeyName="deploy", PublicKeyMaterial=key)
    before = audit.inventory(ec2, REGIONS, progress=False)
    for replace, eu_west_1 in ((False, "refused: this name holds a different public key; pass "
                                       f"replace=True to replace it ({KEEPS_OLD_KEY})"),
                               (True, "would be replaced (dry run: nothing changed)")):
        plan = ensure_key_pair("deploy", key, REGIONS, replace=replace, dry_run=True,
                               progress=False)
        assert plan["Result"].tolist() == [
            "would be imported (dry run: nothing changed)", eu_west_1,
            "already there, same public key: nothing to do"]
    after = audit.inventory(ec2, REGIONS, progress=False)
    assert after["KeyPairId"].tolist() == before["KeyPairId"].tolist() and len(after) == 2


def test_ensure_says_why_a_region_failed_and_names_the_key_in_every_row(ec2, monkeypatch):
    from helpers.audit_actions import ensure_key_pair

    monkeypatch.setattr(audit, "regional_clients", refusing("ap-south-1"))
    done = ensure_key_pair("deploy", public_key(), REGIONS, progress=False)
    assert done.columns.tolist() == ["Region", "KeyName", "Result"]
    assert done.values.tolist() == [
        ["ap-south-1", "deploy",
         "AWS rejected your credentials, or the Region is not enabled for your account: check "
         "them (aws sts get-caller-identity), or enable the Region (an opt-in Region)."],
        ["eu-west-1", "deploy", "imported"], ["us-east-1", "deploy", "imported"]]


@pytest.mark.parametrize("arguments, sentence", [
    ({"replace": "yes"}, "replace='yes' is not True or False: pass replace=True, or leave it out "
                         "for replace=False."),
    ({"regions": 42}, "regions=42: give a list of str, e.g. regions=['eu-west-1']."),
    ({"dry_run": "yes"}, "dry_run='yes' is not True or False: pass dry_run=True, or leave it out "
                         "for dry_run=False."),
])
def test_ensure_names_a_bad_argument_and_sends_nothing(ec2, arguments, sentence):
    from helpers.audit_actions import ensure_key_pair
    from helpers.errors import KeyPairError

    with pytest.raises(KeyPairError) as refused:
        ensure_key_pair("deploy", public_key(), **{"regions": REGIONS, **arguments})
    assert str(refused.value) == sentence
    assert audit.inventory(ec2, REGIONS, progress=False)["KeyName"].isna().all()


def test_ensure_and_clean_up_show_a_progress_bar_unless_told_not_to(estate, capsys):
    from helpers.audit_actions import clean_up, ensure_key_pair

    ensure_key_pair("deploy", public_key(), REGIONS)
    assert "Ensure deploy:" in capsys.readouterr().err
    ensure_key_pair("deploy", public_key(), REGIONS, replace=True, progress=False)
    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    assert capsys.readouterr().err == ""
    clean_up(found, "Owner=alice", delete=True)
    assert "Clean-up:" in capsys.readouterr().err
    clean_up(found, "Owner=alice", delete=True, progress=False)  # deleting again changes nothing
    assert capsys.readouterr().err == ""


def test_ensure_refuses_a_private_key_and_sends_nothing(ec2):
    from helpers.audit_actions import ensure_key_pair
    from helpers.errors import KeyPairError

    private = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption())
    with pytest.raises(KeyPairError, match="That is a private key"):
        ensure_key_pair("deploy", private, REGIONS, progress=False)
    assert audit.inventory(ec2, REGIONS, progress=False)["KeyName"].isna().all()


def test_clean_up_shows_its_plan_then_deletes_only_unused_key_pairs_with_the_tag(estate):
    from helpers.audit_actions import clean_up

    keys = audit.inventory(estate, REGIONS, progress=False)
    found = audit.findings(keys, audit.usage(estate, REGIONS, progress=False))
    plan = clean_up(found, "Owner=alice")
    assert plan.columns.tolist() == ["Region", "KeyName", "KeyPairId", "Tags", "Result"]
    assert plan[["Region", "KeyName"]].values.tolist() == [["ap-south-1", "alice"],
                                                            ["us-east-1", "alice"]]
    assert set(plan["Result"]) == {"would be deleted (pass delete=True)"}
    assert len(audit.inventory(estate, REGIONS, progress=False)) == 5, "a plan deletes nothing"
    done = clean_up(found, "Owner=alice", delete=True, progress=False)
    assert done["Result"].tolist() == ["deleted", "deleted"]
    left = audit.inventory(estate, REGIONS, progress=False)
    assert left[["Region", "KeyName"]].values.tolist() == [
        ["eu-west-1", "alice"], ["eu-west-1", "ci"], ["eu-west-1", "gone"]]


def test_clean_up_finds_a_tag_among_several(estate):
    from helpers.audit_actions import clean_up

    client("ap-south-1").create_key_pair(KeyName="build", TagSpecifications=[{
        "ResourceType": "key-pair", "Tags": [{"Key": "Owner", "Value": "carol"},
                                             {"Key": "Team", "Value": "ops"}]}])
    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    for tag in ("Owner=carol", "Team=ops"):
        assert clean_up(found, tag)[["Region", "KeyName"]].values.tolist() == [
            ["ap-south-1", "build"]], tag


def test_a_delete_that_fails_is_a_row_saying_why_and_the_others_still_go(estate, monkeypatch):
    from helpers.audit_actions import clean_up

    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    monkeypatch.setattr(audit, "regional_clients",
                        refusing("us-east-1", "UnauthorizedOperation", "DeleteKeyPair"))
    done = clean_up(found, "Owner=alice", delete=True, progress=False)
    assert done[["Region", "Result"]].values.tolist() == [
        ["ap-south-1", "deleted"],
        ["us-east-1", "Your AWS identity may not call DeleteKeyPair: ask an administrator "
                      f"to allow ec2:DeleteKeyPair for you ({POLICY} holds all this tutorial "
                      "calls), or use the sandbox."]]
    monkeypatch.undo()
    left = audit.inventory(estate, REGIONS, progress=False)
    assert sorted(left.loc[left["KeyName"] == "alice", "Region"]) == ["eu-west-1", "us-east-1"]


def test_clean_up_deletes_only_when_told_so_in_a_bool(estate):
    from helpers.audit_actions import clean_up
    from helpers.errors import KeyPairError

    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    with pytest.raises(KeyPairError) as refused:
        clean_up(found, "Owner=alice", delete="yes")
    assert str(refused.value) == ("delete='yes' is not True or False: pass delete=True, or leave "
                                  "it out for delete=False.")
    assert len(audit.inventory(estate, REGIONS, progress=False)) == 5, "nothing deleted"


def test_a_region_where_the_clean_up_cannot_look_is_a_row_saying_why(estate, monkeypatch):
    from helpers.audit_actions import clean_up

    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    monkeypatch.setattr(audit, "regional_clients", refusing("us-east-1", "UnauthorizedOperation"))
    done = clean_up(found, "Owner=alice", delete=True, progress=False)
    assert done[["Region", "Result"]].values.tolist() == [
        ["ap-south-1", "deleted"],
        ["us-east-1", "Your AWS identity may not call DescribeKeyPairs: ask an administrator "
                      f"to allow ec2:DescribeKeyPairs for you ({POLICY} holds all this tutorial "
                      "calls), or use the sandbox."]]


def test_clean_up_keeps_a_key_pair_made_again_under_its_name_since_the_audit(estate):
    from helpers.audit_actions import clean_up

    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    client("ap-south-1").delete_key_pair(KeyName="alice")  # rotated: a new key, the same name
    made = client("ap-south-1").import_key_pair(KeyName="alice", PublicKeyMaterial=public_key())
    client("us-east-1").delete_key_pair(KeyName="alice")  # and here, gone since the audit
    done = clean_up(found, "Owner=alice", delete=True, progress=False)
    assert done[["Region", "Result"]].values.tolist() == [
        ["ap-south-1", f"kept: alice is now another key pair ({made['KeyPairId']}), made since "
                       "the audit; audit again"],
        ["us-east-1", "already gone"]]
    assert client("ap-south-1").describe_key_pairs()["KeyPairs"][0]["KeyPairId"] == (
        made["KeyPairId"])


@pytest.mark.parametrize("found, tag, sentence", [
    (None, "Owner=alice", "found=None is not a table: pass found=audit.findings(keys, used)."),
    ("table", None, "tag=None: give the tag the key pairs to clean up carry, as 'Key=Value', "
                    "e.g. tag='Project=demo'."),
])
def test_clean_up_says_what_it_needs_in_a_sentence(estate, found, tag, sentence):
    from helpers.audit_actions import clean_up
    from helpers.errors import KeyPairError

    if found == "table":
        found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                               audit.usage(estate, REGIONS, progress=False))
    with pytest.raises(KeyPairError) as refused:
        clean_up(found, tag, delete=True)
    assert str(refused.value) == sentence
    assert len(audit.inventory(estate, REGIONS, progress=False)) == 5, "nothing deleted"


@pytest.mark.parametrize("tag", ["Owner", "=alice", "", "=Owner=alice"])
def test_clean_up_needs_a_whole_tag(estate, tag):
    from helpers.audit_actions import clean_up
    from helpers.errors import KeyPairError

    found = audit.findings(audit.inventory(estate, REGIONS, progress=False),
                           audit.usage(estate, REGIONS, progress=False))
    with pytest.raises(KeyPairError) as refused:
        clean_up(found, tag)
    assert str(refused.value) == (f"tag={tag!r}: give the tag the key pairs to clean up carry, "
                                  "as 'Key=Value', e.g. tag='Project=demo'.")


def test_the_audit_keeps_its_clients_until_the_backend_changes(ec2, monkeypatch, capsys):
    """Made once (about 45 ms each), so a second audit is as quick as its calls; but an audit
    after a switch to an endpoint talks to the endpoint, never to the sandbox's clients."""
    first = audit.regional_clients(REGIONS)
    assert audit.regional_clients(REGIONS) == first, "the next audit makes its clients again"
    monkeypatch.setenv("AWS_ENDPOINT_URL_EC2", "http://127.0.0.1:9")
    endpoint = audit.regional_clients(REGIONS)
    assert {c.meta.endpoint_url for c in endpoint.values()} == {"http://127.0.0.1:9"}
    monkeypatch.delenv("AWS_ENDPOINT_URL_EC2")
    assert audit.regional_clients(REGIONS) == first
    from helpers import ec2_client

    ec2_client()  # the one way to choose a backend: the audit's clients start afresh
    capsys.readouterr()
    assert not set(audit.regional_clients(REGIONS).values()) & set(first.values())


def test_a_key_pair_used_only_by_a_stopped_instance_is_used_and_kept(ec2):
    """A stopped instance still holds its key pair (it may be started again tomorrow): the
    audit names it as the user, and a clean-up with delete=True keeps the key pair."""
    from helpers.audit_actions import clean_up

    ireland = client("eu-west-1")
    ireland.create_key_pair(KeyName="weekend", KeyType="ed25519", TagSpecifications=tagged("bob"))
    instance = ireland.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1,
                                     KeyName="weekend")["Instances"][0]["InstanceId"]
    ireland.stop_instances(InstanceIds=[instance])
    assert ireland.describe_instances(InstanceIds=[instance])["Reservations"][0]["Instances"][0][
        "State"]["Name"] == "stopped"
    found = audit.findings(audit.inventory(ec2, ["eu-west-1"], progress=False),
                           audit.usage(ec2, ["eu-west-1"], progress=False))
    row = found.set_index("KeyName").loc["weekend"]
    assert row["UsedBy"] == f"instance {instance} (stopped)" and not row["Unused"]
    assert clean_up(found, "Owner=bob", delete=True, progress=False).empty
    assert [k["KeyName"] for k in ireland.describe_key_pairs()["KeyPairs"]] == ["weekend"]
