"""A learner's whole session in JupyterLab, in the order learners really follow: Run All first,
then each exercise (no answer, a wrong one, then the folded solution), each verdict read from
the page; then Restart and Run All again, with the answers in: every check says done. Closed, the
notebook leaves no kernel and no changed or new file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from helpers.rules import shows_private_key
from tests.browser.conftest import left_as_it_was

pytestmark = pytest.mark.browser

NOT_YET, DONE = "✘ Not yet: ", "✔ Done: "
SET_UP_FIRST = NOT_YET + "First run the cell under Try it that sets the exercises up"


@dataclass(frozen=True)
class Exercise:
    check: str  # the check cell's source
    wrong: str  # a learner's typical wrong answer
    says: str  # how its verdict begins
    undo: str = ""  # what the hint then tells the learner to do, before the solution


EXERCISES = {
    "01_describe_key_pairs.ipynb": [
        Exercise("exercises.ops_names(ec2, ops_names)", "ops_names = ['build-server']",
                 NOT_YET + "ops_names should hold only the key pairs tagged Team=ops, not "
                 "build-server"),
        Exercise("exercises.alice_public_key(ec2, alice_public_key)",
                 "alice_public_key = ec2.describe_key_pairs(KeyNames=['alice-laptop'])"
                 "['KeyPairs'][0]['KeyFingerprint']",
                 NOT_YET + "That is a fingerprint, not the public key"),
    ],
    "02_create_key_pair.ipynb": [
        Exercise("exercises.ed25519_owned(ec2)",
                 "save_private_key(create_key_pair(ec2, 'my-exercise-key', tags={'Owner': 'you'}))",
                 NOT_YET + "my-exercise-key is RSA, not ED25519",
                 "ec2.delete_key_pair(KeyName='my-exercise-key')\n"
                 "(keys / 'my-exercise-key.pem').unlink()"),
        Exercise("exercises.putty_saved(ec2)",
                 "save_private_key(create_key_pair(ec2, 'my-exercise-ppk'))",
                 NOT_YET + "keys/sandbox/my-exercise-ppk.pem is a PEM file",
                 "ec2.delete_key_pair(KeyName='my-exercise-ppk')\n"
                 "(keys / 'my-exercise-ppk.pem').unlink()"),
    ],
    "03_delete_key_pair.ipynb": [
        Exercise("exercises.old_ones_deleted(ec2)",
                 "for key in ec2.describe_key_pairs(Filters=[{'Name': 'tag-key', 'Values': "
                 "['Stage']}])['KeyPairs']:\n    ec2.delete_key_pair(KeyName=key['KeyName'])",
                 NOT_YET + "keep-me, tagged Stage=new, is gone too",
                 "exercises.set_up(ec2, '03')"),
        Exercise("exercises.deleted_with_its_file(ec2)",
                 "ec2.delete_key_pair(KeyName='exercise-saved')",
                 NOT_YET + "The key pair is gone, but its private key is still in "
                 "keys/sandbox/exercise-saved.pem"),
    ],
    "04_import_key_pair.ipynb": [
        Exercise("exercises.imported_from_file(ec2, 'keys/exercise/id_ed25519.pub')",
                 # the first half of the answer: the command the check's hint gives, as is
                 "!mkdir -p -m 700 keys/exercise && ssh-keygen -t ed25519 -N '' "
                 "-f keys/exercise/id_ed25519",
                 NOT_YET + "There is no key pair my-laptop-key yet"),
        Exercise("exercises.in_every_region(ec2, ['eu-west-1', 'ap-southeast-2'])",
                 "import boto3\nboto3.client('ec2', region_name='eu-west-1').import_key_pair("
                 "KeyName='my-laptop-key', PublicKeyMaterial=open("
                 "'keys/exercise/id_ed25519.pub', 'rb').read())",
                 NOT_YET + "my-laptop-key is missing in ap-southeast-2",
                 "boto3.client('ec2', region_name='eu-west-1').delete_key_pair("
                 "KeyName='my-laptop-key')"),
    ],
    "06_audit_key_pairs.ipynb": [
        Exercise("exercises.ownerless(keys, ownerless)", "ownerless = ['alice-laptop']",
                 NOT_YET + "ownerless should hold only the key pairs without an Owner tag, "
                 "not alice-laptop"),
        Exercise("exercises.one_key_everywhere(ec2, ['us-west-2'], name='alice-laptop', "
                 "public_key=alice)",
                 "ensure_key_pair('alice-laptop', public_key(), ['us-west-2'], progress=False)",
                 NOT_YET + "alice-laptop holds another public key in us-west-2",
                 "boto3.client('ec2', region_name='us-west-2').delete_key_pair("
                 "KeyName='alice-laptop')"),
    ],
    "07_use_a_key_pair.ipynb": [
        Exercise("exercises.teammate_added(ec2)",
                 # the teammate's line with > where >> adds one: the learner's own key is out
                 "found = ec2.describe_instances(Filters=[{'Name': 'tag:Name', 'Values': "
                 "['exercise-web']}, {'Name': 'instance-state-name', 'Values': ['running']}])\n"
                 "web_id = found['Reservations'][0]['Instances'][0]['InstanceId']\n"
                 "web_host, web_port = ssh_address(ec2, web_id)\n"
                 "run_command(ec2, web_id, default_key_dir() / 'exercise-web.pem', "
                 "f\"echo '{exercises.TEAMMATE_PUBLIC_KEY}' > ~/.ssh/authorized_keys\", "
                 "host=web_host, port=web_port)",
                 NOT_YET + "Your own key, keys/sandbox/exercise-web.pem, no longer opens "
                 "exercise-web", "exercises.set_up(ec2, '07')"),
        Exercise("exercises.windows_password(ec2, admin_password)",
                 "found = ec2.describe_instances(Filters=[{'Name': 'tag:Name', 'Values': "
                 "['exercise-windows']}, {'Name': 'instance-state-name', 'Values': "
                 "['running']}])\nadmin_password = ec2.get_password_data(InstanceId="
                 "found['Reservations'][0]['Instances'][0]['InstanceId'])['PasswordData']",
                 NOT_YET + "That is PasswordData as EC2 returns it, still encrypted"),
    ],
    "08_key_pairs_as_code.ipynb": [
        Exercise("exercises.stack_key_saved(ec2)",
                 # KeyType left out: an RSA key pair, CloudFormation's default
                 "cfn.create_stack(StackName='team-keys', TemplateBody='Resources:\\n  Deploy:\\n"
                 "    Type: AWS::EC2::KeyPair\\n    Properties:\\n      KeyName: team-deploy\\n')\n"
                 "cfn.get_waiter('stack_create_complete').wait(StackName='team-keys')",
                 NOT_YET + "team-deploy is RSA, not ED25519",
                 "cfn.delete_stack(StackName='team-keys')\n"
                 "cfn.get_waiter('stack_delete_complete').wait(StackName='team-keys')"),
        Exercise("exercises.intern_policy(ec2, intern_policy)",
                 "intern_policy = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', "
                 "'Action': ['ec2:DescribeKeyPairs', 'ec2:CreateKeyPair', 'ec2:ImportKeyPair', "
                 "'ec2:DeleteKeyPair'], 'Resource': '*'}]}",
                 NOT_YET + "Your policy lets an intern create prod-web too"),
    ],
}


@pytest.fixture
def page(lab_tab: Page, close_notebook) -> Iterator[Page]:
    """The module's one JupyterLab tab, where a learner opens one notebook after another (a new
    tab loads JupyterLab again: 4 to 5 core-seconds)."""
    yield lab_tab
    if lab_tab.locator(".jp-NotebookPanel").count():  # a test that stopped before it closed it
        close_notebook(lab_tab)


def sources(panel: Locator) -> list[str]:
    """Each code cell's source, as its editor holds it now (also the cells scrolled away, which
    JupyterLab does not draw: their innerText is empty)."""
    return panel.evaluate("""panel => [...panel.querySelectorAll('.jp-CodeCell')].map(cell =>
        [...cell.querySelectorAll('.cm-line')].map(line => line.textContent).join('\\n')
            .replace(/\\u200b/g, '').trim())""")


def code_cell(panel: Locator, source: str) -> Locator:
    """The code cell whose source ends with source now (a learner's edits change others)."""
    return panel.locator(".jp-CodeCell").nth(where(sources(panel), source))


def where(sources: list[str], source: str) -> int:
    return next(i for i, text in enumerate(sources) if text.endswith(source))


def run(page: Page, cell: Locator, source: str | None = None) -> str:
    """Type source into cell (if given), run it (Ctrl+Enter) and return what it printed."""
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    if source is not None:
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(source)
    before = cell.locator(".jp-InputPrompt").inner_text()
    page.keyboard.press("Control+Enter")
    prompt = cell.locator(".jp-InputPrompt")
    expect(prompt).not_to_have_text(before)  # [*] while it runs, then its new number
    expect(prompt).to_have_text(re.compile(r"\[\d+\]"), timeout=60_000)
    return printed(cell)


def printed(cell: Locator) -> str:
    """What a cell shows under it, without its [n] prompt."""
    return "\n".join(cell.locator(".jp-OutputArea-output").all_text_contents())


def run_all(page: Page, panel: Locator, restart: bool = False) -> None:
    """Run All (or Restart and Run All) in a new kernel, and wait until the last cell has run:
    its prompt then counts every code cell (a cell that raised unexpectedly stops Run All)."""
    menu, command = (("Kernel", "runmenu:restart-and-run-all") if restart
                     else ("Run", "runmenu:run-all"))
    page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{menu}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()
    if restart:
        page.locator(".jp-Dialog .jp-mod-accept").click()
    # In a new kernel Run All numbers the code cells 1, 2, ... N in order: before it is done, or
    # where it stopped, or from the run before the restart, they read otherwise.
    panel.locator(".jp-CodeCell").last.scroll_into_view_if_needed()
    panel.page.wait_for_function("""panel => [...panel.querySelectorAll(
        '.jp-CodeCell .jp-InputPrompt')].every((prompt, index) =>
            prompt.textContent.trim() === `[${index + 1}]:`)""",
                                 arg=panel.element_handle(), timeout=120_000)


def tracebacks(panel: Locator) -> list[str]:
    """The outputs that show a whole traceback: an error the lesson does not teach (a taught
    one shows as a short block)."""
    return [text[:300] for text in panel.locator(".jp-OutputArea-output").all_text_contents()
            if "Traceback (most recent call last)" in text or "-----------------" in text]


def folded_solution(panel: Locator, check: Locator) -> str:
    """Unfold the solution under a check, as a learner does, and copy its code."""
    details = check.locator("xpath=following-sibling::div[contains(@class, 'jp-MarkdownCell')]"
                            "[1]//details")
    details.scroll_into_view_if_needed()
    expect(details.locator("pre")).not_to_be_visible()  # folded until clicked
    details.locator("summary").click()
    return details.locator("pre").inner_text()


@pytest.mark.parametrize("notebook", sorted(EXERCISES))
def test_a_learner_runs_all_then_does_every_exercise_then_restarts_and_runs_all(
        notebook, page, lab, open_in_lab, close_notebook):
    panel = open_in_lab(notebook)
    expect(page.locator(".jp-mod-current.jp-mod-dirty")).to_have_count(0)  # opened: not changed
    run_all(page, panel)
    assert tracebacks(panel) == []
    first = sources(panel)
    set_up = next((s for s in first if s.startswith("from helpers import exercises\n\n"
                                                     "exercises.set_up(")), None)
    for exercise in EXERCISES[notebook]:
        check = code_cell(panel, exercise.check)
        index = where(first, exercise.check) - 1
        answer, unanswered = panel.locator(".jp-CodeCell").nth(index), first[index]
        solution = folded_solution(panel, check)
        if set_up:  # after Run All the clean-up deleted what it works on: the check says so
            run(page, answer, solution)
            assert run(page, check).startswith(SET_UP_FIRST)
            run(page, code_cell(panel, set_up))
            set_up = None  # done once, for every exercise of the notebook
        run(page, answer, unanswered)  # nothing typed yet
        assert run(page, check).startswith(NOT_YET)
        run(page, answer, exercise.wrong)
        assert run(page, check).startswith(exercise.says)
        if exercise.undo:
            run(page, answer, exercise.undo)
        run(page, answer, solution)
        verdict = run(page, check)
        assert verdict.startswith(DONE), verdict
    assert tracebacks(panel) == [], "an exercise raised"

    run_all(page, panel, restart=True)  # the solutions are in the answer cells now
    for exercise in EXERCISES[notebook]:
        check = code_cell(panel, exercise.check)
        check.scroll_into_view_if_needed()
        verdict = printed(check)
        assert verdict.startswith(DONE), (verdict, sources(panel))
    assert tracebacks(panel) == []
    assert not shows_private_key(panel.inner_text())
    close_notebook(page)  # discarding the new outputs, as a learner who does not save
    left_as_it_was(lab, notebook)
