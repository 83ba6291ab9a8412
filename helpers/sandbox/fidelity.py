"""Small patches that make moto answer like AWS for key pairs; see docs/sandbox-fidelity.md.

Each fix is a function named for the behaviour it corrects. tests/test_fidelity.py pins each
one, and fails with "moto now does ... itself" once plain moto answers like AWS without it.
The fixes wrap moto internals, so apply() first checks moto's version and the signatures they
wrap, and refuses to start a sandbox that would answer wrongly.
"""

from __future__ import annotations

import base64
import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import moto
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidParameterValue, MissingParameter
from moto.ec2.models.key_pairs import KeyPair, KeyPairBackend
from moto.ec2.responses.key_pairs import KeyPairs
from moto.ec2.utils import public_key_parse

from helpers import fingerprints, rules
from helpers.errors import KeyPairError
from helpers.sandbox import ppk

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
    (KeyPairs, "_get_param"): ("self", "param_name", "if_none"),
    (KeyPairs, "error_on_dryrun"): ("self",),
    (KeyPair, "__init__"): ("self", "name", "key_type", "fingerprint", "material",
                            "material_public", "tags", "ec2_backend"),
    (ActionResult, "__init__"): ("self", "result"),
}
KEY_PAIR_FILTERS = ("key-pair-id", "key-name", "fingerprint", "key-type", "tag-key")
# AWS documents RSA 1024, 2048 and 4096; 8192-bit imports are reported to work, so only
# keys too small for OpenSSH (< 1024) or larger than OpenSSH allows (> 16384) are refused.
RSA_BITS = range(1024, 16385)
_applied = False


def _wrap(cls: type, name: str, make: Callable[[Callable[..., Any]], Callable[..., Any]]) -> None:
    """Replace cls.name by make(current cls.name): fixes stack, each wrapping the one before."""
    method = getattr(cls, name)
    setattr(cls, name, functools.wraps(method)(make(method)))


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


def default_key_type_to_rsa() -> None:
    """A key created without KeyType is an RSA key, and says so (moto leaves KeyType empty)."""
    # This also mends the key-type filter: moto's filter reads key_type and fails on None.

    def make(create: Callable[..., KeyPair]) -> Callable[..., KeyPair]:
        def create_key_pair(self: Any, name: str, key_type: str | None, tags: Any) -> KeyPair:
            return create(self, name, key_type or "rsa", tags)

        return create_key_pair

    _wrap(KeyPairBackend, "create_key_pair", make)


def reject_unknown_key_types() -> None:
    """KeyType must be rsa or ed25519 (moto makes an RSA key for any other value)."""

    def make(create: Callable[..., KeyPair]) -> Callable[..., KeyPair]:
        def create_key_pair(self: Any, name: str, key_type: str | None, tags: Any) -> KeyPair:
            if key_type is not None and rules.key_type_problem(key_type):
                raise InvalidParameterValue(
                    f"1 validation error detected: Value '{key_type}' at 'keyType' failed to "
                    "satisfy constraint: Member must satisfy enum value set: [rsa, ed25519]"
                )
            return create(self, name, key_type, tags)

        return create_key_pair

    _wrap(KeyPairBackend, "create_key_pair", make)


def validate_key_names() -> None:
    """Key names are 1 to 255 ASCII characters without surrounding spaces (moto takes any)."""

    def make(method: Callable[..., KeyPair]) -> Callable[..., KeyPair]:
        def checked(self: Any, name: str, *args: Any) -> KeyPair:
            _check_key_name(name)
            return method(self, name, *args)

        return checked

    _wrap(KeyPairBackend, "create_key_pair", make)
    _wrap(KeyPairBackend, "import_key_pair", make)


