"""The set-up: one place for pins, environment.yml in agreement, kernels that start sandboxed, and
JupyterLab's defaults for the tutorial (no autosave, no news) in make setup's environment and in
the one Binder builds (postBuild), from one file."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import site
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from jupyter_client.manager import start_new_kernel

from helpers import kernel
from helpers.sandbox.network import LEARNER_ADDRESS
from scripts.load_test import descendants, free_port

ROOT = Path(__file__).resolve().parents[1]


def requirement_names(text: str) -> set[str]:
    return {re.split(r"[=<>!~\[ #]", line.strip())[0].lower()
            for line in text.splitlines() if line.strip() and not line.startswith(("#", " "))}


def test_every_requirement_is_pinned_once():
    lines = [line for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line and not line.startswith(("#", " "))]
    assert lines and all(re.fullmatch(r"[A-Za-z0-9_.\-\[\],]+==[\w.]+", line) for line in lines)
    direct = requirement_names((ROOT / "requirements.in").read_text())
    assert direct <= requirement_names("\n".join(lines)), "run make lock"


def test_environment_yml_installs_the_pinned_set_and_the_helpers():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert pip == ["-r requirements.txt", "-e ."]
    python = next(d for d in environment["dependencies"] if str(d).startswith("python="))
    assert tuple(map(int, python.split("=")[1].split("."))) >= (3, 10)


def test_jupyter_servers_start_without_compiling_iri_grammars():
    """rfc3987-syntax, left out of the pinned set, would cost every JupyterLab, Voila and Hub
    server 2.7 s at start: jsonschema imports it whenever it is installed."""
    check = "import sys, jupyter_server.serverapp; print('rfc3987_syntax' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", check], check=True, capture_output=True,
                            text=True).stdout.strip()
    assert loaded == "False", "rfc3987-syntax is installed: make lock, then make setup"


def test_readme_commands_are_make_targets_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    for target in ("lab", "test"):
        assert f"make {target}" in readme
        subprocess.run(["make", "-n", target], cwd=ROOT, check=True, capture_output=True)
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci[-1] == "make test"
    dry_run = subprocess.run(["make", "-n", "test"], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout
    assert "ruff check" in dry_run.split("pytest")[0], "CI lints before it tests"
    assert "bin/mypy" in dry_run.split("pytest")[0], "CI checks the types before it tests"


def answers(url: str) -> bool:
    """Whether an HTTP server answers at url (a refusal such as 403 is an answer)."""
    try:
        urllib.request.urlopen(url, timeout=2).close()
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


@pytest.mark.parametrize(("target", "probe"), [("lab", "api/status"),
                                               ("demo", "voila/static/voila.js")])
def test_make_lab_and_demo_serve_on_the_port_given_and_say_when_it_is_taken(target, probe,
                                                                             tmp_path):
    """As the README writes it: make lab PORT=9000, make demo PORT=9000 (here a free port)."""
    assert f"make {target} PORT=9000" in (ROOT / "README.md").read_text()
    env = {**os.environ, "BROWSER": "true",  # no browser window from a test
           **{name: str(tmp_path / name.lower()) for name in (
               "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")}}
    make = ["make", "-s", "-o", ".venv/.ready", target]  # .ready: no set-up from inside a test
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        refused = subprocess.Popen([*make, f"PORT={port}"], cwd=ROOT, env=env, text=True,
                                   start_new_session=True, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        try:
            said = refused.communicate(timeout=60)[0]
        except subprocess.TimeoutExpired:
            said = f"make {target} PORT={port} still runs after 60 s, on another port"
        finally:
            stop(refused)
    assert refused.returncode != 0 and f"{port}" in said and "could not be started" in said, said
    port = free_port()
    server = subprocess.Popen([*make, f"PORT={port}"], cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not answers(f"http://127.0.0.1:{port}/{probe}"):
            assert server.poll() is None, f"make {target} PORT={port} stopped"
            assert time.monotonic() < deadline, f"nothing answers on port {port}"
            time.sleep(0.5)
    finally:
        stop(server)


def stop(make: subprocess.Popen) -> None:
    """Stop make and the server it started, as Ctrl-C does, and wait for the server's kernels
    to go (one still starting as the server stops ends itself once it sees its parent gone)."""
    if make.poll() is not None:
        return
    started = descendants(make.pid)
    os.killpg(make.pid, signal.SIGTERM)
    make.wait(30)
    deadline = time.monotonic() + 15
    while any(Path(f"/proc/{pid}").exists() for pid in started):
        if time.monotonic() > deadline:
            for pid in started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.5)


@pytest.mark.parametrize(("target", "exit_code"), [("test", 0), ("test", 1), ("check", 0),
                                                   ("check", 1)])
def test_make_test_and_check_run_lint_and_types_then_pytest_on_every_core_and_fail_when_it_fails(
        tmp_path, target, exit_code):
    """make test runs every test in one pytest run, spread over every core in the groups
    conftest.py keeps together; make check the same for all but the slow ones. (pytest, ruff and
    mypy here only record their arguments and exit with the code the test gives.)"""
    calls = tmp_path / "calls"
    fake = (f"#!/bin/sh\nprintf '%s\\t' \"$(basename \"$0\")\" \"$@\" >> {calls}; echo >> {calls}\n"
            'case "$0" in *pytest) exit $PYTEST_EXIT;; esac\n')
    for tool in ("pytest", "ruff", "mypy"):
        (tmp_path / tool).write_text(fake)
        (tmp_path / tool).chmod(0o755)
    make = ["make", "-s", "-o", ".venv/.ready", target, f"BIN={tmp_path}", "WITH_PROXY="]
    done = subprocess.run(make, cwd=ROOT, capture_output=True,
                          env={**os.environ, "PYTEST_EXIT": str(exit_code)})
    assert (done.returncode != 0) == bool(exit_code)
    run = [line.split("\t")[:-1] for line in calls.read_text().splitlines()]
    assert [arguments[0] for arguments in run] == ["ruff", "mypy", "pytest"]
    every_core = ["-n", "auto"]
    assert run[2][1:] == (every_core if target == "test" else [
        *every_core, "tests", "-m", "not slow and not process and not moto_data and not server",
        "-p", "no:nbval", "-o", "addopts=-ra", "--hypothesis-profile=quick", "-q"])


def test_make_test_runs_a_worker_more_than_the_cores_and_make_check_one_a_core(pytestconfig):
    """make test's tests wait on kernels, Chromium and the Hub nearly half the time: a
    third worker on two cores takes its wall time from about 6 to 5 minutes."""
    def workers(markexpr: str) -> int:
        config = SimpleNamespace(option=SimpleNamespace(markexpr=markexpr, numprocesses="auto"))
        return pytestconfig.hook.pytest_xdist_auto_num_workers(config=config)

    cores = workers("not slow and not process and not moto_data and not server")
    assert cores == len(os.sched_getaffinity(0)) and workers("") == cores + 1


def test_kernel_config_install_is_idempotent(tmp_path, monkeypatch):
    config = tmp_path / "etc" / "ipython" / "ipython_kernel_config.py"
    monkeypatch.setattr(kernel, "KERNEL_CONFIG", config)
    config.parent.mkdir(parents=True)
    config.write_text("c.Existing = 1\n" + kernel.OLD_CONFIG_LINES[0])  # set up before 0.2
    kernel.install()
    kernel.install()
    assert config.read_text() == "c.Existing = 1\n" + kernel.CONFIG_LINE


def run_in_fresh_kernel(code: str, env: dict[str, str] | None = None) -> str:
    """What code prints in a new kernel of this environment (its set-up done by the extension)."""
    assert Path(sys.prefix, "etc", "ipython", "ipython_kernel_config.py").exists(), "make setup"
    manager, client = start_new_kernel(kernel_name="python3", env=env or dict(os.environ))
    try:
        printed, errors = [], []

        def on_output(msg: dict) -> None:
            content = msg["content"]
            if msg["msg_type"] == "stream" and content["name"] == "stdout":
                printed.append(content["text"])
            elif msg["msg_type"] == "error":
                errors.append(f"{content['ename']}: {content['evalue']}")

        client.execute_interactive(code, output_hook=on_output, timeout=60)
        assert not errors, f"the kernel raised {errors}"
        return "".join(printed).strip()
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_a_fresh_kernel_is_sandboxed_before_any_setup_cell_and_shows_all_a_command_printed():
    """The !command's last line reaches the terminal once its shell has exited, as an !ssh's
    output sometimes does (pexpect alone drops it)."""
    code = ("import boto3\nprint(boto3.client('ec2').describe_key_pairs()['KeyPairs'])\n"
            "!trap '' HUP; (sleep 0.2; echo printed as the shell exited) & exit 0")
    assert run_in_fresh_kernel(code).splitlines() == ["[]", "printed as the shell exited"]


def test_a_fresh_kernel_on_an_endpoint_here_gives_the_readme_region_and_the_sandbox_address(
        tmp_path):
    """A plain client gets the README's Region; the learner's address is the sandbox's, as the
    sandbox server's instances expect (nothing asked of the internet); and ssh asks nothing."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_DEFAULT_REGION", "AWS_REGION")
           and not k.startswith("SSH_ASKPASS")}
    env.update(AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_CONFIG_FILE=str(tmp_path / "none"))
    code = ("import boto3, os, urllib.request\nc = boto3.client('ec2')\n"
            "print(c.meta.region_name, c.meta.endpoint_url)\n"
            "print(urllib.request.urlopen('https://checkip.amazonaws.com').read().decode(), end='')"
            "\nprint(os.environ['SSH_ASKPASS_REQUIRE'])")
    assert run_in_fresh_kernel(code, env).splitlines() == [
        "us-east-1 http://127.0.0.1:9", LEARNER_ADDRESS, kernel.NO_QUESTIONS["SSH_ASKPASS_REQUIRE"]]


