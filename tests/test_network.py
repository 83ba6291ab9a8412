"""The default path never opens a connection outside loopback (it opens none at all)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent('''
    import json, socket, sys
    addresses = []
    def audit(event, args):
        if event in ("socket.connect", "socket.getaddrinfo"):
            addresses.append(str(args[1][0] if event == "socket.connect" else args[0]))
    sys.addaudithook(audit)

    import boto3
    from helpers import *
    ec2 = ec2_client()
    create_key_pair(ec2, "net-test", key_type="ed25519")
    describe_key_pairs(ec2, include_public_key=True)
    delete_key_pair(ec2, name="net-test")
    boto3.client("ec2").describe_key_pairs()  # the walkthrough's plain client too
    sandbox_addresses = list(addresses)

    listener = socket.create_server(("127.0.0.1", 0))  # proves the audit hook sees connects
    socket.create_connection(listener.getsockname()).close()
    print(json.dumps({"sandbox": sandbox_addresses, "probe": addresses[len(sandbox_addresses):]}))
''')


def test_default_sandbox_opens_no_connection_outside_loopback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EC2_KEYPAIRS"))}
    env.update(HOME=str(tmp_path), AWS_ACCESS_KEY_ID="AKIAREALLOOKING", AWS_SECRET_ACCESS_KEY="s")
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=True)
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert "127.0.0.1" in seen["probe"], "the audit hook must see a connection it is shown"
    outside = [a for a in seen["sandbox"] if not a.startswith(("127.", "::1", "localhost"))]
    assert outside == [], f"the sandbox tried to reach {outside}"
