"""The sandbox: moto's EC2 inside this process (or as a local server), answering like AWS.

Nothing here is imported, and botocore and moto are left untouched, until the sandbox starts:
a kernel on live AWS or an endpoint never loads moto.
"""

from __future__ import annotations

import atexit
import functools
import gc
import os
import socket
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.server import ThreadedMotoServer

DEFAULT_REGION = "us-east-1"
_mock: Any = None  # moto's mock_aws, made on the first start
_running = False
_set_region = False  # whether start() set AWS_DEFAULT_REGION, for stop() to take it back
generation = 0  # how many times reset() emptied it: a key file saved before is an earlier sandbox's
_starting = threading.Lock()  # the kernel starts the sandbox in a thread; a cell may too
_warm_up: threading.Thread | None = None
warm_up_error: BaseException | None = None  # kept, never printed into a learner's cell


def _load_moto() -> None:
    """Import moto and make it answer like AWS (once): the only place that touches botocore."""
    global _mock
    if _mock is None:
        import botocore.client
        import botocore.loaders
        import botocore.model
        import botocore.session

        # One botocore data loader for every session, set before moto is imported: moto makes
        # several (three at import), each of which would parse the 10 MB EC2 model again.
        botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)
        # botocore also makes a client's methods afresh for every client: EC2's 830, with their
        # docstrings, 15 ms of the 26 a client costs (notebook 06 makes 72). With the model
        # shared, they can be too; each client's class still gets its own table to change.
        # (_create_methods is private: botocore-stubs leave it out.)
        creator = botocore.client.ClientCreator
        creator._create_methods = _made_once(creator._create_methods)  # type: ignore[attr-defined]
        # And each client looks through the 830 operations for one that discovers endpoints
        # (EC2 has none): 5 ms a client. The answer is the model's, so it too is found once.
        service = botocore.model.ServiceModel
        service.endpoint_discovery_operation = _found_once(  # type: ignore[method-assign]
            service.endpoint_discovery_operation)
        from helpers.sandbox import lazy_data

        lazy_data.defer()  # before anything imports moto's EC2 models
        import moto.core.utils
        from moto import mock_aws
        from moto.core import responses

        # moto reads the EC2 model with a loader of its own, which parses the 10 MB file again.
        moto.core.utils._load_service_model = _ec2_model_shared(
            moto.core.utils._load_service_model)

        from helpers.sandbox import fidelity

        fidelity.apply()
        # moto lists a response class's methods (inspect.getmembers) on every request, a quarter
        # of a sandbox call; once fidelity has wrapped them, they no longer change. Replaced in
        # responses, which imports it from moto.core.utils.
        listed = functools.cache(moto.core.utils.method_names_from_class)
        responses.method_names_from_class = listed
        _mock = mock_aws()
        # At exit, CPython's collector walks every object still alive: with moto's EC2 data,
        # 220,000 or more, and a kernel's shutdown or restart waited 1.3 s (2.5 s after notebook
        # 06). Frozen, they are left to the OS, which frees the memory at once.
        atexit.register(gc.freeze)


