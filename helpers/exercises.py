"""The notebooks' "Try it" exercises: set_up() makes what an exercise works on (again, after
the lesson's clean-up), and each check judges the answer against that, in one sentence: what is
done, or what is still missing or wrong.

A check never raises: whatever the learner's cell left, the answer is a sentence."""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pandas as pd

from helpers import lesson, login
from helpers.backend import EC2Client
from helpers.errors import KeyPairError
from helpers.fingerprints import (
    fingerprint_of_private_key,
    fingerprint_of_public_key,
    load_private_key,
)
from helpers.keyfiles import (
    default_key_dir,
    is_sandbox_leftover,
    key_file_name,
    save_private_key,
    shown_path,
)
from helpers.keypairs import create_key_pair, import_key_pair
from helpers.rules import PPK_HEADER, key_blob

TUTORIAL = {"Project": "keypair-tutorial"}
ALICE_PUBLIC_KEY = ("ssh-ed25519 "
                    "AAAAC3NzaC1lZDI1NTE5AAAAIJ6adBSdlreaNKGI3HaqpL8qnmmLfevsNUNAtpAubpNP")
STAGES = {"old-1": "old", "old-2": "old", "old-3": "old", "keep-me": "new"}  # 03, exercise 1
SAVED = "exercise-saved"  # 03, exercise 2: deleted with its private key file
_ready: dict[str, int] = {}  # notebook -> lesson.cleanups when its exercises were set up
_saved_files: set[Path] = set()  # the key files set_up saved: its own to replace


@dataclass(frozen=True)
class Verdict:
    """A check's answer: shown as one line, true when the exercise is done."""

    passed: bool
    sentence: str

    def __repr__(self) -> str:
        return f"{'✔ Done' if self.passed else '✘ Not yet'}: {self.sentence}"

    def __bool__(self) -> bool:
        return self.passed


def _key_pair(ec2: EC2Client, name: str) -> dict[str, Any] | None:
    """The key pair named name, with its public key, or None (asked without an error)."""
    found = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}],
                                   IncludePublicKey=True)["KeyPairs"]
    return found[0] if found else None


def _tags(key_pair: dict[str, Any]) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in key_pair.get("Tags", [])}


def _names(answer: Any, what: str) -> set[str] | Verdict:
    """The learner's list of key names, or the Verdict saying why it is not one."""
    if answer is None:
        return Verdict(False, f"{what} is still None: set it to a list of key names.")
    names = list(answer) if isinstance(answer, Iterable) and not isinstance(
        answer, (str, bytes, dict)) else None  # a generator is read once, here
    if names is None or not all(isinstance(name, str) for name in names):
        return Verdict(False, f"{what} should be a list of key names (text), such as "
                              "[key['KeyName'] for key in response['KeyPairs']].")
    return set(names)


def _compare(answer: set[str], truth: set[str], what: str, rule: str, hint: str) -> Verdict:
    """Whether the learner's names are exactly the key pairs that rule ('tagged Team=ops')
    describes; if not, which are wrong and the hint."""
    extra, missing = sorted(answer - truth), sorted(truth - answer)
    if extra:
        return Verdict(False, f"{what} should hold only the key pairs {rule}, not "
                              f"{', '.join(extra)}: {hint}.")
    if missing:
        return Verdict(False, f"{what} misses {', '.join(missing)}, {rule}: {hint}.")
    return Verdict(True, f"{what} holds exactly the key pairs {rule}.")


# What the exercises work on

def set_up(ec2: EC2Client, notebook: str) -> None:
    """Make what notebook's exercises work on ('01', '03' or '07'), again if the lesson's
    clean-up deleted it: what this lesson made of it before is replaced; a key pair of the same
    name that it did not make (yours?) is left, and stops it with a sentence."""
    makers = {"01": _set_up_01, "03": _set_up_03, "07": _set_up_07}
    if notebook not in makers:
        raise KeyPairError(f"Notebook {notebook!r} has no exercises to set up: "
                           f"{' or '.join(map(repr, makers))}.")
    print(f"Ready for the exercises: {makers[notebook](ec2)}.")
    _ready[notebook] = lesson.cleanups


def _not_set_up(notebook: str) -> Verdict | None:
    """The Verdict when notebook's exercises were not set up since the lesson last started or
    cleaned up (their key pairs are gone), else None."""
    if _ready.get(notebook) == lesson.cleanups:
        return None
    return Verdict(False, "First run the cell under Try it that sets the exercises up "
                          f"(exercises.set_up(ec2, '{notebook}')): the clean-up at the end of "
                          "the notebook deleted what they work on. Then your answer again.")


