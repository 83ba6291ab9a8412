"""What a lesson's first and last cell need: `ec2 = lesson.start()` and `lesson.clean_up()`.

start() gives the lesson's EC2 client on a fresh start, and from then on notes what the lesson
makes with boto3 (key pairs, secrets, instances, launch templates) and the key files it saves.
clean_up() deletes exactly that, and shows a table of what it deleted and what it kept, and why:
a key pair or secret that was there before the lesson (its create was refused) may be yours, and
so may a key file outside keys/sandbox that this lesson did not write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.handlers

from helpers import sandbox
from helpers.backend import client_backend, default_session, ec2_client, regional_client
from helpers.facts import KEY_DIR
from helpers.keyfiles import (
    default_key_dir,
    is_sandbox_key_file,
    key_file_name,
    may_clean_up,
    shown_path,
)
from helpers.rules import key_blob
from helpers.tables import KeyPairsTable

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import KeyPairInfoTypeDef

COLUMNS = ["What", "Name", "Region", "Result", "Why"]
# The calls whose answers say what a lesson made, and what each makes.
MAKERS = {"ec2.CreateKeyPair": "key pair", "ec2.ImportKeyPair": "key pair",
          "ec2.RunInstances": "instance", "ec2.CreateLaunchTemplate": "launch template",
          "ec2.CreateSecurityGroup": "security group", "secrets-manager.CreateSecret": "secret",
          "cloudformation.CreateStack": "stack", "iam.CreateUser": "IAM user"}
# What clean_up deletes first: what uses a key pair or a security group before them.
ORDER = ["stack", "instance", "launch template", "secret", "security group", "IAM user",
         "key pair"]
TAKEN = ("InvalidKeyPair.Duplicate", "ResourceExistsException")  # a name already in use
KNOWN_HOSTS = "known_hosts"  # where a lesson keeps its instances' host keys, beside its keys
YOURS = "it was there before this lesson (its create was refused): it may be yours"


@dataclass
class _Made:
    """What the lesson made since start(), and the names it found taken, by Region."""

    started: datetime
    # what, region, name, id: a dict, as an ordered set (a client made before start() and a
    # session made after both hear a call: it is noted once)
    things: dict[tuple[str, str, str, str], None] = field(default_factory=dict)
    public_keys: dict[tuple[str, str], bytes] = field(default_factory=dict)  # of imports
    files: set[Path] = field(default_factory=set)  # what helpers wrote for it (made_file)
    stack_keys: set[str] = field(default_factory=set)  # its stacks' key pairs: their files go
    taken: list[tuple[str, str, str]] = field(default_factory=list)  # what, region, name


_made: _Made | None = None
_backend = "sandbox"
cleanups = 0  # how many times start() or clean_up() emptied the lesson: an exercise's set-up
# made before the last one is gone


def start(region: str | None = None) -> EC2Client:
    """The lesson's EC2 client (see ec2_client), on an empty sandbox unless another backend was
    chosen; from now on, what this kernel makes is the lesson's, for clean_up()."""
    global _made, _backend, cleanups
    ec2 = ec2_client(region)
    _backend = client_backend(ec2)
    if _backend == "sandbox":  # Run All again in this kernel starts as the first run did
        if _made is not None:
            for path in _key_files(_made):  # the reset empties the sandbox: its key files go too
                if is_sandbox_key_file(path):
                    path.unlink()
            _forget(_made)
        sandbox.reset()
    elif _made is not None and _made.things:  # never deleted unasked, on AWS or an endpoint
        print(f"{len(_made.things)} made since this lesson's first run in this kernel are still "
              "there: lesson.clean_up() deletes them (the key pairs' names are taken till then).")
    cleanups += 1
    if _made is None:  # kept across runs in this kernel: a file written since may go
        _made = _Made(datetime.now(timezone.utc).replace(microsecond=0))
    hooks = [(f"{moment}.{call}", hook) for call in MAKERS for moment, hook in
             (("before-parameter-build", _keep_params), ("after-call", _note))]
    for events in (default_session().events, ec2.meta.events):  # clients made from now on
        for event, hook in hooks:  # a unique_id names one handler of one event
            events.register(event, hook, unique_id=f"{__name__}:{event}")
    for handler in hooks:  # and sessions made from now on (a recipe's boto3.session.Session())
        if handler not in botocore.handlers.BUILTIN_HANDLERS:
            botocore.handlers.BUILTIN_HANDLERS.append(handler)
    return ec2


def made_file(path: Path) -> None:
    """Note a file a helper wrote for this lesson (an exercise's known_hosts): clean_up() deletes
    it with the rest."""
    if _made is not None:
        _made.files.add(path)


def is_live() -> bool:
    """Whether this lesson runs on live AWS (a notebook then builds nothing that costs money)."""
    return _backend == "live"


