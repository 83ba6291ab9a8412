"""The sandbox's launch templates answer like AWS's: a new version starts from its source
version.

Its rows: docs/sandbox-fidelity.md, "Launch templates".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from moto.core.responses import ActionResult
from moto.ec2.responses.launch_templates import LaunchTemplates

SIGNATURES: dict[tuple[type, str], tuple[str, ...]] = {
    (LaunchTemplates, "create_launch_template_version"): ("self",),
}


def start_from_the_source_version(self: LaunchTemplates,
                                  original: Callable[..., ActionResult]) -> ActionResult:
    """CreateLaunchTemplateVersion(SourceVersion=...) copies that version's data, which
    LaunchTemplateData then overrides key by key (moto keeps only LaunchTemplateData)."""
    source = self._get_param("SourceVersion")
    if not source:
        return original(self)
    template_id = self._get_param("LaunchTemplateId")
    template = (self.ec2_backend.get_launch_template(template_id) if template_id else
                self.ec2_backend.get_launch_template_by_name(
                    self._get_param("LaunchTemplateName")))
    base = template.get_version(source).data  # read first: $Latest is about to change
    result = original(self)
    made = cast("dict[str, Any]", result.result)["LaunchTemplateVersion"]
    version = template.get_version(made["VersionNumber"])
    version.data = made["LaunchTemplateData"] = {**base, **version.data}
    return result


FIXES: tuple[tuple[Callable[..., Any], tuple[tuple[type, str], ...]], ...] = (
    (start_from_the_source_version, ((LaunchTemplates, "create_launch_template_version"),)),
)
