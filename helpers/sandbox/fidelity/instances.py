"""The sandbox's instances are machines you use with a key pair, as on AWS: launched with it, you
log in with SSH; a Windows one's password is encrypted with it; EC2 Instance Connect pushes a key
for 60 seconds. The machines themselves: helpers/sandbox/machines.py.

Its rows: docs/sandbox-fidelity.md, "Instances".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, cast

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.core.types import Base64EncodedString
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models import EC2Backend, ec2_backends
from moto.ec2.models.instances import InstanceBackend
from moto.ec2.models.security_groups import SecurityGroupBackend
from moto.ec2.models.windows import WindowsBackend
from moto.ec2.responses import EC2Response
from moto.ec2.responses.general import General
from moto.ec2instanceconnect.responses import Ec2InstanceConnectResponse

from helpers.sandbox import machines

SIGNATURES: dict[tuple[type, str], tuple[str, ...]] = {
    (InstanceBackend, "run_instances"): ("self", "image_id", "count", "user_data",
                                         "security_group_names", "kwargs"),
    (InstanceBackend, "start_instances"): ("self", "instance_ids"),
    (InstanceBackend, "stop_instances"): ("self", "instance_ids"),
    (InstanceBackend, "terminate_instances"): ("self", "instance_ids"),
    (InstanceBackend, "_get_template_from_args"): ("self", "launch_template_arg"),
    (General, "get_console_output"): ("self",),
    (WindowsBackend, "get_password_data"): ("self", "instance_id"),
    (Ec2InstanceConnectResponse, "send_ssh_public_key"): ("self",),
    (EC2Response, "call_action"): ("self",),
    (SecurityGroupBackend, "create_security_group"): ("self", "name", "description", "vpc_id",
                                                      "tags", "force", "is_default"),
    (SecurityGroupBackend, "authorize_security_group_ingress"): (
        "self", "group_name_or_id", "ip_protocol", "from_port", "to_port", "ip_ranges",
        "sgrule_tags", "source_groups", "prefix_list_ids", "security_rule_ids", "vpc_id"),
    (EC2Response, "_get_action"): ("self",),
}
WINDOWS_ED25519 = ("ED25519 key pairs are not supported with Windows AMIs. Choose a different "
                   "key pair type and try again.")


def _launch_key_name(self: InstanceBackend, kwargs: dict[str, Any]) -> str | None:
    """The key name a launch uses: its own, or its launch template's (as moto resolves it)."""
    if kwargs.get("key_name") or not kwargs.get("launch_template"):
        return kwargs.get("key_name")
    name: str | None = self._get_template_from_args(kwargs["launch_template"]).data.get("KeyName")
    return name


def _launch_image_id(self: InstanceBackend, image_id: str, kwargs: dict[str, Any]) -> str:
    if image_id or not kwargs.get("launch_template"):
        return image_id
    template_image: str = self._get_template_from_args(kwargs["launch_template"]).image_id
    return template_image


def boot_instances_with_their_key_pair(self: EC2Backend, original: Callable[..., Any],
                                       image_id: str, count: int, user_data: Any,
                                       security_group_names: list[str], **kwargs: Any) -> Any:
    """RunInstances refuses a key pair that does not exist (InvalidKeyPair.NotFound) or an
    ED25519 one for a Windows image (Unsupported); each instance then boots with the key pair's
    public key: a Linux one accepts SSH with it, a Windows one encrypts its password with it
    (moto launches with any name, and its instances answer nothing)."""
    name = _launch_key_name(self, kwargs)
    key_pair = self.key_pairs.get(name) if name else None
    if name and key_pair is None:
        raise EC2ClientError("InvalidKeyPair.NotFound", f"The key pair '{name}' does not exist")
    image = self.amis.get(_launch_image_id(self, image_id, kwargs))  # None: any id launches
    windows = image is not None and (image.platform or "").lower() == "windows"
    if key_pair is not None and windows and key_pair.key_type == "ed25519":
        raise EC2ClientError("Unsupported", WINDOWS_ED25519)
    reservation = original(self, image_id, count, user_data, security_group_names, **kwargs)
    if key_pair is not None:
        for instance in reservation.instances:
            machines.launched(instance, key_pair.public_key)
    return reservation


