"""07's exercises (let a teammate in, decrypt a Windows password): after Run All, with no answer,
with a typical wrong one, with the hint's own command pasted as is, and with the solution."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_exercises import ANSWERS, here, not_yet, solve  # noqa: F401 (here: a fixture)
from test_recipes import recipe

from helpers import KeyPairError, exercises, kernel, lesson, login
from helpers.keyfiles import SANDBOX_KEY_DIR

FIRST = ("First run the cell under Try it that sets the exercises up (exercises.set_up(ec2, "
         "'07')): the clean-up at the end of the notebook deleted what they work on. Then your "
         "answer again.")


@pytest.fixture
def tried(here):  # noqa: F811 (the fixture imported above)
    """07's exercises set up, and what a learner has after Run All: the recipes' functions."""
    exercises.set_up(here, "07")
    return here, {"ec2": here, "exercises": exercises,
                  "run_command": recipe("07_use_a_key_pair").run_command,
                  "windows_password": recipe("07_windows_password").windows_password}


def pasted(verdict: exercises.Verdict, call: str, namespace: dict[str, Any]) -> Any:
    """Run the call (run_command(...) or windows_password(...)) a hint shows, as pasted."""
    found = re.search(rf"({call}\(.*\))\.$", verdict.sentence)
    assert found, f"the hint shows no {call}(...): {verdict}"
    return eval(found[1], dict(namespace))


def test_after_the_lessons_clean_up_the_checks_ask_for_the_set_up_again(here, capsys):  # noqa: F811
    exercises.set_up(here, "07")
    ready = capsys.readouterr().out.splitlines()[-1]
    assert re.fullmatch(r"Ready for the exercises: exercise-web \(i-[0-9a-f]{17}, Amazon Linux, "
                        r"SSH open to your address\) and exercise-windows \(i-[0-9a-f]{17}, "
                        r"Windows\), each launched with the key pair of its name, whose private "
                        r"key is in keys/sandbox/exercise-web\.pem and keys/sandbox/"
                        r"exercise-windows\.pem; exercise-web's host keys, from its console, are "
                        r"in keys/sandbox/known_hosts\.", ready)
    lesson.clean_up()  # Run All ends with it: the instances are terminated, the keys deleted
    assert not list(SANDBOX_KEY_DIR.glob("exercise-*"))
    not_yet(exercises.teammate_added(here), FIRST)
    not_yet(exercises.windows_password(here, "anything"), FIRST)
    exercises.set_up(here, "07")
    assert not exercises.teammate_added(here) and not exercises.windows_password(here, None)


def test_let_a_teammate_in(tried):
    ec2, namespace = tried
    first = exercises.teammate_added(ec2)
    assert not first and first.sentence.startswith(
        "exercise-web's ~/.ssh/authorized_keys does not hold your teammate's key yet: log in "
        "with your key and add its line, e.g. with the recipe above: run_command(ec2, 'i-")
    pasted(first, "run_command", namespace)  # the hint's command, as is
    assert repr(exercises.teammate_added(ec2)) == (
        "✔ Done: your teammate's key opens exercise-web, and so does yours.")
    assert exercises.teammate_added(ec2), "the same answer the second time"


@pytest.mark.tools
def test_let_a_teammate_in_with_ssh_as_the_lesson_taught(tried, need):
    """The lesson's own command line, with its known_hosts: the set-up put exercise-web's host
    keys there, so ssh neither refuses it nor asks whether to trust it."""
    ec2, _ = tried
    host, port = login.ssh_address(ec2, exercises.using._launched_07["exercise-web"])
    checked = ["-o", "StrictHostKeyChecking=yes", "-o",
               f"UserKnownHostsFile={SANDBOX_KEY_DIR / 'known_hosts'}"]
    add = f"echo '{exercises.TEAMMATE_PUBLIC_KEY}' >> ~/.ssh/authorized_keys"
    done = subprocess.run([need("ssh"), "-i", str(SANDBOX_KEY_DIR / "exercise-web.pem"), "-p",
                           str(port), *checked, f"ec2-user@{host}", add], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=30,
                          env={**os.environ, **kernel.NO_QUESTIONS})
    assert done.returncode == 0, done.stderr
    assert repr(exercises.teammate_added(ec2)).startswith("✔ Done: your teammate's key opens")


def test_a_teammate_added_with_a_single_chevron_locks_you_out_and_the_check_says_why(tried):
    ec2, namespace = tried
    hint = exercises.teammate_added(ec2).sentence.replace(">>", ">")  # the classic slip
    pasted(exercises.Verdict(False, hint), "run_command", namespace)
    not_yet(exercises.teammate_added(ec2),
            "Your own key, keys/sandbox/exercise-web.pem, no longer opens exercise-web: its line "
            "left ~/.ssh/authorized_keys (a > where >> adds a line?). Run the set-up cell again "
            "for a new instance, then add the teammate's line with >>.")
    exercises.set_up(ec2, "07")
    solve("07.1", **namespace)
    assert exercises.teammate_added(ec2)


def test_the_windows_password(tried):
    ec2, namespace = tried
    empty = exercises.windows_password(ec2, None)
    assert not empty and re.fullmatch(
        r"admin_password is still None: decrypt exercise-windows's PasswordData with "
        r"keys/sandbox/exercise-windows\.pem, the private key of the key pair it was launched "
        r"with, e.g. with the recipe above: windows_password\(ec2, 'i-[0-9a-f]{17}', "
        r"'keys/sandbox/exercise-windows\.pem'\)\.", empty.sentence)
    password = pasted(empty, "windows_password", namespace)
    assert repr(exercises.windows_password(ec2, password)) == (
        "✔ Done: that is exercise-windows's Administrator password (keep it out of printed "
        "output: a notebook stores what it shows).")
    (windows,) = [i for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
                  if i.get("Platform") == "windows" and i["State"]["Name"] == "running"]
    data = ec2.get_password_data(InstanceId=windows["InstanceId"])["PasswordData"]
    not_yet(exercises.windows_password(ec2, data),
            "That is PasswordData as EC2 returns it, still encrypted: base64-decode it, then "
            "decrypt it with the private key in keys/sandbox/exercise-windows.pem (padding "
            "PKCS1v15).")
    not_yet(exercises.windows_password(ec2, password.encode()),
            "admin_password holds bytes: .decode() them into text.")
    assert exercises.windows_password(ec2, password[:-1]).sentence.startswith(
        "That is not exercise-windows's password: decrypt exercise-windows's PasswordData with")
    assert exercises.windows_password(ec2, solve("07.2", **namespace)["admin_password"])


def test_a_terminated_exercise_instance_asks_for_the_set_up_again(tried):
    ec2, _ = tried
    ids = exercises.using._launched_07
    ec2.terminate_instances(InstanceIds=list(ids.values()))
    not_yet(exercises.teammate_added(ec2), f"exercise-web ({ids['exercise-web']}) is "
                                           "terminated: run the set-up cell again for a new one.")
    not_yet(exercises.windows_password(ec2, "x"), f"exercise-windows "
            f"({ids['exercise-windows']}) is terminated: run the set-up cell again for a new one.")


def test_set_up_again_starts_over_with_new_instances_and_keys(tried):
    ec2, namespace = tried
    before = dict(exercises.using._launched_07)
    solve("07.1", **namespace)
    exercises.set_up(ec2, "07")
    assert set(before.values()).isdisjoint(exercises.using._launched_07.values())
    states = {i["InstanceId"]: i["State"]["Name"] for r in ec2.describe_instances()[
        "Reservations"] for i in r["Instances"]}
    assert {states[i] for i in before.values()} == {"terminated"}
    assert not exercises.teammate_added(ec2), "a new instance: the teammate is not in yet"
    solve("07.1", **namespace)
    assert exercises.teammate_added(ec2)


def test_set_up_keeps_a_key_file_it_did_not_write(here, monkeypatch):  # noqa: F811
    SANDBOX_KEY_DIR.mkdir(mode=0o700, parents=True)
    (SANDBOX_KEY_DIR / "exercise-windows.pem").write_text("yours")
    monkeypatch.setattr(exercises.common, "is_sandbox_leftover", lambda path: False)  # as on AWS
    with pytest.raises(KeyPairError, match="exercise-windows.pem exists and these exercises did "
                                           "not write it"):
        exercises.set_up(here, "07")
    assert (SANDBOX_KEY_DIR / "exercise-windows.pem").read_text() == "yours"
    assert here.describe_key_pairs()["KeyPairs"] == [] and not here.describe_instances()[
        "Reservations"], "nothing half made"


def test_where_instances_answer_nothing_the_checks_say_so(tried, monkeypatch):
    """A plain moto server: no SSH on this machine, PasswordData random text."""
    ec2, _ = tried
    def no_ssh(*_):
        raise KeyPairError(login.NO_SSH)

    monkeypatch.setattr(exercises.using.login, "ssh_address", no_ssh)
    not_yet(exercises.teammate_added(ec2), login.NO_SSH)
    monkeypatch.setattr(exercises.using, "_windows_key", [b"not the key"])
    assert exercises.windows_password(ec2, "x").sentence.startswith(
        "This backend's instances keep no encrypted password")


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answer=ANSWERS)
def test_the_password_check_answers_any_answer_with_a_sentence(tried, answer):
    verdict = exercises.windows_password(tried[0], answer)
    assert isinstance(verdict, exercises.Verdict) and verdict.sentence.endswith(".")
