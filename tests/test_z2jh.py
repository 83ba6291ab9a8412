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

from scripts.check_z2jh import CHART_VERSION, RECORD, VALUES, digest, pinned_jupyterhub

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "workshop-hub.md"
CONFIG = ROOT / "hub" / "jupyterhub_config.py"
HOME, IMAGE_COPY = "/home/jovyan", "/srv/tutorial"


def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def record() -> dict:
    return json.loads(RECORD.read_text())


def make_hub_setting(name: str):
    """A literal assigned at the top of hub/jupyterhub_config.py (make hub's own settings)."""
    tree = ast.parse(CONFIG.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            if isinstance(node.value, ast.Call):  # int(os.environ.get(...) or DEFAULT)
                return ast.literal_eval(node.value.args[0].values[-1])
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
                      for p in [image / name, *(image / name).rglob("*")] if p.is_file())
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
