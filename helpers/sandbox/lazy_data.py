"""Moto's EC2 data that a key pair lesson never reads, loaded on first use instead of at once.

Importing moto's EC2 models parses the instance types on offer in every Region and zone: 45 MiB
per kernel, for `run_instances`' check of an instance type and `describe_instance_type_offerings`.
And each Region moto makes builds its 1,300 default AMIs, each with a snapshot: 80 ms a Region
(2 ms without), which notebook 06's audit of 17 Regions paid for. defer() imports the models
with the offerings left out, then puts them back as tables that read a Region's file the first
time moto asks for that Region; and a Region's AMIs are made the first time its AMIs or snapshots
are used, and after a reset copied from those first made. Answers are moto's own, which
tests/test_sandbox.py checks, except that a public AMI keeps its snapshot's ID, as on AWS.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any
from unittest import mock  # moto imports it anyway

OFFERINGS = "ec2/resources/instance_type_offerings/"  # then <location type>/<Region>.json[.gz]
INSTANCE_TYPES = "ec2/resources/instance_types.json"


class _Offerings(dict[str, list[dict[str, Any]]]):
    """One location type's offerings by Region, each read from moto's file when first asked
    for: moto reads them with [region] and .get(region, default) only."""

    def __init__(self, location_type: str, files: dict[str, str], load: Callable[[str], Any]
                 ) -> None:
        super().__init__()
        self.location_type, self.files, self.load = location_type, files, load

    def __missing__(self, region: str) -> list[dict[str, Any]]:
        # KeyError for a Region moto has no file for
        offerings: list[dict[str, Any]] = self.load(self.files[region])
        for offering in offerings:  # as moto's import does
            offering["LocationType"] = self.location_type
        self[region] = offerings
        return offerings

    def get(self, region: str, default: Any = None) -> Any:
        return self[region] if region in self.files else default


class _MadeOnFirstUse(dict[Any, Any]):
    """A Region's AMIs or snapshots: `make` fills both tables the first time either is used."""

    def __init__(self, make: list[Any]) -> None:
        super().__init__()
        self.make = make  # shared by both tables: [function], [None] while it runs, [] once run

    def _made(self) -> _MadeOnFirstUse:
        if self.make:
            from moto.core.base_backend import backend_lock

            with backend_lock:  # as moto makes a Region: another thread waits for all of it
                if self.make and self.make[0] is not None:
                    make, self.make[0] = self.make[0], None  # its own writes to the tables pass
                    make()
                    self.make.clear()
        return self


def _use_after_making(name: str) -> Any:
    method = getattr(dict, name)
    return lambda self, *args, **kwargs: method(self._made(), *args, **kwargs)


for _name in ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__iter__", "__len__",
              "__reversed__", "__repr__", "__eq__", "__ne__", "__or__", "__ior__", "get", "keys",
              "values", "items", "pop", "popitem", "setdefault", "update", "copy", "clear"):
    setattr(_MadeOnFirstUse, _name, _use_after_making(_name))


class _AsMade:
    """A moto resource as first made, to copy for another backend (after a reset): the same
    values, and lists, sets and dicts of its own, so that what a learner changes stays in their
    sandbox."""

    def __init__(self, resource: Any) -> None:
        self.kind, self.state = type(resource), {**vars(resource), "ec2_backend": None}
        self.mutable = [name for name, value in self.state.items()
                        if isinstance(value, (list, set, dict))]
        self.state.update((name, self.state[name].copy()) for name in self.mutable)

    def copy(self, backend: Any) -> Any:
        copy = object.__new__(self.kind)
        vars(copy).update(self.state, ec2_backend=backend)
        vars(copy).update((name, self.state[name].copy()) for name in self.mutable)
        return copy


def _defer_amis() -> None:
    """Make a Region's default AMIs (and their snapshots) when first used, not with the Region;
    after a reset, copy them as first made (7 ms) rather than make them again (80 ms)."""
    from moto.ec2.models.amis import AmiBackend

    make_amis = AmiBackend._load_amis
    first_made: dict[tuple[str, str], list[tuple[_AsMade, _AsMade, dict[str, str] | None]]] = {}

    def make(backend: Any) -> None:
        key = (backend.account_id, backend.region_name)
        if key not in first_made:
            make_amis(backend)
            first_made[key] = [(_AsMade(ami), _AsMade(ami.ebs_snapshot),
                                dict(backend.tags[ami.id]) if ami.id in backend.tags else None)
                               for ami in dict.values(backend.amis)]
            return
        for ami_made, snapshot_made, tags in first_made[key]:
            ami, snapshot = ami_made.copy(backend), snapshot_made.copy(backend)
            ami.ebs_snapshot = snapshot
            # dict's own methods: the tables' would wait for this very make
            dict.__setitem__(backend.amis, ami.id, ami)
            dict.__setitem__(backend.snapshots, snapshot.id, snapshot)
            if tags is not None:
                backend.tags[ami.id] = dict(tags)

    def on_first_use(backend: Any) -> None:  # an EC2Backend: its AMIs and EBS's snapshots
        made = [lambda: make(backend)]
        backend.amis = _MadeOnFirstUse(made)
        backend.snapshots = _MadeOnFirstUse(made)  # EBS made it empty, just before

    AmiBackend._load_amis = on_first_use


def _instance_types_on_first_use(instance_types: Any, load: Any, resource: str) -> None:
    """moto's 4 MB table of instance types, read when first used (DescribeInstanceTypes), not
    at import; INSTANCE_FAMILIES, which only moto's Batch reads, made from it when asked for."""
    table = _MadeOnFirstUse([])
    table.make.append(lambda: dict.update(table, load(resource)))
    instance_types.INSTANCE_TYPES = table
    del instance_types.INSTANCE_FAMILIES
    every_type = functools.cache(lambda: list(map(instance_types.InstanceType, table)))
    instance_types.InstanceTypeBackend.instance_types = property(lambda _: every_type())

    def families(name: str) -> Any:
        if name != "INSTANCE_FAMILIES":
            raise AttributeError(name)
        return list({type_name.split(".")[0] for type_name in table})

    instance_types.__getattr__ = families


def defer() -> None:
    """Import moto's EC2 models without the offerings and instance types, which then load on
    first use, and make each Region's AMIs on first use. Call it before anything imports
    moto.ec2 (a second call, or a later one, changes nothing)."""
    if "moto.ec2.models.instance_types" in sys.modules:
        return
    import boto3
    from moto.core.base_backend import AccountSpecificBackend
    from moto.utilities import utils

    eager = utils.load_resource
    files: dict[str, dict[str, str]] = {}

    def skip_offerings(resource: str) -> Any:
        if resource == INSTANCE_TYPES:
            return {}
        if not resource.startswith(OFFERINGS):
            return eager(resource)
        location_type, file_name = resource[len(OFFERINGS):].split("/")
        files.setdefault(location_type, {})[file_name.split(".")[0]] = resource
        return []

    # The Regions' module asks three new sessions for the Regions on offer: moto's own will do.
    with (mock.patch.object(utils, "load_resource", skip_offerings),
          mock.patch.object(boto3, "Session", AccountSpecificBackend.get_session)):
        from moto.ec2.models import availability_zones_and_regions, instance_types
    # Its `from boto3 import Session` took moto's: boto3's again.
    availability_zones_and_regions.Session = boto3.Session
    _instance_types_on_first_use(instance_types, eager, INSTANCE_TYPES)
    for location_type, regions in files.items():
        instance_types.INSTANCE_TYPE_OFFERINGS[location_type] = _Offerings(
            location_type, regions, eager)
    _defer_amis()
