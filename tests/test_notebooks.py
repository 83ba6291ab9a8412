"""The notebooks as a whole: recipes that run alone, no private keys, navigation, clean metadata.

nbval (see pyproject.toml) checks each notebook's outputs cell by cell; these tests check what
nbval does not look at.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import nbformat
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from helpers.rules import shows_private_key
from helpers.sandbox.network import LEARNER_ADDRESS
from helpers.sandbox.ppk import to_ppk
from scripts.notebook_rules import (
    KERNELSPEC,
    VOLATILE_CELL_METADATA,
    masked,
    navigation_line,
    notebook_paths,
    recipe_files,
    sanitize_masks,
    table_of_contents,
    title_of,
)
from tests import logins

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = notebook_paths()

# What each recipe prints when it runs alone, on a sandbox that holds no key pair yet.
RECIPE_PRINTS = {
    "00_setup": [r"^Account 123456789012, Region us-east-1$"],
    "01_describe_key_pairs": [r"^0 key pairs in us-east-1$", r"^build-server exists: False$"],
    "02_create_key_pair": [
        r"^Created key-[0-9a-f]{17}; private key in keys/sandbox/my-created-key\.pem, mode 0o600$"],
    "03_delete_key_pair": [r"^No key pair named spare in us-east-1$"],
    "04_import_key_pair": [r"^us-east-1: imported: key-[0-9a-f]{17} [A-Za-z0-9+/]{43}=$",
                           r"^eu-west-1: imported: key-[0-9a-f]{17} [A-Za-z0-9+/]{43}=$"],
    "05_key_pair_manager": [
        r"^Created workshop-key; private key saved to keys/sandbox/workshop-key\.pem \(mode "
        r"0600\)\.$", r"^keys/sandbox/workshop-key\.pem already exists: choose another name\.$"],
    "02_key_pair_secret": [
        r"^Created key-[0-9a-f]{17}; private key only in the secret ec2-key-pair/ci-deploy-key$"],
    "05_keypairs_cli": [
        r"^Created key-[0-9a-f]{17}; private key in keys/sandbox/cli-key\.pem \(mode 0600\)$"],
    "06_audit_key_pairs": [r"^0 key pairs in 17 Regions, 0 could not be asked$"],
    "07_use_a_key_pair": [r"^0 running instance\(s\) with a key pair in us-east-1\.$",
                          r"^usage: python 07_use_a_key_pair\.py \[-h\] \[--user USER\] "
                          r"\[--host HOST\]"],
    "08_key_pairs_as_code": [r"^0 key pair\(s\) made by stacks in us-east-1\.$",
                             r"^usage: python 08_key_pairs_as_code\.py \[-h\] \[--folder DIR\] "
                             r"\[STACK\] \[LOGICAL_ID\]$"],
    "07_windows_password": [r"^0 running Windows instance\(s\) in us-east-1\.$",
                            r"^usage: python 07_windows_password\.py \[-h\] \[INSTANCE_ID\] "
                            r"\[KEY_FILE\]$"],
}
# What a user types after the file: the README's folder for a sandbox run's keys.
RECIPE_ARGS = {"02_create_key_pair": ["keys/sandbox"],
               "05_keypairs_cli": ["create", "cli-key", "--folder", "keys/sandbox"]}
# What a person does with a recipe's widgets, after it runs: type, click, read the result.
RECIPE_CLICKS = {
    "05_key_pair_manager": "from tests.person import press\n\nFOLDER = Path('keys/sandbox')\n"
                           "name.value = 'workshop-key'\n"
                           "for _ in range(2):\n    press(button)\n    print(result.value)\n",
}
# What a user has before a recipe runs: the 04 recipe imports the .pub file ssh-keygen made.
RECIPE_NEEDS = {"04_import_key_pair": ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                                       "keys/my-laptop"]}
# Private key files a recipe promises to leave, mode 0600, in the folder it runs in.
RECIPE_KEY_FILES = {"02_create_key_pair": ["keys/sandbox/my-created-key.pem"],
                    "05_key_pair_manager": ["keys/sandbox/workshop-key.pem"],
                    "05_keypairs_cli": ["keys/sandbox/cli-key.pem"]}

# Key material, not a mention of it: a PEM or PPK header followed by base64 lines, also when
# the text sits in JSON or a string literal (quotes, escaped newlines between the lines).
_GAP = r"""(?:\\r|\\n|[\s"',])*"""
PRIVATE_KEY_MATERIAL = re.compile(
    rf"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----{_GAP}[A-Za-z0-9+/]{{40,}}"
    rf"|Private-Lines: \d+{_GAP}[A-Za-z0-9+/]{{40,}}"
)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def cells_tagged(notebook: nbformat.NotebookNode, tag: str) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if tag in cell.metadata.get("tags", [])]


def output_text(output: nbformat.NotebookNode) -> str:
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return f"{output.ename}: {output.evalue}\n" + "\n".join(output.traceback)
    return "\n".join(str(value) for value in output.get("data", {}).values())


def test_there_are_notebooks_to_check():
    assert [p.name[:2] for p in NOTEBOOKS][:5] == ["00", "01", "02", "03", "04"]


# --- Recipes -----------------------------------------------------------------------------

# (file stem, source) of every recipe cell, which recipes/STEM.py holds.
RECIPE_FILES = {file: text for path in NOTEBOOKS for file, text in recipe_files(path).items()}
RECIPES = [(file.stem, text) for file, text in RECIPE_FILES.items()]


def run_recipe(stem: str, folder: Path, aws: dict[str, str] | None = None,
               args: list[str] | None = None) -> subprocess.CompletedProcess:
    """Copy a recipe's file into folder and run it there, as the README says, on a fresh
    sandbox: python -m helpers.sandbox run FILE; or, given aws (environment variables), as plain
    python FILE, as a developer who copied it does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EC2_KEYPAIRS"))}
    env["HOME"] = str(folder)  # no ~/.aws: the sandbox (or aws) is all there is
    env["PYTHONPATH"] = str(ROOT)  # helpers.sandbox, from wherever the copy runs
    env.update(aws or {})
    script = folder / f"{stem}.py"
    script.write_text((ROOT / "recipes" / script.name).read_text() + "\n"
                      + RECIPE_CLICKS.get(stem, ""))
    if stem in RECIPE_NEEDS and shutil.which(RECIPE_NEEDS[stem][0]):  # else the test says so
        (folder / "keys").mkdir(mode=0o700)
        subprocess.run(RECIPE_NEEDS[stem], cwd=folder, check=True)
    sandbox = ["-m", "helpers.sandbox", "run"] if aws is None else []
    args = RECIPE_ARGS.get(stem, []) if args is None else args
    return subprocess.run([sys.executable, *sandbox, script.name, *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=180)


@pytest.fixture(scope="module")
def recipe_runs(tmp_path_factory):
    """Every recipe's run, one interpreter per core at a time (each takes seconds to start)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        runs = {}
        for stem, _ in RECIPES:
            folder = tmp_path_factory.mktemp(stem)
            runs[stem] = (pool.submit(run_recipe, stem, folder), folder)
        yield runs


def test_every_notebook_ends_its_lesson_with_a_recipe():
    stems = [stem for stem, _ in RECIPES]
    for path in NOTEBOOKS:
        assert path.stem in stems, f"{path.name} needs a cell tagged recipe (no recipe_file)"


@pytest.mark.parametrize(("stem", "source"), RECIPES, ids=[stem for stem, _ in RECIPES])
def test_recipe_uses_plain_boto3_only(stem, source):
    assert "import boto3" in source, f"the {stem} recipe must make its own boto3 client"
    assert not re.search(r"^\s*(from|import) helpers\b", source, re.MULTILINE), (
        f"the {stem} recipe imports the tutorial's helpers: a reader cannot copy it")


def test_no_code_uses_a_filter_the_api_reference_does_not_document():
    """DescribeKeyPairs documents key-pair-id, key-name, fingerprint, tag-key and tag:<key>;
    the sandbox's key-type filter is unverified on AWS, so no lesson or recipe relies on it."""
    for path in NOTEBOOKS:
        for cell in read(path).cells:
            if cell.cell_type == "code":
                assert "'key-type'" not in cell.source, f"{path.name}: filter the response"


def test_each_recipe_file_is_its_notebooks_recipe_cell():
    assert sorted((ROOT / "recipes").glob("*.py")) == sorted(RECIPE_FILES), (
        "recipes/ holds a file no notebook exports, or lacks one: run make execute")
    for file, text in RECIPE_FILES.items():
        assert file.read_text() == text, f"{file.name} differs from its notebook: run make execute"


@pytest.mark.parametrize(("stem", "source"), RECIPES, ids=[stem for stem, _ in RECIPES])
def test_recipe_runs_alone_and_prints_what_it_promises(stem, source, recipe_runs, need):
    if stem in RECIPE_NEEDS:
        need(RECIPE_NEEDS[stem][0])
    assert stem in RECIPE_PRINTS, (
        f"add what the {stem} recipe prints on an empty sandbox to RECIPE_PRINTS")
    run, folder = recipe_runs[stem]
    result = run.result()
    stdout, stderr = result.stdout, result.stderr
    assert result.returncode == 0, f"the {stem} recipe failed on its own:\n{stderr[-2000:]}"
    for expected in RECIPE_PRINTS[stem]:
        assert re.search(expected, stdout, re.MULTILINE), (
            f"the {stem} recipe should print a line matching {expected!r}; it printed:\n{stdout}")
    assert not shows_private_key(stdout + stderr), f"the {stem} recipe shows a private key"
    for name in RECIPE_KEY_FILES.get(stem, []):
        key_file = folder / name
        assert key_file.is_file(), f"the {stem} recipe should leave its private key in {name}"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600, f"{name} must have mode 0600"
        for level in key_file.relative_to(folder).parents[:-1]:  # keys/ too, not only its leaf
            assert stat.S_IMODE((folder / level).stat().st_mode) == 0o700, f"{level}: mode 0700"


def test_the_create_recipe_run_again_in_its_folder_says_why_fails_and_replaces_nothing(
        recipe_runs):
    run, folder = recipe_runs["02_create_key_pair"]
    assert run.result().returncode == 0  # the first run, done: its key file is there
    first = (folder / "keys/sandbox/my-created-key.pem").read_text()
    again = run_recipe("02_create_key_pair", folder)
    assert again.returncode == 1 and "Traceback" not in again.stderr, again.stderr
    assert again.stderr.splitlines()[-1] == ("keys/sandbox/my-created-key.pem exists: move it "
                                             "away or choose another name. Nothing was created.")
    assert (folder / "keys/sandbox/my-created-key.pem").read_text() == first


@pytest.mark.parametrize("stem, words", [("02_create_key_pair", []),
                                         ("05_keypairs_cli", ["create", "cli-key"])])
def test_a_sandbox_run_writes_no_key_into_the_folder_for_real_keys(stem, words, tmp_path):
    """Told to save into keys/ (the default), it stops with a sentence, and leaves nothing."""
    refused = run_recipe(stem, tmp_path, args=words)
    assert refused.returncode != 0 and "Traceback" not in refused.stderr, refused.stderr
    assert refused.stderr.splitlines()[-1].startswith(
        "A sandbox run writes no file into keys/, the folder for real private keys")
    assert [p for p in (tmp_path / "keys").rglob("*") if p.is_file()] == []


# What a developer who copied a recipe meets first: no Region set, or no credentials. Plain python,
# no sandbox; nothing can leave the machine: no credentials are found, the instance metadata
# service is off, and every proxy is a closed port on this machine.
NO_AWS = {"AWS_EC2_METADATA_DISABLED": "true", "HTTP_PROXY": "http://127.0.0.1:9",
          "HTTPS_PROXY": "http://127.0.0.1:9"}
MISSING = {"no Region": NO_AWS, "no credentials": {**NO_AWS, "AWS_DEFAULT_REGION": "us-east-1"}}


@pytest.fixture(scope="module")
def runs_without_aws(tmp_path_factory):
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        yield {(stem, missing): pool.submit(run_recipe, stem, tmp_path_factory.mktemp(stem), aws)
               for stem, _ in RECIPES for missing, aws in MISSING.items()}


@pytest.mark.parametrize("missing", MISSING)
@pytest.mark.parametrize(("stem", "source"), RECIPES, ids=[stem for stem, _ in RECIPES])
def test_a_recipe_without_a_region_or_credentials_says_so_without_a_traceback(
        stem, source, missing, runs_without_aws, need):
    if stem in RECIPE_NEEDS:
        need(RECIPE_NEEDS[stem][0])
    result = runs_without_aws[stem, missing].result()
    said = (result.stdout + result.stderr).strip()
    assert "Traceback" not in said, f"the {stem} recipe, with {missing}, fails with:\n{said}"
    assert re.search("region|credentials", said.splitlines()[-1] if said else "",
                     re.IGNORECASE), f"with {missing}, the {stem} recipe ends:\n{said}"


# --- No private key anywhere --------------------------------------------------------------


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name]