def _replace(ec2: EC2Client, names: list[str]) -> None:
    """Delete the key pairs of these names that this lesson made; refuse any other."""
    found = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": names}])["KeyPairs"]
    region = ec2.meta.region_name
    theirs = [key["KeyName"] for key in found if key["KeyName"] in names
              and not lesson.made(region, key["KeyName"], key["KeyPairId"])]
    if theirs:
        raise KeyPairError(f"{', '.join(theirs)} already exist(s) in {region}, not made by this "
                           "lesson (yours?): the exercises need the name(s); delete or rename "
                           "yours, then run this cell again.")
    for key in found:
        if key["KeyName"] in names:
            ec2.delete_key_pair(KeyName=key["KeyName"])


def _refuse_a_file_of_yours(paths: list[Path]) -> None:
    """Stop, before anything is made, if a key file set_up would save exists and is neither
    one it saved nor one an earlier sandbox left (sandbox keys open nothing)."""
    for path in paths:
        if path.exists() and path.absolute() not in _saved_files and not is_sandbox_leftover(path):
            raise KeyPairError(f"{shown_path(path)} exists and these exercises did not write it "
                               "(yours?): move it away, then run this cell again.")


def _set_up_01(ec2: EC2Client) -> str:
    _replace(ec2, ["build-server", "deploy-bot", "alice-laptop"])
    create_key_pair(ec2, "build-server", tags={**TUTORIAL, "Team": "ci"})
    create_key_pair(ec2, "deploy-bot", key_type="ed25519", tags={**TUTORIAL, "Team": "ops"})
    import_key_pair(ec2, "alice-laptop", ALICE_PUBLIC_KEY, tags=TUTORIAL)
    return "build-server (Team=ci), deploy-bot (Team=ops) and alice-laptop"


def _set_up_03(ec2: EC2Client) -> str:
    path = default_key_dir() / key_file_name(SAVED)
    _refuse_a_file_of_yours([path])
    _replace(ec2, [*STAGES, SAVED])
    for name, stage in STAGES.items():
        create_key_pair(ec2, name, key_type="ed25519", tags={**TUTORIAL, "Stage": stage})
    saved = save_private_key(create_key_pair(ec2, SAVED, key_type="ed25519", tags=TUTORIAL),
                             overwrite=path.exists())  # checked above: ours, or a sandbox key
    _saved_files.add(saved.absolute())
    return (f"{', '.join(n for n, s in STAGES.items() if s == 'old')} tagged Stage=old, keep-me "
            f"tagged Stage=new, and {SAVED} with its private key in {saved}")


# 01 · Describe key pairs

def ops_names(ec2: EC2Client, answer: Any) -> Verdict:
    """01, exercise 1: the names of the key pairs tagged Team=ops, found with a filter."""
    names = _names(answer, "ops_names")
    if isinstance(names, Verdict):
        return names
    if (not_ready := _not_set_up("01")) is not None:
        return not_ready
    return _compare(names, {"deploy-bot"}, "ops_names", "tagged Team=ops",
                    "ask with Filters=[{'Name': 'tag:Team', 'Values': ['ops']}]")


def alice_public_key(ec2: EC2Client, answer: Any) -> Verdict:
    """01, exercise 2: alice-laptop's public key, asked from EC2."""
    if (not_ready := _not_set_up("01")) is not None:
        return not_ready
    if answer is None:
        return Verdict(False, "alice_public_key is still None: describe alice-laptop with "
                              "IncludePublicKey=True and take its PublicKey.")
    if isinstance(answer, dict):
        return Verdict(False, "alice_public_key is a whole dictionary: take the text of its "
                              "PublicKey, e.g. response['KeyPairs'][0]['PublicKey'].")
    if isinstance(answer, bytes):  # e.g. the key as read from a .pub file
        answer = answer.decode(errors="replace")
    if not isinstance(answer, str):
        return Verdict(False, f"alice_public_key is a {type(answer).__name__}: take the text "
                              "of PublicKey, e.g. response['KeyPairs'][0]['PublicKey'].")
    if answer.strip() == fingerprint_of_public_key(ALICE_PUBLIC_KEY):
        return Verdict(False, "That is a fingerprint, not the public key: ask with "
                              "IncludePublicKey=True and take PublicKey.")
    if key_blob(answer) != key_blob(ALICE_PUBLIC_KEY):
        return Verdict(False, "alice_public_key is not alice-laptop's public key: describe "
                              "KeyNames=['alice-laptop'] with IncludePublicKey=True.")
    return Verdict(True, "that is alice-laptop's public key, as EC2 keeps it.")


