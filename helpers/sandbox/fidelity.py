"""Small patches that make moto answer like AWS for key pairs; see docs/sandbox-fidelity.md.

Each fix is a function named for the behaviour it corrects, called in place of a moto method with
that method (`original`) and its arguments; FIXES says which methods each one wraps.
tests/test_fidelity.py pins each one, and fails with "moto now does ... itself" once plain moto
answers like AWS without it.
The fixes wrap moto internals, so apply() first checks moto's version and the signatures they
wrap, and refuses to start a sandbox that would answer wrongly.
"""

from __future__ import annotations

import base64
import functools
import inspect
import re
import warnings
from collections.abc import Callable
from typing import Any

import moto
from botocore.exceptions import EndpointConnectionError
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from moto.core.base_backend import AccountSpecificBackend
from moto.core.exceptions import JsonRESTError
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidParameterValue, MissingParameter
from moto.ec2.models import ec2_backends
from moto.ec2.models.availability_zones_and_regions import Region
from moto.ec2.models.instances import InstanceBackend
from moto.ec2.models.key_pairs import KeyPair, KeyPairBackend
from moto.ec2.models.windows import WindowsBackend
from moto.ec2.responses.availability_zones_and_regions import AvailabilityZonesAndRegions
from moto.ec2.responses.general import General
from moto.ec2.responses.key_pairs import KeyPairs
from moto.ec2.responses.launch_templates import LaunchTemplates
from moto.ec2.utils import Base64EncodedString, public_key_parse
from moto.ec2instanceconnect.responses import Ec2InstanceConnectResponse

from helpers import fingerprints, rules
from helpers.errors import KeyPairError
from helpers.sandbox import instances, ppk