def stop_serving_stopped_instances(self: InstanceBackend, original: Callable[..., list[Any]],
                                   instance_ids: list[str]) -> list[Any]:
    """A stopped or terminated instance refuses connections; a started one accepts them again,
    at a new port (moto's instances never answered)."""
    changed = original(self, instance_ids)
    for instance, _ in changed:
        if instance.state == "running":
            machines.started(instance)
        else:
            machines.stopped(instance.id)
    return changed


def launch_into_the_default_security_group(self: InstanceBackend, original: Callable[..., Any],
                                           image_id: str, count: int, user_data: Any,
                                           security_group_names: list[str],
                                           **kwargs: Any) -> Any:
    """An instance launched without security groups is in its VPC's default group, and
    DescribeInstances lists it (moto lists none, while its network interface has it)."""
    reservation = original(self, image_id, count, user_data, security_group_names, **kwargs)
    for instance in reservation.instances:
        if not instance.security_groups:
            nic = instance.nics.get(0)
            instance.security_groups = sorted(nic.group_set if nic else [],
                                              key=lambda group: group.id)
    return reservation


def let_the_default_group_in_from_itself(self: SecurityGroupBackend,
                                         original: Callable[..., Any], *args: Any,
                                         **kwargs: Any) -> Any:
    """A VPC's default security group has one inbound rule, all traffic from its own members,
    so nothing outside it gets in (moto's has none)."""
    group = original(self, *args, **kwargs)
    if group.is_default:
        self.authorize_security_group_ingress(group.id, "-1", "-1", "-1", [],
                                              source_groups=[{"GroupId": group.id}],
                                              vpc_id=group.vpc_id)
    return group


def keep_terminated_instances_terminated(self: InstanceBackend,
                                         original: Callable[..., list[Any]],
                                         instance_ids: list[str]) -> list[Any]:
    """A terminated instance cannot be started or stopped: IncorrectInstanceState (moto starts
    it again)."""
    verb = "started" if original.__name__ == "start_instances" else "stopped"
    for instance in self.get_multi_instances_by_id(instance_ids):
        if instance.state in ("terminated", "shutting-down"):
            raise EC2ClientError("IncorrectInstanceState", f"The instance '{instance.id}' is "
                                 f"not in a state from which it can be {verb}.")
    return original(self, instance_ids)


def let_in_only_what_security_groups_allow(self: EC2Response,
                                           original: Callable[..., Any]) -> Any:
    """Each instance's SSH port opens or closes as its security groups and address allow, at
    once after any call that changes something (moto's instances answer nothing)."""
    answer = original(self)
    if not (self._get_action() or "").startswith(("Describe", "Get")):
        machines.follow_security_groups()
    return answer


def print_host_keys_to_the_console(self: General,
                                   original: Callable[..., ActionResult]) -> ActionResult:
    """GetConsoleOutput shows what the instance printed as it booted: cloud-init's blocks of SSH
    host key fingerprints and keys, then where sshd listens (moto: one sample for every
    instance)."""
    result = original(self)
    text = machines.console_output(self.ec2_backend.get_instance(self._get_param("InstanceId")))
    if text is not None:
        output = cast("dict[str, Any]", result.result)  # GetConsoleOutput's answer
        output["Output"] = Base64EncodedString.from_raw_string(text)
    return result


def encrypt_the_windows_password_with_the_key_pair(self: EC2Backend,
                                                   original: Callable[..., str],
                                                   instance_id: str) -> str:
    """GetPasswordData returns the Administrator password encrypted with the launch key pair's
    public key (PKCS#1 v1.5, base64), '' for Linux (moto: 128 random characters)."""
    original(self, instance_id)  # InvalidInstanceID.NotFound for an unknown id
    return machines.password_data(self.get_instance(instance_id))