# 02 · Create a key pair

def _saved_file(name: str, ppk: bool) -> Verdict | Path:
    """The key pair's saved private key file, or the Verdict saying what is missing."""
    path = default_key_dir() / key_file_name(name, ppk)
    other = default_key_dir() / key_file_name(name, not ppk)
    if not path.exists() and other.exists():
        kind, want = ("PEM", "KeyFormat='ppk'") if ppk else ("PPK", "KeyFormat='pem'")
        return Verdict(False, f"{shown_path(other)} is a {kind} file: delete the key pair and "
                              f"the file, create it again with {want}, and save it.")
    if not path.exists():
        return Verdict(False, f"There is no file {shown_path(path)}: save the private key with "
                              "save_private_key(response), from the response of the create.")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode != 0o600:
        return Verdict(False, f"{shown_path(path)} has mode {mode:o}: only you should read it "
                              f"(chmod 600 {shown_path(path)}; save_private_key does this).")
    return path


def ed25519_owned(ec2: EC2Client, name: str = "my-exercise-key", owner: str = "you") -> Verdict:
    """02, exercise 1: an ED25519 key pair tagged Owner=owner, its private key saved."""
    key_pair = _key_pair(ec2, name)
    if key_pair is None:
        return Verdict(False, f"There is no key pair {name} yet: create it with "
                              "create_key_pair, choosing its key type and its tags.")
    if key_pair.get("KeyType") != "ed25519":
        return Verdict(False, f"{name} is {key_pair.get('KeyType', 'RSA').upper()}, not "
                              "ED25519: delete it and create it again with KeyType='ed25519' "
                              "(key_type= with the helpers).")
    if _tags(key_pair).get("Owner") != owner:
        return Verdict(False, f"{name} has no tag Owner={owner}: add it with "
                              f"ec2.create_tags(Resources=[key_pair_id], "
                              f"Tags=[{{'Key': 'Owner', 'Value': '{owner}'}}]).")
    saved = _saved_file(name, ppk=False)
    if isinstance(saved, Verdict):
        return saved
    try:
        holds = fingerprint_of_private_key(saved.read_bytes()) == key_pair.get("KeyFingerprint")
    except (KeyPairError, OSError):
        holds = False
    if not holds:  # e.g. an earlier try's RSA key, which save_private_key would not replace
        return Verdict(False, f"{shown_path(saved)} holds another key than {name} (an earlier "
                              "try's?): delete the file and the key pair, then create and save "
                              "it again.")
    return Verdict(True, f"{name} is ED25519, tagged Owner={owner}, and its private key is in "
                         f"{shown_path(saved)}, mode 600.")


def putty_saved(ec2: EC2Client, name: str = "my-exercise-ppk") -> Verdict:
    """02, exercise 2: a key pair created for PuTTY, its .ppk file saved."""
    if _key_pair(ec2, name) is None:
        return Verdict(False, f"There is no key pair {name} yet: create it with "
                              "create_key_pair, in the key format PuTTY reads.")
    saved = _saved_file(name, ppk=True)
    if isinstance(saved, Verdict):
        return saved
    if not saved.read_text(errors="replace").startswith(PPK_HEADER):
        return Verdict(False, f"{shown_path(saved)} is not a PuTTY key file: create the key pair "
                              "with key_format='ppk' and save that response.")
    return Verdict(True, f"{name}'s private key is in {shown_path(saved)}, ready for PuTTY.")


# 03 · Delete a key pair

def old_ones_deleted(ec2: EC2Client) -> Verdict:
    """03, exercise 1: every key pair set_up tagged Stage=old deleted, the Stage=new one kept."""
    if (not_ready := _not_set_up("03")) is not None:
        return not_ready
    there = {name for name in STAGES if _key_pair(ec2, name) is not None}
    if "keep-me" not in there:
        return Verdict(False, "keep-me, tagged Stage=new, is gone too: run the set-up cell "
                              "again, then delete only the key pairs tagged Stage=old.")
    left = sorted(name for name in there if STAGES[name] == "old")
    if left:
        return Verdict(False, f"{len(left)} key pair(s) tagged Stage=old are still there "
                              f"({', '.join(left)}): find them with Filters=[{{'Name': "
                              "'tag:Stage', 'Values': ['old']}] and delete each.")
    return Verdict(True, "every key pair tagged Stage=old is gone, and the Stage=new one stays.")