def test_the_private_key_detector_finds_real_keys():
    ed = ed25519.Ed25519PrivateKey.generate()
    pem = rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode()
    openssh = ed.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                               serialization.NoEncryption()).decode()
    ppk = to_ppk(ed, "test")
    for material in (pem, openssh, ppk):
        for shown in (material, json.dumps(material), json.dumps(material.splitlines(True))):
            assert PRIVATE_KEY_MATERIAL.search(shown), shown
    mention = 'if b"BEGIN RSA PRIVATE' + ' KEY" in data:'
    assert not PRIVATE_KEY_MATERIAL.search(mention)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shows_no_private_key(path):
    for index, cell in enumerate(read(path).cells):
        assert not PRIVATE_KEY_MATERIAL.search(cell.source), f"{path.name} cell {index} source"
        for output in cell.get("outputs", []):
            # Outputs may not even mention a private key: they are what a reader sees and shares.
            assert not shows_private_key(output_text(output)), (
                f"{path.name} cell {index} shows private key material: print redacted(response)")


def test_no_tracked_file_holds_a_private_key():
    holding = [str(path.relative_to(ROOT)) for path in tracked_files() if path.is_file()
               and PRIVATE_KEY_MATERIAL.search(path.read_bytes().decode("utf-8", "replace"))]
    assert holding == [], f"private key material committed in {holding}"


