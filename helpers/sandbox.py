"""The sandbox: moto's EC2 inside this process (or as a local server), answering like AWS."""

from __future__ import annotations

import functools
import os
import socket

import boto3
import botocore.loaders
import botocore.session

# Share one botocore data loader across sessions, before moto is imported: moto makes several
# (three at import), and each would parse botocore's endpoint data and 10 MB EC2 model again.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)

from moto import mock_aws  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from helpers import fidelity  # noqa: E402

DEFAULT_REGION = "us-east-1"
_mock = mock_aws()
_running = False
_set_region = False  # whether start() set AWS_DEFAULT_REGION, for stop() to take it back


def start() -> None:
    """Route every boto3 client made from now on in this process to moto; safe to call twice."""
    global _running, _set_region
    if not _running:
        fidelity.apply()
        if "AWS_DEFAULT_REGION" not in os.environ:  # a plain boto3.client("ec2") needs one
            os.environ["AWS_DEFAULT_REGION"] = DEFAULT_REGION
            _set_region = True
        _mock.start()
        _running = True


def stop() -> None:
    """Stop routing boto3 to moto, so that new clients reach real AWS again."""
    global _running, _set_region
    if _running:
        _mock.stop()
        boto3.DEFAULT_SESSION = None  # it may hold the sandbox's fake credentials
        if _set_region:  # live AWS must use the Region the user configured
            os.environ.pop("AWS_DEFAULT_REGION", None)
            _set_region = False
        _running = False


def is_running() -> bool:
    """Whether boto3 clients made in this process go to the sandbox."""
    return _running


def reset() -> None:
    """Forget everything the sandbox holds (EC2 then reloads its data: about 0.5 s)."""
    _mock.reset()


def forget_key_pairs() -> None:
    """Empty every Region's key pairs, and nothing else: much faster than reset()."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ec2.models import ec2_backends

    for region in dict.values(ec2_backends[DEFAULT_ACCOUNT_ID]):  # only Regions already made
        region.key_pairs.clear()


def start_server(port: int = 0) -> tuple[ThreadedMotoServer, str]:
    """Start the same sandbox as a moto server on loopback; return it and its endpoint URL."""
    if port:  # moto's server would wait forever for a port it cannot bind
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as error:
                raise OSError(f"Port {port} is in use (another sandbox server?): stop what uses "
                              "it, or choose another port.") from error
    fidelity.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound_port = server.get_host_and_port()
    return server, f"http://{host}:{bound_port}"

