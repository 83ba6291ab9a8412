"""The notebooks' exercises: with no attempt, and with a typical wrong one, each check says what
is missing in one sentence; with the solution a learner can load, it says done."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import nbformat
import pandas as pd
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import (
    KeyPairError,
    audit,
    create_key_pair,
    exercises,
    import_key_pair,
    lesson,
    save_private_key,
)
from helpers.audit_actions import ensure_key_pair
from helpers.exercises import common

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
SOLUTION = re.compile(r"<details><summary>Solution \(click to show\)</summary>\n\n"
                      r"```python\n(.*)```\n\n</details>", re.S)


def public_key() -> bytes:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)


def solutions(notebook: str) -> list[str]:
    """The code of each solution notebook NN folds away (markdown cells tagged solution)."""
    path = next(NOTEBOOKS.glob(f"{notebook}_*.ipynb"))
    return [SOLUTION.fullmatch(cell.source)[1] for cell in nbformat.read(path, 4).cells
            if "solution" in cell.metadata.get("tags", [])]


def solve(notebook_and_number: str, **namespace: Any) -> dict[str, Any]:
    """Run a solution ('02.1': notebook 02's first) as a learner who copied it, in the
    notebook's names."""
    notebook, number = notebook_and_number.split(".")
    exec(solutions(notebook)[int(number) - 1], namespace)
    return namespace


@pytest.mark.parametrize("notebook", ["01", "02", "03", "04", "06", "07", "08"])
def test_each_exercise_has_a_check_and_a_solution_folded_away(notebook):
    """Run All never runs a solution, and a learner sees it only on a click."""
    path = next(NOTEBOOKS.glob(f"{notebook}_*.ipynb"))
    cells = nbformat.read(path, 4).cells
    tasks = [c for c in cells if re.match(r"### \d\. ", c.source)]
    checks = [c for c in cells if c.cell_type == "code" and "exercises." in c.source
              and "exercises.set_up" not in c.source]
    assert len(tasks) == len(checks) == len(solutions(notebook)) >= 2


def not_yet(verdict: exercises.Verdict, sentence: str) -> None:
    assert not verdict and repr(verdict) == f"✘ Not yet: {sentence}"


@pytest.fixture
def here(ec2, tmp_path, monkeypatch):
    """A lesson begun on the sandbox, its key files going to a folder of this test's own."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(lesson, "_made", None)
    monkeypatch.setattr(lesson, "cleanups", 0)
    monkeypatch.setattr(exercises.common, "_ready", {})
    return lesson.start()


@pytest.fixture
def tour(here):
    """01's exercises set up: two key pairs EC2 made (Team=ci, Team=ops) and alice-laptop."""
    exercises.set_up(here, "01")
    return here


@pytest.mark.parametrize("notebook", ["01", "03"])
def test_after_the_lessons_clean_up_a_check_asks_for_the_set_up_again(here, notebook, capsys):
    """Run All first, then the exercises: the clean-up has deleted what they work on."""
    exercises.set_up(here, notebook)
    assert capsys.readouterr().out.splitlines()[-1].startswith("Ready for the exercises: ")
    lesson.clean_up()
    first = ("First run the cell under Try it that sets the exercises up (exercises.set_up(ec2, "
             f"'{notebook}')): the clean-up at the end of the notebook deleted what they work "
             "on. Then your answer again.")
    checks = ([lambda: exercises.ops_names(here, ["deploy-bot"]),
               lambda: exercises.alice_public_key(here, exercises.ALICE_PUBLIC_KEY)]
              if notebook == "01" else [lambda: exercises.old_ones_deleted(here),
                                        lambda: exercises.deleted_with_its_file(here)])
    for check in checks:
        not_yet(check(), first)
    exercises.set_up(here, notebook)
    if notebook == "03":  # nothing typed yet: nothing is done
        not_yet(checks[1](), "exercise-saved and keys/sandbox/exercise-saved.pem are both still "
                             "there: delete the key pair, then the file.")
        solve("03.1", ec2=here)
        solve("03.2", ec2=here)
    assert all(check() for check in checks)


def test_set_up_twice_in_a_row_starts_the_exercises_over(here):
    exercises.set_up(here, "03")
    solve("03.1", ec2=here)
    exercises.set_up(here, "03")
    not_yet(exercises.old_ones_deleted(here), "3 key pair(s) tagged Stage=old are still there "
            "(old-1, old-2, old-3): find them with Filters=[{'Name': 'tag:Stage', 'Values': "
            "['old']}] and delete each.")


def made_elsewhere(ec2, name: str) -> dict:
    """A key pair made outside the lesson (a teammate's, or yours before it began)."""
    made, lesson._made = lesson._made, None
    try:
        return ec2.create_key_pair(KeyName=name, KeyType="ed25519")
    finally:
        lesson._made = made


def test_set_up_keeps_a_key_pair_and_a_key_file_it_did_not_make(ec2, here, monkeypatch):
    mine = made_elsewhere(ec2, "keep-me")
    with pytest.raises(KeyPairError, match=r"^keep-me already exist\(s\) in us-east-1, not made "
                       r"by this lesson \(yours\?\): the exercises need the name\(s\)"):
        exercises.set_up(here, "03")
    assert ec2.describe_key_pairs(KeyNames=["keep-me"])["KeyPairs"][0]["KeyPairId"] == \
        mine["KeyPairId"]
    ec2.delete_key_pair(KeyName="keep-me")
    Path("keys/sandbox").mkdir(parents=True)
    Path("keys/sandbox/exercise-saved.pem").write_text("yours")
    monkeypatch.setattr(exercises.common, "is_sandbox_leftover", lambda path: False)  # as on AWS
    with pytest.raises(KeyPairError, match="exercise-saved.pem exists and these exercises did "
                                           "not write it"):
        exercises.set_up(here, "03")
    assert Path("keys/sandbox/exercise-saved.pem").read_text() == "yours"
    assert here.describe_key_pairs()["KeyPairs"] == [], "nothing half made"


def test_set_up_replaces_the_key_files_an_earlier_sandbox_left(here):
    """Restart and Run All after the exercises: the last kernel's sandbox keys are still there."""
    Path("keys/sandbox").mkdir(mode=0o700, parents=True)
    Path("keys/sandbox/exercise-saved.pem").write_text("an earlier sandbox's key")
    exercises.set_up(here, "03")
    assert exercises.deleted_with_its_file(here).sentence.startswith(
        "exercise-saved and keys/sandbox/exercise-saved.pem are both still there")
    assert "PRIVATE KEY" in Path("keys/sandbox/exercise-saved.pem").read_text()


def test_ops_names(tour):
    not_yet(exercises.ops_names(tour, None),
            "ops_names is still None: set it to a list of key names.")
    everything = sorted(key["KeyName"] for key in tour.describe_key_pairs()["KeyPairs"])
    not_yet(exercises.ops_names(tour, everything),
            "ops_names should hold only the key pairs tagged Team=ops, not alice-laptop, "
            "build-server: ask with Filters=[{'Name': 'tag:Team', 'Values': ['ops']}].")
    not_yet(exercises.ops_names(tour, []),
            "ops_names misses deploy-bot, tagged Team=ops: ask with "
            "Filters=[{'Name': 'tag:Team', 'Values': ['ops']}].")
    not_yet(exercises.ops_names(tour, "deploy-bot"),
            "ops_names should be a list of key names (text), such as "
            "[key['KeyName'] for key in response['KeyPairs']].")
    answer = solve("01.1", ec2=tour)["ops_names"]
    assert exercises.ops_names(tour, answer)
    assert repr(exercises.ops_names(tour, answer)) == \
        "✔ Done: ops_names holds exactly the key pairs tagged Team=ops."


def test_alice_public_key(tour):
    not_yet(exercises.alice_public_key(tour, None),
            "alice_public_key is still None: describe alice-laptop with IncludePublicKey=True "
            "and take its PublicKey.")
    described = tour.describe_key_pairs(KeyNames=["alice-laptop"])
    not_yet(exercises.alice_public_key(tour, described["KeyPairs"][0]["KeyFingerprint"]),
            "That is a fingerprint, not the public key: ask with IncludePublicKey=True and take "
            "PublicKey.")
    not_yet(exercises.alice_public_key(tour, described),
            "alice_public_key is a whole dictionary: take the text of its PublicKey, e.g. "
            "response['KeyPairs'][0]['PublicKey'].")
    not_yet(exercises.alice_public_key(tour, public_key().decode()),
            "alice_public_key is not alice-laptop's public key: describe "
            "KeyNames=['alice-laptop'] with IncludePublicKey=True.")
    assert exercises.alice_public_key(tour, solve("01.2", ec2=tour)
                                      ["alice_public_key"])


def test_an_ed25519_key_pair_with_an_owner_saved(here):
    not_yet(exercises.ed25519_owned(here),
            "There is no key pair my-exercise-key yet: create it with create_key_pair, choosing "
            "its key type and its tags.")
    create_key_pair(here, "my-exercise-key", tags={"Owner": "you"})  # RSA, the default
    not_yet(exercises.ed25519_owned(here), "my-exercise-key is RSA, not ED25519: delete it and "
                                           "create it again with KeyType='ed25519' (key_type= "
                                           "with the helpers).")
    here.delete_key_pair(KeyName="my-exercise-key")
    response = create_key_pair(here, "my-exercise-key", key_type="ed25519")
    not_yet(exercises.ed25519_owned(here),
            "my-exercise-key has no tag Owner=you: add it with ec2.create_tags(Resources="
            "[key_pair_id], Tags=[{'Key': 'Owner', 'Value': 'you'}]).")
    here.create_tags(Resources=[response["KeyPairId"]], Tags=[{"Key": "Owner", "Value": "you"}])
    not_yet(exercises.ed25519_owned(here),
            "There is no file keys/sandbox/my-exercise-key.pem: save the private key with "
            "save_private_key(response), from the response of the create.")
    os.chmod(save_private_key(response), 0o644)
    not_yet(exercises.ed25519_owned(here),
            "keys/sandbox/my-exercise-key.pem has mode 644: only you should read it (chmod 600 "
            "keys/sandbox/my-exercise-key.pem; save_private_key does this).")


def test_an_earlier_tries_key_file_is_not_the_ed25519_key_pairs(here):
    """The check's own hint: the RSA try saved, deleted, made again as ED25519; its save refused
    (the file is there) leaves the RSA key in the file."""
    save_private_key(create_key_pair(here, "my-exercise-key", tags={"Owner": "you"}))
    here.delete_key_pair(KeyName="my-exercise-key")
    create_key_pair(here, "my-exercise-key", key_type="ed25519", tags={"Owner": "you"})
    not_yet(exercises.ed25519_owned(here),
            "keys/sandbox/my-exercise-key.pem holds another key than my-exercise-key (an earlier "
            "try's?): delete the file and the key pair, then create and save it again.")


ANSWERS = st.one_of(st.none(), st.integers(), st.booleans(), st.text(), st.binary(),
                    st.lists(st.one_of(st.text(), st.integers())),
                    st.dictionaries(st.text(), st.text()),
                    st.builds(lambda names: (name for name in names), st.lists(st.text())),
                    st.builds(pd.Series, st.lists(st.text())))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=ANSWERS)