def made(region: str, name: str, key_pair_id: str) -> bool:
    """Whether this lesson made that key pair (since start(), not yet cleaned up)."""
    return _made is not None and ("key pair", region, name, key_pair_id) in _made.things


def _keep_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["lesson_params"] = dict(params)  # the same context reaches the after-call hook


def _note(parsed: dict[str, Any], model: Any, context: dict[str, Any], event_name: str,
          **_: Any) -> None:
    """Note what a call made, or the name it found taken."""
    if _made is None:
        return
    what = MAKERS[event_name.split(".", 1)[1]]
    region, params = context.get("client_region", ""), context.get("lesson_params", {})
    if "Error" in parsed:
        name = params.get("KeyName") or params.get("Name")
        if parsed["Error"].get("Code") in TAKEN and name:
            _made.taken.append((what, region, name))
    elif what == "key pair":
        _made.things[what, region, parsed["KeyName"], parsed["KeyPairId"]] = None
        if model.name == "ImportKeyPair":
            _made.public_keys[region, parsed["KeyName"]] = params.get("PublicKeyMaterial", b"")
    elif what == "instance":
        _made.things.update(dict.fromkeys((what, region, i["InstanceId"], i["InstanceId"])
                                          for i in parsed["Instances"]))
    elif what == "security group":
        _made.things[what, region, params.get("GroupName", ""), parsed["GroupId"]] = None
    elif what == "stack":
        _made.things[what, region, params.get("StackName", ""), parsed["StackId"]] = None
    elif what == "IAM user":
        _made.things[what, "", parsed["User"]["UserName"], parsed["User"]["UserId"]] = None
    elif what == "launch template":
        template = parsed["LaunchTemplate"]
        _made.things[what, region, template["LaunchTemplateName"],
                     template["LaunchTemplateId"]] = None
    else:
        _made.things[what, region, parsed["Name"], parsed["ARN"]] = None


def clean_up() -> KeyPairsTable:
    """Delete what the lesson made since start(), and only that: its stacks (and the key pairs
    they retained), instances (stopped ones too), launch templates, secrets, security groups, IAM
    users and key pairs, and their key files. A table says what was deleted and what was kept,
    and why."""
    global cleanups
    if _made is None:
        raise RuntimeError("Nothing to clean up: run the lesson's first cell, "
                           "ec2 = lesson.start(), before its other cells.")
    rows = []
    terminated: dict[str, list[str]] = {}  # region -> instances, gone before their groups go
    for what, region, name, made_id in _in_order(_made):
        if what == "security group" and terminated.get(region):
            regional_client(region).get_waiter("instance_terminated").wait(
                InstanceIds=terminated.pop(region))
        if _delete(what, region, name, made_id):
            rows.append([what, name, region, "deleted", "made by this lesson"])
            if what == "instance":
                terminated.setdefault(region, []).append(made_id)
    for path in _key_files(_made):
        what = "host keys" if path.name == KNOWN_HOSTS else "key file"
        if may_clean_up(path, _made.started):
            why = ("its instances are gone" if path.name == KNOWN_HOSTS
                   else "a sandbox key: it opens nothing" if is_sandbox_key_file(path)
                   else "written by this lesson")
            path.unlink()
            rows.append([what, str(shown_path(path)), "", "deleted", why])
        elif path.exists():
            rows.append([what, str(shown_path(path)), "", "kept",
                         "older than this lesson: it may be yours"])
    made = {(what, region, name) for what, region, name, _ in _made.things}
    for what, region, name in dict.fromkeys(_made.taken):
        if (what, region, name) not in made:
            rows.append([what, name, region, "kept", YOURS])
    _forget(_made)
    cleanups += 1
    done = KeyPairsTable(rows, columns=COLUMNS)
    done.attrs["when_empty"] = "Nothing to clean up: this lesson made nothing that is still there."
    return done


def _in_order(made: _Made) -> Iterator[tuple[str, str, str, str]]:
    """What the lesson made, in ORDER: its stacks first, then the rest, including the key pairs
    its stacks kept (noted as their stacks go)."""
    for phase in (ORDER[:1], ORDER[1:]):
        yield from sorted((thing for thing in made.things if thing[0] in phase),
                          key=lambda thing: ORDER.index(thing[0]))


def _forget(made: _Made) -> None:
    made.things.clear()
    made.public_keys.clear()
    made.taken.clear()
    made.files.clear()
    made.stack_keys.clear()