def deleted_with_its_file(ec2: EC2Client) -> Verdict:
    """03, exercise 2: the key pair set_up saved deleted, and its private key file too."""
    if (not_ready := _not_set_up("03")) is not None:
        return not_ready
    path = default_key_dir() / key_file_name(SAVED)
    there = _key_pair(ec2, SAVED) is not None
    if there and path.exists():
        return Verdict(False, f"{SAVED} and {shown_path(path)} are both still there: delete the "
                              "key pair, then the file.")
    if there:
        return Verdict(False, f"The file is gone but the key pair {SAVED} is still there: "
                              f"delete_key_pair(ec2, name='{SAVED}').")
    if path.exists():
        return Verdict(False, f"The key pair is gone, but its private key is still in "
                              f"{shown_path(path)}: delete the file too "
                              f"(Path('{shown_path(path)}').unlink()).")
    return Verdict(True, f"{SAVED} is gone, and so is its private key file.")


# 04 · Import a key pair

def imported_from_file(ec2: EC2Client, public_key_file: str | Path,
                       name: str = "my-laptop-key") -> Verdict:
    """04, exercise 1: a key made on this machine (ssh-keygen) imported from its .pub file."""
    path = Path(public_key_file)
    if not path.exists():
        return Verdict(False, f"There is no file {path}: make the key in a cell of its own with "
                              f"!mkdir -p -m 700 {path.parent} && ssh-keygen -t ed25519 -N '' "
                              f"-f {path.with_suffix('')}")
    key_pair = _key_pair(ec2, name)
    if key_pair is None:
        return Verdict(False, f"There is no key pair {name} yet: "
                              f"import_key_pair(ec2, '{name}', Path('{path}')).")
    if key_blob(key_pair.get("PublicKey")) != key_blob(path.read_text(errors="replace")):
        return Verdict(False, f"{name} holds another public key than {path}: delete it and "
                              "import that file.")
    return Verdict(True, f"{name} holds the public key of {path}; its private half never left "
                         "this machine.")


def in_every_region(ec2: EC2Client, regions: list[str], name: str = "my-laptop-key",
                    public_key: str | bytes | None = None) -> Verdict:
    """04, exercise 2 and 06, exercise 2: name holds public_key in each Region given (by
    default, the public key it holds in ec2's Region)."""
    home = ec2.meta.region_name
    if public_key is None:
        found = _key_pair(ec2, name)
        if found is None:
            return Verdict(False, f"There is no key pair {name} in {home}: do the exercise "
                                  "before this one first.")
        public_key, regions = found.get("PublicKey"), [home, *regions]
    missing, other = [], []
    for region in regions:
        found = _key_pair(boto3.client("ec2", region_name=region), name)
        if found is None:
            missing.append(region)
        elif key_blob(found.get("PublicKey")) != key_blob(public_key):
            other.append(region)
    if missing:
        return Verdict(False, f"{name} is missing in {_listed(missing)}: import the same "
                              "public key there with a client for each Region "
                              "(boto3.client('ec2', region_name=...)).")
    if other:
        return Verdict(False, f"{name} holds another public key in {_listed(other)}: delete "
                              "it there and import the right one.")
    return Verdict(True, f"{name} holds the same public key in {_listed(regions)}.")


def _listed(names: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


# 06 · Audit key pairs across Regions

def ownerless(keys: Any, answer: Any, owner_tag: str = "Owner") -> Verdict:
    """06, exercise 1: the names of the key pairs that have no owner tag, from the inventory."""
    names = _names(answer, "ownerless")
    if isinstance(names, Verdict):
        return names
    if not isinstance(keys, pd.DataFrame) or not {"KeyName", "Tags"} <= set(keys.columns):
        return Verdict(False, "Give the check the inventory first: "
                              "exercises.ownerless(keys, ownerless), keys from audit.inventory.")
    listed = keys.dropna(subset=["KeyName"])
    truth = {name for name, tags in zip(listed["KeyName"], listed["Tags"].fillna(""), strict=True)
             if not any(tag.startswith(f"{owner_tag}=") for tag in tags.split(", "))}
    return _compare(names, truth, "ownerless", f"without an {owner_tag} tag",
                    f"keep the rows whose Tags hold no '{owner_tag}=' (or use findings' "
                    "NoOwner column)")


# 07 · Use a key pair

TEAMMATE_PUBLIC_KEY = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILt2k9hJVVOMsWQhElpigNrj8WSrdvy2g1s4"
                       "j06+TVPi teammate@laptop")