def test_a_check_answers_any_answer_with_a_sentence(tour, answer):
    keys = audit.inventory(tour, ["us-east-1"], progress=False)
    for verdict in (exercises.ops_names(tour, answer), exercises.alice_public_key(tour, answer),
                    exercises.ownerless(keys, answer), exercises.ownerless(answer, ["x"])):
        assert isinstance(verdict, exercises.Verdict) and verdict.sentence.endswith(".")


def test_a_generator_of_the_right_names_is_the_right_answer(tour):
    assert exercises.ops_names(tour, (name for name in ["deploy-bot"]))


def test_an_ed25519_key_pair_with_an_owner_saved_by_the_solution(here):
    solve("02.1", ec2=here)
    assert repr(exercises.ed25519_owned(here)) == (
        "✔ Done: my-exercise-key is ED25519, tagged Owner=you, and its private key is in "
        "keys/sandbox/my-exercise-key.pem, mode 600.")


def test_a_putty_key_saved(here):
    not_yet(exercises.putty_saved(here), "There is no key pair my-exercise-ppk yet: create it "
                                         "with create_key_pair, in the key format PuTTY reads.")
    save_private_key(create_key_pair(here, "my-exercise-ppk"))  # PEM, the default
    not_yet(exercises.putty_saved(here),
            "keys/sandbox/my-exercise-ppk.pem is a PEM file: delete the key pair and the file, "
            "create it again with KeyFormat='ppk', and save it.")
    here.delete_key_pair(KeyName="my-exercise-ppk")
    Path("keys/sandbox/my-exercise-ppk.pem").unlink()
    solve("02.2", ec2=here)
    assert exercises.putty_saved(here)
    Path("keys/sandbox/my-exercise-ppk.ppk").write_text("an OpenSSH key renamed .ppk")
    not_yet(exercises.putty_saved(here), "keys/sandbox/my-exercise-ppk.ppk is not a PuTTY key "
            "file: create the key pair with key_format='ppk' and save that response.")


