"""Key pairs across every Region: one inventory, what uses each key pair, and what to look at.

Key pairs are Regional, so the audit asks each enabled Region at once (a bounded pool, one client
per Region made before the threads start, botocore's standard retries). A Region that fails is a
row saying why, never a crash and never a silent gap.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import pandas as pd
from tqdm.auto import tqdm

from helpers import arguments
from helpers.backend import regional_client
from helpers.errors import KeyPairError, explain
from helpers.keypairs import describe_key_pairs
from helpers.rules import key_blob, shown
from helpers.tables import COLUMNS, KeyPairsTable, key_pairs_table

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

# One call at a time per Region (each Region has its own request rate), up to 20 Regions at once.
WORKERS = 20
ENABLED = ["opt-in-not-required", "opted-in"]
# Instance states that still hold a key name: all but terminated.
LIVE_STATES = ["pending", "running", "shutting-down", "stopping", "stopped"]
INVENTORY = ["Region", *COLUMNS, "PublicKey", "Error"]  # the inventory's columns
USAGE = ["Region", "KeyName", "UsedBy", "Error"]  # usage's columns


def enabled_regions(ec2: EC2Client) -> list[str]:
    """The Regions the account has enabled (an opt-in Region only once opted in), sorted."""
    response = ec2.describe_regions(Filters=[{"Name": "opt-in-status", "Values": ENABLED}])
    return sorted(region["RegionName"] for region in response["Regions"])


def regional_clients(regions: Iterable[str]) -> dict[str, EC2Client]:
    """One EC2 client per Region, on the backend this process already uses (made here, before
    the threads start, and kept for the next audit: see backend.regional_client)."""
    return {region: regional_client(region) for region in regions}


def _regions(ec2: EC2Client, regions: list[str] | None) -> list[str]:
    if regions is None:
        return enabled_regions(ec2)
    return arguments.regions(regions)


def each_region(regions: list[str], ask: Callable[[EC2Client], Any], *, what: str,
                workers: int = WORKERS, progress: bool = True) -> dict[str, Any]:
    """ask(client) for every Region at once; each Region's answer, or the exception it raised."""
    clients = regional_clients(regions)
    answers: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(regions)))) as pool:
        futures = {pool.submit(ask, client): region for region, client in clients.items()}
        for future in tqdm(as_completed(futures), total=len(futures), desc=what, unit="Region",
                           disable=not progress, leave=False):
            error = future.exception()
            answers[futures[future]] = error if error is not None else future.result()
    return answers


def why(error: BaseException) -> str:
    """The one sentence that says why a Region could not be asked."""
    return str(error if isinstance(error, KeyPairError) else explain(error))


def _region_rows(region: str, answer: Any) -> pd.DataFrame:
    if isinstance(answer, BaseException):
        return pd.DataFrame([{"Region": region, "Error": why(answer)}])
    table = key_pairs_table(answer)
    table.insert(0, "Region", region)
    return table


def inventory(ec2: EC2Client, regions: list[str] | None = None, *,
              workers: int = WORKERS, progress: bool = True) -> KeyPairsTable:
    """Every key pair of every enabled Region (or of the given ones) as one table with a Region
    column and each PublicKey; a Region that failed is a row whose Error says why."""
    regions = _regions(ec2, regions)
    answers = each_region(regions, lambda client: describe_key_pairs(client,
                                                                     include_public_key=True),
                          what="Key pairs", workers=workers, progress=progress)
    parts = [_region_rows(region, answers[region]) for region in sorted(answers)]
    table = pd.concat(parts) if parts else pd.DataFrame()  # numbered 0 to n-1 once sorted
    table = table.reindex(columns=INVENTORY)
    table["CreateTime"] = pd.to_datetime(table["CreateTime"], utc=True)
    table = KeyPairsTable(table.sort_values(["Region", "KeyName"], ignore_index=True))
    table.attrs["asked"] = sorted(regions)  # a Region with no key pairs has no row
    return table


def _users_in(client: EC2Client) -> list[tuple[str, str]]:
    """(key name, what uses it) in one Region: instances not terminated, and the latest and
    default versions of each launch template."""
    users = []
    pages = client.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": LIVE_STATES}])
    for page in pages:
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                if instance.get("KeyName"):
                    users.append((instance["KeyName"], f"instance {instance['InstanceId']} "
                                                       f"({instance['State']['Name']})"))
    for templates in client.get_paginator("describe_launch_templates").paginate():
        for template in templates["LaunchTemplates"]:
            versions = client.describe_launch_template_versions(
                LaunchTemplateId=template["LaunchTemplateId"], Versions=["$Latest", "$Default"])
            for version in versions["LaunchTemplateVersions"]:
                name = version["LaunchTemplateData"].get("KeyName")
                user = (f"launch template {template['LaunchTemplateName']} "
                        f"v{version['VersionNumber']}")
                if name and (name, user) not in users:
                    users.append((name, user))
    return users


