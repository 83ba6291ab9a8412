"""docs/workshop-hub.md on Zero to JupyterHub, checked without Kubernetes: the values it installs
(hub/z2jh-values.yaml) are the ones scripts/check_z2jh.py checked against the chart's own schema
and defaults (hub/z2jh-checked.json); the chart's Hub and the image run the same JupyterHub major;
the steps are complete; each attendee starts in their own copy, in their home, made before their
server starts, by a command that survives KubeSpawner's templates and keeps their changes."""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers.exercises import EXERCISES
from hub.tutorial_copy import LEFT_OUT
from scripts.check_z2jh import CHART_VERSION, RECORD, SET_FILE, VALUES, digest, pinned_jupyterhub

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "workshop-hub.md"
CONFIG = ROOT / "hub" / "jupyterhub_config.py"
HOME, IMAGE_COPY = "/home/jovyan", "/srv/tutorial"


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def record() -> dict:
    return json.loads(RECORD.read_text())


def make_hub_setting(name: str):
    """A literal assigned at the top of hub/jupyterhub_config.py or hub/tutorial_copy.py (make
    hub's own settings)."""
    tree = ast.parse(CONFIG.read_text() + (ROOT / "hub" / "tutorial_copy.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            if isinstance(node.value, ast.Call):  # int(os.environ.get(...) or DEFAULT), or
                given = node.value.args[0]  # re.compile("...")
                return ast.literal_eval(given.values[-1] if isinstance(given, ast.BoolOp)
                                        else given)
            return ast.literal_eval(node.value)
    raise LookupError(name)


def test_the_values_are_the_ones_checked_against_the_charts_schema():
    assert digest(VALUES.read_text()) == record()["values_sha256"], (
        "hub/z2jh-values.yaml changed since it was checked: run python -m scripts.check_z2jh "
        "<a clone of zero-to-jupyterhub-k8s>")
    assert record()["chart"] == CHART_VERSION


def test_the_images_jupyterhub_has_the_major_version_of_the_charts_hub():
    chart, image = record()["chart_jupyterhub"], pinned_jupyterhub()
    assert image.split(".")[0] == chart.split(".")[0], (
        f"requirements.txt pins JupyterHub {image}; chart {CHART_VERSION} runs {chart}")


def test_the_guide_gives_every_step_with_the_chart_version_that_was_checked():
    guide = GUIDE.read_text()
    assert "helm repo add jupyterhub https://hub.jupyter.org/helm-chart/" in guide
    assert "helm repo update" in guide
    install = re.search(r"^helm upgrade .*?(?<!\\)\n", guide, re.S | re.M).group(0)
    assert f"--version={CHART_VERSION}" in install and "jupyterhub/jupyterhub" in install
    assert "--values hub/z2jh-values.yaml" in install
    for key in ("user_password", "admin_password"):
        assert f"--set hub.config.SharedPasswordAuthenticator.{key}=" in install
    for key, path in SET_FILE.items():
        assert f"--set-file {key}={path}" in install
    assert "jupyter-repo2docker" in guide and f"--target-repo-dir {IMAGE_COPY}" in guide
    assert f"chart {CHART_VERSION}" in guide and record()["chart_jupyterhub"] in guide


def test_attendees_start_in_their_own_home_with_no_poststart_hook():
    singleuser = values()["singleuser"]
    assert values()["hub"]["config"]["KubeSpawner"]["working_dir"] == HOME
    assert singleuser["defaultUrl"] == "/lab/tree/notebooks/00_setup.ipynb"
    assert "lifecycleHooks" not in singleuser  # z2jh: postStart may finish after the start
    (init,) = singleuser["initContainers"]
    assert {m["mountPath"] for m in init["volumeMounts"]} == {HOME}


def test_the_copy_command_survives_kubespawners_templates():
    """KubeSpawner fills each string of an init container with str.format (user names and the
    like), then strips a trailing '-': a shell's braces would break it."""
    names = {"user_server": "ada", "username": "ada", "servername": "", "userid": 1,
             "unescaped_username": "ada", "unescaped_servername": "", "hubnamespace": "hub",
             "safe_username": "ada", "safe_servername": "", "safe_user_server": "ada",
             "escaped_username": "ada", "escaped_servername": "",
             "escaped_user_server": "ada--", "pod_name": "jupyter-ada", "pvc_name": "claim-ada",
             "namespace": "hub"}

    def strings(node):
        if isinstance(node, dict):
            return [s for v in node.values() for s in strings(v)]
        if isinstance(node, list):
            return [s for v in node for s in strings(v)]
        return [node] if isinstance(node, str) else []

    (init,) = values()["singleuser"]["initContainers"]
    for text in strings(init):
        filled = text.format(**names)
        assert filled.rstrip("-") == text.replace("{user_server}", "ada"), text


@pytest.fixture
def image(tmp_path) -> Path:
    """What the image holds in /srv/tutorial, from a clone of the repository: no keys/."""
    image = tmp_path / "srv" / "tutorial"
    for name in ("notebooks", "recipes", "docs"):
        shutil.copytree(ROOT / name, image / name, ignore=shutil.ignore_patterns(
            "keys", ".ipynb_checkpoints", "__pycache__"))
    return image


def run_copy(image: Path, home: Path) -> None:
    (init,) = values()["singleuser"]["initContainers"]
    command = [part.replace(IMAGE_COPY, str(image)).replace(HOME, str(home))
               for part in init["command"]]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def test_the_copy_is_made_once_holds_what_make_hub_copies_and_keeps_an_attendees_changes(
        image, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    run_copy(image, home)
    copied = sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file())
    expected = sorted(str(p.relative_to(image)) for name in make_hub_setting("COPIED")
                      for p in [image / name, *(image / name).rglob("*")] if p.is_file()
                      and not LEFT_OUT.intersection(p.relative_to(image).parts))
    assert copied == expected
    notebook = home / "notebooks" / "02_create_key_pair.ipynb"
    notebook.write_text("{}")  # the attendee's own work, then their server starts again
    (home / "recipes" / "mine.py").write_text("print('mine')\n")
    run_copy(image, home)
    assert notebook.read_text() == "{}"
    assert (home / "recipes" / "mine.py").exists()
    assert not list(home.rglob("*.copying"))


def test_idle_kernels_and_servers_are_culled_as_make_hub_culls_them():
    culling = values()["singleuser"]["extraFiles"]["kernel-culling"]
    assert culling["mountPath"] == "/etc/jupyter/jupyter_server_config.json"
    kernels = culling["data"]["MappingKernelManager"]
    assert kernels["cull_idle_timeout"] == make_hub_setting("KERNEL_IDLE")
    assert kernels["cull_connected"] is True
    cull = values()["cull"]
    assert cull["enabled"] is True and cull["timeout"] == make_hub_setting("SERVER_IDLE")


def test_the_room_connects_over_https():
    https = values()["proxy"]["https"]
    assert https["enabled"] is True and https["hosts"]


def test_the_room_view_runs_in_the_hubs_pod_and_every_exercise_has_its_column():
    hub = values()["hub"]
    room = hub["services"]["room"]
    assert room["command"][:2] == ["python3", hub["extraFiles"]["room-service"]["mountPath"]]
    assert hub["extraFiles"]["room-page"]["mountPath"] == str(
        Path(hub["extraFiles"]["room-service"]["mountPath"]).with_name("room_page.html"))
    given = next(a for a in room["command"] if a.startswith("--exercises="))
    assert given.removeprefix("--exercises=").split(",") == sorted(EXERCISES), (
        "a check was added or renamed in helpers/exercises: give its id to the room view here")
    port = int(room["url"].rsplit(":", 1)[1])
    assert {"name": "room", "port": port, "targetPort": port} in hub["service"]["extraPorts"]
    assert hub["loadRoles"]["room"] == {"services": ["room"],
                                        "scopes": ["list:users", "read:users"]}
    # the kernels send their verdicts to it, and the presenter's page reaches it, through the
    # network policies
    singleuser = values()["singleuser"]
    assert singleuser["extraEnv"]["TUTORIAL_ROOM_URL"] == f"{room['url']}/services/room/"
    for rule in (singleuser["networkPolicy"]["egress"][0],
                 values()["proxy"]["chp"]["networkPolicy"]["egress"][0]):
        assert rule["ports"] == [{"port": port}]
    assert hub["networkPolicy"]["ingress"][0]["ports"] == [{"port": port}]


def test_attendees_work_is_saved_as_they_go_as_on_make_hub():
    autosave = values()["singleuser"]["extraFiles"]["autosave"]
    assert autosave["mountPath"] == "/etc/jupyter/labconfig/default_setting_overrides.json"
    on_make_hub = json.loads((ROOT / "hub" / "lab-config" / "labconfig" /
                              "default_setting_overrides.json").read_text())
    assert autosave["data"] == on_make_hub
