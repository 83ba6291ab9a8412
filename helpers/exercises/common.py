"""What every notebook's exercises share: the Verdict a check answers with, the exercise each
check judges (and, on the workshop Hub, its verdict sent to the presenter's room view), the
tutorial's tag, and the bookkeeping of set_up (what it made, and since when)."""

from __future__ import annotations

import functools
import json
import os
import queue
import stat
import threading
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec

from helpers import lesson
from helpers.errors import KeyPairError
from helpers.fingerprints import fingerprint_of_private_key
from helpers.keyfiles import default_key_dir, is_sandbox_leftover, key_file_name, shown_path

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ec2.type_defs import KeyPairInfoTypeDef

P = ParamSpec("P")
TUTORIAL = {"Project": "keypair-tutorial"}
# Set by the workshop Hub for each attendee's server, and so their kernels: where a check sends
# its verdict (the room view's address). Anywhere else it is unset, and a check sends nothing.
ROOM_URL = "TUTORIAL_ROOM_URL"
EXERCISES: dict[str, str] = {}  # exercise id ('02.1') -> the name of the check that judges it
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


def recorded(exercise: str) -> Callable[[Callable[P, Verdict]], Callable[P, Verdict]]:
    """Make a check the judge of exercise ('02.1': notebook 02, its first Try it): on the Hub,
    each of its verdicts goes to the presenter's room view (done or not, never the answer)."""
    def judge_of(check: Callable[P, Verdict]) -> Callable[P, Verdict]:
        EXERCISES[exercise] = check.__name__

        @functools.wraps(check)
        def checked(*args: P.args, **kwargs: P.kwargs) -> Verdict:
            verdict = check(*args, **kwargs)
            if ROOM_URL in os.environ:
                _send_later(exercise, verdict.passed)
            return verdict
        return checked
    return judge_of


_outbox: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
_sender: list[threading.Thread] = []  # started at the first verdict to send, on the Hub only


def _send_later(exercise: str, passed: bool) -> None:
    """Queue the verdict for the room view: a thread of its own sends it, in order, so a check
    never waits for the network nor fails because of it."""
    try:
        if not _sender:
            _sender.append(threading.Thread(target=_send_all, name="room-view", daemon=True))
            _sender[0].start()
        _outbox.put({"exercise": exercise, "passed": passed})
    except Exception:  # nothing may reach the learner: the check has answered
        pass


def _send_all() -> None:
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    while True:
        body = json.dumps(_outbox.get()).encode()
        # The server's token, which the Hub gives it and its kernels: the room view asks the Hub
        # whose it is, so an attendee's verdicts are recorded under their own name only.
        headers = {"Authorization": f"token {os.environ.get('JUPYTERHUB_API_TOKEN', '')}",
                   "Content-Type": "application/json"}
        url = os.environ.get(ROOM_URL, "").rstrip("/") + "/verdicts"
        try:
            direct.open(urllib.request.Request(url, body, headers, method="POST"),
                        timeout=10).close()
        except Exception:  # the room view misses this verdict; the learner has it
            pass


def find_key_pair(ec2: EC2Client, name: str) -> KeyPairInfoTypeDef | None:
    """The key pair named name, with its public key, or None (asked without an error)."""
    found = ec2.describe_key_pairs(Filters=[{"Name": "key-name", "Values": [name]}],
                                   IncludePublicKey=True)["KeyPairs"]
    return found[0] if found else None


def tags_of(key_pair: KeyPairInfoTypeDef) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in key_pair.get("Tags", [])}


def names_in(answer: Any, what: str) -> set[str] | Verdict:
    """The learner's list of key names, or the Verdict saying why it is not one."""
    if answer is None:
        return Verdict(False, f"{what} is still None: set it to a list of key names.")
    names = list(answer) if isinstance(answer, Iterable) and not isinstance(
        answer, (str, bytes, dict)) else None  # a generator is read once, here
    if names is None or not all(isinstance(name, str) for name in names):
        return Verdict(False, f"{what} should be a list of key names (text), such as "
                              "[key['KeyName'] for key in response['KeyPairs']].")
    return set(names)


def compare(answer: set[str], truth: set[str], what: str, rule: str, hint: str) -> Verdict:
    """Whether the learner's names are exactly the key pairs that rule ('tagged Team=ops')
    describes; if not, which are wrong and the hint."""
    extra, missing = sorted(answer - truth), sorted(truth - answer)
    if extra:
        return Verdict(False, f"{what} should hold only the key pairs {rule}, not "
                              f"{', '.join(extra)}: {hint}.")
    if missing:
        return Verdict(False, f"{what} misses {', '.join(missing)}, {rule}: {hint}.")
    return Verdict(True, f"{what} holds exactly the key pairs {rule}.")


def mark_set_up(notebook: str) -> None:
    """Remember that notebook's exercises were set up, until the lesson next cleans up."""
    _ready[notebook] = lesson.cleanups


def not_set_up(notebook: str) -> Verdict | None:
    """The Verdict when notebook's exercises were not set up since the lesson last started or
    cleaned up (their key pairs are gone), else None."""
    if _ready.get(notebook) == lesson.cleanups:
        return None
    return Verdict(False, "First run the cell under Try it that sets the exercises up "
                          f"(exercises.set_up(ec2, '{notebook}')): the clean-up at the end of "
                          "the notebook deleted what they work on. Then your answer again.")


def replace_ours(ec2: EC2Client, names: list[str]) -> None:
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


def remember_saved(path: Path) -> None:
    """Remember a key file set_up saved: its own, which a later set_up may replace."""
    _saved_files.add(path.absolute())


def refuse_a_file_of_yours(paths: list[Path]) -> None:
    """Stop, before anything is made, if a key file set_up would save exists and is neither
    one it saved nor one an earlier sandbox left (sandbox keys open nothing)."""
    for path in paths:
        if path.exists() and path.absolute() not in _saved_files and not is_sandbox_leftover(path):
            raise KeyPairError(f"{shown_path(path)} exists and these exercises did not write it "
                               "(yours?): move it away, then run this cell again.")


def saved_key_file(name: str, ppk: bool) -> Verdict | Path:
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


def holds_private_key_of(path: Path, key_pair: KeyPairInfoTypeDef) -> bool:
    """Whether the file holds the private key of that key pair (by its fingerprint)."""
    try:
        return fingerprint_of_private_key(path.read_bytes()) == key_pair.get("KeyFingerprint")
    except (KeyPairError, OSError):
        return False
