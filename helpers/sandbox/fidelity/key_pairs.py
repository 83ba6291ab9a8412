"""The sandbox's key pairs answer like AWS's: names, tags, types, formats, fingerprints, public
keys, describe by id, delete by id, dry runs and AWS's error codes.

Its rows: docs/sandbox-fidelity.md, "Key pairs".
"""

from __future__ import annotations

import base64
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError, InvalidParameterValue, MissingParameter
from moto.ec2.models.key_pairs import KeyPair, KeyPairBackend
from moto.ec2.responses.key_pairs import KeyPairs
from moto.ec2.utils import public_key_parse

from helpers import fingerprints, rules
from helpers.sandbox import ppk

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

BACKEND, HANDLERS = KeyPairBackend, KeyPairs
SIGNATURES: dict[tuple[type, str], tuple[str, ...]] = {
    (BACKEND, "create_key_pair"): ("self", "name", "key_type", "tags"),
    (BACKEND, "import_key_pair"): ("self", "key_name", "public_key_material", "tags"),
    (BACKEND, "describe_key_pairs"): ("self", "key_names", "filters"),
    (BACKEND, "delete_key_pair"): ("self", "name"),
    (HANDLERS, "create_key_pair"): ("self",),
    (HANDLERS, "describe_key_pairs"): ("self",),
    (HANDLERS, "delete_key_pair"): ("self",),
    (HANDLERS, "import_key_pair"): ("self",),
    (HANDLERS, "_get_param"): ("self", "param_name", "if_none"),
    (HANDLERS, "error_on_dryrun"): ("self",),
    (KeyPair, "__init__"): ("self", "name", "key_type", "fingerprint", "material",
                            "material_public", "tags", "ec2_backend"),
    (ActionResult, "__init__"): ("self", "result"),
}
KEY_PAIR_FILTERS = ("key-pair-id", "key-name", "fingerprint", "key-type", "tag-key")
# AWS documents RSA 1024, 2048 and 4096; 8192-bit imports are reported to work, so only
# keys too small for OpenSSH (< 1024) or larger than OpenSSH allows (> 16384) are refused.
RSA_BITS = range(1024, 16385)


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
    key: PublicKeyTypes
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


def name_the_missing_key_pair(self: Any, original: Callable[..., list[KeyPair]],
                              key_names: list[str], filters: Any = None) -> list[KeyPair]:
    """Not found reads "The key pair 'nope' does not exist" (moto prints a Python set)."""
    for name in key_names or []:
        if name not in self.key_pairs:
            raise EC2ClientError("InvalidKeyPair.NotFound", f"The key pair '{name}' does not exist")
    return original(self, key_names, filters)


def reject_unknown_filters(self: Any, original: Callable[..., list[KeyPair]],
                           key_names: list[str], filters: Any = None) -> list[KeyPair]:
    """An unknown filter name gets InvalidParameterValue (moto raises a raw Python exception)."""
    for name in filters or {}:
        if name not in KEY_PAIR_FILTERS and not name.startswith("tag:"):
            raise InvalidParameterValue(f"The filter '{name}' is invalid")
    return original(self, key_names, filters)


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
        key_pair = cast(KeyPair, result.result)  # CreateKeyPair's: the key pair it made
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
        described = cast("dict[str, list[KeyPair]]", result.result)
        described["KeyPairs"] = [k for k in described["KeyPairs"] if k.id in ids]
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


# Each fix and the methods it wraps, in wrapping order: a later fix wraps (runs before) an earlier
# one on the same method.
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
    (name_the_key_pair_in_its_public_key, ((BACKEND, "create_key_pair"),
                                           (BACKEND, "import_key_pair"))),
    (empty_public_key_material_is_missing, ((BACKEND, "import_key_pair"),)),
    (escape_control_characters_in_errors, tuple(
        (HANDLERS, name) for name in ("create_key_pair", "import_key_pair", "describe_key_pairs",
                                      "delete_key_pair"))),
)