def test_a_taught_error_shows_as_a_short_block_and_other_errors_in_full():
    manager, client = start_new_kernel(kernel_name="python3", env=dict(os.environ))
    try:
        def error_of(code: str) -> dict:
            errors = []
            client.execute_interactive(code, timeout=60, output_hook=lambda msg: errors.append(
                msg["content"]) if msg["msg_type"] == "error" else None)
            (error,) = errors
            return error

        taught = error_of("import boto3\nec2 = boto3.client('ec2')\n"
                          "def find(name):\n    return ec2.describe_key_pairs(KeyNames=[name])\n"
                          "find('gone')")
        assert taught["ename"] == "ClientError"
        assert taught["traceback"] == [
            f"ClientError: {taught['evalue']}",
            "  in your code, line 5: find('gone')",
            "  in your code, line 4: return ec2.describe_key_pairs(KeyNames=[name])",
            "What to do: The key pair 'gone' does not exist in this Region: check the name or id "
            "with describe_key_pairs(), or look in the Region where you created it.",
            "(the frames inside boto3 and the helpers are hidden: %tb shows them all)"]
        own_bug = error_of("def half(n):\n    return n / 0\nhalf(4)")
        text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(own_bug["traceback"]))  # no colours
        assert own_bug["ename"] == "ZeroDivisionError" and "Traceback" in text
        assert "return n / 0" in text  # the user's own bug keeps its whole traceback
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


