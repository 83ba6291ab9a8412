"""The sandbox's CloudFormation answers like AWS's for the stacks notebook 08 makes: key pairs
(helpers/sandbox/key_pair_stack.py), instances in the groups their template names, YAML's short
forms, and a failed resource that rolls its stack back.

Applied when the sandbox first serves CloudFormation (importing moto's costs a second and 35 MB:
no lesson before 08 pays it). Its rows: docs/sandbox-fidelity.md, "Stacks".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudformation import models, parsing, responses, utils
from moto.ec2.models.instances import Instance

from helpers.sandbox import key_pair_stack

SIGNATURES: dict[tuple[Any, str], tuple[str, ...]] = {
    (models.Stack, "create_resources"): ("self",),
    (models.Stack, "update"): ("self", "template", "role_arn", "parameters", "tags"),
    (models.Stack, "_add_stack_event"): ("self", "resource_status", "resource_status_reason",
                                         "resource_properties"),
    (models.Event, "__init__"): ("self", "stack_id", "stack_name", "logical_resource_id",
                                 "physical_resource_id", "resource_type", "resource_status",
                                 "resource_status_reason", "resource_properties"),
    (parsing.ResourceMap, "__getitem__"): ("self", "key"),
    (parsing.ResourceMap, "delete"): ("self",),
    (parsing.OutputMap, "__init__"): ("self", "resources", "template", "stack_id"),
    (utils, "yaml_tag_constructor"): ("loader", "tag", "node"),
    (Instance, "create_from_cloudformation_json"): ("resource_name", "cloudformation_json",
                                                    "account_id", "region_name", "kwargs"),
}
# ResourceStatusReason's handler code, by the resource's own error code.
HANDLER_ERROR_CODES = {"InvalidKeyPair.Duplicate": "AlreadyExists",
                       "InvalidKeyPair.NotFound": "NotFound"}


def model_key_pairs() -> None:
    """moto lists its models (CloudFormationModel's subclasses) once, at its first stack:
    list them again, key pairs included."""
    if any(model.cloudformation_type() == key_pair_stack.TYPE
           and model is not key_pair_stack.KeyPairStackResource
           for model in parsing.get_model_list()):
        raise RuntimeError(f"moto now models {key_pair_stack.TYPE} itself: drop "
                           f"{key_pair_stack.__file__}")
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()


def _reason(error: Exception) -> str:
    """A failed resource's ResourceStatusReason, as CloudFormation words it."""
    message = getattr(error, "message", None) or str(error)
    if message.startswith(("Properties validation failed", "CloudFormation cannot update")):
        return str(message)
    code = str(getattr(error, "error_type", None) or getattr(error, "code", ""))
    return (f'Resource handler returned message: "{message}" (HandlerErrorCode: '
            f'{HANDLER_ERROR_CODES.get(code, "InvalidRequest")})')


def _failed(stack: Any, error: Exception, status: str) -> str:
    """Record the resource's failure as its event; its logical id."""
    logical_id = getattr(error, "cfn_logical_id", stack.name)
    resource_type = stack.template_dict.get("Resources", {}).get(logical_id, {}).get("Type")
    stack.events.append(models.Event(
        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical_id,
        physical_resource_id="", resource_type=resource_type or "AWS::CloudFormation::Stack",
        resource_status=status, resource_status_reason=_reason(error), resource_properties=None))
    return str(logical_id)


def name_the_resource_that_failed(self: Any, original: Callable[..., Any], key: str) -> Any:
    """A resource's error carries its logical id, for the stack's events (moto loses it)."""
    try:
        return original(self, key)
    except Exception as error:
        if not hasattr(error, "cfn_logical_id"):  # the innermost resource is the one failing
            error.cfn_logical_id = key  # type: ignore[attr-defined]
        raise


def roll_back_a_stack_whose_resource_failed(self: Any, original: Callable[..., Any]) -> None:
    """A resource that fails to create fails its stack: CREATE_FAILED, then what was made is
    deleted, ROLLBACK_COMPLETE (moto raises the resource's error out of CreateStack and leaves
    the stack CREATE_IN_PROGRESS, where a waiter polls for an hour)."""
    try:
        original(self)
    except Exception as error:  # any resource's failure fails the stack, as on AWS
        failed = _failed(self, error, "CREATE_FAILED")
        self.status = "ROLLBACK_IN_PROGRESS"
        self._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=(
            f"The following resource(s) failed to create: [{failed}]. Rollback requested by "
            "user."))
        token = key_pair_stack.rolling_back_a_create.set(True)
        try:
            self.resource_map.delete()
        finally:
            key_pair_stack.rolling_back_a_create.reset(token)
        self.output_map = parsing.OutputMap(self.resource_map, {"Outputs": {}}, self.stack_id)
        self.status = "ROLLBACK_COMPLETE"  # and no outputs: what they named is gone
        self._add_stack_event("ROLLBACK_COMPLETE")


