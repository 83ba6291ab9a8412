"""The sandbox's IAM users meet their policies, as on AWS: a call signed with an IAM user's access
key is allowed only if the user's policies allow its action on its resource (a key pair's ARN for
the key pair calls), and EC2 refuses it with UnauthorizedOperation. The sandbox's own credentials
are the account's, allowed everything, as before.

moto evaluates no condition: a statement with one is refused in a sentence, not guessed at.
Its rows: docs/sandbox-fidelity.md, "Permissions".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import AccessDeniedError

SIGNATURES: dict[tuple[Any, str], tuple[str, ...]] = {
    (ActionAuthenticatorMixin, "_authenticate_and_authorize_action"): (
        "self", "iam_request_cls", "resource"),
}
KEY_PAIR_ACTIONS = ("ec2:CreateKeyPair", "ec2:ImportKeyPair", "ec2:DeleteKeyPair")
CREDENTIAL = re.compile(r"Credential=(AKIA[A-Z0-9]+)/")  # an IAM user's access key id


class Refused(AccessDeniedError):
    """EC2's answer to a call it refuses as it authorizes it (an error of the request phase,
    which moto renders as such, unlike an EC2ClientError)."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super(AccessDeniedError, self).__init__(code, message)
        self.code = status


def _request(self: Any, iam_request_cls: type) -> Any:
    """moto's IAM view of this request (as moto's own check builds it)."""
    path = self.raw_path + (f"?{self.uri.split('?', 1)[1]}" if "?" in self.uri else "")
    return iam_request_cls(account_id=self.current_account, method=self.method, path=path,
                           data=self.data, body=self.raw_body, headers=self.headers,
                           action=self._get_action())


def _resource(request: Any, data: dict[str, Any]) -> str:
    """The resource the call acts on, as its ARN: a key pair's, by its name (or the name of the
    key pair its id names); else '*'."""
    from moto.ec2.models import ec2_backends

    name, key_pair_id = (value[0] if isinstance(value, list) else value
                         for value in (data.get("KeyName"), data.get("KeyPairId")))
    if not name and key_pair_id:
        key_pairs = ec2_backends[request.account_id][request._region].key_pairs.values()
        name = next((key.key_name for key in key_pairs if key.id == key_pair_id), None)
    if request._action in KEY_PAIR_ACTIONS and name:
        return f"arn:aws:ec2:{request._region}:{request.account_id}:key-pair/{name}"
    return "*"


def _statements(request: Any) -> list[dict[str, Any]]:
    from moto.iam.access_control import IAMPolicy

    statements = []
    for policy in request._access_key.collect_policies():
        found = IAMPolicy(policy)._policy_json["Statement"]
        statements += found if isinstance(found, list) else [found]
    return statements


def _verdict(request: Any, resource: str) -> str:
    """'allowed', 'denied' (an explicit Deny) or 'not allowed' (no statement allows it)."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    results = {IAMPolicyStatement(statement).is_action_permitted(request._action, resource)
               for statement in _statements(request)}
    if PermissionResult.DENIED in results:
        return "denied"
    return "allowed" if PermissionResult.PERMITTED in results else "not allowed"


def _conditions(request: Any) -> list[str]:
    """The condition keys of the statements about the request's action (moto evaluates none)."""
    from moto.iam.access_control import IAMPolicyStatement

    keys = []
    for statement in _statements(request):
        if IAMPolicyStatement(statement)._check_element_matches("Action", request._action):
            keys += [key for test in (statement.get("Condition") or {}).values() for key in test]
    return sorted(set(keys))


def check_iam_users_against_their_policies(self: Any, original: Callable[..., None],
                                           iam_request_cls: type, resource: str = "*") -> None:
    """A call signed with an IAM user's access key is checked against the user's policies, its
    resource a key pair's ARN where it has one; refused, EC2 says UnauthorizedOperation (moto
    checks no call, or every call from the Nth on, against '*', and says AccessDenied)."""
    from moto.iam.models import iam_backends

    key = CREDENTIAL.search(self.headers.get("Authorization", ""))
    users = iam_backends[self.current_account]["aws"].users.values()
    if not key or not any(k.access_key_id == key[1] for u in users for k in u.access_keys):
        return original(self, iam_request_cls, resource)  # the account's own credentials
    request = _request(self, iam_request_cls)
    request.check_signature()  # a wrong secret: SignatureDoesNotMatch, as from AWS
    conditions = _conditions(request)
    if conditions:
        raise Refused("UnsupportedOperation", "The sandbox does not evaluate IAM policy "
                      f"conditions ({', '.join(conditions)}): try this policy on AWS (notebook "
                      "08 shows what AWS answers).", 400)
    resource = _resource(request, self.data) if resource == "*" else resource
    verdict = _verdict(request, resource)
    if verdict == "allowed":
        return None
    if not request._action.startswith("ec2:"):
        request.check_action_permitted(resource)  # the service's own refusal, as moto words it
    why = ("with an explicit deny in an identity-based policy" if verdict == "denied" else
           f"because no identity-based policy allows the {request._action} action")
    raise Refused("UnauthorizedOperation", "You are not authorized to perform this operation. "
                  f"User: {request._access_key.arn} is not authorized to perform: "
                  f"{request._action} on resource: {resource} {why}.", 403)


FIXES: tuple[tuple[Callable[..., Any], tuple[tuple[Any, str], ...]], ...] = (
    (check_iam_users_against_their_policies, (
        (ActionAuthenticatorMixin, "_authenticate_and_authorize_action"),)),
)
