"""The one way to get an EC2 client: the sandbox (default), an endpoint, or live AWS."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlparse

import boto3
from botocore.config import Config

from helpers import arguments, sandbox
from helpers.errors import KeyPairError, friendly_errors
from helpers.facts import ENDPOINT_ENVS, endpoint_url

if TYPE_CHECKING:
    from collections.abc import Callable

    from botocore.model import OperationModel
    from mypy_boto3_ec2 import EC2Client

Backend = Literal["sandbox", "endpoint", "live"]
LIVE_ENV = "EC2_KEYPAIRS_LIVE"
CHANGING_CALLS = ("CreateKeyPair", "ImportKeyPair", "DeleteKeyPair")
AWS_HOSTS = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")
RETRIES = Config(retries={"mode": "standard", "max_attempts": 5})


def live_opted_in() -> bool:
    """Whether the environment opts in to real AWS (EC2_KEYPAIRS_LIVE=1)."""
    return os.environ.get(LIVE_ENV, "").strip().lower() in ("1", "true", "yes")


def which_backend(live: bool | None = None) -> Backend:
    """Decide the backend: live only on opt-in, endpoint when one is set, else the sandbox."""
    if live if live is not None else live_opted_in():
        if endpoint_url():
            raise KeyPairError(
                f"You opted in to live AWS, but {ENDPOINT_ENVS[0]} or {ENDPOINT_ENVS[1]} is set "
                "and would redirect every call: unset it, or drop the live opt-in."
            )
        return "live"
    return "endpoint" if endpoint_url() else "sandbox"


def client_backend(ec2: EC2Client) -> Backend:
    """Which backend a client really reaches: its own endpoint, else the sandbox, else AWS."""
    host = urlparse(ec2.meta.endpoint_url).hostname or ""
    if not host.endswith(AWS_HOSTS):  # a moto server, LocalStack: the sandbox never sees it
        return "endpoint"
    return "sandbox" if sandbox.is_running() else "live"


def ec2_client(region: str | None = None, *, live: bool | None = None) -> EC2Client:
    """Return an EC2 client and print one line saying which backend it talks to.

    Pass live=True (or set EC2_KEYPAIRS_LIVE=1) to use real AWS; nothing else reaches it.
    """
    backend = which_backend(arguments.flag(live, "live") if live is not None else None)
    arguments.region(region)
    if backend == "sandbox":
        sandbox.start()
    elif sandbox.is_running():
        sandbox.stop()  # the sandbox would swallow calls meant for the endpoint or for AWS
    announce_live_changes(backend == "live")  # sets up boto3's default session if need be
    if backend != "live":  # stated in the README; live AWS uses the Region you configured
        session = default_session()  # the one boto3.client() below uses
        region = region or session.region_name or sandbox.DEFAULT_REGION
        if backend == "sandbox":  # AWS has no such Region: the sandbox should not pretend
            arguments.region(region, session.get_available_regions("ec2"))
    with friendly_errors():
        client = boto3.client("ec2", region_name=region)
    where = client.meta.region_name
    if backend == "sandbox":
        print(f"Backend: sandbox (moto inside this kernel), Region {where}: "
              "no AWS account needed, nothing leaves this machine.")
    elif backend == "endpoint":
        print(f"Backend: endpoint {endpoint_url()}, Region {where}.")
    else:
        print(f"Backend: LIVE AWS, Region {where}: "
              "calls that change key pairs change your account.")
    return client


_regional: dict[tuple[boto3.Session, str, str | None, bool], EC2Client] = {}


def regional_client(region: str) -> EC2Client:
    """An EC2 client for region, with botocore's standard retries, on the backend this process
    uses now: made once and reused until the backend changes (botocore builds some 800 methods
    for each EC2 client, about 45 ms). Make them in one thread; a client is thread-safe."""
    session = default_session()
    key = (session, region, endpoint_url(), sandbox.is_running())
    if key not in _regional:
        _regional[key] = session.client("ec2", region_name=region, config=RETRIES)
    return _regional[key]


def account_id(region: str) -> str:
    """The AWS account id that the default credentials belong to."""
    return boto3.client("sts", region_name=region).get_caller_identity()["Account"]


def default_session() -> boto3.Session:
    """boto3's default session, the one boto3.client() uses, set up first if there is none."""
    if boto3.DEFAULT_SESSION is None:
        boto3.DEFAULT_SESSION = boto3.Session()  # what boto3.setup_default_session() does
    return boto3.DEFAULT_SESSION


def announce_live_changes(on: bool) -> None:
    """Make every EC2 client boto3 makes from now on, a plain boto3.client("ec2") included,
    show the account id and Region before its first call that changes anything (or stop)."""
    _regional.clear()  # a client's class, made with or without the announcement, stays as made
    events = default_session().events
    if on:
        events.register("creating-client-class.ec2", _add_announcement, unique_id=__name__)
    else:
        events.unregister("creating-client-class.ec2", unique_id=__name__)


def _add_announcement(base_classes: list[type], **_: Any) -> None:
    base_classes.insert(0, _AnnouncesLiveChanges)


class _AnnouncesLiveChanges:
    """Mixed into live EC2 clients: the account id and Region, before the first change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client = cast("EC2Client", self)  # this class is a base of the EC2 client's class
        client.meta.events.register("provide-client-params.ec2", _announce_account_once(client))


def _announce_account_once(client: EC2Client) -> Callable[..., None]:
    """A hook that shows the account id and Region before the first call that changes anything."""
    announced = False

    def announce(model: OperationModel, **_: Any) -> None:
        nonlocal announced
        if model.name in CHANGING_CALLS and not announced:
            region = client.meta.region_name
            with friendly_errors():
                account = account_id(region)
            print(f"LIVE AWS: {model.name} runs in account {account}, Region {region}.")
            announced = True

    return announce