INSTANCE_ID = re.compile(r"^i-[a-f0-9]+$")
OS_USER = re.compile(r"(^[A-Za-z_][A-Za-z0-9\@\._-]{0,30}[A-Za-z0-9\$_-]?$)|"
                     r"(^(?=.{2,32}$)[0-9]{1,32}[A-Za-z\@\._-][A-Za-z0-9\@\._-]*[A-Za-z0-9\$_-]?$)")


def _pattern_error(value: str, member: str, pattern: re.Pattern[str]) -> JsonRESTError:
    return JsonRESTError("InvalidArgsException", f"1 validation error detected: Value '{value}' "
                         f"at '{member}' failed to satisfy constraint: Member must satisfy "
                         f"regular expression pattern: {pattern.pattern}")


def _instance_connect_key(text: str) -> str:
    """The pushed key as an OpenSSH line, or AWS's InvalidArgsException: RSA of 2048 bits or
    more, or ED25519 (EC2 Instance Connect's key requirements)."""
    try:
        key = serialization.load_ssh_public_key(text.strip().encode())
        if isinstance(key, ed25519.Ed25519PublicKey) or (
                isinstance(key, rsa.RSAPublicKey) and key.key_size >= 2048):
            return text.strip()
    except (ValueError, TypeError, UnsupportedAlgorithm):
        pass
    raise JsonRESTError("InvalidArgsException", "Invalid input parameter received for Illegal "
                        "argument exception: SSH Public key is invalid")


def accept_keys_pushed_with_instance_connect(self: Ec2InstanceConnectResponse,
                                             original: Callable[..., str]) -> str:
    """SendSSHPublicKey makes the instance accept that key for that user for 60 seconds, after
    checking the instance id, user and key as AWS does (moto answers Success, does nothing)."""
    instance_id = self._get_param("InstanceId") or ""
    user = self._get_param("InstanceOSUser") or ""
    if not INSTANCE_ID.match(instance_id):
        raise _pattern_error(instance_id, "instanceId", INSTANCE_ID)
    if not OS_USER.match(user):
        raise _pattern_error(user, "instanceOSUser", OS_USER)
    key = _instance_connect_key(self._get_param("SSHPublicKey") or "")
    zone = self._get_param("AvailabilityZone")
    backend = ec2_backends[self.current_account][self.region]
    found = [i for i in backend.all_instances() if i.id == instance_id
             and zone in (None, i.placement.zone)]
    if not found:
        raise JsonRESTError("EC2InstanceNotFoundException", "The specified instance was not "
                            "found.")
    if found[0].state != "running":
        raise JsonRESTError("EC2InstanceStateInvalidException", "Unable to connect because the "
                            "instance is not in a valid state. Connecting to a stopped or "
                            "terminated instance is not supported. If the instance is stopped, "
                            "start your instance, and try to connect again.")
    machine = machines.machine_of(found[0])
    if machine is not None:
        machine.push(user, key)
    return original(self)


FIXES: tuple[tuple[Callable[..., Any], tuple[tuple[type, str], ...]], ...] = (
    (launch_into_the_default_security_group, ((InstanceBackend, "run_instances"),)),
    (let_the_default_group_in_from_itself, ((SecurityGroupBackend, "create_security_group"),)),
    (boot_instances_with_their_key_pair, ((InstanceBackend, "run_instances"),)),
    (stop_serving_stopped_instances, ((InstanceBackend, "start_instances"),
                                      (InstanceBackend, "stop_instances"),
                                      (InstanceBackend, "terminate_instances"))),
    (keep_terminated_instances_terminated, ((InstanceBackend, "start_instances"),
                                            (InstanceBackend, "stop_instances"))),
    (let_in_only_what_security_groups_allow, ((EC2Response, "call_action"),)),
    (print_host_keys_to_the_console, ((General, "get_console_output"),)),
    (encrypt_the_windows_password_with_the_key_pair, ((WindowsBackend, "get_password_data"),)),
    (accept_keys_pushed_with_instance_connect, ((Ec2InstanceConnectResponse,
                                                 "send_ssh_public_key"),)),
)
