"""AWS::EC2::KeyPair in CloudFormation stacks, on moto's own key pairs (moto 5.2 has none), as
AWS documents it: https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
aws-resource-ec2-keypair.html. Written as moto's models are, to go upstream as it is.

- Ref is the key name; Fn::GetAtt gives KeyPairId and KeyFingerprint.
- A created key pair (no PublicKeyMaterial) keeps its private key in Parameter Store, as the
  SecureString /ec2/keypair/<KeyPairId>, in the KeyFormat asked for; an imported one has none.
- Deleting it (with its stack, or gone from the template) deletes the key pair and the parameter,
  unless DeletionPolicy: Retain (or RetainExceptOnCreate, but for the create that rolls back).
- Every property is create-only: a change replaces the key pair (new id, new parameter), then
  deletes the old one unless UpdateReplacePolicy: Retain. KeyName is its physical name, so a
  replacement that keeps the name is refused, as CloudFormation refuses it.
- The stack's tags reach the key pair; aws:cloudformation:* tags do not.

It creates, imports and deletes through moto's EC2 backend, so the sandbox's fixes of key pairs
apply to stacks too. Imported when the sandbox first serves CloudFormation (fidelity/stacks.py).
"""

from __future__ import annotations

import contextvars
from typing import Any

from moto.core.common_models import CloudFormationModel

TYPE = "AWS::EC2::KeyPair"
PARAMETER_PREFIX = "/ec2/keypair/"
PROPERTIES = ("KeyName", "KeyType", "KeyFormat", "PublicKeyMaterial", "Tags")
ATTRIBUTES = ("KeyPairId", "KeyFingerprint")
KEY_TYPES, KEY_FORMATS = ("rsa", "ed25519"), ("pem", "ppk")
# Set while a failed CreateStack rolls back: RetainExceptOnCreate resources go then, and only then.
rolling_back_a_create = contextvars.ContextVar("rolling_back_a_create", default=False)


def _error(message: str) -> Exception:
    from moto.cloudformation.exceptions import ValidationError

    error: Exception = ValidationError(message=message)
    return error


