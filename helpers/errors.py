"""What went wrong, in one sentence that says what to do; the original error stays chained."""

from __future__ import annotations

import re
import sysconfig
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
)
from botocore.parsers import ResponseParserError

from helpers.facts import endpoint_variable


class KeyPairError(Exception):
    """A problem with a key pair call, explained for a person."""


class DryRunSucceeded(KeyPairError):
    """The dry run found the request valid and permitted; nothing was changed."""


_EXPLAIN = {
    "InvalidKeyPair.Duplicate": "A key pair named {name!r} already exists in this Region: "
    "pick another name, or delete the existing key pair first.",
    "InvalidKeyPair.NotFound": "{message} in this Region: check the name or id with "
    "describe_key_pairs(), or look in the Region where you created it.",
    "InvalidKey.Format": "EC2 cannot read that public key: give the whole one-line OpenSSH public "
    "key of an RSA or ED25519 key, as in a .pub file ('ssh-ed25519 AAAA...').",
    "RequestLimitExceeded": "AWS is throttling your requests: wait a few seconds and try again, "
    "with fewer calls per second.",
    "AuthFailure": "AWS rejected your credentials, or the Region is not enabled for your account: "
    "check them (aws sts get-caller-identity), or enable the Region (an opt-in Region).",
    "InvalidParameterValue": "{message}: correct the value and try again.",
}
_EXPLAIN["InvalidKeyPair.Format"] = _EXPLAIN["InvalidKey.Format"]
# MissingParameter: what to give, by the parameter EC2 names ("...contain the parameter X").
_MISSING = {
    "PublicKeyMaterial": "give the whole one-line OpenSSH public key, as in a .pub file "
                         "('ssh-ed25519 AAAA...')",
    "KeyName": "give the key pair a name, for example 'my-laptop'",
}
_EXPLAIN["Throttling"] = _EXPLAIN["RequestLimitExceeded"]
_EXPIRED = "Your AWS credentials have expired or are not valid: refresh them (for example " \
    "aws sso login) and try again."
_EXPLAIN.update(dict.fromkeys(["ExpiredToken", "RequestExpired", "InvalidClientTokenId"],
                              _EXPIRED))


def _not_allowed(operation: str, message: str) -> KeyPairError:
    """A refusal by IAM, naming the action (and resource) to ask an administrator for."""
    found = re.search(r"perform: (\S+?)(?: on resource: (\S+))?(?: |$)", message)
    action = found[1] if found else f"ec2:{operation}"
    on = f" on {found[2]}" if found and found[2] and found[2] != "*" else ""
    if "explicit deny" in message:
        return KeyPairError(f"Your AWS identity may not call {operation}: a policy denies "
                            f"{action}{on} explicitly, which no allow overrides; ask an "
                            "administrator to lift that deny, or use the sandbox.")
    return KeyPairError(f"Your AWS identity may not call {operation}: ask an administrator to "
                        f"allow {action}{on} for you (recipes/iam/least-privilege.json holds all "
                        "this tutorial calls), or use the sandbox.")


def explain(error: BaseException, name: str | None = None) -> KeyPairError:
    """Turn a botocore error into a KeyPairError whose message says what to do."""
    if isinstance(error, ClientError):
        details = error.response.get("Error") or {}
        code, message = details.get("Code") or "", (details.get("Message") or "").rstrip(".")
        operation = error.operation_name
        if not code:  # an answer with no error code: not EC2's way, so perhaps not EC2
            return KeyPairError(f"{operation} failed and the answer said nothing about why: try "
                                "again, and if you use an endpoint, check that it serves EC2.")
        if code in ("UnauthorizedOperation", "AccessDenied", "AccessDeniedException"):
            return _not_allowed(operation, message)
        if code == "MissingParameter":
            named = re.search(r"parameter (\w+)", message)
            parameter = named[1] if named else "a parameter"
            return KeyPairError(f"{operation} needs {parameter}, and it was missing or empty: "
                                f"{_MISSING.get(parameter, 'give it')}.")
        if code == "DryRunOperation":
            return DryRunSucceeded(f"Dry run of {operation}: the request is valid and permitted, "
                                   "and nothing was changed; call again without dry_run to do it.")
        template = _EXPLAIN.get(code, "EC2 refused {operation} ({code})"
                                + (": {message}." if message else "."))
        if name is None:  # a plain boto3 call: EC2's message quotes the name ("The keypair 'x'")
            quoted = re.search(r"'([^']+)'", message)
            name = quoted[1] if quoted else None
        if name is None:
            template = template.replace("named {name!r}", "with that name")
        return KeyPairError(template.format(name=name, message=message, operation=operation,
                                            code=code))
    if isinstance(error, NoCredentialsError):
        return KeyPairError("No AWS credentials were found: configure them (aws configure or "
                            "AWS_PROFILE; for a local endpoint any value works), or use the "
                            "sandbox by leaving EC2_KEYPAIRS_LIVE unset.")
    if isinstance(error, NoRegionError):
        return KeyPairError("No AWS Region is set: pass region='us-east-1' (or yours), "
                            "or set AWS_DEFAULT_REGION.")
    if isinstance(error, EndpointConnectionError):
        where = f"Nothing answers at {error.kwargs.get('endpoint_url')}"
        variable = endpoint_variable()
        if variable:
            return KeyPairError(f"{where}: start the server (make sandbox-server), or fix or "
                                f"unset {variable}.")
        return KeyPairError(f"{where}: check your network, and that the Region exists and is "
                            "enabled for your account.")
    if isinstance(error, ResponseParserError):  # an error page, e.g. moto's for what it lacks
        return KeyPairError("The endpoint answered with an error page, not AWS's answer: it "
                            "cannot do this call (a plain moto server or LocalStack?); run this "
                            "on the sandbox, or read the endpoint's log.")
    if isinstance(error, OSError) and error.strerror:  # saving a key: full disk, read-only...
        where = f" ({error.filename})" if error.filename else ""
        return KeyPairError(f"The file system refused: {error.strerror}{where}: free space or "
                            "fix the permissions there, or choose another folder.")
    return KeyPairError(f"{type(error).__name__}: {error}")


@contextmanager
def friendly_errors(name: str | None = None) -> Iterator[None]:
    """Re-raise botocore errors as KeyPairError with one clear sentence."""
    try:
        yield
    except (ClientError, NoCredentialsError, NoRegionError, EndpointConnectionError) as error:
        raise explain(error, name) from error


# The errors the lessons teach: shown in a kernel as a short block, without library internals.
TAUGHT = (ClientError, BotoCoreError, ResponseParserError, KeyPairError)
_NOT_YOURS = tuple({sysconfig.get_paths()[key] for key in ("purelib", "platlib", "stdlib")}
                   | {str(Path(__file__).parent)})


def taught_error(error: BaseException, tb: TracebackType | None) -> list[str]:
    """A taught error as a few lines: the lines of your own code that led to it (not boto3's,
    botocore's or the helpers'), the error itself, and, for a botocore error, what to do."""
    yours = [frame for frame in traceback.extract_tb(tb)
             if not frame.filename.startswith(_NOT_YOURS)]
    lines = [f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"]
    lines += [f"  in your code, line {frame.lineno}: {(frame.line or '').strip()}"
              for frame in yours]
    if not isinstance(error, KeyPairError):
        lines.append(f"What to do: {explain(error)}")
    lines.append("(the frames inside boto3 and the helpers are hidden: %tb shows them all)")
    return lines