def validate_tags() -> None:
    """Tags follow AWS's rules: key 1-128 characters, no 'aws:' prefix, value up to 256 (moto
    takes any)."""

    def make(method: Callable[..., KeyPair]) -> Callable[..., KeyPair]:
        def checked(self: Any, name: str, material_or_type: Any, tags: Any) -> KeyPair:
            for key, value in (tags or {}).items():
                problem = rules.tag_problem(key, value)
                if problem:
                    raise InvalidParameterValue(problem)
            return method(self, name, material_or_type, tags)

        return checked

    _wrap(KeyPairBackend, "create_key_pair", make)
    _wrap(KeyPairBackend, "import_key_pair", make)


def fingerprint_keys_like_aws() -> None:
    """Created RSA: SHA-1 of private PKCS#8; ED25519: padded base64 SHA-256 (see fingerprints)."""

    def created(create: Callable[..., KeyPair]) -> Callable[..., KeyPair]:
        def create_key_pair(self: Any, *args: Any) -> KeyPair:
            key_pair = create(self, *args)
            key_pair.key_fingerprint = fingerprints.fingerprint_of_private_key(key_pair.material)
            return key_pair

        return create_key_pair

    def imported(import_: Callable[..., KeyPair]) -> Callable[..., KeyPair]:
        def import_key_pair(self: Any, *args: Any) -> KeyPair:
            key_pair = import_(self, *args)
            key_pair.key_fingerprint = fingerprints.fingerprint_of_public_key(
                key_pair.material_public
            )
            return key_pair

        return import_key_pair

    _wrap(KeyPairBackend, "create_key_pair", created)
    _wrap(KeyPairBackend, "import_key_pair", imported)


def reject_malformed_public_keys() -> None:
    """A bad public key gets InvalidKey.Format (moto: InvalidKeyPair.Format, or a crash)."""

    def make(import_: Callable[..., KeyPair]) -> Callable[..., KeyPair]:
        def import_key_pair(self: Any, name: str, material: bytes, tags: Any) -> KeyPair:
            key = _load_public_key(material)
            if not material.lstrip().startswith(b"ssh-"):
                # Hand moto (and DescribeKeyPairs' PublicKey) the OpenSSH form.
                material = key.public_bytes(
                    serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
                )
            return import_(self, name, material.strip(), tags)

        return import_key_pair

    _wrap(KeyPairBackend, "import_key_pair", make)


def return_ppk_when_asked() -> None:
    """KeyFormat=ppk returns a PuTTY key, pem the default; others are refused (moto ignores it)."""

    def make(create: Callable[..., ActionResult]) -> Callable[..., ActionResult]:
        def create_key_pair(self: KeyPairs) -> ActionResult:
            key_format = self._get_param("KeyFormat") or "pem"
            if rules.key_format_problem(key_format):
                raise InvalidParameterValue(
                    f"1 validation error detected: Value '{key_format}' at 'keyFormat' failed "
                    "to satisfy constraint: Member must satisfy enum value set: [ppk, pem]"
                )
            result = create(self)
            if key_format == "ppk":
                key_pair = result.result
                private_key = fingerprints.load_private_key(key_pair.material)
                # The private key is shown once; keep only the PPK text, like AWS keeps none.
                key_pair.material = ppk.to_ppk(private_key, key_pair.key_name).encode()
            return result

        return create_key_pair

    _wrap(KeyPairs, "create_key_pair", make)


def name_the_missing_key_pair() -> None:
    """Not found reads "The key pair 'nope' does not exist" (moto prints a Python set)."""

    def make(describe: Callable[..., list[KeyPair]]) -> Callable[..., list[KeyPair]]:
        def describe_key_pairs(self: Any, key_names: list[str], filters: Any = None) -> list:
            for name in key_names or []:
                if name not in self.key_pairs:
                    raise EC2ClientError(
                        "InvalidKeyPair.NotFound", f"The key pair '{name}' does not exist"
                    )
            return describe(self, key_names, filters)

        return describe_key_pairs

    _wrap(KeyPairBackend, "describe_key_pairs", make)