def _delete(what: str, region: str, name: str, made_id: str) -> bool:
    """Delete one thing the lesson made, if it is still there; whether it was."""
    if what == "secret":
        secrets = boto3.client("secretsmanager", region_name=region)
        listed = secrets.list_secrets(Filters=[{"Key": "name", "Values": [name]}])["SecretList"]
        if not any(secret["ARN"] == made_id for secret in listed):
            return False
        secrets.delete_secret(SecretId=made_id, ForceDeleteWithoutRecovery=True)
        return True
    if what == "stack":
        return _delete_stack(region, made_id)
    if what == "IAM user":
        return _delete_user(name, made_id)
    ec2 = regional_client(region)
    if what == "instance":
        reservations = ec2.describe_instances(Filters=[
            {"Name": "instance-id", "Values": [made_id]},
            {"Name": "instance-state-name", "Values": ["pending", "running", "stopping",
                                                       "stopped"]}])["Reservations"]
        if reservations:
            ec2.terminate_instances(InstanceIds=[made_id])
        return bool(reservations)
    if what == "security group":
        groups = ec2.describe_security_groups(Filters=[
            {"Name": "group-id", "Values": [made_id]}])["SecurityGroups"]
        if groups:
            ec2.delete_security_group(GroupId=made_id)
        return bool(groups)
    if what == "launch template":
        templates = ec2.describe_launch_templates(Filters=[
            {"Name": "launch-template-name", "Values": [name]}])["LaunchTemplates"]
        if not any(template["LaunchTemplateId"] == made_id for template in templates):
            return False
        ec2.delete_launch_template(LaunchTemplateId=made_id)
        return True
    # A key pair: by name (some emulators ignore KeyPairId), once it is still the one made here.
    key_pairs = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}])["KeyPairs"]
    if not any(key["KeyName"] == name and key["KeyPairId"] == made_id for key in key_pairs):
        return False
    ec2.delete_key_pair(KeyName=name)
    return True


def _delete_stack(region: str, stack_id: str) -> bool:
    """Delete a stack the lesson made, if it is still there; note its key pairs: their files go
    (an imported one's too, found by the public keys the stack was given), and those it kept
    (DeletionPolicy: Retain) are deleted with the lesson's key pairs."""
    cfn, ec2 = boto3.client("cloudformation", region_name=region), regional_client(region)
    stack = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
    resources = cfn.describe_stack_resources(StackName=stack_id)["StackResources"]
    names = [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::EC2::KeyPair"]
    assert _made is not None
    _made.stack_keys.update(names)
    given = [parameter["ParameterValue"] for parameter in stack.get("Parameters", [])]
    given += [key.get("PublicKey", "") for key in _key_pairs(ec2, names, IncludePublicKey=True)]
    for index, public_key in enumerate(given):
        if key_blob(public_key):
            _made.public_keys[region, f"{stack_id}#{index}"] = public_key.encode()
    there = stack["StackStatus"] != "DELETE_COMPLETE"
    if there:
        cfn.delete_stack(StackName=stack_id)
        cfn.get_waiter("stack_delete_complete").wait(StackName=stack_id)
    ssm = boto3.client("ssm", region_name=region)
    for key in _key_pairs(ec2, names):  # kept
        _made.things["key pair", region, key["KeyName"], key["KeyPairId"]] = None
        parameter = f"/ec2/keypair/{key['KeyPairId']}"  # kept with it, if it was created
        if ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [parameter]}])[
                "Parameters"]:
            ssm.delete_parameter(Name=parameter)
    return there


def _key_pairs(ec2: EC2Client, names: list[str], **options: Any) -> list[KeyPairInfoTypeDef]:
    """The key pairs of these names that exist (none for no names)."""
    return ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": names}],
                                  **options)["KeyPairs"] if names else []


def _delete_user(name: str, user_id: str) -> bool:
    """Delete an IAM user the lesson made (its access keys and policies first)."""
    iam = boto3.client("iam")
    if not any(user["UserId"] == user_id for user in iam.list_users()["Users"]):
        return False
    for key in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    for policy in iam.list_user_policies(UserName=name)["PolicyNames"]:
        iam.delete_user_policy(UserName=name, PolicyName=policy)
    for attached in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
        iam.detach_user_policy(UserName=name, PolicyArn=attached["PolicyArn"])
    iam.delete_user(UserName=name)
    return True


def _key_files(made: _Made) -> list[Path]:
    """The key files of the key pairs the lesson made: saved as save_private_key names them, or,
    for an imported key, a .pub file in keys/ that holds its public key, and its private half;
    and the files helpers wrote for it (an exercise's known_hosts)."""
    names = {name for what, _, name, _ in made.things if what == "key pair"} | made.stack_keys
    files = [default_key_dir() / key_file_name(name, ppk) for name in sorted(names)
             for ppk in (False, True)]
    files += sorted(made.files)
    imported = {key_blob(key) for key in made.public_keys.values()} - {None}
    for public in sorted(KEY_DIR.rglob("*.pub")) if imported and KEY_DIR.is_dir() else []:
        if key_blob(public.read_bytes()) in imported:
            files += [public, public.with_suffix("")]
    return [path for path in dict.fromkeys(files) if path.exists()]