# --- What nbval masks, and what it compares exactly -----------------------------------------


def stored_outputs() -> list[str]:
    return [output_text(output) for path in NOTEBOOKS for cell in read(path).cells
            for output in cell.get("outputs", [])]


def test_every_mask_matches_a_stored_output():
    outputs = stored_outputs()
    for name, pattern, _ in sanitize_masks():
        assert any(re.search(pattern, text) for text in outputs), (
            f"the mask [{name}] in tests/nbval-sanitize.cfg matches no stored output: remove it")


def test_masks_tell_fingerprint_kinds_apart():
    sha1, md5 = ":".join(["ab"] * 20), ":".join(["cd"] * 16)
    sha256 = base64.b64encode(bytes(range(32))).decode()
    assert masked(f"'{sha1}' '{md5}' {sha256}") == (
        "'SHA1-FINGERPRINT' 'MD5-FINGERPRINT' SHA256-FINGERPRINT")


def test_the_key_01_imports_and_its_fingerprint_are_stored_and_compared_exactly(need):
    source = "".join(cell.source for cell in read(NOTEBOOKS[1]).cells)
    (public_key,) = re.findall(r"ALICE_PUBLIC_KEY = '(ssh-ed25519 [A-Za-z0-9+/]+)'", source)
    printed = subprocess.run([need("ssh-keygen"), "-l", "-f", "-"], input=public_key, text=True,
                             capture_output=True, check=True).stdout  # '256 SHA256:… (ED25519)'
    fingerprint = printed.split()[1].removeprefix("SHA256:") + "="  # EC2 keeps the padding
    outputs = [text for cell in read(NOTEBOOKS[1]).cells for text in map(
        output_text, cell.get("outputs", []))]
    for value in (public_key, fingerprint):
        assert any(value in text for text in outputs), f"01 should show {value}"
        assert masked(value) == value, f"nbval-sanitize.cfg masks {value}, which never changes"