@pytest.fixture
def to_delete(here):
    """03's exercises set up: three key pairs tagged Stage=old, one Stage=new, one saved."""
    exercises.set_up(here, "03")
    return here


def test_old_ones_deleted(to_delete):
    not_yet(exercises.old_ones_deleted(to_delete),
            "3 key pair(s) tagged Stage=old are still there (old-1, old-2, old-3): find them "
            "with Filters=[{'Name': 'tag:Stage', 'Values': ['old']}] and delete each.")
    for key in to_delete.describe_key_pairs(Filters=[{"Name": "tag-key",
                                                      "Values": ["Stage"]}])["KeyPairs"]:
        to_delete.delete_key_pair(KeyName=key["KeyName"])  # everything went
    not_yet(exercises.old_ones_deleted(to_delete),
            "keep-me, tagged Stage=new, is gone too: run the set-up cell again, then delete only "
            "the key pairs tagged Stage=old.")
    exercises.set_up(to_delete, "03")
    assert solve("03.1", ec2=to_delete)
    assert exercises.old_ones_deleted(to_delete)
    assert sorted(key["KeyName"] for key in to_delete.describe_key_pairs()["KeyPairs"]) == \
        ["exercise-saved", "keep-me"]


def test_deleted_with_its_file(to_delete):
    not_yet(exercises.deleted_with_its_file(to_delete),
            "exercise-saved and keys/sandbox/exercise-saved.pem are both still there: delete "
            "the key pair, then the file.")
    to_delete.delete_key_pair(KeyName="exercise-saved")
    not_yet(exercises.deleted_with_its_file(to_delete),
            "The key pair is gone, but its private key is still in "
            "keys/sandbox/exercise-saved.pem: delete the file too "
            "(Path('keys/sandbox/exercise-saved.pem').unlink()).")
    exercises.set_up(to_delete, "03")
    solve("03.2", ec2=to_delete)
    assert exercises.deleted_with_its_file(to_delete)


