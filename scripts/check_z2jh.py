"""Checks hub/z2jh-values.yaml against the Zero to JupyterHub chart it names, offline, from a git
clone of the chart's repository (no Kubernetes, no network):

    git clone https://github.com/jupyterhub/zero-to-jupyterhub-k8s
    .venv/bin/python -m scripts.check_z2jh zero-to-jupyterhub-k8s

At the chart's release tag: the values, merged into the chart's defaults as Helm merges them
(with the passwords docs/workshop-hub.md gives with --set), are valid for the chart's schema
(jupyterhub/values.schema.yaml, from which the chart's values.schema.json is made); the init
container mounts the home volume the chart gives each attendee; the chart's Hub runs the same
JupyterHub major version as requirements.txt pins for the image. Prints each finding, writes
hub/z2jh-checked.json (what was checked, and a digest of the values: tests/test_hub.py fails if
the values change without a new check) and exits with 1 if anything is wrong.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "hub" / "z2jh-values.yaml"
RECORD = ROOT / "hub" / "z2jh-checked.json"
CHART_VERSION = "4.4.0"  # the chart docs/workshop-hub.md installs (helm ... --version)
# What docs/workshop-hub.md gives at install time, as --set KEY=VALUE, and as --set-file KEY=PATH
# (the room view's two files, read from this repository).
SET = {"hub.config.SharedPasswordAuthenticator.user_password": "a-room-password",
       "hub.config.SharedPasswordAuthenticator.admin_password": "x" * 32}
SET_FILE = {"hub.extraFiles.room-service.stringData": "hub/room_service.py",
            "hub.extraFiles.room-page.stringData": "hub/room_page.html"}


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def version_in(pattern: str, text: str, where: str) -> str:
    """What pattern's group matches on a line of text; LookupError, naming where, if none."""
    match = re.search(pattern, text, re.M)
    if match is None:
        raise LookupError(f"{where} has no line matching {pattern}")
    return match.group(1)


def pinned_jupyterhub() -> str:
    """The JupyterHub version requirements.txt pins (the image's single-user server)."""
    return version_in(r"^jupyterhub==([\w.]+)$", (ROOT / "requirements.txt").read_text(),
                      "requirements.txt")


def merged(defaults: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """values over defaults as Helm merges them: maps key by key, anything else replaced."""
    result = dict(defaults)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merged(result[key], value)
        else:
            result[key] = value
    return result


def with_set(values: dict[str, Any], settings: dict[str, str]) -> dict[str, Any]:
    for dotted, value in settings.items():
        *parents, last = dotted.split(".")
        here = values
        for key in parents:
            here = here.setdefault(key, {})
        here[last] = value
    return values


def check(chart_repo: Path, version: str = CHART_VERSION) -> tuple[list[str], dict[str, Any]]:
    """What is wrong with the values for that chart release (nothing: []), and the record."""
    def at_tag(path: str) -> str:
        return subprocess.run(["git", "-C", str(chart_repo), "show", f"{version}:{path}"],
                              check=True, capture_output=True, text=True).stdout

    text = VALUES.read_text()
    values = with_set(yaml.safe_load(text), {
        **SET, **{key: (ROOT / path).read_text() for key, path in SET_FILE.items()}})
    schema = yaml.safe_load(at_tag("jupyterhub/values.schema.yaml"))
    final = merged(yaml.safe_load(at_tag("jupyterhub/values.yaml")), values)
    problems = [f"schema: {'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                for e in jsonschema.Draft7Validator(schema).iter_errors(final)]

    storage = final["singleuser"]["storage"]
    for container in final["singleuser"]["initContainers"]:
        mounts = {m["name"]: m["mountPath"] for m in container.get("volumeMounts", [])}
        if mounts.get(storage["dynamic"]["volumeNameTemplate"]) != storage["homeMountPath"]:
            problems.append(f"init container {container['name']} does not mount the home volume "
                            f"{storage['dynamic']['volumeNameTemplate']} at "
                            f"{storage['homeMountPath']}")
        image = final["singleuser"]["image"]
        if container["image"] != f"{image['name']}:{image['tag']}":
            problems.append(f"init container {container['name']} runs {container['image']}, "
                            f"not the attendees' image {image['name']}:{image['tag']}")

    chart_hub = version_in(r'^appVersion:\s*"?([\w.]+)"?', at_tag("jupyterhub/Chart.yaml"),
                           "jupyterhub/Chart.yaml")
    hub_image = version_in(r"^jupyterhub==([\w.]+)$", at_tag("images/hub/requirements.txt"),
                           "images/hub/requirements.txt")
    image_hub = pinned_jupyterhub()
    if chart_hub != hub_image:
        problems.append(f"the chart says JupyterHub {chart_hub}, its hub image has {hub_image}")
    if image_hub.split(".")[0] != hub_image.split(".")[0]:
        problems.append(f"the chart's Hub is JupyterHub {hub_image}, the image's single-user "
                        f"server {image_hub}: z2jh asks for the same major version")
    record = {"chart": version, "chart_jupyterhub": hub_image,
              "image_jupyterhub": image_hub, "values_sha256": digest(text),
              "checked": ["values merged into the chart's defaults, with the --set passwords "
                          "and the --set-file files, "
                          "valid for jupyterhub/values.schema.yaml",
                          "init containers mount the chart's home volume and run the image",
                          "the chart's Hub and the image's JupyterHub have the same major"]}
    return problems, record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chart_repo", type=Path, help="a git clone of zero-to-jupyterhub-k8s")
    parser.add_argument("--version", default=CHART_VERSION, help=f"default {CHART_VERSION}")
    args = parser.parse_args()
    problems, record = check(args.chart_repo, args.version)
    for line in record["checked"]:
        print(f"checked: {line}")
    print(f"chart {record['chart']}: JupyterHub {record['chart_jupyterhub']}; the image: "
          f"{record['image_jupyterhub']}")
    for problem in problems:
        print(f"WRONG: {problem}")
    if problems:
        return 1
    RECORD.write_text(json.dumps(record, indent=2) + "\n")
    print(f"all well: recorded in {RECORD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
