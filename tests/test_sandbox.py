"""The sandbox lives in its own room: nothing happens on import, its fixes refuse a moto they do
not fit, and its warm-up sends no request and prints nothing."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import botocore.endpoint
import moto
import pytest
from botocore.exceptions import ClientError
from moto.ec2.models.amis import AMIS
from moto.utilities.utils import load_resource

from helpers import KeyPairError, sandbox
from helpers.backend import regional_client
from helpers.sandbox import fidelity

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.process
def test_importing_the_helpers_changes_nothing_outside_them():
    code = ("import botocore.session, pandas as pd\n"
            "loader = botocore.session.create_loader\n"
            "import helpers, helpers.forms, helpers.sandbox, helpers.kernel\n"
            "import sys\n"
            "print('moto' in sys.modules, botocore.session.create_loader is loader,\n"
            "      pd.get_option('display.max_colwidth'))")
    assert run_python(code) == "False True 50"


@pytest.mark.process
def test_key_pair_tables_show_fingerprints_whole_without_changing_pandas():
    code = ("import pandas as pd\nfrom helpers import key_pairs_table\n"
            "fingerprint = ':'.join(['ab'] * 20)\n"
            "table = key_pairs_table({'KeyName': 'k', 'KeyFingerprint': fingerprint})\n"
            "print(fingerprint in repr(table[['KeyFingerprint']]),\n"
            "      fingerprint in table._repr_html_(),\n"
            "      fingerprint in repr(pd.DataFrame({'f': [fingerprint]})))")
    assert run_python(code) == "True True False"


@pytest.mark.process
def test_a_key_pair_lesson_reads_none_of_the_instance_type_offerings_nor_makes_amis():
    # moto parses the offerings for every Region at import: 45 MiB that no key pair call reads;
    # and it made 1,300 AMIs with each Region: 80 ms a Region, in notebook 06's audit of 17
    code = ("from helpers import ec2_client\n"
            "ec2 = ec2_client()\n"
            "ec2.create_key_pair(KeyName='k'); ec2.describe_key_pairs()\n"
            "ec2.delete_key_pair(KeyName='k')\n"
            "from moto.ec2.models.instance_types import INSTANCE_TYPE_OFFERINGS as offerings\n"
            "from moto.ec2.models import ec2_backends\n"
            "from moto.ec2.models.instance_types import INSTANCE_TYPES\n"
            "regions = dict.values(ec2_backends['123456789012'])\n"
            "print(sorted(offerings), sum(map(len, offerings.values())), dict.__len__(\n"
            "      INSTANCE_TYPES), len(regions), sum(dict.__len__(r.amis) for r in regions))")
    assert run_python(code).splitlines()[-1] == \
        "['availability-zone', 'availability-zone-id', 'region'] 0 0 1 0"


def test_importing_the_kernels_sandbox_start_loads_neither_boto3_nor_pandas_nor_moto():
    # what every kernel of the environment loads before its first reply: 0.3 s of pandas alone
    code = ("import sys, helpers, helpers.kernel\n"
            "print([name for name in ('boto3', 'pandas', 'moto') if name in sys.modules])")
    assert run_python(code) == "[]"


@pytest.mark.moto_data
def test_instance_types_read_on_first_use_are_those_of_moto_files(ec2):
    from moto.ec2.models.instance_types import INSTANCE_FAMILIES

    expected = load_resource("ec2/resources/instance_types.json")
    pages = regional_client("us-east-1").get_paginator("describe_instance_types").paginate()
    answered = {kind["InstanceType"] for page in pages for kind in page["InstanceTypes"]}
    assert answered == set(expected) and len(answered) > 500
    assert sorted(INSTANCE_FAMILIES) == sorted({name.split(".")[0] for name in expected})


def test_moto_reads_the_ec2_model_botocore_parsed_with_its_extras_and_botocore_keeps_its_own(ec2):
    # parsed once, not twice (the 10 MB file: 40-100 ms of every kernel's start)
    import botocore.session
    from moto.core.loaders import create_loader
    from moto.core.utils import _load_service_model

    assert _load_service_model("ec2", "service-2") == create_loader().load_service_model(
        "ec2", "service-2")
    botocores = botocore.session.create_loader().load_service_model("ec2", "service-2")
    assert "DryRunOperation" in _load_service_model("ec2", "service-2")["shapes"]
    assert "DryRunOperation" not in botocores["shapes"]  # moto's extras stay moto's
    assert _load_service_model("ec2", "service-2")["operations"] is botocores["operations"]
    assert not list(Path(botocore.__file__).parent.glob("data/ec2/*/service-2.sdk-extras*"))


@pytest.mark.moto_data
def test_a_regions_amis_and_their_snapshots_are_those_of_moto_files(ec2):
    # made on first use, by either call, and answered as plain moto answers them
    region = "eu-west-3"  # one is enough: each call lists 1,300 of them, 4 s
    expected = {ami["ami_id"] for ami in AMIS} | {
        ami["ami_id"] for folder in ("latest_amis", "ecs/optimized_amis")
        for ami in load_resource(f"ec2/resources/{folder}/{region}.json")}
    client = regional_client(region)
    snapshots = client.describe_snapshots()["Snapshots"]
    images = client.describe_images()["Images"]
    assert {image["ImageId"] for image in images} == expected
    assert sorted(s["SnapshotId"] for s in snapshots) == sorted(
        image["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"] for image in images)


@pytest.mark.process
def test_a_process_on_the_sandbox_leaves_motos_data_to_the_os_at_exit():
    # Collected at exit, moto's data kept a kernel's restart waiting (1.3 s; 2.5 s after 06):
    # the collector must find nothing to do then. Registered first, this line runs last.
    code = ("import atexit, gc\n"
            "atexit.register(lambda: print(gc.get_freeze_count(), len(gc.get_objects())))\n"
            "from helpers import ec2_client\n"
            "ec2_client().describe_key_pairs()")
    frozen, left = map(int, run_python(code).splitlines()[-1].split())
    assert frozen > 100_000 and left == 0


def test_after_a_reset_a_regions_amis_are_back_as_first_made_whatever_was_done_to_them(ec2):
    # copied from the first make after a reset (made again, they cost 80 ms a Region)
    client = regional_client("eu-west-3")
    public = [AMIS[0]["ami_id"],
              load_resource("ec2/resources/ecs/optimized_amis/eu-west-3.json")[-1]["ami_id"]]
    client.describe_images(ImageIds=public)  # made in this process, here at the latest
    sandbox.reset()  # so that what follows changes copies, which must not reach the next ones
    first = client.describe_images(ImageIds=public)["Images"]
    snapshot = first[0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
    first_snapshot = client.describe_snapshots(SnapshotIds=[snapshot])["Snapshots"]
    client.create_tags(Resources=[public[0], snapshot], Tags=[{"Key": "seen", "Value": "yes"}])
    client.modify_image_attribute(ImageId=public[1], Attribute="launchPermission",
                                  LaunchPermission={"Remove": [{"Group": "all"}]})
    client.modify_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission",
                                     OperationType="add", UserIds=["111122223333"])
    client.deregister_image(ImageId=public[0])
    sandbox.reset()
    assert client.describe_images(ImageIds=public)["Images"] == first
    assert client.describe_snapshot_attribute(
        SnapshotId=snapshot, Attribute="createVolumePermission")["CreateVolumePermissions"] == []
    assert client.describe_snapshots(SnapshotIds=[snapshot])["Snapshots"] == first_snapshot


def test_calls_that_first_use_a_regions_amis_at_once_all_see_every_one(ec2):
    # as on a shared sandbox server, which answers attendees' calls in threads
    last = load_resource("ec2/resources/ecs/optimized_amis/eu-west-3.json")[-1]["ami_id"]
    sandbox.reset()
    client = regional_client("eu-west-3")

    def ask(_) -> str:
        try:
            return client.describe_images(ImageIds=[last])["Images"][0]["ImageId"]
        except ClientError as error:
            return error.response["Error"]["Code"]

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(ask, range(8))) == {last}


def test_sandbox_clients_share_their_methods_and_each_still_gets_its_own_class(ec2):
    # made afresh for every client, EC2's 830 methods cost 15 ms a client
    session = boto3.session.Session(region_name="eu-west-1")
    session.events.register("creating-client-class.ec2",
                            lambda class_attributes, **_: class_attributes.update(tutorial=1))
    own, plain = session.client("ec2"), boto3.client("ec2", region_name="eu-west-1")
    assert type(own).create_key_pair is type(plain).create_key_pair
    assert own.tutorial == 1 and not hasattr(plain, "tutorial")
    assert "KeyName" in str(plain.create_key_pair.__doc__)  # what ec2.create_key_pair? shows
    assert plain.create_key_pair(KeyName="shared")["KeyName"] == "shared"


def test_each_sandbox_client_finds_the_operation_that_discovers_endpoints_as_botocore_does(ec2):
    # looked for once per service (5 ms a client), on each client's own model
    for service, operation in (("ec2", None), ("dynamodb", "DescribeEndpoints"),
                               ("dynamodb", "DescribeEndpoints")):
        model = boto3.client(service, region_name="eu-west-1").meta.service_model
        found = model.endpoint_discovery_operation
        assert (found and found.name) == operation == next((
            name for name in model.operation_names
            if model.operation_model(name).is_endpoint_discovery_operation), None)
        assert found is None or found.service_model is model


@pytest.mark.moto_data
@pytest.mark.parametrize("location_type", ["region", "availability-zone", "availability-zone-id"])
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3"])
def test_instance_type_offerings_are_those_of_moto_files(ec2, region, location_type):
    # read on first use, and answered as plain moto answers them: what its data files hold
    folder = Path(moto.__file__).parent / "ec2/resources/instance_type_offerings" / location_type
    expected = json.loads(gzip.decompress((folder / f"{region}.json.gz").read_bytes()))
    pages = regional_client(region).get_paginator("describe_instance_type_offerings").paginate(
        LocationType=location_type)
    answered = [offer for page in pages for offer in page["InstanceTypeOfferings"]]
    assert sorted((o["InstanceType"], o["Location"], o["LocationType"]) for o in answered) == \
        sorted((o["InstanceType"], o["Location"], location_type) for o in expected)
    assert len(answered) > 100


@pytest.mark.moto_data
def test_launching_checks_the_instance_type_against_the_region_offerings(ec2, monkeypatch):
    # moto checks it only when asked to (as AWS always does)
    monkeypatch.setattr(moto.settings, "EC2_ENABLE_INSTANCE_TYPE_VALIDATION", True)
    client = regional_client("ap-south-1")
    image = client.describe_images()["Images"][0]["ImageId"]
    launched = client.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1)
    client.terminate_instances(InstanceIds=[launched["Instances"][0]["InstanceId"]])
    with pytest.raises(ClientError, match="InvalidInstanceType"):
        client.run_instances(ImageId=image, InstanceType="t3.colossal", MinCount=1, MaxCount=1)


def test_fixes_refuse_a_moto_release_they_were_not_tested_with(monkeypatch):
    monkeypatch.setattr(fidelity, "_applied", False)
    monkeypatch.setattr(moto, "__version__", "5.9.1")
    with pytest.raises(KeyPairError, match=r"moto 5\.9\.1 .*review .*sandbox/fidelity against"):
        fidelity.apply()


@pytest.mark.parametrize("version, fits", [("5.1.9", False), ("5.2.0", True), ("5.2.17", True),
                                           ("5.3.0", False)])
def test_the_fixes_fit_moto_from_the_first_release_up_to_the_last_excluded(monkeypatch, version,
                                                                          fits):
    monkeypatch.setattr(fidelity, "MOTO_VERSIONS", ((5, 2), (5, 3)))
    monkeypatch.setattr(moto, "__version__", version)
    said = fidelity.moto_mismatch()
    assert (said is None) == fits
    if not fits:
        assert said == (f"moto {version} is not a release the sandbox's fixes were tested with "
                        f"(>= 5.2, < 5.3): install the pinned versions (make setup), or review "
                        f"{Path(fidelity.__file__).parent} against it.")


def test_a_wrapped_method_that_moto_dropped_is_a_mismatch(monkeypatch):
    class Gone:
        pass

    monkeypatch.setattr(fidelity.key_pairs, "SIGNATURES", {(Gone, "create_key_pair"): ("self",)})
    assert fidelity.moto_mismatch() == (
        f"moto {moto.__version__} changed Gone.create_key_pair(), which the sandbox's fixes wrap "
        f"as ('self',): review {fidelity.key_pairs.__file__} against it.")


def test_a_fix_wraps_its_method_and_gets_the_original():
    class Backend:
        def answer(self, value):
            return f"moto says {value}"

    def fix(self, original, value):
        return original(self, value.upper()) + ", fixed"

    fidelity._wrap(Backend, "answer", fix)
    assert Backend().answer("hi") == "moto says HI, fixed"
    assert Backend.answer.__name__ == "answer"


def test_fixes_refuse_a_moto_whose_wrapped_methods_changed(monkeypatch):
    from moto.ec2.models.key_pairs import KeyPairBackend

    monkeypatch.setattr(fidelity, "_applied", False)
    monkeypatch.setattr(KeyPairBackend, "delete_key_pair", lambda self, name, force: None)
    with pytest.raises(KeyPairError,
                       match=r"KeyPairBackend\.delete_key_pair.*fidelity/key_pairs\.py"):
        fidelity.apply()


def test_applied_fixes_keep_the_names_and_signatures_of_what_they_wrap():
    sandbox.start()  # applies the fixes
    assert fidelity._applied and fidelity.moto_mismatch() is None


def test_the_package_bounds_moto_to_the_range_the_fixes_were_tested_with():
    first, last = fidelity.MOTO_VERSIONS
    spec = f'"moto[ec2]>={first[0]}.{first[1]},<{last[0]}.{last[1]}"'
    assert spec in (ROOT / "pyproject.toml").read_text()
    pinned = next(line for line in (ROOT / "requirements.txt").read_text().splitlines()
                  if line.startswith("moto=="))
    assert first <= tuple(map(int, pinned.split("==")[1].split(".")[:2])) < last


@pytest.fixture
def fresh_warm_up(monkeypatch):
    monkeypatch.setattr(sandbox, "_warm_up", None)
    monkeypatch.setattr(sandbox, "warm_up_error", None)
    was_running = sandbox.is_running()
    yield
    if not was_running:
        sandbox.stop()


def test_warm_up_sends_no_request_and_stop_waits_for_it(fresh_warm_up, monkeypatch):
    requests = []
    monkeypatch.setattr(botocore.endpoint.Endpoint, "make_request",
                        lambda self, *args, **kwargs: requests.append(args))
    sandbox.warm_up()
    thread = sandbox._warm_up
    sandbox.stop()  # as a learner who opts in to live AWS at once
    assert not thread.is_alive() and requests == [] and sandbox.warm_up_error is None
    sandbox.start()


def test_a_reset_in_a_first_cell_waits_for_the_warm_up_and_leaves_the_sandbox_empty(
        fresh_warm_up, monkeypatch):
    """Notebooks 01-04 reset the sandbox in their first cell, maybe while the kernel's warm-up
    still fills the Region it is about to empty."""
    def slow_warm_up():  # as if it filled the Region after the reset began
        time.sleep(0.3)
        boto3.client("ec2", region_name="us-east-1").create_key_pair(KeyName="warm",
                                                                     KeyType="ed25519")

    monkeypatch.setattr(sandbox, "_load_ec2_data", slow_warm_up)
    sandbox.warm_up()
    sandbox.reset()
    time.sleep(0.5)  # a warm-up still running would have filled the Region again by now
    assert boto3.client("ec2", region_name="us-east-1").describe_key_pairs()["KeyPairs"] == []


def test_warm_up_keeps_its_error_and_prints_nothing(fresh_warm_up, monkeypatch, capfd):
    import moto.core.utils

    def broken(name):
        raise OSError("botocore's data is unreadable")

    monkeypatch.setattr(moto.core.utils, "get_service_model", broken)
    sandbox.warm_up()
    sandbox._warm_up.join()
    assert "unreadable" in str(sandbox.warm_up_error)
    assert capfd.readouterr() == ("", "")


RECIPE = """import sys
import boto3