def test_a_key_made_with_ssh_keygen_imported_then_in_three_regions(here, need):
    need("ssh-keygen")
    pub = "keys/exercise/id_ed25519.pub"
    hint = ("There is no file keys/exercise/id_ed25519.pub: make the key in a cell of its own "
            "with !mkdir -p -m 700 keys/exercise && ssh-keygen -t ed25519 -N '' -f "
            "keys/exercise/id_ed25519")
    not_yet(exercises.imported_from_file(here, pub), hint)
    command = hint.split(" with !")[1]  # pasted into a cell as is: the shell runs it
    subprocess.run(command, shell=True, check=True, capture_output=True)
    assert exercises.imported_from_file(here, pub).sentence.startswith("There is no key pair")
    shutil.rmtree("keys/exercise")
    Path("keys/exercise").mkdir(parents=True)
    Path(pub).write_bytes(public_key())
    import_key_pair(here, "my-laptop-key", public_key())  # another key than the file's
    not_yet(exercises.imported_from_file(here, pub), "my-laptop-key holds another public key "
            "than keys/exercise/id_ed25519.pub: delete it and import that file.")
    here.delete_key_pair(KeyName="my-laptop-key")
    Path(pub).unlink()
    solve("04.1", ec2=here)
    assert exercises.imported_from_file(here, pub)
    assert oct(Path("keys/exercise/id_ed25519").stat().st_mode)[-3:] == "600"

    regions = ["eu-west-1", "ap-southeast-2"]
    not_yet(exercises.in_every_region(here, regions),
            "my-laptop-key is missing in eu-west-1 and ap-southeast-2: import the same public key "
            "there with a client for each Region (boto3.client('ec2', region_name=...)).")
    boto3.client("ec2", region_name="eu-west-1").create_key_pair(KeyName="my-laptop-key")
    boto3.client("ec2", region_name="ap-southeast-2").import_key_pair(
        KeyName="my-laptop-key", PublicKeyMaterial=Path(pub).read_bytes())
    not_yet(exercises.in_every_region(here, regions), "my-laptop-key holds another public key "
            "in eu-west-1: delete it there and import the right one.")
    for region in regions:
        boto3.client("ec2", region_name=region).delete_key_pair(KeyName="my-laptop-key")
    solve("04.2", ec2=here)
    assert repr(exercises.in_every_region(here, regions)) == (
        "✔ Done: my-laptop-key holds the same public key in us-east-1, eu-west-1 and "
        "ap-southeast-2.")