WEB, WINDOWS = "exercise-web", "exercise-windows"  # each instance's Name tag and key pair
_launched_07: dict[str, str] = {}  # WEB and WINDOWS -> the instance set_up launched
_windows_key: list[Any] = []  # WINDOWS's private key, to judge the answer (never shown)
NO_SSH = ("This backend's instances answer nothing (a plain moto server or LocalStack?): do "
          "this exercise on the sandbox, where they do.")


def _latest_image(ec2: EC2Client, name: str) -> str:
    """The id of Amazon's newest image whose name matches name (* as a wildcard)."""
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name",
                                                              "Values": [name]}])["Images"]
    return max(images, key=lambda image: image["CreationDate"])["ImageId"]


def _set_up_07(ec2: EC2Client) -> str:
    if lesson.is_live():
        raise KeyPairError("These exercises launch instances, which cost money on AWS: do "
                           "them on the sandbox.")
    paths = [default_key_dir() / key_file_name(name) for name in (WEB, WINDOWS)]
    _refuse_a_file_of_yours(paths)
    alive = [i for i in _launched_07.values() if _state(ec2, i) not in (None, "terminated")]
    if alive:  # an earlier set-up's: start over
        ec2.terminate_instances(InstanceIds=alive)
    _replace(ec2, [WEB, WINDOWS])
    made = {}
    for (name, key_type, image), path in zip(
            [(WEB, "ed25519", "al2023-ami-2023.*-x86_64"),
             (WINDOWS, "rsa", "Windows_Server-*-English-Full-Base-*")], paths, strict=True):
        response = create_key_pair(ec2, name, key_type=key_type, tags=TUTORIAL)
        saved = save_private_key(response, overwrite=path.exists())  # ours, or a sandbox key
        _saved_files.add(saved.absolute())
        made[name] = ec2.run_instances(
            ImageId=_latest_image(ec2, image), MinCount=1, MaxCount=1, KeyName=name,
            TagSpecifications=[{"ResourceType": "instance", "Tags": [
                {"Key": "Name", "Value": name}]}])["Instances"][0]["InstanceId"]
        if name == WINDOWS:  # loaded once (30 ms), not at each check; none if it holds none
            _windows_key.clear()
            with contextlib.suppress(KeyPairError):
                _windows_key.append(load_private_key(response["KeyMaterial"]))
    _launched_07.update(made)
    return (f"{WEB} ({made[WEB]}, Amazon Linux) and {WINDOWS} ({made[WINDOWS]}, Windows), each "
            f"launched with the key pair of its name, whose private key is in "
            f"{shown_path(paths[0])} and {shown_path(paths[1])}")


def _state(ec2: EC2Client, instance_id: str) -> str | None:
    """The instance's state ('running', ...), or None if EC2 does not know it."""
    found = ec2.describe_instances(Filters=[{"Name": "instance-id",
                                             "Values": [instance_id]}])["Reservations"]
    return found[0]["Instances"][0]["State"]["Name"] if found else None


def _running(ec2: EC2Client, name: str) -> str | Verdict:
    """The id of the instance set_up launched as name, or the Verdict when it is not running."""
    instance_id = _launched_07[name]
    state = _state(ec2, instance_id)
    if state != "running":
        return Verdict(False, f"{name} ({instance_id}) is {state or 'gone'}: run the set-up cell "
                              "again for a new one.")
    return instance_id


def _run_on(ec2: EC2Client, instance_id: str, key_file: Path, command: str,
            host: str, port: int) -> str:
    """What command printed on the instance, logged in with key_file, its host key checked
    against its console output. paramiko's AuthenticationException if the key is refused."""
    import paramiko  # only here: 07's checks are its only users

    client = paramiko.SSHClient()
    for line in login.known_hosts(login.console_output(ec2, instance_id), host,
                                  port).splitlines():
        entry = paramiko.hostkeys.HostKeyEntry.from_line(line)
        client.get_host_keys().add(entry.hostnames[0], entry.key.get_name(), entry.key)
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(host, port, username=login.default_user(ec2, instance_id),
                       key_filename=str(key_file), look_for_keys=False, allow_agent=False,
                       timeout=10)
        _, stdout, _ = client.exec_command(command, timeout=10)
        return stdout.read().decode()
    finally:
        client.close()