# The moto releases these fixes were written and tested against: [first, last) as (major, minor).
MOTO_VERSIONS = ((5, 2), (5, 3))
# What each fix relies on: the parameters of the moto methods it wraps or calls.
SIGNATURES: dict[tuple[type, str], tuple[str, ...]] = {
    (KeyPairBackend, "create_key_pair"): ("self", "name", "key_type", "tags"),
    (KeyPairBackend, "import_key_pair"): ("self", "key_name", "public_key_material", "tags"),
    (KeyPairBackend, "describe_key_pairs"): ("self", "key_names", "filters"),
    (KeyPairBackend, "delete_key_pair"): ("self", "name"),
    (KeyPairs, "create_key_pair"): ("self",),
    (KeyPairs, "describe_key_pairs"): ("self",),
    (KeyPairs, "delete_key_pair"): ("self",),
    (KeyPairs, "import_key_pair"): ("self",),
    (KeyPairs, "_get_param"): ("self", "param_name", "if_none"),
    (KeyPairs, "error_on_dryrun"): ("self",),
    (KeyPair, "__init__"): ("self", "name", "key_type", "fingerprint", "material",
                            "material_public", "tags", "ec2_backend"),
    (ActionResult, "__init__"): ("self", "result"),
    (AvailabilityZonesAndRegions, "describe_regions"): ("self",),
    (Region, "__init__"): ("self", "name", "endpoint", "opt_in_status"),
    (LaunchTemplates, "create_launch_template_version"): ("self",),
    (AccountSpecificBackend, "__getitem__"): ("self", "region_name"),
    (InstanceBackend, "run_instances"): ("self", "image_id", "count", "user_data",
                                         "security_group_names", "kwargs"),
    (InstanceBackend, "start_instances"): ("self", "instance_ids"),
    (InstanceBackend, "stop_instances"): ("self", "instance_ids"),
    (InstanceBackend, "terminate_instances"): ("self", "instance_ids"),
    (InstanceBackend, "_get_template_from_args"): ("self", "launch_template_arg"),
    (General, "get_console_output"): ("self",),
    (WindowsBackend, "get_password_data"): ("self", "instance_id"),
    (Ec2InstanceConnectResponse, "send_ssh_public_key"): ("self",),
}
KEY_PAIR_FILTERS = ("key-pair-id", "key-name", "fingerprint", "key-type", "tag-key")
# AWS documents RSA 1024, 2048 and 4096; 8192-bit imports are reported to work, so only
# keys too small for OpenSSH (< 1024) or larger than OpenSSH allows (> 16384) are refused.
RSA_BITS = range(1024, 16385)
# The Regions AWS enables in every account (launched before 20 March 2019); every other Region is
# opt-in, and a sandbox account has opted in to none.
DEFAULT_REGIONS = frozenset({
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2"})
OTHER_PARTITIONS = ("cn-", "us-gov-", "us-iso")  # other partitions: another account, not listed
_applied = False


def moto_mismatch() -> str | None:
    """Say why these fixes may not fit the installed moto, or None when they do."""
    version = tuple(int(part) for part in moto.__version__.split(".")[:2])
    first, last = MOTO_VERSIONS
    if not first <= version < last:
        return (f"moto {moto.__version__} is not a release the sandbox's fixes were tested "
                f"with (>= {first[0]}.{first[1]}, < {last[0]}.{last[1]}): install the pinned "
                f"versions (make setup), or review {__file__} against it.")
    for (cls, name), expected in SIGNATURES.items():
        found = tuple(inspect.signature(getattr(cls, name, None) or (lambda: None)).parameters)
        if found != expected:
            return (f"moto {moto.__version__} changed {cls.__name__}.{name}{found}, which the "
                    f"sandbox's fixes wrap as {expected}: review {__file__} against it.")
    return None


def _invalid_key_format() -> EC2ClientError:
    # AWS's code is InvalidKey.Format; moto says InvalidKeyPair.Format or crashes.
    return EC2ClientError("InvalidKey.Format", "Key is not in valid OpenSSH public key format")


def _check_key_name(name: str | None) -> None:
    """Raise AWS's error for a key name that breaks the rules (helpers.rules)."""
    if not name:
        raise MissingParameter("The request must contain the parameter KeyName")
    problem = rules.key_name_problem(name)
    if problem:  # the name in ASCII escapes: a control character would break the XML answer
        raise InvalidParameterValue(f"Value ({ascii(name)[1:-1]}) for parameter KeyName is "
                                    f"invalid. {problem}")


def _load_public_key(material: bytes) -> rsa.RSAPublicKey | ed25519.Ed25519PublicKey:
    """Parse what ImportKeyPair accepts (OpenSSH, RFC 4716, base64 DER for RSA), or raise."""
    text = (material or b"").strip()
    try:
        with warnings.catch_warnings():
            # DSA keys are refused below; cryptography's deprecation of them is noise here.
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            if text.startswith(b"---- BEGIN SSH2 PUBLIC KEY ----"):
                key = public_key_parse(text)  # moto converts RFC 4716 itself
            elif b" " in text:
                key = serialization.load_ssh_public_key(text)
            else:
                key = serialization.load_der_public_key(base64.b64decode(text, validate=True))
                if not isinstance(key, rsa.RSAPublicKey):
                    raise ValueError("base64 DER is accepted for RSA keys only")
    except Exception as error:  # any parse failure is a bad key, never an HTTP 500
        raise _invalid_key_format() from error
    if isinstance(key, ed25519.Ed25519PublicKey):
        return key
    if isinstance(key, rsa.RSAPublicKey) and key.key_size in RSA_BITS:
        return key
    raise _invalid_key_format()  # DSA, ECDSA, or an RSA size EC2 refuses


# The backend's methods: (self, original, *the method's own arguments).


def default_key_type_to_rsa(self: Any, original: Callable[..., KeyPair], name: str,
                            key_type: str | None, tags: Any) -> KeyPair:
    """A key created without KeyType is an RSA key, and says so (moto leaves KeyType empty)."""
    # This also mends the key-type filter: moto's filter reads key_type and fails on None.
    return original(self, name, key_type or "rsa", tags)


def reject_unknown_key_types(self: Any, original: Callable[..., KeyPair], name: str,
                             key_type: str | None, tags: Any) -> KeyPair:
    """KeyType must be rsa or ed25519 (moto makes an RSA key for any other value)."""
    if key_type is not None and rules.key_type_problem(key_type):
        raise InvalidParameterValue(
            f"1 validation error detected: Value '{key_type}' at 'keyType' failed to "
            "satisfy constraint: Member must satisfy enum value set: [rsa, ed25519]"
        )
    return original(self, name, key_type, tags)


def validate_key_names(self: Any, original: Callable[..., KeyPair], name: str,
                       *args: Any) -> KeyPair:
    """Key names are 1 to 255 printable ASCII characters without surrounding spaces (moto takes
    any)."""
    _check_key_name(name)
    return original(self, name, *args)


def validate_tags(self: Any, original: Callable[..., KeyPair], name: str, key_type_or_material: Any,
                  tags: Any) -> KeyPair:
    """Tags follow AWS's rules: key 1-128 characters, no 'aws:' prefix, value up to 256 (moto
    takes any)."""
    for key, value in (tags or {}).items():
        problem = rules.tag_problem(key, value)
        if problem:
            raise InvalidParameterValue(problem)
    return original(self, name, key_type_or_material, tags)


def fingerprint_created_keys_like_aws(self: Any, original: Callable[..., KeyPair],
                                      *args: Any) -> KeyPair:
    """Created RSA: SHA-1 of the private PKCS#8; ED25519: padded base64 SHA-256 (moto: SHA-1 of
    the public key, colon hex SHA-256)."""
    key_pair = original(self, *args)
    key_pair.key_fingerprint = fingerprints.fingerprint_of_private_key(
        key_pair.material, validate=False)  # moto has just made it
    return key_pair


def fingerprint_imported_keys_like_aws(self: Any, original: Callable[..., KeyPair],
                                       *args: Any) -> KeyPair:
    """Imported ED25519: padded base64 SHA-256 of the key blob (moto: colon hex SHA-256)."""
    key_pair = original(self, *args)
    key_pair.key_fingerprint = fingerprints.fingerprint_of_public_key(key_pair.material_public)
    return key_pair


def reject_malformed_public_keys(self: Any, original: Callable[..., KeyPair], name: str,
                                 material: bytes, tags: Any) -> KeyPair:
    """A bad public key gets InvalidKey.Format (moto: InvalidKeyPair.Format, or a crash)."""
    key = _load_public_key(material)
    if not material.lstrip().startswith(b"ssh-"):
        # Hand moto (and DescribeKeyPairs' PublicKey) the OpenSSH form.
        material = key.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
    return original(self, name, material.strip(), tags)


def name_the_missing_key_pair(self: Any, original: Callable[..., list], key_names: list[str],
                              filters: Any = None) -> list:
    """Not found reads "The key pair 'nope' does not exist" (moto prints a Python set)."""
    for name in key_names or []:
        if name not in self.key_pairs:
            raise EC2ClientError("InvalidKeyPair.NotFound", f"The key pair '{name}' does not exist")
    return original(self, key_names, filters)


def reject_unknown_filters(self: Any, original: Callable[..., list], key_names: list[str],
                           filters: Any = None) -> list:
    """An unknown filter name gets InvalidParameterValue (moto raises a raw Python exception)."""
    for name in filters or {}:
        if name not in KEY_PAIR_FILTERS and not name.startswith("tag:"):
            raise InvalidParameterValue(f"The filter '{name}' is invalid")
    return original(self, key_names, filters)


# The response handlers' methods: (self, original), the request read with self._get_param.


def escape_control_characters_in_errors(self: KeyPairs,
                                        original: Callable[..., ActionResult]) -> ActionResult:
    """An error that quotes the request quotes its control characters escaped: moto echoes them
    raw, and botocore cannot read the answer (invalid XML)."""
    try:
        return original(self)
    except EC2ClientError as error:
        error.message = rules.printable(error.message)
        raise


def return_ppk_when_asked(self: KeyPairs, original: Callable[..., ActionResult]) -> ActionResult:
    """KeyFormat=ppk returns a PuTTY key, pem the default; others are refused (moto ignores it)."""
    key_format = self._get_param("KeyFormat") or "pem"
    if rules.key_format_problem(key_format):
        raise InvalidParameterValue(
            f"1 validation error detected: Value '{key_format}' at 'keyFormat' failed "
            "to satisfy constraint: Member must satisfy enum value set: [ppk, pem]"
        )
    result = original(self)
    if key_format == "ppk":
        key_pair = result.result
        private_key = fingerprints.load_private_key(key_pair.material, validate=False)
        # The private key is shown once; keep only the PPK text, like AWS keeps none.
        key_pair.material = ppk.to_ppk(private_key, key_pair.key_name).encode()
    return result


def describe_by_key_pair_ids(self: KeyPairs,
                             original: Callable[..., ActionResult]) -> ActionResult:
    """DescribeKeyPairs(KeyPairIds=...) returns those keys, or NotFound (moto returns all)."""
    ids = self._get_param("KeyPairIds")
    result = original(self)
    if ids:
        known = {key_pair.id for key_pair in self.ec2_backend.key_pairs.values()}
        for key_pair_id in ids:
            if key_pair_id not in known:
                raise EC2ClientError("InvalidKeyPair.NotFound",
                                     f"The key pair ID '{key_pair_id}' does not exist")
        result.result["KeyPairs"] = [k for k in result.result["KeyPairs"] if k.id in ids]
    return result


def delete_by_key_pair_id(self: KeyPairs, original: Callable[..., ActionResult]) -> ActionResult:
    """DeleteKeyPair(KeyPairId=...) deletes that key (moto deletes nothing)."""
    key_pair_id = self._get_param("KeyPairId")
    if not key_pair_id or self._get_param("KeyName"):
        return original(self)
    self.error_on_dryrun()
    pairs = self.ec2_backend.key_pairs.values()
    key_pair = next((k for k in pairs if k.id == key_pair_id), None)
    if key_pair:
        self.ec2_backend.delete_key_pair(key_pair.key_name)
    # Like a delete by name, an unknown id is not an error.
    return ActionResult({"Return": True, "KeyPairId": key_pair.id if key_pair else None})


def honour_dry_run_on_describe(self: KeyPairs,
                               original: Callable[..., ActionResult]) -> ActionResult:
    """DescribeKeyPairs(DryRun=True) answers DryRunOperation (moto describes anyway)."""
    self.error_on_dryrun()
    return original(self)


def answer_regions_like_aws(self: AvailabilityZonesAndRegions,
                            original: Callable[..., ActionResult]) -> ActionResult:
    """DescribeRegions lists the enabled Regions (all with AllRegions=true), each opt-in Region
    marked not-opted-in, and honours the region-name and opt-in-status filters (moto lists
    every Region, China's and GovCloud's too, calls some opt-in ones enabled, and ignores
    both)."""
    result = original(self)
    filters = self._filters_from_querystring()
    everything = str(self._get_param("AllRegions", False)).lower() == "true"
    regions = [Region(r.name, r.endpoint, "opt-in-not-required" if r.name in DEFAULT_REGIONS
                      else "not-opted-in")
               for r in result.result["Regions"] if not r.name.startswith(OTHER_PARTITIONS)]
    unknown = set(filters) - {"region-name", "opt-in-status", "endpoint"}
    if unknown:
        raise InvalidParameterValue(f"The filter '{sorted(unknown)[0]}' is invalid")
    result.result["Regions"] = [
        r for r in regions
        if (everything or r.opt_in_status != "not-opted-in")
        and r.name in filters.get("region-name", [r.name])
        and r.opt_in_status in filters.get("opt-in-status", [r.opt_in_status])
        and r.endpoint in filters.get("endpoint", [r.endpoint])]
    return result


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
    made = result.result["LaunchTemplateVersion"]
    version = template.get_version(made["VersionNumber"])
    version.data = made["LaunchTemplateData"] = {**base, **version.data}
    return result


def reach_no_region_aws_lacks(self: AccountSpecificBackend, original: Callable[..., Any],
                              region_name: str) -> Any:
    """A Region AWS does not have ('eu-west-7') cannot be reached: its endpoint does not resolve
    (moto raises KeyError from deep inside)."""
    try:
        return original(self, region_name)
    except KeyError:
        raise EndpointConnectionError(
            endpoint_url=f"https://{self.service_name}.{region_name}.amazonaws.com/") from None


def name_the_key_pair_in_its_public_key(self: Any, original: Callable[..., KeyPair],
                                        name: str, *args: Any) -> KeyPair:
    """PublicKey ends with the key pair's name as its comment, the line an instance puts in
    authorized_keys (moto keeps an imported key's own comment, and a created key has none)."""
    key_pair = original(self, name, *args)
    blob = b" ".join(key_pair.material_public.split()[:2])
    key_pair.material_public = blob + b" " + name.encode()
    return key_pair


def empty_public_key_material_is_missing(self: Any, original: Callable[..., KeyPair], name: str,
                                         material: bytes, tags: Any) -> KeyPair:
    """An empty PublicKeyMaterial is a missing parameter, MissingParameter (moto: a format
    error)."""
    if not material:
        raise MissingParameter("The request must contain the parameter PublicKeyMaterial")
    return original(self, name, material, tags)


# Instances: launched with a key pair, they can be logged in to (helpers/sandbox/instances.py).

WINDOWS_ED25519 = ("ED25519 key pairs are not supported with Windows AMIs. Choose a different "
                   "key pair type and try again.")


def _launch_key_name(self: InstanceBackend, kwargs: dict[str, Any]) -> str | None:
    """The key name a launch uses: its own, or its launch template's (as moto resolves it)."""
    if kwargs.get("key_name") or not kwargs.get("launch_template"):
        return kwargs.get("key_name")
    return self._get_template_from_args(kwargs["launch_template"]).data.get("KeyName")


def _launch_image_id(self: InstanceBackend, image_id: str, kwargs: dict[str, Any]) -> str:
    if image_id or not kwargs.get("launch_template"):
        return image_id
    return self._get_template_from_args(kwargs["launch_template"]).image_id


def boot_instances_with_their_key_pair(self: InstanceBackend, original: Callable[..., Any],
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
    images = self.describe_images(filters={"image-id": _launch_image_id(self, image_id, kwargs)})
    windows = bool(images) and (images[0].platform or "").lower() == "windows"
    if key_pair is not None and windows and key_pair.key_type == "ed25519":
        raise EC2ClientError("Unsupported", WINDOWS_ED25519)
    reservation = original(self, image_id, count, user_data, security_group_names, **kwargs)
    if key_pair is not None:
        for instance in reservation.instances:
            instances.launched(instance, key_pair.public_key)
    return reservation


def stop_serving_stopped_instances(self: InstanceBackend, original: Callable[..., list],
                                   instance_ids: list[str]) -> list:
    """A stopped or terminated instance refuses connections; a started one accepts them again,
    at a new port (moto's instances never answered)."""
    changed = original(self, instance_ids)
    for instance, _ in changed:
        if instance.state == "running":
            instances.started(instance)
        else:
            instances.stopped(instance.id)
    return changed


def print_host_keys_to_the_console(self: General,
                                   original: Callable[..., ActionResult]) -> ActionResult:
    """GetConsoleOutput shows what the instance printed as it booted: cloud-init's blocks of SSH
    host key fingerprints and keys, then where sshd listens (moto: one sample for every
    instance)."""
    result = original(self)
    text = instances.console_output(self.ec2_backend.get_instance(self._get_param("InstanceId")))
    if text is not None:
        result.result["Output"] = Base64EncodedString.from_raw_string(text)
    return result


def encrypt_the_windows_password_with_the_key_pair(self: WindowsBackend,
                                                   original: Callable[..., str],
                                                   instance_id: str) -> str:
    """GetPasswordData returns the Administrator password encrypted with the launch key pair's
    public key (PKCS#1 v1.5, base64), '' for Linux (moto: 128 random characters)."""
    original(self, instance_id)  # InvalidInstanceID.NotFound for an unknown id
    return instances.password_data(self.get_instance(instance_id))


INSTANCE_ID = re.compile(r"^i-[a-f0-9]+$")
OS_USER = re.compile(r"(^[A-Za-z_][A-Za-z0-9\@\._-]{0,30}[A-Za-z0-9\$_-]?$)|"
                     r"(^(?=.{2,32}$)[0-9]{1,32}[A-Za-z\@\._-][A-Za-z0-9\@\._-]*[A-Za-z0-9\$_-]?$)")


def _pattern_error(value: str, member: str, pattern: re.Pattern) -> JsonRESTError:
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
    machine = instances.machine_of(found[0])
    if machine is not None:
        machine.push(user, key)
    return original(self)


BACKEND, HANDLERS = KeyPairBackend, KeyPairs
# Each fix and the moto methods it wraps, in wrapping order: a later fix wraps (runs before) an
# earlier one on the same method.
FIXES: tuple[tuple[Callable[..., Any], tuple[tuple[type, str], ...]], ...] = (
    (default_key_type_to_rsa, ((BACKEND, "create_key_pair"),)),
    (reject_unknown_key_types, ((BACKEND, "create_key_pair"),)),
    (fingerprint_created_keys_like_aws, ((BACKEND, "create_key_pair"),)),
    (fingerprint_imported_keys_like_aws, ((BACKEND, "import_key_pair"),)),
    (reject_malformed_public_keys, ((BACKEND, "import_key_pair"),)),
    (validate_key_names, ((BACKEND, "create_key_pair"), (BACKEND, "import_key_pair"))),
    (validate_tags, ((BACKEND, "create_key_pair"), (BACKEND, "import_key_pair"))),
    (return_ppk_when_asked, ((HANDLERS, "create_key_pair"),)),
    (name_the_missing_key_pair, ((BACKEND, "describe_key_pairs"),)),
    (reject_unknown_filters, ((BACKEND, "describe_key_pairs"),)),
    (describe_by_key_pair_ids, ((HANDLERS, "describe_key_pairs"),)),
    (delete_by_key_pair_id, ((HANDLERS, "delete_key_pair"),)),
    (honour_dry_run_on_describe, ((HANDLERS, "describe_key_pairs"),)),
    (answer_regions_like_aws, ((AvailabilityZonesAndRegions, "describe_regions"),)),
    (start_from_the_source_version, ((LaunchTemplates, "create_launch_template_version"),)),
    (reach_no_region_aws_lacks, ((AccountSpecificBackend, "__getitem__"),)),
    (name_the_key_pair_in_its_public_key, ((BACKEND, "create_key_pair"),
                                           (BACKEND, "import_key_pair"))),
    (empty_public_key_material_is_missing, ((BACKEND, "import_key_pair"),)),
    (boot_instances_with_their_key_pair, ((InstanceBackend, "run_instances"),)),
    (stop_serving_stopped_instances, ((InstanceBackend, "start_instances"),
                                      (InstanceBackend, "stop_instances"),
                                      (InstanceBackend, "terminate_instances"))),
    (print_host_keys_to_the_console, ((General, "get_console_output"),)),
    (encrypt_the_windows_password_with_the_key_pair, ((WindowsBackend, "get_password_data"),)),
    (accept_keys_pushed_with_instance_connect, ((Ec2InstanceConnectResponse,
                                                 "send_ssh_public_key"),)),
    (escape_control_characters_in_errors, tuple(
        (HANDLERS, name) for name in ("create_key_pair", "import_key_pair", "describe_key_pairs",
                                      "delete_key_pair"))),
)


def _wrap(cls: type, name: str, fix: Callable[..., Any]) -> None:
    """Make cls.name call fix(self, the method it replaces, *arguments)."""
    original = getattr(cls, name)

    @functools.wraps(original)
    def fixed(self: Any, *args: Any, **kwargs: Any) -> Any:
        return fix(self, original, *args, **kwargs)

    setattr(cls, name, fixed)


def apply() -> None:
    """Patch moto's key pair classes once (safe to call twice), or refuse if they do not fit."""
    global _applied
    if not _applied:
        mismatch = moto_mismatch()
        if mismatch:
            raise KeyPairError(f"The sandbox cannot start: {mismatch}")
        for fix, targets in FIXES:
            for cls, name in targets:
                _wrap(cls, name, fix)
        _applied = True
