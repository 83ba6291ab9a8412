"""Who reaches a sandbox instance: the learner's machine has one public address, and an
instance's security groups decide whether it may connect, as on AWS.

Every connection to an instance's port on 127.0.0.1 counts as coming from LEARNER_ADDRESS. The
sandbox answers it where a learner looks their address up: checkip.amazonaws.com, asked with
urllib (as AWS's own "get started with instances" scenario asks it) or requests, in this process.
"""

from __future__ import annotations

import email.message
import io
import ipaddress
import re
import urllib.request
import urllib.response
from typing import Any

LEARNER_ADDRESS = "203.0.113.25"  # from TEST-NET-3 (RFC 5737): a documentation address
SSH_PORT = 22
CHECKIP = re.compile(r"https?://checkip\.amazonaws\.com/?$")


def lets_in(instance: Any) -> bool:
    """Whether SSH from the learner reaches instance: it has a public address, and one of its
    security groups allows TCP port 22 (or all traffic) from LEARNER_ADDRESS."""
    if not getattr(instance, "public_ip", None):
        return False
    return any(_allows_ssh(rule) for group in instance.security_groups
               for rule in group.ingress_rules)


def _allows_ssh(rule: Any) -> bool:
    if rule.ip_protocol == "tcp":
        if not rule.from_port <= SSH_PORT <= rule.to_port:
            return False
    elif rule.ip_protocol != "-1":
        return False
    cidr = rule.ip_range.get("CidrIp")
    return bool(cidr) and ipaddress.ip_address(LEARNER_ADDRESS) in ipaddress.ip_network(
        cidr, strict=False)


class _Answer(urllib.response.addinfourl):
    msg = "OK"  # what urllib's handlers read of an HTTP answer


class _CheckIp(urllib.request.BaseHandler):
    """urllib's answer for checkip.amazonaws.com: the learner's address, nothing sent."""

    handler_order = 100  # before http and https, which would go out

    def _answer(self, request: urllib.request.Request) -> Any:
        if not CHECKIP.match(request.full_url):
            return None  # the next handler's
        headers = email.message.Message()
        headers["Content-Type"] = "text/plain;charset=UTF-8"
        return _Answer(io.BytesIO(f"{LEARNER_ADDRESS}\n".encode()), headers, request.full_url,
                       200)

    http_open = https_open = _answer


def answer_checkip(responses_mock: Any = None) -> None:
    """Answer checkip.amazonaws.com with the learner's address from now on in this process: in
    urllib, and in requests through moto's mock of it, when given."""
    urllib.request.install_opener(urllib.request.build_opener(_CheckIp))
    if responses_mock is not None:
        import responses

        responses_mock.add(responses.GET, CHECKIP, body=f"{LEARNER_ADDRESS}\n")


def stop_answering_checkip() -> None:
    """Let urllib reach checkip.amazonaws.com again (the sandbox stopped)."""
    urllib.request.install_opener(None)  # urllib's own default again