def _properties(resource_json: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The resource's properties with their defaults, checked against the registry's schema
    (the messages as CloudFormation words them, aws/aws-cdk#28984)."""
    properties = dict(resource_json.get("Properties") or {})
    problems = [f"#: extraneous key [{key}] is not permitted"
                for key in sorted(set(properties) - set(PROPERTIES))]
    if not properties.get("KeyName"):
        problems.append("#: required key [KeyName] not found")
    if properties.get("KeyType", "rsa") not in KEY_TYPES:
        problems.append("#/KeyType: failed validation constraint for keyword [enum]")
    if properties.get("KeyFormat", "pem") not in KEY_FORMATS:
        problems.append("#/KeyFormat: failed validation constraint for keyword [enum]")
    if problems:
        found = problems[0] if len(problems) == 1 else f"[{', '.join(problems)}]"
        raise _error(f"Properties validation failed for resource {logical_id} with message:\n"
                     f"{found}")
    properties.setdefault("KeyFormat", "pem")
    if "PublicKeyMaterial" not in properties:
        properties.setdefault("KeyType", "rsa")
    properties["Tags"] = {tag["Key"]: tag["Value"] for tag in properties.get("Tags") or []}
    return properties


def _stack_tags(account_id: str, region_name: str, stack_id: str | None) -> dict[str, str]:
    from moto.cloudformation.models import cloudformation_backends

    stack = cloudformation_backends[account_id][region_name].stacks.get(stack_id or "")
    return dict(stack.tags) if stack is not None else {}


class KeyPairStackResource(CloudFormationModel):
    """One AWS::EC2::KeyPair of a stack: moto's KeyPair, and the parameter of its private key."""

    def __init__(self, key_pair: Any, properties: dict[str, Any], parameter_name: str | None,
                 account_id: str, region_name: str, resource_json: dict[str, Any],
                 stack_id: str | None) -> None:
        self.key_pair = key_pair
        self.properties = properties
        self.parameter_name = parameter_name
        self.account_id, self.region_name, self.stack_id = account_id, region_name, stack_id
        self.deletion_policy = resource_json.get("DeletionPolicy", "Delete")

    @staticmethod
    def cloudformation_name_type() -> str:
        return "KeyName"

    @staticmethod
    def cloudformation_type() -> str:
        return TYPE

    @property
    def physical_resource_id(self) -> str:  # and what Ref gives
        name: str = self.key_pair.key_name
        return name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> str:
        from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

        if attribute_name not in ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        value: str = (self.key_pair.id if attribute_name == "KeyPairId"
                      else self.key_pair.key_fingerprint)
        return value

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str, **kwargs: Any) -> KeyPairStackResource:
        from moto.ec2.models import ec2_backends
        from moto.ssm.models import ssm_backends

        from helpers.fingerprints import load_private_key
        from helpers.sandbox.ppk import to_ppk

        properties = _properties(cloudformation_json, kwargs.get("LogicalId", resource_name))
        name, stack_id = properties["KeyName"], kwargs.get("StackId")
        tags = {**_stack_tags(account_id, region_name, stack_id), **properties["Tags"]}
        ec2 = ec2_backends[account_id][region_name]
        parameter_name = None
        if "PublicKeyMaterial" in properties:
            key_pair = ec2.import_key_pair(name, str(properties["PublicKeyMaterial"]).encode(),
                                           tags)
        else:
            key_pair = ec2.create_key_pair(name, properties["KeyType"], tags)
            private_key = key_pair.material.decode()
            if properties["KeyFormat"] == "ppk":
                private_key = to_ppk(load_private_key(private_key, validate=False), name)
            parameter_name = PARAMETER_PREFIX + key_pair.id
            ssm_backends[account_id][region_name].put_parameter(
                name=parameter_name, description=None, value=private_key,
                parameter_type="SecureString", allowed_pattern=None, keyid="alias/aws/ssm",
                overwrite=False, tags=[], data_type="text", tier=None, policies=None)
        return cls(key_pair, properties, parameter_name, account_id, region_name,
                   cloudformation_json, stack_id)

    @classmethod
    def update_from_cloudformation_json(
            cls, original_resource: KeyPairStackResource, new_resource_name: str,
            cloudformation_json: dict[str, Any], account_id: str,
            region_name: str) -> KeyPairStackResource:
        logical_id = original_resource.logical_resource_id
        properties = _properties(cloudformation_json, logical_id)
        if properties == original_resource.properties:  # a policy changed, no property
            original_resource.deletion_policy = cloudformation_json.get("DeletionPolicy",
                                                                        "Delete")
            return original_resource
        old_name = original_resource.key_pair.key_name
        if properties["KeyName"] == old_name:
            error = _error("CloudFormation cannot update a stack when a custom-named resource "
                           f"requires replacing. Rename {old_name} and update the stack again.")
            error.cfn_logical_id = logical_id  # type: ignore[attr-defined]
            raise error
        replacement = cls.create_from_cloudformation_json(  # first the new, then the old goes
            new_resource_name, cloudformation_json, account_id, region_name,
            LogicalId=logical_id, StackId=original_resource.stack_id)
        if cloudformation_json.get("UpdateReplacePolicy", "Delete") != "Retain":
            original_resource.destroy()
        return replacement

    @classmethod
    def delete_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str,
            region_name: str) -> None:
        """moto's fallback when it holds no resource: by the key name."""
        from moto.ec2.models import ec2_backends

        if cloudformation_json.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
            return
        key_pair = ec2_backends[account_id][region_name].key_pairs.get(resource_name)
        if key_pair is not None:
            _destroy(key_pair, PARAMETER_PREFIX + key_pair.id, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        """Gone from its stack: DeleteStack, or an update that removed it from the template
        (moto keeps Retain resources on DeleteStack only, and knows no RetainExceptOnCreate)."""
        if self.deletion_policy == "Retain" or (
                self.deletion_policy == "RetainExceptOnCreate"
                and not rolling_back_a_create.get()):
            return
        self.destroy()

    def destroy(self) -> None:
        _destroy(self.key_pair, self.parameter_name, self.account_id, self.region_name)


def _destroy(key_pair: Any, parameter_name: str | None, account_id: str, region_name: str) -> None:
    """Delete the key pair (if it is still this one) and its private key's parameter."""
    from moto.ec2.models import ec2_backends
    from moto.ssm.models import ssm_backends

    ec2 = ec2_backends[account_id][region_name]
    if ec2.key_pairs.get(key_pair.key_name) is key_pair:
        ec2.delete_key_pair(key_pair.key_name)
    ssm = ssm_backends[account_id][region_name]
    if parameter_name and ssm.get_parameter(parameter_name) is not None:
        ssm.delete_parameter(parameter_name)