def usage(ec2: EC2Client, regions: list[str] | None = None, *,
          workers: int = WORKERS, progress: bool = True) -> KeyPairsTable:
    """What uses each key name, Region by Region: one row per (Region, KeyName, UsedBy). A Region
    that failed is a row whose Error says why (its key pairs then count as used: unknown)."""
    regions = _regions(ec2, regions)
    answers = each_region(regions, _users_in, what="Usage", workers=workers, progress=progress)
    rows = []
    for region in sorted(answers):
        answer = answers[region]
        if isinstance(answer, BaseException):
            rows.append({"Region": region, "Error": why(answer)})
        else:
            rows += [{"Region": region, "KeyName": name, "UsedBy": user} for name, user in answer]
    return KeyPairsTable(rows, columns=USAGE)


def findings(keys: pd.DataFrame, used: pd.DataFrame, *, owner_tag: str = "Owner",
             older_than_days: int = 90, now: datetime | None = None) -> KeyPairsTable:
    """The inventory with what to look at, one column each: UsedBy, Unused, AgeDays, Old (more
    than older_than_days), NoOwner (no owner_tag tag), SameKeyIn (the other Regions holding the
    same public key)."""
    keys = arguments.table(keys, "keys", "audit.inventory(ec2)", INVENTORY)
    used = arguments.table(used, "used", "audit.usage(ec2)", USAGE)
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) \
            or older_than_days < 0:
        raise KeyPairError(f"older_than_days={shown(older_than_days)} is not a number "
                           "of days: give a whole number, e.g. older_than_days=90.")
    now = now or datetime.now(timezone.utc)
    table = keys[keys["Error"].isna()].copy()
    failed = set(used.loc[used["Error"].notna(), "Region"])
    users = (used.dropna(subset=["KeyName"]).groupby(["Region", "KeyName"])["UsedBy"]
             .agg(", ".join))
    table["UsedBy"] = [users.get((r, k), "") for r, k in zip(table["Region"], table["KeyName"],
                                                                 strict=True)]
    # Unknown where usage could not be asked: never called unused on a guess.
    table["Unused"] = (table["UsedBy"] == "") & ~table["Region"].isin(failed)
    table["AgeDays"] = (now - table["CreateTime"]).dt.days
    table["Old"] = table["AgeDays"] > older_than_days
    table["NoOwner"] = ~table["Tags"].str.contains(rf"(?:^|, ){re.escape(owner_tag)}=")
    blobs = table["PublicKey"].map(key_blob)
    regions_of = table.groupby(blobs)["Region"].agg(lambda r: sorted(set(r)))
    table["SameKeyIn"] = [", ".join(x for x in regions_of[b] if x != region) if b else ""
                          for b, region in zip(blobs, table["Region"], strict=True)]
    return KeyPairsTable(table.drop(columns="Error"))


def report(keys: pd.DataFrame, found: pd.DataFrame, *, owner_tag: str = "Owner",
           older_than_days: int = 90) -> str:
    """The audit in a few lines a person reads first."""
    keys = arguments.table(keys, "keys", "audit.inventory(ec2)", ["Region", "Error"])
    found = arguments.table(found, "found", "audit.findings(keys, used)",
                            ["Region", "KeyName", "Unused", "Old", "NoOwner", "SameKeyIn"])
    failed = keys[keys["Error"].notna()]
    shared = found[found["SameKeyIn"] != ""]
    asked = len(keys.attrs.get("asked", keys["Region"].unique()))
    lines = [f"{len(found)} key pairs in {found['Region'].nunique()} Regions ({asked} asked).",
             f"Unused (no instance or launch template names them): {int(found['Unused'].sum())}.",
             f"Older than {older_than_days} days: {int(found['Old'].sum())}.",
             f"Without an {owner_tag} tag: {int(found['NoOwner'].sum())}.",
             f"Imported into several Regions: {shared['KeyName'].nunique()} key name(s), "
             f"{len(shared)} key pairs."]
    lines += [f"{row.Region} could not be asked: {row.Error}" for row in failed.itertuples()]
    return "\n".join(lines)
