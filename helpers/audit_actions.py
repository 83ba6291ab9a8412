"""Acting on the audit, safely: one public key in many Regions, and a clean-up that shows what it
would delete before it deletes anything."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from helpers import arguments
from helpers.audit import WORKERS, each_region, why
from helpers.errors import KeyPairError
from helpers.keypairs import delete_key_pair, describe_key_pairs, import_key_pair, read_public_key
from helpers.rules import key_blob
from helpers.tables import KeyPairsTable

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

PLANNED = ["Unused", "Region", "KeyName", "KeyPairId", "Tags"]  # what clean_up reads of found
KEEPS_OLD_KEY = "instances launched with the old key keep it until they are replaced"


def _ensure(client: EC2Client, name: str, material: bytes, replace: bool,
            dry_run: bool) -> str:
    """What ensuring the key pair did (or, in a dry run, would do) in one Region, in a few
    words."""
    found = [item for item in describe_key_pairs(client, include_public_key=True)["KeyPairs"]
             if item["KeyName"] == name]  # by name, NotFound would be an error to tell apart
    if found and key_blob(found[0].get("PublicKey")) == key_blob(material.decode()):
        return "already there, same public key: nothing to do"
    if found and not replace:
        return ("refused: this name holds a different public key; pass replace=True to "
                f"replace it ({KEEPS_OLD_KEY})")
    if dry_run:
        return f"would be {'replaced' if found else 'imported'} (dry run: nothing changed)"
    if found:
        delete_key_pair(client, name=name)
    import_key_pair(client, name, material)
    return f"replaced ({KEEPS_OLD_KEY})" if found else "imported"


def ensure_key_pair(name: str, public_key: str | bytes, regions: list[str], *,
                    replace: bool = False, dry_run: bool = False, workers: int = WORKERS,
                    progress: bool = True) -> KeyPairsTable:
    """Make name hold public_key in every Region given, as often as you like: import where it is
    missing, nothing where it is there, and refuse (unless replace=True) where the name holds
    another key. One row per Region: what was done, or why not; with dry_run=True, what would
    be done, and nothing changes."""
    material = read_public_key(public_key)
    replace = arguments.flag(replace, "replace")
    dry_run = arguments.flag(dry_run, "dry_run")
    regions = arguments.regions(regions)
    answers = each_region(regions, lambda client: _ensure(client, name, material, replace,
                                                          dry_run),
                          what=f"Ensure {name}", workers=workers, progress=progress)
    return KeyPairsTable([{"Region": region, "KeyName": name,
                          "Result": why(answer) if isinstance(answer, BaseException) else answer}
                         for region, answer in sorted(answers.items())])


def _tag_filter(tag: Any) -> tuple[str, str]:
    key, equals, value = tag.partition("=") if isinstance(tag, str) else ("", "", "")
    if not (equals and key.strip()):
        raise KeyPairError(f"tag={tag!r}: give the tag the key pairs to clean up carry, as "
                           "'Key=Value', e.g. tag='Project=demo'.")
    return key.strip(), value.strip()


def clean_up(found: pd.DataFrame, tag: str, *, delete: bool = False, workers: int = WORKERS,
             progress: bool = True) -> KeyPairsTable:
    """The unused key pairs of an audit (helpers.audit.findings) that carry tag ('Key=Value'):
    first a table of what would be deleted; with delete=True, deleted, each with its result. A
    key pair whose name now belongs to another KeyPairId (made since the audit) is kept."""
    found = arguments.table(found, "found", "audit.findings(keys, used)", PLANNED)
    key, value = _tag_filter(tag)
    delete = arguments.flag(delete, "delete")
    marked = found["Tags"].fillna("").str.split(", ").map(lambda tags: f"{key}={value}" in tags)
    plan = found.loc[found["Unused"] & marked, ["Region", "KeyName", "KeyPairId", "Tags"]]
    plan = KeyPairsTable(plan.reset_index(drop=True))
    if not delete:
        return plan.assign(Result="would be deleted (pass delete=True)")
    planned: dict[str, list[tuple[str, str]]] = {}
    for region, name, key_pair_id in plan[["Region", "KeyName", "KeyPairId"]].values.tolist():
        planned.setdefault(region, []).append((name, key_pair_id))

    def remove(client: EC2Client) -> dict[str, Any]:
        # By name, once it still has the id the plan shows: some emulators ignore KeyPairId.
        now = {item["KeyName"]: item["KeyPairId"]
               for item in describe_key_pairs(client)["KeyPairs"]}
        results = {}
        for name, key_pair_id in planned[client.meta.region_name]:
            if name not in now:
                results[name] = "already gone"
            elif now[name] != key_pair_id:
                results[name] = (f"kept: {name} is now another key pair ({now[name]}), made "
                                 "since the audit; audit again")
            else:
                try:
                    delete_key_pair(client, name=name)
                    results[name] = "deleted"
                except Exception as error:  # the others still go; this row says why not
                    results[name] = why(error)
        return results

    answers = each_region(sorted(planned), remove, what="Clean-up", workers=workers,
                          progress=progress)
    plan["Result"] = [why(answers[region]) if isinstance(answers[region], BaseException)
                      else answers[region][name]
                      for region, name in plan[["Region", "KeyName"]].values.tolist()]
    return plan