LAB_SETTINGS = ROOT / "lab-settings" / "overrides.json"
# The defaults a learner notices: reading a notebook never rewrites it, and no news prompt.
NOTICED = {("@jupyterlab/docmanager-extension:plugin", "autosave"): False,
           ("@jupyterlab/apputils-extension:notification", "fetchNews"): "false"}


def lab_defaults(python: Path) -> dict[tuple[str, str], object]:
    """The defaults JupyterLab run by `python` gives each setting of lab-settings/overrides.json:
    its schema's default, changed by the overrides.json of that environment, as its settings API
    answers."""
    wanted = [[plugin, key] for plugin, keys in json.loads(LAB_SETTINGS.read_text()).items()
              for key in keys]
    code = ("import json, os, sys\n"
            "from jupyterlab.commands import get_app_dir\n"
            "from jupyterlab_server.settings_utils import get_settings\n"
            "found = []\n"
            "for plugin, key in json.loads(sys.argv[1]):\n"
            "    app = get_app_dir()\n"
            "    answer, _ = get_settings(os.path.join(app, 'settings'),\n"
            "                             os.path.join(app, 'schemas'), os.devnull, plugin)\n"
            "    found.append([plugin, key, answer['schema']['properties'][key]['default']])\n"
            "print(json.dumps(found))")
    printed = subprocess.run([str(python), "-c", code, json.dumps(wanted)],
                             check=True, capture_output=True, text=True).stdout
    return {(plugin, key): value for plugin, key, value in json.loads(printed)}


def test_make_setups_jupyterlab_does_not_autosave_nor_fetch_news():
    defaults = lab_defaults(Path(sys.executable))
    assert {k: defaults[k] for k in NOTICED} == NOTICED
    assert defaults == {(plugin, key): value for plugin, keys in
                        json.loads(LAB_SETTINGS.read_text()).items() for key, value in keys.items()}


def test_binders_postbuild_gives_its_jupyterlab_the_same_defaults_and_sandboxed_kernels(tmp_path):
    """postBuild run as repo2docker runs it (in the repository's folder, the environment's python
    first on PATH), on a scratch environment that sees this one's packages, with JupyterLab's
    schemas in its own prefix as an install puts them."""
    scratch = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(scratch)], check=True)
    lab = scratch / "share" / "jupyter" / "lab"
    lab.mkdir(parents=True)
    (lab / "schemas").symlink_to(Path(sys.prefix, "share", "jupyter", "lab", "schemas"))
    (Path(site.getsitepackages()[0].replace(sys.prefix, str(scratch), 1)) / "tutorial.pth"
     ).write_text(f"{site.getsitepackages()[0]}\n{ROOT}\n")
    env = {**os.environ, "PATH": f"{scratch / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "postBuild"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    defaults = lab_defaults(scratch / "bin" / "python")
    assert {k: defaults[k] for k in NOTICED} == NOTICED
    assert defaults == lab_defaults(Path(sys.executable))  # as make setup's
    assert kernel.CONFIG_LINE in (scratch / "etc" / "ipython" / "ipython_kernel_config.py"
                                  ).read_text()