# --- Navigation and table of contents ------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_its_numbered_title(path):
    assert title_of(path).startswith(path.name[:2] + " · ")


@pytest.mark.parametrize("index", range(len(NOTEBOOKS)), ids=[p.name for p in NOTEBOOKS])
def test_notebook_ends_with_the_navigation_line(index):
    last = read(NOTEBOOKS[index]).cells[-1]
    assert last.cell_type == "markdown"
    assert last.source == navigation_line(NOTEBOOKS[index], NOTEBOOKS), "run make execute"


def test_set_up_notebook_lists_every_notebook_in_order():
    (toc,) = cells_tagged(read(NOTEBOOKS[0]), "toc")
    assert toc.source == table_of_contents(NOTEBOOKS), "run make execute to refresh it"
    assert toc.source.count("\n- [") == len(NOTEBOOKS)


# --- A page of a book ----------------------------------------------------------------------

SCREEN_LINES = 40
RECIPE_LINES = 100  # a recipe is a whole file to copy: splitting it would break the copy


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_cell_or_output_is_longer_than_a_screen(path):
    for index, cell in enumerate(read(path).cells):
        limit = RECIPE_LINES if "recipe" in cell.metadata.get("tags", []) else SCREEN_LINES
        assert len(cell.source.splitlines()) <= limit, f"{path.name} cell {index}: split it"
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            long = f"{path.name} cell {index} shows a long output: show less of it"
            if "text/html" in data:  # what JupyterLab and the site show: a table's rows
                assert data["text/html"].count("<tr") <= SCREEN_LINES, long
                continue
            text = output.get("text", "") + data.get("text/plain", "")
            assert len(text.splitlines()) <= SCREEN_LINES and len(text) <= 100 * SCREEN_LINES, (
                long)