def reject_unknown_filters() -> None:
    """An unknown filter name gets InvalidParameterValue (moto raises a raw Python exception)."""

    def make(describe: Callable[..., list[KeyPair]]) -> Callable[..., list[KeyPair]]:
        def describe_key_pairs(self: Any, key_names: list[str], filters: Any = None) -> list:
            for name in filters or {}:
                if name not in KEY_PAIR_FILTERS and not name.startswith("tag:"):
                    raise InvalidParameterValue(f"The filter '{name}' is invalid")
            return describe(self, key_names, filters)

        return describe_key_pairs

    _wrap(KeyPairBackend, "describe_key_pairs", make)


def describe_by_key_pair_ids() -> None:
    """DescribeKeyPairs(KeyPairIds=...) returns those keys, or NotFound (moto returns all)."""

    def make(describe: Callable[..., ActionResult]) -> Callable[..., ActionResult]:
        def describe_key_pairs(self: KeyPairs) -> ActionResult:
            ids = self._get_param("KeyPairIds", [])
            result = describe(self)
            if ids:
                known = {key_pair.id for key_pair in self.ec2_backend.key_pairs.values()}
                for key_pair_id in ids:
                    if key_pair_id not in known:
                        raise EC2ClientError(
                            "InvalidKeyPair.NotFound",
                            f"The key pair ID '{key_pair_id}' does not exist",
                        )
                result.result["KeyPairs"] = [k for k in result.result["KeyPairs"] if k.id in ids]
            return result

        return describe_key_pairs

    _wrap(KeyPairs, "describe_key_pairs", make)


def delete_by_key_pair_id() -> None:
    """DeleteKeyPair(KeyPairId=...) deletes that key (moto deletes nothing)."""

    def make(delete: Callable[..., ActionResult]) -> Callable[..., ActionResult]:
        def delete_key_pair(self: KeyPairs) -> ActionResult:
            key_pair_id = self._get_param("KeyPairId")
            if not key_pair_id or self._get_param("KeyName"):
                return delete(self)
            self.error_on_dryrun()
            pairs = self.ec2_backend.key_pairs.values()
            key_pair = next((k for k in pairs if k.id == key_pair_id), None)
            if key_pair:
                self.ec2_backend.delete_key_pair(key_pair.key_name)
            # Like a delete by name, an unknown id is not an error.
            return ActionResult({"Return": True, "KeyPairId": key_pair.id if key_pair else None})

        return delete_key_pair

    _wrap(KeyPairs, "delete_key_pair", make)


def honour_dry_run_on_describe() -> None:
    """DescribeKeyPairs(DryRun=True) answers DryRunOperation (moto describes anyway)."""

    def make(describe: Callable[..., ActionResult]) -> Callable[..., ActionResult]:
        def describe_key_pairs(self: KeyPairs) -> ActionResult:
            self.error_on_dryrun()
            return describe(self)

        return describe_key_pairs

    _wrap(KeyPairs, "describe_key_pairs", make)


# In wrapping order: a later fix wraps (runs before) an earlier one on the same method.
FIXES: tuple[Callable[[], None], ...] = (
    default_key_type_to_rsa,
    reject_unknown_key_types,
    fingerprint_keys_like_aws,
    reject_malformed_public_keys,
    validate_key_names,
    validate_tags,
    return_ppk_when_asked,
    name_the_missing_key_pair,
    reject_unknown_filters,
    describe_by_key_pair_ids,
    delete_by_key_pair_id,
    honour_dry_run_on_describe,
)


def apply() -> None:
    """Patch moto's key pair classes once (safe to call twice), or refuse if they do not fit."""
    global _applied
    if not _applied:
        mismatch = moto_mismatch()
        if mismatch:
            raise KeyPairError(f"The sandbox cannot start: {mismatch}")
        for fix in FIXES:
            fix()
        _applied = True