def test_ownerless_and_alice_in_oregon(here):
    alice = public_key()
    for region in ["us-east-1", "eu-west-1"]:
        import_key_pair(boto3.client("ec2", region_name=region), "alice-laptop", alice,
                        tags={"Owner": "alice"})
    create_key_pair(boto3.client("ec2", region_name="eu-west-1"), "ci", tags={"Team": "ci"})
    regions = ["us-east-1", "eu-west-1", "us-west-2"]
    keys = audit.inventory(here, regions, progress=False)
    found = audit.findings(keys, audit.usage(here, regions, progress=False))
    not_yet(exercises.ownerless(keys, None), "ownerless is still None: set it to a list of key "
                                             "names.")
    not_yet(exercises.ownerless(keys, ["alice-laptop", "ci"]),
            "ownerless should hold only the key pairs without an Owner tag, not alice-laptop: "
            "keep the rows whose Tags hold no 'Owner=' (or use findings' NoOwner column).")
    assert exercises.ownerless(keys, solve("06.1", found=found)["ownerless"])

    oregon = {"name": "alice-laptop", "public_key": alice}
    not_yet(exercises.one_key_everywhere(here, ["us-west-2"], **oregon),
            "alice-laptop is missing in us-west-2: import the same public key there with a "
            "client for each Region (boto3.client('ec2', region_name=...)).")
    ensure_key_pair("alice-laptop", public_key(), ["us-west-2"], progress=False)
    not_yet(exercises.one_key_everywhere(here, ["us-west-2"], **oregon),
            "alice-laptop holds another public key in us-west-2: delete it there and import the "
            "right one.")
    boto3.client("ec2", region_name="us-west-2").delete_key_pair(KeyName="alice-laptop")
    for region in ["us-east-1", "eu-west-1"]:  # the lesson's clean-up ran: only Alice's key left
        boto3.client("ec2", region_name=region).delete_key_pair(KeyName="alice-laptop")
    solve("06.2", alice=alice, ensure_key_pair=ensure_key_pair)
    assert repr(exercises.one_key_everywhere(here, ["us-west-2"], **oregon)) == (
        "✔ Done: alice-laptop holds the same public key in us-west-2.")