def _ec2_model_shared(load: Callable[[str, str], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """moto's loading of a service model, given botocore's parsed EC2 model for EC2 (botocore
    adds no extras of its own to it), with moto's extras merged into copies, never into it."""
    from moto.core.loaders import create_loader

    def load_service_model(service_name: str, model_name: str) -> dict[str, Any]:
        if (service_name, model_name) != ("ec2", "service-2"):
            return load(service_name, model_name)
        import botocore.session

        shared = botocore.session.create_loader()
        model = dict(shared.load_service_model(service_name, model_name))
        version = shared.determine_latest_version(service_name, model_name)
        for extras in create_loader()._find_extras(service_name, model_name, version):
            _merge_into_copies(model, extras.get("merge", {}))
        return model

    return load_service_model


def _merge_into_copies(model: dict[str, Any], extra: dict[str, Any]) -> None:
    """botocore's deep_merge, copying each dict it changes below model instead of changing it."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(model.get(key), dict):
            model[key] = dict(model[key])
            _merge_into_copies(model[key], value)
        else:
            model[key] = value


def _made_once(create_methods: Callable[[Any, Any], dict[str, Any]]
               ) -> Callable[[Any, Any], dict[str, Any]]:
    """botocore's ClientCreator._create_methods, run once per service and API version."""
    made: dict[tuple[str, str], dict[str, Any]] = {}

    def create_or_copy(creator: Any, service_model: Any) -> dict[str, Any]:
        key = service_model.service_name, service_model.api_version
        if key not in made:
            made[key] = create_methods(creator, service_model)
        return dict(made[key])

    return create_or_copy


def _found_once(discovery: Any) -> Any:
    """botocore's ServiceModel.endpoint_discovery_operation, searched for once per service and
    API version; each model still gets the operation as its own OperationModel."""
    from botocore.utils import CachedProperty

    names: dict[tuple[str, str], str | None] = {}

    def endpoint_discovery_operation(model: Any) -> Any:
        key = model.service_name, model.api_version
        if key not in names:
            found = discovery.__get__(model, type(model))
            names[key] = None if found is None else found.name
        return None if names[key] is None else model.operation_model(names[key])

    return CachedProperty(endpoint_discovery_operation)


def start() -> None:
    """Route every boto3 client made from now on in this process to moto; safe to call twice."""
    global _running, _set_region
    with _starting:
        if not _running:
            _load_moto()
            if "AWS_DEFAULT_REGION" not in os.environ:  # a plain boto3.client("ec2") needs one
                os.environ["AWS_DEFAULT_REGION"] = DEFAULT_REGION
                _set_region = True
            _mock.start()
            _answer_checkip()
            _running = True


def stop() -> None:
    """Stop routing boto3 to moto, so that new clients reach real AWS again."""
    global _running, _set_region
    if _running:
        if _warm_up is not None:
            _warm_up.join()
        _stop_instances()
        _mock.stop()
        from helpers.sandbox import network

        network.stop_answering_checkip()
        import boto3

        boto3.DEFAULT_SESSION = None  # it may hold the sandbox's fake credentials
        if _set_region:  # live AWS must use the Region the user configured
            os.environ.pop("AWS_DEFAULT_REGION", None)
            _set_region = False
        _running = False


def is_running() -> bool:
    """Whether boto3 clients made in this process go to the sandbox."""
    return _running


def _load_ec2_data() -> None:
    """Load what moto's first EC2 call would: the service model and a Region's backend."""
    global warm_up_error
    try:
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.core.utils import get_service_model
        from moto.ec2.models import ec2_backends

        get_service_model("ec2")
        ec2_backends[DEFAULT_ACCOUNT_ID][os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)]
    except Exception as error:  # the first real call then loads it, and says what is wrong
        warm_up_error = error


def warm_up() -> None:
    """Load moto's EC2 data in a thread, while the learner reads, not on their first call.

    No request is sent: the thread only fills moto's in-memory caches, so nothing can reach
    AWS, whatever backend the learner switches to meanwhile."""
    global _warm_up
    start()
    if _warm_up is None:
        _warm_up = threading.Thread(target=_load_ec2_data, name="sandbox-warm-up", daemon=True)
        _warm_up.start()


def reset() -> None:
    """Forget everything the sandbox holds (the next call then makes its Region again: 40 ms).
    The sandbox key files saved until then become an earlier sandbox's, which a create replaces."""
    global generation
    _load_moto()
    if _warm_up is not None:  # it may be filling the very backends reset() empties
        _warm_up.join()
    _stop_instances()
    _mock.reset()  # which forgets what moto's mock of requests answers, as well
    if _running:
        _answer_checkip()
    generation += 1


def _answer_checkip() -> None:
    """Where a learner looks up their address, the sandbox answers with theirs (network.py)."""
    from moto.core.models import responses_mock

    from helpers.sandbox import network

    network.answer_checkip(responses_mock)


def _stop_instances() -> None:
    """Close the SSH servers of the sandbox's instances (none unless one was launched)."""
    machines = sys.modules.get("helpers.sandbox.machines")
    if machines is not None:
        machines.stop_all()


def forget_key_pairs() -> None:
    """Empty every Region's key pairs, and nothing else: much faster than reset()."""
    models = sys.modules.get("moto.ec2.models")  # without moto's EC2 there is nothing to empty
    if models is not None:
        from moto.core.models import DEFAULT_ACCOUNT_ID

        for region in dict.values(models.ec2_backends[DEFAULT_ACCOUNT_ID]):  # Regions made so far
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
    _load_moto()
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, bound_port = server.get_host_and_port()
    return server, f"http://{host}:{bound_port}"