# --- Clean, reproducible metadata -----------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_metadata_is_clean(path):
    notebook = read(path)
    assert notebook.metadata.get("kernelspec") == KERNELSPEC
    assert set(notebook.metadata) <= {"kernelspec", "language_info"}, (
        f"{path.name} holds metadata {sorted(notebook.metadata)}: run make execute")
    assert "version" not in notebook.metadata.get("language_info", {})
    for index, cell in enumerate(notebook.cells):
        noise = set(VOLATILE_CELL_METADATA) & set(cell.metadata)
        assert not noise, f"{path.name} cell {index} metadata holds {noise}: run make execute"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_run_top_to_bottom_with_outputs_stored(path):
    code = [cell for cell in read(path).cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), (
        f"{path.name} was not run top to bottom in one kernel: run make execute")
    for cell in code:
        for output in cell.outputs:
            if output.output_type == "execute_result":
                assert output.execution_count == cell.execution_count
    assert any(cell.outputs for cell in code), f"{path.name} has no stored outputs"
    first_shown = next(cell for cell in code if cell.outputs)
    assert "Backend: " in output_text(first_shown.outputs[0]), (
        f"{path.name}'s first output must be the line naming the backend it uses")


def test_07s_recipes_run_from_a_terminal_against_the_sandbox_server_as_the_readme_says(
        tmp_path, need):
    """The README's way: the sandbox as a server (make sandbox-server), 07's instances launched
    on it, and in a terminal, at the repository's root, the recipes with the endpoint set."""
    ssh_keygen = need("ssh-keygen")
    server = subprocess.Popen([sys.executable, "-u", "-m", "helpers.sandbox.server", "--port",
                               "0"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        url = re.search(r"http://[\d.]+:\d+", server.stdout.readline())[0]
        terminal = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
                    "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
        ec2 = boto3.client("ec2", endpoint_url=url, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        group = ec2.create_security_group(GroupName="ssh", Description="SSH from me")["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=group, IpProtocol="tcp", FromPort=22,
                                             ToPort=22, CidrIp=f"{LEARNER_ADDRESS}/32")
        web_key = tmp_path / "web.pem"
        web_key.write_text(ec2.create_key_pair(KeyName="web", KeyType="ed25519")["KeyMaterial"])
        web_key.chmod(0o600)
        web = ec2.run_instances(ImageId=logins.LINUX_IMAGE, MinCount=1, MaxCount=1, KeyName="web",
                                SecurityGroupIds=[group])["Instances"][0]["InstanceId"]
        port = re.search(r"port (\d+)\.", ec2.get_console_output(InstanceId=web)["Output"])[1]
        keys = {}  # ssh-keygen -t rsa as people run it: OpenSSH's format, then with a passphrase
        for name, passphrase in (("id_rsa", ""), ("locked", "correct horse")):
            subprocess.run([ssh_keygen, "-q", "-t", "rsa", "-N", passphrase, "-f",
                            str(tmp_path / name)], check=True)
            ec2.import_key_pair(KeyName=name, PublicKeyMaterial=(tmp_path / f"{name}.pub")
                                .read_bytes())
            keys[name] = ec2.run_instances(ImageId=logins.WINDOWS_IMAGE, MinCount=1, MaxCount=1,
                                           KeyName=name)["Instances"][0]["InstanceId"]

        def typed(*line: str, answer: str | None = None) -> str:
            done = subprocess.run([sys.executable, *line], cwd=ROOT, env=terminal, text=True,
                                  capture_output=True, input=answer, timeout=60)
            return done.stdout + done.stderr

        listed = typed("recipes/07_use_a_key_pair.py")
        assert listed.startswith(f"{web} web ") and "usage: python recipes/07_use_a_key_pair.py" \
            in listed
        assert typed("recipes/07_use_a_key_pair.py", web, str(web_key), "whoami", "--host",
                     "127.0.0.1", "--port", port) == "ec2-user\n"
        plain = typed("recipes/07_windows_password.py", keys["id_rsa"], str(tmp_path / "id_rsa"))
        assert re.fullmatch(r"[A-Za-z0-9!$%&()*;=?@]{32}\n", plain), plain
        asked = typed("recipes/07_windows_password.py", keys["locked"], str(tmp_path / "locked"),
                      answer="correct horse\n")
        assert re.match(r"[A-Za-z0-9!$%&()*;=?@]{32}\n", asked), asked  # printed: the password
        assert f"Passphrase for {tmp_path / 'locked'}: " in asked  # asked on the terminal
        assert typed("recipes/07_windows_password.py", web, str(tmp_path / "id_rsa")) == (
            f"Could not get the password: {web} is a Linux instance: it has no Administrator "
            "password. Log in with SSH and its key pair instead.\n")
    finally:
        server.kill()