def roll_back_an_update_that_failed(self: Any, original: Callable[..., Any], template: str,
                                    role_arn: str | None = None,
                                    parameters: dict[str, Any] | None = None,
                                    tags: dict[str, str] | None = None) -> None:
    """An update whose resource fails ends UPDATE_ROLLBACK_COMPLETE with its previous template
    (moto raises the error out of UpdateStack, the new template half applied)."""
    resources = self.resource_map
    before = (self.template, self.template_dict, resources._template,
              resources._resource_json_map, dict(resources._parsed_resources))
    try:
        original(self, template, role_arn, parameters, tags)
    except Exception as error:  # any resource's failure fails the update, as on AWS
        failed = _failed(self, error, "UPDATE_FAILED")
        (self.template, self.template_dict, resources._template, resources._resource_json_map,
         resources._parsed_resources) = before
        self._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=(
            f"The following resource(s) failed to update: [{failed}]. "))
        self.status = "UPDATE_ROLLBACK_COMPLETE"
        self._add_stack_event("UPDATE_ROLLBACK_COMPLETE")


def remember_what_a_deleted_stack_had(self: Any, original: Callable[..., None]) -> None:
    """A deleted (or rolled back) stack's resources are read from what it had, and never made
    again: moto makes a resource the first time its map is read, so describing a deleted stack's
    resources made its key pair, group and instance anew."""
    had = dict(self._parsed_resources)
    original(self)
    self.deleted_resources = had


def read_a_deleted_resource_without_making_it(self: Any, original: Callable[..., Any],
                                              key: str) -> Any:
    """(with remember_what_a_deleted_stack_had)"""
    deleted = getattr(self, "deleted_resources", None)
    return original(self, key) if deleted is None else deleted.get(key)


def read_yaml_short_forms_whole(loader: Any, original: Callable[..., Any], tag: str,
                                node: Any) -> Any:
    """A YAML short form as its long form, its value fully read: `!GetAtt [Key, KeyPairId]` and
    `!Base64 {...}` too (moto leaves those as raw YAML nodes, and splits `!GetAtt A.B.C` at
    every dot)."""
    import yaml

    key = "Ref" if tag == "!Ref" else f"Fn::{tag[1:]}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag == "!GetAtt":  # !GetAtt Db.Endpoint.Address: [Db, Endpoint.Address]
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


def launch_stack_instances_into_their_groups(cls: Any, original: Callable[..., Any],
                                             resource_name: str, cloudformation_json: Any,
                                             account_id: str, region_name: str,
                                             **kwargs: Any) -> Any:
    """AWS::EC2::Instance's SecurityGroupIds (group ids) and SecurityGroups (names, in the
    default VPC) put it in those groups (moto reads SecurityGroups as ids, and ignores
    SecurityGroupIds)."""
    from moto.ec2.models import ec2_backends

    properties = dict(cloudformation_json.get("Properties") or {})
    ec2 = ec2_backends[account_id][region_name]
    named = [ec2.get_security_group_by_name_or_id(name) for name in
             properties.get("SecurityGroups", [])]
    properties["SecurityGroups"] = [group.id for group in named if group is not None] + list(
        properties.get("SecurityGroupIds", []))
    return original(cls, resource_name, {**cloudformation_json, "Properties": properties},
                    account_id, region_name, **kwargs)


FIXES: tuple[tuple[Callable[..., Any], tuple[tuple[Any, str], ...]], ...] = (
    (name_the_resource_that_failed, ((parsing.ResourceMap, "__getitem__"),)),
    (remember_what_a_deleted_stack_had, ((parsing.ResourceMap, "delete"),)),
    (read_a_deleted_resource_without_making_it, ((parsing.ResourceMap, "__getitem__"),)),
    (roll_back_a_stack_whose_resource_failed, ((models.Stack, "create_resources"),)),
    (roll_back_an_update_that_failed, ((models.Stack, "update"),)),
    (read_yaml_short_forms_whole, tuple((module, "yaml_tag_constructor")
                                        for module in (models, responses, utils))),
    (launch_stack_instances_into_their_groups, ((Instance, "create_from_cloudformation_json"),)),
)