ec2 = boto3.client('ec2')
made = ec2.create_key_pair(KeyName=sys.argv[1], KeyType='ed25519')
print(made['KeyName'], [k['KeyName'] for k in ec2.describe_key_pairs()['KeyPairs']])
"""


def run_on_sandbox(tmp_path, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EC2_KEYPAIRS"))}
    return subprocess.run([sys.executable, "-m", "helpers.sandbox", "run", *args], cwd=tmp_path,
                          env={**clean, "HOME": str(tmp_path), **env}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.process
def test_a_copied_recipe_runs_on_the_sandbox_with_its_arguments(tmp_path):
    (tmp_path / "recipe.py").write_text(RECIPE)
    result = run_on_sandbox(tmp_path, "recipe.py", "laptop")  # no credentials, no Region
    assert result.returncode == 0, result.stderr
    assert result.stdout == "laptop ['laptop']\n"
    assert "on the sandbox" in result.stderr


@pytest.mark.process
def test_running_on_the_sandbox_refuses_an_endpoint_and_a_missing_file(tmp_path):
    (tmp_path / "recipe.py").write_text(RECIPE)
    redirected = run_on_sandbox(tmp_path, "recipe.py", "x", AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert redirected.returncode == 2
    assert redirected.stderr.endswith("unset AWS_ENDPOINT_URL and run again.\n")
    missing = run_on_sandbox(tmp_path, "nope.py")
    assert missing.returncode == 2 and "There is no file nope.py" in missing.stderr


class Shell:
    """As much of IPython's shell as the kernel extension uses."""

    def __init__(self) -> None:
        from IPython.core.events import EventManager, available_events

        self.events = EventManager(self, available_events)
        self.custom_exc = None

    def set_custom_exc(self, classes, handler) -> None:
        self.custom_exc = classes


