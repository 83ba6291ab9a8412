"""The sandbox's Regions answer like AWS's: the Regions an account has enabled, and no Region AWS
lacks.

Its rows: docs/sandbox-fidelity.md, "Regions".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from botocore.exceptions import EndpointConnectionError
from moto.core.base_backend import AccountSpecificBackend
from moto.core.responses import ActionResult
from moto.ec2.exceptions import InvalidParameterValue
from moto.ec2.models.availability_zones_and_regions import Region
from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions

SIGNATURES: dict[tuple[type, str], tuple[str, ...]] = {
    (AvailabilityZonesAndRegions, "describe_regions"): ("self",),
    (Region, "__init__"): ("self", "name", "endpoint", "opt_in_status"),
    (AccountSpecificBackend, "__getitem__"): ("self", "region_name"),
}
# The Regions AWS enables in every account (launched before 20 March 2019); every other Region is
# opt-in, and a sandbox account has opted in to none.
DEFAULT_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2"})
OTHER_PARTITIONS = ("cn-", "us-gov-", "us-iso")  # other partitions: another account, not listed


def answer_regions_like_aws(self: AvailabilityZonesAndRegions,
                            original: Callable[..., ActionResult]) -> ActionResult:
    """DescribeRegions lists the enabled Regions (all with AllRegions=true), each opt-in Region
    marked not-opted-in, and honours the region-name and opt-in-status filters (moto lists
    every Region, China's and GovCloud's too, calls some opt-in ones enabled, and ignores
    both)."""
    result = original(self)
    answer = cast("dict[str, Any]", result.result)  # DescribeRegions': {"Regions": [...]}
    filters = self._filters_from_querystring()
    everything = str(self._get_param("AllRegions", False)).lower() == "true"
    regions = [Region(r.name, r.endpoint, "opt-in-not-required" if r.name in DEFAULT_REGIONS
                      else "not-opted-in")
               for r in answer["Regions"] if not r.name.startswith(OTHER_PARTITIONS)]
    unknown = set(filters) - {"region-name", "opt-in-status", "endpoint"}
    if unknown:
        raise InvalidParameterValue(f"The filter '{sorted(unknown)[0]}' is invalid")
    answer["Regions"] = [
        r for r in regions
        if (everything or r.opt_in_status != "not-opted-in")
        and r.name in filters.get("region-name", [r.name])
        and r.opt_in_status in filters.get("opt-in-status", [r.opt_in_status])
        and r.endpoint in filters.get("endpoint", [r.endpoint])]
    return result


def reach_no_region_aws_lacks(self: AccountSpecificBackend[Any], original: Callable[..., Any],
                              region_name: str) -> Any:
    """A Region AWS does not have ('eu-west-7') cannot be reached: its endpoint does not resolve
    (moto raises KeyError from deep inside)."""
    try:
        return original(self, region_name)
    except KeyError:
        raise EndpointConnectionError(
            endpoint_url=f"https://{self.service_name}.{region_name}.amazonaws.com/") from None


FIXES: tuple[tuple[Callable[..., Any], tuple[tuple[type, str], ...]], ...] = (
    (answer_regions_like_aws, ((AvailabilityZonesAndRegions, "describe_regions"),)),
    (reach_no_region_aws_lacks, ((AccountSpecificBackend, "__getitem__"),)),
)