# --- On the workshop Hub, each verdict goes to the presenter's room view ---------------------

def checks_in(notebook: str) -> list[str]:
    """The checks notebook NN's Try it cells call, in order (the exercises' ids follow it)."""
    path = next(NOTEBOOKS.glob(f"{notebook}_*.ipynb"))
    return [name for cell in nbformat.read(path, 4).cells if cell.cell_type == "code"
            for name in re.findall(r"exercises\.(\w+)\(", cell.source) if name != "set_up"]


def test_each_exercise_is_judged_by_one_check_that_knows_its_id():
    """'02.1' is notebook 02's first Try it, as the room view's columns say: every notebook's
    checks, a new notebook's too, are marked @recorded with theirs."""
    expected = {f"{path.name[:2]}.{number}": check
                for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
                for number, check in enumerate(checks_in(path.name[:2]), start=1)}
    assert exercises.EXERCISES == expected, (
        "mark each public check with @recorded('NN.N'), NN its notebook, N its Try it")


class RoomView(ThreadingHTTPServer):
    """A stand-in for the room view: what each request brought, and how long it takes."""

    def __init__(self, delay: float = 0) -> None:
        self.received: list[tuple[str, str, dict]] = []
        room = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                time.sleep(delay)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                room.received.append((self.path, self.headers["Authorization"], body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/services/room/"


def keys_table() -> pd.DataFrame:
    return pd.DataFrame({"KeyName": ["mine", "stray"], "Tags": ["Owner=me", ""]})


def test_outside_the_hub_a_check_sends_nothing_and_starts_nothing(monkeypatch):
    monkeypatch.delenv("TUTORIAL_ROOM_URL", raising=False)
    threads, queued = threading.active_count(), common._outbox.qsize()
    assert exercises.ownerless(keys_table(), ["stray"])
    assert (threading.active_count(), common._outbox.qsize()) == (threads, queued)


def test_on_the_hub_each_verdict_reaches_the_room_view_with_the_servers_token_alone(monkeypatch):
    room = RoomView()
    monkeypatch.setenv("TUTORIAL_ROOM_URL", room.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "the-servers-token")
    assert not exercises.ownerless(keys_table(), ["mine"])
    assert exercises.ownerless(keys_table(), ["stray"])
    deadline = time.monotonic() + 5
    while len(room.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    room.shutdown()
    assert room.received == [  # in order, and never the answer, a key or any code
        ("/services/room/verdicts", "token the-servers-token", {"exercise": "06.1",
                                                               "passed": False}),
        ("/services/room/verdicts", "token the-servers-token", {"exercise": "06.1",
                                                               "passed": True})]


@pytest.mark.parametrize("room", ["slow", "down"])
def test_a_room_view_that_is_slow_or_down_never_slows_a_check_nor_makes_it_raise(monkeypatch,
                                                                                  room):
    slow = RoomView(delay=2) if room == "slow" else None
    monkeypatch.setenv("TUTORIAL_ROOM_URL", slow.url if slow else "http://127.0.0.1:9/")
    started = time.perf_counter()
    for _ in range(3):
        assert exercises.ownerless(keys_table(), ["stray"])
    assert time.perf_counter() - started < 0.5
    if slow:
        slow.shutdown()