def test_a_kernel_answers_before_its_sandbox_is_ready_and_its_first_cell_waits_for_it(
        monkeypatch):
    from helpers import kernel

    go_on, done = threading.Event(), []
    monkeypatch.setattr(kernel, "set_up", lambda: (go_on.wait(10), done.append("set up")))
    shell = Shell()
    kernel.load_ipython_extension(shell)  # the kernel's first reply comes after this
    assert done == [], "the extension waited for the sandbox"
    threading.Timer(0.2, go_on.set).start()
    shell.events.trigger("pre_run_cell", None)  # the first cell
    assert done == ["set up"] and shell.custom_exc is not None
    shell.events.trigger("pre_run_cell", None)  # later cells: nothing left to wait for
    assert done == ["set up"]


def test_a_sandbox_that_did_not_start_says_so_in_the_first_cell(monkeypatch, capsys):
    from helpers import kernel

    def broken() -> None:
        raise OSError("moto's data is unreadable")

    monkeypatch.setattr(kernel, "set_up", broken)
    shell = Shell()
    kernel.load_ipython_extension(shell)
    shell.events.trigger("pre_run_cell", None)
    assert capsys.readouterr().err.startswith(
        "The sandbox did not start (OSError(\"moto's data is unreadable\")): this kernel is NOT "
        "sandboxed.")
    assert shell.custom_exc is None


def test_the_sandbox_starts_once_when_the_kernel_and_a_cell_start_it_at_once(monkeypatch):
    was_running = sandbox.is_running()
    sandbox.stop()
    starts = []
    monkeypatch.setattr(sandbox._mock, "start", lambda: (time.sleep(0.1), starts.append(1)))
    monkeypatch.setattr(sandbox._mock, "stop", lambda: None)
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: sandbox.start(), range(4)))
        assert starts == [1] and sandbox.is_running()
    finally:
        sandbox._running = False
        monkeypatch.undo()
        if was_running:
            sandbox.start()
