"""The sandbox: moto's EC2 inside this process (or as a local server), answering like AWS."""

from __future__ import annotations

import functools
import os

import boto3
import botocore.loaders
import botocore.session
from moto import mock_aws
from moto.server import ThreadedMotoServer

from helpers import fidelity

DEFAULT_REGION = "us-east-1"
_mock = mock_aws()
_running = False
_set_region = False  # whether start() set AWS_DEFAULT_REGION, for stop() to take it back


def _parse_botocore_models_once() -> None:
    """Share one botocore data loader across sessions: moto makes several, and each would
    parse the 10 MB EC2 model again (about 0.7 s of CPU on the first call)."""
    botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)


def start() -> None:
    """Route every boto3 client made from now on in this process to moto; safe to call twice."""
    global _running, _set_region
    if not _running:
        _parse_botocore_models_once()
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
    fidelity.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound_port = server.get_host_and_port()
    return server, f"http://{host}:{bound_port}"


if __name__ == "__main__":
    import argparse
    import threading

    parser = argparse.ArgumentParser(description="Serve the sandbox as a moto server.")
    parser.add_argument("--port", type=int, default=5000, help="0 picks a free port")
    server, url = start_server(parser.parse_args().port)
    print(f"Sandbox server on {url}. Use it with: export AWS_ENDPOINT_URL_EC2={url}")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