def teammate_added(ec2: EC2Client) -> Verdict:
    """07, exercise 1: the teammate's public key added to exercise-web's authorized_keys, and
    the learner's own key still opening it."""
    if (not_ready := _not_set_up("07")) is not None:
        return not_ready
    instance_id = _running(ec2, WEB)
    if isinstance(instance_id, Verdict):
        return instance_id
    try:
        host, port = login.ssh_address(ec2, instance_id)
    except KeyPairError:
        return Verdict(False, NO_SSH)
    if host != "127.0.0.1":
        return Verdict(False, NO_SSH)
    key_file = shown_path(default_key_dir() / key_file_name(WEB))
    if not key_file.exists():
        return Verdict(False, f"Your key file {key_file} is gone: run the set-up cell again.")
    import paramiko

    try:
        lines = _run_on(ec2, instance_id, key_file, "cat ~/.ssh/authorized_keys", host, port)
    except paramiko.AuthenticationException:
        return Verdict(False, f"Your own key, {key_file}, no longer opens {WEB}: its line left "
                              "~/.ssh/authorized_keys (a > where >> adds a line?). Run the "
                              "set-up cell again for a new instance, then add the teammate's "
                              "line with >>.")
    if any(key_blob(line) == key_blob(TEAMMATE_PUBLIC_KEY) for line in lines.splitlines()):
        return Verdict(True, f"your teammate's key opens {WEB}, and so does yours.")
    add = f"echo '{TEAMMATE_PUBLIC_KEY}' >> ~/.ssh/authorized_keys"
    return Verdict(False, f"{WEB}'s ~/.ssh/authorized_keys does not hold your teammate's key "
                          "yet: log in with your key and add its line, e.g. with the recipe "
                          f"above: run_command(ec2, '{instance_id}', '{key_file}', \"{add}\", "
                          f"host='{host}', port={port}).")


def windows_password(ec2: EC2Client, answer: Any) -> Verdict:
    """07, exercise 2: exercise-windows's Administrator password, decrypted with the private key
    of the key pair it was launched with."""
    if (not_ready := _not_set_up("07")) is not None:
        return not_ready
    instance_id = _running(ec2, WINDOWS)
    if isinstance(instance_id, Verdict):
        return instance_id
    data = ec2.get_password_data(InstanceId=instance_id)["PasswordData"]
    truth = _decrypted(data)
    if truth is None:
        return Verdict(False, NO_SSH.replace("answer nothing", "keep no encrypted password"))
    key_file = shown_path(default_key_dir() / key_file_name(WINDOWS))
    how = (f"decrypt {WINDOWS}'s PasswordData with {key_file}, the private key of the key pair "
           f"it was launched with, e.g. with the recipe above: windows_password(ec2, "
           f"'{instance_id}', '{key_file}')")
    if answer is None:
        return Verdict(False, f"admin_password is still None: {how}.")
    if isinstance(answer, bytes) and answer.decode(errors="replace") == truth:
        return Verdict(False, "admin_password holds bytes: .decode() them into text.")
    if not isinstance(answer, str):
        return Verdict(False, f"admin_password is a {type(answer).__name__}: {how}.")
    if answer.strip() == data.strip():
        return Verdict(False, "That is PasswordData as EC2 returns it, still encrypted: "
                              "base64-decode it, then decrypt it with the private key in "
                              f"{key_file} (padding PKCS1v15).")
    if answer != truth:
        return Verdict(False, f"That is not {WINDOWS}'s password: {how}.")
    return Verdict(True, f"that is {WINDOWS}'s Administrator password (keep it out of "
                         "printed output: a notebook stores what it shows).")


def _decrypted(data: str) -> str | None:
    """PasswordData decrypted with WINDOWS's private key, or None if it cannot be (a backend
    whose PasswordData is not encrypted with the key pair)."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        return _windows_key[0].decrypt(base64.b64decode(data), padding.PKCS1v15()).decode()
    except (IndexError, ValueError, TypeError, AttributeError):
        return None
